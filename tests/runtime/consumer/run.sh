#!/bin/sh
# run.sh BUILD WORK - installs libhotrt from the hotplan build BUILD into
# WORK/prefix, builds the consumer project against it with find_package,
# and runs its programs (shared and static). Exit 0 if both agree.
set -eu
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work.log" 2>&1 || { cat "$work.log"; exit 1; }
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work.log" 2>&1 || { cat "$work.log"; exit 1; }
cmake --build "$work/build" >"$work.log" 2>&1 || { cat "$work.log"; exit 1; }
rm -f "$work.log"
test -f "$work/prefix/include/hotrt.h"
ls "$work/prefix"/lib*/libhotrt.a "$work/prefix"/lib*/libhotrt.so >/dev/null
for p in consumer_shared consumer_static; do
	out=$("$work/build/$p") || { echo "$p failed: $out"; exit 1; }
	echo "$p: $out"
	test "$out" = "lookup: 2, process: 2"
done
