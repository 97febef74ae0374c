#!/bin/sh
# cli_test.sh - end-to-end checks of 'hotplan translate' as a command:
# flags, output formats, -o, positions in errors, exit statuses, .appup
# entry selection and the default release. (What the script contains is
# checked against OTP by conformance.escript; this checks the command.)
# usage: cli_test.sh HOTPLAN WORKDIR
set -u
H=$1
W=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$W"
mkdir -p "$W"
fails=0
n=0
check() { # check NAME CONDITION-EXIT-STATUS
	n=$((n + 1))
	if [ "$2" -ne 0 ]; then
		echo "FAIL: $1"
		fails=$((fails + 1))
	fi
}

# --help lists every flag
$H translate --help >"$W/help" 2>&1
check "--help exits 0" $?
for f in --mode --from --format -o --output --help; do
	grep -q -- "$f" "$W/help"
	check "--help mentions $f" $?
done

# a chain, erlang format: one term per line ending with '.'
cat >"$W/chain.terms" <<'T'
{apps, [{app, "2.0", [m1, m2, m3]}]}.
[{update, m1, {advanced, []}, []}, {update, m2, soft, [m1]}, {load_module, m3, [m2]}].
T
$H translate "$W/chain.terms" >"$W/chain.out" 2>"$W/chain.err"
check "chain translates" $?
test ! -s "$W/chain.err"
check "chain: nothing on stderr" $?
cmp -s "$W/chain.out" "$here/golden/chain.up.expected"
check "chain: golden up script" $?
$H translate --mode dn "$W/chain.terms" >"$W/chain.dn" 2>&1
cmp -s "$W/chain.dn" "$here/golden/chain.dn.expected"
check "chain: golden dn script" $?
$H translate --format json "$W/chain.terms" >"$W/chain.json"
check "json exits 0" $?
cmp -s "$W/chain.json" "$here/golden/chain.up.json"
check "chain: golden json" $?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, list) and len(d) == int(sys.argv[2]), d' \
	"$W/chain.json" "$(wc -l <"$W/chain.out")"
check "json: an array with one element per instruction" $?

# json escapes text and keeps every term kind apart
cat >"$W/kinds.terms" <<'T'
[{apply, {io, format, ["a \"q\"\n\0", 1.5, <<1,2>>, 'Quoted atom', [1, two], #{k => v}, {}]}}].
T
$H translate --format json "$W/kinds.terms" >"$W/kinds.json"
check "json of every term kind exits 0" $?
python3 - "$W/kinds.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
args = d[1][1][2]["list"]
assert args[0] == {"string": 'a "q"\n\u0000'}, args[0]
assert args[1] == {"float": 1.5}, args[1]
assert args[2] == {"binary": [1, 2]}, args[2]
assert args[3] == "Quoted atom", args[3]
assert args[4] == {"list": [1, "two"]}, args[4]
assert args[5] == {"map": [["k", "v"]]}, args[5]
assert args[6] == [], args[6]
P
check "json mapping of strings, floats, binaries, atoms, lists, maps, tuples" $?

# -o writes atomically; a refused translation leaves the file alone
$H translate -o "$W/o.out" "$W/chain.terms"
check "-o exits 0" $?
cmp -s "$W/o.out" "$W/chain.out"
check "-o: same bytes as stdout" $?
cat >"$W/bad.terms" <<'T'
{apps, [{app, "2.0", [a]}]}.
[{load_module, a,
  [zz]}].
T
$H translate -o "$W/o.out" "$W/bad.terms" >"$W/bad.out" 2>"$W/bad.err"
rc=$?
test $rc -eq 2
check "refused translation exits 2" $?
test ! -s "$W/bad.out"
check "refused translation: nothing on stdout" $?
cmp -s "$W/o.out" "$W/chain.out"
check "refused translation: -o file untouched" $?
grep -q "bad.terms:3:4: " "$W/bad.err"
check "refused translation: file:line:column of the culprit" $?
grep -qx "hotplan translate: reason: {undef_module,zz}" "$W/bad.err"
check "refused translation: OTP's reason as a term" $?

# syntax error in the file: position, exit 2, no reason line
printf '{apps, [{app, "2.0", [a]}]}.\n[{load_module, a}\n' >"$W/syn.terms"
$H translate "$W/syn.terms" >"$W/syn.out" 2>"$W/syn.err"
test $? -eq 2
check "malformed file exits 2" $?
grep -q "syn.terms:[0-9]*:[0-9]*: " "$W/syn.err"
check "malformed file: position" $?
test ! -s "$W/syn.out"
check "malformed file: nothing on stdout" $?

# bad usage
$H translate --mode sideways "$W/chain.terms" >/dev/null 2>&1
test $? -eq 2
check "bad --mode exits 2" $?
$H translate --format xml "$W/chain.terms" >/dev/null 2>&1
test $? -eq 2
check "bad --format exits 2" $?
$H translate >/dev/null 2>&1
test $? -eq 2
check "no file exits 2" $?
$H translate --from 1 "$W/chain.terms" >/dev/null 2>&1
test $? -eq 2
check "--from without an appup exits 2" $?

# .appup: --from picks the entry (strings and binary regular expressions)
cat >"$W/x.appup" <<'T'
{"3",
 [{"1", [{load_module, one}]}, {<<"2\\.[0-9]+">>, [{load_module, two}]}],
 [{"1", [{delete_module, one}]}, {"2.1", [{delete_module, two}]}]}.
T
$H translate "$W/x.appup" | grep -q "{load,{one,"
check "appup: first up entry by default" $?
$H translate --from 2.7 "$W/x.appup" | grep -q "{load,{two,"
check "appup: --from matches a regular expression" $?
$H translate --mode dn --from 2.1 "$W/x.appup" | grep -q "{remove,{two,"
check "appup: --mode dn --from picks a down entry" $?
$H translate --from 9 "$W/x.appup" >/dev/null 2>"$W/from.err"
test $? -eq 2
check "appup: unknown --from exits 2" $?
# default release: one application app "1.0" owning every module named
$H translate "$W/x.appup" | grep -qx '{load_object_code,{app,"1.0",\[one\]}}.'
check "appup: default application app 1.0" $?
# {mode, dn} in the file, overridden by --mode
printf '{mode, dn}.\n[{update, a, {advanced, x}}].\n' >"$W/m.terms"
$H translate "$W/m.terms" | grep -q "code_change,down"
check "{mode, dn} is read" $?
$H translate --mode up "$W/m.terms" | grep -q "code_change,up"
check "--mode overrides {mode, ...}" $?
# standard input
$H translate - <"$W/chain.terms" | cmp -s - "$W/chain.out"
check "'-' reads standard input" $?

echo "cli_test: $n checks, $fails failed"
test $fails -eq 0
