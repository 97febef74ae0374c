/*
 * sim.c - the release handler's executor on the modeled VM.
 *
 * The rules (SEMANTICS.md §1, §3, §5; DESIGN.md §7):
 *  - A module has a current and an old version. A process runs old code of M
 *    iff one of its frames is (M, old(M)); frames deeper in the stack are
 *    return addresses and count. A suspended (sys) process waits inside sys,
 *    so its top frame does not count while it is suspended; on resume it
 *    continues through a qualified call (system_continue): its top frame
 *    moves to the current version. Funs never keep code alive.
 *  - purge(M) kills every process running old code of M (reason killed);
 *    each kill is reported to the process's supervisor at once, which
 *    restarts it in the versions current at that moment (permanent always,
 *    transient unless the reason is shutdown, temporary never) and counts
 *    the restart: more than `intensity` restarts within `period` seconds of
 *    the simulated clock make the supervisor terminate its children
 *    (shutdown) and itself; its parent counts that as a restart of the
 *    supervisor child and restarts it with all its children; a top
 *    supervisor going down stops its application, and a permanent or
 *    transient application stopping stops the node.
 *  - load(M) (code:load_binary) purges M first when M has current code, then
 *    old := current, current := new; when M has no current code the old code
 *    is kept. Restarts caused by that purge race with the load: each may
 *    start in the previous version (primary) or the new one (alternative).
 *  - After every load and remove: soft purge; failure records {M, PostPurge}
 *    in Unpurged (first entry wins).
 *  - The pre-check refuses the whole script ({error,{old_processes,M}}) when
 *    a soft_purge PrePurge module has old code in use before the upgrade.
 *  - Failures before point_of_no_return give {error, _} with nothing loaded;
 *    after it {'EXIT', _} and the node is restarted from the old release.
 *  - Versions a load reads: see next_version(). A C program on libhotrt
 *    names every version by the application's Vsn (M.Vsn.so), so in a
 *    runtime that names every version by text a new module takes that Vsn
 *    (the C-forced rules are listed in docs/semantics.md §5.1).
 *  - C timing (a runtime with a text version): early_steps() and
 *    young_calls() report the two races a C program's running threads add
 *    (step_race events); the alternative run takes the other side.
 *  - Steps: see sim.h. Only processes on the pending lists can move in a
 *    step (qualified processes whose top frame is not current, holders of
 *    dead funs), so a step costs what changed, not the number of processes.
 *
 * Invariants: per-module process lists (frames, funs, Modules, qualified
 * top frames) are built once from the runtime, since frames keep their
 * modules and only versions change; versions are never reused, so a fun
 * (M, v) is dead iff v is neither current nor old of M. A fun the runtime
 * gives in a version already purged (neither current nor old at the start)
 * is dead from the start: its version becomes FUN_PURGED, which no module
 * version equals, so no later load can make it callable again.
 *
 * eval() is one switch over the instruction set (model/instr.def): above
 * each case an "Opcode:" comment says what the instruction does to the
 * model, and the case opens with asserts on the operands instr_decode()
 * guarantees (SQLite's vdbe.c does the same).
 */
#include "sim.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

#define RESUME_ATTEMPT_MS 5000  /* catch sys:resume(P) after a failed suspend */
#define FUN_PURGED (-2)         /* the version of a fun dead before the first script */

/* Compressed lists: list i is data[off[i] .. off[i+1]). */
struct csr {
	uint32_t *off;
	uint32_t *data;
};

struct sim_mod {
	const char *name;
	int32_t cur, old;
	long long maxint;   /* highest integer version ever seen */
	uint8_t ever_loaded;
};

struct sim_proc {
	uint32_t inc;       /* incarnation: restarts make a new pid */
	uint8_t alive, suspended, stopped, pending, badfun;
};

struct sim_sup {
	uint8_t alive;
	VEC(int64_t) restarts;  /* clock of restarts, non-decreasing */
	size_t head;            /* restarts before head left the window */
};

struct susp_entry {
	int32_t module;
	uint32_t proc, inc;
};

struct bin_entry {
	int32_t module;
	int32_t newv;
};

/* A process restarted by the instruction at tick: its thread makes its
 * calls into other modules as it runs (C timing, young_calls()). */
struct young_proc {
	uint32_t proc, inc;
	uint64_t tick;
};

struct sim {
	const struct runtime *rt;
	struct sim_options opt;
	struct arena arena;

	VEC(struct sim_mod) mods;
	struct strmap mod_index;      /* module names added by scripts */
	VEC(struct rt_version) vers;  /* runtime versions, then new ones */
	struct strmap ver_index;      /* keys of new versions */

	struct sim_proc *procs;
	int32_t *ver;                 /* frame versions, parallel to rt->frames */
	int32_t *funver;              /* fun versions, parallel to rt->funs */
	struct sim_sup *sups;
	struct csr frame_procs, fun_procs, sup_procs, qual_top, sup_children, sup_subs;
	size_t rt_nmods;

	VEC(uint32_t) pending;        /* qualified processes that may move */
	VEC(uint32_t) badfuns;        /* processes that may call a dead fun */
	VEC(uint32_t) victims;

	int64_t clock;                /* ms */
	uint32_t cur_script, cur_instr;
	uint8_t in_step, in_permanent, node_down, stopped_run;
	enum instr_op via;
	struct {
		int active;
		int32_t module, newv;
		unsigned restarts;
	} load;

	/* per script */
	VEC(struct susp_entry) susp;
	VEC(struct susp_entry) stopped;
	VEC(struct bin_entry) bins;
	VEC(struct sim_unpurged) unpurged;

	VEC(struct sim_unpurged) stored;
	VEC(struct sim_event) events;
	VEC(struct sim_result) results;
	size_t killed;
	int race, order_race;
	size_t step_races;
	/* C timing (docs/semantics.md 5.1): set when some version is a text */
	int c_threads;
	uint64_t tick;                /* instructions evaluated so far */
	VEC(struct young_proc) young; /* restarted at tick or tick - 1 (C only) */
	struct sim_outcome out;
};

/* ---- setup ---------------------------------------------------------------- */

/* Builds n lists from (list, item) pairs produced twice by fill(): once to
 * count, once to place. */
typedef void (*csr_fill)(struct sim *s, uint32_t *off, uint32_t *data);

static void csr_build(struct sim *s, struct csr *c, size_t nlists, csr_fill fill)
{
	c->off = xcalloc(nlists + 2, sizeof(uint32_t));
	fill(s, c->off + 2, NULL);             /* counts at off[i+2] */
	for (size_t i = 0; i < nlists; i++)
		c->off[i + 2] += c->off[i + 1];
	c->data = xmalloc((c->off[nlists + 1] + 1) * sizeof(uint32_t));
	fill(s, c->off + 1, c->data);          /* off[i+1] advances to the end of list i */
}

static void csr_release(struct csr *c)
{
	free(c->off);
	free(c->data);
}

static void csr_add(uint32_t *off, uint32_t *data, uint32_t list, uint32_t item)
{
	if (data)
		data[off[list]++] = item;
	else
		off[list]++;
}

static void fill_frame_procs(struct sim *s, uint32_t *off, uint32_t *data)
{
	const struct runtime *rt = s->rt;
	for (uint32_t p = 0; p < rt->processes.n; p++) {
		const struct rt_process *pr = &rt->processes.items[p];
		if (!pr->nframes)
			continue;  /* (frames.items may be NULL) */
		const struct rt_frame *f = rt->frames.items + pr->frames;
		for (uint32_t i = 0; i < pr->nframes; i++) {
			uint32_t j;
			for (j = 0; j < i && f[j].module != f[i].module; j++)
				;
			if (j == i)
				csr_add(off, data, f[i].module, p);
		}
	}
}

