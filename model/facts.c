/*
 * facts.c - the facts data model: lifecycle, canonical order, lookups, and
 * the hotplan-facts JSON writer and reader (DESIGN.md §4.1).
 *
 * Invariant: facts_finish() is the only place that decides the canonical
 * order, and the writer emits fields in one fixed order with no
 * dependence on hash-map iteration, so the same facts always serialize to the
 * same bytes. The reader accepts exactly what the writer emits (plus unknown
 * fields) and calls facts_finish(), so write(read(write(f))) == write(f).
 */
#include "facts.h"

#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "jsonw.h"
#include "term.h"

/* ---- lifecycle ------------------------------------------------------------ */

struct facts *facts_new(void)
{
	struct facts *f = xcalloc(1, sizeof(*f));
	arena_init(&f->arena);
	f->root = "";
	return f;
}

void facts_free(struct facts *f)
{
	if (!f)
		return;
	arena_release(&f->arena);
	free(f);
}

/* ---- canonical order ------------------------------------------------------ */

static int cmp_str(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

static int cmp_uint(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

static int cmp_loc(const struct loc *a, const struct loc *b)
{
	int c = cmp_str(a->file, b->file);
	if (!c)
		c = cmp_uint(a->line, b->line);
	if (!c)
		c = cmp_uint(a->col, b->col);
	return c;
}

static int cmp_symbol(const void *pa, const void *pb)
{
	const struct symbol *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	if (!c)
		c = cmp_loc(&a->loc, &b->loc);
	if (!c)
		c = (int)a->kind - (int)b->kind;
	return c;
}

static int cmp_ref(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	int c = cmp_str(a->module, b->module);
	if (!c)
		c = strcmp(a->symbol, b->symbol);
	if (!c)
		c = cmp_uint(a->kind, b->kind);
	if (!c)
		c = cmp_str(a->from, b->from);
	if (!c)
		c = cmp_loc(&a->loc, &b->loc);
	return c;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->function, b->function);
	if (!c)
		c = cmp_str(a->spawn_module, b->spawn_module);
	if (!c)
		c = cmp_str(a->spawned_in, b->spawned_in);
	if (!c)
		c = cmp_str(a->spawner, b->spawner);
	return c;
}

static int cmp_blocking(const void *pa, const void *pb)
{
	const struct blocking *a = pa, *b = pb;
	int c = strcmp(a->function, b->function);
	if (!c)
		c = strcmp(a->callee, b->callee);
	if (!c)
		c = cmp_loc(&a->loc, &b->loc);
	return c;
}

static int cmp_state(const void *pa, const void *pb)
{
	const struct state_type *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	if (!c)
		c = a->layout_hash < b->layout_hash ? -1 : a->layout_hash > b->layout_hash;
	return c;
}

static int cmp_module(const void *pa, const void *pb)
{
	const struct module *a = pa, *b = pb;
	return strcmp(a->name, b->name);
}

static int cmp_edge(const void *pa, const void *pb)
{
	const struct edge *a = pa, *b = pb;
	int c = strcmp(a->from, b->from);
	if (!c)
		c = strcmp(a->to, b->to);
	return c;
}

static int cmp_diag(const void *pa, const void *pb)
{
	const struct diagnostic *a = pa, *b = pb;
	int c = cmp_loc(&a->loc, &b->loc);
	if (!c)
		c = cmp_str(a->module, b->module);
	if (!c)
		c = (int)b->severity - (int)a->severity;
	if (!c)
		c = strcmp(a->message, b->message);
	return c;
}

#define SORT(p, n, cmp) do { if ((n) > 1) qsort((p), (n), sizeof(*(p)), (cmp)); } while (0)

static int cmp_program(const void *pa, const void *pb)
{
	const struct program *a = pa, *b = pb;
	return strcmp(a->name, b->name);
}

/* Sorts the programs and each one's modules, dropping repeated modules. */
static void programs_normalize(struct facts *f)
{
	SORT(f->programs, f->nprograms, cmp_program);
	for (size_t i = 0; i < f->nprograms; i++) {
		struct program *p = &f->programs[i];
		size_t w = 0;
		SORT(p->modules, p->nmodules, hp_strcmp_ptr);
		for (size_t k = 0; k < p->nmodules; k++)
			if (!w || strcmp(p->modules[w - 1], p->modules[k]))
				p->modules[w++] = p->modules[k];
		p->nmodules = w;
	}
}

/* Sorts and merges edges that share (from, to). */
static void edges_normalize(struct facts *f)
{
	SORT(f->edges, f->nedges, cmp_edge);
	size_t w = 0;
	for (size_t i = 0; i < f->nedges; i++) {
		if (w && !cmp_edge(&f->edges[w - 1], &f->edges[i])) {
			f->edges[w - 1].kinds |= f->edges[i].kinds;
			f->edges[w - 1].count += f->edges[i].count;
			f->edges[w - 1].ambiguous |= f->edges[i].ambiguous;
			continue;
		}
		f->edges[w++] = f->edges[i];
	}
	f->nedges = w;
}

/*
 * Edges are rebuilt from the refs when any module has refs; facts without
 * refs (written by hand, or by another tool) keep their edges, sorted and
 * merged, so that a graph given only as edges survives a round trip.
 */
void facts_finish(struct facts *f)
{
	size_t nrefs = 0;
	SORT(f->modules, f->nmodules, cmp_module);
	for (size_t i = 0; i < f->nmodules; i++) {
		struct module *m = &f->modules[i];
		SORT(m->files, m->nfiles, hp_strcmp_ptr);
		SORT(m->exports, m->nexports, cmp_symbol);
		SORT(m->locals, m->nlocals, cmp_symbol);
		SORT(m->refs, m->nrefs, cmp_ref);
		SORT(m->entries, m->nentries, cmp_entry);
		SORT(m->blocking, m->nblocking, cmp_blocking);
		SORT(m->states, m->nstates, cmp_state);
		for (size_t j = 0; j < m->nrefs; j++)
			if (m->refs[j].module)
				nrefs++;
	}
	SORT(f->diags, f->ndiags, cmp_diag);
	programs_normalize(f);
	if (nrefs) {
		struct edge *e = arena_alloc(&f->arena, nrefs * sizeof(*e));
		size_t n = 0;
		for (size_t i = 0; i < f->nmodules; i++) {
			const struct module *m = &f->modules[i];
			for (size_t j = 0; j < m->nrefs; j++) {
				const struct ref *r = &m->refs[j];
				if (!r->module)
					continue;
				e[n].from = m->name;
				e[n].to = r->module;
				e[n].kinds = r->kind;
				e[n].count = 1;
				e[n].ambiguous = r->ambiguous;
				n++;
			}
		}
		f->edges = e;
		f->nedges = n;
	}
	edges_normalize(f);
}

/* ---- lookups ---------------------------------------------------------------- */

struct module *facts_module(const struct facts *f, const char *name)
{
	size_t lo = 0, hi = f->nmodules;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->modules[mid].name, name);
		if (!c)
			return &f->modules[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct symbol *symbol_find(const struct symbol *s, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s[mid].name, name);
		if (!c) {
			while (mid > 0 && !strcmp(s[mid - 1].name, name))
				mid--;
			return &s[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct symbol *module_export(const struct module *m, const char *name)
{
	return symbol_find(m->exports, m->nexports, name);
}

const struct symbol *module_local(const struct module *m, const char *name)
{
	return symbol_find(m->locals, m->nlocals, name);
}

/* ---- names ------------------------------------------------------------------ */

static const char *const ref_kind_names[] = { "call", "address", "data", "qualified" };
static const char *const next_call_names[] = { "local", "qualified", "blocked" };
static const char *const severity_names[] = { "note", "warning", "error" };

const char *ref_kind_name(unsigned kind)
{
	for (unsigned i = 0; i < HP_ARRAY_SIZE(ref_kind_names); i++)
		if (kind == (1u << i))
			return ref_kind_names[i];
	return "unknown";
}

const char *next_call_name(enum next_call nc)
{
	return (unsigned)nc < HP_ARRAY_SIZE(next_call_names) ? next_call_names[nc] : "local";
}

/* ---- programs ------------------------------------------------------------------ */

const struct program *facts_program(const struct facts *f, const char *name)
{
	size_t lo = 0, hi = f->nprograms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->programs[mid].name, name);
		if (!c)
			return &f->programs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int program_has_module(const struct program *p, const char *module)
{
	size_t lo = 0, hi = p->nmodules;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->modules[mid], module);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void facts_program_names(const struct facts *f, struct strbuf *sb)
{
	for (size_t i = 0; i < f->nprograms; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", f->programs[i].name);
}

/* m's refs into program p, each ambiguous only when several modules of p
 * export its symbol (exporters: symbol -> how many of p's modules do). */
static void select_refs(struct arena *a, const struct program *p, const struct strmap *exporters,
			struct module *m)
{
	struct ref *refs = arena_alloc(a, (m->nrefs ? m->nrefs : 1) * sizeof(*refs));
	size_t n = 0;
	for (size_t k = 0; k < m->nrefs; k++) {
		struct ref r = m->refs[k];
		if (r.module && !program_has_module(p, r.module))
			continue;
		r.ambiguous = (uintptr_t)strmap_get(exporters, r.symbol) > 1;
		refs[n++] = r;
	}
	m->refs = refs;
	m->nrefs = n;
}

/* m's entries spawned inside program p (or from an unknown module). */
static void select_entries(struct arena *a, const struct program *p, struct module *m)
{
	struct entry *en = arena_alloc(a, (m->nentries ? m->nentries : 1) * sizeof(*en));
	size_t n = 0;
	for (size_t k = 0; k < m->nentries; k++)
		if (!m->entries[k].spawn_module || program_has_module(p, m->entries[k].spawn_module))
			en[n++] = m->entries[k];
	m->entries = en;
	m->nentries = n;
}

/* The edges and diagnostics of f that concern only program p's modules. */
static void select_edges_diags(const struct facts *f, const struct program *p, struct facts *s)
{
	s->edges = arena_alloc(&s->arena, (f->nedges ? f->nedges : 1) * sizeof(*s->edges));
	for (size_t i = 0; i < f->nedges; i++)
		if (program_has_module(p, f->edges[i].from) && program_has_module(p, f->edges[i].to))
			s->edges[s->nedges++] = f->edges[i];
	s->diags = arena_alloc(&s->arena, (f->ndiags ? f->ndiags : 1) * sizeof(*s->diags));
	for (size_t i = 0; i < f->ndiags; i++)
		if (!f->diags[i].module || program_has_module(p, f->diags[i].module))
			s->diags[s->ndiags++] = f->diags[i];
}

int facts_select_program(const struct facts *f, const char *name, struct facts **out,
			 struct errbuf *err)
{
	const struct program *p = facts_program(f, name);
	if (!p) {
		struct strbuf names = STRBUF_INIT;
		facts_program_names(f, &names);
		if (f->nprograms)
			hp_error(err, HP_EUSAGE, "'%s' builds no program '%s'; its programs: %s",
				 f->root, name, names.buf);
		else
			hp_error(err, HP_EUSAGE, "'%s' builds no program '%s': it is one program "
				 "(no module but one defines 'main', and CMake names no more than one "
				 "executable); leave out --program", f->root, name);
		sb_release(&names);
		return err->status;
	}
	struct facts *s = facts_new();
	struct strmap exporters;
	strmap_init(&exporters);
	s->root = f->root;
	s->source_root = f->source_root;
	s->unit = f->unit;
	s->modules = arena_alloc(&s->arena, (p->nmodules ? p->nmodules : 1) * sizeof(*s->modules));
	for (size_t i = 0; i < p->nmodules; i++) {
		const struct module *m = facts_module(f, p->modules[i]);
		if (!m)
			continue;
		s->modules[s->nmodules++] = *m;
		for (size_t k = 0; k < m->nexports; k++) {
			/* a module counts once per symbol it exports */
			if (k && !strcmp(m->exports[k - 1].name, m->exports[k].name))
				continue;
			uintptr_t c = (uintptr_t)strmap_get(&exporters, m->exports[k].name);
			strmap_put(&exporters, m->exports[k].name, (void *)(c + 1));
		}
	}
	for (size_t i = 0; i < s->nmodules; i++) {
		select_refs(&s->arena, p, &exporters, &s->modules[i]);
		select_entries(&s->arena, p, &s->modules[i]);
	}
	strmap_release(&exporters);
	select_edges_diags(f, p, s);
	s->programs = arena_memdup(&s->arena, p, sizeof(*p));
	s->nprograms = 1;
	facts_finish(s);
	*out = s;
	return 0;
}

/* ---- writer ------------------------------------------------------------------ */

/* {"file": F, "line": L, "col": C} */
static void put_loc(struct jsonw *w, const struct loc *l)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "file"); jsonw_string(w, l->file);
	jsonw_key(w, "line"); jsonw_uint(w, l->line);
	jsonw_key(w, "col"); jsonw_uint(w, l->col);
	jsonw_end(w);
}

static void put_symbol(struct jsonw *w, const struct symbol *s)
{
	jsonw_object(w, JSONW_LINES);
	jsonw_key(w, "name"); jsonw_string(w, s->name);
	jsonw_key(w, "kind"); jsonw_string(w, s->kind == SYM_FUNCTION ? "function" : "variable");
	jsonw_key(w, "linkage");
	jsonw_string(w, s->linkage == LINK_EXTERNAL ? "external" : "internal");
	jsonw_key(w, "signature"); jsonw_string(w, s->signature);
	jsonw_key(w, "visibility"); jsonw_string(w, s->visibility);
	jsonw_key(w, "inline"); jsonw_bool(w, s->is_inline);
	jsonw_key(w, "sig_hash"); jsonw_hash(w, s->sig_hash);
	jsonw_key(w, "hash"); jsonw_hash(w, s->hash);
	if (s->has_loop) {
		jsonw_key(w, "loop"); jsonw_string(w, next_call_name(s->loop_next));
		jsonw_key(w, "loop_blocking"); jsonw_string(w, s->loop_blocking);
	}
	jsonw_key(w, "loc"); put_loc(w, &s->loc);
	jsonw_end(w);
}

static void put_ref(struct jsonw *w, const struct ref *r)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "symbol"); jsonw_string(w, r->symbol);
	jsonw_key(w, "module"); jsonw_string(w, r->module);
	jsonw_key(w, "kind"); jsonw_string(w, ref_kind_name(r->kind));
	jsonw_key(w, "ambiguous"); jsonw_bool(w, r->ambiguous);
	jsonw_key(w, "from"); jsonw_string(w, r->from);
	jsonw_key(w, "loc"); put_loc(w, &r->loc);
	jsonw_end(w);
}

static void put_entry(struct jsonw *w, const struct entry *e)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "function"); jsonw_string(w, e->function);
	jsonw_key(w, "spawner"); jsonw_string(w, e->spawner);
	jsonw_key(w, "spawn_module"); jsonw_string(w, e->spawn_module);
	jsonw_key(w, "spawned_in"); jsonw_string(w, e->spawned_in);
	jsonw_key(w, "next_call"); jsonw_string(w, next_call_name(e->next_call));
	jsonw_key(w, "blocking"); jsonw_string(w, e->blocking);
	jsonw_key(w, "loc"); put_loc(w, &e->loc);
	jsonw_end(w);
}

