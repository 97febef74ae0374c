#!/bin/sh
# cli_plan.sh HOTPLAN FIXTURE_FACTS WORK - what a user sees from 'hotplan plan'
# and 'hotplan diff' on bad usage, bad input and config files: exit status,
# the message (with file:line:column for bad input), and no output file
# written or damaged unless the command succeeds.
set -u
HOTPLAN=$1
FIXTURE=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
"$FIXTURE" v1.json v2.json || exit 1
fails=0

# expect STATUS PATTERN CMD...: runs CMD, checks its exit status and that
# stdout+stderr match the grep pattern
expect() {
	want=$1
	pattern=$2
	shift 2
	"$@" >out.txt 2>&1
	got=$?
	if [ "$got" != "$want" ] || { [ -n "$pattern" ] && ! grep -q -- "$pattern" out.txt; }; then
		echo "FAIL: $* -> exit $got (want $want), output:"
		sed 's/^/  | /' out.txt
		echo "  (wanted /$pattern/)"
		fails=$((fails + 1))
	fi
}

expect 2 "expected two trees, OLD and NEW" "$HOTPLAN" plan v1.json
expect 2 "purge must be soft, brutal or auto, not 'gentle'" "$HOTPLAN" plan v1.json v2.json --purge gentle
# auto: soft unless the simulation says brutal; the fixture's processes are
# not supervised (no supervisor in facts), so everything stays soft
expect 0 "^{load,{conn,soft_purge,soft_purge}}\.$" "$HOTPLAN" plan v1.json v2.json --purge auto
expect 0 "purge: auto chose soft_purge: conn: soft_purge" \
	"$HOTPLAN" plan v1.json v2.json --purge auto --format text
expect 2 "format must be erlang, relup, json or text, not 'yaml'" \
	"$HOTPLAN" plan v1.json v2.json --format yaml
expect 2 "appup and --down select what --format erlang prints" \
	"$HOTPLAN" plan v1.json v2.json --appup --format json
expect 2 "appup and --down exclude each other" "$HOTPLAN" plan v1.json v2.json --appup --down
expect 2 "unknown option '--frobnicate'" "$HOTPLAN" plan v1.json v2.json --frobnicate
expect 0 "usage: hotplan plan OLD NEW" "$HOTPLAN" plan --help
expect 0 "usage: hotplan diff OLD NEW" "$HOTPLAN" diff --help
expect 2 "format must be text or json, not 'erlang'" "$HOTPLAN" diff v1.json v2.json --format erlang

# bad input: a position, exit 2, and the existing output file left as it was
printf '{\n  "format": "hotplan-facts",\n  "version": 1,\n  "modules": [ {"name": 3} ]\n}\n' > bad.json
echo "previous contents" > kept.erl
expect 2 "bad.json:4:" "$HOTPLAN" plan v1.json bad.json -o kept.erl
grep -qx "previous contents" kept.erl || { echo "FAIL: kept.erl was touched"; fails=$((fails + 1)); }
expect 2 "bad.json:4:" "$HOTPLAN" diff bad.json v2.json -o kept.erl
grep -qx "previous contents" kept.erl || { echo "FAIL: kept.erl was touched by diff"; fails=$((fails + 1)); }

# success writes -o atomically and prints findings only to stderr
expect 0 "" "$HOTPLAN" plan v1.json v2.json -o kept.erl
grep -q "^point_of_no_return\.$" kept.erl || { echo "FAIL: -o has no script"; fails=$((fails + 1)); }

# the config: versions, application and purge; flags override it
cat > soft.config <<'CFG'
{app, pbx}.
{vsn, "3.1"}.
{old_vsn, "3.0"}.
{purge, soft}.
CFG
expect 0 '{"3.1",\[{"3.0",\[{add_module,auth,\[codec\]},{load_module,codec,soft_purge,soft_purge,\[\]}' \
	"$HOTPLAN" plan v1.json v2.json --config soft.config --appup
expect 0 '{load_object_code,{pbx,"3.1",' "$HOTPLAN" plan v1.json v2.json --config soft.config
expect 0 '{load,{codec,brutal_purge,brutal_purge}}' \
	"$HOTPLAN" plan v1.json v2.json --config soft.config --purge brutal
expect 0 '{load_object_code,{other,"9",' \
	"$HOTPLAN" plan v1.json v2.json --config soft.config --app other --vsn 9
printf '{purge, auto}.\n' > auto.config
expect 0 '"purge": "auto"' "$HOTPLAN" plan v1.json v2.json --config auto.config --format json
printf '{purge, sometimes}.\n' > badpurge.config
expect 2 "badpurge.config:1:" "$HOTPLAN" plan v1.json v2.json --config badpurge.config

# a diff of a version with itself changes nothing, and plans nothing
expect 0 "1 added, 1 removed, 4 changed, 1 unchanged" "$HOTPLAN" diff v1.json v2.json
expect 0 "0 added, 0 removed, 0 changed, 6 unchanged" "$HOTPLAN" diff v2.json v2.json
expect 0 "^point_of_no_return\.$" "$HOTPLAN" plan v2.json v2.json

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
