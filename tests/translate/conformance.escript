#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% conformance.escript - gives the same inputs to OTP's real translator
%% (systools_rc:translate_scripts/4 of the installed sasl) and to
%% 'hotplan translate', and compares the results in one Erlang VM.
%%
%% usage: conformance.escript HOTPLAN WORKDIR DIR_OR_CASE...
%%
%% A case is a file in the input format of 'hotplan translate' (*.terms,
%% *.appup) that names its release with {apps, ...} (and {pre_apps, ...}
%% when it needs one). Without {mode, ...} it is compared in both modes.
%% For an appup term the first entry of the mode's side is used.
%%
%% Expected results are never stored: they come from OTP in this run.
%%  - OTP returns {ok, Script}: hotplan must exit 0 and its output, read
%%    back with file:consult/1, must be =:= Script; or, when it differs,
%%    equal modulo ties (SEMANTICS.md §2.6): hotplan's order of each
%%    dependency component must be a topological order of the same
%%    strongly connected components, and OTP, given the same input with
%%    dependencies added that pin exactly that order, must return =:= the
%%    output of hotplan.
%%  - OTP returns {error, systools_rc, Reason}: hotplan must exit 2, write
%%    nothing on stdout, and print the same Reason (=:=).
%% Exit status 0 only if every comparison passed and there was at least one.

