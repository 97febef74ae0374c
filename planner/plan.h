/*
 * plan.h - from two facts to an upgrade plan (DESIGN.md §6): the diff, one
 * decision per module the upgrade touches, the appup, the upgrade and
 * downgrade scripts (translated by translate.h exactly as OTP does), and the
 * findings of the lints beyond OTP's checks.
 *
 * Usage (what 'hotplan plan' and 'hotplan check' do):
 *   struct plan_options opt;  plan_options_init(&opt);  opt.purge = ...;
 *   struct plan p;
 *   if (plan_build(&p, old, new, &opt, &err)) -> err.msg, nothing to release
 *   ... p.appup, p.up_script, p.down_script, p.findings, p.decisions ...
 *   plan_release(&p);
 *
 * Ownership: the plan points into both facts (names, symbols, locations),
 * which must outlive it; everything else (terms, strings, arrays) is in the
 * plan's arena and freed by plan_release(). The findings list owns its
 * strings: a caller that wants to keep it copies the struct findings and
 * zeroes p.findings before plan_release().
 *
 * Invariants of a built plan:
 *  - decisions hold exactly the modules added, removed or changed, in appup
 *    order: added modules, then changed ones, then removed ones, each group
 *    by name (translation then orders every dependency group itself);
 *  - a decision's deps are the other modules of the upgrade that the module
 *    references in the new version or referenced in the old one (DESIGN.md
 *    §6), by name, with one exception: a module that referenced a deleted
 *    module is not made to depend on it; the deleted module depends on it
 *    instead (PLAN_DEP_USER), so that it is removed after its users;
 *  - the up appup list and the down appup list have one instruction per
 *    decision; the down list undoes the up list (added <-> delete_module,
 *    removed <-> add_module, changed: the same instruction and Deps, which
 *    translation in mode dn runs in the reverse order);
 *  - findings are sorted (findings.h) and every output is deterministic.
 */
#ifndef HOTPLAN_PLAN_H
#define HOTPLAN_PLAN_H

#include <stddef.h>
#include "diff.h"
#include "facts.h"
#include "findings.h"
#include "instr.h"
#include "procs.h"
#include "term.h"
#include "translate.h"
#include "util.h"

/* A purge method chosen for one module (purge auto: upgrade/upgrade.h's
 * purge_auto() decides from a simulation). */
struct plan_purge_choice {
	const char *module;
	enum purge_method purge; /* PURGE_SOFT or PURGE_BRUTAL */
	const char *why;        /* one sentence, or NULL */
};

struct plan_options {
	/* PrePurge and PostPurge of every load (default PURGE_BRUTAL); with
	 * PURGE_AUTO, the per-module methods below, and soft for a module they
	 * do not name */
	enum purge_method purge;
	const char *app;        /* application owning the modules (default "app") */
	const char *vsn;        /* the new version (default "2.0") */
	const char *from_vsn;   /* the old version (default "1.0") */
	/* Per-module methods that replace purge for the modules they name, in
	 * the upgrade and in the downgrade (NULL, 0: none). Copied by
	 * plan_build. */
	const struct plan_purge_choice *up_purges; size_t nup_purges;
	const struct plan_purge_choice *down_purges; size_t ndown_purges;
};

/* The defaults above. */
void plan_options_init(struct plan_options *opt);
/* What the purge method (soft or brutal) means for every load and update
 * of a plan. */
const char *plan_purge_explain(enum purge_method purge);

enum plan_kind {
	PLAN_ADD_MODULE,      /* {add_module, M, Deps} */
	PLAN_DELETE_MODULE,   /* {delete_module, M, Deps} */
	PLAN_LOAD_MODULE,     /* {load_module, M, Pre, Post, Deps} */
	PLAN_UPDATE_SOFT,     /* {update, M, soft, Deps} */
	PLAN_UPDATE_ADVANCED, /* {update, M, {advanced, []}, Deps} */
};
/* "add_module", "delete_module", "load_module", "update_soft", "update_advanced" */
const char *plan_kind_name(enum plan_kind kind);

/*
 * Why a module is in another's Deps. PLAN_DEP_OLD / PLAN_DEP_NEW: the module
 * references the dependency in that version. PLAN_DEP_USER (only in the Deps
 * of a deleted module): the dependency referenced the deleted module in the
 * old version. That edge is turned round on purpose: with it as written
 * (user -> deleted), translation would remove the module before loading the
 * new version of its users, and their old code would call removed code in
 * between; turned round, the upgrade removes the module after its users
 * are replaced, and the downgrade adds it back before their old code
 * returns.
 */
enum { PLAN_DEP_OLD = 1, PLAN_DEP_NEW = 2, PLAN_DEP_USER = 4 };

