/*
 * merge.c - per-unit facts to the facts of a tree (the "reduce" of
 * DESIGN.md §10).
 *
 * Phases, each a function: collect and sort the units' modules; group them
 * into modules (1); index who exports what, warning of symbols several
 * modules export (2); resolve refs (3); move entries to the module defining
 * their start routine (4); infer the programs when several modules define
 * main (5); then sort and hash. No libclang here: merge.c is
 * a library of its own (analyzer/CMakeLists.txt), so its test needs none.
 *
 * Invariant: the result depends only on the set of inputs, not on their
 * order: units are grouped by module name in sorted order, every list is put
 * in canonical order by facts_finish(), and ties (several modules exporting a
 * symbol) are broken by module name.
 */
#include "analyzer_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- hashes ------------------------------------------------------------------- */

static uint64_t mix_u64(uint64_t h, uint64_t v)
{
	return hp_hash64(&v, sizeof(v), h);
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return s ? hp_hash64(s, strlen(s) + 1, h) : mix_u64(h, 0);
}

static uint64_t mix_symbols(uint64_t h, const struct symbol *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h = mix_str(h, s[i].name);
		h = mix_u64(h, (uint64_t)s[i].kind << 8 | (uint64_t)s[i].linkage);
		h = mix_u64(h, s[i].sig_hash);
		h = mix_u64(h, s[i].hash);
	}
	return h;
}

void module_compute_hash(struct module *m)
{
	uint64_t h = hp_hash_str("hotplan-module-1");
	h = mix_symbols(h, m->exports, m->nexports);
	h = mix_str(h, "|locals");
	h = mix_symbols(h, m->locals, m->nlocals);
	h = mix_str(h, "|states");
	for (size_t i = 0; i < m->nstates; i++) {
		h = mix_str(h, m->states[i].name);
		h = mix_u64(h, m->states[i].layout_hash);
	}
	m->hash = h;
}

/* ---- copying into the merged arena --------------------------------------------- */

static const char *cp(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static struct loc cp_loc(struct arena *a, struct loc l)
{
	l.file = cp(a, l.file);
	return l;
}

struct symbol_vec { struct symbol *items; size_t n, alloc; };
struct ref_vec { struct ref *items; size_t n, alloc; };
struct entry_vec { struct entry *items; size_t n, alloc; };
struct blocking_vec { struct blocking *items; size_t n, alloc; };
struct state_vec { struct state_type *items; size_t n, alloc; };
struct diag_vec { struct diagnostic *items; size_t n, alloc; };
struct cstr_vec { const char **items; size_t n, alloc; };

static void cp_symbols(struct arena *a, struct symbol_vec *v, const struct symbol *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct symbol x = s[i];
		x.name = cp(a, x.name);
		x.signature = cp(a, x.signature);
		x.visibility = cp(a, x.visibility);
		x.loop_blocking = cp(a, x.loop_blocking);
		x.loc = cp_loc(a, x.loc);
		VEC_PUSH(v, x);
	}
}

/* The units' modules, in order of (name, first file). */
struct unit_mod {
	const struct module *m;
	const struct facts *f;
};

static int cmp_unit_mod(const void *pa, const void *pb)
{
	const struct unit_mod *a = pa, *b = pb;
	int c = strcmp(a->m->name, b->m->name);
	if (!c && a->m->nfiles && b->m->nfiles)
		c = strcmp(a->m->files[0], b->m->files[0]);
	return c;
}

/* Module names exporting a symbol, sorted (modules are merged in order). */
struct exporters {
	const char **items;
	size_t n, alloc;
};

static struct exporters *exporters_of(struct strmap *idx, const char *sym)
{
	return strmap_get(idx, sym);
}

/* What the phases of a merge share. */
struct merge {
	struct facts *f;               /* the result, built in place */
	struct arena *a;               /* f's arena: everything kept is copied here */
	VEC(struct unit_mod) um;       /* the units' modules, sorted */
	struct diag_vec diags;
	VEC(struct entry_vec) spawns;  /* per merged module: its spawn sites */
	struct strmap idx;             /* symbol -> struct exporters */
	struct cstr_vec names;         /* the keys of idx, sorted */
};

