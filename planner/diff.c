/*
 * diff.c - module-by-module and symbol-by-symbol diff of two facts (diff.h).
 *
 * Everything is a merge join of sorted arrays: modules by name, then in each
 * module present in both versions, symbols (exports and locals merged into
 * one name-ordered sequence) and state types. Invariant of every join: both
 * cursors only move forward and the smaller name is consumed first, so the
 * output is in name order and each name is visited once; the whole diff is
 * linear in the size of both facts. Compile flags are compared as
 * multisets by sorting both lists (n log n in the number of flags).
 */
#include "diff.h"

#include <jsonw.h>
#include <stdlib.h>
#include <string.h>

/* ORDER CHG_NAMES: one name per enum change_kind bit, in bit order. */
static const char *const chg_names[CHG_KIND_COUNT] = {
	"body", "signature", "linkage", "visibility", "added", "removed",
	"initializer", "state-layout", "flags", "other",
};

const char *change_kind_name(unsigned kind)
{
	for (unsigned i = 0; i < CHG_KIND_COUNT; i++)
		if (kind == (1u << i))
			return chg_names[i];
	return NULL;
}

void change_kinds_write(struct strbuf *out, unsigned mask, const char *sep)
{
	int first = 1;
	for (unsigned i = 0; i < CHG_KIND_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!first)
			sb_adds(out, sep);
		sb_adds(out, chg_names[i]);
		first = 0;
	}
}

const char *mod_status_name(enum mod_status st)
{
	switch (st) {
	case MOD_UNCHANGED: return "unchanged";
	case MOD_CHANGED: return "changed";
	case MOD_ADDED: return "added";
	case MOD_REMOVED: return "removed";
	}
	return "unchanged";
}

/* ---- symbols ------------------------------------------------------------ */

/* A cursor over a module's exports and locals merged by name. */
struct sym_cursor {
	const struct module *m;
	size_t ie, il;
};

/* The next symbol in name order (NULL at the end) and whether it is exported;
 * does not advance. */
static const struct symbol *sym_peek(const struct sym_cursor *c, int *exported)
{
	const struct symbol *e = c->m && c->ie < c->m->nexports ? &c->m->exports[c->ie] : NULL;
	const struct symbol *l = c->m && c->il < c->m->nlocals ? &c->m->locals[c->il] : NULL;
	if (e && (!l || strcmp(e->name, l->name) <= 0)) {
		*exported = 1;
		return e;
	}
	*exported = 0;
	return l;
}

static void sym_next(struct sym_cursor *c, int exported)
{
	if (exported)
		c->ie++;
	else
		c->il++;
}

static unsigned sym_compare(const struct symbol *o, int oexp, const struct symbol *n, int nexp)
{
	unsigned ch = 0;
	if (oexp != nexp)
		ch |= CHG_LINKAGE;
	if (!hp_streq(o->visibility, n->visibility))
		ch |= CHG_VISIBILITY;
	if (o->kind != n->kind || o->sig_hash != n->sig_hash)
		ch |= CHG_SIGNATURE;
	if (o->hash != n->hash)
		ch |= n->kind == SYM_VARIABLE ? CHG_INITIALIZER : CHG_BODY;
	return ch;
}

typedef VEC(struct sym_diff) sym_vec;
typedef VEC(struct state_diff) state_vec;

static void push_sym(sym_vec *v, const struct symbol *o, int oexp,
		     const struct symbol *n, int nexp, unsigned ch)
{
	struct sym_diff sd;
	sd.name = n ? n->name : o->name;
	sd.kind = n ? n->kind : o->kind;
	sd.changes = ch;
	sd.old = o;
	sd.new = n;
	sd.old_exported = o ? oexp : 0;
	sd.new_exported = n ? nexp : 0;
	VEC_PUSH(v, sd);
}