static void fill_fun_procs(struct sim *s, uint32_t *off, uint32_t *data)
{
	const struct runtime *rt = s->rt;
	for (uint32_t p = 0; p < rt->processes.n; p++) {
		const struct rt_process *pr = &rt->processes.items[p];
		if (!pr->nfuns)
			continue;
		const struct rt_frame *f = rt->funs.items + pr->funs;
		for (uint32_t i = 0; i < pr->nfuns; i++) {
			uint32_t j;
			for (j = 0; j < i && f[j].module != f[i].module; j++)
				;
			if (j == i)
				csr_add(off, data, f[i].module, p);
		}
	}
}

static void fill_sup_procs(struct sim *s, uint32_t *off, uint32_t *data)
{
	const struct runtime *rt = s->rt;
	for (uint32_t p = 0; p < rt->processes.n; p++) {
		const struct rt_process *pr = &rt->processes.items[p];
		if (!pr->nmods)
			continue;
		const uint32_t *m = rt->modrefs.items + pr->mods;
		for (uint32_t i = 0; i < pr->nmods; i++) {
			uint32_t j;
			for (j = 0; j < i && m[j] != m[i]; j++)
				;
			if (j == i)
				csr_add(off, data, m[i], p);
		}
	}
}

static void fill_qual_top(struct sim *s, uint32_t *off, uint32_t *data)
{
	const struct runtime *rt = s->rt;
	for (uint32_t p = 0; p < rt->processes.n; p++) {
		const struct rt_process *pr = &rt->processes.items[p];
		if (pr->next == NEXT_QUALIFIED && pr->nframes)
			csr_add(off, data, rt->frames.items[pr->frames].module, p);
	}
}

static void fill_sup_children(struct sim *s, uint32_t *off, uint32_t *data)
{
	const struct runtime *rt = s->rt;
	for (uint32_t p = 0; p < rt->processes.n; p++)
		if (rt->processes.items[p].supervisor != RT_NONE)
			csr_add(off, data, (uint32_t)rt->processes.items[p].supervisor, p);
}

static void fill_sup_subs(struct sim *s, uint32_t *off, uint32_t *data)
{
	const struct runtime *rt = s->rt;
	for (uint32_t i = 0; i < rt->supervisors.n; i++)
		if (rt->supervisors.items[i].parent != RT_NONE)
			csr_add(off, data, (uint32_t)rt->supervisors.items[i].parent, i);
}

static void note_version(struct sim *s, struct sim_mod *m, int32_t v)
{
	if (v == RT_NONE || !s->vers.items[v].is_int)
		return;
	long long x = strtoll(s->vers.items[v].text, NULL, 10);
	if (x > m->maxint)
		m->maxint = x;
}

static void badfun_add(struct sim *s, uint32_t p);

static size_t runtime_texts(const struct sim *s, size_t *all);

struct sim *sim_new(const struct runtime *rt, const struct sim_options *opt)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	s->rt = rt;
	if (opt)
		s->opt = *opt;
	arena_init(&s->arena);
	strmap_init(&s->mod_index);
	strmap_init(&s->ver_index);
	for (size_t i = 0; i < rt->versions.n; i++)
		VEC_PUSH(&s->vers, rt->versions.items[i]);
	s->rt_nmods = rt->modules.n;
	size_t all;
	s->c_threads = runtime_texts(s, &all) > 0;
	for (size_t i = 0; i < rt->modules.n; i++) {
		struct sim_mod m = { rt->modules.items[i].name, rt->modules.items[i].cur,
				     rt->modules.items[i].old, 0, 0 };
		m.ever_loaded = m.cur != RT_NONE || m.old != RT_NONE;
		VEC_PUSH(&s->mods, m);
		note_version(s, &s->mods.items[i], m.cur);
		note_version(s, &s->mods.items[i], m.old);
	}
	size_t np = rt->processes.n;
	s->procs = xcalloc(np ? np : 1, sizeof(*s->procs));
	for (size_t p = 0; p < np; p++)
		s->procs[p].alive = 1;
	s->ver = xmalloc((rt->frames.n + 1) * sizeof(int32_t));
	for (size_t i = 0; i < rt->frames.n; i++)
		s->ver[i] = rt->frames.items[i].version;
	s->funver = xmalloc((rt->funs.n + 1) * sizeof(int32_t));
	for (size_t i = 0; i < rt->funs.n; i++) {
		const struct rt_frame *f = &rt->funs.items[i];
		const struct rt_module *rm = &rt->modules.items[f->module];
		s->funver[i] = f->version == rm->cur || f->version == rm->old ? f->version
									       : FUN_PURGED;
	}
	s->sups = xcalloc(rt->supervisors.n + 1, sizeof(*s->sups));
	for (size_t i = 0; i < rt->supervisors.n; i++)
		s->sups[i].alive = 1;
	csr_build(s, &s->frame_procs, rt->modules.n, fill_frame_procs);
	csr_build(s, &s->fun_procs, rt->modules.n, fill_fun_procs);
	csr_build(s, &s->sup_procs, rt->modules.n, fill_sup_procs);
	csr_build(s, &s->qual_top, rt->modules.n, fill_qual_top);
	csr_build(s, &s->sup_children, rt->supervisors.n, fill_sup_children);
	csr_build(s, &s->sup_subs, rt->supervisors.n, fill_sup_subs);
	/* Holders of funs purged before the upgrade call them at the first step. */
	for (uint32_t p = 0; p < np; p++) {
		const struct rt_process *pr = &rt->processes.items[p];
		for (uint32_t i = 0; i < pr->nfuns; i++) {
			if (s->funver[pr->funs + i] == FUN_PURGED) {
				badfun_add(s, p);
				break;
			}
		}
	}
	/* Qualified processes not yet in current code move at the first step. */
	for (uint32_t p = 0; p < np; p++) {
		const struct rt_process *pr = &rt->processes.items[p];
		if (pr->next == NEXT_QUALIFIED && pr->nframes &&
		    s->ver[pr->frames] != s->mods.items[rt->frames.items[pr->frames].module].cur) {
			s->procs[p].pending = 1;
			VEC_PUSH(&s->pending, p);
		}
	}
	for (size_t i = 0; i < rt->unpurged.n; i++) {
		struct sim_unpurged u = { (int32_t)rt->unpurged.items[i].module,
					  rt->unpurged.items[i].method };
		VEC_PUSH(&s->stored, u);
	}
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->results.n; i++) {
		free(s->results.items[i].reason);
		free(s->results.items[i].unpurged);
	}
	for (size_t i = 0; i < s->rt->supervisors.n; i++)
		VEC_RELEASE(&s->sups[i].restarts);
	csr_release(&s->frame_procs);
	csr_release(&s->fun_procs);
	csr_release(&s->sup_procs);
	csr_release(&s->qual_top);
	csr_release(&s->sup_children);
	csr_release(&s->sup_subs);
	free(s->procs);
	free(s->ver);
	free(s->funver);
	free(s->sups);
	VEC_RELEASE(&s->mods);
	VEC_RELEASE(&s->vers);
	VEC_RELEASE(&s->young);
	VEC_RELEASE(&s->pending);
	VEC_RELEASE(&s->badfuns);
	VEC_RELEASE(&s->victims);
	VEC_RELEASE(&s->susp);
	VEC_RELEASE(&s->stopped);
	VEC_RELEASE(&s->bins);
	VEC_RELEASE(&s->unpurged);
	VEC_RELEASE(&s->stored);
	VEC_RELEASE(&s->events);
	VEC_RELEASE(&s->results);
	strmap_release(&s->mod_index);
	strmap_release(&s->ver_index);
	arena_release(&s->arena);
	free(s);
}

/* ---- names ---------------------------------------------------------------- */

static int32_t find_module(const struct sim *s, const char *name)
{
	int32_t m = runtime_find_module(s->rt, name);
	if (m >= 0)
		return m;
	void *v;
	if (strmap_lookup(&s->mod_index, name, &v))
		return (int32_t)((uintptr_t)v - 1);
	return -1;
}

/* A module named by a script: added (no code) when the runtime lacks it. */
static int32_t script_module(struct sim *s, const char *name)
{
	int32_t m = find_module(s, name);
	if (m >= 0)
		return m;
	struct sim_mod sm = { arena_strdup(&s->arena, name), RT_NONE, RT_NONE, 0, 0 };
	VEC_PUSH(&s->mods, sm);
	m = (int32_t)(s->mods.n - 1);
	strmap_put(&s->mod_index, sm.name, (void *)(uintptr_t)(m + 1));
	return m;
}