/* Phase 0: every input is per-unit facts; their modules sorted by name. */
static int merge_collect(struct merge *mg, struct facts *const *units, size_t n,
			 struct errbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!units[i]->unit)
			return hp_error(err, HP_EINPUT,
					"input %zu is not per-unit facts (made by 'hotplan analyze --tu')",
					i + 1);
		for (size_t k = 0; k < units[i]->nmodules; k++) {
			struct unit_mod x = { &units[i]->modules[k], units[i] };
			VEC_PUSH(&mg->um, x);
		}
	}
	if (mg->um.n > 1)
		qsort(mg->um.items, mg->um.n, sizeof(*mg->um.items), cmp_unit_mod);
	return 0;
}

/* The per-unit lists of one merged module, before they move to the arena. */
struct module_parts {
	struct symbol_vec ex, lo;
	struct ref_vec refs;
	struct entry_vec en;
	struct blocking_vec bl;
	struct state_vec st;
	struct cstr_vec files;
	struct cstr_vec flags; /* each unit's compile flags in turn */
};

/* Appends the refs, entries and blocking calls of unit module u to p. */
static void copy_calls(struct arena *a, const struct module *u, const char *spawn_module,
		       struct module_parts *p)
{
	for (size_t q = 0; q < u->nrefs; q++) {
		struct ref r = u->refs[q];
		r.symbol = cp(a, r.symbol);
		r.module = cp(a, r.module);
		r.from = cp(a, r.from);
		r.loc = cp_loc(a, r.loc);
		VEC_PUSH(&p->refs, r);
	}
	for (size_t q = 0; q < u->nentries; q++) {
		struct entry e = u->entries[q];
		e.function = cp(a, e.function);
		e.spawner = cp(a, e.spawner);
		e.spawn_module = spawn_module;
		e.spawned_in = cp(a, e.spawned_in);
		e.blocking = cp(a, e.blocking);
		e.loc = cp_loc(a, e.loc);
		VEC_PUSH(&p->en, e);
	}
	for (size_t q = 0; q < u->nblocking; q++) {
		struct blocking b = u->blocking[q];
		b.function = cp(a, b.function);
		b.callee = cp(a, b.callee);
		b.loc = cp_loc(a, b.loc);
		VEC_PUSH(&p->bl, b);
	}
}

/* Appends the state types of u that p does not have yet (same name and layout). */
static void copy_states(struct arena *a, const struct module *u, struct module_parts *p)
{
	for (size_t q = 0; q < u->nstates; q++) {
		struct state_type s = u->states[q];
		int dup = 0;
		for (size_t z = 0; z < p->st.n; z++)
			if (!strcmp(p->st.items[z].name, s.name) &&
			    p->st.items[z].layout_hash == s.layout_hash)
				dup = 1;
		if (dup)
			continue;
		s.name = cp(a, s.name);
		s.layout = cp(a, s.layout);
		s.loc = cp_loc(a, s.loc);
		VEC_PUSH(&p->st, s);
	}
}

/* Appends the diagnostics of unit facts uf that concern module u (or none). */
static void copy_diags(struct merge *mg, const struct facts *uf, const struct module *u,
		       const char *module)
{
	for (size_t q = 0; q < uf->ndiags; q++) {
		const struct diagnostic *g = &uf->diags[q];
		if (g->module && strcmp(g->module, u->name))
			continue;
		struct diagnostic d = *g;
		d.module = d.module ? module : NULL;
		d.message = cp(mg->a, d.message);
		d.loc = cp_loc(mg->a, d.loc);
		VEC_PUSH(&mg->diags, d);
	}
}

