/*
 * upgrade.h - inside output/: the pipeline that 'hotplan check' and
 * 'hotplan graph OLD NEW' share (its public
 * face is in output.h): plan the upgrade (planner/plan.h), choose purge
 * methods (soft, brutal, or auto from a simulation), simulate the script on the runtime
 * (simulator/sim.h), and turn the result into graph annotations and report
 * entries.
 *
 * Ownership: a struct upgrade points into the two facts, which must outlive
 * it; everything else (plan, runtime built from the facts, script terms,
 * simulation, annotations) is its own and freed by upgrade_free().
 *
 * Invariant: the script simulated is the script reported and compared
 * (--against): upgrade.script_term; with purge auto it is the plan's script
 * with each module's load/remove purge methods replaced by the choice made
 * for it, nothing else changed.
 */
#ifndef HOTPLAN_UPGRADE_H
#define HOTPLAN_UPGRADE_H

#include <stddef.h>
#include "facts.h"
#include "instr.h"
#include "output.h"
#include "plan.h"
#include "runtime.h"
#include "sim.h"
#include "term.h"
#include "util.h"

struct upgrade {
	struct arena arena;
	const struct facts *old, *new;
	struct plan plan;
	int planned;
	struct runtime *rt;
	int rt_from_facts;         /* rt was built from OLD, not read */
	const char *runtime_path;  /* ... or read from this file */
	struct term *script_term;  /* the script simulated (a proper list) */
	struct script script;      /* ... decoded */
	struct sim_report sim;
	int simulated;
	struct purge_choice *choices; size_t nchoices;  /* auto only */
};

/* Internal to output/: the script's instruction k (0-based) as text, or
 * "make_permanent" for k == script length. */
const char *upgrade_instr_text(struct upgrade *u, size_t k);

#endif
