#!/bin/sh
# mutant_run.sh - otp_check.escript must catch a wrong plan: runs the OTP
# check of samples/callsrv (plan_sample.sh ... otp) against mutant_hotplan.sh,
# the real hotplan with its scripts rewritten by mutate_plan.escript, and
# passes only if each verdict is the one OTP's semantics call for:
#
#   code_change_first   code_change before the loads of the upgrade: both
#                       oracles must fail, the instruction sequence (OTP's
#                       translation differs) and the evaluation (sip's
#                       code_change/3 ran in the 1.0 code, not in 2.0)
#   swap:buf:worker     worker depends on buf (SEMANTICS.md 2.5): loading
#                       them the other way round must fail
#   swap:strutil:buf    neither depends on the other: their order is a tie
#                       that OTP leaves to the VM's atom table (2.6), so
#                       this plan is as valid as hotplan's and must pass
#
# usage: mutant_run.sh HOTPLAN SOURCE_DIR WORK_DIR   (escript: $HOTPLAN_ESCRIPT)
set -u
here=$(cd "$(dirname "$0")" && pwd)
HOTPLAN_REAL=$1
HOTPLAN_ESCRIPT=${HOTPLAN_ESCRIPT:-escript}
export HOTPLAN_REAL HOTPLAN_ESCRIPT
src=$2
work=$3
mkdir -p "$work"
status=0

# expect MUTATION EXIT_STATUS LINE... : the check exits with EXIT_STATUS and
# prints every LINE (a fixed string)
expect() {
	mutation=$1
	want=$2
	shift 2
	log=$work/$(echo "$mutation" | tr ':' '_').log
	HOTPLAN_MUTATION=$mutation sh "$here/plan_sample.sh" "$here/mutant_hotplan.sh" \
		"$src" "$work/sample" otp >"$log" 2>&1
	rc=$?
	ok=1
	if [ $rc -ne "$want" ]; then
		echo "mutant_run: $mutation: otp_check exited $rc, wanted $want"
		ok=0
	fi
	for line in "$@"; do
		if ! grep -qF -- "$line" "$log"; then
			echo "mutant_run: $mutation: no line '$line'"
			ok=0
		fi
	done
	if [ $ok -eq 1 ]; then
		echo "mutant_run: $mutation: exit $rc, as expected:"
		grep -E 'FAILED|only by ties|all checks passed' "$log" | cut -c1-200 | sed 's/^/  /'
	else
		sed 's/^/  | /' "$log"
		status=1
	fi
}

expect code_change_first 1 \
	"otp_check: FAILED: upgrade: hotplan's script differs from OTP's translation at instruction 4: OTP has {load,{strutil,brutal_purge,brutal_purge}}, hotplan has {code_change,up,[{sip,[]}]}" \
	"otp_check: FAILED: upgrade: code_change/3 of sip ran in version 1.0 of the code, not 2.0" \
	"otp_check: downgrade: code_change/3 ran once per process of [sip], each in version [\"2.0\"]"
expect swap:buf:worker 1 \
	"otp_check: FAILED: upgrade: hotplan's order of loads breaks the appup's dependencies" \
	"otp_check: FAILED: downgrade: hotplan's order of loads breaks the appup's dependencies"
expect swap:strutil:buf 0 \
	"otp_check: upgrade: hotplan's script differs from OTP's translation of the appup only by ties" \
	"otp_check: downgrade: hotplan's script differs from OTP's translation of the appup only by ties" \
	"otp_check: all checks passed"
exit $status