static int32_t sim_version(struct sim *s, int is_int, const char *text)
{
	char key[128];
	snprintf(key, sizeof(key), "%c%s", is_int ? 'i' : 's', text);
	void *v;
	if (strmap_lookup(&s->rt->version_index, key, &v))
		return (int32_t)((uintptr_t)v - 1);
	if (strmap_lookup(&s->ver_index, key, &v))
		return (int32_t)((uintptr_t)v - 1);
	char *k = arena_strdup(&s->arena, key);
	struct rt_version ver = { k + 1, is_int };
	VEC_PUSH(&s->vers, ver);
	strmap_put(&s->ver_index, k, (void *)(uintptr_t)s->vers.n);
	return (int32_t)(s->vers.n - 1);
}

/* How many of the runtime's versions are texts, against how many there
 * are. A C program on libhotrt names its M.Vsn.so versions by the
 * application's Vsn (text); its executable's own modules may keep integers
 * (snapshot --vsn 1); an Erlang runtime numbers every version. */
static size_t runtime_texts(const struct sim *s, size_t *all)
{
	size_t n = 0;
	for (size_t i = 0; i < s->rt->versions.n; i++)
		n += !s->rt->versions.items[i].is_int;
	*all = s->rt->versions.n;
	return n;
}

/* The version a load_object_code reads for M: the next integer when M's
 * versions are integers (or M is new), else the application's Vsn. A
 * module new to a runtime that names versions by text takes the
 * application's Vsn as well (C-forced, docs/semantics.md §5.5). */
static int32_t next_version(struct sim *s, int32_t m, const char *app_vsn)
{
	struct sim_mod *sm = &s->mods.items[m];
	int ints = (sm->cur == RT_NONE || s->vers.items[sm->cur].is_int) &&
		   (sm->old == RT_NONE || s->vers.items[sm->old].is_int);
	size_t all, texts = runtime_texts(s, &all);
	if (sm->cur == RT_NONE && sm->old == RT_NONE && all && texts == all)
		ints = 0;
	if (ints || !app_vsn) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", sm->maxint + 1);
		return sim_version(s, 1, buf);
	}
	int32_t v = sim_version(s, 0, app_vsn);
	if (v == sm->cur || v == sm->old) {
		char *t = arena_printf(&s->arena, "%s+", app_vsn);
		v = sim_version(s, 0, t);
	}
	return v;
}

const char *sim_module_name(const struct sim *s, int32_t m)
{
	return m >= 0 && (size_t)m < s->mods.n ? s->mods.items[m].name : "?";
}

const char *sim_version_text(const struct sim *s, int32_t v, int *is_int)
{
	if (v < 0 || (size_t)v >= s->vers.n) {
		if (is_int)
			*is_int = 0;
		return NULL;
	}
	if (is_int)
		*is_int = s->vers.items[v].is_int;
	return s->vers.items[v].text;
}

size_t sim_module_count(const struct sim *s)
{
	return s->mods.n;
}

void sim_module_versions(const struct sim *s, int32_t m, int32_t *cur, int32_t *old)
{
	*cur = s->mods.items[m].cur;
	*old = s->mods.items[m].old;
}

const struct runtime *sim_runtime(const struct sim *s)
{
	return s->rt;
}

/* ---- events --------------------------------------------------------------- */

static struct sim_event *emit(struct sim *s, enum sim_event_kind k, enum sim_reason r,
			      int32_t proc, int32_t sup, int32_t module)
{
	struct sim_event e;
	memset(&e, 0, sizeof(e));
	e.kind = k;
	e.reason = r;
	e.script = s->cur_script;
	e.instr = s->cur_instr;
	e.proc = proc;
	e.sup = sup;
	e.module = module;
	e.version = RT_NONE;
	e.alt_version = RT_NONE;
	e.in_step = s->in_step;
	e.permanent = s->in_permanent;
	e.via = s->via;
	VEC_PUSH(&s->events, e);
	return &s->events.items[s->events.n - 1];
}

/* ---- processes and supervisors -------------------------------------------- */

static const struct rt_process *rproc(const struct sim *s, uint32_t p)
{
	return &s->rt->processes.items[p];
}

static int runs_old(const struct sim *s, uint32_t p, int32_t m)
{
	int32_t o = s->mods.items[m].old;
	if (o == RT_NONE)
		return 0;
	const struct rt_process *pr = rproc(s, p);
	if (!pr->nframes)
		return 0;
	const struct rt_frame *f = s->rt->frames.items + pr->frames;
	const int32_t *v = s->ver + pr->frames;
	for (uint32_t i = s->procs[p].suspended ? 1 : 0; i < pr->nframes; i++)
		if ((int32_t)f[i].module == m && v[i] == o)
			return 1;
	return 0;
}

static int fun_dead(const struct sim *s, int32_t m, int32_t v)
{
	const struct sim_mod *sm = &s->mods.items[m];
	return v != sm->cur && v != sm->old;
}

/* The module of a dead fun the process holds, or -1. */
static int32_t dead_fun(const struct sim *s, uint32_t p)
{
	const struct rt_process *pr = rproc(s, p);
	for (uint32_t i = 0; i < pr->nfuns; i++) {
		int32_t m = (int32_t)s->rt->funs.items[pr->funs + i].module;
		if (fun_dead(s, m, s->funver[pr->funs + i]))
			return m;
	}
	return -1;
}

static void pending_add(struct sim *s, uint32_t p)
{
	if (!s->procs[p].pending) {
		s->procs[p].pending = 1;
		VEC_PUSH(&s->pending, p);
	}
}

static void badfun_add(struct sim *s, uint32_t p)
{
	if (!s->procs[p].badfun) {
		s->procs[p].badfun = 1;
		VEC_PUSH(&s->badfuns, p);
	}
}

static void node_down(struct sim *s)
{
	if (s->node_down)
		return;
	s->node_down = 1;
	emit(s, SIM_EV_NODE_DOWN, SIM_R_NONE, -1, -1, -1);
	for (size_t p = 0; p < s->rt->processes.n; p++)
		s->procs[p].alive = 0;
	for (size_t i = 0; i < s->rt->supervisors.n; i++)
		s->sups[i].alive = 0;
}

static void sup_shutdown(struct sim *s, int32_t sup, enum sim_reason why);

/* Counts a restart in sup's window; 0 when it exceeds the intensity.
 * The clock never goes back, so the window only loses entries at its
 * front: amortized O(1). */
static int count_restart(struct sim *s, int32_t sup)
{
	const struct rt_supervisor *rs = &s->rt->supervisors.items[sup];
	struct sim_sup *ss = &s->sups[sup];
	int64_t from = s->clock - (int64_t)rs->period * 1000;
	while (ss->head < ss->restarts.n && ss->restarts.items[ss->head] <= from)
		ss->head++;
	if (ss->head > 1024 && ss->head * 2 > ss->restarts.n) {
		memmove(ss->restarts.items, ss->restarts.items + ss->head,
			(ss->restarts.n - ss->head) * sizeof(int64_t));
		ss->restarts.n -= ss->head;
		ss->head = 0;
	}
	VEC_PUSH(&ss->restarts, s->clock);
	return ss->restarts.n - ss->head <= rs->intensity;
}

/*
 * Starts process p again (new pid) in the versions current now. Inside a
 * load's pre-purge, restarts of the module being loaded race with the load.
 * Returns 0, or -1 when a frame's module has no current code (undef).
 */
