/*
 * plan.c - diff, classify, find dependencies, build the appup, translate it
 * both ways, and run the lints beyond OTP's checks (plan.h).
 *
 * Invariants:
 *  - decisions are numbered in appup order (added, changed, removed; by
 *    name in each group), so plan_decision() is a binary search per group;
 *    while building, idx maps a module name to its decision number + 1;
 *  - dependencies come from one merge join of the two facts' edge arrays,
 *    which facts_finish() keeps sorted by (from, to): each (from, to) pair is
 *    seen once, with the versions it appears in, so a decision's deps come
 *    out in name order without sorting, and the cost is O(edges); only the
 *    Deps of deleted modules, which receive turned-round edges (plan.h,
 *    PLAN_DEP_USER), are sorted afterwards.
 * Classification follows DESIGN.md §6: a changed module whose processes
 * (entries, in either version) can be suspended and whose new version has
 * a state transformer is updated (advanced if a state type changed, soft
 * otherwise); any other changed module is loaded.
 */
#include "plan.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depgraph.h"

void plan_options_init(struct plan_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->purge = PURGE_BRUTAL;
	opt->app = "app";
	opt->vsn = "2.0";
	opt->from_vsn = "1.0";
}

const char *plan_kind_name(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_ADD_MODULE: return "add_module";
	case PLAN_DELETE_MODULE: return "delete_module";
	case PLAN_LOAD_MODULE: return "load_module";
	case PLAN_UPDATE_SOFT: return "update_soft";
	case PLAN_UPDATE_ADVANCED: return "update_advanced";
	}
	return "load_module";
}

/* Working state of one plan_build(). */
struct builder {
	struct plan *p;
	struct strmap idx;        /* module name -> decision number + 1 */
};

static size_t dec_index(const struct builder *b, const char *name)
{
	void *v;
	if (!name || !strmap_lookup(&b->idx, name, &v))
		return SIZE_MAX;
	return (size_t)(uintptr_t)v - 1;
}

/* ---- classification --------------------------------------------------------- */

/* Whether some process, in either version, names m in its Modules list:
 * a thread started in m, or one that dispatches to m through the export
 * table (m is its callback module). */
static int has_processes(const struct plan *p, const struct mod_diff *m)
{
	size_t n_old = 0, n_new = 0;
	procs_of_module(&p->procs_old, m->name, &n_old);
	procs_of_module(&p->procs_new, m->name, &n_new);
	return n_old || n_new;
}

static enum plan_kind classify(const struct plan *p, const struct mod_diff *m)
{
	if (m->status == MOD_ADDED)
		return PLAN_ADD_MODULE;
	if (m->status == MOD_REMOVED)
		return PLAN_DELETE_MODULE;
	if (has_processes(p, m) && m->new->transformer)
		return mod_diff_state_changed(m) ? PLAN_UPDATE_ADVANCED : PLAN_UPDATE_SOFT;
	return PLAN_LOAD_MODULE;
}

/* ---- dependencies ------------------------------------------------------------- */

struct dep_pair {
	size_t from, to;          /* decision numbers */
	unsigned versions, kinds;
};
typedef VEC(struct dep_pair) pair_vec;

static int edge_cmp(const struct edge *a, const struct edge *b)
{
	int c = strcmp(a->from, b->from);
	return c ? c : strcmp(a->to, b->to);
}

/* Looks a name up, remembering the last answer: edges come grouped by from. */
struct lookup_cache {
	const char *name;
	size_t idx;
};

static size_t cached_index(const struct builder *b, struct lookup_cache *c, const char *name)
{
	if (c->name && (c->name == name || !strcmp(c->name, name)))
		return c->idx;
	c->name = name;
	c->idx = dec_index(b, name);
	return c->idx;
}

static void collect_pairs(const struct builder *b, pair_vec *out)
{
	const struct facts *fo = b->p->old, *fn = b->p->new;
	size_t i = 0, j = 0;
	struct lookup_cache cache = { NULL, SIZE_MAX };
	while (i < fo->nedges || j < fn->nedges) {
		const struct edge *eo = i < fo->nedges ? &fo->edges[i] : NULL;
		const struct edge *en = j < fn->nedges ? &fn->edges[j] : NULL;
		int c = !eo ? 1 : !en ? -1 : edge_cmp(eo, en);
		const struct edge *e = c <= 0 ? eo : en;
		unsigned versions = 0, kinds = 0;
		if (c <= 0) {
			versions |= PLAN_DEP_OLD;
			kinds |= eo->kinds;
			i++;
		}
		if (c >= 0) {
			versions |= PLAN_DEP_NEW;
			kinds |= en->kinds;
			j++;
		}
		size_t from = cached_index(b, &cache, e->from);
		if (from == SIZE_MAX)
			continue;
		size_t to = dec_index(b, e->to);
		if (to == SIZE_MAX || to == from)
			continue;
		struct dep_pair pr = { from, to, versions, kinds };
		VEC_PUSH(out, pr);
	}
}

static int cmp_dep(const void *pa, const void *pb)
{
	const struct plan_dep *a = pa, *b = pb;
	return strcmp(a->module, b->module);
}

/* Sorts a decision's deps by name and merges duplicates (a turned-round edge
 * and a real one between the same two modules). Only decisions that got a
 * turned-round edge can be out of order. */
static void normalize_deps(struct plan_decision *d)
{
	if (d->ndeps < 2)
		return;
	qsort(d->deps, d->ndeps, sizeof(*d->deps), cmp_dep);
	size_t w = 0;
	for (size_t k = 0; k < d->ndeps; k++) {
		if (w && !strcmp(d->deps[w - 1].module, d->deps[k].module)) {
			d->deps[w - 1].versions |= d->deps[k].versions;
			d->deps[w - 1].kinds |= d->deps[k].kinds;
			continue;
		}
		d->deps[w++] = d->deps[k];
	}
	d->ndeps = w;
}

/* The dependency a pair makes: itself, or turned round when it points at a
 * deleted module (a user of a deleted module, plan.h). */
static struct dep_pair dep_of(const struct plan *p, const struct dep_pair *pr)
{
	struct dep_pair d = *pr;
	if (p->decisions[pr->to].kind == PLAN_DELETE_MODULE) {
		d.from = pr->to;
		d.to = pr->from;
		d.versions = PLAN_DEP_USER;
	}
	return d;
}