/* Symbols of om -> nm (either may be NULL: module added or removed). */
static void diff_symbols(const struct module *om, const struct module *nm, sym_vec *out)
{
	struct sym_cursor oc = { om, 0, 0 }, nc = { nm, 0, 0 };
	for (;;) {
		int oexp, nexp;
		const struct symbol *o = sym_peek(&oc, &oexp);
		const struct symbol *n = sym_peek(&nc, &nexp);
		if (!o && !n)
			break;
		int c = !o ? 1 : !n ? -1 : strcmp(o->name, n->name);
		if (c < 0) {
			push_sym(out, o, oexp, NULL, 0, CHG_REMOVED);
			sym_next(&oc, oexp);
		} else if (c > 0) {
			push_sym(out, NULL, 0, n, nexp, CHG_ADDED);
			sym_next(&nc, nexp);
		} else {
			unsigned ch = sym_compare(o, oexp, n, nexp);
			if (ch)
				push_sym(out, o, oexp, n, nexp, ch);
			sym_next(&oc, oexp);
			sym_next(&nc, nexp);
		}
	}
}

static void diff_states(const struct module *om, const struct module *nm, state_vec *out)
{
	size_t i = 0, j = 0;
	size_t no = om ? om->nstates : 0, nn = nm ? nm->nstates : 0;
	while (i < no || j < nn) {
		const struct state_type *o = i < no ? &om->states[i] : NULL;
		const struct state_type *n = j < nn ? &nm->states[j] : NULL;
		int c = !o ? 1 : !n ? -1 : strcmp(o->name, n->name);
		struct state_diff sd = { NULL, 0, NULL, NULL };
		if (c < 0) {
			sd = (struct state_diff){ o->name, CHG_REMOVED, o, NULL };
			i++;
		} else if (c > 0) {
			sd = (struct state_diff){ n->name, CHG_ADDED, NULL, n };
			j++;
		} else {
			if (o->layout_hash != n->layout_hash)
				sd = (struct state_diff){ n->name, CHG_STATE_LAYOUT, o, n };
			i++;
			j++;
		}
		if (sd.name)
			VEC_PUSH(out, sd);
	}
}

/* ---- compile flags ------------------------------------------------------- */

struct flag_at {
	const char *s;
	size_t i;     /* position in its list */
};