static int start_proc(struct sim *s, uint32_t p, enum sim_event_kind kind)
{
	const struct rt_process *pr = rproc(s, p);
	struct sim_proc *sp = &s->procs[p];
	int32_t version = RT_NONE, alt = RT_NONE;
	int race = 0;
	/* SEMANTICS.md §4.7 saw the first restart win (previous version) for
	 * gen_servers; the conformance suite sees plain and proc_lib workers
	 * come back in the new version. Every restart inside a load's purge is
	 * therefore reported as a race: the primary run follows SEMANTICS.md,
	 * the alternative starts it in the new version. */
	int raced = s->load.active;
	s->load.restarts++;
	sp->inc++;
	for (uint32_t i = 0; i < pr->nframes; i++) {
		int32_t m = (int32_t)s->rt->frames.items[pr->frames + i].module;
		int32_t v = s->mods.items[m].cur;
		if (v == RT_NONE) {
			sp->alive = 0;
			emit(s, SIM_EV_KILLED, SIM_R_UNDEF, (int32_t)p, -1, m);
			s->killed++;
			return -1;
		}
		if (raced && m == s->load.module) {
			race = 1;
			if (s->opt.race_new) {
				alt = v;
				v = s->load.newv;
			} else {
				alt = s->load.newv;
			}
		}
		s->ver[pr->frames + i] = v;
		if (i + 1 == pr->nframes) {
			version = v;
			if (!(race && m == s->load.module))
				alt = RT_NONE;
		}
	}
	for (uint32_t i = 0; i < pr->nfuns; i++) {
		int32_t m = (int32_t)s->rt->funs.items[pr->funs + i].module;
		s->funver[pr->funs + i] = s->mods.items[m].cur;
	}
	sp->alive = 1;
	sp->suspended = 0;
	sp->stopped = 0;
	if (race)
		s->race = 1;
	if (s->c_threads && pr->nframes > 1) {
		struct young_proc y = { p, sp->inc, s->tick };
		VEC_PUSH(&s->young, y);
	}
	struct sim_event *e = emit(s, kind, SIM_R_NONE, (int32_t)p, pr->supervisor, -1);
	e->version = version;
	e->alt_version = race ? alt : RT_NONE;
	if (pr->nframes)
		e->module = (int32_t)s->rt->frames.items[pr->frames + pr->nframes - 1].module;
	return 0;
}

/* Supervisor sup restarts child p after it died, within its intensity. */
static void child_died(struct sim *s, uint32_t p, enum sim_reason why)
{
	const struct rt_process *pr = rproc(s, p);
	int32_t sup = pr->supervisor;
	if (sup == RT_NONE || !s->sups[sup].alive || s->node_down)
		return;
	if (pr->restart == RT_TEMPORARY || (pr->restart == RT_TRANSIENT && why == SIM_R_SHUTDOWN))
		return;
	for (;;) {
		if (!count_restart(s, sup)) {
			sup_shutdown(s, sup, SIM_R_INTENSITY);
			return;
		}
		if (start_proc(s, p, SIM_EV_RESTARTED) == 0)
			break;
	}
	if (pr->next == NEXT_QUALIFIED)
		pending_add(s, p);
}

static void kill_proc(struct sim *s, uint32_t p, enum sim_reason why, int32_t module)
{
	struct sim_proc *sp = &s->procs[p];
	if (!sp->alive)
		return;
	sp->alive = 0;
	sp->suspended = 0;
	emit(s, SIM_EV_KILLED, why, (int32_t)p, rproc(s, p)->supervisor, module);
	s->killed++;
	child_died(s, p, why);
}

static void sup_start(struct sim *s, int32_t sup)
{
	const struct csr *c = &s->sup_children, *cs = &s->sup_subs;
	s->sups[sup].alive = 1;
	s->sups[sup].restarts.n = 0;
	s->sups[sup].head = 0;
	for (uint32_t i = c->off[sup]; i < c->off[sup + 1]; i++) {
		uint32_t p = c->data[i];
		if (start_proc(s, p, SIM_EV_RESTARTED) < 0) {
			sup_shutdown(s, sup, SIM_R_INTENSITY);
			return;
		}
		if (rproc(s, p)->next == NEXT_QUALIFIED)
			pending_add(s, p);
	}
	for (uint32_t i = cs->off[sup]; i < cs->off[sup + 1]; i++) {
		int32_t sub = (int32_t)cs->data[i];
		emit(s, SIM_EV_SUP_RESTARTED, SIM_R_NONE, -1, sub, -1);
		sup_start(s, sub);
		if (!s->sups[sup].alive)
			return;
	}
}

/* Terminates sup's children (shutdown) and sup; escalates to its parent. */
static void sup_terminate(struct sim *s, int32_t sup)
{
	const struct csr *c = &s->sup_children, *cs = &s->sup_subs;
	s->sups[sup].alive = 0;
	for (uint32_t i = cs->off[sup]; i < cs->off[sup + 1]; i++) {
		int32_t sub = (int32_t)cs->data[i];
		if (s->sups[sub].alive) {
			emit(s, SIM_EV_SUP_DOWN, SIM_R_SHUTDOWN, -1, sub, -1);
			sup_terminate(s, sub);
		}
	}
	for (uint32_t i = c->off[sup]; i < c->off[sup + 1]; i++) {
		uint32_t p = c->data[i];
		if (s->procs[p].alive) {
			s->procs[p].alive = 0;
			s->procs[p].suspended = 0;
			emit(s, SIM_EV_KILLED, SIM_R_SHUTDOWN, (int32_t)p, sup, -1);
			s->killed++;
		}
	}
}

static void sup_shutdown(struct sim *s, int32_t sup, enum sim_reason why)
{
	if (!s->sups[sup].alive)
		return;
	emit(s, SIM_EV_SUP_DOWN, why, -1, sup, -1);
	sup_terminate(s, sup);
	const struct rt_supervisor *rs = &s->rt->supervisors.items[sup];
	if (rs->parent != RT_NONE) {
		int32_t parent = rs->parent;
		if (!s->sups[parent].alive)
			return;
		if (!count_restart(s, parent)) {
			sup_shutdown(s, parent, SIM_R_INTENSITY);
			return;
		}
		emit(s, SIM_EV_SUP_RESTARTED, SIM_R_NONE, -1, sup, -1);
		sup_start(s, sup);
		return;
	}
	emit(s, SIM_EV_APP_DOWN, SIM_R_NONE, -1, sup, -1);
	if (rs->app_type != RT_APP_TEMPORARY)
		node_down(s);
}

/* ---- code ------------------------------------------------------------------ */

static void funs_died(struct sim *s, int32_t m)
{
	if ((size_t)m >= s->rt_nmods)
		return;
	const struct csr *c = &s->fun_procs;
	for (uint32_t i = c->off[m]; i < c->off[m + 1]; i++) {
		uint32_t p = c->data[i];
		if (s->procs[p].alive && dead_fun(s, p) >= 0)
			badfun_add(s, p);
	}
}

/* One purge killed several children; the supervisor receives their exits
 * in an order the VM does not fix. When it gave up during this purge, the
 * child it restarted before giving up could have been another one: flag
 * those restarts. */
static void mark_order_races(struct sim *s, size_t first)
{
	for (size_t i = first; i < s->events.n; i++) {
		const struct sim_event *d = &s->events.items[i];
		if (d->kind != SIM_EV_SUP_DOWN || d->reason != SIM_R_INTENSITY)
			continue;
		for (size_t j = first; j < i; j++) {
			struct sim_event *r = &s->events.items[j];
			if (r->kind == SIM_EV_RESTARTED && r->sup == d->sup) {
				r->order_race = 1;
				s->order_race = 1;
			}
		}
	}
}

/* code:purge(M): kills processes in old code; returns how many. */
static size_t purge(struct sim *s, int32_t m)
{
	struct sim_mod *sm = &s->mods.items[m];
	if (sm->old == RT_NONE)
		return 0;
	size_t n = 0;
	if ((size_t)m < s->rt_nmods) {
		const struct csr *c = &s->frame_procs;
		s->victims.n = 0;
		for (uint32_t i = c->off[m]; i < c->off[m + 1]; i++) {
			uint32_t p = c->data[i];
			if (s->procs[p].alive && runs_old(s, p, m))
				VEC_PUSH(&s->victims, p);
		}
		n = s->victims.n;
		/* kill_proc may restart and re-enter purge bookkeeping: copy. */
		uint32_t *v = n ? arena_memdup(&s->arena, s->victims.items, n * sizeof(uint32_t)) : NULL;
		size_t first = s->events.n;
		for (size_t i = 0; i < n; i++)
			kill_proc(s, v[i], SIM_R_KILLED, m);
		if (n > 1)
			mark_order_races(s, first);
	}
	s->mods.items[m].old = RT_NONE;
	funs_died(s, m);
	return n;
}