/* Phase 1, for one module: the units um[i..j) (one name) merged into m. */
static void merge_module(struct merge *mg, size_t i, size_t j, struct module *m)
{
	struct arena *a = mg->a;
	struct module_parts p;
	memset(&p, 0, sizeof(p));
	memset(m, 0, sizeof(*m));
	m->name = cp(a, mg->um.items[i].m->name);
	m->has_flags = 1; /* listed only if every unit lists them */
	uint64_t fh = hp_hash_str("hotplan-module-flags");
	for (size_t k = i; k < j; k++) {
		const struct module *u = mg->um.items[k].m;
		for (size_t q = 0; q < u->nfiles; q++)
			VEC_PUSH(&p.files, cp(a, u->files[q]));
		fh = mix_u64(mix_str(fh, u->nfiles ? u->files[0] : ""), u->flags_hash);
		for (size_t q = 0; q < u->nflags; q++)
			VEC_PUSH(&p.flags, cp(a, u->flags[q]));
		m->has_flags &= u->has_flags;
		m->incomplete |= u->incomplete;
		if (u->transformer && (!m->transformer || strcmp(u->transformer, m->transformer) < 0))
			m->transformer = cp(a, u->transformer);
		cp_symbols(a, &p.ex, u->exports, u->nexports);
		cp_symbols(a, &p.lo, u->locals, u->nlocals);
		copy_calls(a, u, m->name, &p);
		copy_states(a, u, &p);
		copy_diags(mg, mg->um.items[k].f, u, m->name);
	}
	/* a single unit keeps its own flags hash, so --tu facts agree */
	m->flags_hash = j - i == 1 ? mg->um.items[i].m->flags_hash : fh;
	m->files = p.files.items ? arena_memdup(a, p.files.items, p.files.n * sizeof(char *)) : NULL;
	m->nfiles = p.files.n;
	if (m->has_flags && p.flags.n) {
		m->flags = arena_memdup(a, p.flags.items, p.flags.n * sizeof(char *));
		m->nflags = p.flags.n;
	}
	m->exports = arena_memdup(a, p.ex.items, p.ex.n * sizeof(*p.ex.items));
	m->nexports = p.ex.n;
	m->locals = arena_memdup(a, p.lo.items, p.lo.n * sizeof(*p.lo.items));
	m->nlocals = p.lo.n;
	m->refs = arena_memdup(a, p.refs.items, p.refs.n * sizeof(*p.refs.items));
	m->nrefs = p.refs.n;
	m->blocking = arena_memdup(a, p.bl.items, p.bl.n * sizeof(*p.bl.items));
	m->nblocking = p.bl.n;
	m->states = arena_memdup(a, p.st.items, p.st.n * sizeof(*p.st.items));
	m->nstates = p.st.n;
	VEC_PUSH(&mg->spawns, p.en);
	VEC_RELEASE(&p.ex);
	VEC_RELEASE(&p.lo);
	VEC_RELEASE(&p.refs);
	VEC_RELEASE(&p.bl);
	VEC_RELEASE(&p.st);
	VEC_RELEASE(&p.files);
	VEC_RELEASE(&p.flags);
}

/* Phase 1: units grouped into the modules of f, sorted (facts_finish). */
static void merge_group(struct merge *mg)
{
	VEC(struct module) mods = { 0 };
	for (size_t i = 0; i < mg->um.n;) {
		size_t j = i;
		while (j < mg->um.n && !strcmp(mg->um.items[j].m->name, mg->um.items[i].m->name))
			j++;
		struct module m;
		merge_module(mg, i, j, &m);
		VEC_PUSH(&mods, m);
		i = j;
	}
	mg->f->modules = arena_memdup(mg->a, mods.items, mods.n * sizeof(*mods.items));
	mg->f->nmodules = mods.n;
	VEC_RELEASE(&mods);
	/* sorting now lets module_export()/module_local() search them */
	facts_finish(mg->f);
}

/* Phase 2: who exports what; a warning for each symbol several modules export. */
static void merge_index_exports(struct merge *mg)
{
	struct facts *f = mg->f;
	for (size_t i = 0; i < f->nmodules; i++) {
		struct module *m = &f->modules[i];
		for (size_t k = 0; k < m->nexports; k++) {
			const char *s = m->exports[k].name;
			struct exporters *e = exporters_of(&mg->idx, s);
			if (!e) {
				e = arena_zalloc(mg->a, sizeof(*e));
				strmap_put(&mg->idx, s, e);
				VEC_PUSH(&mg->names, s);
			}
			if (e->n && !strcmp(e->items[e->n - 1], m->name))
				continue;
			VEC_PUSH(e, m->name);
		}
	}
	if (mg->names.n > 1)
		qsort(mg->names.items, mg->names.n, sizeof(char *), hp_strcmp_ptr);
	for (size_t i = 0; i < mg->names.n; i++) {
		const char *name = mg->names.items[i];
		struct exporters *e = exporters_of(&mg->idx, name);
		if (e->n < 2)
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "'%s' is defined in %zu modules:", name, e->n);
		for (size_t k = 0; k < e->n; k++)
			sb_addf(&sb, "%s %s", k ? "," : "", e->items[k]);
		struct diagnostic d = { SEV_WARNING, NULL, arena_strdup(mg->a, sb.buf), { 0 } };
		const struct symbol *s = module_export(facts_module(f, e->items[0]), name);
		if (s)
			d.loc = s->loc;
		VEC_PUSH(&mg->diags, d);
		sb_release(&sb);
	}
}

