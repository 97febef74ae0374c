/*
 * merge.c - per-unit facts to the facts of a tree (the "reduce" of
 * DESIGN.md §10).
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

int analyzer_merge(struct facts *const *units, size_t n, struct facts **out,
		   struct errbuf *err)
{
	VEC(struct unit_mod) um = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (!units[i]->unit) {
			VEC_RELEASE(&um);
			return hp_error(err, HP_EINPUT,
					"input %zu is not per-unit facts (made by 'hotplan analyze --tu')",
					i + 1);
		}
		for (size_t k = 0; k < units[i]->nmodules; k++) {
			struct unit_mod x = { &units[i]->modules[k], units[i] };
			VEC_PUSH(&um, x);
		}
	}
	if (um.n > 1)
		qsort(um.items, um.n, sizeof(*um.items), cmp_unit_mod);

	struct facts *f = facts_new();
	struct arena *a = &f->arena;
	f->root = cp(a, um.n ? um.items[0].f->root : (n ? units[0]->root : ""));
	struct diag_vec diags = { 0 };
	VEC(struct module) mods = { 0 };
	VEC(struct entry_vec) spawns = { 0 };   /* per module: spawn sites */

	/* 1. group units into modules */
	for (size_t i = 0; i < um.n;) {
		size_t j = i;
		while (j < um.n && !strcmp(um.items[j].m->name, um.items[i].m->name))
			j++;
		struct module m;
		struct symbol_vec ex = { 0 }, lo = { 0 };
		struct ref_vec refs = { 0 };
		struct entry_vec en = { 0 };
		struct blocking_vec bl = { 0 };
		struct state_vec st = { 0 };
		struct cstr_vec files = { 0 };
		memset(&m, 0, sizeof(m));
		m.name = cp(a, um.items[i].m->name);
		uint64_t fh = hp_hash_str("hotplan-module-flags");
		for (size_t k = i; k < j; k++) {
			const struct module *u = um.items[k].m;
			const struct facts *uf = um.items[k].f;
			for (size_t q = 0; q < u->nfiles; q++)
				VEC_PUSH(&files, cp(a, u->files[q]));
			fh = mix_u64(mix_str(fh, u->nfiles ? u->files[0] : ""), u->flags_hash);
			m.incomplete |= u->incomplete;
			if (u->transformer && (!m.transformer || strcmp(u->transformer, m.transformer) < 0))
				m.transformer = cp(a, u->transformer);
			cp_symbols(a, &ex, u->exports, u->nexports);
			cp_symbols(a, &lo, u->locals, u->nlocals);
			for (size_t q = 0; q < u->nrefs; q++) {
				struct ref r = u->refs[q];
				r.symbol = cp(a, r.symbol);
				r.module = cp(a, r.module);
				r.from = cp(a, r.from);
				r.loc = cp_loc(a, r.loc);
				VEC_PUSH(&refs, r);
			}
			for (size_t q = 0; q < u->nentries; q++) {
				struct entry e = u->entries[q];
				e.function = cp(a, e.function);
				e.spawner = cp(a, e.spawner);
				e.spawn_module = m.name;
				e.spawned_in = cp(a, e.spawned_in);
				e.blocking = cp(a, e.blocking);
				e.loc = cp_loc(a, e.loc);
				VEC_PUSH(&en, e);
			}
			for (size_t q = 0; q < u->nblocking; q++) {
				struct blocking b = u->blocking[q];
				b.function = cp(a, b.function);
				b.callee = cp(a, b.callee);
				b.loc = cp_loc(a, b.loc);
				VEC_PUSH(&bl, b);
			}
			for (size_t q = 0; q < u->nstates; q++) {
				struct state_type s = u->states[q];
				int dup = 0;
				for (size_t z = 0; z < st.n; z++)
					if (!strcmp(st.items[z].name, s.name) &&
					    st.items[z].layout_hash == s.layout_hash)
						dup = 1;
				if (dup)
					continue;
				s.name = cp(a, s.name);
				s.layout = cp(a, s.layout);
				s.loc = cp_loc(a, s.loc);
				VEC_PUSH(&st, s);
			}
			for (size_t q = 0; q < uf->ndiags; q++) {
				const struct diagnostic *g = &uf->diags[q];
				if (g->module && strcmp(g->module, u->name))
					continue;
				struct diagnostic d = *g;
				d.module = d.module ? m.name : NULL;
				d.message = cp(a, d.message);
				d.loc = cp_loc(a, d.loc);
				VEC_PUSH(&diags, d);
			}
		}
		/* a single unit keeps its own flags hash, so --tu facts agree */
		m.flags_hash = j - i == 1 ? um.items[i].m->flags_hash : fh;
		m.files = files.items ? arena_memdup(a, files.items, files.n * sizeof(char *)) : NULL;
		m.nfiles = files.n;
		m.exports = arena_memdup(a, ex.items, ex.n * sizeof(*ex.items));
		m.nexports = ex.n;
		m.locals = arena_memdup(a, lo.items, lo.n * sizeof(*lo.items));
		m.nlocals = lo.n;
		m.refs = arena_memdup(a, refs.items, refs.n * sizeof(*refs.items));
		m.nrefs = refs.n;
		m.blocking = arena_memdup(a, bl.items, bl.n * sizeof(*bl.items));
		m.nblocking = bl.n;
		m.states = arena_memdup(a, st.items, st.n * sizeof(*st.items));
		m.nstates = st.n;
		VEC_PUSH(&mods, m);
		VEC_PUSH(&spawns, en);
		VEC_RELEASE(&ex);
		VEC_RELEASE(&lo);
		VEC_RELEASE(&refs);
		VEC_RELEASE(&bl);
		VEC_RELEASE(&st);
		VEC_RELEASE(&files);
		i = j;
	}
	f->modules = arena_memdup(a, mods.items, mods.n * sizeof(*mods.items));
	f->nmodules = mods.n;
	VEC_RELEASE(&mods);
	/* sorting now lets module_export()/module_local() search them */
	facts_finish(f);

	/* 2. who exports what */
	struct strmap idx;
	struct cstr_vec names = { 0 };
	strmap_init(&idx);
	for (size_t i = 0; i < f->nmodules; i++) {
		struct module *m = &f->modules[i];
		for (size_t k = 0; k < m->nexports; k++) {
			const char *s = m->exports[k].name;
			struct exporters *e = exporters_of(&idx, s);
			if (!e) {
				e = arena_zalloc(a, sizeof(*e));
				strmap_put(&idx, s, e);
				VEC_PUSH(&names, s);
			}
			if (e->n && !strcmp(e->items[e->n - 1], m->name))
				continue;
			VEC_PUSH(e, m->name);
		}
	}
	if (names.n > 1)
		qsort(names.items, names.n, sizeof(char *), hp_strcmp_ptr);
	for (size_t i = 0; i < names.n; i++) {
		struct exporters *e = exporters_of(&idx, names.items[i]);
		if (e->n < 2)
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "'%s' is defined in %zu modules:", names.items[i], e->n);
		for (size_t k = 0; k < e->n; k++)
			sb_addf(&sb, "%s %s", k ? "," : "", e->items[k]);
		struct diagnostic d = { DIAG_WARNING, NULL, arena_strdup(a, sb.buf), { 0 } };
		const struct symbol *s = module_export(facts_module(f, e->items[0]), names.items[i]);
		if (s)
			d.loc = s->loc;
		VEC_PUSH(&diags, d);
		sb_release(&sb);
	}

	/* 3. resolve refs */
	for (size_t i = 0; i < f->nmodules; i++) {
		struct module *m = &f->modules[i];
		struct ref_vec rv = { 0 };
		for (size_t k = 0; k < m->nrefs; k++) {
			struct ref r = m->refs[k];
			if (r.module) {
				VEC_PUSH(&rv, r);
				continue;
			}
			struct exporters *e = exporters_of(&idx, r.symbol);
			if (!e || module_export(m, r.symbol))
				continue;
			for (size_t q = 0; q < e->n; q++) {
				r.module = e->items[q];
				r.ambiguous = e->n > 1;
				VEC_PUSH(&rv, r);
			}
		}
		m->refs = rv.n ? arena_memdup(a, rv.items, rv.n * sizeof(*rv.items)) : NULL;
		m->nrefs = rv.n;
		VEC_RELEASE(&rv);
	}

	/* 4. entries go to the module defining the start routine */
	struct entry_vec *dest = xcalloc(f->nmodules + 1, sizeof(*dest));
	for (size_t i = 0; i < f->nmodules; i++) {
		struct module *m = &f->modules[i];
		for (size_t k = 0; k < spawns.items[i].n; k++) {
			struct entry e = spawns.items[i].items[k];
			const struct symbol *s = module_local(m, e.function);
			struct module *d = m;
			if (!s) {
				struct exporters *x = exporters_of(&idx, e.function);
				d = x ? facts_module(f, x->items[0]) : NULL;
				s = d ? module_export(d, e.function) : NULL;
			}
			if (!s) {
				struct diagnostic g = { DIAG_NOTE, m->name,
					arena_printf(a, "thread start routine '%s' is not defined in the tree",
						     e.function), e.loc };
				VEC_PUSH(&diags, g);
				continue;
			}
			e.loc = s->loc;
			e.next_call = s->has_loop ? s->loop_next : NEXT_LOCAL;
			e.blocking = s->has_loop ? s->loop_blocking : NULL;
			VEC_PUSH(&dest[d - f->modules], e);
		}
		VEC_RELEASE(&spawns.items[i]);
	}
	for (size_t i = 0; i < f->nmodules; i++) {
		f->modules[i].entries = arena_memdup(a, dest[i].items, dest[i].n * sizeof(struct entry));
		f->modules[i].nentries = dest[i].n;
		VEC_RELEASE(&dest[i]);
	}
	free(dest);
	VEC_RELEASE(&spawns);

	f->diags = arena_memdup(a, diags.items, diags.n * sizeof(*diags.items));
	f->ndiags = diags.n;
	VEC_RELEASE(&diags);
	facts_finish(f);
	for (size_t i = 0; i < f->nmodules; i++)
		module_compute_hash(&f->modules[i]);
	for (size_t i = 0; i < names.n; i++)
		free(exporters_of(&idx, names.items[i])->items);
	VEC_RELEASE(&names);
	strmap_release(&idx);
	VEC_RELEASE(&um);
	*out = f;
	return 0;
}