struct plan_dep {
	const char *module;     /* a module of the same upgrade */
	size_t decision;        /* its index in plan.decisions */
	unsigned versions;      /* PLAN_DEP_OLD | PLAN_DEP_NEW | PLAN_DEP_USER */
	unsigned kinds;         /* OR of REF_* of the edges behind it */
};

struct plan_decision {
	const char *module;
	enum plan_kind kind;
	const struct mod_diff *diff;   /* into plan.diff */
	struct plan_dep *deps; size_t ndeps;
	struct term *up;        /* this module's instruction in the upgrade appup */
	struct term *down;      /* ... and in the downgrade appup */
	const char *why;        /* why the module changed and why this instruction */
	enum purge_method up_purge, down_purge; /* the method of its load_module or update:
						 * soft or brutal */
	const char *purge_why;  /* what the purge method means for this module */
};

struct plan {
	struct arena arena;
	const struct facts *old, *new;
	struct plan_options opt;       /* strings copied into the arena */
	struct diff diff;
	struct plan_decision *decisions; size_t ndecisions;
	size_t group_start[4];         /* decisions[group_start[g]..group_start[g+1]):
					* added, changed, removed (plan_decision) */
	struct term *up_instrs;        /* the appup's upgrade instructions (a list) */
	struct term *down_instrs;      /* ... its downgrade instructions */
	struct term *appup;            /* {Vsn, [{FromVsn, Up}], [{FromVsn, Down}]} */
	struct term *up_script;        /* low-level, translate_scripts(up) */
	struct term *down_script;      /* low-level, translate_scripts(dn) */
	struct findings findings;
	/* The processes of each tree, by the modules their child specs name
	 * (model/procs.h): a module has processes when a thread starts in it
	 * or dispatches to it through the export table. */
	struct procs_index procs_old, procs_new;
};

/*
 * Plans the upgrade old -> new into p (caller storage). Returns 0, or
 * HP_EINPUT when translation refuses the appup (err says why; p is then
 * released). A plan is produced whatever the findings say: they are for the
 * caller's policy. Deterministic; linear in the size of the facts apart
 * from translation and sorting.
 */
int plan_build(struct plan *p, const struct facts *old, const struct facts *new,
	       const struct plan_options *opt, struct errbuf *err);
void plan_release(struct plan *p);

/*
 * Replaces the plan's scripts with up and down (either may be NULL: kept),
 * e.g. the scripts purge auto rewrote from the plan's own, whose purge
 * methods of add_module and delete_module an appup cannot carry. The terms
 * are not copied: they must outlive the plan. Findings are not recomputed
 * (purge methods change none of them).
 */
void plan_replace_scripts(struct plan *p, struct term *up, struct term *down);

/* The decision about module (binary search over names); NULL if untouched. */
const struct plan_decision *plan_decision(const struct plan *p, const char *module);

/*
 * The script lints beyond OTP's checks, usable on any decoded low-level
 * script (model/instr.h), e.g. a hand-written one given to 'check --against'.
 * from is the facts of the version the script replaces, target of the one
 * it installs (for a downgrade script: NEW and OLD); either may be NULL, and
 * the lints that need it are skipped.
 *  - HP104: a code_change names a module no earlier suspend of the script
 *    suspended;
 *  - HP105, loads (mode TR_UP only: a downgrade loads dependent modules
 *    first on purpose): a load of M comes before the load of a module that
 *    M references in target;
 *  - HP105, removals (both modes): a remove of D comes before the load of a
 *    module that referenced D in from: in between, its old code can call
 *    the removed code.
 * Appends to out; does not sort it.
 */
void plan_lint_script(const struct script *sc, enum tr_mode mode, const struct facts *from,
		      const struct facts *target, struct findings *out);

/* ---- outputs --------------------------------------------------------------- */

enum plan_erlang_what { PLAN_OUT_UP, PLAN_OUT_DOWN, PLAN_OUT_APPUP };

/* The upgrade script, the downgrade script or the appup, one whole term per
 * line ending with '.', as file:consult/1 reads them. */
void plan_write_erlang(const struct plan *p, enum plan_erlang_what what, struct strbuf *out);
/* {Vsn, [{FromVsn, [], Up}], [{FromVsn, [], Down}]}. : a relup. */
void plan_write_relup(const struct plan *p, struct strbuf *out);
/* {"format": "hotplan-plan", "version": 1, ...}: options, summary, decisions
 * (instruction, changes, deps, explanations), appup, up and down scripts
 * (each instruction as Erlang text), findings. */
void plan_write_json(const struct plan *p, struct strbuf *out);
/* For people: every decision with its reasons, the order of the upgrade
 * script step by step with why, the purge, the findings, and both scripts. */
void plan_write_text(const struct plan *p, struct strbuf *out);

#endif
