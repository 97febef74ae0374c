/*
 * assess.c - the policy of 'hotplan check' applied to a simulated upgrade:
 * from the plan's findings, the simulation's events and the committed plan
 * to a struct report that the drivers render.
 *
 * The policy forbids: kills above max_killed (HP301), an upgrade the
 * release handler refuses or aborts (HP302), a parse failure (HP303), a
 * committed plan that differs from the fresh one (HP304), and every
 * planner finding of severity error (a removed export still referenced
 * HP101, a state layout change without a transformer HP102, a retyped
 * export HP106, a transformer never called HP107, ...) or a dependency
 * cycle through process modules (HP103). The planner's other findings are
 * reported, not forbidden. The references loaded out of order inside one
 * dependency cycle (HP105) share a group: one message for the cycle, with
 * its modules, the window of loads, the processes of the running system
 * that could run its code meanwhile and what to do; the text report shows
 * it once, SARIF and JUnit keep every reference. A running system built
 * from OLD without any process is said as a note (HP108), so that SARIF
 * and JUnit carry it as the text report does.
 *
 * Invariant: findings come out sorted by (rule id, module, symbol,
 * message) and processes in runtime order, so every report is
 * deterministic; every string lives in the upgrade's arena.
 */
#include "config.h"
#include "upgrade_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The planner's findings the policy forbids beyond those of severity error
 * (HP101, HP102, HP106, HP107, ...): a cycle through process modules. */
static int planner_forbids(const struct finding *f)
{
	return f->severity == SEV_ERROR || f->rule == HP103_MIXED_PROCESS_CYCLE;
}

struct builder {
	struct upgrade *u;
	struct arena *a;
	struct report *r;
	VEC(struct report_finding) findings;
	VEC(const struct rule_info *) rules;
};

static void add_finding(struct builder *b, const struct rule_info *rule, int forbidden,
			const char *module, const char *symbol, const struct loc *loc,
			const char *message)
{
	struct report_finding f;
	memset(&f, 0, sizeof f);
	f.rule = rule;
	f.severity = rule->severity;
	f.forbidden = forbidden;
	f.module = module;
	f.symbol = symbol;
	f.message = message;
	if (loc)
		f.loc = *loc;
	VEC_PUSH(&b->findings, f);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct report_finding *x = pa, *y = pb;
	int c = strcmp(x->rule->id, y->rule->id);
	if (!c)
		c = strcmp(x->module ? x->module : "", y->module ? y->module : "");
	if (!c)
		c = strcmp(x->symbol ? x->symbol : "", y->symbol ? y->symbol : "");
	if (!c)
		c = strcmp(x->message ? x->message : "", y->message ? y->message : "");
	return c;
}

/* ---- rules ----------------------------------------------------------------------- */

/* Every rule of the table, planner's and policy's, in id order. */
static void build_rules(struct builder *b)
{
	for (int i = 0; i < RULE__COUNT; i++)
		VEC_PUSH(&b->rules, rule_info((enum hp_rule)i));
}

/* ---- the planner's findings and parse failures ---------------------------------- */

/*
 * The modules of both trees, numbered, with their callers: who references
 * each, in OLD or in NEW (a caller still in old code uses OLD's edges, one
 * already loaded NEW's). Built once per report, when a cycle needs it.
 */
struct callers {
	struct strmap idx;   /* module name -> 1 + number */
	size_t n;
	size_t *off, *adj;   /* callers of v: adj[off[v] .. off[v + 1]) */
};

static size_t callers_num(const struct callers *cs, const char *name)
{
	return (size_t)(uintptr_t)strmap_get(&cs->idx, name);
}

