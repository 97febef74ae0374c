/*
 * upgrade.c - plan, purge choice, simulation, and their annotations for the
 * graph (upgrade.h); the planning of 'hotplan plan --purge auto'.
 *
 * purge_auto decides modules one at a time in script order, each decision
 * checked by a simulation of the whole script with the decisions so far;
 * a decision is never revisited, so the result depends only on the script
 * and the runtime (deterministic), and it costs at most one simulation per
 * module whose old code somebody holds.
 */
#include "upgrade_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- scripts ------------------------------------------------------------------- */

/* The module a decoded instruction loads or removes, or NULL. */
static const char *loaded_or_removed(const struct instr *in)
{
	return (in->op == INSTR_LOAD || in->op == INSTR_REMOVE) && in->nmods ? in->mods[0].name
									     : NULL;
}

/* A copy of sc in which every load/remove of mods[k] purges with methods[k]
 * (soft or brutal); each instruction changed gets a term of its own, written
 * as the planner writes it, and keeps its position. */
static void script_with_purges(struct arena *a, const struct script *sc,
			       const char *const *mods, const enum purge_method *methods,
			       size_t nmods, struct script *out)
{
	out->file = sc->file;
	out->n = sc->n;
	out->instrs = arena_memdup(a, sc->instrs, (sc->n ? sc->n : 1) * sizeof *sc->instrs);
	for (size_t i = 0; i < out->n; i++) {
		struct instr *in = &out->instrs[i];
		const char *m = loaded_or_removed(in);
		size_t k;
		for (k = 0; m && k < nmods && strcmp(mods[k], m); k++)
			;
		if (!m || k == nmods)
			continue;
		const char *pm = purge_method_name(methods[k]);
		in->pre = in->post = methods[k];
		in->term = term_tuplev(a, 2, term_atom(a, instr_name(in->op)),
				       term_tuplev(a, 3, term_elem(term_elem(in->term, 1), 0),
						   term_atom(a, pm), term_atom(a, pm)));
	}
}

/* The terms of sc's instructions, as a proper list. */
static struct term *script_terms(struct arena *a, const struct script *sc)
{
	struct term **items = arena_alloc(a, (sc->n ? sc->n : 1) * sizeof *items);
	for (size_t i = 0; i < sc->n; i++)
		items[i] = (struct term *)sc->instrs[i].term;
	return term_list(a, sc->n, items);
}

static int decode(struct arena *a, struct term *script, struct script *out, struct errbuf *err)
{
	struct term *one[1] = { script };
	return script_decode(a, "the planned script", one, 1, out, err);
}

/* ---- reading a simulation -------------------------------------------------------- */

struct sim_verdict {
	int refused;            /* the upgrade did not end {ok, _} */
	int gave_up;            /* a supervisor, application or the node went down */
	size_t killed;          /* processes killed (events) */
	size_t killed_in;       /* ... of them in the module asked about */
	size_t unrestarted;     /* killed and never restarted */
};

static void judge(const struct sim_report *rep, const char *module, struct sim_verdict *v)
{
	memset(v, 0, sizeof *v);
	struct sim *s = rep->primary;
	const struct sim_outcome *o = sim_outcome(s);
	for (size_t i = 0; i < o->nresults; i++)
		if (o->results[i].kind != SIM_RES_OK)
			v->refused = 1;
	/* last_restart[p]: 1 + index of p's last RESTARTED event, 0 if none */
	size_t np = sim_runtime(s)->processes.n;
	size_t *last_restart = xcalloc(np ? np : 1, sizeof *last_restart);
	for (size_t i = 0; i < o->nevents; i++)
		if (o->events[i].kind == SIM_EV_RESTARTED && o->events[i].proc >= 0 &&
		    (size_t)o->events[i].proc < np)
			last_restart[o->events[i].proc] = i + 1;
	for (size_t i = 0; i < o->nevents; i++) {
		const struct sim_event *e = &o->events[i];
		switch (e->kind) {
		case SIM_EV_KILLED:
			v->killed++;
			if (module && e->module >= 0 && !strcmp(sim_module_name(s, e->module), module))
				v->killed_in++;
			v->unrestarted += !(e->proc >= 0 && (size_t)e->proc < np && last_restart[e->proc] > i + 1);
			break;
		case SIM_EV_SUP_DOWN:
		case SIM_EV_APP_DOWN:
		case SIM_EV_NODE_DOWN:
		case SIM_EV_NODE_RESTART:
			v->gave_up = 1;
			break;
		default:
			break;
		}
	}
	free(last_restart);
}

