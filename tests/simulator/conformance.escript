#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% conformance.escript - runs every scenario twice, on this (real) Erlang VM
%% with release_handler_1:eval_script/5 and in 'hotplan simulate', and
%% compares who died at which instruction (and why), who was restarted in
%% which version, and what each eval_script returned.
%%
%% Usage: conformance.escript HOTPLAN WORKDIR SCENARIO...
%%
%% A scenario is a file of Erlang terms (see scenarios/README):
%%   {modules, [{M, N} | {M, N, deleted}]}.  M loaded in versions 1..N
%%   {sup, Name, #{parent => P, intensity => I, period => S}}.
%%   {proc, Name, #{module => M, vsn => V, next => local|qualified|blocked,
%%                  sys => Bool, sup => Sup, restart => R, modules => [M],
%%                  stack => [N], funs => [F]}}.
%%   {upgrade, [Instruction]}.            one per upgrade, in order
%%   {until, install | permanent}.
%% From it the driver generates, for the VM, one Erlang module per module
%% version (-vsn(V)), an application whose supervisors are the scenario's,
%% and the processes; for hotplan, a runtime JSON and the script files.
%% Both sides see the same script; on the VM a marker {apply, ...} after
%% each instruction records the position (and gives processes time for a
%% step, which is what the model's step between instructions is).
%%
%% What each eval_script returned is compared as a whole term: the
%% Unpurged list in order, error reasons included (only a stack trace,
%% which hotplan writes as '_', is not compared).
%%
%% Sys processes also report code_change and resume (their
%% system_code_change and system_continue callbacks), so suspension is
%% checked through its effects.
%%
%% Invariant: expected outcomes come only from the VM run in this same
%% invocation; nothing about the VM is hard-coded here.
-mode(compile).

main([Hotplan, Work0 | Files]) ->
    %% The release handler resolves library folders against its own current
    %% directory: a relative WORKDIR would make every load fail.
    Work = filename:absname(Work0),
    %% Supervisor and crash reports are what the scenarios provoke; the
    %% comparison, not the log, says whether a scenario passed.
    logger:set_primary_config(level, critical),
    ok = filelib:ensure_dir(filename:join(Work, "x")),
    compile_marker(Work),
    Self = self(),
    T0 = erlang:monotonic_time(millisecond),
    Idx = lists:zip(lists:seq(1, length(Files)), Files),
    %% Scenarios are independent (own modules, application, tracker) and run
    %% concurrently, a few at a time so that timing stays far from the
    %% settle delays of the markers even on a loaded machine.
    Results = lists:append([begin
                                [spawn(fun() -> Self ! {done, N, catch run(N, F, Hotplan, Work)} end)
                                 || {N, F} <- Batch],
                                [receive {done, N, R} -> {F, R} end || {N, F} <- Batch]
                            end || Batch <- batches(Idx, 8)]),
    Fails = [X || {_, R} = X <- Results, R =/= pass, R =/= pass_alternative, R =/= pass_mixed],
    [io:format("FAIL ~s:~n  ~p~n", [F, R]) || {F, R} <- Fails],
    [io:format("matched the race alternative: ~s~n", [F]) || {F, pass_alternative} <- Results],
    [io:format("matched a mix of the race's two outcomes: ~s~n", [F]) || {F, pass_mixed} <- Results],
    T1 = erlang:monotonic_time(millisecond),
    io:format("conformance: ~b scenarios, ~b passed, ~b failed (~b ms)~n",
              [length(Results), length(Results) - length(Fails), length(Fails), T1 - T0]),
    halt(case Fails of [] -> 0; _ -> 1 end);
main(_) ->
    io:format(standard_error, "usage: conformance.escript HOTPLAN WORKDIR SCENARIO...~n", []),
    halt(2).

batches([], _) -> [];
batches(L, N) when length(L) =< N -> [L];
batches(L, N) -> {A, B} = lists:split(N, L), [A | batches(B, N)].

%% ---- one scenario ---------------------------------------------------------

run(N, File, Hotplan, Work) ->
    {ok, Terms} = file:consult(File),
    P = "s" ++ integer_to_list(N),
    Dir = filename:join(Work, P),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    Sc = scenario(Terms),
    Vm = run_vm(P, Dir, Sc),
    Model = run_model(P, Dir, Sc, Hotplan),
    compare(Vm, Model).

scenario(Terms) ->
    #{modules => proplists:get_value(modules, Terms, []),
      sups => [{Name, Opts} || {sup, Name, Opts} <- Terms],
      procs => [{Name, Opts} || {proc, Name, Opts} <- Terms],
      upgrades => [S || {upgrade, S} <- Terms],
      until => proplists:get_value(until, Terms, install)}.

vmname(P, M) -> list_to_atom(P ++ "_" ++ atom_to_list(M)).

logical(P, A) when is_atom(A) ->
    S = atom_to_list(A),
    case lists:prefix(P ++ "_", S) of
        true -> list_to_atom(lists:nthtail(length(P) + 1, S));
        false -> A
    end.