/* Whether a live process runs old code of M. */
static int old_in_use(const struct sim *s, int32_t m)
{
	if (s->mods.items[m].old == RT_NONE || (size_t)m >= s->rt_nmods)
		return 0;
	const struct csr *c = &s->frame_procs;
	for (uint32_t i = c->off[m]; i < c->off[m + 1]; i++) {
		uint32_t p = c->data[i];
		if (s->procs[p].alive && runs_old(s, p, m))
			return 1;
	}
	return 0;
}

/* code:soft_purge(M). */
static int soft_purge(struct sim *s, int32_t m)
{
	if (s->mods.items[m].old == RT_NONE)
		return 1;
	if (old_in_use(s, m))
		return 0;
	s->mods.items[m].old = RT_NONE;
	funs_died(s, m);
	return 1;
}

static void moved_current(struct sim *s, int32_t m)
{
	if ((size_t)m >= s->rt_nmods)
		return;
	const struct csr *c = &s->qual_top;
	for (uint32_t i = c->off[m]; i < c->off[m + 1]; i++)
		if (s->procs[c->data[i]].alive)
			pending_add(s, c->data[i]);
}

/* code:load_binary(M, _, Bin): purge first when M has current code. */
static void load_binary(struct sim *s, int32_t m, int32_t newv)
{
	if (s->mods.items[m].cur != RT_NONE) {
		s->load.active = 1;
		s->load.module = m;
		s->load.newv = newv;
		s->load.restarts = 0;
		purge(s, m);
		s->load.active = 0;
		s->mods.items[m].old = s->mods.items[m].cur;
	}
	s->mods.items[m].cur = newv;
	s->mods.items[m].ever_loaded = 1;
	note_version(s, &s->mods.items[m], newv);
	moved_current(s, m);
}

/* code:delete(M). */
static int delete_module(struct sim *s, int32_t m)
{
	struct sim_mod *sm = &s->mods.items[m];
	if (sm->old != RT_NONE || !sm->ever_loaded)
		return 0;
	sm->old = sm->cur;
	sm->cur = RT_NONE;
	moved_current(s, m);  /* qualified processes will call it: undef */
	return 1;
}

/*
 * C timing, 1 of 2 (docs/semantics.md 5.1): a thread of a C program keeps
 * running while the installer works, so a qualified loop in M, not
 * suspended, may take its step between the load of M and the load's own
 * soft purge (libhotrt samples the stacks with the lock released). The
 * model says it has not; when its step would change what the soft purge
 * finds, the primary run reports a step race and the alternative
 * (race_steps) lets it step first.
 */
static void early_steps(struct sim *s, int32_t m)
{
	if (!s->c_threads || (size_t)m >= s->rt_nmods || s->mods.items[m].old == RT_NONE)
		return;
	const struct csr *c = &s->qual_top;
	int32_t old = s->mods.items[m].old, cur = s->mods.items[m].cur;
	VEC(uint32_t) movers = {0};
	for (uint32_t i = c->off[m]; i < c->off[m + 1]; i++) {
		uint32_t p = c->data[i];
		const struct rt_process *pr = rproc(s, p);
		if (s->procs[p].alive && !s->procs[p].suspended && s->ver[pr->frames] == old)
			VEC_PUSH(&movers, p);
	}
	if (movers.n && old_in_use(s, m)) {
		for (size_t i = 0; i < movers.n; i++)
			s->ver[rproc(s, movers.items[i])->frames] = cur;
		int differs = !old_in_use(s, m);
		for (size_t i = 0; i < movers.n && !s->opt.race_steps; i++)
			s->ver[rproc(s, movers.items[i])->frames] = old;
		for (size_t i = 0; i < movers.n && differs; i++) {
			emit(s, SIM_EV_STEP_RACE, SIM_R_NONE, (int32_t)movers.items[i], -1, m);
			s->step_races++;
		}
	}
	VEC_RELEASE(&movers);
}

/*
 * C timing, 2 of 2: a restarted thread reaches another module only when it
 * calls it, bound to that module's version current then; the model binds
 * every frame at the restart. A load of such a module by the instruction
 * right after the restart races with that first call: the primary run
 * keeps the frame in the version of the restart (now old) and reports a
 * step race, the alternative binds it to the version just loaded. Called
 * once M's new version is current, before the soft purge.
 */
static void young_calls(struct sim *s, int32_t m, int32_t prev)
{
	if (!s->c_threads || (size_t)m >= s->rt_nmods || prev == RT_NONE)
		return;
	for (size_t k = 0; k < s->young.n; k++) {
		struct young_proc y = s->young.items[k];
		const struct rt_process *pr = rproc(s, y.proc);
		/* restarted by the previous instruction (a restart by this
		 * load's own purge is the restart race of start_proc) */
		if (y.tick + 1 != s->tick || !s->procs[y.proc].alive ||
		    s->procs[y.proc].inc != y.inc || s->procs[y.proc].suspended)
			continue;
		uint32_t entry = s->rt->frames.items[pr->frames + pr->nframes - 1].module;
		int raced = 0;
		for (uint32_t i = 0; i + 1 < pr->nframes; i++) {
			const struct rt_frame *f = &s->rt->frames.items[pr->frames + i];
			if ((int32_t)f->module != m || f->module == entry || s->ver[pr->frames + i] != prev)
				continue;
			raced = 1;
			if (s->opt.race_steps)
				s->ver[pr->frames + i] = s->mods.items[m].cur;
		}
		if (raced) {
			emit(s, SIM_EV_STEP_RACE, SIM_R_NONE, (int32_t)y.proc, -1, m);
			s->step_races++;
		}
	}
}

/* Drops the young processes restarted before the previous instruction. */
static void young_prune(struct sim *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->young.n; i++)
		if (s->young.items[i].tick + 1 >= s->tick)
			s->young.items[k++] = s->young.items[i];
	s->young.n = k;
}

static void do_soft_purge(struct sim *s, int32_t m, enum purge_method post)
{
	size_t i;
	for (i = 0; i < s->unpurged.n && s->unpurged.items[i].module != m; i++)
		;
	if (soft_purge(s, m)) {
		if (i < s->unpurged.n) {
			memmove(s->unpurged.items + i, s->unpurged.items + i + 1,
				(s->unpurged.n - i - 1) * sizeof(*s->unpurged.items));
			s->unpurged.n--;
		}
	} else if (i == s->unpurged.n) {
		/* prepended, as release_handler_1 does */
		struct sim_unpurged u = { m, post };
		VEC_PUSH(&s->unpurged, u);
		memmove(s->unpurged.items + 1, s->unpurged.items,
			(s->unpurged.n - 1) * sizeof(*s->unpurged.items));
		s->unpurged.items[0] = u;
	}
}

/* ---- the step between instructions ---------------------------------------- */

