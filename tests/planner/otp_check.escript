#!/usr/bin/env escript
%% otp_check.escript - the real OTP release handler judges hotplan's plan.
%%
%%   escript otp_check.escript WORK MODULES APPUP RELUP UPSCRIPT DOWNSCRIPT
%%
%% MODULES holds {old, [Mod]} and {new, [Mod]}. In WORK/otp/ a scratch
%% release is built: lib/callsrv-1.0/ebin and lib/callsrv-2.0/ebin with a
%% callsrv.app and, for every module of that version, a tiny beam named like
%% the C module whose vsn/0 returns the version; hotplan's appup goes to
%% callsrv-2.0/ebin/callsrv.appup. Then, on this node:
%%
%%  1. OTP translates hotplan's appup (release_handler:upgrade_script/2 for
%%     the upgrade, systools_rc:translate_scripts(dn, ...) for the
%%     downgrade, as release_handler:downgrade_script/3 does): it must
%%     accept it, and give the same instructions as hotplan's scripts
%%     (compared as sets, because the order between independent modules is
%%     unspecified in OTP: SEMANTICS.md section 2.6);
%%  2. the relup is looked up exactly as release_handler's
%%     try_upgrade/try_downgrade do, and must carry hotplan's two scripts;
%%  3. release_handler_1:check_script/2 must accept each script;
%%  4. release_handler_1:eval_script/5 runs the upgrade script with 1.0
%%     loaded, then the downgrade script: each must return {ok, _}, and
%%     afterwards every module has the version the script installed (removed
%%     modules are gone).
%% Prints what it checked; exits 1 on the first failure.
-mode(compile).

main([Work, ModulesFile, Appup, Relup, UpFile, DownFile]) ->
    try run(Work, ModulesFile, Appup, Relup, UpFile, DownFile) of
        ok -> io:format("otp_check: all checks passed~n")
    catch
        throw:{fail, Fmt, Args} ->
            io:format("otp_check: FAILED: " ++ Fmt ++ "~n", Args),
            halt(1)
    end;
main(_) ->
    io:format("usage: otp_check.escript WORK MODULES APPUP RELUP UPSCRIPT DOWNSCRIPT~n"),
    halt(2).

fail(Fmt, Args) -> throw({fail, Fmt, Args}).

check(true, _Fmt, _Args) -> ok;
check(false, Fmt, Args) -> fail(Fmt, Args).

consult(File) ->
    case file:consult(File) of
        {ok, Terms} -> Terms;
        {error, E} -> fail("cannot read ~s: ~p", [File, E])
    end.

run(Work, ModulesFile, Appup, Relup, UpFile, DownFile) ->
    [{old, OldMods}, {new, NewMods}] = consult(ModulesFile),
    Root = filename:join(Work, "otp"),
    Lib1 = filename:join([Root, "lib", "callsrv-1.0"]),
    Lib2 = filename:join([Root, "lib", "callsrv-2.0"]),
    _ = os:cmd("rm -rf '" ++ Root ++ "'"),
    make_lib(Lib1, "1.0", OldMods),
    make_lib(Lib2, "2.0", NewMods),
    {ok, _} = file:copy(Appup, filename:join([Lib2, "ebin", "callsrv.appup"])),
    OurUp = consult(UpFile),
    OurDown = consult(DownFile),

    %% 1.0 is the running release: its application and current code.
    true = code:add_patha(filename:join(Lib1, "ebin")),
    ok = application:start(callsrv),
    [{module, M} = code:load_file(M) || M <- OldMods],

    %% 1. OTP's own translation of hotplan's appup
    OtpUp = case catch release_handler:upgrade_script(callsrv, Lib2) of
                {ok, "2.0", S} -> S;
                Other -> fail("OTP refused the appup (up): ~p", [Other])
            end,
    same_instructions("upgrade", OtpUp, OurUp),
    [{"2.0", [{"1.0", _}], [{"1.0", DownInstrs}]}] = consult(Appup),
    OldAppl = read_app("1.0", Lib1),
    NewAppl = read_app("2.0", Lib2),
    OtpDown = case systools_rc:translate_scripts(dn, [DownInstrs], [OldAppl], [NewAppl]) of
                  {ok, S2} -> S2;
                  Err -> fail("OTP refused the appup (down): ~p", [Err])
              end,
    same_instructions("downgrade", OtpDown, OurDown),

    %% 2. the relup, read as release_handler reads it
    RelupUp = case consult(Relup) of
                  [{"2.0", UpList, _}] ->
                      case lists:keysearch("1.0", 1, UpList) of
                          {value, {"1.0", _Descr, S3}} -> S3;
                          _ -> fail("relup has no upgrade from 1.0", [])
                      end;
                  _ -> fail("bad_relup_file (upgrade)", [])
              end,
    RelupDown = case consult(Relup) of
                    [{"2.0", _, DnList}] ->
                        case lists:keysearch("1.0", 1, DnList) of
                            {value, {"1.0", _Descr2, S4}} -> S4;
                            _ -> fail("relup has no downgrade to 1.0", [])
                        end;
                    _ -> fail("bad_relup_file (downgrade)", [])
                end,
    check(RelupUp =:= OurUp, "relup upgrade script differs from plan's", []),
    check(RelupDown =:= OurDown, "relup downgrade script differs from plan --down's", []),
    io:format("otp_check: relup carries both scripts (~b and ~b instructions)~n",
              [length(RelupUp), length(RelupDown)]),

    %% 3. check_script
    LibDirs2 = [{callsrv, "2.0", Lib2}],
    LibDirs1 = [{callsrv, "1.0", Lib1}],
    case release_handler_1:check_script(RelupUp, LibDirs2) of
        {ok, _} -> ok;
        E3 -> fail("check_script (up): ~p", [E3])
    end,
    case release_handler_1:check_script(RelupDown, LibDirs1) of
        {ok, _} -> ok;
        E4 -> fail("check_script (down): ~p", [E4])
    end,
    io:format("otp_check: release_handler_1:check_script/2 accepts both scripts~n"),

    %% 4. evaluation on this node
    case release_handler_1:eval_script(RelupUp, [], LibDirs2, LibDirs2, []) of
        {ok, _} -> ok;
        E5 -> fail("eval_script (up): ~p", [E5])
    end,
    versions_after("upgrade", OurUp, "2.0"),
    case release_handler_1:eval_script(RelupDown, [], LibDirs1, LibDirs1, []) of
        {ok, _} -> ok;
        E6 -> fail("eval_script (down): ~p", [E6])
    end,
    versions_after("downgrade", OurDown, "1.0"),
    io:format("otp_check: release_handler_1:eval_script/5 runs the upgrade and the downgrade~n"),
    ok.