/* Hands each decision its slice of deps, keeping the pairs' (name) order,
 * then restores name order where turned-round edges broke it. */
static void attach_deps(struct builder *b, const pair_vec *pairs)
{
	struct plan *p = b->p;
	size_t *count = xcalloc(p->ndecisions + 1, sizeof(*count));
	for (size_t k = 0; k < pairs->n; k++)
		count[dep_of(p, &pairs->items[k]).from]++;
	for (size_t d = 0; d < p->ndecisions; d++) {
		p->decisions[d].deps = count[d] ?
			arena_alloc(&p->arena, count[d] * sizeof(struct plan_dep)) : NULL;
		p->decisions[d].ndeps = 0;
	}
	for (size_t k = 0; k < pairs->n; k++) {
		struct dep_pair turned = dep_of(p, &pairs->items[k]);
		const struct dep_pair *pr = &turned;
		struct plan_decision *dd = &p->decisions[pr->from];
		struct plan_dep *dep = &dd->deps[dd->ndeps++];
		dep->module = p->decisions[pr->to].module;
		dep->decision = pr->to;
		dep->versions = pr->versions;
		dep->kinds = pr->kinds;
	}
	free(count);
	for (size_t d = 0; d < p->ndecisions; d++)
		if (p->decisions[d].kind == PLAN_DELETE_MODULE)
			normalize_deps(&p->decisions[d]);
}

/* ---- appup terms ------------------------------------------------------------ */

/* Atoms every instruction uses, built once per plan: terms are immutable,
 * so instructions share them (a large plan names a module in a million
 * Deps lists). */
struct atoms {
	struct term **module;     /* per decision */
	struct term *add_module, *delete_module, *load_module, *update;
	struct term *soft, *advanced_nil, *soft_purge, *brutal_purge;
};

static void atoms_init(struct atoms *at, struct plan *p)
{
	struct arena *a = &p->arena;
	at->module = p->ndecisions ? arena_alloc(a, p->ndecisions * sizeof(*at->module)) : NULL;
	for (size_t i = 0; i < p->ndecisions; i++)
		at->module[i] = term_atom(a, p->decisions[i].module);
	at->add_module = term_atom(a, "add_module");
	at->delete_module = term_atom(a, "delete_module");
	at->load_module = term_atom(a, "load_module");
	at->update = term_atom(a, "update");
	at->soft = term_atom(a, "soft");
	at->advanced_nil = term_tuplev(a, 2, term_atom(a, "advanced"), term_nil(a));
	at->soft_purge = term_atom(a, "soft_purge");
	at->brutal_purge = term_atom(a, "brutal_purge");
}

static struct term *deps_term(struct arena *a, const struct atoms *at,
			      const struct plan_decision *d)
{
	struct term **items = d->ndeps ? arena_alloc(a, d->ndeps * sizeof(*items)) : NULL;
	for (size_t k = 0; k < d->ndeps; k++)
		items[k] = at->module[d->deps[k].decision];
	return term_list(a, d->ndeps, items);
}

static struct term *instr_term(struct arena *a, const struct atoms *at, enum plan_kind kind,
			       struct term *m, struct term *deps, enum purge_method purge)
{
	struct term *pg = purge == PURGE_SOFT ? at->soft_purge : at->brutal_purge;
	struct term *change;
	assert(purge == PURGE_SOFT || purge == PURGE_BRUTAL);
	switch (kind) {
	case PLAN_ADD_MODULE:
		return term_tuplev(a, 3, at->add_module, m, deps);
	case PLAN_DELETE_MODULE:
		return term_tuplev(a, 3, at->delete_module, m, deps);
	case PLAN_LOAD_MODULE:
		return term_tuplev(a, 5, at->load_module, m, pg, pg, deps);
	case PLAN_UPDATE_SOFT:
	case PLAN_UPDATE_ADVANCED:
		change = kind == PLAN_UPDATE_SOFT ? at->soft : at->advanced_nil;
		if (purge == PURGE_BRUTAL)
			return term_tuplev(a, 4, at->update, m, change, deps);
		return term_tuplev(a, 6, at->update, m, change, pg, pg, deps);
	}
	return NULL;
}

/* The kind of instruction that undoes kind in the downgrade appup. */
static enum plan_kind down_kind(enum plan_kind k)
{
	return k == PLAN_ADD_MODULE ? PLAN_DELETE_MODULE :
		k == PLAN_DELETE_MODULE ? PLAN_ADD_MODULE : k;
}

/* The instructions of the decisions in the given order, as a list. */
static struct term *instr_list(struct arena *a, const struct plan *p, const size_t *order, int down)
{
	struct term **items = p->ndecisions ? arena_alloc(a, p->ndecisions * sizeof(*items)) : NULL;
	for (size_t k = 0; k < p->ndecisions; k++) {
		const struct plan_decision *d = &p->decisions[order[k]];
		items[k] = down ? d->down : d->up;
	}
	return term_list(a, p->ndecisions, items);
}

static const char **module_names(struct arena *a, const struct facts *f)
{
	const char **names = f->nmodules ? arena_alloc(a, f->nmodules * sizeof(*names)) : NULL;
	for (size_t i = 0; i < f->nmodules; i++)
		names[i] = f->modules[i].name;
	return names;
}

static int translate_one(struct plan *p, enum tr_mode mode, struct term *instrs,
			 struct term **out, struct errbuf *err)
{
	struct app_spec newer = { p->opt.app, p->opt.vsn, module_names(&p->arena, p->new),
				  p->new->nmodules, NULL };
	struct app_spec older = { p->opt.app, p->opt.from_vsn, module_names(&p->arena, p->old),
				  p->old->nmodules, NULL };
	struct translate_input in;
	memset(&in, 0, sizeof(in));
	in.mode = mode;
	in.scripts = &instrs;
	in.nscripts = 1;
	/* For dn, OTP's make_relup passes the older release as Appls. */
	in.apps = mode == TR_UP ? &newer : &older;
	in.napps = 1;
	in.pre_apps = mode == TR_UP ? &older : &newer;
	in.npre_apps = 1;
	struct term *reason = NULL;
	struct errbuf terr;
	memset(&terr, 0, sizeof(terr));
	if (translate_scripts(&p->arena, &in, out, &reason, &terr))
		return hp_error(err, HP_EINPUT, "translation of the %s appup failed: %s",
				mode == TR_UP ? "upgrade" : "downgrade", terr.msg);
	return 0;
}

