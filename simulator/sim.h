/*
 * sim.h - the simulator: OTP's release handler executing low-level scripts
 * on a modeled VM (DESIGN.md §7, SEMANTICS.md §1, §3, §5), and what it
 * predicts.
 *
 * Use:
 *   struct sim *s = sim_new(rt, &opts);     // rt is read, never changed
 *   for each script: sim_run_script(s, &script);
 *   sim_finish(s);                          // make_permanent with --until permanent
 *   const struct sim_outcome *o = sim_outcome(s);
 *   sim_free(s);
 * or sim_run() for all of it, including the race alternative (below).
 *
 * The model, in short (the full rules are in sim.c's opening comment):
 *  - Time: no process moves while an instruction runs. Between two
 *    instructions every live, unsuspended process takes one step: a
 *    qualified process moves its top frame to the current version of that
 *    frame's module (undef if it has none); a process holding a fun whose
 *    code was purged (during the upgrade or before it: the runtime may give
 *    funs of versions already purged) calls it in that step and dies of
 *    badfun, unless it is blocked. Effects of a step are reported at the instruction before it.
 *  - Clock (for restart intensity): instructions take no time; a process
 *    that does not answer suspend costs the suspend timeout plus 5 s for the
 *    resume attempt; make_permanent and the next upgrade follow at once.
 *    So kills inside one upgrade count together, as they do on a real node.
 *  - Restarts inside a load's pre-purge race with the load (SEMANTICS.md
 *    §4.7). SEMANTICS.md saw the first child restarted by that purge start
 *    in the previous version (gen_servers); the conformance suite sees
 *    plain and proc_lib workers start in the new one. So every such
 *    restart is a race: the primary run starts them in the previous
 *    version (which becomes old at once, so they linger and the next purge
 *    kills them again); sim_run() then runs the alternative (every racing
 *    restart in the new version) and reports both.
 *  - A C program's threads run while the installer works (a runtime with a
 *    text version, docs/semantics.md 5.1): a busy qualified loop may step
 *    before a load's own soft purge, and a thread restarted by the previous
 *    instruction may call into the loaded module only after the load. Each
 *    is a STEP_RACE event; the alternative run takes the other side.
 *
 * Outcomes never depend on hash order: processes are visited in runtime
 * order, modules in script order.
 */
#ifndef HOTPLAN_SIM_H
#define HOTPLAN_SIM_H

#include <stddef.h>
#include <stdint.h>
#include "facts.h"
#include "instr.h"
#include "runtime.h"
#include "util.h"

enum sim_until { SIM_UNTIL_INSTALL, SIM_UNTIL_PERMANENT };

struct sim_options {
	enum sim_until until;  /* make every upgrade permanent after installing it */
	int race_new;          /* racing restarts start in the new version */
	int race_steps;        /* racing C threads step first (STEP_RACE) */
};

/* The events, reasons and results are defined in sim_names.def. */
enum sim_event_kind {
#define SIM_EVENT(id, name) SIM_EV_##id,
#define SIM_REASON(id, name)
#define SIM_RESULT(id, name)
#include "sim_names.def"
#undef SIM_EVENT
#undef SIM_REASON
#undef SIM_RESULT
	SIM_EV__COUNT
};

enum sim_reason {
#define SIM_EVENT(id, name)
#define SIM_REASON(id, name) SIM_R_##id,
#define SIM_RESULT(id, name)
#include "sim_names.def"
#undef SIM_EVENT
#undef SIM_REASON
#undef SIM_RESULT
	SIM_R__COUNT
};

/* Where an event happened: which instruction of which upgrade. */
struct sim_event {
	enum sim_event_kind kind;
	enum sim_reason reason;
	uint32_t script;     /* index of the upgrade (script) */
	uint32_t instr;      /* index in the script; == script length for make_permanent */
	int32_t proc;        /* runtime process index or -1 */
	int32_t sup;         /* supervisor index or -1 */
	int32_t module;      /* sim module index or -1 */
	int32_t version;     /* RESTARTED/STARTED: version of its start module */
	int32_t alt_version; /* RESTARTED in a race: the other possible version, else -1 */
	uint8_t in_step;     /* happened in the step after the instruction */
	uint8_t order_race;  /* RESTARTED, then its supervisor gave up in the same
			      * purge: which of the children killed together was
			      * restarted first is not fixed on a real node */
	uint8_t permanent;   /* happened in make_permanent */
	enum instr_op via;   /* the instruction that caused it */
};