%% Every module name a scenario uses (including those only loaded later).
all_modules(Sc) ->
    Init = [element(1, M) || M <- maps:get(modules, Sc)],
    Later = lists:append([mods_of(I) || S <- maps:get(upgrades, Sc), I <- S]),
    lists:usort(Init ++ Later).

mods_of({load_object_code, {_, _, Ms}}) -> Ms;
mods_of({load, {M, _, _}}) -> [M];
mods_of({remove, {M, _, _}}) -> [M];
mods_of(_) -> [].

%% ---- the VM side ------------------------------------------------------------

run_vm(P, Dir, Sc) ->
    Tracker = spawn(fun() -> tracker(setup, #{}, []) end),
    App = vmname(P, app),
    SupMod = vmname(P, sup),
    load_bin(SupMod, sup_source(SupMod)),
    Mods = maps:get(modules, Sc),
    Max = lists:max([0 | [element(2, M) || M <- Mods]]),
    Sups = maps:get(sups, Sc),
    Procs = maps:get(procs, Sc),
    [Top | _] = [S || {S, O} <- Sups, not maps:is_key(parent, O)] ++ [none],
    %% Versions 1..Max, starting each process when its version is current.
    Vsns = lists:foldl(
             fun(V, Acc) ->
                     [load_bin(vmname(P, M), mod_source(vmname(P, M), V))
                      || {M, N} <- [{element(1, X), element(2, X)} || X <- Mods], V =< N],
                     case V of
                         1 when Top =/= none -> start_app(P, App, SupMod, Top, Sups, Tracker);
                         _ -> ok
                     end,
                     [start_proc(P, SupMod, Name, O, Tracker, Sups)
                      || {Name, O} <- Procs, maps:get(vsn, O, cur_vsn(O, Mods)) =:= V],
                     Acc#{V => true}
             end, #{}, lists:seq(1, Max)),
    _ = Vsns,
    [code:delete(vmname(P, M)) || {M, _, deleted} <- Mods],
    %% One step so that qualified loops reach the current version.
    Tracker ! poke,
    timer:sleep(60),
    Ups = maps:get(upgrades, Sc),
    Until = maps:get(until, Sc),
    Next0 = maps:from_list([{element(1, M), element(2, M)} || M <- Mods]),
    {Results, _} = lists:foldl(
                     fun({_, _}, {Acc, {Next, Stored, true}}) ->
                             {[not_run | Acc], {Next, Stored, true}};
                        ({K, Script}, {Acc, {Next, Stored, false}}) ->
                             vm_upgrade(P, Dir, K, Script, Acc, Next, Stored, Tracker, App, Until)
                     end, {[], {Next0, [], false}},
                     lists:zip(lists:seq(0, length(Ups) - 1), Ups)),
    timer:sleep(60),
    Tracker ! {get, self()},
    Events = receive {events, E} -> E end,
    stop_all(P, App, Tracker),
    #{events => lists:sort([{K, I, N, W, D} || {{K, I}, N, W, D} <- Events, K =/= setup]),
      results => [norm_vm_result(P, R) || R <- lists:reverse(Results)]}.

vm_upgrade(P, Dir, K, Script, Acc, Next, Stored, Tracker, App, Until) ->
    %% New module versions: one past the highest seen, as the model does.
    Loads = lists:usort(lists:append([Ms || {load_object_code, {_, _, Ms}} <- Script])),
    {Next1, NewV} = lists:foldl(fun(M, {Nx, NV}) ->
                                        V = maps:get(M, Nx, 0) + 1,
                                        {Nx#{M => V}, NV#{M => V}}
                                end, {Next, #{}}, Loads),
    Lib = filename:join(Dir, "up" ++ integer_to_list(K)),
    Ebin = filename:join(Lib, "ebin"),
    ok = filelib:ensure_dir(filename:join(Ebin, "x")),
    [begin
         {ok, _, Bin} = compile_src(mod_source(vmname(P, M), V)),
         ok = file:write_file(filename:join(Ebin, atom_to_list(vmname(P, M)) ++ ".beam"), Bin)
     end || {M, V} <- maps:to_list(NewV)],
    AppVsn = case [V || {load_object_code, {_, V, _}} <- Script] of [V0 | _] -> V0; [] -> "0" end,
    VmScript = lists:append([[vm_instr(P, I), {apply, {hpc_mark, mark, [Tracker, K, J]}}]
                             || {J, I} <- lists:zip(lists:seq(0, length(Script) - 1), Script)]),
    Tracker ! {pos, K, 0},
    Eval = fun() -> release_handler_1:eval_script(VmScript, [], [{App, AppVsn, Lib}], [],
                                                  [{suspend_timeout, 200}])
           end,
    %% suspend and stop walk every running application: not while another
    %% scenario starts or stops its own (see apps_locked/1).
    R = case [I || I <- Script, element(1, I) =:= suspend orelse element(1, I) =:= stop] of
            [] -> Eval();
            _ -> apps_locked(Eval)
        end,
    timer:sleep(60),
    Stored1 = case R of
                  {ok, []} -> Stored;
                  {ok, U} -> U;
                  _ -> Stored
              end,
    Stored2 = case {R, Until} of
                  {{ok, _}, permanent} ->
                      Tracker ! {pos, K, length(Script)},
                      [code:purge(M) || {M, brutal_purge} <- Stored1],
                      Tracker ! poke,
                      timer:sleep(60),
                      [X || {_, soft_purge} = X <- Stored1];
                  _ -> Stored1
              end,
    Stop = case R of {'EXIT', _} -> true; _ -> false end,
    %% A script refused or failed before point_of_no_return loaded nothing:
    %% its versions were never seen, and the model numbers the next load
    %% from the versions loaded.
    Next2 = case R of {error, _} -> Next; _ -> Next1 end,
    {[R | Acc], {Next2, Stored2, Stop}}.

%% What eval_script returned, whole: the Unpurged list in the VM's order,
%% error reasons included; only the scenario's module names are made
%% logical again (s3_m -> m).
norm_vm_result(_, not_run) -> not_run;
norm_vm_result(P, R) -> logical_term(P, R).

logical_term(P, A) when is_atom(A) -> logical(P, A);
logical_term(P, T) when is_tuple(T) -> list_to_tuple(logical_term(P, tuple_to_list(T)));
logical_term(P, [H | T]) -> [logical_term(P, H) | logical_term(P, T)];
logical_term(_, X) -> X.

vm_instr(P, {load_object_code, {_App, V, Ms}}) ->
    {load_object_code, {vmname(P, app), V, [vmname(P, M) || M <- Ms]}};
vm_instr(P, {load, {M, A, B}}) -> {load, {vmname(P, M), A, B}};
vm_instr(P, {remove, {M, A, B}}) -> {remove, {vmname(P, M), A, B}};
vm_instr(P, {code_change, Ms}) -> {code_change, [{vmname(P, M), E} || {M, E} <- Ms]};
vm_instr(P, {code_change, Mode, Ms}) -> {code_change, Mode, [{vmname(P, M), E} || {M, E} <- Ms]};
vm_instr(P, {suspend, Ms}) ->
    {suspend, [case M of {X, T} -> {vmname(P, X), T}; X -> vmname(P, X) end || M <- Ms]};
vm_instr(P, {Op, Ms}) when Op =:= purge; Op =:= resume; Op =:= stop; Op =:= start ->
    {Op, [vmname(P, M) || M <- Ms]};
vm_instr(_, {apply, {erlang, F, A}}) -> {apply, {erlang, F, A}};
vm_instr(P, {apply, {M, F, A}}) -> {apply, {vmname(P, M), F, A}};
vm_instr(_, I) -> I.

cur_vsn(O, Mods) ->
    M = maps:get(module, O),
    case lists:keyfind(M, 1, Mods) of
        false -> 1;
        T -> element(2, T)
    end.

proc_cfg(P, Name, O, Tracker) ->
    #{name => Name, tracker => Tracker,
      next => maps:get(next, O, local),
      sys => maps:get(sys, O, false),
      stack => [vmname(P, N) || N <- maps:get(stack, O, [])],
      funs => [vmname(P, F) || F <- maps:get(funs, O, [])]}.

start_proc(P, SupMod, Name, O, Tracker, Sups) ->
    M = vmname(P, maps:get(module, O)),
    Cfg = proc_cfg(P, Name, O, Tracker),
    {ok, Pid} =
        case maps:get(sup, O, none) of
            none ->
                M:start(Name, Cfg);
            Sup ->
                Spec = #{id => Name, start => {M, start_link, [Name, Cfg]},
                         restart => maps:get(restart, O, permanent), shutdown => 1000,
                         type => worker,
                         modules => [vmname(P, X) || X <- maps:get(modules, O, [maps:get(module, O)])]},
                add_child(SupMod, Sup, Spec, Sups)
        end,
    entered(Pid, Tracker, 5000).

%% Setup only: waits (up to N ms) until the process started with spawn/3
%% has run its module's init and told the tracker, so that the setup's next
%% load or code:delete finds it in the version it was started in. Without
%% this a loaded machine could let code:delete come first: the new process
%% then calls a module with no current code and dies of undef, and the VM
%% shows no process where the scenario has one.
entered(_, _, 0) -> ok;
entered(Pid, Tracker, N) ->
    Tracker ! {pids, self()},
    Ws = receive {pids, W, _} -> W end,
    case lists:member(Pid, Ws) orelse not is_process_alive(Pid) of
        true -> ok;
        false -> timer:sleep(1), entered(Pid, Tracker, N - 1)
    end.

add_child(SupMod, Sup, Spec, _Sups) ->
    Key = {hpc, SupMod, Sup},
    {Flags, Children} = persistent_term:get(Key),
    persistent_term:put(Key, {Flags, Children ++ [Spec]}),
    {ok, _} = supervisor:start_child(reg(SupMod, Sup), Spec).

reg(SupMod, Sup) -> list_to_atom(atom_to_list(SupMod) ++ "_" ++ atom_to_list(Sup)).

start_app(P, App, SupMod, Top, Sups, Tracker) ->
    [persistent_term:put({hpc, SupMod, S},
                         {#{strategy => one_for_one,
                            intensity => maps:get(intensity, O, 1),
                            period => maps:get(period, O, 5)}, []})
     || {S, O} <- Sups],
    persistent_term:put({hpc, SupMod, tracker}, Tracker),
    ok = application:load({application, App,
                           [{description, "hotplan conformance " ++ P}, {vsn, "1"},
                            {modules, []}, {registered, []},
                            {applications, [kernel, stdlib]},
                            {mod, {SupMod, Top}}]}),
    ok = apps_locked(fun() -> application:start(App, temporary) end),
    %% Sub-supervisors, parents first (the scenario lists them in that order).
    [add_child(SupMod, maps:get(parent, O),
               #{id => S, start => {SupMod, start_link, [S]}, restart => permanent,
                 shutdown => infinity, type => supervisor, modules => [SupMod]}, Sups)
     || {S, O} <- Sups, maps:is_key(parent, O)],
    ok.

stop_all(P, App, Tracker) ->
    apps_locked(fun() -> application:stop(App), application:unload(App) end),
    exit(Tracker, kill),
    _ = P,
    ok.

%% Scenarios run concurrently on this node. release_handler_1 finds the
%% processes to suspend or stop by walking every running application; an
%% application starting or stopping meanwhile (another scenario's) made
%% that walk crash ({badmatch, ok} in get_master_procs). Such evaluations
%% and application starts and stops therefore take one lock.
apps_locked(Fun) ->
    global:trans({hpc_apps, self()}, Fun, [node()], infinity).

%% The tracker records starts and deaths with the position in the script.
tracker(Pos, Mons, Ev) ->
    receive
        {pos, K, I} -> tracker({K, I}, Mons, Ev);
        {started, Name, Pid, Vsn} ->
            Ref = erlang:monitor(process, Pid),
            Kind = case Vsn of sup -> sup; _ -> worker end,
            tracker(Pos, Mons#{Ref => {Pid, Kind, Name}}, [{pos_key(Pos), Name, started, Vsn} | Ev]);
        {'DOWN', Ref, process, _, Reason} ->
            {_, _, Name} = maps:get(Ref, Mons),
            tracker(Pos, maps:remove(Ref, Mons), [{pos_key(Pos), Name, died, reason(Reason)} | Ev]);
        {sync, From} -> From ! synced, tracker(Pos, Mons, Ev);
        {What, Name} when What =:= resumed; What =:= code_change ->
            tracker(Pos, Mons, [{pos_key(Pos), Name, What, none} | Ev]);
        {pids, From} ->
            Vs = maps:values(Mons),
            From ! {pids, [Pid || {Pid, worker, _} <- Vs], [Pid || {Pid, sup, _} <- Vs]},
            tracker(Pos, Mons, Ev);
        poke ->
            %% One step for every live worker (supervisors are not poked).
            [Pid ! step || {Pid, worker, _} <- maps:values(Mons)],
            tracker(Pos, Mons, Ev);
        {get, From} -> From ! {events, Ev}, tracker(Pos, Mons, Ev)
    end.

pos_key(setup) -> {setup, 0};
pos_key(P) -> P.

reason(killed) -> killed;
reason(shutdown) -> shutdown;
reason({shutdown, _}) -> shutdown;
reason({badfun, _}) -> badfun;
reason({{badfun, _}, _}) -> badfun;
reason({undef, _}) -> undef;
reason(normal) -> normal;
reason(noproc) -> noproc;
reason(Other) -> {other, Other}.

%% ---- generated code ---------------------------------------------------------

mod_source(Mod, V) ->
    M = atom_to_list(Mod),
    Vs = integer_to_list(V),
    "-module(" ++ M ++ ").\n"
    "-vsn(" ++ Vs ++ ").\n"
    "-export([start_link/2, start/2, init/3, loop/2, wait/2, mkfun/0,\n"
    "         system_continue/3, system_terminate/4, system_code_change/4]).\n"
    "start_link(Name, Cfg) ->\n"
    "    case maps:get(sys, Cfg) of\n"
    "        true -> proc_lib:start_link(?MODULE, init, [self(), Name, Cfg]);\n"
    "        false -> {ok, spawn_link(?MODULE, init, [self(), Name, Cfg])}\n"
    "    end.\n"
    "start(Name, Cfg) -> {ok, spawn(?MODULE, init, [none, Name, Cfg])}.\n"
    "init(Parent, Name, Cfg) ->\n"
    "    maps:get(tracker, Cfg) ! {started, Name, self(), " ++ Vs ++ "},\n"
    "    Funs = [F:mkfun() || F <- maps:get(funs, Cfg)],\n"
    "    St = {Name, Cfg, Funs},\n"
    "    case {maps:get(sys, Cfg), Parent} of {true, P} when is_pid(P) -> proc_lib:init_ack({ok, self()}); _ -> ok end,\n"
    "    case maps:get(stack, Cfg) of\n"
    "        [] -> loop(Parent, St);\n"
    "        [N] -> R = N:wait(Parent, St), done(R)\n"
    "    end.\n"
    "done(R) -> R.\n"
    "call(Funs) -> [F() || F <- Funs], ok.\n"
    "loop(Parent, {_, Cfg, Funs} = St) ->\n"
    "    Sys = maps:get(sys, Cfg),\n"
    "    case maps:get(next, Cfg) of\n"
    "        blocked ->\n"
    "            receive {system, From, Req} when Sys -> sys:handle_system_msg(Req, From, Parent, ?MODULE, [], St);\n"
    "                    stop -> ok end;\n"
    "        local ->\n"
    "            receive {system, From, Req} when Sys -> sys:handle_system_msg(Req, From, Parent, ?MODULE, [], St);\n"
    "                    step -> call(Funs), loop(Parent, St);\n"
    "                    stop -> ok end;\n"
    "        qualified ->\n"
    "            receive {system, From, Req} when Sys -> sys:handle_system_msg(Req, From, Parent, ?MODULE, [], St);\n"
    "                    step -> call(Funs), ?MODULE:loop(Parent, St);\n"
    "                    stop -> ok end\n"
    "    end.\n"
    "wait(Parent, {_, Cfg, Funs} = St) ->\n"
    "    case maps:get(next, Cfg) of\n"
    "        blocked -> receive stop -> ok end;\n"
    "        local -> receive stop -> ok; step -> call(Funs), wait(Parent, St) end;\n"
    "        qualified -> receive stop -> ok; step -> call(Funs), ?MODULE:wait(Parent, St) end\n"
    "    end.\n"
    "mkfun() -> fun() -> " ++ Vs ++ " end.\n"
    "system_continue(Parent, _Deb, {Name, Cfg, _} = St) ->\n"
    "    maps:get(tracker, Cfg) ! {resumed, Name}, loop(Parent, St).\n"
    "system_terminate(Reason, _Parent, _Deb, _St) -> exit(Reason).\n"
    "system_code_change({Name, Cfg, _} = St, _Mod, _Vsn, _Extra) ->\n"
    "    maps:get(tracker, Cfg) ! {code_change, Name}, {ok, St}.\n".

sup_source(Mod) ->
    M = atom_to_list(Mod),
    "-module(" ++ M ++ ").\n"
    "-export([start/2, stop/1, start_link/1, init/1]).\n"
    "start(_, Top) -> start_link(Top).\n"
    "stop(_) -> ok.\n"
    "start_link(Name) ->\n"
    "    supervisor:start_link({local, list_to_atom(\"" ++ M ++ "_\" ++ atom_to_list(Name))}, ?MODULE, Name).\n"
    "init(Name) ->\n"
    "    {Flags, Children} = persistent_term:get({hpc, ?MODULE, Name}),\n"
    "    persistent_term:get({hpc, ?MODULE, tracker}) ! {started, Name, self(), sup},\n"
    "    {ok, {Flags, Children}}.\n".

compile_marker(Work) ->
    load_bin(hpc_mark,
             "-module(hpc_mark).\n-export([mark/3]).\n"
             "mark(Tracker, K, I) -> Tracker ! poke, settle(Tracker), Tracker ! {pos, K, I + 1},\n"
             "    Tracker ! {sync, self()}, receive synced -> ok end.\n"
             "settle(Tracker) ->\n"
             "    Tracker ! {pids, self()},\n"
             "    {Workers, Sups} = receive {pids, W, S} -> {W, S} end,\n"
             "    wait_steps(Workers, 200),\n"
             "    [catch supervisor:which_children(S) || S <- Sups],\n"
             "    timer:sleep(40).\n"
             "%% A worker has taken its step when no step is queued and it is back\n"
             "%% in its own code (or in sys, suspended: its step waits for the\n"
             "%% resume), not e.g. in the error\n"
             "%% handler trying to load a removed module. A worker waiting in its\n"
             "%% own code with a step queued does not accept steps: it is blocked.\n"
             "wait_steps(_, 0) -> ok;\n"
             "wait_steps(Ws, N) ->\n"
             "    Busy = [W || W <- Ws, busy(W)],\n"
             "    case Busy of [] -> ok; _ -> timer:sleep(5), wait_steps(Busy, N - 1) end.\n"
             "busy(W) ->\n"
             "    case erlang:process_info(W, [messages, current_function, status]) of\n"
             "        [{messages, Ms}, {current_function, {M, _, _}}, {status, St}] ->\n"
             "            not (idle_in(M) andalso\n"
             "                 (M =:= sys orelse St =:= waiting orelse not lists:member(step, Ms)));\n"
             "        _ -> false\n"
             "    end.\n"
             "idle_in(sys) -> true;\n"
             "idle_in(M) -> re:run(atom_to_list(M), \"^s[0-9]+_\") =/= nomatch.\n"),
    _ = Work,
    ok.

compile_src(Src0) ->
    %% No preprocessor here: ?MODULE is the name in the -module line.
    {match, [Mod]} = re:run(Src0, "^-module\\(([a-z0-9_]+)\\)", [{capture, all_but_first, list}]),
    Src = re:replace(Src0, "\\?MODULE", Mod, [global, {return, list}]),
    {ok, Toks, _} = erl_scan:string(Src),
    Forms = split_forms(Toks, [], []),
    compile:forms(Forms, [binary, return_errors, nowarn_unused_function]).

split_forms([], [], Acc) -> lists:reverse(Acc);
split_forms([{dot, _} = D | T], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split_forms(T, [], [F | Acc]);
split_forms([Tok | T], Cur, Acc) -> split_forms(T, [Tok | Cur], Acc).

load_bin(Mod, Src) ->
    {ok, Mod, Bin} = compile_src(Src),
    {module, Mod} = code:load_binary(Mod, atom_to_list(Mod) ++ ".beam", Bin),
    ok.

%% ---- the hotplan side ---------------------------------------------------------

run_model(P, Dir, Sc, Hotplan) ->
    Rt = filename:join(Dir, "runtime.json"),
    ok = file:write_file(Rt, runtime_json(Sc)),
    Scripts = [begin
                   F = filename:join(Dir, "up" ++ integer_to_list(K) ++ ".script"),
                   ok = file:write_file(F, [io_lib:format("~p.~n", [I]) || I <- S]),
                   F
               end || {K, S} <- lists:zip(lists:seq(0, length(maps:get(upgrades, Sc)) - 1),
                                         maps:get(upgrades, Sc))],
    Out = filename:join(Dir, "outcome.json"),
    Cmd = Hotplan ++ " simulate " ++ lists:join(" ", Scripts) ++ " --runtime " ++ Rt
        ++ " --format json -o " ++ Out ++ " --until " ++ atom_to_list(maps:get(until, Sc))
        ++ "; echo \"exit=$?\"",
    Res = os:cmd(Cmd),
    case file:read_file(Out) of
        {ok, J} ->
            file:delete(Out),
            {Json, _} = json(skip_ws(J)),
            #{primary => model_view(Json),
              alternative => case maps:get(<<"alternative">>, Json) of
                                 null -> none;
                                 A -> model_view(A)
                             end};
        _ -> {hotplan_failed, P, Res}
    end.

model_view(J) ->
    Es = maps:get(<<"events">>, J),
    Ev = lists:append([model_event(E) || E <- Es]),
    %% The same events where a restart that raced with a load may be in
    %% either of its two versions.
    Either = lists:append([case maps:get(<<"alt_version">>, E, null) of
                               null -> model_event(E);
                               A -> [{K, I, N, started, {either, [V, A]}}
                                     || {K, I, N, started, V} <- model_event(E)]
                           end || E <- Es]),
    #{events => lists:sort(Ev),
      either => lists:sort(Either),
      results => [model_result(U) || U <- maps:get(<<"upgrades">>, J)]}.

atom(B) -> binary_to_atom(B, utf8).

model_event(E) ->
    K = maps:get(<<"upgrade">>, E),
    I = maps:get(<<"instr">>, E),
    Name = fun() -> atom(maps:get(<<"name">>, E)) end,
    Sup = fun() -> atom(maps:get(<<"supervisor">>, E)) end,
    case maps:get(<<"event">>, E) of
        <<"killed">> -> [{K, I, Name(), died, atom(maps:get(<<"reason">>, E))}];
        <<"stopped">> -> [{K, I, Name(), died, shutdown}];
        <<"restarted">> -> [{K, I, Name(), started, maps:get(<<"version">>, E)}];
        <<"started">> -> [{K, I, Name(), started, maps:get(<<"version">>, E)}];
        <<"supervisor_down">> -> [{K, I, Sup(), died, shutdown}];
        <<"supervisor_restarted">> -> [{K, I, Sup(), started, sup}];
        <<"resumed">> -> [{K, I, Name(), resumed, none}];
        <<"code_change">> -> [{K, I, Name(), code_change, none}];
        _ -> []
    end.

%% The term hotplan says eval_script returns ("returned", Erlang text),
%% parsed; a result without one (not_run, node_down, hang) is its name.
model_result(U) ->
    case maps:get(<<"returned">>, U) of
        null -> atom(maps:get(<<"result">>, U));
        Text ->
            {ok, Toks, _} = erl_scan:string(binary_to_list(Text) ++ "."),
            {ok, T} = erl_parse:parse_term(Toks),
            T
    end.

%% hotplan writes '_' where the VM's value cannot be predicted: the stack
%% trace of an error:R (a list). The VM's results are masked there, and
%% only there, before the exact comparison.
mask_results(VmRs, ModelRs) when length(VmRs) =:= length(ModelRs) ->
    lists:zipwith(fun mask/2, VmRs, ModelRs);
mask_results(VmRs, _) -> VmRs.

mask(V, '_') when is_list(V) -> '_';
mask(V, M) when is_tuple(V), is_tuple(M), tuple_size(V) =:= tuple_size(M) ->
    list_to_tuple(mask(tuple_to_list(V), tuple_to_list(M)));
mask([V | Vs], [M | Ms]) -> [mask(V, M) | mask(Vs, Ms)];
mask(V, _) -> V.

masked(Vm, none) -> Vm;
masked(Vm, Model) -> Vm#{results := mask_results(maps:get(results, Vm), maps:get(results, Model))}.

compare(Vm0, #{primary := Pm, alternative := Alt}) ->
    Vm = masked(Vm0#{events := noproc(maps:get(events, Vm0), maps:get(events, Pm))}, Pm),
    VmA = case Alt of
              none -> none;
              _ -> masked(Vm0#{events := noproc(maps:get(events, Vm0), maps:get(events, Alt))}, Alt)
          end,
    Strict = maps:remove(either, Pm),
    StrictAlt = case Alt of none -> none; _ -> maps:remove(either, Alt) end,
    Results = [maps:get(results, X) || X <- [Pm, Alt], X =/= none],
    if
        Vm =:= Strict -> pass;
        StrictAlt =/= none andalso VmA =:= StrictAlt -> pass_alternative;
        %% Several restarts raced with one load and went different ways:
        %% each must be in one of its two versions, and what eval_script
        %% returned one of the two predictions.
        StrictAlt =/= none ->
            case either_match(maps:get(events, Vm), maps:get(either, Pm)) andalso
                lists:any(fun(R) -> mask_results(maps:get(results, Vm0), R) =:= R end, Results) of
                true -> pass_mixed;
                false -> {mismatch, #{vm => Vm, hotplan => Strict, alternative => StrictAlt}}
            end;
        true -> {mismatch, #{vm => Vm, hotplan => Strict, alternative => StrictAlt}}
    end;
compare(_, Other) -> Other.

%% Every VM event matches one model event (a raced restart matches either
%% of its versions), and none is left over.
either_match([], []) -> true;
either_match([], _) -> false;
either_match([E | Es], Model) ->
    case take(E, Model, []) of
        {ok, Rest} -> either_match(Es, Rest);
        error -> false
    end.

take(_, [], _) -> error;
take(E, [E | T], Acc) -> {ok, lists:reverse(Acc, T)};
take({K, I, N, started, V} = E, [{K, I, N, started, {either, Vs}} = M | T], Acc) ->
    case lists:member(V, Vs) of
        true -> {ok, lists:reverse(Acc, T)};
        false -> take(E, T, [M | Acc])
    end;
take(E, [M | T], Acc) -> take(E, T, [M | Acc]).

%% A process that died before the tracker could monitor it gives 'noproc':
%% the VM saw the death at that position but not its reason. Take the
%% reason of the model's death of that process at that position, if any
%% (if there is none the comparison still fails).
noproc(VmEv, ModelEv) ->
    lists:sort([case E of
                    {K, I, N, died, noproc} ->
                        Known = [R || {K2, I2, N2, died, R} <- VmEv, {K2, I2, N2} =:= {K, I, N}],
                        case [R || {K2, I2, N2, died, R} <- ModelEv, {K2, I2, N2} =:= {K, I, N}] -- Known of
                            [R | _] -> {K, I, N, died, R};
                            [] -> E
                        end;
                    _ -> E
                end || E <- VmEv]).

%% Runtime JSON for hotplan, written from the same scenario.
runtime_json(Sc) ->
    Mods = maps:get(modules, Sc),
    Cur = fun(M) ->
                  case lists:keyfind(M, 1, Mods) of
                      {M, N} -> N;
                      {M, _, deleted} -> null;
                      false -> null
                  end
          end,
    Old = fun(M) ->
                  case lists:keyfind(M, 1, Mods) of
                      {M, N} when N >= 2 -> N - 1;
                      {M, N, deleted} -> N;
                      _ -> null
                  end
          end,
    Top = fun(M) -> case lists:keyfind(M, 1, Mods) of false -> 0; T -> element(2, T) end end,
    ModsJ = [io_lib:format("{\"name\": \"~s\", \"current\": ~s, \"old\": ~s}",
                           [M, jv(Cur(M)), jv(Old(M))]) || M <- all_modules(Sc), lists:keymember(M, 1, Mods)],
    SupsJ = [io_lib:format("{\"name\": \"~s\", \"parent\": ~s, \"intensity\": ~b, \"period\": ~b, \"type\": \"temporary\"}",
                           [S, case maps:get(parent, O, null) of null -> "null"; Pa -> "\"" ++ atom_to_list(Pa) ++ "\"" end,
                            maps:get(intensity, O, 1), maps:get(period, O, 5)])
             || {S, O} <- maps:get(sups, Sc)],
    ProcsJ = [proc_json(Name, O, Top) || {Name, O} <- maps:get(procs, Sc)],
    ["{\"format\": \"hotplan-runtime\", \"version\": 1,\n",
     "\"options\": {\"suspend_timeout\": 200},\n",
     "\"modules\": [", lists:join(",\n", ModsJ), "],\n",
     "\"supervisors\": [", lists:join(",\n", SupsJ), "],\n",
     "\"processes\": [", lists:join(",\n", ProcsJ), "]}\n"].

jv(null) -> "null";
jv(N) -> integer_to_list(N).

%% Frames as the VM has them once the setup settled: a qualified loop is in
%% the current version of its loop module; others where they started (the
%% version current when versions 1..V had been loaded); funs are made at
%% start. A process with a stack waits in N:wait/2, which answers no
%% system message: whatever its sys, it does not answer suspend.
proc_json(Name, O, Top) ->
    M = maps:get(module, O),
    V = maps:get(vsn, O, Top(M)),
    Next = maps:get(next, O, local),
    Frames = case maps:get(stack, O, []) of
                 [] ->
                     [{M, case Next of qualified -> Top(M); _ -> V end}];
                 [N] ->
                     [{N, case Next of qualified -> Top(N); _ -> min(V, Top(N)) end}, {M, V}]
             end,
    FJ = fun(L) -> lists:join(", ", [io_lib:format("{\"module\": \"~s\", \"version\": ~b}", [X, Y]) || {X, Y} <- L]) end,
    Funs = [{F, min(V, Top(F))} || F <- maps:get(funs, O, [])],
    Sup = case maps:get(sup, O, none) of
              none -> "";
              S -> io_lib:format(", \"supervisor\": \"~s\", \"restart\": \"~s\", \"modules\": [~s]",
                                 [S, maps:get(restart, O, permanent),
                                  lists:join(", ", ["\"" ++ atom_to_list(X) ++ "\"" || X <- maps:get(modules, O, [M])])])
          end,
    io_lib:format("{\"pid\": \"~s\", \"name\": \"~s\", \"frames\": [~s], \"next_call\": \"~s\", \"sys\": ~s, \"funs\": [~s]~s}",
                  [Name, Name, FJ(Frames), Next,
                   maps:get(sys, O, false) andalso maps:get(stack, O, []) =:= [], FJ(Funs), Sup]).

%% ---- a small JSON reader (OTP 25 has none) ------------------------------------

skip_ws(<<C, R/binary>>) when C =:= $\s; C =:= $\n; C =:= $\t; C =:= $\r -> skip_ws(R);
skip_ws(B) -> B.

json(<<${, R/binary>>) -> obj(skip_ws(R), #{});
json(<<$[, R/binary>>) -> arr(skip_ws(R), []);
json(<<$", R/binary>>) -> str(R, <<>>);
json(<<"true", R/binary>>) -> {true, R};
json(<<"false", R/binary>>) -> {false, R};
json(<<"null", R/binary>>) -> {null, R};
json(B) -> num(B, []).

obj(<<$}, R/binary>>, M) -> {M, R};
obj(<<$,, R/binary>>, M) -> obj(skip_ws(R), M);
obj(<<$", R/binary>>, M) ->
    {K, R1} = str(R, <<>>),
    <<$:, R2/binary>> = skip_ws(R1),
    {V, R3} = json(skip_ws(R2)),
    obj(skip_ws(R3), M#{K => V}).

arr(<<$], R/binary>>, L) -> {lists:reverse(L), R};
arr(<<$,, R/binary>>, L) -> arr(skip_ws(R), L);
arr(B, L) -> {V, R} = json(B), arr(skip_ws(R), [V | L]).

str(<<$", R/binary>>, Acc) -> {Acc, R};
str(<<$\\, C, R/binary>>, Acc) ->
    case C of
        $n -> str(R, <<Acc/binary, $\n>>);
        $t -> str(R, <<Acc/binary, $\t>>);
        $u -> <<H:4/binary, R1/binary>> = R, str(R1, <<Acc/binary, (binary_to_integer(H, 16))/utf8>>);
        _ -> str(R, <<Acc/binary, C>>)
    end;
str(<<C, R/binary>>, Acc) -> str(R, <<Acc/binary, C>>).

num(<<C, R/binary>>, Acc) when (C >= $0 andalso C =< $9) orelse C =:= $- -> num(R, [C | Acc]);
num(R, Acc) -> {list_to_integer(lists:reverse(Acc)), R}.