static void step(struct sim *s)
{
	if (s->node_down)
		return;
	s->in_step = 1;
	VEC(uint32_t) work = {0};
	/* Qualified processes move their top frame to the current version. */
	work.items = s->pending.items;
	work.n = s->pending.n;
	work.alloc = s->pending.alloc;
	memset(&s->pending, 0, sizeof(s->pending));
	for (size_t i = 0; i < work.n; i++) {
		uint32_t p = work.items[i];
		const struct rt_process *pr = rproc(s, p);
		s->procs[p].pending = 0;
		if (!s->procs[p].alive)
			continue;
		if (s->procs[p].suspended) {
			pending_add(s, p);
			continue;
		}
		int32_t m = (int32_t)s->rt->frames.items[pr->frames].module;
		if (s->mods.items[m].cur == RT_NONE)
			kill_proc(s, p, SIM_R_UNDEF, m);
		else
			s->ver[pr->frames] = s->mods.items[m].cur;
	}
	VEC_RELEASE(&work);
	/* Holders of dead funs call them, unless they are blocked. */
	work.items = s->badfuns.items;
	work.n = s->badfuns.n;
	work.alloc = s->badfuns.alloc;
	memset(&s->badfuns, 0, sizeof(s->badfuns));
	for (size_t i = 0; i < work.n; i++) {
		uint32_t p = work.items[i];
		s->procs[p].badfun = 0;
		if (!s->procs[p].alive || rproc(s, p)->next == NEXT_BLOCKED)
			continue;
		if (s->procs[p].suspended) {
			badfun_add(s, p);
			continue;
		}
		int32_t m = dead_fun(s, p);
		if (m >= 0)
			kill_proc(s, p, SIM_R_BADFUN, m);
	}
	VEC_RELEASE(&work);
	s->in_step = 0;
}

/* ---- results --------------------------------------------------------------- */

static void add_atom(struct strbuf *sb, const char *a)
{
	term_write_atom(sb, a);
}

static void unpurged_text(struct sim *s, struct strbuf *sb, const struct sim_unpurged *u, size_t n)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(sb, ',');
		sb_addc(sb, '{');
		add_atom(sb, sim_module_name(s, u[i].module));
		sb_addf(sb, ",%s}", purge_method_name(u[i].method));
	}
	sb_addc(sb, ']');
}

static void finish_result(struct sim *s, struct sim_result *r, enum sim_result_kind k,
			  struct strbuf *reason)
{
	r->kind = k;
	r->reason = reason ? sb_detach(reason, NULL) : NULL;
}

/* ---- evaluation ------------------------------------------------------------ */

enum eval_rc { EV_OK, EV_THROW, EV_ERROR, EV_EXIT, EV_HANG };

/* The outcome of one instruction that failed: class and value text. */
struct failure {
	enum eval_rc cls;
	struct strbuf value;
};

static struct bin_entry *find_bin(struct sim *s, int32_t m)
{
	for (size_t i = 0; i < s->bins.n; i++)
		if (s->bins.items[i].module == m)
			return &s->bins.items[i];
	return NULL;
}

static int eval(struct sim *s, const struct instr *in, struct failure *f)
{
	int32_t m;
	switch (in->op) {
	/*
	 * Opcode: load_object_code {App, Vsn, Mods}
	 * Remembers the new version of each module; loads nothing.
	 */
	case INSTR_LOAD_OBJECT_CODE:
		assert(in->app && in->vsn);
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++) {
			m = script_module(s, in->mods[i].name);
			struct bin_entry *b = find_bin(s, m);
			int32_t v = next_version(s, m, in->vsn);
			if (b) {
				b->newv = v;
			} else {
				struct bin_entry e = { m, v };
				VEC_PUSH(&s->bins, e);
			}
		}
		return EV_OK;
	/*
	 * Opcode: point_of_no_return
	 * Code paths switch to the new release; no process is touched.
	 */
	case INSTR_POINT_OF_NO_RETURN:
		assert(in->nmods == 0);
		return EV_OK;
	/*
	 * Opcode: load {M, Pre, Post}
	 * Purges M's old code (killing), old := current, current := new, then
	 * soft-purges and records {M, Post} in Unpurged if that fails.
	 */
	case INSTR_LOAD: {
		assert(in->nmods == 1 && in->mods[0].name);
		assert(in->pre != PURGE_AUTO && in->post != PURGE_AUTO);
		m = script_module(s, in->mods[0].name);
		struct bin_entry *b = find_bin(s, m);
		if (!b) {
			f->cls = EV_ERROR;
			sb_adds(&f->value, "{badmatch,false}");
			return EV_ERROR;
		}
		int32_t v = b->newv, prev = s->mods.items[m].cur;
		*b = s->bins.items[--s->bins.n];
		load_binary(s, m, v);
		young_calls(s, m, prev);
		early_steps(s, m);
		do_soft_purge(s, m, in->post);
		return EV_OK;
	}
	/*
	 * Opcode: remove {M, Pre, Post}
	 * Purges M's old code (killing), deletes M (current becomes old), then
	 * the soft purge and Unpurged as for load.
	 */
	case INSTR_REMOVE:
		assert(in->nmods == 1 && in->mods[0].name);
		assert(in->pre != PURGE_AUTO && in->post != PURGE_AUTO);
		m = script_module(s, in->mods[0].name);
		purge(s, m);
		delete_module(s, m);
		do_soft_purge(s, m, in->post);
		return EV_OK;
	/*
	 * Opcode: purge [M]
	 * Purges each module's old code, killing the processes still in it.
	 */
	case INSTR_PURGE:
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++)
			purge(s, script_module(s, in->mods[i].name));
		return EV_OK;
	/*
	 * Opcode: suspend [M | {M, Timeout}]
	 * Suspends the live supervised children whose Modules name M; one that
	 * does not answer costs the timeout plus the resume attempt and is
	 * dropped (keeps running, not code-changed, not resumed).
	 */
	case INSTR_SUSPEND:
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++) {
			m = script_module(s, in->mods[i].name);
			assert(in->mods[i].timeout >= 0 || in->mods[i].timeout == INSTR_TIMEOUT_DEFAULT ||
			       in->mods[i].timeout == INSTR_TIMEOUT_INFINITY);
			long tmo = s->rt->suspend_timeout >= 0 ? s->rt->suspend_timeout : in->mods[i].timeout;
			if (tmo == INSTR_TIMEOUT_DEFAULT)
				tmo = RT_DEFAULT_SUSPEND_TIMEOUT;
			if ((size_t)m >= s->rt_nmods)
				continue;
			const struct csr *c = &s->sup_procs;
			for (uint32_t k = c->off[m]; k < c->off[m + 1]; k++) {
				uint32_t p = c->data[k];
				const struct rt_process *pr = rproc(s, p);
				if (!s->procs[p].alive || !s->sups[pr->supervisor].alive)
					continue;
				if (pr->sys) {
					s->procs[p].suspended = 1;
					struct susp_entry e = { m, p, s->procs[p].inc };
					VEC_PUSH(&s->susp, e);
					emit(s, SIM_EV_SUSPENDED, SIM_R_NONE, (int32_t)p, pr->supervisor, m);
				} else {
					if (tmo == INSTR_TIMEOUT_INFINITY) {
						emit(s, SIM_EV_DROPPED, SIM_R_NONE, (int32_t)p, pr->supervisor, m);
						return EV_HANG;
					}
					s->clock += tmo + RESUME_ATTEMPT_MS;
					emit(s, SIM_EV_DROPPED, SIM_R_NONE, (int32_t)p, pr->supervisor, m);
				}
			}
		}
		return EV_OK;
	/*
	 * Opcode: resume [M]
	 * Resumes the processes the suspends of M recorded; each continues in
	 * the current version of its top frame's module.
	 */
	case INSTR_RESUME:
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++) {
			m = find_module(s, in->mods[i].name);
			size_t k = 0;
			for (size_t j = 0; j < s->susp.n; j++) {
				struct susp_entry e = s->susp.items[j];
				if (e.module != m) {
					s->susp.items[k++] = e;
					continue;
				}
				struct sim_proc *sp = &s->procs[e.proc];
				if (!sp->alive || sp->inc != e.inc || !sp->suspended)
					continue;
				sp->suspended = 0;
				const struct rt_process *pr = rproc(s, e.proc);
				if (pr->nframes) {
					int32_t tm = (int32_t)s->rt->frames.items[pr->frames].module;
					if (s->mods.items[tm].cur != RT_NONE)
						s->ver[pr->frames] = s->mods.items[tm].cur;
				}
				if (dead_fun(s, e.proc) >= 0)
					badfun_add(s, e.proc);
				emit(s, SIM_EV_RESUMED, SIM_R_NONE, (int32_t)e.proc, pr->supervisor, m);
			}
			s->susp.n = k;
		}
		return EV_OK;
	/*
	 * Opcode: code_change [{M, Extra}] (up or down)
	 * Transforms the state of the processes suspended for M in this
	 * script; modules never suspended are skipped silently.
	 */
	case INSTR_CODE_CHANGE:
		assert(in->mode == CC_UP || in->mode == CC_DOWN);
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++) {
			m = find_module(s, in->mods[i].name);
			for (size_t j = 0; j < s->susp.n; j++) {
				struct susp_entry e = s->susp.items[j];
				if (e.module != m || !s->procs[e.proc].alive || s->procs[e.proc].inc != e.inc)
					continue;
				emit(s, SIM_EV_CODE_CHANGE, SIM_R_NONE, (int32_t)e.proc,
				     rproc(s, e.proc)->supervisor, m);
			}
		}
		return EV_OK;
	/*
	 * Opcode: stop [M]
	 * Terminates (shutdown, no restart) the supervised children whose
	 * Modules name M, and remembers them for start.
	 */
	case INSTR_STOP:
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++) {
			m = script_module(s, in->mods[i].name);
			if ((size_t)m >= s->rt_nmods)
				continue;
			const struct csr *c = &s->sup_procs;
			for (uint32_t k = c->off[m]; k < c->off[m + 1]; k++) {
				uint32_t p = c->data[k];
				const struct rt_process *pr = rproc(s, p);
				if (!s->procs[p].alive || !s->sups[pr->supervisor].alive)
					continue;
				s->procs[p].alive = 0;
				s->procs[p].suspended = 0;
				s->procs[p].stopped = 1;
				struct susp_entry e = { m, p, s->procs[p].inc };
				VEC_PUSH(&s->stopped, e);
				emit(s, SIM_EV_STOPPED, SIM_R_SHUTDOWN, (int32_t)p, pr->supervisor, m);
			}
		}
		return EV_OK;
	/*
	 * Opcode: start [M]
	 * Restarts what stop recorded for M, in the current versions.
	 */
	case INSTR_START:
		assert(in->nmods == 0 || in->mods);
		for (size_t i = 0; i < in->nmods; i++) {
			m = find_module(s, in->mods[i].name);
			size_t k = 0;
			for (size_t j = 0; j < s->stopped.n; j++) {
				struct susp_entry e = s->stopped.items[j];
				if (e.module != m) {
					s->stopped.items[k++] = e;
					continue;
				}
				const struct rt_process *pr = rproc(s, e.proc);
				if (s->procs[e.proc].alive || !s->procs[e.proc].stopped ||
				    !s->sups[pr->supervisor].alive)
					continue;
				if (start_proc(s, e.proc, SIM_EV_STARTED) == 0 &&
				    pr->next == NEXT_QUALIFIED)
					pending_add(s, e.proc);
			}
			s->stopped.n = k;
		}
		return EV_OK;
	/*
	 * Opcode: sync_nodes Id Nodes
	 * A barrier with the other nodes; the model has one node: it passes.
	 */
	case INSTR_SYNC_NODES:
		return EV_OK;
	/*
	 * Opcode: apply {M, F, A}
	 * erlang:error/exit/throw fail with their argument; a module of the
	 * model that has no current code fails with undef; anything else
	 * succeeds without touching the model.
	 */
	case INSTR_APPLY:
		assert(in->m && in->f && in->args);
		if (!strcmp(in->m, "erlang") && term_list_len(in->args) == 1 &&
		    in->args->type == TERM_LIST &&
		    (!strcmp(in->f, "error") || !strcmp(in->f, "exit") || !strcmp(in->f, "throw"))) {
			term_write(&f->value, term_elem(in->args, 0));
			f->cls = !strcmp(in->f, "error") ? EV_ERROR : !strcmp(in->f, "exit") ? EV_EXIT : EV_THROW;
			return f->cls;
		}
		m = find_module(s, in->m);
		if (m >= 0 && s->mods.items[m].cur == RT_NONE) {
			f->cls = EV_ERROR;
			sb_adds(&f->value, "undef");
			return EV_ERROR;
		}
		return EV_OK;
	/*
	 * Opcode: restart_emulator
	 * Thrown: eval returns restart_emulator (before point_of_no_return it
	 * is caught as an error).
	 */
	case INSTR_RESTART_EMULATOR:
		assert(in->nmods == 0);
		f->cls = EV_THROW;
		sb_adds(&f->value, "restart_emulator");
		return EV_THROW;
	/*
	 * Opcode: restart_new_emulator
	 * Handled by install_release before eval when it comes first;
	 * anywhere else eval throws it.
	 */
	case INSTR_RESTART_NEW_EMULATOR:
		assert(in->nmods == 0);
		f->cls = EV_THROW;
		sb_adds(&f->value, "restart_new_emulator");
		return EV_THROW;
	case INSTR__COUNT:
		break;
	}
	assert(!"an instruction the decoder cannot yield");
	return EV_OK;
}

