/*
 * fixture.h - facts built in C for the planner's unit tests and bench: small
 * hand-made releases, a synthetic code base of any size, and the lints of a
 * script term (fx_lint_script).
 *
 * A fixture facts has room for FX_MAX modules and FX_MAX items of each kind
 * per module (allocated up front in the facts' arena, so pointers returned
 * by fx_mod stay valid while more is added). Call facts_finish() when done
 * (fx_finish), exactly as the analyzer does, so the facts.h invariants hold.
 * Hashes are derived from strings: two versions that give a symbol the same
 * body text get the same hash, which is how a test says "unchanged".
 */
#ifndef HOTPLAN_TEST_FIXTURE_H
#define HOTPLAN_TEST_FIXTURE_H

#include "facts.h"
#include "findings.h"
#include "plan.h"
#include "translate.h"

#define FX_MAX 32

struct facts *fx_new(const char *root);
/* Adds module name with one file "src/<name>.c". */
struct module *fx_mod(struct facts *f, const char *name);
/* An exported function with signature sig and body text body. */
void fx_fn(struct facts *f, struct module *m, const char *name, const char *sig, const char *body);
/* A static function. */
void fx_static_fn(struct facts *f, struct module *m, const char *name, const char *sig,
		  const char *body);
/* An exported variable of type type with initializer init. */
void fx_var(struct facts *f, struct module *m, const char *name, const char *type, const char *init);
/* m refers to symbol of module target (REF_CALL etc.), from function from. */
void fx_ref(struct facts *f, struct module *m, const char *target, const char *symbol,
	    unsigned kind, const char *from);
/* A process: a thread started at function of m by pthread_create. */
void fx_entry(struct facts *f, struct module *m, const char *function);
/* A state type with a layout text. */
void fx_state(struct facts *f, struct module *m, const char *name, const char *layout);
void fx_transformer(struct facts *f, struct module *m, const char *name);
/*
 * A small release that needs every kind of instruction (the modules of
 * version 1.0, or of 2.0 if v2): alpha unchanged; codec load_module; conn
 * update advanced; sess update soft; worker load_module with processes;
 * auth added; legacy removed. fixture.c describes it.
 */
void fx_release(struct facts *f, int v2);
/* Sorts and builds the edges (facts_finish). */
void fx_finish(struct facts *f);

/*
 * A synthetic code base of any size, for the planner's bench
 * (bench/planner/bench_plan.c) and tests (tests/planner/test_depgraph.c).
 * Deterministic: a fixed linear congruential generator, no clock, no
 * address in any name. modules modules "m000000"..., each exporting one
 * function and referring to about edges/modules functions of modules with a
 * smaller index (a layered code base, mostly a DAG), plus one reference in
 * a hundred going the other way (small cycles). One module in a hundred
 * starts a thread and has a state transformer. In version 2 (v2 set),
 * percent percent of the modules change (a body; one in ten of those also a
 * state layout), 0.5% are added and 0.5% removed. Returns finished facts
 * (facts_finish), owned by the caller. Not limited by FX_MAX.
 */
struct fx_synth {
	size_t modules, edges;
	unsigned percent;    /* below 100 */
};
struct facts *fx_synthetic(const struct fx_synth *spec, int v2);

/* plan_lint_script() of a script term (a proper list of instructions, as
 * the planner writes them), decoded first; aborts with the decoder's
 * message when it does not decode. */
void fx_lint_script(const struct term *script, enum tr_mode mode, const struct facts *from,
		    const struct facts *target, struct findings *out);

/* Whether the plan's own script findings (HP104, HP105, in order) are
 * exactly those plan_lint_script() finds again on its up and down
 * scripts: same rules, same messages. *n gets how many the plan has.
 * Returns 1 when they agree, else 0 and *why says where they part. */
int fx_script_findings_agree(const struct plan *p, size_t *n, const char **why);

#endif
