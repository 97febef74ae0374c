#!/bin/sh
# run.sh SRC WORK - builds the runtime's tests with ThreadSanitizer in WORK
# (tsan/CMakeLists.txt) and runs them; any report fails (exit status 66).
set -eu
src=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
log=$work/build.log
cmake -S "$here" -B "$work" -DHOTPLAN_SOURCE_DIR="$src" -DCMAKE_BUILD_TYPE=Debug >"$log" 2>&1 || { cat "$log"; exit 1; }
cmake --build "$work" -j2 >"$log" 2>&1 || { cat "$log"; exit 1; }
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" "$work/test_hotrt"
echo "hotrt_tsan: the runtime's tests passed under ThreadSanitizer"