%% A library application: modules, no processes.
make_lib(Lib, Vsn, Mods) ->
    Ebin = filename:join(Lib, "ebin"),
    ok = filelib:ensure_dir(filename:join(Ebin, "x")),
    lists:foreach(fun(M) ->
        Forms = [{attribute, 1, module, M},
                 {attribute, 2, vsn, Vsn},
                 {attribute, 3, export, [{vsn, 0}]},
                 {function, 4, vsn, 0, [{clause, 4, [], [], [{string, 4, Vsn}]}]}],
        {ok, M, Bin} = compile:forms(Forms, [binary]),
        ok = file:write_file(filename:join(Ebin, atom_to_list(M) ++ ".beam"), Bin)
    end, Mods),
    App = {application, callsrv,
           [{description, "callsrv"}, {vsn, Vsn}, {modules, Mods},
            {registered, []}, {applications, [kernel, stdlib]}]},
    ok = file:write_file(filename:join(Ebin, "callsrv.app"),
                         io_lib:format("~p.~n", [App])).

read_app(Vsn, Lib) ->
    {ok, Appl} = systools_make:read_application("callsrv", Vsn,
                                                [filename:join(Lib, "ebin")], []),
    Appl.

%% The same instructions, whatever the order OTP leaves open; the modules
%% of each load_object_code compared as sets.
same_instructions(What, Otp, Ours) ->
    Norm = fun(L) -> lists:sort([norm(I) || I <- L]) end,
    case Norm(Otp) =:= Norm(Ours) of
        true ->
            Order = case Otp =:= Ours of
                        true -> "same order";
                        false -> "same instructions, order differs only where OTP leaves it open"
                    end,
            io:format("otp_check: OTP translates the appup (~s) to hotplan's script: ~s~n",
                      [What, Order]);
        false ->
            fail("~s: OTP's script~n~p~ndiffers from hotplan's~n~p", [What, Otp, Ours])
    end.

norm({load_object_code, {A, V, Ms}}) -> {load_object_code, {A, V, lists:sort(Ms)}};
norm(I) -> I.

%% After a script: each module it loads runs Vsn, each it removes is gone.
versions_after(What, Script, Vsn) ->
    lists:foreach(
      fun({load, {M, _, _}}) ->
              Got = M:vsn(),
              check(Got =:= Vsn, "~s: ~p runs ~s, not ~s", [What, M, Got, Vsn]);
         ({remove, {M, _, _}}) ->
              check(not erlang:module_loaded(M), "~s: ~p still loaded", [What, M]);
         (_) -> ok
      end, Script).