static void put_blocking(struct jsonw *w, const struct blocking *b)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "function"); jsonw_string(w, b->function);
	jsonw_key(w, "callee"); jsonw_string(w, b->callee);
	jsonw_key(w, "loc"); put_loc(w, &b->loc);
	jsonw_end(w);
}

static void put_state(struct jsonw *w, const struct state_type *s)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "name"); jsonw_string(w, s->name);
	jsonw_key(w, "layout_hash"); jsonw_hash(w, s->layout_hash);
	jsonw_key(w, "layout"); jsonw_string(w, s->layout);
	jsonw_key(w, "loc"); put_loc(w, &s->loc);
	jsonw_end(w);
}

static void put_string(struct jsonw *w, const char *const *s)
{
	jsonw_string(w, *s);
}

/* Writes "key": [ items ], one item per line, via put(w, &item). */
#define PUT_ARRAY(w, key, items, n, put) do { \
	jsonw_key((w), (key)); \
	jsonw_array((w), JSONW_LINES); \
	for (size_t i_ = 0; i_ < (n); i_++) \
		put((w), &(items)[i_]); \
	jsonw_end(w); \
} while (0)

static void put_module(struct jsonw *w, const struct module *m)
{
	jsonw_object(w, JSONW_LINES);
	jsonw_key(w, "name"); jsonw_string(w, m->name);
	PUT_ARRAY(w, "files", m->files, m->nfiles, put_string);
	jsonw_key(w, "hash"); jsonw_hash(w, m->hash);
	jsonw_key(w, "flags_hash"); jsonw_hash(w, m->flags_hash);
	if (m->has_flags) /* absent, not empty, when the facts do not list them */
		PUT_ARRAY(w, "flags", m->flags, m->nflags, put_string);
	jsonw_key(w, "incomplete"); jsonw_bool(w, m->incomplete);
	jsonw_key(w, "transformer"); jsonw_string(w, m->transformer);
	PUT_ARRAY(w, "exports", m->exports, m->nexports, put_symbol);
	PUT_ARRAY(w, "locals", m->locals, m->nlocals, put_symbol);
	PUT_ARRAY(w, "refs", m->refs, m->nrefs, put_ref);
	PUT_ARRAY(w, "entries", m->entries, m->nentries, put_entry);
	PUT_ARRAY(w, "blocking", m->blocking, m->nblocking, put_blocking);
	PUT_ARRAY(w, "states", m->states, m->nstates, put_state);
	jsonw_end(w);
}

