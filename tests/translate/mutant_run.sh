#!/bin/sh
# mutant_run.sh - the conformance driver must catch a wrong translator:
# runs conformance.escript against mutant_hotplan.sh (the real hotplan with
# its scripts and reasons altered) and passes only if the driver completes
# its summary and reports failures for most comparisons.
# usage: mutant_run.sh HOTPLAN WORKDIR CASEDIR...
set -u
here=$(cd "$(dirname "$0")" && pwd)
HOTPLAN_REAL=$1
export HOTPLAN_REAL
work=$2
shift 2
out=$(escript "$here/conformance.escript" "$here/mutant_hotplan.sh" "$work" "$@" 2>&1)
rc=$?
summary=$(printf '%s\n' "$out" | grep '^conformance: ')
echo "$summary"
if [ $rc -ne 1 ] || [ -z "$summary" ]; then
	echo "mutant_run: expected the driver to finish and exit 1, got exit $rc"
	exit 1
fi
total=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) comparisons:.*/\1/p')
failed=$(echo "$summary" | sed -n 's/.*, \([0-9][0-9]*\) failed$/\1/p')
# every comparison with two or more instructions after point_of_no_return,
# or with a tuple reason, is altered by the mutant: most of them
if [ -z "$total" ] || [ -z "$failed" ] || [ $((failed * 4)) -lt $((total * 3)) ]; then
	echo "mutant_run: the driver caught only $failed of $total altered results"
	exit 1
fi
echo "mutant_run: the driver rejected $failed of $total comparisons of the mutant"