/* Phase 3: each unresolved ref goes to the modules exporting its symbol;
 * refs to symbols no module exports (libc, ...) are dropped. */
static void merge_resolve_refs(struct merge *mg)
{
	for (size_t i = 0; i < mg->f->nmodules; i++) {
		struct module *m = &mg->f->modules[i];
		struct ref_vec rv = { 0 };
		for (size_t k = 0; k < m->nrefs; k++) {
			struct ref r = m->refs[k];
			if (r.module) {
				VEC_PUSH(&rv, r);
				continue;
			}
			struct exporters *e = exporters_of(&mg->idx, r.symbol);
			if (!e || module_export(m, r.symbol))
				continue;
			for (size_t q = 0; q < e->n; q++) {
				r.module = e->items[q];
				r.ambiguous = e->n > 1;
				VEC_PUSH(&rv, r);
			}
		}
		m->refs = rv.n ? arena_memdup(mg->a, rv.items, rv.n * sizeof(*rv.items)) : NULL;
		m->nrefs = rv.n;
		VEC_RELEASE(&rv);
	}
}

/* The definition of an entry's start routine, or NULL; *dm its module. */
static const struct symbol *entry_routine(struct merge *mg, struct module *m,
					  const struct entry *e, struct module **dm)
{
	const struct symbol *s = module_local(m, e->function);
	*dm = m;
	if (!s) {
		struct exporters *x = exporters_of(&mg->idx, e->function);
		*dm = x ? facts_module(mg->f, x->items[0]) : NULL;
		s = *dm ? module_export(*dm, e->function) : NULL;
	}
	return s;
}