static void callers_init(struct callers *cs, const struct facts *const *trees, int ntrees)
{
	memset(cs, 0, sizeof *cs);
	strmap_init(&cs->idx);
	size_t ne = 0;
	for (int t = 0; t < ntrees; t++) {
		const struct facts *f = trees[t];
		for (size_t i = 0; i < f->nmodules; i++)
			if (!callers_num(cs, f->modules[i].name))
				strmap_put(&cs->idx, f->modules[i].name, (void *)(uintptr_t)++cs->n);
		for (size_t e = 0; e < f->nedges; e++) {
			const char *ends[2] = { f->edges[e].from, f->edges[e].to };
			for (int k = 0; k < 2; k++)
				if (!callers_num(cs, ends[k]))
					strmap_put(&cs->idx, ends[k], (void *)(uintptr_t)++cs->n);
		}
		ne += f->nedges;
	}
	/* counting sort of the edges by callee */
	cs->off = xcalloc(cs->n + 2, sizeof *cs->off);
	cs->adj = xmalloc((ne ? ne : 1) * sizeof *cs->adj);
	for (int t = 0; t < ntrees; t++)
		for (size_t e = 0; e < trees[t]->nedges; e++)
			cs->off[callers_num(cs, trees[t]->edges[e].to) + 1]++;
	for (size_t v = 0; v < cs->n; v++)
		cs->off[v + 2] += cs->off[v + 1];
	for (int t = 0; t < ntrees; t++)
		for (size_t e = 0; e < trees[t]->nedges; e++) {
			const struct edge *ed = &trees[t]->edges[e];
			cs->adj[cs->off[callers_num(cs, ed->to)]++] = callers_num(cs, ed->from) - 1;
		}
	/* each placement moved off[v + 1] from the start of v's callers to
	 * their end, which is where v + 1's start: off[v] starts v's now */
}

static void callers_release(struct callers *cs)
{
	strmap_release(&cs->idx);
	free(cs->off);
	free(cs->adj);
}

/* Marks (mark[v] = 1, v numbered by callers_num() - 1) the members of a
 * cycle and every module that reaches one through references: where code
 * that can call into the cycle lives. */
static void callers_reach(const struct callers *cs, const struct finding_cycle *cy,
			  unsigned char *mark)
{
	size_t *stack = xmalloc((cs->n ? cs->n : 1) * sizeof *stack), top = 0;
	memset(mark, 0, cs->n);
	for (size_t i = 0; i < cy->nmodules; i++) {
		size_t v = callers_num(cs, cy->modules[i]);
		if (v && !mark[v - 1]) {
			mark[v - 1] = 1;
			stack[top++] = v - 1;
		}
	}
	while (top) {
		size_t v = stack[--top];
		for (size_t k = cs->off[v]; k < cs->off[v + 1]; k++) {
			size_t w = cs->adj[k];
			if (!mark[w]) {
				mark[w] = 1;
				stack[top++] = w;
			}
		}
	}
	free(stack);
}

/* Marks (held[p] = 1) the processes the simulation holds suspended from
 * before the first load of a window (0-based script index first0) to after
 * its last: one pass over the events, which come in time order. */
static void held_over(const struct sim_outcome *o, size_t nprocs, size_t first0, size_t last0,
		      unsigned char *held)
{
	memset(held, 0, nprocs ? nprocs : 1);
	for (size_t i = 0; i < o->nevents; i++) {
		const struct sim_event *e = &o->events[i];
		if (e->proc < 0 || (size_t)e->proc >= nprocs)
			continue;
		if (e->kind == SIM_EV_SUSPENDED && e->instr < first0)
			held[e->proc] = 1;
		else if (e->kind == SIM_EV_RESUMED && e->instr <= last0)
			held[e->proc] = 0;
	}
}

/* The processes of the running system that could run code of cycle cy in
 * its window, named in sb (at most PROCS_NAMED, then how many more);
 * returns how many, and sets *held to those suspended over the window. */
#define PROCS_NAMED 10
static size_t cycle_processes(struct builder *b, const struct callers *cs,
			      const struct finding_cycle *cy, struct strbuf *sb, size_t *held)
{
	const struct runtime *rt = sim_runtime(b->u->sim.primary);
	const struct sim_outcome *o = sim_outcome(b->u->sim.primary);
	unsigned char *mark = xmalloc(cs->n ? cs->n : 1);
	unsigned char *reach = xcalloc(rt->modules.n ? rt->modules.n : 1, 1);
	unsigned char *hold = xmalloc(rt->processes.n ? rt->processes.n : 1);
	callers_reach(cs, cy, mark);
	held_over(o, rt->processes.n, cy->first - 1, cy->last - 1, hold);
	for (size_t m = 0; m < rt->modules.n; m++) {
		size_t v = callers_num(cs, rt->modules.items[m].name);
		reach[m] = v && mark[v - 1];
	}
	size_t n = 0;
	*held = 0;
	for (size_t i = 0; i < rt->processes.n; i++) {
		const struct rt_process *p = &rt->processes.items[i];
		int runs = 0;
		for (uint32_t f = 0; f < p->nframes && !runs; f++)
			runs = reach[rt->frames.items[p->frames + f].module];
		for (uint32_t f = 0; f < p->nfuns && !runs; f++)
			runs = reach[rt->funs.items[p->funs + f].module];
		if (!runs)
			continue;
		if (hold[i]) {
			(*held)++;
			continue;
		}
		if (n < PROCS_NAMED)
			sb_addf(sb, "%s%s %s", n ? ", " : "", p->name, p->pid);
		n++;
	}
	if (n > PROCS_NAMED)
		sb_addf(sb, " and %zu more", n - PROCS_NAMED);
	free(mark);
	free(reach);
	free(hold);
	return n;
}

