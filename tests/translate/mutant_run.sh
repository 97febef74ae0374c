#!/bin/sh
# mutant_run.sh - runs the conformance driver against mutant_hotplan.sh.
# usage: mutant_run.sh HOTPLAN WORKDIR CASEDIR...
set -u
here=$(cd "$(dirname "$0")" && pwd)
HOTPLAN_REAL=$1
export HOTPLAN_REAL
work=$2
shift 2
exec escript "$here/conformance.escript" "$here/mutant_hotplan.sh" "$work" "$@"
