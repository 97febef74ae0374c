/*
 * fixture.c - facts built in C for the planner's unit tests and bench
 * (fixture.h).
 *
 * Invariant: every array of a fixture module is allocated with FX_MAX slots
 * when the module is created, so adding never moves anything. The synthetic
 * code base (fx_synthetic) sizes its arrays exactly instead: it is built in
 * one pass, and may have 100,000 modules.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct facts *fx_new(const char *root)
{
	struct facts *f = facts_new();
	f->root = arena_strdup(&f->arena, root);
	f->modules = arena_zalloc(&f->arena, FX_MAX * sizeof(*f->modules));
	return f;
}

static struct loc fx_loc(struct facts *f, const struct module *m, unsigned line)
{
	struct loc l = { m->files[0], line, 1 };
	(void)f;
	return l;
}

struct module *fx_mod(struct facts *f, const char *name)
{
	if (f->nmodules == FX_MAX)
		abort();
	struct module *m = &f->modules[f->nmodules++];
	struct arena *a = &f->arena;
	memset(m, 0, sizeof(*m));
	m->name = arena_strdup(a, name);
	m->files = arena_alloc(a, sizeof(*m->files));
	m->files[0] = arena_printf(a, "src/%s.c", name);
	m->nfiles = 1;
	m->hash = 0;
	m->exports = arena_zalloc(a, FX_MAX * sizeof(*m->exports));
	m->locals = arena_zalloc(a, FX_MAX * sizeof(*m->locals));
	m->refs = arena_zalloc(a, FX_MAX * sizeof(*m->refs));
	m->entries = arena_zalloc(a, FX_MAX * sizeof(*m->entries));
	m->states = arena_zalloc(a, FX_MAX * sizeof(*m->states));
	return m;
}

static void fx_sym(struct facts *f, struct module *m, int exported, enum sym_kind kind,
		   const char *name, const char *sig, const char *body)
{
	size_t *n = exported ? &m->nexports : &m->nlocals;
	struct symbol *s = exported ? &m->exports[*n] : &m->locals[*n];
	if (*n == FX_MAX)
		abort();
	(*n)++;
	memset(s, 0, sizeof(*s));
	s->name = arena_strdup(&f->arena, name);
	s->kind = kind;
	s->linkage = exported ? LINK_EXTERNAL : LINK_INTERNAL;
	s->signature = arena_strdup(&f->arena, sig);
	s->visibility = "default";
	s->sig_hash = hp_hash_str(sig);
	s->hash = body ? hp_hash_str(body) : 0;
	s->loc = fx_loc(f, m, 10 + (unsigned)(m->nexports + m->nlocals));
}

void fx_fn(struct facts *f, struct module *m, const char *name, const char *sig, const char *body)
{
	fx_sym(f, m, 1, SYM_FUNCTION, name, sig, body);
}

void fx_static_fn(struct facts *f, struct module *m, const char *name, const char *sig,
		  const char *body)
{
	fx_sym(f, m, 0, SYM_FUNCTION, name, sig, body);
}

void fx_var(struct facts *f, struct module *m, const char *name, const char *type, const char *init)
{
	fx_sym(f, m, 1, SYM_VARIABLE, name, type, init);
}

void fx_ref(struct facts *f, struct module *m, const char *target, const char *symbol,
	    unsigned kind, const char *from)
{
	if (m->nrefs == FX_MAX)
		abort();
	struct ref *r = &m->refs[m->nrefs++];
	memset(r, 0, sizeof(*r));
	r->symbol = arena_strdup(&f->arena, symbol);
	r->module = arena_strdup(&f->arena, target);
	r->kind = kind;
	r->from = arena_strdup(&f->arena, from);
	r->loc = fx_loc(f, m, 100 + (unsigned)m->nrefs);
}

void fx_entry(struct facts *f, struct module *m, const char *function)
{
	if (m->nentries == FX_MAX)
		abort();
	struct entry *e = &m->entries[m->nentries++];
	memset(e, 0, sizeof(*e));
	e->function = arena_strdup(&f->arena, function);
	e->spawner = "pthread_create";
	e->spawn_module = m->name;
	e->spawned_in = "start";
	e->next_call = NEXT_BLOCKED;
	e->blocking = "recv";
	e->loc = fx_loc(f, m, 50);
}

void fx_state(struct facts *f, struct module *m, const char *name, const char *layout)
{
	if (m->nstates == FX_MAX)
		abort();
	struct state_type *s = &m->states[m->nstates++];
	memset(s, 0, sizeof(*s));
	s->name = arena_strdup(&f->arena, name);
	s->layout = arena_strdup(&f->arena, layout);
	s->layout_hash = hp_hash_str(layout);
	s->loc = fx_loc(f, m, 5);
}

void fx_transformer(struct facts *f, struct module *m, const char *name)
{
	m->transformer = arena_strdup(&f->arena, name);
	fx_fn(f, m, name, "int (void *, const void *)", "transform");
}

void fx_finish(struct facts *f)
{
	facts_finish(f);
}

/*
 *   alpha   unchanged
 *   codec   changed body, no processes                     -> load_module
 *   conn    processes + transformer, struct conn re-laid   -> update advanced
 *           calls codec in v2, called legacy in v1
 *   sess    processes + transformer, same state, new body   -> update soft
 *           called codec in v1 only
 *   worker  processes, no transformer, new body             -> load_module
 *   auth    new in v2, calls codec                          -> add_module
 *   legacy  gone in v2                                      -> delete_module
 */