/* The one message of a dependency cycle's load window: its modules, the
 * window, who could run in it and what to do. */
static const char *cycle_message(struct builder *b, const struct callers *cs,
				 const struct finding_cycle *cy)
{
	struct strbuf sb = STRBUF_INIT, procs = STRBUF_INIT;
	size_t held, n = cycle_processes(b, cs, cy, &procs, &held);
	findings_cycle_text(&sb, cy);
	sb_adds(&sb, ", each a result in --sarif); ");
	if (n)
		sb_addf(&sb, "%zu process%s could run code of the cycle in the window: %s; "
			"suspend %s for the window (a state transformer in %s module makes "
			"the script update it, which suspends %s), or accept the window if old "
			"and new code of the cycle still fit together", n, n == 1 ? "" : "es",
			procs.buf, n == 1 ? "it" : "them", n == 1 ? "its" : "their",
			n == 1 ? "it" : "them");
	else
		sb_adds(&sb, "no process of the running system could run code of the cycle in "
			"the window: accept it");
	if (held)
		sb_addf(&sb, " (%zu more %s suspended over the whole window)", held,
			held == 1 ? "is" : "are");
	const char *msg = arena_strdup(b->a, sb.buf);
	sb_release(&sb);
	sb_release(&procs);
	return msg;
}

/* The planner's findings; those of one dependency cycle share one group,
 * which the text report shows once. */
static void planner_findings(struct builder *b)
{
	const struct findings *fs = &b->u->plan.findings;
	struct report_group *groups = NULL;
	if (fs->ncycles) {
		const struct facts *trees[2] = { b->u->old, b->u->new };
		struct callers cs;
		callers_init(&cs, trees, 2);
		groups = arena_zalloc(b->a, fs->ncycles * sizeof *groups);
		for (size_t k = 0; k < fs->ncycles; k++) {
			groups[k].message = cycle_message(b, &cs, &fs->cycles[k]);
			groups[k].nfindings = fs->cycles[k].nfindings;
		}
		callers_release(&cs);
	}
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->items[i];
		int forbidden = planner_forbids(f);
		add_finding(b, rule_info(f->rule), forbidden, f->module, f->symbol, &f->loc,
			    f->message);
		b->findings.items[b->findings.n - 1].severity = f->severity;
		if (f->cycle)
			b->findings.items[b->findings.n - 1].group = &groups[f->cycle - 1];
	}
}

static void parse_failures(struct builder *b, const struct facts *f)
{
	const struct rule_info *rule = rule_info(HP303_PARSE_FAILURE);
	for (size_t i = 0; i < f->ndiags; i++) {
		const struct diagnostic *d = &f->diags[i];
		if (d->severity != SEV_ERROR)
			continue;
		add_finding(b, rule, 1, d->module, NULL, &d->loc,
			    arena_printf(b->a, "%s", d->message));
	}
	for (size_t i = 0; i < f->nmodules; i++) {
		const struct module *m = &f->modules[i];
		if (!m->incomplete)
			continue;
		struct loc l = { m->nfiles ? m->files[0] : NULL, 0, 0 };
		add_finding(b, rule, 1, m->name, NULL, &l,
			    arena_printf(b->a, "module '%s' of '%s' was not analyzed completely",
					 m->name, f->root ? f->root : "?"));
	}
}

/* ---- the simulation --------------------------------------------------------------- */

/* "#N {load,{sip,soft_purge,soft_purge}}" or "make_permanent". */
static const char *at(struct builder *b, uint32_t instr)
{
	if (instr >= b->u->script.n)
		return "make_permanent";
	return arena_printf(b->a, "#%u %s", instr + 1, upgrade_instr_text(b->u, instr));
}