static void put_edge(struct jsonw *w, const struct edge *e)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "from"); jsonw_string(w, e->from);
	jsonw_key(w, "to"); jsonw_string(w, e->to);
	jsonw_key(w, "kinds");
	jsonw_array(w, JSONW_INLINE);
	for (unsigned bit = 1; bit <= REF_QUALIFIED; bit <<= 1)
		if (e->kinds & bit)
			jsonw_string(w, ref_kind_name(bit));
	jsonw_end(w);
	jsonw_key(w, "count"); jsonw_uint(w, e->count);
	jsonw_key(w, "ambiguous"); jsonw_bool(w, e->ambiguous);
	jsonw_end(w);
}

static void put_program(struct jsonw *w, const struct program *p)
{
	jsonw_object(w, JSONW_LINES);
	jsonw_key(w, "name"); jsonw_string(w, p->name);
	jsonw_key(w, "kind"); jsonw_string(w, p->kind);
	jsonw_key(w, "source"); jsonw_string(w, p->source);
	jsonw_key(w, "modules");
	jsonw_array(w, JSONW_INLINE);
	for (size_t i = 0; i < p->nmodules; i++)
		jsonw_string(w, p->modules[i]);
	jsonw_end(w);
	jsonw_end(w);
}

static void put_diag(struct jsonw *w, const struct diagnostic *g)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "severity");
	jsonw_string(w, severity_names[g->severity <= SEV_ERROR ? g->severity : SEV_ERROR]);
	jsonw_key(w, "module"); jsonw_string(w, g->module);
	jsonw_key(w, "message"); jsonw_string(w, g->message);
	jsonw_key(w, "loc"); put_loc(w, &g->loc);
	jsonw_end(w);
}