static int cmp_flag_at(const void *pa, const void *pb)
{
	const struct flag_at *a = pa, *b = pb;
	int c = strcmp(a->s, b->s);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

static struct flag_at *flags_sorted(const char *const *v, size_t n)
{
	struct flag_at *s = xcalloc(n + 1, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s[i] = (struct flag_at){ v[i], i };
	if (n > 1)
		qsort(s, n, sizeof(*s), cmp_flag_at);
	return s;
}

/* Copies the elements of v that are not marked kept, in order. */
static const char **flags_left(struct arena *a, const char *const *v, size_t n,
			       const char *kept, size_t *nout)
{
	size_t k = 0;
	const char **out = arena_alloc(a, (n + 1) * sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (!kept[i])
			out[k++] = v[i];
	*nout = k;
	return out;
}

/*
 * The flags of om -> nm as multisets: a merge join of both lists sorted by
 * text pairs each old flag with at most one equal new flag; what is left
 * unpaired on the new side was added, on the old side removed.
 */
static void diff_flags(struct diff *d, struct mod_diff *md, const struct module *om,
		       const struct module *nm)
{
	md->flags_listed = om->has_flags && nm->has_flags;
	if (!md->flags_listed)
		return;
	struct flag_at *so = flags_sorted(om->flags, om->nflags);
	struct flag_at *sn = flags_sorted(nm->flags, nm->nflags);
	char *kept_old = xcalloc(om->nflags + 1, 1), *kept_new = xcalloc(nm->nflags + 1, 1);
	size_t i = 0, j = 0;
	while (i < om->nflags && j < nm->nflags) {
		int c = strcmp(so[i].s, sn[j].s);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			kept_old[so[i++].i] = 1;
			kept_new[sn[j++].i] = 1;
		}
	}
	md->flags_added = flags_left(&d->arena, nm->flags, nm->nflags, kept_new,
				     &md->nflags_added);
	md->flags_removed = flags_left(&d->arena, om->flags, om->nflags, kept_old,
				       &md->nflags_removed);
	free(so);
	free(sn);
	free(kept_old);
	free(kept_new);
}

/* ---- modules ------------------------------------------------------------ */

static void fill_module(struct diff *d, struct mod_diff *md, const struct module *om,
			const struct module *nm, sym_vec *syms, state_vec *states)
{
	memset(md, 0, sizeof(*md));
	md->name = nm ? nm->name : om->name;
	md->old = om;
	md->new = nm;
	syms->n = 0;
	states->n = 0;
	diff_symbols(om, nm, syms);
	diff_states(om, nm, states);

	unsigned ch = 0;
	for (size_t i = 0; i < syms->n; i++) {
		const struct sym_diff *s = &syms->items[i];
		ch |= s->changes;
		if (s->new_exported && !s->old_exported)
			md->exports_added++;
		else if (s->old_exported && !s->new_exported)
			md->exports_removed++;
		else if (s->old_exported && (s->changes & CHG_SIGNATURE))
			md->exports_retyped++;
	}
	for (size_t i = 0; i < states->n; i++)
		ch |= states->items[i].changes;

	if (!om) {
		md->status = MOD_ADDED;
		md->changes = CHG_ADDED;
	} else if (!nm) {
		md->status = MOD_REMOVED;
		md->changes = CHG_REMOVED;
	} else {
		if (om->flags_hash != nm->flags_hash) {
			ch |= CHG_FLAGS;
			diff_flags(d, md, om, nm);
		}
		if (!ch && om->hash != nm->hash)
			ch |= CHG_OTHER;
		md->changes = ch;
		md->status = ch ? MOD_CHANGED : MOD_UNCHANGED;
	}
	if (md->status != MOD_UNCHANGED) {
		md->syms = arena_memdup(&d->arena, syms->items, syms->n * sizeof(*syms->items));
		md->nsyms = syms->n;
		md->states = arena_memdup(&d->arena, states->items,
					  states->n * sizeof(*states->items));
		md->nstates = states->n;
	}
	switch (md->status) {
	case MOD_UNCHANGED: d->nunchanged++; break;
	case MOD_CHANGED: d->nchanged++; break;
	case MOD_ADDED: d->nadded++; break;
	case MOD_REMOVED: d->nremoved++; break;
	}
}

void diff_compute(struct diff *d, const struct facts *old, const struct facts *new)
{
	memset(d, 0, sizeof(*d));
	arena_init(&d->arena);
	d->old = old;
	d->new = new;

	size_t cap = old->nmodules + new->nmodules;
	d->mods = cap ? arena_alloc(&d->arena, cap * sizeof(*d->mods)) : NULL;
	sym_vec syms = { 0 };
	state_vec states = { 0 };
	size_t i = 0, j = 0;
	while (i < old->nmodules || j < new->nmodules) {
		const struct module *om = i < old->nmodules ? &old->modules[i] : NULL;
		const struct module *nm = j < new->nmodules ? &new->modules[j] : NULL;
		int c = !om ? 1 : !nm ? -1 : strcmp(om->name, nm->name);
		if (c < 0) {
			nm = NULL;
			i++;
		} else if (c > 0) {
			om = NULL;
			j++;
		} else {
			i++;
			j++;
		}
		fill_module(d, &d->mods[d->nmods++], om, nm, &syms, &states);
	}
	VEC_RELEASE(&syms);
	VEC_RELEASE(&states);
}

void diff_release(struct diff *d)
{
	if (!d)
		return;
	arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

const struct mod_diff *diff_module(const struct diff *d, const char *name)
{
	size_t lo = 0, hi = d->nmods;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->mods[mid].name, name);
		if (!c)
			return &d->mods[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int mod_diff_state_changed(const struct mod_diff *m)
{
	return m->nstates > 0;
}

/* ---- text ----------------------------------------------------------------- */

static const char *sym_kind_word(enum sym_kind k)
{
	return k == SYM_VARIABLE ? "variable" : "function";
}

static void text_loc(struct strbuf *out, const struct loc *loc)
{
	if (!loc->file)
		return;
	sb_addf(out, "  (%s", loc->file);
	if (loc->line)
		sb_addf(out, ":%u", loc->line);
	if (loc->line && loc->col)
		sb_addf(out, ":%u", loc->col);
	sb_adds(out, ")");
}

static void text_sym(struct strbuf *out, const struct sym_diff *s)
{
	const struct symbol *at = s->new ? s->new : s->old;
	sb_addf(out, "    %s%s %s: ",
		(s->new ? s->new_exported : s->old_exported) ? "" : "static ",
		sym_kind_word(s->kind), s->name);
	change_kinds_write(out, s->changes, ", ");
	/* then ": old -> new" of each kind that has one, joined by "; " */
	const char *sep = ": ";
	if ((s->changes & CHG_SIGNATURE) && s->old && s->new) {
		sb_addf(out, "%s%s -> %s", sep, s->old->signature ? s->old->signature : "?",
			s->new->signature ? s->new->signature : "?");
		sep = "; ";
	}
	if ((s->changes & CHG_LINKAGE) && s->old && s->new) {
		sb_addf(out, "%s%s -> %s", sep, s->old_exported ? "external" : "static",
			s->new_exported ? "external" : "static");
		sep = "; ";
	}
	if ((s->changes & CHG_VISIBILITY) && s->old && s->new)
		sb_addf(out, "%s%s -> %s", sep, s->old->visibility ? s->old->visibility : "?",
			s->new->visibility ? s->new->visibility : "?");
	text_loc(out, &at->loc);
	sb_addc(out, '\n');
}

static void text_state(struct strbuf *out, const struct state_diff *s)
{
	const struct state_type *at = s->new ? s->new : s->old;
	sb_addf(out, "    state %s: %s", s->name,
		s->changes == CHG_STATE_LAYOUT ? "layout" : change_kind_name(s->changes));
	if (s->old && s->new)
		sb_addf(out, ": {%s} -> {%s}", s->old->layout ? s->old->layout : "?",
			s->new->layout ? s->new->layout : "?");
	text_loc(out, &at->loc);
	sb_addc(out, '\n');
}

static void text_flag_list(struct strbuf *out, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(out, " %s", v[i]);
}

/* "compile flags: added -DFAST_PATH, removed -O0" */
static void text_flags(struct strbuf *out, const struct mod_diff *m)
{
	if (!m->flags_listed) {
		sb_adds(out, "    compile flags changed (the facts do not list them)\n");
		return;
	}
	sb_adds(out, "    compile flags:");
	if (m->nflags_added) {
		sb_adds(out, " added");
		text_flag_list(out, m->flags_added, m->nflags_added);
	}
	if (m->nflags_added && m->nflags_removed)
		sb_addc(out, ',');
	if (m->nflags_removed) {
		sb_adds(out, " removed");
		text_flag_list(out, m->flags_removed, m->nflags_removed);
	}
	if (!m->nflags_added && !m->nflags_removed)
		sb_adds(out, m->old->nfiles == 1 && m->new->nfiles == 1 ?
			" the same flags in another order" :
			" the same flags, in another order or on other files");
	sb_addc(out, '\n');
}

static void text_module_list(struct strbuf *out, const struct diff *d, enum mod_status st,
			     const char *title, size_t count)
{
	sb_addf(out, "\n%s (%zu):\n", title, count);
	if (!count) {
		sb_adds(out, "  none\n");
		return;
	}
	for (size_t i = 0; i < d->nmods; i++) {
		const struct mod_diff *m = &d->mods[i];
		if (m->status != st)
			continue;
		sb_addf(out, "  %s", m->name);
		if (st == MOD_CHANGED) {
			sb_adds(out, ": ");
			change_kinds_write(out, m->changes, ", ");
		}
		sb_addc(out, '\n');
		if (st == MOD_CHANGED) {
			if (m->changes & CHG_FLAGS)
				text_flags(out, m);
			if (m->changes & CHG_OTHER)
				sb_adds(out, "    the module's semantic hash changed, but no symbol,"
					" state type or flag explains it\n");
			for (size_t k = 0; k < m->nsyms; k++)
				text_sym(out, &m->syms[k]);
			for (size_t k = 0; k < m->nstates; k++)
				text_state(out, &m->states[k]);
		}
	}
}

/* Which summary an export line belongs to. */
enum export_class { EXP_ADDED, EXP_REMOVED, EXP_RETYPED };

static int export_in_class(const struct sym_diff *s, enum export_class c)
{
	switch (c) {
	case EXP_ADDED: return s->new_exported && !s->old_exported;
	case EXP_REMOVED: return s->old_exported && !s->new_exported;
	case EXP_RETYPED:
		return s->old_exported && s->new_exported && (s->changes & CHG_SIGNATURE);
	}
	return 0;
}

static void text_exports(struct strbuf *out, const struct diff *d, enum export_class c,
			 const char *title)
{
	size_t count = 0;
	sb_addf(out, "\n%s:\n", title);
	for (size_t i = 0; i < d->nmods; i++) {
		const struct mod_diff *m = &d->mods[i];
		for (size_t k = 0; k < m->nsyms; k++) {
			if (!export_in_class(&m->syms[k], c))
				continue;
			sb_addf(out, "  %s:%s\n", m->name, m->syms[k].name);
			count++;
		}
	}
	if (!count)
		sb_adds(out, "  none\n");
}

void diff_write_text(const struct diff *d, struct strbuf *out)
{
	sb_addf(out, "diff %s -> %s: %zu added, %zu removed, %zu changed, %zu unchanged\n",
		d->old->root ? d->old->root : "OLD", d->new->root ? d->new->root : "NEW",
		d->nadded, d->nremoved, d->nchanged, d->nunchanged);
	text_module_list(out, d, MOD_ADDED, "modules added", d->nadded);
	text_module_list(out, d, MOD_REMOVED, "modules removed", d->nremoved);
	text_module_list(out, d, MOD_CHANGED, "modules changed", d->nchanged);

	sb_addf(out, "\nmodules unchanged (%zu):\n", d->nunchanged);
	if (!d->nunchanged)
		sb_adds(out, "  none\n");
	size_t col = 0;
	for (size_t i = 0; i < d->nmods; i++) {
		if (d->mods[i].status != MOD_UNCHANGED)
			continue;
		size_t w = strlen(d->mods[i].name);
		if (col && col + 1 + w > 78) {
			sb_addc(out, '\n');
			col = 0;
		}
		sb_adds(out, col ? " " : "  ");
		sb_adds(out, d->mods[i].name);
		col += (col ? 1 : 2) + w;
	}
	if (col)
		sb_addc(out, '\n');

	text_exports(out, d, EXP_ADDED, "exports added");
	text_exports(out, d, EXP_REMOVED, "exports removed");
	text_exports(out, d, EXP_RETYPED, "exports changed in signature");

	size_t count = 0;
	sb_adds(out, "\nstate layouts changed (in modules of both versions):\n");
	for (size_t i = 0; i < d->nmods; i++)
		for (size_t k = 0; d->mods[i].status == MOD_CHANGED && k < d->mods[i].nstates; k++) {
			const struct state_diff *s = &d->mods[i].states[k];
			sb_addf(out, "  %s: %s (%s)\n", d->mods[i].name, s->name,
				s->changes == CHG_STATE_LAYOUT ? "layout" : change_kind_name(s->changes));
			count++;
		}
	if (!count)
		sb_adds(out, "  none\n");
}

/* ---- JSON ------------------------------------------------------------------ */

/* [kind names] of a CHG_* mask */
static void json_kinds(struct jsonw *w, unsigned mask)
{
	jsonw_array(w, JSONW_INLINE);
	for (unsigned i = 0; i < CHG_KIND_COUNT; i++)
		if (mask & (1u << i))
			jsonw_string(w, chg_names[i]);
	jsonw_end(w);
}

/* "file", "line", "column" members of the enclosing object */
static void json_loc(struct jsonw *w, const struct loc *loc)
{
	jsonw_key(w, "file"); jsonw_string(w, loc->file);
	jsonw_key(w, "line"); jsonw_uint(w, loc->line);
	jsonw_key(w, "column"); jsonw_uint(w, loc->col);
}

/* "key": {"old": O, "new": N} with strings (null where absent) */
static void json_old_new(struct jsonw *w, const char *key, const char *old, const char *new)
{
	jsonw_key(w, key);
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "old"); jsonw_string(w, old);
	jsonw_key(w, "new"); jsonw_string(w, new);
	jsonw_end(w);
}

static void json_sym(struct jsonw *w, const struct sym_diff *s)
{
	const struct symbol *at = s->new ? s->new : s->old;
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "name"); jsonw_string(w, s->name);
	jsonw_key(w, "kind"); jsonw_string(w, sym_kind_word(s->kind));
	jsonw_key(w, "changes"); json_kinds(w, s->changes);
	jsonw_key(w, "exported");
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "old");
	if (s->old)
		jsonw_bool(w, s->old_exported);
	else
		jsonw_null(w);
	jsonw_key(w, "new");
	if (s->new)
		jsonw_bool(w, s->new_exported);
	else
		jsonw_null(w);
	jsonw_end(w);
	json_old_new(w, "signature", s->old ? s->old->signature : NULL,
		     s->new ? s->new->signature : NULL);
	json_old_new(w, "visibility", s->old ? s->old->visibility : NULL,
		     s->new ? s->new->visibility : NULL);
	json_loc(w, &at->loc);
	jsonw_end(w);
}

static void json_strings(struct jsonw *w, const char *const *v, size_t n)
{
	jsonw_array(w, JSONW_INLINE);
	for (size_t i = 0; i < n; i++)
		jsonw_string(w, v[i]);
	jsonw_end(w);
}

/* null unless the compile flags changed; then {"listed", "added", "removed"} */
static void json_flags(struct jsonw *w, const struct mod_diff *m)
{
	if (!(m->changes & CHG_FLAGS)) {
		jsonw_null(w);
		return;
	}
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "listed"); jsonw_bool(w, m->flags_listed);
	jsonw_key(w, "added"); json_strings(w, m->flags_added, m->nflags_added);
	jsonw_key(w, "removed"); json_strings(w, m->flags_removed, m->nflags_removed);
	jsonw_end(w);
}