static int same_str(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/* Whether a fork child's candidate entry (FORK_SPAWNER, analyzer_int.h) is
 * kept: a called function that loops; the forking function (its own loop)
 * when no called candidate of the same test loops. */
static int fork_candidate_kept(struct merge *mg, struct module *m, const struct entry_vec *v,
			       const struct entry *e, const struct symbol *s)
{
	if (!s || !s->has_loop)
		return 0;
	if (!same_str(e->function, e->spawned_in))
		return 1;
	for (size_t k = 0; k < v->n; k++) {
		const struct entry *o = &v->items[k];
		struct module *dm;
		const struct symbol *os;
		if (o == e || !same_str(o->spawner, FORK_SPAWNER) ||
		    !same_str(o->spawned_in, e->spawned_in) || same_str(o->function, o->spawned_in) ||
		    o->loc.line != e->loc.line || o->loc.col != e->loc.col ||
		    !same_str(o->loc.file, e->loc.file))
			continue;
		if ((os = entry_routine(mg, m, o, &dm)) && os->has_loop)
			return 0;
	}
	return 1;
}

/* Phase 4: entries go to the module defining the start routine, with its
 * loop's next call; a routine defined nowhere gives a note. A fork child's
 * candidates that are not kept go silently. */
static void merge_place_entries(struct merge *mg)
{
	struct facts *f = mg->f;
	struct entry_vec *dest = xcalloc(f->nmodules + 1, sizeof(*dest));
	for (size_t i = 0; i < f->nmodules; i++) {
		struct module *m = &f->modules[i];
		for (size_t k = 0; k < mg->spawns.items[i].n; k++) {
			struct entry e = mg->spawns.items[i].items[k];
			struct module *d;
			const struct symbol *s = entry_routine(mg, m, &e, &d);
			if (same_str(e.spawner, FORK_SPAWNER) &&
			    !fork_candidate_kept(mg, m, &mg->spawns.items[i], &mg->spawns.items[i].items[k], s))
				continue;
			if (!s) {
				struct diagnostic g = { SEV_NOTE, m->name,
					arena_printf(mg->a, "thread start routine '%s' is not defined in the tree",
						     e.function), e.loc };
				VEC_PUSH(&mg->diags, g);
				continue;
			}
			e.loc = s->loc;
			e.next_call = s->has_loop ? s->loop_next : NEXT_LOCAL;
			e.blocking = s->has_loop ? s->loop_blocking : NULL;
			VEC_PUSH(&dest[d - f->modules], e);
		}
	}
	for (size_t i = 0; i < f->nmodules; i++) {
		f->modules[i].entries = arena_memdup(mg->a, dest[i].items, dest[i].n * sizeof(struct entry));
		f->modules[i].nentries = dest[i].n;
		VEC_RELEASE(&dest[i]);
	}
	free(dest);
}

/* ---- phase 5: the programs of the tree ----------------------------------------- */

/* Where one program's inference stands: in[i] marks module i taken in,
 * work the modules taken in whose refs are still to follow, deferred
 * the symbols of ambiguous refs met so far. */
struct reach {
	char *in;
	const char *is_main;
	size_t main;        /* the module defining the program's main */
	VEC(size_t) work;
	struct cstr_vec deferred;
};

/* Takes module i into the program. */
static void reach_take(struct reach *r, size_t i)
{
	if (r->in[i])
		return;
	r->in[i] = 1;
	VEC_PUSH(&r->work, i);
}

/* Follows the refs of the modules taken in: an unambiguous ref takes its
 * module in; an ambiguous one waits in deferred. */
static void reach_follow(struct merge *mg, struct reach *r)
{
	struct facts *f = mg->f;
	while (r->work.n) {
		const struct module *m = &f->modules[r->work.items[--r->work.n]];
		for (size_t k = 0; k < m->nrefs; k++) {
			const struct module *t = m->refs[k].module ? facts_module(f, m->refs[k].module)
								   : NULL;
			if (!t || r->in[t - f->modules])
				continue;
			if (m->refs[k].ambiguous)
				VEC_PUSH(&r->deferred, m->refs[k].symbol);
			else
				reach_take(r, (size_t)(t - f->modules));
		}
	}
}

/* How many leading folders the first files of modules a and b share. */
static size_t shared_folders(const struct module *a, const struct module *b)
{
	const char *x = a->nfiles ? a->files[0] : "", *y = b->nfiles ? b->files[0] : "";
	size_t n = 0;
	for (size_t i = 0; x[i] && x[i] == y[i]; i++)
		n += x[i] == '/';
	return n;
}

/* Resolves the deferred symbols that can be: one taken in already defines
 * it (nothing to do), or one module that does not define 'main' does and
 * shares more folders with the program's main module than any other
 * (taken in). Returns whether a module was taken in; what stays deferred
 * is what several candidates define equally near. */
static int reach_resolve(struct merge *mg, struct reach *r)
{
	struct facts *f = mg->f;
	size_t w = 0;
	int taken = 0;
	for (size_t i = 0; i < r->deferred.n; i++) {
		struct exporters *e = exporters_of(&mg->idx, r->deferred.items[i]);
		size_t ncand = 0, cand = 0, inside = 0, best = 0;
		for (size_t k = 0; e && k < e->n; k++) {
			size_t t = (size_t)(facts_module(f, e->items[k]) - f->modules);
			size_t near = shared_folders(&f->modules[t], &f->modules[r->main]);
			inside |= r->in[t];
			if (r->is_main[t] || (ncand && near < best))
				continue;
			ncand = ncand && near == best ? ncand + 1 : 1;
			best = near;
			cand = t;
		}
		if (inside)
			continue;
		if (ncand == 1) {
			reach_take(r, cand);
			taken = 1;
			continue;
		}
		r->deferred.items[w++] = r->deferred.items[i];
	}
	r->deferred.n = w;
	return taken;
}

/* The program whose 'main' module m defines: the modules its refs reach. */
static void infer_program(struct merge *mg, struct reach *r, size_t m, struct program *p)
{
	struct facts *f = mg->f;
	memset(r->in, 0, f->nmodules);
	r->deferred.n = 0;
	r->main = m;
	reach_take(r, m);
	do
		reach_follow(mg, r);
	while (reach_resolve(mg, r));
	p->name = f->modules[m].name;
	p->kind = "executable";
	p->source = "inferred";
	for (size_t i = 0; i < f->nmodules; i++)
		p->nmodules += r->in[i];
	p->modules = arena_alloc(mg->a, p->nmodules * sizeof(char *));
	p->nmodules = 0;
	for (size_t i = 0; i < f->nmodules; i++)
		if (r->in[i])
			p->modules[p->nmodules++] = f->modules[i].name;
	/* each symbol several candidates define, none of them reached otherwise */
	if (r->deferred.n > 1)
		qsort(r->deferred.items, r->deferred.n, sizeof(char *), hp_strcmp_ptr);
	for (size_t i = 0; i < r->deferred.n; i++) {
		if (i && !strcmp(r->deferred.items[i - 1], r->deferred.items[i]))
			continue;
		struct diagnostic d = { SEV_NOTE, NULL, arena_printf(mg->a,
			"program '%s': '%s' is defined in several modules, none of them part of it "
			"otherwise nor nearer its main than the others; none is taken in", p->name, r->deferred.items[i]),
			{ 0 } };
		VEC_PUSH(&mg->diags, d);
	}
}

/*
 * Phase 5: with several modules defining a function 'main', one program per
 * such module, made of the modules its refs reach; a symbol several modules
 * define resolves to the one inside the program, else to the candidate
 * defining no 'main' whose folder is nearest the main module's (the most
 * leading folders shared; a tie takes none, with a note). With one 'main' or none, no programs: the tree
 * is one program. Runs on sorted modules with resolved refs.
 */
static void merge_infer_programs(struct merge *mg)
{
	struct facts *f = mg->f;
	struct reach r;
	size_t nmains = 0;
	memset(&r, 0, sizeof(r));
	char *is_main = xcalloc(f->nmodules + 1, 1);
	for (size_t i = 0; i < f->nmodules; i++) {
		const struct symbol *s = module_export(&f->modules[i], "main");
		if (s && s->kind == SYM_FUNCTION) {
			is_main[i] = 1;
			nmains++;
		}
	}
	if (nmains >= 2) {
		r.in = xcalloc(f->nmodules, 1);
		r.is_main = is_main;
		f->programs = arena_zalloc(mg->a, nmains * sizeof(*f->programs));
		for (size_t i = 0; i < f->nmodules; i++)
			if (is_main[i])
				infer_program(mg, &r, i, &f->programs[f->nprograms++]);
		free(r.in);
		VEC_RELEASE(&r.work);
		VEC_RELEASE(&r.deferred);
	}
	free(is_main);
}

static void merge_release(struct merge *mg)
{
	for (size_t i = 0; i < mg->spawns.n; i++)
		VEC_RELEASE(&mg->spawns.items[i]);
	VEC_RELEASE(&mg->spawns);
	for (size_t i = 0; i < mg->names.n; i++)
		free(exporters_of(&mg->idx, mg->names.items[i])->items);
	VEC_RELEASE(&mg->names);
	strmap_release(&mg->idx);
	VEC_RELEASE(&mg->diags);
	VEC_RELEASE(&mg->um);
}

int analyzer_merge(struct facts *const *units, size_t n, struct facts **out,
		   struct errbuf *err)
{
	struct merge mg;
	memset(&mg, 0, sizeof(mg));
	strmap_init(&mg.idx);
	int rc = merge_collect(&mg, units, n, err);
	if (rc) {
		merge_release(&mg);
		return rc;
	}
	struct facts *f = mg.f = facts_new();
	mg.a = &f->arena;
	f->root = cp(mg.a, mg.um.n ? mg.um.items[0].f->root : (n ? units[0]->root : ""));
	f->source_root = cp(mg.a, mg.um.n ? mg.um.items[0].f->source_root :
				    (n ? units[0]->source_root : NULL));
	merge_group(&mg);
	merge_index_exports(&mg);
	merge_resolve_refs(&mg);
	merge_place_entries(&mg);
	merge_infer_programs(&mg);
	f->diags = arena_memdup(mg.a, mg.diags.items, mg.diags.n * sizeof(*mg.diags.items));
	f->ndiags = mg.diags.n;
	facts_finish(f);
	for (size_t i = 0; i < f->nmodules; i++)
		module_compute_hash(&f->modules[i]);
	merge_release(&mg);
	*out = f;
	return 0;
}
