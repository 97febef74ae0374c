/*
 * policy.c - the check policy read from hotplan.config (model/config.h).
 *
 * Kept apart from the rest of check because config.h and the simulator's
 * instr.h both define PURGE_SOFT/PURGE_BRUTAL: a file may include one of
 * them, and this is the one that includes config.h.
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

/* Whether the file names {purge, _} itself (config_init's default is soft,
 * but hotplan's default, as plan's and OTP's, is brutal). */
static int names_purge(const char *path)
{
	struct arena a;
	struct term **terms;
	size_t n;
	struct errbuf err;
	int found = 0;
	arena_init(&a);
	if (!term_consult_file(&a, path, &terms, &n, &err))
		for (size_t i = 0; i < n; i++)
			if (term_is_tagged(terms[i], "purge", 2))
				found = 1;
	arena_release(&a);
	return found;
}

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
	if (!path || rc || !names_purge(path))
		p->purge = POLICY_PURGE_BRUTAL;
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
