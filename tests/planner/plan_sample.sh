#!/bin/sh
# plan_sample.sh - the plan of samples/callsrv 1.0 -> 2.0, end to end.
#
#   plan_sample.sh HOTPLAN SOURCE_DIR WORK_DIR golden   compare with tests/planner/golden/
#   plan_sample.sh HOTPLAN SOURCE_DIR WORK_DIR otp      check with the real OTP release handler
#                                    (otp_check.escript, run by $HOTPLAN_ESCRIPT or escript)
#   plan_sample.sh HOTPLAN SOURCE_DIR WORK_DIR regen    rewrite tests/planner/golden/
#   plan_sample.sh HOTPLAN SOURCE_DIR WORK_DIR otp OLD.json NEW.json
#                                    the same OTP check on two facts files
#
# Both versions are configured with CMake into WORK_DIR (v1/, v2/: their
# compile_commands.json), then hotplan runs from WORK_DIR with the relative
# paths v1 and v2, so that the outputs name no machine-specific path.
# Every output of one run goes to WORK_DIR/out/ (see the list in outputs()).
set -eu

HOTPLAN=$1
SRC=$2
WORK=$3
MODE=$4
GOLDEN=$SRC/tests/planner/golden
APP="--app callsrv"

OLD=v1
NEW=v2
mkdir -p "$WORK"
if [ $# -ge 6 ]; then
	cp "$5" "$WORK/old.json"
	cp "$6" "$WORK/new.json"
	OLD=old.json
	NEW=new.json
fi
cd "$WORK"
for v in v1 v2; do
	if [ "$OLD" = v1 ] && [ ! -f "$v/compile_commands.json" ]; then
		# ask for CMake's codemodel up front, as a user who wants hotplan
		# to know the targets would: hotplan then reads the reply and does
		# not configure the folder again (which it would say on stderr)
		mkdir -p "$v/.cmake/api/v1/query"
		: >"$v/.cmake/api/v1/query/codemodel-v2"
		cmake -S "$SRC/samples/callsrv/$v" -B "$v" >"$v.cmake.log" 2>&1 ||
			{ cat "$v.cmake.log"; exit 1; }
	fi
done
rm -rf out
mkdir out

# name of the output file, then the hotplan arguments that make it
run() {
	out=$1
	shift
	"$HOTPLAN" "$@" -o "out/$out" 2>>out/stderr.txt
}
run diff.txt   diff $OLD $NEW
run diff.json  diff $OLD $NEW --format json
run plan.erl   plan $OLD $NEW $APP
run plan.down.erl plan $OLD $NEW $APP --down
run plan.appup plan $OLD $NEW $APP --appup
run plan.relup plan $OLD $NEW $APP --format relup
run plan.json  plan $OLD $NEW $APP --format json
run plan.txt   plan $OLD $NEW $APP --format text
run plan.soft.erl plan $OLD $NEW $APP --purge soft
run plan.auto.erl plan $OLD $NEW $APP --purge auto
# the warnings plan prints next to its Erlang output (one set per run above
# that has erlang or relup format: six)
cp out/stderr.txt out/plan.stderr.txt
rm out/stderr.txt

case $MODE in
golden)
	status=0
	for f in out/*; do
		name=$(basename "$f")
		if ! cmp -s "$f" "$GOLDEN/$name"; then
			echo "golden mismatch: $name (regenerate with tests/planner/golden/regen after review)"
			diff -u "$GOLDEN/$name" "$f" | head -40 || true
			status=1
		fi
	done
	for g in "$GOLDEN"/*; do
		name=$(basename "$g")
		case $name in README|regen) continue ;; esac
		[ -f "out/$name" ] || { echo "golden file without output: $name"; status=1; }
	done
	exit $status
	;;
regen)
	cp out/* "$GOLDEN/"
	echo "rewrote $(ls out | wc -l) files in $GOLDEN"
	;;
otp)
	# the escript CMake found (tests/CMakeLists.txt: HOTPLAN_ESCRIPT); a
	# missing OTP or python3 is a failure, not a skip
	ESCRIPT=${HOTPLAN_ESCRIPT:-escript}
	command -v "$ESCRIPT" >/dev/null 2>&1 ||
		{ echo "plan_sample.sh: escript '$ESCRIPT' not found (set HOTPLAN_ESCRIPT)"; exit 1; }
	command -v python3 >/dev/null 2>&1 ||
		{ echo "plan_sample.sh: python3 not found"; exit 1; }
	# module lists of both versions, from the diff (the analyzer names
	# modules), and the modules the plan updates (they get processes)
	python3 - out/diff.json out/plan.json > out/modules.erl <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
status = {m["name"]: m["status"] for m in d["modules"]}
for n in d["unchanged"]:
    status[n] = "unchanged"
def q(n):
    return "'" + n.replace("\\", "\\\\").replace("'", "\\'") + "'"
old = sorted(n for n, s in status.items() if s != "added")
new = sorted(n for n, s in status.items() if s != "removed")
print("{old, [%s]}." % ",".join(map(q, old)))
print("{new, [%s]}." % ",".join(map(q, new)))
procs = sorted(x["module"] for x in p["decisions"] if x["instruction"].startswith("update"))
print("{procs, [%s]}." % ",".join(map(q, procs)))
PY
	# (the release handler wants an absolute library path: $PWD is WORK_DIR)
	"$ESCRIPT" "$SRC/tests/planner/otp_check.escript" "$PWD" out/modules.erl \
		out/plan.appup out/plan.relup out/plan.erl out/plan.down.erl \
		out/plan.soft.erl out/plan.auto.erl
	;;
*)
	echo "unknown mode $MODE" >&2
	exit 2
	;;
esac
