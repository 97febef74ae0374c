#!/usr/bin/env escript
%% mutate_plan.escript - rewrites one output of 'hotplan plan' (an Erlang
%% script, one term per line, or a relup) the way a wrong planner would
%% have written it, for tests/planner/mutant_run.sh:
%%
%%   escript mutate_plan.escript MUTATION up|down FILE
%%
%%   code_change_first   in upgrade scripts, each {code_change, up, _} moves
%%                       up to just after its group's suspend, i.e. before
%%                       the loads (code_change would run in the old code);
%%                       downgrade scripts are left alone
%%   swap:A:B            in every script, modules A and B trade places: their
%%                       load/remove instructions, and their positions in the
%%                       module lists of load_object_code, suspend, resume and
%%                       code_change
%%
%% FILE is a script of the given direction, or a relup (both directions).
%% Exits 1 when the mutation changes nothing, so that a mutant test cannot
%% pass on an unaltered plan.
-mode(compile).

main([Mutation, Dir, File]) ->
    {ok, Terms} = file:consult(File),
    Mut = mutation(Mutation),
    {New, Text} =
        case Terms of
            [{Vsn, Ups, Downs}] when is_list(Ups), is_list(Downs) ->
                Relup = {Vsn, [{V, D, Mut(up, S)} || {V, D, S} <- Ups],
                         [{V, D, Mut(down, S)} || {V, D, S} <- Downs]},
                {[Relup], io_lib:format("~tp.~n", [Relup])};
            _ when Dir =:= "down", Mutation =:= "code_change_first" ->
                halt(0);                        % not a target: left alone
            Script ->
                S2 = Mut(case Dir of "up" -> up; "down" -> down end, Script),
                {S2, [io_lib:format("~tp.~n", [I]) || I <- S2]}
        end,
    case New =:= Terms of
        true ->
            io:format(standard_error, "mutate_plan: ~s changes nothing in ~s~n",
                      [Mutation, File]),
            halt(1);
        false ->
            ok = file:write_file(File, Text)
    end;
main(_) ->
    io:format(standard_error, "usage: mutate_plan.escript MUTATION up|down FILE~n", []),
    halt(2).

mutation("code_change_first") ->
    fun(up, S) -> code_change_first(S, []);
       (down, S) -> S
    end;
mutation("swap:" ++ Pair) ->
    [A, B] = [list_to_atom(X) || X <- string:split(Pair, ":")],
    fun(_, S) -> swap(S, A, B) end.

%% Each code_change goes right after the last suspend before it (Acc is
%% the part already seen, reversed).
code_change_first([], Acc) -> lists:reverse(Acc);
code_change_first([{code_change, up, _} = C | Rest], Acc) ->
    case lists:splitwith(fun(I) -> not is_suspend(I) end, Acc) of
        {Loads, [Suspend | Before]} ->
            code_change_first(Rest, Loads ++ [C, Suspend | Before]);
        {_, []} ->
            code_change_first(Rest, [C | Acc])
    end;
code_change_first([I | Rest], Acc) -> code_change_first(Rest, [I | Acc]).

is_suspend({suspend, _}) -> true;
is_suspend(_) -> false.

swap(S, A, B) ->
    Step = fun({Op, {M, _, _}}) when Op =:= load; Op =:= remove -> M;
              (_) -> none
           end,
    IA = index(fun(I) -> Step(I) =:= A end, S),
    IB = index(fun(I) -> Step(I) =:= B end, S),
    S1 = case {IA, IB} of
             {X, Y} when X > 0, Y > 0 ->
                 [if N =:= X -> lists:nth(Y, S); N =:= Y -> lists:nth(X, S); true -> I end
                  || {I, N} <- lists:zip(S, lists:seq(1, length(S)))];
             _ -> S
         end,
    [swap_in_list(I, A, B) || I <- S1].

swap_in_list({load_object_code, {App, V, Ms}}, A, B) ->
    {load_object_code, {App, V, swap_elems(Ms, A, B)}};
swap_in_list({Op, Ms}, A, B) when Op =:= suspend; Op =:= resume ->
    {Op, swap_elems(Ms, A, B)};
swap_in_list({code_change, Mode, Ms}, A, B) ->
    Keys = [element(1, M) || M <- Ms],
    case lists:member(A, Keys) andalso lists:member(B, Keys) of
        true ->
            {code_change, Mode,
             [case element(1, M) of
                  A -> lists:keyfind(B, 1, Ms);
                  B -> lists:keyfind(A, 1, Ms);
                  _ -> M
              end || M <- Ms]};
        false -> {code_change, Mode, Ms}
    end;
swap_in_list(I, _, _) -> I.

swap_elems(Ms, A, B) ->
    case lists:member(A, Ms) andalso lists:member(B, Ms) of
        true -> [case M of A -> B; B -> A; _ -> M end || M <- Ms];
        false -> Ms
    end.

index(Pred, L) -> index(Pred, L, 1).
index(_, [], _) -> 0;
index(Pred, [I | Rest], N) ->
    case Pred(I) of
        true -> N;
        false -> index(Pred, Rest, N + 1)
    end.