void facts_write_json(const struct facts *f, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "format"); jsonw_string(&w, FACTS_FORMAT);
	jsonw_key(&w, "version"); jsonw_int(&w, FACTS_VERSION);
	jsonw_key(&w, "root"); jsonw_string(&w, f->root);
	if (f->source_root) {
		jsonw_key(&w, "source_root");
		jsonw_string(&w, f->source_root);
	}
	if (f->unit) {
		jsonw_key(&w, "unit");
		jsonw_bool(&w, 1);
	}
	/* absent, not empty, when the tree is one program (older readers) */
	if (f->nprograms)
		PUT_ARRAY(&w, "programs", f->programs, f->nprograms, put_program);
	PUT_ARRAY(&w, "modules", f->modules, f->nmodules, put_module);
	PUT_ARRAY(&w, "edges", f->edges, f->nedges, put_edge);
	PUT_ARRAY(&w, "diagnostics", f->diags, f->ndiags, put_diag);
	jsonw_end(&w);
	sb_addc(out, '\n');
}

/* ---- reader ------------------------------------------------------------------- */

struct reader {
	struct json_doc doc;
	struct facts *f;
};

/* An optional string copied into the arena; *out keeps its default if absent. */
static int get_str(struct reader *r, const cJSON *o, const char *key, int required,
		   int nullable, const char **out)
{
	const char *s = NULL;
	int rc = nullable ? json_get_string_or_null(&r->doc, o, key, required, &s)
			  : json_get_string(&r->doc, o, key, required, &s);
	if (rc < 0)
		return rc;
	if (rc == 0)
		*out = s ? arena_strdup(&r->f->arena, s) : NULL;
	return 0;
}