/* The entry point of a process named "module:function" (as
 * sim_runtime_from_facts names them), in NEW, else in OLD; *spawner (when
 * not NULL) what started it. */
static void process_entry(struct builder *b, const char *name, const char **module,
			  const char **function, struct loc *loc, const char **spawner)
{
	const char *colon = strchr(name, ':');
	memset(loc, 0, sizeof *loc);
	*module = NULL;
	*function = NULL;
	if (spawner)
		*spawner = NULL;
	if (!colon)
		return;
	char *mod = arena_strndup(b->a, name, (size_t)(colon - name));
	/* NEW first: the report is read against the new sources */
	const struct facts *trees[2] = { b->u->new, b->u->old };
	for (int t = 0; t < 2; t++) {
		const struct module *m = facts_module(trees[t], mod);
		for (size_t i = 0; m && i < m->nentries; i++) {
			if (!strcmp(m->entries[i].function, colon + 1)) {
				*module = m->name;
				*function = m->entries[i].function;
				*loc = m->entries[i].loc;
				if (spawner)
					*spawner = m->entries[i].spawner;
				return;
			}
		}
	}
}

/* pthread_create, thrd_create and fork: hotplan knows them without a config. */
/* Whether a process's start needs no word: fork, or a spawner hotplan
 * knows without the config (hotrt_spawn among them). */
static int is_builtin_spawner(const char *s)
{
	return !strcmp(s, "fork") || config_spawn_is_builtin(s);
}

static const char *version_text(struct sim *s, int32_t v)
{
	int is_int;
	const char *t = v >= 0 ? sim_version_text(s, v, &is_int) : NULL;
	return t ? t : "?";
}

/* What happens to process p, one line; ev[0..nev) are the indices of its
 * events in outcome order. Sets *touched when anything happens to it. */
static const char *process_story(struct builder *b, int32_t p, const size_t *ev, size_t nev,
				 int *touched)
{
	struct sim *s = b->u->sim.primary;
	const struct sim_outcome *o = sim_outcome(s);
	struct strbuf sb = STRBUF_INIT;
	*touched = nev > 0;
	for (size_t x = 0; x < nev; x++) {
		const struct sim_event *e = &o->events[ev[x]];
		if (sb.len)
			sb_adds(&sb, "; ");
		const char *mod = e->module >= 0 ? sim_module_name(s, e->module) : "?";
		switch (e->kind) {
		case SIM_EV_KILLED:
			sb_addf(&sb, "killed at %s, running old code of %s", at(b, e->instr), mod);
			if (e->reason != SIM_R_KILLED)
				sb_addf(&sb, " (%s)", sim_reason_name(e->reason));
			break;
		case SIM_EV_RESTARTED:
			sb_addf(&sb, "restarted by its supervisor in version %s", version_text(s, e->version));
			if (e->alt_version >= 0)
				sb_addf(&sb, " (or %s: a race)", version_text(s, e->alt_version));
			break;
		case SIM_EV_SUSPENDED:
			/* {suspend, [A, B]} suspends a process once per module
			 * that names it: say so in one phrase */
			if (x > 0 && o->events[ev[x - 1]].kind == SIM_EV_SUSPENDED &&
			    o->events[ev[x - 1]].instr == e->instr &&
			    o->events[ev[x - 1]].script == e->script) {
				sb.len -= 2;
				sb.buf[sb.len] = '\0';
				sb_addf(&sb, ", %s", mod);
			} else {
				sb_addf(&sb, "suspended at %s for %s", at(b, e->instr), mod);
			}
			break;
		case SIM_EV_DROPPED:
			sb_addf(&sb, "ignored suspend at %s and kept running", at(b, e->instr));
			break;
		case SIM_EV_RESUMED:
			sb_addf(&sb, "resumed at %s", at(b, e->instr));
			break;
		case SIM_EV_CODE_CHANGE:
			sb_addf(&sb, "state transformed by %s at %s", mod, at(b, e->instr));
			break;
		case SIM_EV_STOPPED:
			sb_addf(&sb, "stopped at %s", at(b, e->instr));
			break;
		case SIM_EV_STARTED:
			sb_addf(&sb, "started again at %s", at(b, e->instr));
			break;
		case SIM_EV_STEP_RACE:
			sb_addf(&sb, "may already run the new %s at %s's soft purge (a race of "
				"C timing)", mod, at(b, e->instr));
			break;
		default:
			sb_addf(&sb, "%s at %s", sim_event_name(e->kind), at(b, e->instr));
			break;
		}
	}
	if (!sb.len) {
		/* untouched: does it stay in code left unpurged? */
		const struct runtime *rt = sim_runtime(s);
		const struct rt_process *rp = &rt->processes.items[p];
		const char *lingers = NULL;
		for (size_t r = 0; r < o->nresults && !lingers; r++) {
			const struct sim_result *res = &o->results[r];
			for (size_t k = 0; k < res->nunpurged && !lingers; k++) {
				const char *um = sim_module_name(s, res->unpurged[k].module);
				for (uint32_t f = 0; f < rp->nframes; f++) {
					const struct rt_frame *fr = &rt->frames.items[rp->frames + f];
					if (!strcmp(rt->modules.items[fr->module].name, um))
						lingers = um;
				}
			}
		}
		const char *blocks = NULL;
		for (size_t r = 0; r < o->nresults && !blocks; r++) {
			if (o->results[r].old_processes < 0)
				continue;
			const char *bm = sim_module_name(s, o->results[r].old_processes);
			for (uint32_t f = 0; f < rp->nframes; f++) {
				const struct rt_frame *fr = &rt->frames.items[rp->frames + f];
				const struct rt_module *rm = &rt->modules.items[fr->module];
				if (!strcmp(rm->name, bm) && fr->version == rm->old)
					blocks = bm;
			}
		}
		*touched = lingers != NULL || blocks != NULL;
		if (blocks)
			sb_addf(&sb, "runs the old code of %s, so the release handler refuses the "
				"upgrade (soft_purge)", blocks);
		else if (lingers)
			sb_addf(&sb, "not touched, but it stays in the old code of %s, which is left "
				"unpurged: the next load of %s kills it unless it leaves first",
				lingers, lingers);
		else
			sb_adds(&sb, "not touched by the upgrade");
	}
	const char *res = arena_strdup(b->a, sb.buf);
	sb_release(&sb);
	return res;
}

