#!/bin/sh
# mutant_run.sh - the conformance driver must catch a wrong simulator: runs
# conformance.escript against mutant_hotplan.py (the real hotplan with what
# eval_script returned altered by MUTATION) and passes only if the driver
# finishes with exit 1 and rejects exactly the scenarios the mutant altered
# (each marked by a file 'mutated' in its work folder), at least MIN of them.
# usage: mutant_run.sh ESCRIPT HOTPLAN WORKDIR MUTATION MIN SCENARIO...
set -u
here=$(cd "$(dirname "$0")" && pwd)
escript=$1
HOTPLAN_REAL=$2
work=$3
HOTPLAN_MUTATION=$4
min=$5
shift 5
export HOTPLAN_REAL HOTPLAN_MUTATION
rm -rf "$work"
out=$("$escript" "$here/conformance.escript" "$here/mutant_hotplan.py" "$work" "$@" 2>&1)
rc=$?
summary=$(printf '%s\n' "$out" | grep '^conformance: ')
echo "$summary"
if [ $rc -ne 1 ] || [ -z "$summary" ]; then
	printf '%s\n' "$out"
	echo "mutant_run: expected the driver to finish and exit 1, got exit $rc"
	exit 1
fi
i=0
mutated=0
bad=0
for f in "$@"; do
	i=$((i + 1))
	if printf '%s\n' "$out" | grep -qF "FAIL $f:"; then failed=1; else failed=0; fi
	if [ -e "$work/s$i/mutated" ]; then
		mutated=$((mutated + 1))
		[ $failed -eq 1 ] || { echo "mutant_run: $f was altered ($HOTPLAN_MUTATION) but passed"; bad=1; }
	elif [ $failed -eq 1 ]; then
		echo "mutant_run: $f was not altered but failed:"
		printf '%s\n' "$out" | grep -A3 -F "FAIL $f:"
		bad=1
	fi
done
if [ $bad -ne 0 ] || [ $mutated -lt "$min" ]; then
	echo "mutant_run: $mutated scenarios altered (at least $min wanted); see above"
	exit 1
fi
echo "mutant_run: $HOTPLAN_MUTATION: the driver rejected all $mutated altered scenarios of $i"
