/*
 * report.c - check's rule table and report_write(), which walks a report
 * once and hands each part to the chosen driver.
 *
 * Invariant: the walk order is fixed (processes in runtime order, rules in
 * the report's id order with their findings in sorted order), so every
 * driver's output is deterministic.
 */
#include "report_int.h"

#include <string.h>

static const struct report_rule check_rules[CHECK_RULE_COUNT] = {
	[CHECK_PROCESS_KILLED] = {
		"HP301", "process-killed", REPORT_ERROR,
		"the simulation predicts that the upgrade kills a running process",
		"A process still runs old code of a module when that code is purged, so the "
		"runtime kills it. Make the process leave the old code before the purge: call "
		"its loop through the export table (a qualified call, e.g. through hot_lookup) so "
		"it moves to the new code on its next lap, or give its module a state transformer "
		"so the upgrade suspends it, or run it under a supervisor that restarts it within "
		"its intensity and allow that with --max-killed or --purge auto.",
	},
	[CHECK_UPGRADE_REFUSED] = {
		"HP302", "upgrade-refused", REPORT_ERROR,
		"the release handler would refuse or abort the upgrade",
		"Evaluating the script on the modeled runtime fails: before the point of no "
		"return the release handler refuses it and nothing changes (for example soft_purge "
		"finds old code still in use); after it, the node restarts from the old release. "
		"Read the reason, then let the lingering processes finish first, or use "
		"brutal_purge for that module, or fix the script.",
	},
	[CHECK_PARSE_FAILURE] = {
		"HP303", "parse-failure", REPORT_ERROR,
		"a translation unit could not be parsed",
		"A source file failed to parse, so what changed in it is unknown and the plan "
		"cannot be trusted. Fix the error shown (often a missing include path or "
		"definition in compile_commands.json), then run the check again.",
	},
	[CHECK_PLAN_DIFFERS] = {
		"HP304", "plan-differs", REPORT_ERROR,
		"the committed plan differs from the plan computed for these trees",
		"The plan given with --against is not the plan hotplan computes now: the code "
		"changed since the plan was reviewed, or the plan was edited by hand. Review the "
		"difference, then regenerate the plan with 'hotplan plan OLD NEW -o PLANFILE' "
		"and commit it.",
	},
};

const struct report_rule *check_rule_info(enum check_rule rule)
{
	return (unsigned)rule < CHECK_RULE_COUNT ? &check_rules[rule] : NULL;
}

const char *report_level_name(enum report_level level)
{
	switch (level) {
	case REPORT_ERROR: return "error";
	case REPORT_WARNING: return "warning";
	case REPORT_NOTE: return "note";
	}
	return "note";
}

size_t report_forbidden_count(const struct report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].forbidden != 0;
	return n;
}

size_t report_killed_count(const struct report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nprocs; i++)
		n += r->procs[i].killed != 0;
	return n;
}

static const struct report_driver *const drivers[] = {
	&report_text_driver,
	&report_sarif_driver,
	&report_junit_driver,
};

int report_write(const struct report *r, const char *driver, int color, struct strbuf *out)
{
	const struct report_driver *d = NULL;
	for (size_t i = 0; i < HP_ARRAY_SIZE(drivers); i++)
		if (driver && !strcmp(drivers[i]->name, driver))
			d = drivers[i];
	if (!d)
		return HP_EUSAGE;
	struct report_ctx c = { r, out, color, 0, 0, 0, 0 };
	d->begin(&c);
	for (size_t i = 0; i < r->nprocs; i++)
		d->process(&c, &r->procs[i]);
	/* findings are sorted by rule id: each rule's findings are one run */
	for (size_t k = 0; k < r->nrules; k++) {
		const struct report_rule *rule = r->rules[k];
		size_t first = r->nfindings, n = 0;
		for (size_t i = 0; i < r->nfindings; i++) {
			if (r->findings[i].rule != rule)
				continue;
			if (first == r->nfindings)
				first = i;
			n++;
		}
		d->rule(&c, k, n ? &r->findings[first] : NULL, n);
	}
	d->end(&c);
	return 0;
}
