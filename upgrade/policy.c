/*
 * policy.c - the check policy read from hotplan.config (model/config.h),
 * and the rules of check's own findings (HP3xx).
 *
 * Also the default analysis cache folder of check and graph.
 *
 * Invariant: a policy always holds valid values (defaults when no file, or
 * the file's when it was read whole).
 */
#include "upgrade.h"

#include <stdlib.h>

#include "config.h"
#include "term.h"

int check_policy_read(const char *path, struct check_policy *p, struct errbuf *err)
{
	struct hp_config cfg;
	int rc = 0;
	config_init(&cfg);
	if (path)
		rc = config_read_file(&cfg, path, err);
	p->max_killed = cfg.max_killed;
	p->purge = cfg.purge;
	p->app = xstrdup(cfg.app ? cfg.app : "app");
	config_release(&cfg);
	return rc;
}

void check_policy_release(struct check_policy *p)
{
	free(p->app);
	p->app = NULL;
}

char *check_default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct strbuf sb = STRBUF_INIT;
	if (xdg && xdg[0] == '/')
		sb_addf(&sb, "%s/hotplan", xdg);
	else if (home && home[0] == '/')
		sb_addf(&sb, "%s/.cache/hotplan", home);
	else
		sb_adds(&sb, ".hotplan-cache");
	return sb_detach(&sb, NULL);
}

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