main([Hotplan, Work | Cases]) ->
    ok = filelib:ensure_dir(filename:join(Work, "x")),
    Rec = app_record_layout(),
    Files = lists:append([case_files(C) || C <- Cases]),
    Results = lists:append([run_case(Hotplan, Work, Rec, F) || F <- Files]),
    Exact = length([ok || {_, _, exact} <- Results]),
    Ties = length([ok || {_, _, ties} <- Results]),
    Errs = length([ok || {_, _, {same_error, _}} <- Results]),
    Tags = lists:foldl(fun({_, _, {same_error, T}}, Acc) -> maps:update_with(T, fun(C) -> C + 1 end, 1, Acc);
                          (_, Acc) -> Acc
                       end, #{}, Results),
    Failed = [R || {_, _, {fail, _}} = R <- Results],
    [io:format("FAIL ~ts (~p): ~tp~n", [F, M, Why]) || {F, M, {fail, Why}} <- Failed],
    io:format("conformance: ~b files, ~b comparisons: ~b identical scripts, "
              "~b equal modulo ties, ~b same error reason, ~b failed~n",
              [length(Files), length(Results), Exact, Ties, Errs, length(Failed)]),
    io:format("error reasons compared: ~ts~n",
              [lists:join(", ", [io_lib:format("~p ~b", [T, C]) || {T, C} <- lists:sort(maps:to_list(Tags))])]),
    halt(case Failed =:= [] andalso Results =/= [] of true -> 0; false -> 1 end);
main(_) ->
    io:format(standard_error, "usage: conformance.escript HOTPLAN WORKDIR DIR_OR_CASE...~n", []),
    halt(2).

case_files(Path) ->
    case filelib:is_dir(Path) of
        true -> lists:sort(filelib:wildcard(filename:join(Path, "*.terms")) ++
                           filelib:wildcard(filename:join(Path, "*.appup")));
        false -> [Path]
    end.

%% The positions of name, type, vsn and modules in sasl's #application{},
%% read from systools_rc's own debug info so that the tuple has the arity
%% and layout that systools_rc was compiled with.
app_record_layout() ->
    {ok, {_, [{abstract_code, {_, Forms}}]}} =
        beam_lib:chunks(code:which(systools_rc), [abstract_code]),
    [Fields] = [Fs || {attribute, _, record, {application, Fs}} <- Forms],
    Names = [field_name(F) || F <- Fields],
    {length(Names) + 1,
     [{N, I + 1} || {N, I} <- lists:zip(Names, lists:seq(1, length(Names)))]}.

field_name({typed_record_field, F, _}) -> field_name(F);
field_name({record_field, _, {atom, _, N}}) -> N;
field_name({record_field, _, {atom, _, N}, _}) -> N.

app_rec({Size, Pos}, {Name, Vsn, Mods}) ->
    app_rec({Size, Pos}, {Name, Vsn, Mods, permanent});
app_rec({Size, Pos}, {Name, Vsn, Mods, Type}) ->
    T0 = erlang:make_tuple(Size, undefined, [{1, application}]),
    lists:foldl(fun({F, V}, T) -> setelement(proplists:get_value(F, Pos), T, V) end,
                T0, [{name, Name}, {vsn, Vsn}, {modules, Mods}, {type, Type}]).

%% ---- one case ----------------------------------------------------------

run_case(Hotplan, Work, Rec, File) ->
    {ok, Terms} = file:consult(File),
    Apps = case [As || {apps, As} <- Terms] of
               [As] -> [app_rec(Rec, A) || A <- As];
               _ -> error({case_needs_one_apps_term, File})
           end,
    Pre = [app_rec(Rec, A) || Ps <- [Ps || {pre_apps, Ps} <- Terms], A <- Ps],
    Modes = case [M || {mode, M} <- Terms] of
                [M] -> [{M, []}];
                [] -> [{up, ["--mode", "up"]}, {dn, ["--mode", "dn"]}]
            end,
    [{File, Mode, compare(Hotplan, Work, File, Mode, Args, scripts(Terms, Mode), Apps, Pre)}
     || {Mode, Args} <- Modes].

scripts(Terms, Mode) ->
    case [T || {V, _, _} = T <- Terms, is_list(V)] of
        [{_, Ups, Downs}] ->
            [{_, Is} | _] = case Mode of up -> Ups; dn -> Downs end,
            [Is];
        [] ->
            [case T of {script, S} -> S; S -> S end
             || T <- Terms, is_list(T) orelse element(1, T) =:= script]
    end.

otp(Mode, Scripts, Apps, Pre) ->
    try systools_rc:translate_scripts(Mode, Scripts, Apps, Pre)
    catch C:R -> {crash, C, R}
    end.

compare(Hotplan, Work, File, Mode, Args, Scripts, Apps, Pre) ->
    Expected = otp(Mode, Scripts, Apps, Pre),
    {Rc, Out, Err} = run_hotplan(Hotplan, Work, File, Args),
    case Expected of
        {ok, Script} when Rc =:= 0 ->
            case consult_string(Out) of
                {ok, Script} -> exact;
                {ok, Got} -> modulo_ties(Mode, Scripts, Apps, Pre, Script, Got);
                Bad -> {fail, {unreadable_output, Bad}}
            end;
        {ok, _} ->
            {fail, {hotplan_refused, Rc, Err}};
        {error, systools_rc, Reason} when Rc =:= 2, Out =:= <<>> ->
            case reason_line(Err) of
                {ok, Reason} -> {same_error, reason_tag(Reason)};
                Other -> {fail, {reason, {otp, Reason}, {hotplan, Other}}}
            end;
        {error, systools_rc, Reason} ->
            {fail, {otp_refused, Reason, {hotplan_exit, Rc, Out}}};
        {crash, _, _} = Crash ->
            {fail, {otp_crashed_case_is_unusable, Crash}}
    end.

reason_tag(R) when is_tuple(R) -> element(1, R);
reason_tag(R) -> R.

run_hotplan(Hotplan, Work, File, Args) ->
    Base = filename:join(Work, filename:basename(File)),
    OutF = Base ++ ".out", ErrF = Base ++ ".err",
    Cmd = lists:join(" ", [quote(Hotplan), "translate" | [quote(A) || A <- Args ++ [File]]]
                     ++ [">", quote(OutF), "2>", quote(ErrF), "; echo $?"]),
    Rc = list_to_integer(string:trim(os:cmd(lists:flatten(Cmd)))),
    {ok, Out} = file:read_file(OutF),
    {ok, Err} = file:read_file(ErrF),
    {Rc, Out, Err}.

quote(S) -> "'" ++ lists:flatten(string:replace(S, "'", "'\\''", all)) ++ "'".

consult_string(Bin) ->
    Tmp = lists:flatten(io_lib:format("/tmp/hotplan-conf-~p-~p", [os:getpid(), erlang:unique_integer([positive])])),
    ok = file:write_file(Tmp, Bin),
    R = file:consult(Tmp),
    ok = file:delete(Tmp),
    R.

reason_line(Err) ->
    Lines = string:split(unicode:characters_to_list(Err), "\n", all),
    case [L || "hotplan translate: reason: " ++ L <- Lines] of
        [Text] ->
            case erl_scan:string(Text ++ ".") of
                {ok, Toks, _} -> erl_parse:parse_term(Toks);
                E -> E
            end;
        _ -> {no_reason_line, Err}
    end.

%% ---- ties (SEMANTICS.md §2.6) -------------------------------------------

%% The module and dependency list of an instruction, in every form the
%% appup syntax allows, or none.
dep_info({load_module, M}) -> {M, []};
dep_info({load_module, M, D}) when is_list(D) -> {M, D};
dep_info({load_module, M, _, _, D}) -> {M, D};
dep_info({update, M}) -> {M, []};
dep_info({update, M, D}) when is_list(D) -> {M, D};
dep_info({update, M, _}) -> {M, []};
dep_info({update, M, _, D}) when is_list(D) -> {M, D};
dep_info(T) when element(1, T) =:= update, tuple_size(T) >= 6 -> {element(2, T), element(tuple_size(T), T)};
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

modulo_ties(Mode, Scripts, Apps, Pre, Otp, Got) ->
    Infos = [Info || S <- Scripts, I <- S, is_tuple(I), tuple_size(I) > 1,
                     Info <- [dep_info(I)], Info =/= none],
    G = digraph:new(),
    [digraph:add_vertex(G, M) || {M, _} <- Infos],
    [digraph:add_edge(G, M, D) || {M, Ds} <- Infos, D <- Ds],
    After = lists:dropwhile(fun(I) -> I =/= point_of_no_return end, Got),
    Pos = maps:from_list(lists:reverse(
            [{M, N} || {{Op, {M, _, _}}, N} <- lists:zip(After, lists:seq(1, length(After))),
                       Op =:= load orelse Op =:= remove])),
    Extra = maps:from_list(lists:append([pinned(C, Pos, Mode) || C <- digraph_utils:components(G)])),
    G2 = digraph:new(),
    [digraph:add_vertex(G2, M) || {M, _} <- Infos],
    [digraph:add_edge(G2, M, D) || {M, Ds} <- Infos, D <- Ds ++ maps:get(M, Extra, [])],
    SameSccs = lists:sort([lists:sort(C) || C <- digraph_utils:strong_components(G)]) =:=
               lists:sort([lists:sort(C) || C <- digraph_utils:strong_components(G2)]),
    Scripts2 = [[case is_tuple(I) andalso tuple_size(I) > 1 andalso dep_info(I) of
                     {M, _} -> augment(I, maps:get(M, Extra, []));
                     _ -> I
                 end || I <- S] || S <- Scripts],
    case {SameSccs, otp(Mode, Scripts2, Apps, Pre)} of
        {true, {ok, Got}} -> ties;
        {false, _} -> {fail, {not_a_topological_order_of_the_same_sccs, {otp, Otp}, {hotplan, Got}}};
        {true, Pinned} -> {fail, {differs, {otp, Otp}, {otp_pinned_to_hotplan_order, Pinned}, {hotplan, Got}}}
    end.

%% For one component: each module gets, as extra dependencies, every module
%% that hotplan put after it in the component's instruction order (loads are
%% emitted in reverse of that order for up, in that order for dn).
pinned(Comp, Pos, Mode) ->
    Known = [M || M <- Comp, maps:is_key(M, Pos)],
    Sorted = lists:sort(fun(A, B) ->
                                case Mode of
                                    up -> maps:get(A, Pos) >= maps:get(B, Pos);
                                    dn -> maps:get(A, Pos) =< maps:get(B, Pos)
                                end
                        end, Known),
    pin(Sorted).

pin([]) -> [];
pin([M | Rest]) -> [{M, Rest} | pin(Rest)].