static int get_uint(struct reader *r, const cJSON *o, const char *key, unsigned *out)
{
	long long v;
	int rc = json_get_int(&r->doc, o, key, 0, 0, 0xffffffffLL, &v);
	if (rc < 0)
		return rc;
	if (rc == 0)
		*out = (unsigned)v;
	return 0;
}

static int get_bool(struct reader *r, const cJSON *o, const char *key, int *out)
{
	int rc = json_get_bool(&r->doc, o, key, 0, out);
	return rc < 0 ? rc : 0;
}

static int get_hash(struct reader *r, const cJSON *o, const char *key, uint64_t *out)
{
	int rc = json_get_hash(&r->doc, o, key, 0, out);
	return rc < 0 ? rc : 0;
}

static int expect_object(struct reader *r, const cJSON *o, const char *what)
{
	if (!cJSON_IsObject(o))
		return json_error(&r->doc, o, "%s must be an object", what);
	return 0;
}

/* Maps a string member to an index in names[]; absent keeps *out. */
static int get_enum(struct reader *r, const cJSON *o, const char *key, int required,
		    const char *const *names, size_t n, int *out)
{
	const char *s;
	int rc = json_get_string(&r->doc, o, key, required, &s);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	return json_error(&r->doc, m, "unknown %s '%s'", key, s);
}

static int read_loc(struct reader *r, const cJSON *o, struct loc *l)
{
	const cJSON *lo;
	int rc = json_get_object(&r->doc, o, "loc", 0, &lo);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;
	if ((rc = get_str(r, lo, "file", 0, 1, &l->file)) < 0 ||
	    (rc = get_uint(r, lo, "line", &l->line)) < 0 ||
	    (rc = get_uint(r, lo, "col", &l->col)) < 0)
		return rc;
	return 0;
}

static int read_symbol(struct reader *r, const cJSON *o, struct symbol *s)
{
	static const char *const kinds[] = { "function", "variable" };
	static const char *const linkages[] = { "external", "internal" };
	static const char *const vis[] = { "default", "hidden", "protected" };
	int rc, kind = SYM_FUNCTION, link = LINK_EXTERNAL, v = 0, nc = NEXT_LOCAL;
	const char *loop = NULL;
	if ((rc = expect_object(r, o, "a symbol")) < 0 ||
	    (rc = get_str(r, o, "name", 1, 0, &s->name)) < 0 ||
	    (rc = get_enum(r, o, "kind", 1, kinds, 2, &kind)) < 0 ||
	    (rc = get_enum(r, o, "linkage", 0, linkages, 2, &link)) < 0 ||
	    (rc = get_str(r, o, "signature", 0, 1, &s->signature)) < 0 ||
	    (rc = get_enum(r, o, "visibility", 0, vis, 3, &v)) < 0 ||
	    (rc = get_bool(r, o, "inline", &s->is_inline)) < 0 ||
	    (rc = get_hash(r, o, "sig_hash", &s->sig_hash)) < 0 ||
	    (rc = get_hash(r, o, "hash", &s->hash)) < 0 ||
	    (rc = json_get_string_or_null(&r->doc, o, "loop", 0, &loop)) < 0 ||
	    (loop && (rc = get_enum(r, o, "loop", 0, next_call_names, 3, &nc)) < 0) ||
	    (rc = get_str(r, o, "loop_blocking", 0, 1, &s->loop_blocking)) < 0 ||
	    (rc = read_loc(r, o, &s->loc)) < 0)
		return rc;
	if (!s->signature)
		s->signature = "";
	s->kind = (enum sym_kind)kind;
	s->linkage = (enum sym_linkage)link;
	s->visibility = vis[v];
	s->has_loop = loop != NULL;
	s->loop_next = (enum next_call)nc;
	return 0;
}

