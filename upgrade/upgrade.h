/*
 * upgrade.h - the one path from two trees' facts to what an upgrade does:
 * plan (planner/plan.h), purge choice (soft, brutal, or auto from
 * simulations), simulation of the script on the running system
 * (simulator/sim.h), the policy of hotplan.config applied to the result,
 * and the results every renderer reads: the annotations of the module
 * graph and the report of findings and processes. 'hotplan check',
 * 'hotplan graph OLD NEW' and 'hotplan plan --purge auto' all go through
 * here; output/ only renders what comes out.
 *
 * The analysis is not here: the caller hands over the facts of both trees
 * (this folder includes no analyzer and no output header).
 *
 * Ownership: a struct upgrade points into the two facts, which must outlive
 * it; everything else (plan, runtime, script terms, simulation, results) is
 * its own and freed by upgrade_free().
 */
#ifndef HOTPLAN_UPGRADE_H
#define HOTPLAN_UPGRADE_H

#include <stddef.h>
#include "config.h"
#include "facts.h"
#include "instr.h"
#include "plan.h"
#include "rules.h"
#include "util.h"

/* ---- results for the graph -------------------------------------------------- */

/* Kinds of change of a module between OLD and NEW (bits). */
enum graph_change {
	GC_ADDED = 1,
	GC_REMOVED = 2,
	GC_BODY = 4,       /* function bodies or initializers */
	GC_EXPORTS = 8,    /* exports added, removed, or changed in signature/linkage */
	GC_STATE = 16,     /* layout of a state type */
	GC_FLAGS = 32,     /* compile flags */
};

/* What the plan does to one module. */
struct graph_note {
	const char *module;
	unsigned change;      /* GC_* bits; 0: unchanged */
	unsigned order;       /* 1-based position of its load/remove in the script; 0: none */
	const char *action;   /* "load", "update soft", "update advanced", "add",
			       * "delete", or NULL */
	const char *purge;    /* "soft_purge", "brutal_purge" or NULL */
};

/* A process the simulation predicts killed. */
struct graph_kill {
	const char *process;  /* its name (entry point, or runtime name) */
	const char *module;   /* the module whose old code it was running */
	unsigned instr;       /* 1-based index of the killing instruction; 0: not
			       * an instruction of the script (make_permanent) */
	const char *instr_text; /* that instruction ("{load,{sip,...}}",
				 * "make_permanent"), or NULL */
};


/* ---- results for the report ------------------------------------------------- */

/*
 * What 'hotplan check' found, in a form every report driver reads.
 * upgrade_assess() fills it from the plan, the simulation and the policy;
 * strings and arrays are the filler's and must outlive the calls.
 */
/* Findings that say one thing together (the references loaded out of
 * order inside one dependency cycle): the text report shows the group's
 * message once, SARIF and JUnit each finding. */
struct report_group {
	const char *message;    /* git style, naming what the group holds */
	size_t nfindings;       /* the findings that point to it */
};

/* One occurrence of a rule. */
struct report_finding {
	const struct rule_info *rule;  /* a row of rules.h's table */
	enum severity severity;
	int forbidden;          /* the policy forbids it (makes check exit 1) */
	const char *module;     /* or NULL */
	const char *symbol;     /* or NULL */
	const char *message;    /* git style: lower case, no full stop */
	struct loc loc;         /* where to look in the C sources; file NULL: unknown */
	const struct report_group *group; /* or NULL */
};

/* A process of the running system and what the upgrade does to it. */
struct report_process {
	const char *pid;        /* "<0.3.0>" */
	const char *name;       /* "worker:worker_main" */
	int killed;
	int touched;            /* something happens to it, or it stays in old code */
	const char *what;       /* one line: what happens to it ("killed at #9
				 * {load,...}: it runs old code of sip") */
	struct loc loc;         /* its entry point's definition, if known */
};

struct report {
	const char *tool_version;
	const char *old_root, *new_root;
	const char *srcroot;    /* absolute folder SARIF paths are relative to: the
				 * source root NEW's facts record, or NULL */
	/* every rule the run could report, in id order (SARIF's rules table,
	 * JUnit's test cases); each finding's rule must be among them */
	const struct rule_info *const *rules; size_t nrules;
	/* sorted by (rule id, module, symbol, message) */
	const struct report_finding *findings; size_t nfindings;
	const struct report_process *procs; size_t nprocs;  /* in runtime order */
	const char *const *steps; size_t nsteps;  /* what the upgrade does, for people */
	const char *const *purge_notes; size_t npurge_notes; /* each purge choice explained */
	const char *against_diff;  /* --against: the difference, or NULL */
	const char *no_process;    /* the runtime built from OLD has no process:
				    * why, and how to tell hotplan; else NULL */
	size_t max_killed;
	int forbidden;          /* the verdict: the policy forbids the upgrade */
};

/* ---- the upgrade policy of hotplan.config ------------------------------------------ */

/* The settings of hotplan.config that 'check' applies to an upgrade (the
 * analyzer reads the rest itself). */
struct upgrade_policy {
	long max_killed;          /* {max_killed, N}: default 0 */
	enum purge_method purge;  /* {purge, soft|brutal|auto}: default brutal,
				   * as 'hotplan plan' and OTP */
	const char *app;          /* {app, Name}: default "app"; points into the
				   * config, or is static */
};

/* Fills p from cfg, a config read once by the command (NULL: the defaults);
 * p points into cfg, which must outlive it. */
void upgrade_policy_init(struct upgrade_policy *p, const struct hp_config *cfg);