static void simulation(struct builder *b, size_t max_killed)
{
	struct upgrade *u = b->u;
	struct sim *s = u->sim.primary;
	const struct sim_outcome *o = sim_outcome(s);
	const struct runtime *rt = sim_runtime(s);
	size_t nprocs = rt->processes.n;
	struct report_process *procs = arena_zalloc(b->a, (nprocs ? nprocs : 1) * sizeof *procs);
	/* events grouped by process (counting sort, outcome order kept) */
	size_t *start = xcalloc(nprocs + 2, sizeof *start);
	size_t *ev = xmalloc((o->nevents ? o->nevents : 1) * sizeof *ev);
	for (size_t i = 0; i < o->nevents; i++)
		if (o->events[i].proc >= 0 && (size_t)o->events[i].proc < nprocs)
			start[o->events[i].proc + 2]++;
	for (size_t i = 0; i < nprocs; i++)
		start[i + 2] += start[i + 1];
	for (size_t i = 0; i < o->nevents; i++)
		if (o->events[i].proc >= 0 && (size_t)o->events[i].proc < nprocs)
			ev[start[o->events[i].proc + 1]++] = i;
	for (size_t i = 0; i < nprocs; i++) {
		const struct rt_process *p = &rt->processes.items[i];
		const char *mod, *fn;
		procs[i].pid = p->pid;
		procs[i].name = p->name;
		const char *spawner = NULL;
		process_entry(b, p->name, &mod, &fn, &procs[i].loc,
			      u->rt_from_facts ? &spawner : NULL);
		procs[i].what = process_story(b, (int32_t)i, ev + start[i], start[i + 1] - start[i],
					      &procs[i].touched);
		if (u->rt_from_facts && spawner && !is_builtin_spawner(spawner))
			procs[i].what = arena_printf(b->a, "%s%sstarted through %s, a spawn function "
						     "of hotplan.config", procs[i].what ? procs[i].what : "",
						     procs[i].what ? "; " : "", spawner);
	}
	free(start);
	free(ev);
	int forbid_kills = o->killed > max_killed;
	for (size_t i = 0; i < o->nevents; i++) {
		const struct sim_event *e = &o->events[i];
		if (e->kind != SIM_EV_KILLED || e->proc < 0)
			continue;
		struct report_process *rp = &procs[e->proc];
		const char *mod, *fn;
		struct loc loc;
		rp->killed = 1;
		process_entry(b, rp->name, &mod, &fn, &loc, NULL);
		const char *code = e->module >= 0 ? sim_module_name(s, e->module) : "?";
		add_finding(b, rule_info(HP301_PROCESS_KILLED), forbid_kills, mod ? mod : code,
			    fn, &loc,
			    arena_printf(b->a, "process '%s' %s is killed at %s: it was running "
					 "old code of '%s'%s%s%s", rp->name, rp->pid, at(b, e->instr), code,
					 e->reason != SIM_R_KILLED ? " (" : "",
					 e->reason != SIM_R_KILLED ? sim_reason_name(e->reason) : "",
					 e->reason != SIM_R_KILLED ? ")" : ""));
		/* a kill the policy tolerates is a warning */
		b->findings.items[b->findings.n - 1].severity = forbid_kills ? SEV_ERROR : SEV_WARNING;
	}
	for (size_t i = 0; i < o->nresults; i++) {
		const struct sim_result *res = &o->results[i];
		if (res->kind == SIM_RES_OK)
			continue;
		const char *who = res->old_processes >= 0 ? sim_module_name(s, res->old_processes) : NULL;
		/* located at the module whose old code blocks it, when known */
		const struct module *wm = who ? facts_module(u->new, who) : NULL;
		if (who && !wm)
			wm = facts_module(u->old, who);
		struct loc wl = { wm && wm->nfiles ? wm->files[0] : NULL, 0, 0 };
		add_finding(b, rule_info(HP302_UPGRADE_REFUSED), 1, who, NULL, &wl,
			    arena_printf(b->a, "the release handler %s: %s%s",
					 res->kind == SIM_RES_ERROR ? "refuses the upgrade" :
					 res->kind == SIM_RES_EXIT ? "fails after the point of no return" :
					 "does not complete the upgrade",
					 res->reason ? res->reason : sim_result_name(res->kind),
					 res->node_restart ? "; the node restarts from the old release" : ""));
	}
	if (o->node_down)
		add_finding(b, rule_info(HP302_UPGRADE_REFUSED), 1, NULL, NULL, NULL,
			    "an application stops during the upgrade and takes the node down");
	b->r->procs = procs;
	b->r->nprocs = nprocs;
}