static int read_ref(struct reader *r, const cJSON *o, struct ref *x)
{
	int rc, kind = 0;
	if ((rc = expect_object(r, o, "a ref")) < 0 ||
	    (rc = get_str(r, o, "symbol", 1, 0, &x->symbol)) < 0 ||
	    (rc = get_str(r, o, "module", 1, r->f->unit, &x->module)) < 0 ||
	    (rc = get_enum(r, o, "kind", 1, ref_kind_names, 4, &kind)) < 0 ||
	    (rc = get_bool(r, o, "ambiguous", &x->ambiguous)) < 0 ||
	    (rc = get_str(r, o, "from", 0, 1, &x->from)) < 0 ||
	    (rc = read_loc(r, o, &x->loc)) < 0)
		return rc;
	x->kind = 1u << kind;
	return 0;
}

static int read_entry(struct reader *r, const cJSON *o, struct entry *e)
{
	int rc, nc = NEXT_LOCAL;
	if ((rc = expect_object(r, o, "an entry")) < 0 ||
	    (rc = get_str(r, o, "function", 1, 0, &e->function)) < 0 ||
	    (rc = get_str(r, o, "spawner", 0, 1, &e->spawner)) < 0 ||
	    (rc = get_str(r, o, "spawn_module", 0, 1, &e->spawn_module)) < 0 ||
	    (rc = get_str(r, o, "spawned_in", 0, 1, &e->spawned_in)) < 0 ||
	    (rc = get_enum(r, o, "next_call", 0, next_call_names, 3, &nc)) < 0 ||
	    (rc = get_str(r, o, "blocking", 0, 1, &e->blocking)) < 0 ||
	    (rc = read_loc(r, o, &e->loc)) < 0)
		return rc;
	e->next_call = (enum next_call)nc;
	return 0;
}

static int read_blocking(struct reader *r, const cJSON *o, struct blocking *b)
{
	int rc;
	if ((rc = expect_object(r, o, "a blocking loop")) < 0 ||
	    (rc = get_str(r, o, "function", 1, 0, &b->function)) < 0 ||
	    (rc = get_str(r, o, "callee", 1, 0, &b->callee)) < 0 ||
	    (rc = read_loc(r, o, &b->loc)) < 0)
		return rc;
	return 0;
}

static int read_state(struct reader *r, const cJSON *o, struct state_type *s)
{
	int rc;
	if ((rc = expect_object(r, o, "a state type")) < 0 ||
	    (rc = get_str(r, o, "name", 1, 0, &s->name)) < 0 ||
	    (rc = get_hash(r, o, "layout_hash", &s->layout_hash)) < 0 ||
	    (rc = get_str(r, o, "layout", 0, 1, &s->layout)) < 0 ||
	    (rc = read_loc(r, o, &s->loc)) < 0)
		return rc;
	if (!s->layout)
		s->layout = "";
	return 0;
}

static int read_file_name(struct reader *r, const cJSON *o, const char **out)
{
	if (!cJSON_IsString(o))
		return json_error(&r->doc, o, "a file must be a string");
	*out = arena_strdup(&r->f->arena, o->valuestring);
	return 0;
}

static int read_flag(struct reader *r, const cJSON *o, const char **out)
{
	if (!cJSON_IsString(o))
		return json_error(&r->doc, o, "a compile flag must be a string");
	*out = arena_strdup(&r->f->arena, o->valuestring);
	return 0;
}

/* Reads the optional array member key into an arena array of T via fn. */
#define READ_ARRAY(r, obj, key, required, T, items, n, fn) do { \
	const cJSON *arr_; \
	int rc_ = json_get_array(&(r)->doc, (obj), (key), (required), &arr_); \
	if (rc_ < 0) \
		return rc_; \
	if (rc_ == 0) { \
		size_t cnt_ = (size_t)cJSON_GetArraySize(arr_), i_ = 0; \
		T *v_ = cnt_ ? arena_zalloc(&(r)->f->arena, cnt_ * sizeof(T)) : NULL; \
		const cJSON *it_; \
		cJSON_ArrayForEach(it_, arr_) { \
			if ((rc_ = fn((r), it_, &v_[i_++])) < 0) \
				return rc_; \
		} \
		(items) = v_; \
		(n) = cnt_; \
	} \
} while (0)

