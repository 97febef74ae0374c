#!/bin/sh
# mutant_hotplan.sh - a deliberately wrong 'hotplan translate' for the
# conformance self-test: it swaps the first two instructions after
# point_of_no_return and alters every error Reason. The conformance driver
# must reject it (mutant_run.sh checks that it does).
# usage: HOTPLAN_REAL=path mutant_hotplan.sh translate ARGS...
set -u
out=$("$HOTPLAN_REAL" "$@" 2>/tmp/hotplan-mutant-err.$$)
rc=$?
sed 's/reason: {/reason: {mutated,/' /tmp/hotplan-mutant-err.$$ >&2
rm -f /tmp/hotplan-mutant-err.$$
printf '%s\n' "$out" | awk '
  seen == 1 && held == "" { held = $0; next }
  seen == 1 && held != "" { print; print held; held = ""; seen = 2; next }
  { print }
  /^point_of_no_return\.$/ { seen = 1 }
  END { if (held != "") print held }' | sed '/^$/d'
exit $rc