/* ---- explanations --------------------------------------------------------------- */

#define MAX_NAMES 8

/* How changes_summary() words each kind: "<prefix><names><suffix>".
 * ORDER CHG_NAMES. */
static const struct {
	const char *prefix, *suffix;
} chg_phrases[CHG_KIND_COUNT] = {
	{ "body of ", "" },
	{ "signature of ", "" },
	{ "linkage of ", "" },
	{ "visibility of ", "" },
	{ "", " added" },
	{ "", " removed" },
	{ "initializer of ", "" },
	{ "state layout of ", "" },
	{ "compile flags", "" },
	{ "semantic hash only (no symbol, state type or flag explains it)", "" },
};

/* "body of f, g; h added; state layout of struct s; compile flags" */
static void changes_summary(struct strbuf *sb, const struct mod_diff *m)
{
	int first_kind = 1;
	for (unsigned bit = 0; bit < CHG_KIND_COUNT; bit++) {
		unsigned kind = 1u << bit;
		if (!(m->changes & kind))
			continue;
		size_t n = 0;
		struct strbuf names = STRBUF_INIT;
		for (size_t k = 0; k < m->nsyms; k++) {
			if (!(m->syms[k].changes & kind))
				continue;
			if (n < MAX_NAMES)
				sb_addf(&names, "%s%s", n ? ", " : "", m->syms[k].name);
			n++;
		}
		for (size_t k = 0; k < m->nstates; k++) {
			/* a state type added or removed is a change of the state layout */
			if (kind != CHG_STATE_LAYOUT || !m->states[k].changes)
				continue;
			if (n < MAX_NAMES)
				sb_addf(&names, "%s%s", n ? ", " : "", m->states[k].name);
			n++;
		}
		if (n > MAX_NAMES)
			sb_addf(&names, " and %zu more", n - MAX_NAMES);
		if (n || kind == CHG_FLAGS || kind == CHG_OTHER) {
			sb_adds(sb, first_kind ? "" : "; ");
			first_kind = 0;
			sb_addf(sb, "%s%s%s", chg_phrases[bit].prefix, names.buf,
				chg_phrases[bit].suffix);
		}
		sb_release(&names);
	}
}

static void processes_summary(struct strbuf *sb, const struct plan *p, const struct mod_diff *m)
{
	size_t n;
	const struct proc_ref *const *procs = procs_of_module(&p->procs_new, m->name, &n);
	if (!n)
		procs = procs_of_module(&p->procs_old, m->name, &n);
	for (size_t k = 0; k < n && k < MAX_NAMES; k++) {
		const struct proc_ref *pr = procs[k];
		const struct entry *e = pr->entry;
		sb_addf(sb, "%sthreads at %s", k ? "; " : "", e->function);
		if (strcmp(pr->module->name, m->name))
			sb_addf(sb, " in %s, which calls %s through the export table", pr->module->name,
				m->name);
		if (e->spawner)
			sb_addf(sb, ", started by %s%s%s", e->spawner,
				e->spawn_module ? " in " : "", e->spawn_module ? e->spawn_module : "");
	}
	if (n > MAX_NAMES)
		sb_addf(sb, " and %zu more", n - MAX_NAMES);
}

static void states_summary(struct strbuf *sb, const struct mod_diff *m)
{
	for (size_t k = 0; k < m->nstates && k < MAX_NAMES; k++)
		sb_addf(sb, "%s%s %s", k ? ", " : "", m->states[k].name,
			m->states[k].changes == CHG_STATE_LAYOUT ? "re-laid out" :
			m->states[k].changes == CHG_ADDED ? "added" : "removed");
	if (m->nstates > MAX_NAMES)
		sb_addf(sb, " and %zu more", m->nstates - MAX_NAMES);
}

static const char *explain_why(struct plan *p, const struct plan_decision *d)
{
	struct strbuf sb = STRBUF_INIT;
	const struct mod_diff *m = d->diff;
	const char *vsn = p->opt.vsn, *from = p->opt.from_vsn;
	switch (d->kind) {
	case PLAN_ADD_MODULE:
		sb_addf(&sb, "%s is new in %s: add_module loads it; nothing runs its code yet, "
			"so nothing is suspended", d->module, vsn);
		break;
	case PLAN_DELETE_MODULE:
		sb_addf(&sb, "%s is gone in %s: delete_module removes its code (remove, then "
			"purge)", d->module, vsn);
		break;
	case PLAN_LOAD_MODULE:
		sb_adds(&sb, "What changed: ");
		changes_summary(&sb, m);
		sb_adds(&sb, ". Why load_module: ");
		if (!has_processes(p, m) && m->new->transformer && m->nstates) {
			sb_addf(&sb, "no process starts in %s, so nothing is suspended and its "
				"state transformer %s is never called although its state changed (",
				d->module, m->new->transformer);
			states_summary(&sb, m);
			sb_adds(&sb, "; finding HP107)");
		} else if (!has_processes(p, m)) {
			sb_addf(&sb, "no process starts in %s, so there is nothing to suspend",
				d->module);
		} else {
			sb_addf(&sb, "%s has processes (", d->module);
			processes_summary(&sb, p, m);
			sb_addf(&sb, ") but %s has no state transformer, so they cannot be "
				"suspended and converted: the code is replaced under them", vsn);
		}
		break;
	case PLAN_UPDATE_SOFT:
	case PLAN_UPDATE_ADVANCED:
		sb_adds(&sb, "What changed: ");
		changes_summary(&sb, m);
		sb_addf(&sb, ". Why update: %s has processes (", d->module);
		processes_summary(&sb, p, m);
		sb_addf(&sb, ") and a state transformer (%s in %s)", m->new->transformer, vsn);
		if (d->kind == PLAN_UPDATE_ADVANCED) {
			sb_adds(&sb, " and its state changed (");
			states_summary(&sb, m);
			sb_addf(&sb, "): {advanced, []}: the processes are suspended, the code "
				"is loaded, %s converts their state (Extra []), and they are resumed",
				m->new->transformer);
		} else {
			sb_addf(&sb, ", and no state type changed between %s and %s: soft: the "
				"processes are suspended around the load and resumed, with no "
				"code_change", from, vsn);
		}
		break;
	}
	if (d->ndeps) {
		/* sb_adds rather than sb_addf: this runs once per dependency, a
		 * million times on a large upgrade */
		sb_adds(&sb, ". Deps: ");
		for (size_t k = 0; k < d->ndeps; k++) {
			const struct plan_dep *dep = &d->deps[k];
			unsigned v = dep->versions & (PLAN_DEP_OLD | PLAN_DEP_NEW);
			if (k)
				sb_adds(&sb, ", ");
			sb_adds(&sb, dep->module);
			sb_adds(&sb, " (");
			if (v) {
				sb_adds(&sb, "referenced in ");
				sb_adds(&sb, v == (PLAN_DEP_OLD | PLAN_DEP_NEW) ? "both versions" :
					v == PLAN_DEP_OLD ? from : vsn);
			}
			if (dep->versions & PLAN_DEP_USER)
				sb_addf(&sb, "%sit used %s in %s, so it is replaced before %s goes",
					v ? "; " : "", d->module, from, d->module);
			int first = 1;
			for (unsigned bit = 0; bit < 4; bit++)
				if (dep->kinds & (1u << bit)) {
					sb_adds(&sb, first ? ": " : ", ");
					sb_adds(&sb, ref_kind_name(1u << bit));
					first = 0;
				}
			sb_addc(&sb, ')');
		}
	} else {
		sb_adds(&sb, ". Deps: none (it references no other module of this upgrade)");
	}
	const char *s = arena_strdup(&p->arena, sb.buf);
	sb_release(&sb);
	return s;
}