/* Names of the processes killed in module's code, "a, b", into sb. */
static void holders(const struct sim_report *rep, const char *module, struct strbuf *sb)
{
	struct sim *s = rep->primary;
	const struct sim_outcome *o = sim_outcome(s);
	const struct runtime *rt = sim_runtime(s);
	size_t n = 0;
	for (size_t i = 0; i < o->nevents; i++) {
		const struct sim_event *e = &o->events[i];
		if (e->kind != SIM_EV_KILLED || e->proc < 0 || e->module < 0 ||
		    strcmp(sim_module_name(s, e->module), module))
			continue;
		sb_addf(sb, "%s%s", n++ ? ", " : "", rt->processes.items[e->proc].name);
	}
}

static void simulate(const struct script *sc, const struct runtime *rt, enum sim_until until,
		     struct sim_report *rep)
{
	struct sim_options so;
	memset(&so, 0, sizeof so);
	so.until = until;
	sim_run(rt, sc, 1, &so, rep);
}

/* ---- purge auto ------------------------------------------------------------------- */

/* Decides module k of mods (methods[k] soft on entry) on the simulation of
 * the script with the choices so far and k brutal, given probe, the
 * simulation with every module brutal; explains the choice in *ch. */
static void decide(struct arena *a, const struct script *sc, const struct runtime *rt,
		   const struct sim_report *probe, const char *const *mods,
		   enum purge_method *methods, size_t nmods, size_t k, struct purge_choice *ch)
{
	struct sim_verdict v;
	struct strbuf who = STRBUF_INIT;
	ch->module = mods[k];
	ch->brutal = 0;
	judge(probe, mods[k], &v);
	holders(probe, mods[k], &who);
	ch->nholders = v.killed_in;
	if (!v.killed_in) {
		ch->why = arena_printf(a, "%s: soft_purge, no process is left in its old "
				       "code, so the purge after the load removes it at once",
				       mods[k]);
		sb_release(&who);
		return;
	}
	methods[k] = PURGE_BRUTAL;
	struct script trial_sc;
	struct sim_report trial;
	script_with_purges(a, sc, mods, methods, nmods, &trial_sc);
	simulate(&trial_sc, rt, SIM_UNTIL_PERMANENT, &trial);
	judge(&trial, mods[k], &v);
	if (v.killed_in && !v.unrestarted && !v.gave_up && !v.refused) {
		ch->brutal = 1;
		ch->why = arena_printf(a, "%s: brutal_purge, its old code is held only by "
				       "%s, which %s restarted within the supervisor's "
				       "intensity, in the new code", mods[k], who.buf,
				       v.killed_in == 1 ? "is" : "are");
	} else {
		methods[k] = PURGE_SOFT;
		ch->why = arena_printf(a, "%s: soft_purge, its old code is held by %s, "
				       "which a brutal purge would kill %s; with soft_purge %s "
				       "in the old code until it leaves it", mods[k], who.buf,
				       v.gave_up ? "and its supervisor would give up" :
				       v.unrestarted ? "for good (nobody restarts it)" :
				       "and the upgrade would fail",
				       v.killed_in == 1 ? "it stays" : "they stay");
	}
	sim_report_release(&trial);
	sb_release(&who);
}

