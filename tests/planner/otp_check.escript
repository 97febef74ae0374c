#!/usr/bin/env escript
%% otp_check.escript - the real OTP release handler judges hotplan's plan.
%%
%%   escript otp_check.escript WORK MODULES APPUP RELUP UPSCRIPT DOWNSCRIPT [UPSCRIPT...]
%%
%% MODULES holds {old, [Mod]}, {new, [Mod]} and {procs, [Mod]}. In WORK/otp/
%% a scratch release is built: lib/callsrv-1.0/ebin and lib/callsrv-2.0/ebin
%% with a callsrv.app and, for every module of that version, a tiny beam
%% named like the C module whose vsn/0 returns the version; a module of
%% procs is a gen_server, started under the application's supervisor with
%% [Mod] as its child spec's modules, whose code_change/3 records its
%% arguments in its state. hotplan's appup goes to
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
%%  3. release_handler_1:check_script/2 must accept each script, and the
%%     further upgrade scripts given (other purge options of the same plan);
%%  4. release_handler_1:eval_script/5 runs the upgrade script with 1.0
%%     loaded, then the downgrade script: each must return {ok, _}, and
%%     afterwards every module has the version the script installed (removed
%%     modules are gone), every process is alive with the pid it had, and
%%     code_change was called exactly for the modules of the script's
%%     code_change instructions, with their Extra, and with the old version
%%     (up) or {down, Vsn} (down).
%% Prints what it checked; exits 1 on the first failure.
-mode(compile).

main([Work, ModulesFile, Appup, Relup, UpFile, DownFile | MoreUp]) ->
    try run(Work, ModulesFile, Appup, Relup, UpFile, DownFile, MoreUp) of
        ok -> io:format("otp_check: all checks passed~n")
    catch
        throw:{fail, Fmt, Args} ->
            io:format("otp_check: FAILED: " ++ Fmt ++ "~n", Args),
            halt(1)
    end;
main(_) ->
    io:format("usage: otp_check.escript WORK MODULES APPUP RELUP UPSCRIPT DOWNSCRIPT"
              " [UPSCRIPT...]~n"),
    halt(2).

fail(Fmt, Args) -> throw({fail, Fmt, Args}).

check(true, _Fmt, _Args) -> ok;
check(false, Fmt, Args) -> fail(Fmt, Args).

consult(File) ->
    case file:consult(File) of
        {ok, Terms} -> Terms;
        {error, E} -> fail("cannot read ~s: ~p", [File, E])
    end.

run(Work, ModulesFile, Appup, Relup, UpFile, DownFile, MoreUp) ->
    [{old, OldMods0}, {new, NewMods0}, {procs, Procs}] = consult(ModulesFile),
    %% the application callback and its supervisor: unchanged, in both
    OldMods = OldMods0 ++ [callsrv_app, callsrv_sup],
    NewMods = NewMods0 ++ [callsrv_app, callsrv_sup],
    Root = filename:join(Work, "otp"),
    Lib1 = filename:join([Root, "lib", "callsrv-1.0"]),
    Lib2 = filename:join([Root, "lib", "callsrv-2.0"]),
    _ = os:cmd("rm -rf '" ++ Root ++ "'"),
    make_lib(Lib1, "1.0", OldMods, Procs),
    make_lib(Lib2, "2.0", NewMods, Procs),
    {ok, _} = file:copy(Appup, filename:join([Lib2, "ebin", "callsrv.appup"])),
    OurUp = consult(UpFile),
    OurDown = consult(DownFile),

    %% 1.0 is the running release: its application and current code.
    true = code:add_patha(filename:join(Lib1, "ebin")),
    [{module, M} = code:load_file(M) || M <- OldMods],
    ok = application:start(callsrv),
    Pids = [{P, whereis(P)} || P <- Procs],
    check(lists:all(fun({_, Pid}) -> is_pid(Pid) end, Pids),
          "processes not started: ~p", [Pids]),

    %% 1. OTP's own translation of hotplan's appup
    OtpUp = case catch release_handler:upgrade_script(callsrv, Lib2) of
                {ok, "2.0", S} -> S;
                Other -> fail("OTP refused the appup (up): ~p", [Other])
            end,
    [{"2.0", [{"1.0", UpInstrs}], [{"1.0", DownInstrs}]}] = consult(Appup),
    same_instructions("upgrade", OtpUp, OurUp, UpInstrs),
    OldAppl = read_app("1.0", Lib1),
    NewAppl = read_app("2.0", Lib2),
    OtpDown = case systools_rc:translate_scripts(dn, [DownInstrs], [OldAppl], [NewAppl]) of
                  {ok, S2} -> S2;
                  Err -> fail("OTP refused the appup (down): ~p", [Err])
              end,
    same_instructions("downgrade", OtpDown, OurDown, DownInstrs),

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
    lists:foreach(fun(F) ->
                          case release_handler_1:check_script(consult(F), LibDirs2) of
                              {ok, _} -> ok;
                              E7 -> fail("check_script (~s): ~p", [F, E7])
                          end
                  end, MoreUp),
    io:format("otp_check: release_handler_1:check_script/2 accepts both scripts"
              " and ~b more~n", [length(MoreUp)]),

    %% 4. evaluation on this node
    case release_handler_1:eval_script(RelupUp, [], LibDirs2, LibDirs2, []) of
        {ok, _} -> ok;
        E5 -> fail("eval_script (up): ~p", [E5])
    end,
    versions_after("upgrade", OurUp, "2.0"),
    processes_after("upgrade", OurUp, Pids, fun(_M) -> "1.0" end),
    case release_handler_1:eval_script(RelupDown, [], LibDirs1, LibDirs1, []) of
        {ok, _} -> ok;
        E6 -> fail("eval_script (down): ~p", [E6])
    end,
    versions_after("downgrade", OurDown, "1.0"),
    processes_after("downgrade", OurDown, Pids, fun(_M) -> {down, "1.0"} end),
    io:format("otp_check: release_handler_1:eval_script/5 runs the upgrade and the downgrade~n"),
    ok.

