/*
 * rules.c - the rule table expanded from rules.def, and the names of the
 * severities (rules.h).
 *
 * Invariant: rule_table has exactly one row per enum hp_rule, in enum
 * order, because both are expanded from the same rules.def.
 */
#include "rules.h"

#include <string.h>

static const struct rule_info rule_table[RULE__COUNT] = {
#define RULE(id, cname, name, sev, origin, summary, help) \
	{ #id, name, sev, origin, summary, help },
#include "rules.def"
#undef RULE
};

const struct rule_info *rule_info(enum hp_rule rule)
{
	return (unsigned)rule < RULE__COUNT ? &rule_table[rule] : NULL;
}

int rule_lookup(const char *id_or_name, enum hp_rule *out)
{
	for (size_t i = 0; i < RULE__COUNT; i++) {
		if (!strcmp(rule_table[i].id, id_or_name) || !strcmp(rule_table[i].name, id_or_name)) {
			*out = (enum hp_rule)i;
			return 0;
		}
	}
	return -1;
}

const char *severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	case SEV_NOTE: return "note";
	}
	return "note";
}
