/*
 * procs.h - which processes a module has, as OTP's release handler sees them.
 *
 * In OTP, {suspend, [M]} reaches the supervised processes whose child spec
 * Modules list names M: for a gen_server, its callback module. hotplan reads
 * a C thread the same way (DESIGN.md §3): the thread started at entry point
 * E of module S runs S's code, and when its loop calls through the export
 * table (next_call qualified), each module it reaches that way is one of its
 * callback modules. So the process's Modules list is
 *
 *     [S] ++ sorted(unique(modules S calls through the export table))
 *
 * where "calls through the export table" are S's REF_QUALIFIED references.
 * (The facts keep references per module, not per function, so every
 * qualified target of S counts for each of S's qualified entries; a module
 * whose local-loop threads never dispatch does not gain callbacks.)
 *
 * A module "has processes" when some process names it in its Modules list:
 * that is what decides between {update, ...} and load_module (DESIGN.md §6),
 * and what the runtime built from facts puts in each child spec.
 */
#ifndef HOTPLAN_PROCS_H
#define HOTPLAN_PROCS_H

#include "facts.h"
#include "util.h"

struct proc_ref {
	const struct module *module;  /* where the entry point is defined */
	const struct entry *entry;
	const char **modules;         /* the Modules list, as above */
	size_t nmodules;
};

struct procs_index {
	struct arena arena;
	struct proc_ref *procs;       /* every entry of every module, in facts order */
	size_t nprocs;
	struct strmap by_module;      /* module name -> struct procs_list * */
};

/* Builds the index of f (which must outlive it). */
void procs_index_init(struct procs_index *ix, const struct facts *f);
void procs_index_release(struct procs_index *ix);

/* The processes whose Modules list names module, in facts order; *n is
 * their number (0 and NULL when none). */
const struct proc_ref *const *procs_of_module(const struct procs_index *ix,
					      const char *module, size_t *n);

/* The Modules list of one entry of module m (arena-allocated). */
size_t procs_entry_modules(struct arena *a, const struct module *m,
			   const struct entry *e, const char ***out);

#endif
