/*
 * rules.h - the one vocabulary of what hotplan reports: the severity of a
 * rule, a finding or an analyzer diagnostic, and the table of rules (a
 * stable id such as "HP101", a kebab-case name, a default severity, who
 * raises it, a one-line summary and a help text) that the planner's
 * findings, check's report, SARIF and JUnit all read.
 *
 * The rules are defined once, in rules.def; the enum and the table are
 * expanded from it. Ids never change meaning and are never reused: HP1xx
 * the planner's, HP2xx the simulator's, HP3xx the upgrade policy's.
 *
 * Invariant: the table has exactly one row per enum hp_rule, in enum
 * order, which is the order of the ids.
 */
#ifndef HOTPLAN_RULES_H
#define HOTPLAN_RULES_H

/* From least to most severe; a facts file writes them as severity_name(). */
enum severity { SEV_NOTE, SEV_WARNING, SEV_ERROR };

/* Who raises a rule: the planner's script and diff checks (planner/), or
 * the policy of 'hotplan check' applied to a simulated upgrade (upgrade/). */
enum rule_origin { RULE_PLANNER, RULE_POLICY };

enum hp_rule {
#define RULE(id, cname, name, sev, origin, summary, help) id##_##cname,
#include "rules.def"
#undef RULE
	RULE__COUNT
};

struct rule_info {
	const char *id;           /* "HP101" */
	const char *name;         /* "removed-export-referenced" */
	enum severity severity;   /* default severity */
	enum rule_origin origin;
	const char *summary;      /* one line, for tables and SARIF shortDescription */
	const char *help;         /* what it means and what to do, a few sentences */
};

/* The rule's row of the static table; NULL for a value out of range. */
const struct rule_info *rule_info(enum hp_rule rule);
/* Looks a rule up by id ("HP101") or name; returns 0 and sets *out, or -1. */
int rule_lookup(const char *id_or_name, enum hp_rule *out);
/* "error", "warning" or "note" (also SARIF's level words). */
const char *severity_name(enum severity sev);

#endif