void purge_auto(struct arena *a, const struct script *sc, const struct runtime *rt,
		struct script *out, struct purge_choice **choices, size_t *n)
{
	/* the modules, in script order, once each */
	size_t nmods = 0;
	const char **mods = arena_alloc(a, (sc->n ? sc->n : 1) * sizeof(char *));
	enum purge_method *methods = arena_alloc(a, (sc->n ? sc->n : 1) * sizeof(enum purge_method));
	for (size_t i = 0; i < sc->n; i++) {
		const char *m = loaded_or_removed(&sc->instrs[i]);
		size_t k;
		for (k = 0; m && k < nmods && strcmp(mods[k], m); k++)
			;
		if (m && k == nmods) {
			mods[nmods] = m;
			methods[nmods++] = PURGE_SOFT;
		}
	}
	struct purge_choice *ch = arena_zalloc(a, (nmods ? nmods : 1) * sizeof *ch);

	/* Who holds old code at all: everything brutal, to make_permanent. */
	enum purge_method *all = arena_alloc(a, (nmods ? nmods : 1) * sizeof(enum purge_method));
	for (size_t k = 0; k < nmods; k++)
		all[k] = PURGE_BRUTAL;
	struct script probe_sc;
	struct sim_report probe;
	script_with_purges(a, sc, mods, all, nmods, &probe_sc);
	simulate(&probe_sc, rt, SIM_UNTIL_PERMANENT, &probe);
	for (size_t k = 0; k < nmods; k++)
		decide(a, sc, rt, &probe, mods, methods, nmods, k, &ch[k]);
	sim_report_release(&probe);
	script_with_purges(a, sc, mods, methods, nmods, out);
	*choices = ch;
	*n = nmods;
}

/* purge_auto's choices as the plan's per-module purge methods. */
static struct plan_purge_choice *to_plan_choices(struct arena *a, const struct purge_choice *c,
						 size_t n)
{
	struct plan_purge_choice *out = n ? arena_alloc(a, n * sizeof(*out)) : NULL;
	for (size_t i = 0; i < n; i++) {
		out[i].module = c[i].module;
		out[i].purge = c[i].brutal ? PURGE_BRUTAL : PURGE_SOFT;
		out[i].why = c[i].why;
	}
	return out;
}

/* purge_auto() of the script term on the runtime built from facts f:
 * the rewritten script's terms in *out_script. */
static int purge_auto_from_facts(struct arena *a, struct term *script, const struct facts *f,
				 const char *app, struct term **out_script,
				 struct purge_choice **choices, size_t *n, struct errbuf *err)
{
	struct script sc, out;
	int rc = decode(a, script, &sc, err);
	if (rc)
		return rc;
	struct runtime *rt = sim_runtime_from_facts(f, app ? app : "app");
	purge_auto(a, &sc, rt, &out, choices, n);
	runtime_free(rt);
	*out_script = script_terms(a, &out);
	return 0;
}

int upgrade_plan_auto(struct plan *p, struct plan *first, const struct facts *old,
		      const struct facts *new, struct plan_options *opt, struct arena *a,
		      struct errbuf *err)
{
	struct term *up, *down;
	struct purge_choice *upc, *downc;
	size_t nup, ndown;
	opt->purge = PURGE_AUTO;  /* soft, until the choices are made */
	if (plan_build(first, old, new, opt, err))
		return err->status;
	/* the rewritten scripts share terms with first's: first stays alive */
	int rc = purge_auto_from_facts(a, first->up_script, old, opt->app, &up, &upc, &nup, err);
	if (!rc)
		rc = purge_auto_from_facts(a, first->down_script, new, opt->app, &down, &downc,
					   &ndown, err);
	if (rc)
		return rc;
	opt->up_purges = to_plan_choices(a, upc, nup);
	opt->nup_purges = nup;
	opt->down_purges = to_plan_choices(a, downc, ndown);
	opt->ndown_purges = ndown;
	if (plan_build(p, old, new, opt, err))
		return err->status;
	plan_replace_scripts(p, up, down);
	return 0;
}