/* ---- the committed plan ------------------------------------------------------------- */

static size_t script_items(struct term **terms, size_t n, struct term ***items)
{
	if (n == 1 && term_is_list(terms[0]) && terms[0]->type == TERM_LIST) {
		*items = terms[0]->u.seq.items;
		return terms[0]->u.seq.n;
	}
	*items = terms;
	return n;
}

/* A line diff (longest common subsequence) of two term lists. */
static void term_diff(struct term **a, size_t na, struct term **b, size_t nb, struct strbuf *out)
{
	size_t w = nb + 1;
	if ((na + 1) > ((size_t)1 << 26) / w) {
		sb_addf(out, "(too long to show: %zu committed against %zu fresh instructions)\n",
			na, nb);
		return;
	}
	unsigned *l = xcalloc((na + 1) * w, sizeof *l);
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			l[i * w + j] = term_equal(a[i], b[j]) ? l[(i + 1) * w + j + 1] + 1 :
				       (l[(i + 1) * w + j] > l[i * w + j + 1] ? l[(i + 1) * w + j] :
									       l[i * w + j + 1]);
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && term_equal(a[i], b[j])) {
			i++;
			j++;
		} else if (j < nb && (i == na || l[i * w + j + 1] >= l[(i + 1) * w + j])) {
			sb_addf(out, "+ #%zu ", j + 1);
			term_write_dot(out, b[j++]);
		} else {
			sb_addf(out, "- #%zu ", i + 1);
			term_write_dot(out, a[i++]);
		}
	}
	free(l);
}

