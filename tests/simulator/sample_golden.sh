#!/bin/sh
# sample_golden.sh HOTPLAN SRC WORK [regen] - the callsrv upgrade, simulated.
#
# Configures samples/callsrv/v1 and v2 with CMake, analyzes v1, plans
# v1 -> v2 with hotplan's defaults, and simulates the plan on the runtime
# built from v1's facts, up to the install and up to make_permanent. The
# text outcome and the exit status of each must equal the goldens in
# tests/simulator/golden/: they say exactly which processes die (the worker,
# whose local loop lingers in old code until make_permanent purges it) and
# which are suspended and code-changed (the server, for sip and registrar).
# With 'regen', rewrites the goldens instead; review them with git diff.
set -eu
HOTPLAN=$1
SRC=$2
WORK=$3
MODE=${4:-check}
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
for v in v1 v2; do
	cmake -S "$SRC/samples/callsrv/$v" -B "$v" >"$v.cmake.log" 2>&1 ||
		{ cat "$v.cmake.log"; exit 1; }
done
"$HOTPLAN" analyze v1 -o old.facts
"$HOTPLAN" plan old.facts v2 -o upgrade.script 2>plan.stderr
status=0
for until in install permanent; do
	rc=0
	"$HOTPLAN" simulate upgrade.script --facts old.facts --until "$until" \
		>"sim.$until.txt" || rc=$?
	echo "exit status $rc" >>"sim.$until.txt"
	golden=$SRC/tests/simulator/golden/callsrv.$until.txt
	if [ "$MODE" = regen ]; then
		cp "sim.$until.txt" "$golden"
	elif ! diff -u "$golden" "sim.$until.txt"; then
		echo "sample_golden: the simulation up to $until differs from $golden" >&2
		status=1
	fi
done
exit $status
