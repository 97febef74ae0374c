/*
 * policy.c - the check policy read from hotplan.config (model/config.h).
 *
 * Kept apart from the rest of check because config.h and the simulator's
 * instr.h both define PURGE_SOFT/PURGE_BRUTAL: a file may include one of
 * them, and this is the one that includes config.h.
 *
 * Invariant: a policy always holds valid values (defaults when no file, or
 * the file's when it was read whole).
 */
#include "output.h"

#include <stdlib.h>

#include "config.h"

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
