#!/bin/sh
# mutant_hotplan.sh - a deliberately wrong 'hotplan plan' for mutant_run.sh:
# the real hotplan ($HOTPLAN_REAL) writes its output, then
# mutate_plan.escript (run by $HOTPLAN_ESCRIPT) rewrites the Erlang script or
# relup it wrote as $HOTPLAN_MUTATION says. Other commands and formats (diff,
# --appup, json, text) pass through unchanged.
# usage: HOTPLAN_REAL=... HOTPLAN_ESCRIPT=... HOTPLAN_MUTATION=... \
#        mutant_hotplan.sh plan OLD NEW [OPTIONS] -o FILE
set -u
here=$(cd "$(dirname "$0")" && pwd)
"$HOTPLAN_REAL" "$@" || exit $?
[ "$1" = plan ] || exit 0
out=
dir=up
format=erlang
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift ;;
	--down) dir=down ;;
	--appup) format=appup ;;
	--format) format=$2; shift ;;
	esac
	shift
done
case $format in
erlang|relup) ;;
*) exit 0 ;;
esac
[ -n "$out" ] || { echo "mutant_hotplan.sh: the mutant needs -o FILE" >&2; exit 2; }
exec "$HOTPLAN_ESCRIPT" "$here/mutate_plan.escript" "$HOTPLAN_MUTATION" "$dir" "$out"