static int read_module(struct reader *r, const cJSON *o, struct module *m)
{
	int rc;
	if ((rc = expect_object(r, o, "a module")) < 0 ||
	    (rc = get_str(r, o, "name", 1, 0, &m->name)) < 0 ||
	    (rc = get_hash(r, o, "hash", &m->hash)) < 0 ||
	    (rc = get_hash(r, o, "flags_hash", &m->flags_hash)) < 0 ||
	    (rc = get_bool(r, o, "incomplete", &m->incomplete)) < 0 ||
	    (rc = get_str(r, o, "transformer", 0, 1, &m->transformer)) < 0)
		return rc;
	if (!*m->name)
		return json_error(&r->doc, cJSON_GetObjectItemCaseSensitive(o, "name"),
				  "empty module name");
	/* a module name becomes an Erlang atom in scripts: at most 255 characters */
	size_t nchars = 0;
	for (const char *c = m->name; *c; c++)
		nchars += ((unsigned char)*c & 0xC0) != 0x80;
	if (nchars > TERM_MAX_ATOM)
		return json_error(&r->doc, cJSON_GetObjectItemCaseSensitive(o, "name"),
				  "module name longer than %d characters", TERM_MAX_ATOM);
	READ_ARRAY(r, o, "files", 0, const char *, m->files, m->nfiles, read_file_name);
	/* older facts have no "flags": has_flags stays 0 */
	m->has_flags = cJSON_GetObjectItemCaseSensitive(o, "flags") != NULL;
	READ_ARRAY(r, o, "flags", 0, const char *, m->flags, m->nflags, read_flag);
	READ_ARRAY(r, o, "exports", 0, struct symbol, m->exports, m->nexports, read_symbol);
	READ_ARRAY(r, o, "locals", 0, struct symbol, m->locals, m->nlocals, read_symbol);
	READ_ARRAY(r, o, "refs", 0, struct ref, m->refs, m->nrefs, read_ref);
	READ_ARRAY(r, o, "entries", 0, struct entry, m->entries, m->nentries, read_entry);
	READ_ARRAY(r, o, "blocking", 0, struct blocking, m->blocking, m->nblocking, read_blocking);
	READ_ARRAY(r, o, "states", 0, struct state_type, m->states, m->nstates, read_state);
	return 0;
}

static int read_module_name(struct reader *r, const cJSON *o, const char **out)
{
	if (!cJSON_IsString(o))
		return json_error(&r->doc, o, "a program's module must be a string");
	*out = arena_strdup(&r->f->arena, o->valuestring);
	return 0;
}

static const char *const program_sources[] = { "cmake", "inferred" };

static int read_program(struct reader *r, const cJSON *o, struct program *p)
{
	int rc, src = 1;
	p->kind = "executable";
	if ((rc = expect_object(r, o, "a program")) < 0 ||
	    (rc = get_str(r, o, "name", 1, 0, &p->name)) < 0 ||
	    (rc = get_str(r, o, "kind", 0, 0, &p->kind)) < 0 ||
	    (rc = get_enum(r, o, "source", 0, program_sources, 2, &src)) < 0)
		return rc;
	p->source = program_sources[src];
	if (!*p->name)
		return json_error(&r->doc, cJSON_GetObjectItemCaseSensitive(o, "name"),
				  "empty program name");
	READ_ARRAY(r, o, "modules", 1, const char *, p->modules, p->nmodules, read_module_name);
	/* every module named is one of the facts' */
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "modules"), *it;
	size_t i = 0;
	cJSON_ArrayForEach(it, arr) {
		if (!facts_module(r->f, p->modules[i++]))
			return json_error(&r->doc, it, "program '%s' names module '%s', which "
					  "the facts do not hold", p->name, it->valuestring);
	}
	return 0;
}

static int read_edge(struct reader *r, const cJSON *o, struct edge *e)
{
	int rc;
	long long count = 1;
	const cJSON *kinds;
	if ((rc = expect_object(r, o, "an edge")) < 0 ||
	    (rc = get_str(r, o, "from", 1, 0, &e->from)) < 0 ||
	    (rc = get_str(r, o, "to", 1, 0, &e->to)) < 0 ||
	    (rc = get_bool(r, o, "ambiguous", &e->ambiguous)) < 0)
		return rc;
	rc = json_get_int(&r->doc, o, "count", 0, 0, 0xffffffffLL, &count);
	if (rc < 0)
		return rc;
	e->count = (unsigned)count;
	rc = json_get_array(&r->doc, o, "kinds", 0, &kinds);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		const cJSON *k;
		cJSON_ArrayForEach(k, kinds) {
			unsigned i;
			if (!cJSON_IsString(k))
				return json_error(&r->doc, k, "an edge kind must be a string");
			for (i = 0; i < HP_ARRAY_SIZE(ref_kind_names); i++)
				if (!strcmp(k->valuestring, ref_kind_names[i]))
					break;
			if (i == HP_ARRAY_SIZE(ref_kind_names))
				return json_error(&r->doc, k, "unknown edge kind '%s'", k->valuestring);
			e->kinds |= 1u << i;
		}
	}
	return 0;
}

static int read_diag(struct reader *r, const cJSON *o, struct diagnostic *g)
{
	int rc, sev = SEV_WARNING;
	if ((rc = expect_object(r, o, "a diagnostic")) < 0 ||
	    (rc = get_enum(r, o, "severity", 1, severity_names, 3, &sev)) < 0 ||
	    (rc = get_str(r, o, "module", 0, 1, &g->module)) < 0 ||
	    (rc = get_str(r, o, "message", 1, 0, &g->message)) < 0 ||
	    (rc = read_loc(r, o, &g->loc)) < 0)
		return rc;
	g->severity = (enum severity)sev;
	return 0;
}

