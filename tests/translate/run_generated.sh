#!/bin/sh
# run_generated.sh - generates the seeded random cases and runs the
# conformance driver on them (expected results come from OTP in this run).
# usage: run_generated.sh HOTPLAN WORKDIR [COUNT]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
hotplan=$1
work=$2
count=${3:-600}
rm -rf "$work"
mkdir -p "$work/cases"
python3 "$here/gen_cases.py" "$work/cases" "$count"
exec escript "$here/conformance.escript" "$hotplan" "$work/out" "$work/cases"