void fx_release(struct facts *f, int v2)
{
	struct module *m;
	m = fx_mod(f, "alpha");
	fx_fn(f, m, "alpha_run", "int (void)", "same");

	m = fx_mod(f, "codec");
	fx_fn(f, m, "codec_encode", "int (const char *)", v2 ? "encode v2" : "encode v1");

	m = fx_mod(f, "conn");
	fx_fn(f, m, "conn_main", "void *(void *)", v2 ? "loop v2" : "loop v1");
	fx_entry(f, m, "conn_main");
	fx_transformer(f, m, "conn_code_change");
	fx_state(f, m, "struct conn", v2 ? "int fd@0; int flags@4; size 8" : "int fd@0; size 4");
	if (v2)
		fx_ref(f, m, "codec", "codec_encode", REF_CALL, "conn_main");
	else
		fx_ref(f, m, "legacy", "legacy_check", REF_CALL, "conn_main");

	m = fx_mod(f, "sess");
	fx_fn(f, m, "sess_main", "void *(void *)", v2 ? "sess v2" : "sess v1");
	fx_entry(f, m, "sess_main");
	fx_transformer(f, m, "sess_code_change");
	fx_state(f, m, "struct sess", "int id@0; size 4");
	if (!v2)
		fx_ref(f, m, "codec", "codec_encode", REF_CALL, "sess_main");

	m = fx_mod(f, "worker");
	fx_fn(f, m, "worker_main", "void *(void *)", v2 ? "work v2" : "work v1");
	fx_entry(f, m, "worker_main");

	if (v2) {
		m = fx_mod(f, "auth");
		fx_fn(f, m, "auth_check", "int (void)", "auth");
		fx_ref(f, m, "codec", "codec_encode", REF_CALL, "auth_check");
	} else {
		m = fx_mod(f, "legacy");
		fx_fn(f, m, "legacy_check", "int (void)", "legacy");
	}
}

/* ---- the synthetic code base (fx_synthetic) ----------------------------------- */

/* The generator's state lives in the caller (no globals). */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

enum fate { KEPT, CHANGED, CHANGED_STATE, ADDED, REMOVED };

/* What happens to module i between the versions (same answer for both). */
static enum fate fate_of(const struct fx_synth *g, size_t i)
{
	uint64_t s = i * 0x9E3779B97F4A7C15ull + 7;
	unsigned r = (unsigned)(lcg(&s) % 1000);
	if (r < 5)
		return ADDED;
	if (r < 10)
		return REMOVED;
	if (r < 10 + g->percent * 10)
		return (r % 10) == 0 ? CHANGED_STATE : CHANGED;
	return KEPT;
}