%% The application: a supervisor with one gen_server per module of Procs
%% (child spec modules [M]); every other module is a library module.
make_lib(Lib, Vsn, Mods, Procs) ->
    Ebin = filename:join(Lib, "ebin"),
    ok = filelib:ensure_dir(filename:join(Ebin, "x")),
    lists:foreach(fun(M) ->
        Src = source(M, Vsn, lists:member(M, Procs), Procs),
        {ok, Tokens, _} = erl_scan:string(lists:flatten(Src)),
        Forms = split_forms(Tokens, [], []),
        {ok, M, Bin} = compile:forms(Forms, [binary, return_errors]),
        ok = file:write_file(filename:join(Ebin, atom_to_list(M) ++ ".beam"), Bin)
    end, Mods),
    App = {application, callsrv,
           [{description, "callsrv"}, {vsn, Vsn}, {modules, Mods},
            {registered, Procs}, {applications, [kernel, stdlib]},
            {mod, {callsrv_app, []}}]},
    ok = file:write_file(filename:join(Ebin, "callsrv.app"),
                         io_lib:format("~p.~n", [App])).

split_forms([], [], Acc) -> lists:reverse(Acc);
split_forms([{dot, _} = Dot | Rest], Cur, Acc) ->
    {ok, Form} = erl_parse:parse_form(lists:reverse([Dot | Cur])),
    split_forms(Rest, [], [Form | Acc]);
split_forms([T | Rest], Cur, Acc) -> split_forms(Rest, [T | Cur], Acc).

source(callsrv_app, Vsn, _, _) ->
    io_lib:format("-module(callsrv_app). -vsn(~p). -behaviour(application).~n"
                  "-export([start/2, stop/1, vsn/0]).~n"
                  "vsn() -> ~p.~n"
                  "start(_, _) -> supervisor:start_link({local, callsrv_sup}, callsrv_sup, []).~n"
                  "stop(_) -> ok.~n", [Vsn, Vsn]);
source(callsrv_sup, Vsn, _, Procs) ->
    Children = [io_lib:format("#{id => ~p, start => {~p, start_link, []}, modules => [~p]}",
                              [P, P, P]) || P <- Procs],
    io_lib:format("-module(callsrv_sup). -vsn(~p). -behaviour(supervisor).~n"
                  "-export([init/1, vsn/0]).~n"
                  "vsn() -> ~p.~n"
                  "init([]) -> {ok, {#{strategy => one_for_one}, [~s]}}.~n",
                  [Vsn, Vsn, lists:join(", ", Children)]);
source(M, Vsn, true, _) ->
    %% state: {state, Vsn of the code that last set it, [{OldVsn, Extra}]}
    io_lib:format("-module(~p). -vsn(~p). -behaviour(gen_server).~n"
                  "-export([start_link/0, vsn/0, init/1, handle_call/3, handle_cast/2,"
                  " code_change/3]).~n"
                  "vsn() -> ~p.~n"
                  "start_link() -> gen_server:start_link({local, ~p}, ~p, [], []).~n"
                  "init([]) -> {ok, {state, ~p, []}}.~n"
                  "handle_call(state, _, S) -> {reply, S, S}.~n"
                  "handle_cast(_, S) -> {noreply, S}.~n"
                  "code_change(Old, {state, _, Log}, Extra) ->"
                  " {ok, {state, ~p, [{Old, Extra} | Log]}}.~n",
                  [M, Vsn, Vsn, M, M, Vsn, Vsn]);