/* ---- the pipeline ------------------------------------------------------------------ */

int upgrade_run(struct upgrade **out, const struct facts *old, const struct facts *new,
		const struct upgrade_options *opt, struct errbuf *err)
{
	struct upgrade *u = xcalloc(1, sizeof *u);
	*out = u;
	arena_init(&u->arena);
	u->old = old;
	u->new = new;

	struct plan_options po;
	plan_options_init(&po);
	/* auto: plan soft, then choose per module on the simulation */
	po.purge = opt->purge == PURGE_AUTO ? PURGE_SOFT : opt->purge;
	if (opt->app)
		po.app = opt->app;
	if (opt->vsn)
		po.vsn = opt->vsn;
	if (opt->from_vsn)
		po.from_vsn = opt->from_vsn;
	int rc = plan_build(&u->plan, old, new, &po, err);
	if (rc)
		return rc;
	u->planned = 1;

	if (opt->runtime) {
		u->rt = opt->runtime;
		u->runtime_name = arena_strdup(&u->arena, opt->runtime_name ? opt->runtime_name
									   : "the runtime given");
	} else if (opt->runtime_path) {
		u->runtime_name = arena_strdup(&u->arena, opt->runtime_path);
		rc = runtime_read_file(opt->runtime_path, &u->rt_owned, err);
		if (rc)
			return rc;
		u->rt = u->rt_owned;
	} else {
		u->rt = u->rt_owned = sim_runtime_from_facts(old, opt->app ? opt->app : po.app);
		u->rt_from_facts = 1;
	}

	rc = decode(&u->arena, u->plan.up_script, &u->script, err);
	if (rc)
		return rc;
	u->script_term = u->plan.up_script;
	if (opt->purge == PURGE_AUTO) {
		purge_auto(&u->arena, &u->script, u->rt, &u->script, &u->choices, &u->nchoices);
		u->script_term = script_terms(&u->arena, &u->script);
	}
	struct sim_options so;
	memset(&so, 0, sizeof so);
	so.until = opt->until_permanent ? SIM_UNTIL_PERMANENT : SIM_UNTIL_INSTALL;
	sim_run(u->rt, &u->script, 1, &so, &u->sim);
	u->simulated = 1;
	return 0;
}

void upgrade_free(struct upgrade *u)
{
	if (!u)
		return;
	if (u->simulated)
		sim_report_release(&u->sim);
	if (u->planned)
		plan_release(&u->plan);
	runtime_free(u->rt_owned);
	arena_release(&u->arena);
	free(u);
}

const char *upgrade_instr_text(struct upgrade *u, size_t k)
{
	if (k >= u->script.n)
		return "make_permanent";
	struct strbuf t = STRBUF_INIT;
	term_write(&t, u->script.instrs[k].term);
	const char *s = arena_strdup(&u->arena, t.buf);
	sb_release(&t);
	return s;
}

void upgrade_write_script(const struct upgrade *u, struct strbuf *out)
{
	size_t n = term_list_len(u->script_term);
	for (size_t i = 0; i < n; i++)
		term_write_dot(out, term_elem(u->script_term, i));
}

/* ---- graph annotations -------------------------------------------------------------- */

static unsigned change_bits(const struct mod_diff *d)
{
	unsigned c = 0;
	if (!d)
		return 0;
	if (d->status == MOD_ADDED)
		return GC_ADDED;
	if (d->status == MOD_REMOVED)
		return GC_REMOVED;
	if (d->changes & CHG_STATE_LAYOUT || mod_diff_state_changed(d))
		c |= GC_STATE;
	if (d->changes & (CHG_SIGNATURE | CHG_LINKAGE | CHG_VISIBILITY) || d->exports_added ||
	    d->exports_removed || d->exports_retyped)
		c |= GC_EXPORTS;
	if (d->changes & (CHG_BODY | CHG_INITIALIZER | CHG_OTHER | CHG_ADDED | CHG_REMOVED))
		c |= GC_BODY;
	if (d->changes & CHG_FLAGS)
		c |= GC_FLAGS;
	return c;
}