enum sim_result_kind {
#define SIM_EVENT(id, name)
#define SIM_REASON(id, name)
#define SIM_RESULT(id, name) SIM_RES_##id,
#include "sim_names.def"
#undef SIM_EVENT
#undef SIM_REASON
#undef SIM_RESULT
	SIM_RES__COUNT
};

struct sim_unpurged {
	int32_t module;
	enum purge_method method;
};

/* What one upgrade returned. */
struct sim_result {
	const struct script *script; /* the script run (not owned) */
	enum sim_result_kind kind;
	char *reason;            /* the Reason term as Erlang text, or NULL */
	int32_t old_processes;   /* {error,{old_processes,M}}: M, else -1 */
	struct sim_unpurged *unpurged; /* eval_script's Unpurged (kind OK) */
	size_t nunpurged;
	int node_restart;        /* the node restarts (install_release's reaction) */
};

struct sim_outcome {
	struct sim_event *events;
	size_t nevents;
	struct sim_result *results; /* one per script given */
	size_t nresults;
	size_t killed;             /* KILLED events */
	int race;                  /* some restart raced with a load */
	int order_race;            /* some restart is flagged order_race */
	size_t step_races;         /* STEP_RACE events */
	int node_down;
	struct sim_unpurged *stored;  /* release_handler's unpurged list at the end */
	size_t nstored;
};

struct sim;

/* Creates a simulator on rt (which must outlive it and is not changed). */
struct sim *sim_new(const struct runtime *rt, const struct sim_options *opt);
void sim_free(struct sim *s);

/* Installs one upgrade (eval_script + install_release bookkeeping; with
 * --until permanent also make_permanent). Scripts must outlive s. */
void sim_run_script(struct sim *s, const struct script *sc);
/* The outcome so far; valid until the next call on s. */
const struct sim_outcome *sim_outcome(struct sim *s);

/* Names for output. */
const char *sim_module_name(const struct sim *s, int32_t m);
const char *sim_version_text(const struct sim *s, int32_t v, int *is_int);
size_t sim_module_count(const struct sim *s);
/* The final current and old version of module m (RT_NONE for none). */
void sim_module_versions(const struct sim *s, int32_t m, int32_t *cur, int32_t *old);
const struct runtime *sim_runtime(const struct sim *s);

/*
 * A whole prediction: the primary run and, when a restart raced with a
 * load, the alternative run (NULL otherwise).
 */
struct sim_report {
	struct sim *primary;
	struct sim *alternative;
};

void sim_run(const struct runtime *rt, const struct script *scripts, size_t n,
	     const struct sim_options *opt, struct sim_report *out);
void sim_report_release(struct sim_report *r);

/* Text and JSON renderings of a report (deterministic). */
void sim_write_text(struct sim_report *r, struct strbuf *out);
void sim_write_json(struct sim_report *r, struct strbuf *out);

const char *sim_event_name(enum sim_event_kind k);
const char *sim_reason_name(enum sim_reason r);
const char *sim_result_name(enum sim_result_kind k);

/*
 * The runtime of the old tree when no snapshot is given (DESIGN.md §4.3):
 * every module at version 1; one process per entry point, in its module's
 * current code, next_call from the entry; when the module has a state
 * transformer the process is sys-compliant and supervised, Modules =
 * [module], by one supervisor per application (the runtime has one
 * application, app_name, default "app"; intensity 1, period 5, permanent).
 * Pids are "<0.N.0>" in facts order; names "module:function".
 */
struct runtime *sim_runtime_from_facts(const struct facts *f, const char *app_name);

#endif
