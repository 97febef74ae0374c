/*
 * policy.c - the check policy read from hotplan.config (model/config.h).
 *
 * Also the default analysis cache folder of check and graph.
 *
 * Invariant: a policy always holds valid values (defaults when no file, or
 * the file's when it was read whole).
 */
#include "output.h"

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
	p->purge = cfg.purge == PURGE_AUTO ? POLICY_PURGE_AUTO :
		   cfg.purge == PURGE_BRUTAL ? POLICY_PURGE_BRUTAL : POLICY_PURGE_SOFT;
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