/* Every process restarts in current code (a node restart that is part of
 * the plan); old code is gone. */
static void node_reboot(struct sim *s)
{
	emit(s, SIM_EV_NODE_RESTART, SIM_R_NONE, -1, -1, -1);
	for (size_t m = 0; m < s->mods.n; m++)
		s->mods.items[m].old = RT_NONE;
	for (size_t i = 0; i < s->rt->supervisors.n; i++) {
		s->sups[i].alive = 1;
		s->sups[i].restarts.n = 0;
		s->sups[i].head = 0;
	}
	for (uint32_t p = 0; p < s->rt->processes.n; p++) {
		const struct rt_process *pr = rproc(s, p);
		s->procs[p].inc++;
		s->procs[p].alive = 1;
		s->procs[p].suspended = s->procs[p].stopped = 0;
		for (uint32_t i = 0; i < pr->nframes; i++) {
			int32_t m = (int32_t)s->rt->frames.items[pr->frames + i].module;
			if (s->mods.items[m].cur != RT_NONE)
				s->ver[pr->frames + i] = s->mods.items[m].cur;
		}
		for (uint32_t i = 0; i < pr->nfuns; i++) {
			int32_t m = (int32_t)s->rt->funs.items[pr->funs + i].module;
			s->funver[pr->funs + i] = s->mods.items[m].cur;
		}
	}
}

static int pre_check(struct sim *s, const struct script *sc, int32_t *bad)
{
	for (size_t i = 0; i < sc->n; i++) {
		const struct instr *in = &sc->instrs[i];
		if ((in->op != INSTR_LOAD && in->op != INSTR_REMOVE) || in->pre != PURGE_SOFT)
			continue;
		int32_t m = find_module(s, in->mods[0].name);
		if (m < 0 || (size_t)m >= s->rt_nmods || s->mods.items[m].old == RT_NONE)
			continue;
		const struct csr *c = &s->frame_procs;
		for (uint32_t k = c->off[m]; k < c->off[m + 1]; k++) {
			uint32_t p = c->data[k];
			if (s->procs[p].alive && runs_old(s, p, m)) {
				*bad = m;
				return -1;
			}
		}
	}
	return 0;
}

static void make_permanent(struct sim *s, uint32_t n)
{
	s->cur_instr = n;
	s->in_permanent = 1;
	s->via = INSTR_PURGE;
	size_t k = 0;
	for (size_t i = 0; i < s->stored.n; i++) {
		struct sim_unpurged u = s->stored.items[i];
		if (u.method == PURGE_BRUTAL && !s->node_down)
			purge(s, u.module);
		else
			s->stored.items[k++] = u;
	}
	s->stored.n = k;
	step(s);
	s->in_permanent = 0;
}

