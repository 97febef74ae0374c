#!/bin/sh
# random_run.sh - generated conformance scenarios: writes the scenarios of
# seeds FIRST..LAST with gen_scenarios.py (deterministic), then runs every
# one of them on the real VM and in 'hotplan simulate' (conformance.escript).
# Ends with the driver's summary line; exits with its status.
# usage: random_run.sh ESCRIPT PYTHON3 HOTPLAN WORKDIR FIRST LAST
set -u
here=$(cd "$(dirname "$0")" && pwd)
escript=$1 python=$2 hotplan=$3 work=$4 first=$5 last=$6
rm -rf "$work"
mkdir -p "$work/scn" || exit 1
"$python" "$here/gen_scenarios.py" "$work/scn" "$first" "$last" || exit 1
exec "$escript" "$here/conformance.escript" "$hotplan" "$work/run" "$work"/scn/*.scn
