/*
 * upgrade_int.h - inside upgrade/: the insides of a struct upgrade, shared
 * by the pipeline (upgrade.c) and the policy that turns it into a report
 * (assess.c). The public face is upgrade.h.
 *
 * Ownership: a struct upgrade points into the two facts and the runtime
 * given in memory, which must outlive it; everything else (plan, runtime
 * read or built from the facts, script terms, simulation, annotations) is
 * its own and freed by upgrade_free().
 *
 * Invariant: the script simulated is the script reported and compared
 * (--against): upgrade.script_term; with purge auto it is the plan's script
 * with each module's load/remove purge methods replaced by the choice made
 * for it, nothing else changed.
 */
#ifndef HOTPLAN_UPGRADE_INT_H
#define HOTPLAN_UPGRADE_INT_H

#include <stddef.h>
#include "facts.h"
#include "instr.h"
#include "plan.h"
#include "runtime.h"
#include "sim.h"
#include "term.h"
#include "upgrade.h"
#include "util.h"

struct upgrade {
	struct arena arena;
	const struct facts *old, *new;
	struct plan plan;
	int planned;
	const struct runtime *rt;  /* the running system simulated */
	struct runtime *rt_owned;  /* rt when the upgrade made it (read or built) */
	int rt_from_facts;         /* rt was built from OLD, not given */
	const char *runtime_name;  /* ... or what the report calls it (its file) */
	struct term *script_term;  /* the script simulated (a proper list) */
	struct script script;      /* ... decoded */
	struct sim_report sim;
	int simulated;
	struct purge_choice *choices; size_t nchoices;  /* auto only */
};

/* Internal to upgrade/: the script's instruction k (0-based) as text, or
 * "make_permanent" for k == script length. */
const char *upgrade_instr_text(struct upgrade *u, size_t k);

#endif