static int against(struct builder *b, const struct assess_options *opt, struct errbuf *err)
{
	struct term **terms = NULL, **mine, **theirs;
	size_t n = 0;
	/* an empty plan has no terms (and term_consult wants some text) */
	if (opt->against_len) {
		int rc = term_consult(b->a, opt->against_file, opt->against, opt->against_len,
				      &terms, &n, err);
		if (rc)
			return rc;
	}
	size_t ntheirs = script_items(terms, n, &theirs);
	size_t nmine = term_list_len(b->u->script_term);
	mine = arena_alloc(b->a, (nmine ? nmine : 1) * sizeof *mine);
	for (size_t i = 0; i < nmine; i++)
		mine[i] = term_elem(b->u->script_term, i);
	int same = ntheirs == nmine;
	for (size_t i = 0; same && i < nmine; i++)
		same = term_equal(theirs[i], mine[i]);
	if (same)
		return 0;
	struct strbuf d = STRBUF_INIT;
	sb_addf(&d, "--- %s (committed)\n+++ the plan computed now\n", opt->against_file);
	term_diff(theirs, ntheirs, mine, nmine, &d);
	b->r->against_diff = arena_strdup(b->a, d.buf);
	sb_release(&d);
	struct loc l = { opt->against_file, 0, 0 };
	add_finding(b, rule_info(HP304_PLAN_DIFFERS), 1, NULL, NULL, &l,
		    arena_printf(b->a, "the committed plan '%s' differs from the plan computed for "
				 "these trees (%zu against %zu instructions)", opt->against_file,
				 ntheirs, nmine));
	return 0;
}

/* The text report lists at most this many modules of the upgrade. */
#define STEPS_LIMIT 30

/* ---- what will happen ------------------------------------------------------------------ */

static void steps(struct builder *b)
{
	struct upgrade *u = b->u;
	const struct plan *p = &u->plan;
	VEC(const char *) st = { 0 };
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "modules: %zu added, %zu removed, %zu changed, %zu unchanged; the script "
		"has %zu instructions", p->diff.nadded, p->diff.nremoved, p->diff.nchanged,
		p->diff.nunchanged, u->script.n);
	VEC_PUSH(&st, arena_strdup(b->a, sb.buf));
	if (u->rt_from_facts)
		VEC_PUSH(&st, arena_printf(b->a, "the running system: one process per entry point "
					   "of %s, in its current code (--runtime gives a snapshot)",
					   u->old->root ? u->old->root : "OLD"));
	else
		VEC_PUSH(&st, arena_printf(b->a, "the running system: %s", u->runtime_name));
	if (u->rt_from_facts && !u->rt->processes.n)
		b->r->no_process = arena_printf(b->a,
			"hotplan found no thread start and no forked child that loops in %s, so it "
			"predicts no death. If the program starts its processes through a function "
			"of its own, name it in hotplan.config: {spawn, [{my_spawn, N}]}, N being "
			"the argument that is the function the process runs; or read the processes "
			"of the running server with --pid PID",
			u->old->root ? u->old->root : "OLD");
	/* a long upgrade is summed up: 'hotplan plan --format text' has it all */
	size_t shown = p->ndecisions > STEPS_LIMIT ? STEPS_LIMIT - 5 : p->ndecisions;
	for (size_t i = 0; i < shown; i++) {
		const struct plan_decision *d = &p->decisions[i];
		sb_reset(&sb);
		sb_addf(&sb, "%s %s", plan_kind_name(d->kind), d->module);
		for (size_t k = 0; k < u->script.n; k++) {
			const struct instr *in = &u->script.instrs[k];
			if ((in->op == INSTR_LOAD || in->op == INSTR_REMOVE) && in->nmods &&
			    !strcmp(in->mods[0].name, d->module)) {
				sb_addf(&sb, ": %s at #%zu (%s)", instr_name(in->op), k + 1,
					purge_method_name(in->post));
				break;
			}
		}
		if (d->diff && d->diff->status == MOD_CHANGED) {
			sb_adds(&sb, ", changed: ");
			change_kinds_write(&sb, d->diff->changes, ", ");
		}
		VEC_PUSH(&st, arena_strdup(b->a, sb.buf));
	}
	if (shown < p->ndecisions)
		VEC_PUSH(&st, arena_printf(b->a, "... and %zu more modules ('hotplan plan --format "
					   "text' explains each)", p->ndecisions - shown));
	const struct sim_outcome *o = sim_outcome(u->sim.primary);
	for (size_t i = 0; i < o->nresults; i++) {
		sb_reset(&sb);
		sb_addf(&sb, "simulated: the release handler returns %s; %zu process%s killed",
			o->results[i].reason ? o->results[i].reason : sim_result_name(o->results[i].kind),
			o->killed, o->killed == 1 ? "" : "es");
		if (o->race)
			sb_adds(&sb, " (a supervisor restart races with a load: the other outcome "
				"is in 'hotplan simulate')");
		else if (o->step_races)
			sb_adds(&sb, " (a thread's step races with a load: the other outcome is "
				"in 'hotplan simulate')");
		VEC_PUSH(&st, arena_strdup(b->a, sb.buf));
	}
	const char **arr = arena_alloc(b->a, (st.n ? st.n : 1) * sizeof *arr);
	memcpy(arr, st.items, st.n * sizeof *arr);
	b->r->steps = arr;
	b->r->nsteps = st.n;
	VEC_RELEASE(&st);

	size_t nn = 1;
	const char **notes = arena_alloc(b->a, (u->nchoices + 2) * sizeof *notes);
	if (u->nchoices) {
		notes[0] = "purge auto: soft, unless only processes that their supervisors restart "
			   "within their intensity hold the old code";
		sb_reset(&sb);
		for (size_t i = 0; i < u->nchoices; i++) {
			if (u->choices[i].nholders)
				notes[nn++] = arena_printf(b->a, "- %s", u->choices[i].why);
			else
				sb_addf(&sb, "%s%s", sb.len ? ", " : "", u->choices[i].module);
		}
		if (sb.len)
			notes[nn++] = arena_printf(b->a, "- %s: soft_purge, no process is left in "
						   "their old code", sb.buf);
	} else {
		notes[0] = p->opt.purge == PURGE_SOFT ?
			"purge soft: a load never kills; old code still in use stays until its "
			"processes leave it (the next load of the module kills them)" :
			"purge brutal: processes still in old code are killed when it is purged "
			"(at the next load, or at make_permanent)";
	}
	b->r->purge_notes = notes;
	b->r->npurge_notes = nn;
	sb_release(&sb);
}