static void json_state(struct jsonw *w, const struct state_diff *s)
{
	const struct state_type *at = s->new ? s->new : s->old;
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "name"); jsonw_string(w, s->name);
	jsonw_key(w, "changes"); json_kinds(w, s->changes);
	json_old_new(w, "layout", s->old ? s->old->layout : NULL, s->new ? s->new->layout : NULL);
	json_loc(w, &at->loc);
	jsonw_end(w);
}

static void json_module(struct jsonw *w, const struct mod_diff *m)
{
	jsonw_object(w, JSONW_LINES);
	jsonw_key(w, "name"); jsonw_string(w, m->name);
	jsonw_key(w, "status"); jsonw_string(w, mod_status_name(m->status));
	jsonw_key(w, "changes"); json_kinds(w, m->changes);
	jsonw_key(w, "exports");
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "added"); jsonw_uint(w, m->exports_added);
	jsonw_key(w, "removed"); jsonw_uint(w, m->exports_removed);
	jsonw_key(w, "signature_changed"); jsonw_uint(w, m->exports_retyped);
	jsonw_end(w);
	jsonw_key(w, "flags"); json_flags(w, m);
	jsonw_key(w, "symbols");
	jsonw_array(w, JSONW_LINES);
	for (size_t k = 0; k < m->nsyms; k++)
		json_sym(w, &m->syms[k]);
	jsonw_end(w);
	jsonw_key(w, "states");
	jsonw_array(w, JSONW_LINES);
	for (size_t k = 0; k < m->nstates; k++)
		json_state(w, &m->states[k]);
	jsonw_end(w);
	jsonw_end(w);
}