static const struct plan_purge_choice *find_choice(const struct plan_purge_choice *c, size_t n,
						   const char *module)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].module, module))
			return &c[i];
	return NULL;
}

/* The purge method of module in one direction: its choice, else the default. */
static enum purge_method purge_of(const struct strmap *choices, const char *module,
				enum purge_method dflt)
{
	const struct plan_purge_choice *c = strmap_get(choices, module);
	return c ? c->purge : dflt == PURGE_AUTO ? PURGE_SOFT : dflt;
}

static const char *explain_purge(struct plan *p, const struct plan_decision *d)
{
	const struct plan_purge_choice *c = find_choice(p->opt.up_purges, p->opt.nup_purges,
							 d->module);
	if (p->opt.purge == PURGE_AUTO && c &&
	    (d->kind == PLAN_ADD_MODULE || d->kind == PLAN_DELETE_MODULE))
		return arena_printf(&p->arena, "auto chose %s for its %s in the script: %s; an "
				    "appup cannot say so (OTP translates %s with brutal_purge), "
				    "so here the script and the appup differ",
				    c->purge == PURGE_SOFT ? "soft_purge" : "brutal_purge",
				    d->kind == PLAN_ADD_MODULE ? "load" : "remove",
				    c->why ? c->why : "the simulation gave no reason",
				    plan_kind_name(d->kind));
	switch (d->kind) {
	case PLAN_ADD_MODULE:
		return "add_module always loads with brutal_purge (OTP has no option for it); "
		       "a new module has no old code, so the purge kills nobody";
	case PLAN_DELETE_MODULE:
		return "delete_module becomes {remove, {M, brutal_purge, brutal_purge}} and "
		       "{purge, [M]} (OTP has no option for it): processes still running the "
		       "module's code are killed by that purge";
	default:
		break;
	}
	if (p->opt.purge != PURGE_AUTO)
		return plan_purge_explain(d->up_purge);
	return arena_printf(&p->arena, "auto chose %s: %s",
			    d->up_purge == PURGE_SOFT ? "soft_purge" : "brutal_purge",
			    c && c->why ? c->why : "the simulation gave no reason");
}

const char *plan_purge_explain(enum purge_method purge)
{
	if (purge == PURGE_SOFT)
		return "soft_purge: the release handler refuses the whole script before the "
		       "point of no return if code of the module left old by an earlier upgrade "
		       "is still in use; processes still running the code this load replaces are "
		       "left alone, and the release handler soft-purges it every 10 s";
	return "brutal_purge (OTP's default): the load first purges code of the module left "
	       "old by an earlier upgrade, killing processes still in it; processes still "
	       "running the code this load replaces are killed when the release is made "
	       "permanent (or by the next load of the module)";
}

/* ---- findings ------------------------------------------------------------------- */