void sim_run_script(struct sim *s, const struct script *sc)
{
	struct sim_result r;
	struct strbuf reason = STRBUF_INIT;
	memset(&r, 0, sizeof(r));
	r.script = sc;
	r.old_processes = -1;
	s->cur_script = (uint32_t)s->results.n;
	s->cur_instr = 0;
	s->susp.n = s->stopped.n = s->bins.n = s->unpurged.n = 0;
	if (s->stopped_run || s->node_down) {
		r.kind = SIM_RES_NOT_RUN;
		VEC_PUSH(&s->results, r);
		return;
	}
	int32_t bad;
	if (pre_check(s, sc, &bad) < 0) {
		r.old_processes = bad;
		sb_adds(&reason, "{error,{old_processes,");
		add_atom(&reason, sim_module_name(s, bad));
		sb_adds(&reason, "}}");
		finish_result(s, &r, SIM_RES_ERROR, &reason);
		VEC_PUSH(&s->results, r);
		return;
	}
	size_t ponr = sc->n;
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->instrs[i].op == INSTR_POINT_OF_NO_RETURN) {
			ponr = i;
			break;
		}
	}
	struct failure f = { EV_OK, STRBUF_INIT };
	size_t i = 0;
	if (sc->n && sc->instrs[0].op == INSTR_RESTART_NEW_EMULATOR) {
		s->via = INSTR_RESTART_NEW_EMULATOR;
		node_reboot(s);
		i = 1;
	}
	enum eval_rc rc = EV_OK;
	int after = 0;
	for (; i < sc->n; i++) {
		if (i == ponr) {
			/* The after part is syntax-checked before any of it runs. */
			for (size_t j = ponr; j < sc->n; j++) {
				if (instr_flags(sc->instrs[j].op) & INSTR_F_BEFORE_ONLY) {
					sb_adds(&reason, "{error,{illegal_instruction_after_point_of_no_return,");
					term_write(&reason, sc->instrs[j].term);
					sb_adds(&reason, "}}");
					finish_result(s, &r, SIM_RES_ERROR, &reason);
					goto done;
				}
			}
			after = 1;
		}
		s->cur_instr = (uint32_t)i;
		s->via = sc->instrs[i].op;
		s->tick++;
		young_prune(s);
		rc = (enum eval_rc)eval(s, &sc->instrs[i], &f);
		if (rc != EV_OK || s->node_down)
			break;
		step(s);
		if (s->node_down)
			break;
	}
	if (s->node_down) {
		finish_result(s, &r, SIM_RES_NODE_DOWN, NULL);
	} else if (rc == EV_HANG) {
		finish_result(s, &r, SIM_RES_HANG, NULL);
		s->stopped_run = 1;
	} else if (rc == EV_OK) {
		sb_adds(&reason, "{ok,");
		unpurged_text(s, &reason, s->unpurged.items, s->unpurged.n);
		sb_addc(&reason, '}');
		finish_result(s, &r, SIM_RES_OK, &reason);
		r.nunpurged = s->unpurged.n;
		if (r.nunpurged) {
			/* results own their arrays (freed in sim_free) */
			r.unpurged = xmalloc(r.nunpurged * sizeof(*r.unpurged));
			memcpy(r.unpurged, s->unpurged.items, r.nunpurged * sizeof(*r.unpurged));
		}
		if (s->unpurged.n) {
			s->stored.n = 0;
			for (size_t k = 0; k < s->unpurged.n; k++)
				VEC_PUSH(&s->stored, s->unpurged.items[k]);
		}
	} else if (!after) {
		/* catch: throw X -> X, error:R -> {'EXIT',{R,Stack}}, exit:R -> {'EXIT',R};
		 * then {error,E} stays, anything else Other -> {error,Other}. */
		if (rc == EV_THROW && !strncmp(f.value.buf, "{error,", 7)) {
			sb_adds(&reason, f.value.buf);
		} else {
			sb_adds(&reason, "{error,");
			if (rc == EV_ERROR)
				sb_addf(&reason, "{'EXIT',{%s,'_'}}", f.value.buf);
			else if (rc == EV_EXIT)
				sb_addf(&reason, "{'EXIT',%s}", f.value.buf);
			else
				sb_adds(&reason, f.value.buf);
			sb_addc(&reason, '}');
		}
		finish_result(s, &r, SIM_RES_ERROR, &reason);
	} else if (rc == EV_THROW && !strcmp(f.value.buf, "restart_emulator")) {
		sb_adds(&reason, "restart_emulator");
		finish_result(s, &r, SIM_RES_RESTART_EMULATOR, &reason);
		r.node_restart = 1;
		node_reboot(s);
	} else {
		sb_adds(&reason, "{'EXIT',");
		if (rc == EV_ERROR)
			sb_addf(&reason, "{'EXIT',{%s,'_'}}", f.value.buf);
		else if (rc == EV_EXIT)
			sb_addf(&reason, "{'EXIT',%s}", f.value.buf);
		else
			sb_adds(&reason, f.value.buf);
		sb_addc(&reason, '}');
		finish_result(s, &r, SIM_RES_EXIT, &reason);
		/* install_release restarts the node from the old permanent release. */
		r.node_restart = 1;
		emit(s, SIM_EV_NODE_RESTART, SIM_R_NONE, -1, -1, -1);
		s->stopped_run = 1;
	}
done:
	sb_release(&f.value);
	sb_release(&reason);
	VEC_PUSH(&s->results, r);
	if (r.kind == SIM_RES_OK && s->opt.until == SIM_UNTIL_PERMANENT)
		make_permanent(s, (uint32_t)sc->n);
}

const struct sim_outcome *sim_outcome(struct sim *s)
{
	struct sim_outcome *o = &s->out;
	o->events = s->events.items;
	o->nevents = s->events.n;
	o->results = s->results.items;
	o->nresults = s->results.n;
	o->killed = s->killed;
	o->race = s->race;
	o->order_race = s->order_race;
	o->step_races = s->step_races;
	o->node_down = s->node_down;
	o->stored = s->stored.items;
	o->nstored = s->stored.n;
	return o;
}

void sim_run(const struct runtime *rt, const struct script *scripts, size_t n,
	     const struct sim_options *opt, struct sim_report *out)
{
	struct sim_options o = { .until = SIM_UNTIL_INSTALL };
	if (opt)
		o = *opt;
	memset(out, 0, sizeof(*out));
	o.race_new = 0;
	out->primary = sim_new(rt, &o);
	for (size_t i = 0; i < n; i++)
		sim_run_script(out->primary, &scripts[i]);
	if (out->primary->race || out->primary->step_races) {
		o.race_new = 1;
		o.race_steps = 1;
		out->alternative = sim_new(rt, &o);
		for (size_t i = 0; i < n; i++)
			sim_run_script(out->alternative, &scripts[i]);
	}
}

void sim_report_release(struct sim_report *r)
{
	sim_free(r->primary);
	sim_free(r->alternative);
	r->primary = r->alternative = NULL;
}

/* ---- names (sim_names.def) ---------------------------------------------- */

#define SIM_EVENT(id, name) name,
#define SIM_REASON(id, name)
#define SIM_RESULT(id, name)
static const char *const event_names[] = {
#include "sim_names.def"
};
#undef SIM_EVENT
#undef SIM_REASON
#define SIM_EVENT(id, name)
#define SIM_REASON(id, name) name,
static const char *const reason_names[] = {
#include "sim_names.def"
};
#undef SIM_REASON
#undef SIM_RESULT
#define SIM_REASON(id, name)
#define SIM_RESULT(id, name) name,
static const char *const result_names[] = {
#include "sim_names.def"
};
#undef SIM_EVENT
#undef SIM_REASON
#undef SIM_RESULT

_Static_assert(HP_ARRAY_SIZE(event_names) == SIM_EV__COUNT, "one name per event");
_Static_assert(HP_ARRAY_SIZE(reason_names) == SIM_R__COUNT, "one name per reason");
_Static_assert(HP_ARRAY_SIZE(result_names) == SIM_RES__COUNT, "one name per result");

const char *sim_event_name(enum sim_event_kind k)
{
	return (unsigned)k < SIM_EV__COUNT ? event_names[k] : "?";
}

const char *sim_reason_name(enum sim_reason r)
{
	return (unsigned)r < SIM_R__COUNT ? reason_names[r] : "?";
}

const char *sim_result_name(enum sim_result_kind k)
{
	return (unsigned)k < SIM_RES__COUNT ? result_names[k] : "?";
}
