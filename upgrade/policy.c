/*
 * policy.c - the upgrade policy of hotplan.config (model/config.h): how
 * many kills 'check' tolerates, the default purge method and the
 * application, from the config the command read once.
 *
 * Invariant: a policy always holds valid values (the defaults when there
 * is no config, the config's otherwise, which config_init started from
 * the same defaults).
 */
#include "upgrade.h"

void upgrade_policy_init(struct upgrade_policy *p, const struct hp_config *cfg)
{
	struct hp_config defaults;
	if (!cfg) {
		config_init(&defaults);
		p->max_killed = defaults.max_killed;
		p->purge = defaults.purge;
		config_release(&defaults);
		p->app = "app";
		return;
	}
	p->max_killed = cfg->max_killed;
	p->purge = cfg->purge;
	p->app = cfg->app ? cfg->app : "app";
}