static const struct sym_diff *find_sym(const struct mod_diff *m, const char *name)
{
	size_t lo = 0, hi = m->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->syms[mid].name, name);
		if (!c)
			return &m->syms[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* HP101 and HP106: what unchanged modules still use of what changed. */
static void lint_references(struct plan *p)
{
	const struct diff *d = &p->diff;
	const char *vsn = p->opt.vsn;
	/* The modules a reference can be in trouble with: changed or removed. */
	struct strmap touched;
	strmap_init(&touched);
	for (size_t i = 0; i < p->ndecisions; i++)
		if (p->decisions[i].kind != PLAN_ADD_MODULE)
			strmap_put(&touched, p->decisions[i].module, (void *)p->decisions[i].diff);
	for (size_t i = 0; i < d->nmods; i++) {
		const struct mod_diff *r = &d->mods[i];
		if (r->status != MOD_UNCHANGED)
			continue;
		const struct ref *prev = NULL;
		for (size_t k = 0; k < r->old->nrefs; k++) {
			const struct ref *ref = &r->old->refs[k];
			if (!ref->module)
				continue;
			if (prev && !strcmp(prev->module, ref->module) &&
			    !strcmp(prev->symbol, ref->symbol))
				continue;
			prev = ref;
			const struct mod_diff *t = strmap_get(&touched, ref->module);
			if (!t)
				continue;
			if (t->status == MOD_REMOVED) {
				findings_add(&p->findings, HP101_REMOVED_EXPORT_REFERENCED, r->name,
					     ref->symbol, &ref->loc,
					     "'%s' still references '%s' of '%s', but module '%s' is "
					     "removed in %s and '%s' is not upgraded with it",
					     r->name, ref->symbol, t->name, t->name, vsn, r->name);
				continue;
			}
			const struct sym_diff *s = find_sym(t, ref->symbol);
			if (!s)
				continue;
			if (s->old_exported && !s->new_exported) {
				findings_add(&p->findings, HP101_REMOVED_EXPORT_REFERENCED, r->name,
					     ref->symbol, &ref->loc,
					     "'%s' still references '%s' of '%s', which %s no longer "
					     "exports (%s), and '%s' is not upgraded with it",
					     r->name, ref->symbol, t->name, vsn,
					     s->new ? "made static" : "removed", r->name);
			} else if (s->old_exported && (s->changes & CHG_SIGNATURE)) {
				findings_add(&p->findings, HP106_CHANGED_SIGNATURE_REFERENCED, r->name,
					     ref->symbol, &ref->loc,
					     "'%s' still uses '%s' of '%s' as '%s', but %s changes it "
					     "to '%s', and '%s' is not upgraded with it",
					     r->name, ref->symbol, t->name,
					     s->old->signature ? s->old->signature : "?", vsn,
					     s->new->signature ? s->new->signature : "?", r->name);
			}
		}
	}
	strmap_release(&touched);
}

/* HP102: a state type re-laid out with no transformer in the new version.
 * HP107: a state changed, there is a transformer, but nothing to suspend. */
static void lint_transformers(struct plan *p)
{
	for (size_t i = 0; i < p->ndecisions; i++) {
		const struct mod_diff *m = p->decisions[i].diff;
		if (m->status != MOD_CHANGED)
			continue;
		if (m->new->transformer && !has_processes(p, m) && m->nstates) {
			const struct state_diff *s = &m->states[0];
			findings_add(&p->findings, HP107_TRANSFORMER_NEVER_CALLED, m->name,
				     m->new->transformer, s->new ? &s->new->loc : &s->old->loc,
				     "the state of '%s' changes (%s) and %s has a state "
				     "transformer '%s', but no process starts in '%s': nothing "
				     "is suspended, so load_module replaces the code and '%s' is "
				     "never called", m->name, s->name, p->opt.vsn,
				     m->new->transformer, m->name, m->new->transformer);
		}
		if (m->new->transformer)
			continue;
		for (size_t k = 0; k < m->nstates; k++) {
			const struct state_diff *s = &m->states[k];
			if (s->changes != CHG_STATE_LAYOUT)
				continue;
			findings_add(&p->findings, HP102_STATE_CHANGE_WITHOUT_TRANSFORMER, m->name,
				     s->name, &s->new->loc,
				     "the layout of '%s' in '%s' changes from {%s} to {%s}, but %s "
				     "has no state transformer for '%s': the running state is not "
				     "converted", s->name, m->name, s->old->layout ? s->old->layout : "?",
				     s->new->layout ? s->new->layout : "?", p->opt.vsn, m->name);
		}
	}
}

static int is_update(enum plan_kind k)
{
	return k == PLAN_UPDATE_SOFT || k == PLAN_UPDATE_ADVANCED;
}

struct cycle_member {
	size_t scc;
	const struct plan_decision *d;
};

static int cmp_member(const void *pa, const void *pb)
{
	const struct cycle_member *a = pa, *b = pb;
	if (a->scc != b->scc)
		return a->scc < b->scc ? -1 : 1;
	return strcmp(a->d->module, b->d->module);
}

/* HP103: a cycle of the dependency graph mixing updated (suspended) modules
 * with modules loaded, added or removed while their callers run. */
static void lint_cycles(struct plan *p)
{
	size_t n = p->ndecisions;
	if (n < 2)
		return;
	struct depgraph g;
	depgraph_init(&g, n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < p->decisions[i].ndeps; k++)
			depgraph_add_edge(&g, i, p->decisions[i].deps[k].decision);
	size_t *scc = xmalloc(n * sizeof(*scc));
	size_t nscc = depgraph_scc(&g, scc);
	/* Per component: its size, and whether it has updates (1), other
	 * kinds (2), or both (3). */
	size_t *size = xcalloc(nscc, sizeof(*size));
	unsigned char *mix = xcalloc(nscc, 1);
	for (size_t i = 0; i < n; i++) {
		size[scc[i]]++;
		mix[scc[i]] |= is_update(p->decisions[i].kind) ? 1 : 2;
	}
	/* Members of mixed cycles in name order, then grouped by component
	 * (stable: members keep name order inside their component). */
	VEC(struct cycle_member) mem = { 0 };
	for (size_t i = 0; i < n; i++) {
		size_t c = scc[i];
		if (size[c] >= 2 && mix[c] == 3) {
			struct cycle_member mb = { c, &p->decisions[i] };
			VEC_PUSH(&mem, mb);
		}
	}
	if (mem.n > 1)
		qsort(mem.items, mem.n, sizeof(*mem.items), cmp_member);
	struct strbuf with = STRBUF_INIT, without = STRBUF_INIT;
	for (size_t k = 0; k < mem.n;) {
		size_t c = mem.items[k].scc;
		const struct plan_decision *firstd = mem.items[k].d;
		sb_reset(&with);
		sb_reset(&without);
		for (; k < mem.n && mem.items[k].scc == c; k++) {
			const struct plan_decision *d = mem.items[k].d;
			struct strbuf *sb = is_update(d->kind) ? &with : &without;
			sb_addf(sb, "%s'%s'", sb->len ? ", " : "", d->module);
		}
		const struct module *fm = firstd->diff->new ? firstd->diff->new : firstd->diff->old;
		struct loc loc = { fm->nfiles ? fm->files[0] : NULL, 0, 0 };
		findings_add(&p->findings, HP103_MIXED_PROCESS_CYCLE, firstd->module, NULL, &loc,
			     "a dependency cycle of the upgrade mixes modules whose processes are "
			     "suspended (%s) with modules loaded while their callers run (%s): "
			     "no load order puts every dependency first",
			     with.buf, without.buf);
	}
	VEC_RELEASE(&mem);
	sb_release(&with);
	sb_release(&without);
	free(size);
	free(mix);
	free(scc);
	depgraph_release(&g);
}

/* HP104: a code_change of a module no earlier suspend of the script named. */
static void lint_code_change(const struct script *sc, struct findings *out)
{
	struct strmap suspended;
	strmap_init(&suspended);
	for (size_t i = 0; i < sc->n; i++) {
		const struct instr *in = &sc->instrs[i];
		for (size_t k = 0; in->op == INSTR_SUSPEND && k < in->nmods; k++)
			strmap_put(&suspended, in->mods[k].name, (void *)in);
		for (size_t k = 0; in->op == INSTR_CODE_CHANGE && k < in->nmods; k++) {
			const char *m = in->mods[k].name;
			if (strmap_get(&suspended, m))
				continue;
			struct loc loc = { NULL, in->line, in->col };
			findings_add(out, HP104_CODE_CHANGE_NOT_SUSPENDED, m, NULL, &loc,
				     "the script calls code_change of '%s' but suspends it nowhere "
				     "before: the release handler skips it and the state of its "
				     "processes is not converted", m);
		}
	}
	strmap_release(&suspended);
}

static const struct ref *first_ref_to(const struct module *m, const char *to)
{
	for (size_t k = 0; m && k < m->nrefs; k++)
		if (m->refs[k].module && !strcmp(m->refs[k].module, to))
			return &m->refs[k];
	return NULL;
}

/* Fills pos with module -> 1 + position of its first instruction op (load
 * or remove). */
static void step_positions(const struct script *sc, enum instr_op op, struct strmap *pos)
{
	for (size_t i = 0; i < sc->n; i++) {
		const struct instr *in = &sc->instrs[i];
		if (in->op == op && in->nmods && !strmap_get(pos, in->mods[0].name))
			strmap_put(pos, in->mods[0].name, (void *)(uintptr_t)(i + 1));
	}
}

/* HP105 for removals: a module removed before a module that used it (in
 * from, the version being replaced) is loaded. */
/* HP105, load: the script loads user before dep, which user references in
 * target. */
static void report_load_order(struct findings *out, const struct facts *target,
			      const char *user, const char *dep)
{
	const struct ref *r = first_ref_to(facts_module(target, user), dep);
	struct loc loc = { NULL, 0, 0 };
	if (r)
		loc = r->loc;
	findings_add(out, HP105_LOAD_OUT_OF_DEPENDENCY_ORDER, user, r ? r->symbol : NULL, &loc,
		     "the upgrade script loads '%s' before '%s', which it references%s%s%s: "
		     "between the two loads the new '%s' runs against the old '%s'",
		     user, dep, r ? " ('" : "", r ? r->symbol : "", r ? "')" : "", user, dep);
}

/* HP105, removal: the script removes gone before it loads user, whose code
 * being replaced (in from) references it. */
static void report_remove_order(struct findings *out, enum tr_mode mode,
				const struct facts *from, const char *user, const char *gone)
{
	const struct ref *r = first_ref_to(facts_module(from, user), gone);
	struct loc loc = { NULL, 0, 0 };
	if (r)
		loc = r->loc;
	findings_add(out, HP105_LOAD_OUT_OF_DEPENDENCY_ORDER, user, r ? r->symbol : NULL, &loc,
		     "the %s script removes '%s' before it loads '%s', whose code "
		     "being replaced references it%s%s%s: in between, that code can "
		     "call removed code", mode == TR_UP ? "upgrade" : "downgrade",
		     gone, user, r ? " ('" : "", r ? r->symbol : "", r ? "')" : "");
}

static void lint_remove_order(const struct script *sc, enum tr_mode mode,
			      const struct facts *from, struct findings *out)
{
	struct strmap loads, removes;
	strmap_init(&loads);
	strmap_init(&removes);
	step_positions(sc, INSTR_LOAD, &loads);
	step_positions(sc, INSTR_REMOVE, &removes);
	if (loads.n && removes.n) {
		const char *last_from = NULL;
		uintptr_t pl = 0;
		for (size_t e = 0; e < from->nedges; e++) {
			const struct edge *ed = &from->edges[e];
			if (ed->from != last_from) {
				last_from = ed->from;
				pl = (uintptr_t)strmap_get(&loads, ed->from);
			}
			if (!pl)
				continue;
			uintptr_t pr = (uintptr_t)strmap_get(&removes, ed->to);
			if (pr && pr < pl)
				report_remove_order(out, mode, from, ed->from, ed->to);
		}
	}
	strmap_release(&loads);
	strmap_release(&removes);
}

static void lint_load_order(const struct script *sc, const struct facts *target,
			    struct findings *out)
{
	struct strmap pos;
	strmap_init(&pos);
	step_positions(sc, INSTR_LOAD, &pos);
	if (pos.n >= 2) {
		const char *last_from = NULL;
		uintptr_t pf = 0;
		for (size_t e = 0; e < target->nedges; e++) {
			const struct edge *ed = &target->edges[e];
			if (ed->from != last_from) {
				last_from = ed->from;
				pf = (uintptr_t)strmap_get(&pos, ed->from);
			}
			if (!pf)
				continue;
			uintptr_t pt = (uintptr_t)strmap_get(&pos, ed->to);
			if (pt && pt > pf)
				report_load_order(out, target, ed->from, ed->to);
		}
	}
	strmap_release(&pos);
}

void plan_lint_script(const struct script *sc, enum tr_mode mode, const struct facts *from,
		      const struct facts *target, struct findings *out)
{
	lint_code_change(sc, out);
	if (mode == TR_UP && target)
		lint_load_order(sc, target, out);
	if (from)
		lint_remove_order(sc, mode, from, out);
}

/*
 * The dependency cycles behind the load-order findings of the plan's
 * upgrade script: the strongly connected components of the edges that the
 * version the script installs has between two modules of the upgrade. A
 * finding whose two modules share a component of two or more is tied to
 * that component's struct finding_cycle, added when its first finding is.
 */
struct load_cycles {
	size_t *scc;   /* decision -> component */
	size_t *size;  /* component -> members */
	size_t *num;   /* component -> its findings_add_cycle() number; 0: none yet */
};

static void load_cycles_init(struct load_cycles *lc, const struct plan *p,
			     const pair_vec *pairs, unsigned target_bit)
{
	size_t n = p->ndecisions;
	struct depgraph g;
	depgraph_init(&g, n);
	for (size_t k = 0; k < pairs->n; k++)
		if (pairs->items[k].versions & target_bit)
			depgraph_add_edge(&g, pairs->items[k].from, pairs->items[k].to);
	lc->scc = xmalloc(n * sizeof(*lc->scc));
	size_t nscc = depgraph_scc(&g, lc->scc);
	lc->size = xcalloc(nscc ? nscc : 1, sizeof(*lc->size));
	lc->num = xcalloc(nscc ? nscc : 1, sizeof(*lc->num));
	for (size_t i = 0; i < n; i++)
		lc->size[lc->scc[i]]++;
	depgraph_release(&g);
}

static void load_cycles_release(struct load_cycles *lc)
{
	free(lc->scc);
	free(lc->size);
	free(lc->num);
}

/* The cycle number of a load-order finding of user (decision from) before
 * dep (decision to), adding the cycle to out at its first finding; 0 when
 * the two are not in one cycle. load[] holds each decision's first load
 * (0-based script index) or SIZE_MAX. */
static size_t load_cycle_of(struct load_cycles *lc, const struct plan *p, const struct script *sc,
			    const size_t *load, size_t from, size_t to, struct findings *out)
{
	size_t c = lc->scc[from];
	if (c != lc->scc[to] || lc->size[c] < 2)
		return 0;
	if (lc->num[c])
		return lc->num[c];
	const char **names = xmalloc(lc->size[c] * sizeof(*names));
	size_t nn = 0, first = SIZE_MAX, last = 0, nloads = 0;
	for (size_t i = 0; i < p->ndecisions; i++) {
		if (lc->scc[i] != c)
			continue;
		names[nn++] = p->decisions[i].module;
		if (load[i] == SIZE_MAX)
			continue;
		first = load[i] < first ? load[i] : first;
		last = load[i] > last ? load[i] : last;
	}
	for (size_t i = first; i <= last && i < sc->n; i++)
		nloads += sc->instrs[i].op == INSTR_LOAD;
	lc->num[c] = findings_add_cycle(out, names, nn, first + 1, last + 1, nloads);
	free(names);
	return lc->num[c];
}

/*
 * plan_lint_script() for the plan's own scripts, on decision numbers: the
 * pairs of collect_pairs() are exactly the edges of either version between
 * two modules of the upgrade, and only those are loaded or removed, so
 * walking them finds what walking both facts' edges would, without a hash
 * lookup per edge. Same findings, same messages; the load-order findings
 * inside a dependency cycle are also tied to it (struct load_cycles).
 */
static void lint_own_script(const struct plan *p, const struct builder *b,
			    const pair_vec *pairs, const struct script *sc,
			    enum tr_mode mode, struct findings *out)
{
	size_t n = p->ndecisions;
	lint_code_change(sc, out);
	if (!n)
		return;
	size_t *load = xmalloc(n * sizeof(*load)), *rem = xmalloc(n * sizeof(*rem));
	for (size_t i = 0; i < n; i++)
		load[i] = rem[i] = SIZE_MAX;
	for (size_t i = 0; i < sc->n; i++) {
		const struct instr *in = &sc->instrs[i];
		if ((in->op != INSTR_LOAD && in->op != INSTR_REMOVE) || !in->nmods)
			continue;
		size_t d = dec_index(b, in->mods[0].name);
		size_t *pos = in->op == INSTR_LOAD ? load : rem;
		if (d != SIZE_MAX && pos[d] == SIZE_MAX)
			pos[d] = i;
	}
	const struct facts *from = mode == TR_UP ? p->old : p->new;
	const struct facts *target = mode == TR_UP ? p->new : p->old;
	unsigned from_bit = mode == TR_UP ? PLAN_DEP_OLD : PLAN_DEP_NEW;
	unsigned target_bit = mode == TR_UP ? PLAN_DEP_NEW : PLAN_DEP_OLD;
	struct load_cycles lc;
	load_cycles_init(&lc, p, pairs, target_bit);
	for (size_t k = 0; k < pairs->n; k++) {
		const struct dep_pair *pr = &pairs->items[k];
		const char *user = p->decisions[pr->from].module;
		const char *dep = p->decisions[pr->to].module;
		if (load[pr->from] == SIZE_MAX)
			continue;
		if (mode == TR_UP && (pr->versions & target_bit) && load[pr->to] != SIZE_MAX &&
		    load[pr->to] > load[pr->from]) {
			report_load_order(out, target, user, dep);
			size_t cyc = load_cycle_of(&lc, p, sc, load, pr->from, pr->to, out);
			if (cyc)
				findings_tie(out, cyc);
		}
		if ((pr->versions & from_bit) && rem[pr->to] < load[pr->from])
			report_remove_order(out, mode, from, user, dep);
	}
	load_cycles_release(&lc);
	free(load);
	free(rem);
}

/* lint_own_script() of a script term the planner translated, decoded first
 * (a translated script always decodes). */
static void lint_own_script_term(struct plan *p, const struct builder *b, const pair_vec *pairs,
				 const struct term *script, enum tr_mode mode)
{
	struct term *one[1] = { (struct term *)script };
	struct script sc;
	struct errbuf err = { "", 0 };
	int rc = script_decode(&p->arena, mode == TR_UP ? "the upgrade script" :
			       "the downgrade script", one, 1, &sc, &err);
	assert(!rc);
	if (!rc)
		lint_own_script(p, b, pairs, &sc, mode, &p->findings);
}

/* ---- building ------------------------------------------------------------------ */

/* Orders decisions by (group of their kind as seen by down/up, name). */
static size_t *appup_order(struct plan *p, int down)
{
	/* Up: the decisions as they are. Down: the removed modules (added back
	 * by the downgrade) first and the added ones (deleted) last. */
	size_t *order = p->ndecisions ? arena_alloc(&p->arena, p->ndecisions * sizeof(*order)) : NULL;
	size_t n = 0;
	for (int k = 0; k < 3; k++) {
		int g = down ? 2 - k : k;
		for (size_t i = p->group_start[g]; i < p->group_start[g + 1]; i++)
			order[n++] = i;
	}
	return order;
}

const struct plan_decision *plan_decision(const struct plan *p, const char *module)
{
	/* Each group of decisions is sorted by name: one binary search per group. */
	for (int g = 0; g < 3; g++) {
		size_t a = p->group_start[g], b = p->group_start[g + 1];
		while (a < b) {
			size_t mid = a + (b - a) / 2;
			int c = strcmp(p->decisions[mid].module, module);
			if (!c)
				return &p->decisions[mid];
			if (c < 0)
				a = mid + 1;
			else
				b = mid;
		}
	}
	return NULL;
}

static const struct plan_purge_choice *copy_choices(struct arena *a,
						    const struct plan_purge_choice *c, size_t n)
{
	struct plan_purge_choice *out = n ? arena_alloc(a, n * sizeof(*out)) : NULL;
	for (size_t i = 0; i < n; i++) {
		out[i].module = arena_strdup(a, c[i].module);
		out[i].purge = c[i].purge;
		out[i].why = c[i].why ? arena_strdup(a, c[i].why) : NULL;
	}
	return out;
}

int plan_build(struct plan *p, const struct facts *old, const struct facts *new,
	       const struct plan_options *opt, struct errbuf *err)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->arena);
	findings_init(&p->findings);
	p->old = old;
	p->new = new;
	plan_options_init(&p->opt);
	if (opt) {
		p->opt.purge = opt->purge;
		if (opt->app)
			p->opt.app = arena_strdup(&p->arena, opt->app);
		if (opt->vsn)
			p->opt.vsn = arena_strdup(&p->arena, opt->vsn);
		if (opt->from_vsn)
			p->opt.from_vsn = arena_strdup(&p->arena, opt->from_vsn);
		p->opt.up_purges = copy_choices(&p->arena, opt->up_purges, opt->nup_purges);
		p->opt.nup_purges = opt->nup_purges;
		p->opt.down_purges = copy_choices(&p->arena, opt->down_purges, opt->ndown_purges);
		p->opt.ndown_purges = opt->ndown_purges;
	}
	diff_compute(&p->diff, old, new);
	procs_index_init(&p->procs_old, old);
	procs_index_init(&p->procs_new, new);

	/* Decisions in appup order: added, changed, removed; by name in each. */
	size_t ntouched = p->diff.nadded + p->diff.nremoved + p->diff.nchanged;
	p->decisions = ntouched ? arena_zalloc(&p->arena, ntouched * sizeof(*p->decisions)) : NULL;
	static const enum mod_status groups[3] = { MOD_ADDED, MOD_CHANGED, MOD_REMOVED };
	struct builder b;
	b.p = p;
	strmap_init(&b.idx);
	for (int grp = 0; grp < 3; grp++) {
		p->group_start[grp] = p->ndecisions;
		for (size_t k = 0; k < p->diff.nmods; k++) {
			const struct mod_diff *m = &p->diff.mods[k];
			if (m->status != groups[grp])
				continue;
			struct plan_decision *d = &p->decisions[p->ndecisions];
			d->module = m->name;
			d->kind = classify(p, m);
			d->diff = m;
			strmap_put(&b.idx, m->name, (void *)(uintptr_t)(++p->ndecisions));
		}
	}
	p->group_start[3] = p->ndecisions;

	pair_vec pairs = { 0 };
	collect_pairs(&b, &pairs);
	attach_deps(&b, &pairs);

	struct atoms at;
	atoms_init(&at, p);
	struct strmap upc, downc;
	strmap_init(&upc);
	strmap_init(&downc);
	for (size_t i = 0; i < p->opt.nup_purges; i++)
		strmap_put(&upc, p->opt.up_purges[i].module, (void *)&p->opt.up_purges[i]);
	for (size_t i = 0; i < p->opt.ndown_purges; i++)
		strmap_put(&downc, p->opt.down_purges[i].module, (void *)&p->opt.down_purges[i]);
	for (size_t i = 0; i < p->ndecisions; i++) {
		struct plan_decision *d = &p->decisions[i];
		struct term *deps = deps_term(&p->arena, &at, d);
		d->up_purge = purge_of(&upc, d->module, p->opt.purge);
		d->down_purge = purge_of(&downc, d->module, p->opt.purge);
		d->up = instr_term(&p->arena, &at, d->kind, at.module[i], deps, d->up_purge);
		d->down = instr_term(&p->arena, &at, down_kind(d->kind), at.module[i], deps,
				     d->down_purge);
		d->why = explain_why(p, d);
		d->purge_why = explain_purge(p, d);
	}
	strmap_release(&upc);
	strmap_release(&downc);
	size_t *up_order = appup_order(p, 0);
	size_t *down_order = appup_order(p, 1);
	p->up_instrs = instr_list(&p->arena, p, up_order, 0);
	p->down_instrs = instr_list(&p->arena, p, down_order, 1);
	struct arena *a = &p->arena;
	p->appup = term_tuplev(a, 3, term_string(a, p->opt.vsn),
			       term_listv(a, 1, term_tuplev(a, 2, term_string(a, p->opt.from_vsn),
							    p->up_instrs)),
			       term_listv(a, 1, term_tuplev(a, 2, term_string(a, p->opt.from_vsn),
							    p->down_instrs)));

	if (translate_one(p, TR_UP, p->up_instrs, &p->up_script, err) ||
	    translate_one(p, TR_DN, p->down_instrs, &p->down_script, err)) {
		VEC_RELEASE(&pairs);
		strmap_release(&b.idx);
		plan_release(p);
		return HP_EINPUT;
	}

	lint_references(p);
	lint_transformers(p);
	lint_cycles(p);
	lint_own_script_term(p, &b, &pairs, p->up_script, TR_UP);
	lint_own_script_term(p, &b, &pairs, p->down_script, TR_DN);
	findings_sort(&p->findings);
	VEC_RELEASE(&pairs);
	strmap_release(&b.idx);
	return 0;
}

void plan_replace_scripts(struct plan *p, struct term *up, struct term *down)
{
	if (up)
		p->up_script = up;
	if (down)
		p->down_script = down;
}

void plan_release(struct plan *p)
{
	if (!p)
		return;
	findings_release(&p->findings);
	procs_index_release(&p->procs_old);
	procs_index_release(&p->procs_new);
	diff_release(&p->diff);
	arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}
