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
%% [Mod] as its child spec's modules, whose code_change/3 writes to an ETS
%% table the pid, the module, the version constant compiled into the code
%% that ran it, and its arguments. hotplan's appup goes to
%% callsrv-2.0/ebin/callsrv.appup. Then, on this node:
%%
%%  1. OTP translates hotplan's appup (release_handler:upgrade_script/2 for
%%     the upgrade, systools_rc:translate_scripts(dn, ...) for the
%%     downgrade, as release_handler:downgrade_script/3 does): it must
%%     accept it and return exactly hotplan's script, instruction for
%%     instruction. Where OTP orders a dependency group otherwise, the two
%%     may differ only by ties (SEMANTICS.md 2.6: the order between modules
%%     that do not depend on each other follows the VM's atom table): the
%%     appup is translated again with extra dependencies that pin hotplan's
%%     order, which must not merge dependency cycles (else hotplan's order
%%     breaks a dependency), and OTP must then return exactly hotplan's
%%     script (as tests/translate/conformance.escript does);
%%  2. the relup is looked up exactly as release_handler's
%%     try_upgrade/try_downgrade do, and must carry hotplan's two scripts;
%%  3. release_handler_1:check_script/2 must accept each script, and the
%%     further upgrade scripts given (other purge options of the same plan);
%%  4. release_handler_1:eval_script/5 runs the upgrade script with 1.0
%%     loaded, then the downgrade script, with the system messages that the
%%     processes receive traced: each must return {ok, _}, and afterwards
%%     every module has the version the script installed (removed modules
%%     are gone), every process is alive with the pid it had, the processes
%%     of the appup's update instructions (and only they) were suspended and
%%     resumed once, and code_change/3 ran once for each suspended process of
%%     an advanced update (and for no other), with the appup's Extra, with
%%     the old version (up) or {down, Vsn} (down), and in the code OTP's
%%     semantics put it in (SEMANTICS.md 2.7): the new version on the way
%%     up; on the way down, the version being left for a dynamic module
%%     (code_change before the loads) and the restored one for a static one.
%% Expectations come from the appup and OTP, never from hotplan's scripts.
%% Stage 1 and the observations of stage 4 report every failure they find
%% and the run goes on; anything else stops at the first. Prints what it
%% checked; exits 1 if anything failed.
-mode(compile).

%% The table the generated code_change/3 functions write to.
-define(CC_TABLE, otp_check_code_change).

main([Work, ModulesFile, Appup, Relup, UpFile, DownFile | MoreUp]) ->
    try run(Work, ModulesFile, Appup, Relup, UpFile, DownFile, MoreUp) of
        0 -> io:format("otp_check: all checks passed~n");
        N -> io:format("otp_check: ~b checks failed~n", [N]),
             halt(1)
    catch
        throw:{fail, Fmt, Args} ->
            report(Fmt, Args),
            halt(1)
    end;
main(_) ->
    io:format("usage: otp_check.escript WORK MODULES APPUP RELUP UPSCRIPT DOWNSCRIPT"
              " [UPSCRIPT...]~n"),
    halt(2).

fail(Fmt, Args) -> throw({fail, Fmt, Args}).

report(Fmt, Args) -> io:format("otp_check: FAILED: " ++ Fmt ++ "~n", Args).

check(true, _Fmt, _Args) -> ok;
check(false, Fmt, Args) -> fail(Fmt, Args).

%% Runs a check that does not stop the run: 0 if it passed, else 1 (the
%% failure is printed).
soft(Fun) ->
    try Fun() of
        _ -> 0
    catch
        throw:{fail, Fmt, Args} -> report(Fmt, Args), 1
    end.

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
    ?CC_TABLE = ets:new(?CC_TABLE, [named_table, public, ordered_set]),

    %% 1.0 is the running release: its application and current code.
    true = code:add_patha(filename:join(Lib1, "ebin")),
    [{module, M} = code:load_file(M) || M <- OldMods],
    ok = application:start(callsrv),
    Pids = [{P, whereis(P)} || P <- Procs],
    check(lists:all(fun({_, Pid}) -> is_pid(Pid) end, Pids),
          "processes not started: ~p", [Pids]),

    %% 1. OTP's own translation of hotplan's appup
    [{"2.0", [{"1.0", UpInstrs}], [{"1.0", DownInstrs}]}] = consult(Appup),
    OldAppl = read_app("1.0", Lib1),
    NewAppl = read_app("2.0", Lib2),
    OtpUp = case catch release_handler:upgrade_script(callsrv, Lib2) of
                {ok, "2.0", S} -> S;
                Other -> fail("OTP refused the appup (up): ~p", [Other])
            end,
    Up = fun(Is) -> systools_rc:translate_scripts(up, [Is], [NewAppl], [OldAppl]) end,
    Down = fun(Is) -> systools_rc:translate_scripts(dn, [Is], [OldAppl], [NewAppl]) end,
    OtpDown = case Down(DownInstrs) of
                  {ok, S2} -> S2;
                  Err -> fail("OTP refused the appup (down): ~p", [Err])
              end,
    Failed1 = soft(fun() -> same_script("upgrade", up, OtpUp, OurUp, UpInstrs, Up) end)
        + soft(fun() -> same_script("downgrade", dn, OtpDown, OurDown, DownInstrs, Down) end),

    %% 2. the relup, read as release_handler reads it
    {RelupUp, RelupDown} = relup_scripts(Relup),
    check(RelupUp =:= OurUp, "relup upgrade script differs from plan's", []),
    check(RelupDown =:= OurDown, "relup downgrade script differs from plan --down's", []),
    io:format("otp_check: relup carries both scripts (~b and ~b instructions)~n",
              [length(RelupUp), length(RelupDown)]),

    %% 3. check_script
    LibDirs2 = [{callsrv, "2.0", Lib2}],
    LibDirs1 = [{callsrv, "1.0", Lib1}],
    Checked = [{"up", RelupUp, LibDirs2}, {"down", RelupDown, LibDirs1}
               | [{F, consult(F), LibDirs2} || F <- MoreUp]],
    lists:foreach(fun({What, Script, LibDirs}) ->
                          case release_handler_1:check_script(Script, LibDirs) of
                              {ok, _} -> ok;
                              E -> fail("check_script (~s): ~p", [What, E])
                          end
                  end, Checked),
    io:format("otp_check: release_handler_1:check_script/2 accepts both scripts"
              " and ~b more~n", [length(MoreUp)]),

    %% 4. evaluation on this node, the upgrade then the downgrade
    Failed4 = evaluate("upgrade", up, RelupUp, LibDirs2, UpInstrs, Pids)
        + evaluate("downgrade", dn, RelupDown, LibDirs1, DownInstrs, Pids),
    io:format("otp_check: release_handler_1:eval_script/5 runs the upgrade and the downgrade~n"),
    Failed1 + Failed4.

relup_scripts(Relup) ->
    case consult(Relup) of
        [{"2.0", UpList, DnList}] ->
            Find = fun(What, L) ->
                           case lists:keysearch("1.0", 1, L) of
                               {value, {"1.0", _Descr, S}} -> S;
                               _ -> fail("relup has no ~s 1.0", [What])
                           end
                   end,
            {Find("upgrade from", UpList), Find("downgrade to", DnList)};
        _ -> fail("bad_relup_file", [])
    end.

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
    %% The version that runs code_change/3 is a constant of the compiled
    %% code, written with a local expression: asking the module (M:vsn(),
    %% module_info) would answer for the current version, not for the code
    %% that runs.
    io_lib:format("-module(~p). -vsn(~p). -behaviour(gen_server).~n"
                  "-export([start_link/0, vsn/0, init/1, handle_call/3, handle_cast/2,"
                  " code_change/3]).~n"
                  "vsn() -> ~p.~n"
                  "start_link() -> gen_server:start_link({local, ~p}, ~p, [], []).~n"
                  "init([]) -> {ok, {state, ~p}}.~n"
                  "handle_call(state, _, S) -> {reply, S, S}.~n"
                  "handle_cast(_, S) -> {noreply, S}.~n"
                  "code_change(Old, {state, _}, Extra) ->"
                  " true = ets:insert(~p, {erlang:unique_integer([monotonic]), self(), ~p, ~p,"
                  " Old, Extra}),"
                  " {ok, {state, ~p}}.~n",
                  [M, Vsn, Vsn, M, M, Vsn, ?CC_TABLE, M, Vsn, Vsn]);
source(M, Vsn, false, _) ->
    io_lib:format("-module(~p). -vsn(~p). -export([vsn/0]). vsn() -> ~p.~n",
                  [M, Vsn, Vsn]).

read_app(Vsn, Lib) ->
    {ok, Appl} = systools_make:read_application("callsrv", Vsn,
                                                [filename:join(Lib, "ebin")], []),
    Appl.

%% ---- 1. the script, instruction for instruction --------------------------

%% Ours must be Otp, or differ from it only where SEMANTICS.md 2.6 leaves
%% the order open (ties of a dependency group's topological order).
same_script(What, _Mode, Script, Script, _Instrs, _Translate) ->
    io:format("otp_check: ~s: hotplan's script is OTP's translation of the appup,"
              " all ~b instructions in the same order~n", [What, length(Script)]);
same_script(What, Mode, Otp, Ours, Instrs, Translate) ->
    Deps = [D || I <- Instrs, D <- [dep_info(I)], D =/= none],
    G = graph(Deps, #{}),
    Extra = maps:from_list(lists:append(
                             [pin(in_order(C, load_positions(Ours), Mode))
                              || C <- digraph_utils:components(G)])),
    %% {Dependent, Dependency} pairs in the reverse of the order that the
    %% dependency (direct or through others, not in a cycle) requires
    Broken = [{X, M} || {M, Xs} <- maps:to_list(Extra), X <- Xs,
                        digraph:get_path(G, X, M) =/= false,
                        digraph:get_path(G, M, X) =:= false],
    digraph:delete(G),
    check(Broken =:= [],
          "~s: hotplan's order of loads breaks the appup's dependencies (SEMANTICS.md"
          " 2.5, 2.7): of each {Dependent, Dependency} pair, hotplan loads ~s first: ~9999p~n"
          "OTP: ~p~nhotplan: ~p",
          [What, case Mode of up -> "Dependent"; dn -> "Dependency" end,
           lists:sort(Broken), Otp, Ours]),
    Pinned = [case dep_info(I) of
                  {M, _} -> augment(I, maps:get(M, Extra, []));
                  none -> I
              end || I <- Instrs],
    case Translate(Pinned) of
        {ok, Ours} ->
            io:format("otp_check: ~s: hotplan's script differs from OTP's translation"
                      " of the appup only by ties (SEMANTICS.md 2.6): with hotplan's order"
                      " pinned by extra dependencies, OTP returns hotplan's script, all ~b"
                      " instructions in the same order~n",
                      [What, length(Ours)]);
        {ok, Script} ->
            {N, O, H} = first_difference(Script, Ours, 1),
            fail("~s: hotplan's script differs from OTP's translation at instruction ~b:"
                 " OTP has ~9999p, hotplan has ~9999p~nOTP (pinned to hotplan's order of ties): ~p~n"
                 "hotplan: ~p", [What, N, O, H, Script, Ours]);
        Err ->
            fail("~s: OTP refused the appup with hotplan's order pinned: ~p", [What, Err])
    end.

first_difference([I | A], [I | B], N) -> first_difference(A, B, N + 1);
first_difference(A, B, N) -> {N, head(A), head(B)}.

head([I | _]) -> I;
head([]) -> end_of_script.

graph(Deps, Extra) ->
    G = digraph:new(),
    [digraph:add_vertex(G, M) || {M, _} <- Deps],
    [digraph:add_edge(G, M, D) || {M, Ds} <- Deps, D <- Ds ++ maps:get(M, Extra, [])],
    G.

%% The position of each module's first load or remove after
%% point_of_no_return in Script.
load_positions(Script) ->
    After = lists:dropwhile(fun(I) -> I =/= point_of_no_return end, Script),
    Steps = [M || {Op, {M, _, _}} <- After, Op =:= load orelse Op =:= remove],
    maps:from_list(lists:reverse(lists:zip(Steps, lists:seq(1, length(Steps))))).

%% The modules of a dependency group in hotplan's instruction order (a
%% module before the modules it depends on): loads are emitted in the
%% reverse of that order up, in that order down (SEMANTICS.md 2.7).
in_order(Comp, Pos, Mode) ->
    Known = [M || M <- Comp, maps:is_key(M, Pos)],
    lists:sort(fun(A, B) ->
                       case Mode of
                           up -> maps:get(A, Pos) >= maps:get(B, Pos);
                           dn -> maps:get(A, Pos) =< maps:get(B, Pos)
                       end
               end, Known).

%% Each module depends, in addition, on every module after it.
pin([]) -> [];
pin([M | Rest]) -> [{M, Rest} | pin(Rest)].

%% The module and dependency list of an appup instruction, in every form the
%% appup syntax allows (SEMANTICS.md 2.1), or none.
dep_info({load_module, M}) -> {M, []};
dep_info({load_module, M, D}) when is_list(D) -> {M, D};
dep_info({load_module, M, _, _, D}) -> {M, D};
dep_info({update, M}) -> {M, []};
dep_info({update, M, D}) when is_list(D) -> {M, D};
dep_info({update, M, _}) -> {M, []};
dep_info({update, M, _, D}) when is_list(D) -> {M, D};
dep_info(T) when element(1, T) =:= update, tuple_size(T) >= 6 ->
    {element(2, T), element(tuple_size(T), T)};
dep_info({Op, M}) when Op =:= add_module; Op =:= delete_module -> {M, []};
dep_info({Op, M, D}) when Op =:= add_module; Op =:= delete_module -> {M, D};
dep_info(_) -> none.

%% The instruction with extra dependencies E.
augment(I, []) -> I;
augment({load_module, M}, E) -> {load_module, M, E};
augment({load_module, M, D}, E) -> {load_module, M, D ++ E};
augment({update, M}, E) -> {update, M, E};
augment({update, M, supervisor}, E) ->
    {update, M, static, default, {advanced, []}, brutal_purge, brutal_purge, E};
augment({update, M, D}, E) when is_list(D) -> {update, M, D ++ E};
augment({update, M, C}, E) -> {update, M, C, E};
augment({Op, M}, E) when Op =:= add_module; Op =:= delete_module -> {Op, M, E};
augment(T, E) -> setelement(tuple_size(T), T, element(tuple_size(T), T) ++ E).

%% ---- 4. evaluation, observed ----------------------------------------------

%% Runs Script with the system messages of the processes traced and the
%% code_change table emptied; returns the number of failed observations.
evaluate(What, Mode, Script, LibDirs, Instrs, Pids) ->
    true = ets:delete_all_objects(?CC_TABLE),
    Tracer = spawn_link(fun() -> tracer([]) end),
    [1 = erlang:trace(Pid, true, ['receive', {tracer, Tracer}]) || {_, Pid} <- Pids],
    Result = release_handler_1:eval_script(Script, [], LibDirs, LibDirs, []),
    [catch erlang:trace(Pid, false, ['receive']) || {_, Pid} <- Pids],
    Ref = erlang:trace_delivered(all),
    receive {trace_delivered, all, Ref} -> ok end,
    Tracer ! {stop, self()},
    Events = receive {events, Tracer, Es} -> Es end,
    case Result of
        {ok, _} -> ok;
        E -> fail("eval_script (~s): ~p", [What, E])
    end,
    Vsn = case Mode of up -> "2.0"; dn -> "1.0" end,
    Changes = ets:tab2list(?CC_TABLE),
    Updates = updates(Instrs),
    soft(fun() -> versions_after(What, Script, Vsn) end)
        + soft(fun() -> processes_after(What, Pids) end)
        + soft(fun() -> system_messages(What, Mode, Pids, Updates, Events) end)
        + soft(fun() -> code_changes(What, Mode, Pids, Updates, Changes) end).

%% Collects the system messages (sys:suspend/resume/change_code) that the
%% traced processes receive, in order.
tracer(Acc) ->
    receive
        {trace, Pid, 'receive', {system, _From, Req}} ->
            tracer([{Pid, system_request(Req)} | Acc]);
        {trace, _, _, _} ->
            tracer(Acc);
        {stop, From} ->
            From ! {events, self(), lists:reverse(Acc)}
    end.

system_request({change_code, _Mod, Vsn, Extra}) -> {change_code, Vsn, Extra};
system_request(Req) when is_atom(Req) -> Req;
system_request(Req) -> element(1, Req).

%% [{M, Change, ModType}] of the appup's update instructions, expanded with
%% the defaults of SEMANTICS.md 2.1.
updates(Instrs) ->
    [U || I <- Instrs, element(1, I) =:= update, U <- [expand_update(I)]].

expand_update({update, M}) -> {M, soft, dynamic};
expand_update({update, M, supervisor}) -> {M, {advanced, []}, static};
expand_update({update, M, D}) when is_list(D) -> {M, soft, dynamic};
expand_update({update, M, C}) -> {M, C, dynamic};
expand_update({update, M, C, _}) -> {M, C, dynamic};
expand_update({update, M, C, _, _, _}) -> {M, C, dynamic};
expand_update({update, M, _, C, _, _, _}) -> {M, C, dynamic};
expand_update({update, M, T, _, C, _, _, _}) -> {M, C, T}.

%% What OTP passes to code_change/3 as the version, and the version whose
%% code must run it: up, after the loads, in the new code; down, a dynamic
%% module before the loads (in the version being left), a static one after
%% them (in the version restored) (SEMANTICS.md 2.7, 3.1).
code_change_versions(up, _) -> {"1.0", "2.0"};
code_change_versions(dn, dynamic) -> {{down, "1.0"}, "2.0"};
code_change_versions(dn, static) -> {{down, "1.0"}, "1.0"}.

%% Each process of an updated module was suspended once, code-changed once
%% while suspended if its update is advanced, then resumed once; no other
%% process received any of these.
system_messages(What, Mode, Pids, Updates, Events) ->
    lists:foreach(
      fun({M, Pid}) ->
              Got = [R || {P, R} <- Events, P =:= Pid],
              Want = case lists:keyfind(M, 1, Updates) of
                         {M, {advanced, Extra}, T} ->
                             {Arg, _} = code_change_versions(Mode, T),
                             [suspend, {change_code, Arg, Extra}, resume];
                         {M, soft, _} -> [suspend, resume];
                         false -> []
                     end,
              check(Got =:= Want, "~s: ~p (~p) received the system messages ~9999p, wanted ~9999p",
                    [What, M, Pid, Got, Want])
      end, Pids),
    io:format("otp_check: ~s: ~b processes suspended and resumed: ~p~n",
              [What, length([U || U <- Updates, lists:keymember(element(1, U), 1, Pids)]),
               [M || {M, _, _} <- Updates]]).

%% code_change/3 ran once for each process of an advanced update, in the
%% version OTP's semantics put it in, with OTP's arguments; for no other.
code_changes(What, Mode, Pids, Updates, Changes) ->
    Want = lists:sort(
             [{Pid, M, RanIn, Arg, Extra}
              || {M, {advanced, Extra}, T} <- Updates, {P, Pid} <- Pids, P =:= M,
                 {Arg, RanIn} <- [code_change_versions(Mode, T)]]),
    Got = lists:sort([{Pid, M, RanIn, Arg, Extra} || {_, Pid, M, RanIn, Arg, Extra} <- Changes]),
    lists:foreach(
      fun({Pid, M, RanIn, Arg, Extra} = W) ->
              Mine = [G || {P, _, _, _, _} = G <- Got, P =:= Pid],
              check(Mine =/= [], "~s: code_change/3 of ~p did not run", [What, M]),
              [{_, _, GotIn, _, _} | _] = Mine,
              check(GotIn =:= RanIn,
                    "~s: code_change/3 of ~p ran in version ~s of the code, not ~s",
                    [What, M, GotIn, RanIn]),
              check(Mine =:= [W], "~s: code_change/3 of ~p: ran as ~p, wanted once as"
                    " ~p", [What, M, Mine, {Pid, M, RanIn, Arg, Extra}])
      end, Want),
    Unwanted = Got -- Want,
    check(Unwanted =:= [], "~s: unexpected code_change/3 calls: ~p", [What, Unwanted]),
    io:format("otp_check: ~s: code_change/3 ran once per process of ~p, each in version ~p~n",
              [What, [M || {_, M, _, _, _} <- Want], [R || {_, _, R, _, _} <- Want]]).

%% After a script: every process is alive with the same pid.
processes_after(What, Pids) ->
    lists:foreach(fun({M, Pid}) ->
                          check(whereis(M) =:= Pid, "~s: process ~p died or restarted",
                                [What, M])
                  end, Pids).

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