static int read_top(struct reader *r)
{
	const cJSON *root = r->doc.root;
	const char *format;
	long long version;
	int rc;
	if ((rc = expect_object(r, root, "facts")) < 0)
		return rc;
	if ((rc = json_get_string(&r->doc, root, "format", 1, &format)) < 0)
		return rc;
	if (strcmp(format, FACTS_FORMAT))
		return json_error(&r->doc, cJSON_GetObjectItemCaseSensitive(root, "format"),
				  "not a facts file: format is '%s', expected '%s'",
				  format, FACTS_FORMAT);
	if ((rc = json_get_int(&r->doc, root, "version", 1, 0, 1000000, &version)) < 0)
		return rc;
	if (version != FACTS_VERSION)
		return json_error(&r->doc, cJSON_GetObjectItemCaseSensitive(root, "version"),
				  "unsupported facts version %lld (this hotplan reads %d)",
				  version, FACTS_VERSION);
	if ((rc = get_str(r, root, "root", 0, 1, &r->f->root)) < 0 ||
	    (rc = get_str(r, root, "source_root", 0, 1, &r->f->source_root)) < 0 ||
	    (rc = get_bool(r, root, "unit", &r->f->unit)) < 0)
		return rc;
	if (!r->f->root)
		r->f->root = "";
	if (r->f->source_root && r->f->source_root[0] != '/')
		return json_error(&r->doc, cJSON_GetObjectItemCaseSensitive(root, "source_root"),
				  "'source_root' must be an absolute folder");
	if ((rc = json_check_count(&r->doc, cJSON_GetObjectItemCaseSensitive(root, "modules"),
				   "modules", FACTS_MAX_MODULES)) < 0)
		return rc;
	READ_ARRAY(r, root, "modules", 1, struct module, r->f->modules, r->f->nmodules, read_module);
	READ_ARRAY(r, root, "edges", 0, struct edge, r->f->edges, r->f->nedges, read_edge);
	READ_ARRAY(r, root, "diagnostics", 0, struct diagnostic, r->f->diags, r->f->ndiags, read_diag);
	/* names must be unique: facts_module() relies on it */
	SORT(r->f->modules, r->f->nmodules, cmp_module);
	for (size_t i = 1; i < r->f->nmodules; i++) {
		if (!strcmp(r->f->modules[i - 1].name, r->f->modules[i].name))
			return hp_error_at(r->doc.err, HP_EINPUT, r->doc.file, 0, 0,
					   "module '%s' appears twice", r->f->modules[i].name);
	}
	READ_ARRAY(r, root, "programs", 0, struct program, r->f->programs, r->f->nprograms,
		   read_program);
	/* names must be unique: facts_program() relies on it */
	const cJSON *progs = cJSON_GetObjectItemCaseSensitive(root, "programs"), *it;
	size_t j = 0;
	cJSON_ArrayForEach(it, progs) {
		for (size_t i = 0; i < j; i++)
			if (!strcmp(r->f->programs[i].name, r->f->programs[j].name))
				return json_error(&r->doc, it, "program '%s' appears twice",
						  r->f->programs[j].name);
		j++;
	}
	return 0;
}

int facts_read_json(const char *file, const char *json, size_t len,
		    struct facts **out, struct errbuf *err)
{
	struct reader r = { .f = facts_new() };
	int rc = json_doc_parse(&r.doc, file, json, len, err);
	if (rc < 0) {
		facts_free(r.f);
		return rc;
	}
	rc = read_top(&r);
	json_doc_release(&r.doc);
	if (rc < 0) {
		facts_free(r.f);
		return rc;
	}
	facts_finish(r.f);
	*out = r.f;
	return 0;
}

int facts_read_file(const char *path, struct facts **out, struct errbuf *err)
{
	char *data;
	size_t len;
	int rc = fileio_read(path, &data, &len, err);
	if (rc < 0)
		return rc;
	rc = facts_read_json(strcmp(path, "-") ? path : "<stdin>", data, len, out, err);
	free(data);
	return rc;
}

/* Cheap test on the first bytes: an object whose text mentions the format
 * name before any '[' that would start a compile_commands.json array. */
int facts_sniff(const char *json, size_t len)
{
	size_t i = 0;
	while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' ||
			   json[i] == '\r'))
		i++;
	if (i >= len || json[i] != '{')
		return 0;
	size_t lim = len - i < 4096 ? len - i : 4096;
	const char *p = json + i;
	static const char needle[] = "\"" FACTS_FORMAT "\"";
	size_t nl = sizeof(needle) - 1;
	for (size_t k = 0; k + nl <= lim; k++)
		if (!memcmp(p + k, needle, nl))
			return 1;
	return 0;
}