static void json_exports(struct jsonw *w, const struct diff *d, enum export_class c)
{
	jsonw_array(w, JSONW_INLINE);
	for (size_t i = 0; i < d->nmods; i++)
		for (size_t k = 0; k < d->mods[i].nsyms; k++) {
			if (!export_in_class(&d->mods[i].syms[k], c))
				continue;
			jsonw_object(w, JSONW_INLINE);
			jsonw_key(w, "module"); jsonw_string(w, d->mods[i].name);
			jsonw_key(w, "symbol"); jsonw_string(w, d->mods[i].syms[k].name);
			jsonw_end(w);
		}
	jsonw_end(w);
}

/* "state_layouts_changed": [{"module","state","changes"}] of changed modules */
static void json_layouts(struct jsonw *w, const struct diff *d)
{
	jsonw_array(w, JSONW_INLINE);
	for (size_t i = 0; i < d->nmods; i++)
		for (size_t k = 0; d->mods[i].status == MOD_CHANGED && k < d->mods[i].nstates; k++) {
			jsonw_object(w, JSONW_INLINE);
			jsonw_key(w, "module"); jsonw_string(w, d->mods[i].name);
			jsonw_key(w, "state"); jsonw_string(w, d->mods[i].states[k].name);
			jsonw_key(w, "changes"); json_kinds(w, d->mods[i].states[k].changes);
			jsonw_end(w);
		}
	jsonw_end(w);
}