struct facts *fx_synthetic(const struct fx_synth *g, int v2)
{
	struct facts *f = facts_new();
	struct arena *a = &f->arena;
	f->root = v2 ? "synthetic/v2" : "synthetic/v1";
	f->modules = arena_zalloc(a, g->modules * sizeof(*f->modules));
	size_t per = g->edges / g->modules;
	char **names = xmalloc(g->modules * sizeof(*names));
	char **funcs = xmalloc(g->modules * sizeof(*funcs));
	for (size_t i = 0; i < g->modules; i++) {
		names[i] = arena_printf(a, "m%06zu", i);
		funcs[i] = arena_printf(a, "m%06zu_f", i);
	}
	for (size_t i = 0; i < g->modules; i++) {
		enum fate fate = fate_of(g, i);
		if ((fate == ADDED && !v2) || (fate == REMOVED && v2))
			continue;
		int changed = v2 && (fate == CHANGED || fate == CHANGED_STATE);
		struct module *m = &f->modules[f->nmodules++];
		m->name = names[i];
		m->files = arena_alloc(a, sizeof(*m->files));
		m->files[0] = arena_printf(a, "src/%s.c", names[i]);
		m->nfiles = 1;
		m->hash = changed ? 2 : 1;
		m->exports = arena_zalloc(a, sizeof(*m->exports));
		m->nexports = 1;
		struct symbol *s = &m->exports[0];
		s->name = funcs[i];
		s->kind = SYM_FUNCTION;
		s->signature = "int (int)";
		s->visibility = "default";
		s->sig_hash = 1;
		s->hash = changed ? 2 * i + 2 : 2 * i + 1;
		s->loc.file = m->files[0];
		s->loc.line = 1;
		s->loc.col = 1;
		if (i % 100 == 7) {
			m->entries = arena_zalloc(a, sizeof(*m->entries));
			m->nentries = 1;
			m->entries[0].function = funcs[i];
			m->entries[0].spawner = "pthread_create";
			m->entries[0].spawn_module = names[i];
			m->transformer = funcs[i];
			m->states = arena_zalloc(a, sizeof(*m->states));
			m->nstates = 1;
			m->states[0].name = "struct st";
			m->states[0].layout = "int a@0; size 4";
			m->states[0].layout_hash = v2 && fate == CHANGED_STATE ? 2 : 1;
		}
		/* references: mostly to lower-indexed modules; the targets are the
		 * same in both versions, so the graph of kept modules does not move */
		m->refs = arena_zalloc(a, per * sizeof(*m->refs));
		uint64_t st = i + 1;
		for (size_t k = 0; k < per && i > 0; k++) {
			size_t j = (size_t)(lcg(&st) % i);
			if (k == 0 && i % 100 == 50 && i + 1 < g->modules)
				j = i + 1; /* a back edge: small cycles */
			enum fate tf = fate_of(g, j);
			if ((tf == ADDED && !v2) || (tf == REMOVED && v2))
				continue;
			struct ref *r = &m->refs[m->nrefs++];
			r->symbol = funcs[j];
			r->module = names[j];
			r->kind = REF_CALL;
			r->from = funcs[i];
			r->loc = s->loc;
		}
	}
	free(names);
	free(funcs);
	facts_finish(f);
	return f;
}

void fx_lint_script(const struct term *script, enum tr_mode mode, const struct facts *from,
		    const struct facts *target, struct findings *out)
{
	struct arena a;
	struct script sc;
	struct errbuf err = { "", 0 };
	struct term *one[1] = { (struct term *)script };
	arena_init(&a);
	if (script_decode(&a, "script", one, 1, &sc, &err)) {
		fprintf(stderr, "fx_lint_script: %s\n", err.msg);
		abort();
	}
	plan_lint_script(&sc, mode, from, target, out);
	arena_release(&a);
}

int fx_script_findings_agree(const struct plan *p, size_t *n, const char **why)
{
	struct findings fs;
	size_t k = 0;
	int agree = 1;
	*why = NULL;
	findings_init(&fs);
	fx_lint_script(p->up_script, TR_UP, p->old, p->new, &fs);
	fx_lint_script(p->down_script, TR_DN, p->new, p->old, &fs);
	findings_sort(&fs);
	for (size_t i = 0; i < p->findings.n; i++) {
		const struct finding *f = &p->findings.items[i];
		if (f->rule != HP104_CODE_CHANGE_NOT_SUSPENDED &&
		    f->rule != HP105_LOAD_OUT_OF_DEPENDENCY_ORDER)
			continue;
		if (agree && k >= fs.n)
			agree = 0, *why = "the plan has more script findings than the lint";
		else if (agree && (fs.items[k].rule != f->rule ||
				   strcmp(fs.items[k].message, f->message)))
			agree = 0, *why = "a script finding differs from the lint's";
		k++;
	}
	if (agree && k != fs.n)
		agree = 0, *why = "the lint finds script findings the plan does not have";
	*n = k;
	findings_release(&fs);
	return agree;
}