source(M, Vsn, false, _) ->
    io_lib:format("-module(~p). -vsn(~p). -export([vsn/0]). vsn() -> ~p.~n",
                  [M, Vsn, Vsn]).

read_app(Vsn, Lib) ->
    {ok, Appl} = systools_make:read_application("callsrv", Vsn,
                                                [filename:join(Lib, "ebin")], []),
    Appl.

%% The same instructions, whatever the order OTP leaves open (see norm/1).
same_instructions(What, Otp, Ours, Instrs) ->
    Norm = fun(L) -> lists:sort([norm(I) || I <- L]) end,
    case Norm(Otp) =:= Norm(Ours) of
        true ->
            ties_only(What, Otp, Ours, Instrs),
            Order = case Otp =:= Ours of
                        true -> "same order";
                        false -> "same instructions, in another of the orders OTP leaves open"
                    end,
            io:format("otp_check: OTP translates the appup (~s) to hotplan's script: ~s~n",
                      [What, Order]);
        false ->
            fail("~s: OTP's script~n~p~ndiffers from hotplan's~n~p", [What, Otp, Ours])
    end.

%% The module lists of these instructions follow the topological order of
%% the dependency group, whose ties OTP breaks by the VM's atom table
%% (SEMANTICS.md section 2.6: the same appup translates differently when
%% other atoms were created first), so they are compared as sets.
%% Where the two scripts load or remove two modules in a different order,
%% neither module may depend on the other, even through others (Deps of the
%% appup): only then does OTP leave their order open.
ties_only(What, Otp, Ours, Instrs) ->
    G = digraph:new(),
    lists:foreach(fun(I) ->
                          M = element(2, I),
                          digraph:add_vertex(G, M),
                          lists:foreach(fun(D) ->
                                                digraph:add_vertex(G, D),
                                                digraph:add_edge(G, M, D)
                                        end, element(tuple_size(I), I))
                  end, Instrs),
    PO = steps(Otp),
    PU = steps(Ours),
    Ms = [M || {M, _} <- PU],
    Bad = [{A, B} || A <- Ms, B <- Ms, A < B,
                     (pos(A, PO) < pos(B, PO)) =/= (pos(A, PU) < pos(B, PU)),
                     digraph:get_path(G, A, B) =/= false orelse
                         digraph:get_path(G, B, A) =/= false],
    digraph:delete(G),
    check(Bad =:= [], "~s: order of dependent modules differs from OTP's: ~p", [What, Bad]).

steps(Script) ->
    lists:zip([M || {Op, {M, _, _}} <- Script, Op =:= load orelse Op =:= remove],
              lists:seq(1, length([x || {Op, {_, _, _}} <- Script,
                                        Op =:= load orelse Op =:= remove]))).

pos(M, Steps) -> {M, P} = lists:keyfind(M, 1, Steps), P.

norm({load_object_code, {A, V, Ms}}) -> {load_object_code, {A, V, lists:sort(Ms)}};
norm({suspend, Ms}) -> {suspend, lists:sort(Ms)};
norm({resume, Ms}) -> {resume, lists:sort(Ms)};
norm({code_change, Mode, Ms}) -> {code_change, Mode, lists:sort(Ms)};
norm(I) -> I.

%% After a script: every process is alive with the same pid; the last
%% code_change it saw is exactly the one the script asked for it.
processes_after(What, Script, Pids, VsnOf) ->
    Changed = lists:append([L || {code_change, _, L} <- Script]),
    lists:foreach(
      fun({M, Pid}) ->
              check(whereis(M) =:= Pid, "~s: process ~p died or restarted", [What, M]),
              {state, _, Log} = gen_server:call(M, state),
              case lists:keyfind(M, 1, Changed) of
                  {M, Extra} ->
                      Want = {VsnOf(M), Extra},
                      check(Log =/= [] andalso hd(Log) =:= Want,
                            "~s: ~p: code_change log ~p, wanted ~p first", [What, M, Log, Want]);
                  false ->
                      check(Log =:= [] orelse element(1, hd(Log)) =/= VsnOf(M),
                            "~s: ~p: unexpected code_change ~p", [What, M, Log])
              end
      end, Pids),
    io:format("otp_check: ~s: ~b processes suspended and resumed, code_change for ~p~n",
              [What, length(Pids), [M || {M, _} <- Changed]]).

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