/*
 * {"format": "hotplan-diff", "version": 1, "old": root, "new": root,
 *  "summary": {"added","removed","changed","unchanged"},
 *  "modules": [{"name","status","changes":[kinds],"exports":{counts},
 *               "flags": null | {"listed": bool, "added": [flags],
 *                                "removed": [flags]}   (see struct mod_diff),
 *               "symbols":[{"name","kind","changes","exported","signature",
 *                           "visibility","file","line","column"}],
 *               "states":[...]}]      (every module not unchanged)
 *  "unchanged": [names],
 *  "exports": {"added","removed","signature_changed": [{"module","symbol"}]},
 *  "state_layouts_changed": [{"module","state","changes"}]}  (changed
 *                                              modules only)
 */
void diff_write_summary(const struct diff *d, struct jsonw *w)
{
	jsonw_key(w, "summary");
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "added"); jsonw_uint(w, d->nadded);
	jsonw_key(w, "removed"); jsonw_uint(w, d->nremoved);
	jsonw_key(w, "changed"); jsonw_uint(w, d->nchanged);
	jsonw_key(w, "unchanged"); jsonw_uint(w, d->nunchanged);
	jsonw_end(w);
}

void diff_write_json(const struct diff *d, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "format"); jsonw_string(&w, "hotplan-diff");
	jsonw_key(&w, "version"); jsonw_int(&w, 1);
	jsonw_key(&w, "old"); jsonw_string(&w, d->old->root);
	jsonw_key(&w, "new"); jsonw_string(&w, d->new->root);
	diff_write_summary(d, &w);
	jsonw_key(&w, "modules");
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < d->nmods; i++)
		if (d->mods[i].status != MOD_UNCHANGED)
			json_module(&w, &d->mods[i]);
	jsonw_end(&w);
	jsonw_key(&w, "unchanged");
	jsonw_array(&w, JSONW_INLINE);
	for (size_t i = 0; i < d->nmods; i++)
		if (d->mods[i].status == MOD_UNCHANGED)
			jsonw_string(&w, d->mods[i].name);
	jsonw_end(&w);
	jsonw_key(&w, "exports");
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "added"); json_exports(&w, d, EXP_ADDED);
	jsonw_key(&w, "removed"); json_exports(&w, d, EXP_REMOVED);
	jsonw_key(&w, "signature_changed"); json_exports(&w, d, EXP_RETYPED);
	jsonw_end(&w);
	jsonw_key(&w, "state_layouts_changed"); json_layouts(&w, d);
	jsonw_end(&w);
	sb_addc(out, '\n');
}