static const char *action_name(enum plan_kind k)
{
	switch (k) {
	case PLAN_ADD_MODULE: return "add";
	case PLAN_DELETE_MODULE: return "delete";
	case PLAN_LOAD_MODULE: return "load";
	case PLAN_UPDATE_SOFT: return "update soft";
	case PLAN_UPDATE_ADVANCED: return "update advanced";
	}
	return NULL;
}

void upgrade_graph_notes(struct upgrade *u, struct graph_note **notes, size_t *nnotes,
			 struct graph_kill **kills, size_t *nkills)
{
	const struct plan *p = &u->plan;
	struct graph_note *nt = arena_zalloc(&u->arena, (p->ndecisions ? p->ndecisions : 1) *
					     sizeof *nt);
	for (size_t i = 0; i < p->ndecisions; i++) {
		const struct plan_decision *d = &p->decisions[i];
		nt[i].module = d->module;
		nt[i].change = change_bits(d->diff);
		nt[i].action = action_name(d->kind);
		for (size_t k = 0; k < u->script.n; k++) {
			const struct instr *in = &u->script.instrs[k];
			if ((in->op != INSTR_LOAD && in->op != INSTR_REMOVE) || !in->nmods ||
			    strcmp(in->mods[0].name, d->module))
				continue;
			nt[i].order = (unsigned)k + 1;
			nt[i].purge = purge_method_name(in->pre == in->post ? in->post : PURGE_BRUTAL);
			if (in->pre != in->post)
				nt[i].purge = arena_printf(&u->arena, "%s/%s", purge_method_name(in->pre),
							   purge_method_name(in->post));
			break;
		}
	}
	*notes = nt;
	*nnotes = p->ndecisions;

	struct sim *s = u->sim.primary;
	const struct sim_outcome *o = sim_outcome(s);
	const struct runtime *rt = sim_runtime(s);
	size_t nk = 0;
	struct graph_kill *kl = arena_zalloc(&u->arena, (o->nevents ? o->nevents : 1) * sizeof *kl);
	char *seen = xcalloc(rt->processes.n ? rt->processes.n : 1, 1);
	struct strmap names;  /* process name -> how many processes bear it */
	int names_counted = 0;
	strmap_init(&names);
	for (size_t i = 0; i < o->nevents; i++) {
		const struct sim_event *e = &o->events[i];
		if (e->kind != SIM_EV_KILLED || e->proc < 0 || seen[e->proc])
			continue;
		seen[e->proc] = 1;
		struct graph_kill *k = &kl[nk++];
		const struct rt_process *rp = &rt->processes.items[e->proc];
		k->process = rp->name;
		/* names need not be unique in a runtime file; the picture's
		 * node ids must be */
		if (!names_counted) {
			for (size_t j = 0; j < rt->processes.n; j++) {
				const char *nm = rt->processes.items[j].name;
				uintptr_t c = (uintptr_t)strmap_get(&names, nm);
				strmap_put(&names, nm, (void *)(c + 1));
			}
			names_counted = 1;
		}
		if ((uintptr_t)strmap_get(&names, rp->name) > 1)
			k->process = arena_printf(&u->arena, "%s %s", rp->name, rp->pid);
		k->module = e->module >= 0 ? sim_module_name(s, e->module) : "?";
		k->instr = e->instr < u->script.n ? e->instr + 1 : 0;
		k->instr_text = upgrade_instr_text(u, e->instr);
	}
	free(seen);
	strmap_release(&names);
	*kills = kl;
	*nkills = nk;
}