/* ---- entry points ------------------------------------------------------------------------ */

int upgrade_assess(struct upgrade *u, const struct assess_options *opt, struct report *r,
		   struct errbuf *err)
{
	struct builder b;
	memset(&b, 0, sizeof b);
	memset(r, 0, sizeof *r);
	b.u = u;
	b.a = &u->arena;
	b.r = r;
	build_rules(&b);
	planner_findings(&b);
	parse_failures(&b, u->old);
	parse_failures(&b, u->new);
	simulation(&b, opt->max_killed);
	int rc = 0;
	if (opt->against)
		rc = against(&b, opt, err);
	steps(&b);
	if (r->no_process)
		add_finding(&b, rule_info(HP108_NO_PROCESS_FOUND), 0, NULL, NULL, NULL,
			    r->no_process);

	if (b.findings.n)
		qsort(b.findings.items, b.findings.n, sizeof *b.findings.items, cmp_finding);
	struct report_finding *fs = arena_memdup(b.a, b.findings.items,
						 b.findings.n * sizeof *fs);
	const struct rule_info **rules = arena_memdup(b.a, b.rules.items, b.rules.n * sizeof *rules);
	r->findings = fs;
	r->nfindings = b.findings.n;
	r->rules = rules;
	r->nrules = b.rules.n;
	for (size_t i = 0; i < r->nfindings; i++)
		r->forbidden |= fs[i].forbidden;
	r->tool_version = opt->tool_version;
	r->old_root = u->old->root;
	r->new_root = u->new->root;
	r->srcroot = u->new->source_root;
	r->max_killed = opt->max_killed;
	VEC_RELEASE(&b.findings);
	VEC_RELEASE(&b.rules);
	return rc;
}

void upgrade_assess_parse_failure(struct arena *a, const char *message,
				  const char *tool_version, struct report *r)
{
	memset(r, 0, sizeof *r);
	const struct rule_info **rules = arena_alloc(a, sizeof *rules);
	rules[0] = rule_info(HP303_PARSE_FAILURE);
	struct report_finding *f = arena_zalloc(a, sizeof *f);
	f->rule = rules[0];
	f->severity = SEV_ERROR;
	f->forbidden = 1;
	f->message = arena_strdup(a, message);
	r->rules = rules;
	r->nrules = 1;
	r->findings = f;
	r->nfindings = 1;
	r->forbidden = 1;
	r->tool_version = tool_version;
}
