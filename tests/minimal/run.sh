#!/bin/sh
# run.sh CMAKE CTEST SRC WORK MIN [CC] - the minimal build: configures SRC
# in WORK/build without libclang, graphviz and libdw (and without the OTP
# tests), builds it, and checks what a user of that build sees:
#   - configure says, one line each, that the three parts are not used;
#   - hotplan needs none of their shared libraries (readelf's NEEDED);
#   - a tree that is not a facts file, and standard input that is not one,
#     are refused (exit 2) before anything is configured or written;
#   - 'hotplan graph' refuses -T svg and a .png name and writes -T dot;
#   - 'hotplan snapshot' and check --pid say the snapshot was not built;
#   - its ctest passes, every test but the runtime's (hotrt_tsan builds a
#     tree of its own) and this one, and at least MIN tests run.
# WORK/build is kept between runs (cmake and make work incrementally in it).
# CC is the compiler of the enclosing build, used for this one too.
set -u
CMAKE=$1
CTEST=$2
SRC=$3
WORK=$4
MIN=$5
CC=${6:-}
build=$WORK/build
t=$WORK/try
fails=0

fail() {
	echo "minimal_build: $*" >&2
	fails=$((fails + 1))
}

die() {
	echo "minimal_build: $*" >&2
	exit 1
}

mkdir -p "$WORK" || die "cannot create '$WORK'"
rm -rf "$t"
mkdir -p "$t"

if ! "$CMAKE" -S "$SRC" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	${CC:+-DCMAKE_C_COMPILER="$CC"} -DHOTPLAN_REQUIRE_ALL=OFF \
	-DHOTPLAN_WITH_LIBCLANG=OFF -DHOTPLAN_WITH_GRAPHVIZ=OFF -DHOTPLAN_WITH_LIBDW=OFF \
	-DHOTPLAN_OTP_TESTS=OFF -DHOTPLAN_ASAN=OFF -DHOTPLAN_UBSAN=OFF -DHOTPLAN_FUZZ=OFF \
	-DBUILD_TESTING=ON >"$WORK/configure.log" 2>&1; then
	cat "$WORK/configure.log" >&2
	die "cannot configure without libclang, graphviz and libdw"
fi
for line in \
	'-- libclang not used (HOTPLAN_WITH_LIBCLANG=OFF): the analyzer is not built; hotplan takes facts files only' \
	"-- graphviz not used (HOTPLAN_WITH_GRAPHVIZ=OFF): 'hotplan graph' writes DOT only" \
	"-- libdw not used (HOTPLAN_WITH_LIBDW=OFF): the snapshot is not built; no 'hotplan snapshot', no --pid" \
	'-- tests not registered, for want of the parts they need: without libclang: '; do
	grep -qF -- "$line" "$WORK/configure.log" || fail "configure did not say: $line"
done

if ! "$CMAKE" --build "$build" -j2 >"$WORK/build.log" 2>&1; then
	tail -n 40 "$WORK/build.log" >&2
	die "cannot build without libclang, graphviz and libdw (all of $WORK/build.log)"
fi
hotplan=$build/cli/hotplan

# The toolchain's word on what the binary links.
needed=$(readelf -d "$hotplan" | grep NEEDED) || die "readelf cannot read '$hotplan'"
if echo "$needed" | grep -E 'lib(clang|gvc|cgraph|dw|elf)[.-]' >&2; then
	fail "hotplan needs a library of an optional part (above)"
fi
for lib in analyzer/libhp_analyzer.a snapshot/libhp_snapshot.a; do
	[ ! -e "$build/$lib" ] || fail "'$lib' was built"
done

# expect NAME STATUS TEXT ARGS...: runs hotplan ARGS in $t; its exit status
# must be STATUS and its standard error must hold TEXT (if not empty).
expect() {
	name=$1 status=$2 text=$3
	shift 3
	rc=0
	(cd "$t" && "$hotplan" "$@") >"$t/$name.out" 2>"$t/$name.err" </dev/null || rc=$?
	if [ "$rc" -ne "$status" ]; then
		fail "$name: 'hotplan $*' exited $rc, not $status: $(cat "$t/$name.err")"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$t/$name.err"; then
		fail "$name: 'hotplan $*' did not say \"$text\": $(cat "$t/$name.err")"
	fi
}

"$build/tests/planner/plan_fixture_facts" "$t/v1.json" "$t/v2.json" ||
	die "plan_fixture_facts cannot write the facts"
mkdir "$t/tree"
printf 'int main(void) { return 0; }\n' >"$t/tree/a.c"
noclang="this hotplan was built without libclang: pass a facts file written by 'hotplan analyze' on a machine that has it"
expect analyze 2 "hotplan analyze: error: tree: $noclang" analyze tree -o out.facts
# a CMake folder: refused before it is configured into the cache
expect plan 2 "hotplan plan: error: $SRC/samples/callsrv/v2: $noclang" \
	plan v1.json "$SRC/samples/callsrv/v2" --cache cache -o out.script
[ ! -e "$t/cache" ] || fail "plan configured the CMake folder it refused (a cache in $t/cache)"
rc=0
echo '[]' | (cd "$t" && "$hotplan" diff v1.json - -o out.diff) 2>"$t/stdin.err" || rc=$?
[ "$rc" -eq 2 ] && grep -qF "hotplan diff: error: <stdin>: $noclang" "$t/stdin.err" ||
	fail "stdin: 'hotplan diff v1.json -' exited $rc: $(cat "$t/stdin.err")"
expect plan_facts 0 "" plan v1.json v2.json -o out.script
[ -s "$t/out.script" ] || fail "plan on two facts files wrote no script"

nogv="this hotplan was built without graphviz: use -T dot"
expect graph_svg 2 "hotplan graph: error: $nogv" graph v1.json -T svg -o g.svg
expect graph_png 2 "hotplan graph: error: $nogv" graph v1.json v2.json -o g.png
expect graph_dot 0 "" graph v1.json v2.json -T dot -o g.dot
head -c 7 "$t/g.dot" 2>/dev/null | grep -q '^digraph' || fail "graph -T dot wrote no DOT"

nodw="this hotplan was built without libdw and takes no snapshots ('hotplan snapshot', --pid)"
expect snapshot 2 "hotplan snapshot: error: $nodw" snapshot 1 --facts v1.json -o s.json
expect check_pid 2 "hotplan check: error: $nodw" check v1.json v2.json --pid 1 --junit j.xml
expect snapshot_usage 2 "no PID given" snapshot --facts v1.json
for f in out.facts out.diff g.svg g.png s.json j.xml; do
	[ ! -e "$t/$f" ] || fail "'$f' was written by a refused command"
done

# Its own tests, but the runtime's and this one.
"$CTEST" --test-dir "$build" -LE 'runtime|minimal' -j2 --output-on-failure \
	>"$WORK/ctest.log" 2>&1
rc=$?
summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$WORK/ctest.log")
total=$(echo "$summary" | sed -n 's/.* out of \([0-9][0-9]*\).*/\1/p')
if [ "$rc" -ne 0 ]; then
	cat "$WORK/ctest.log" >&2
	fail "the minimal build's tests failed"
elif [ -z "$total" ] || [ "$total" -lt "$MIN" ]; then
	cat "$WORK/ctest.log" >&2
	fail "the minimal build ran ${total:-no} tests, fewer than $MIN"
fi
echo "minimal_build: $summary"
[ "$fails" -eq 0 ] || die "$fails check(s) failed"
echo "minimal_build: built and tested without libclang, graphviz and libdw"
