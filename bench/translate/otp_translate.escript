#!/usr/bin/env escript
%% -*- erlang -*-
%% otp_translate.escript - times OTP's systools_rc:translate_scripts/4 on a
%% 'hotplan translate' input file (instruction lists and {apps, ...}).
%%
%% usage: otp_translate.escript FILE up|dn [HOTPLAN_OUTPUT]
%%
%% Prints "otp_translate_us N instructions K" (N: timer:tc around
%% translate_scripts alone) and, when HOTPLAN_OUTPUT (a file written by
%% 'hotplan translate' on the same input) is given, "same_script true|false"
%% (exact equality; an input with ties may legitimately differ).
main([File, Mode | Rest]) ->
    {ok, Terms} = file:consult(File),
    {ok, {_, [{abstract_code, {_, Forms}}]}} =
        beam_lib:chunks(code:which(systools_rc), [abstract_code]),
    [Fields] = [Fs || {attribute, _, record, {application, Fs}} <- Forms],
    Names = [field_name(F) || F <- Fields],
    Pos = fun(N) -> length(lists:takewhile(fun(X) -> X =/= N end, Names)) + 2 end,
    Apps = [lists:foldl(fun({K, V}, T) -> setelement(Pos(K), T, V) end,
                        erlang:make_tuple(length(Names) + 1, undefined, [{1, application}]),
                        [{name, Name}, {vsn, Vsn}, {modules, Ms}, {type, permanent}])
            || {apps, As} <- Terms, {Name, Vsn, Ms} <- As],
    Scripts = [S || S <- Terms, is_list(S)],
    {Us, {ok, Script}} = timer:tc(systools_rc, translate_scripts,
                                  [list_to_atom(Mode), Scripts, Apps, []]),
    io:format("otp_translate_us ~b instructions ~b~n", [Us, length(Script)]),
    case Rest of
        [Out] ->
            {ok, Hotplan} = file:consult(Out),
            io:format("same_script ~p~n", [Hotplan =:= Script]);
        [] -> ok
    end.

field_name({typed_record_field, F, _}) -> field_name(F);
field_name({record_field, _, {atom, _, N}}) -> N;
field_name({record_field, _, {atom, _, N}, _}) -> N.