/* ---- the upgrade pipeline shared by check and graph ------------------------------ */

/*
 * Plan, purge choice and simulation behind an opaque handle
 * (upgrade_int.h has its insides, upgrade.c the code).
 */
struct upgrade;
struct runtime;
struct term;

struct upgrade_options {
	enum purge_method purge;   /* soft, brutal, or auto: purge_auto() chooses */
	const struct runtime *runtime; /* the running system in memory (a snapshot;
				    * borrowed: it must outlive the upgrade) */
	const char *runtime_name;  /* ... what the report calls it */
	const char *runtime_path;  /* else a hotplan-runtime file; NULL: built from OLD */
	const char *app;           /* application name (NULL: "app") */
	const char *vsn;           /* the new version (NULL: the planner's "2.0") */
	const char *from_vsn;      /* the old version (NULL: the planner's "1.0") */
	int until_permanent;       /* simulate make_permanent after the install */
};

/*
 * Plans old -> new (both must outlive the upgrade), chooses purges, takes,
 * reads or builds the runtime and simulates. *out is always set and must be freed
 * with upgrade_free(). Returns 0, or HP_EINPUT/HP_EIO with err set (the
 * planner refused the appup, the runtime file is bad).
 */
int upgrade_run(struct upgrade **out, const struct facts *old, const struct facts *new,
		const struct upgrade_options *opt, struct errbuf *err);
void upgrade_free(struct upgrade *u);

/* The simulated script, one instruction per line ending with '.', as
 * 'hotplan plan' writes it. */
void upgrade_write_script(const struct upgrade *u, struct strbuf *out);

/* The annotations of graph_spec: a note per module the plan touches (kinds
 * of change, position of its load/remove in the script, action, purge), and
 * the first kill of every process killed. Arrays owned by u. */
void upgrade_graph_notes(struct upgrade *u, struct graph_note **notes, size_t *nnotes,
			 struct graph_kill **kills, size_t *nkills);

/* The purge method chosen for one module loaded or removed by a script. */
struct purge_choice {
	const char *module;
	int brutal;               /* 1: brutal_purge, 0: soft_purge */
	size_t nholders;          /* processes that hold its old code */
	const char *why;          /* one sentence for people */
};

/*
 * DESIGN.md §6 step 4, purge auto: soft, unless the simulation shows that
 * the module's old code is held only by processes their supervisors
 * restart within their intensity; then brutal (the holders are killed and
 * come back in the new code, instead of lingering in the old code).
 *
 * sc is a decoded script (instr.h; plan.up_script decoded). The modules of
 * its load and remove instructions are decided in script order, greedily:
 * M becomes brutal only if the
 * simulation of the script with the choices so far and M brutal (up to
 * make_permanent, where brutal PostPurge kills) kills at least one process
 * in M's code, every process killed is restarted, no supervisor gives up,
 * no application stops and the upgrade is not refused. Every other module
 * stays soft. For 'hotplan plan --purge auto' as much as for check.
 *
 * *out is the rewritten script (only purge methods differ; each load or
 * remove rewritten has a term of its own; out may be sc) and *choices (n
 * entries, script order) says what was chosen and why; all in arena a.
 */
void purge_auto(struct arena *a, const struct script *sc, const struct runtime *rt,
		struct script *out, struct purge_choice **choices, size_t *n);

/*
 * 'hotplan plan --purge auto' (DESIGN.md §6 step 4), as check chooses: plans
 * with soft_purge into first, lets purge_auto() simulate each script on the
 * runtime built from the facts of the version it runs on (OLD for the
 * upgrade, NEW for the downgrade, application opt->app), plans again into p
 * with its per-module choices (so the appup and the explanations carry
 * them), and puts in p the scripts it rewrote (so plan and check print the
 * same script, add_module and delete_module included, whose purge an appup
 * cannot carry). opt->purge and the choices are set on the way. Terms of
 * the choices live in a and share terms with first, which the caller
 * releases after p (plan_release; a zeroed plan when this fails early is
 * fine). Returns 0, or the planner's HP_EINPUT (err set).
 */
int upgrade_plan_auto(struct plan *p, struct plan *first, const struct facts *old,
		      const struct facts *new, struct plan_options *opt, struct arena *a,
		      struct errbuf *err);

/* ---- assessing: from an upgrade to a report --------------------------------------- */

struct assess_options {
	size_t max_killed;        /* kills tolerated */
	const char *against_file; /* --against: the committed plan's name, or NULL */
	const char *against;      /* ... and its text */
	size_t against_len;
	const char *tool_version;
};

/*
 * Applies the policy (DESIGN.md §5, hotplan check --help) to a simulated
 * upgrade and fills r: rules (the planner's and check's), findings (kills
 * above max_killed, a refused upgrade, parse failures, a differing
 * committed plan, every planner finding of severity error - a state change
 * without transformer, a removed or retyped export still referenced, ... -
 * and a cycle through process modules; the planner's other findings as
 * warnings), every
 * process with what happens to it, the upgrade's steps, the purge choices,
 * the difference from the committed plan, and the verdict. Everything r
 * points to is owned by u. Returns 0, or HP_EINPUT when the committed plan
 * does not parse (err says where).
 */
int upgrade_assess(struct upgrade *u, const struct assess_options *opt, struct report *r,
		   struct errbuf *err);

/*
 * The report of a check whose trees could not be analyzed (a parse
 * failure): one HP303 finding carrying message; arrays in arena a.
 */
void upgrade_assess_parse_failure(struct arena *a, const char *message,
				  const char *tool_version, struct report *r);

#endif
