/*
 * snapshot.c - hotplan snapshot: the threads of live processes become the
 * processes of a hotplan-runtime (the rules are in snapshot.h).
 *
 * For each target in turn: report its modules and load their unwind tables
 * (running), stop every thread (stop.c), collect every thread's frame
 * addresses (the only work done while stopped), resume every thread. Only
 * then are the addresses described (DWARF, symbols) and mapped to modules,
 * the threads classified, and the runtime built. The invariant of the
 * pause: between stop_all() and stop_resume() nothing can fail without
 * reaching stop_resume(), and no signal that ends hotplan is delivered.
 */
#include "snapshot_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procs.h"

struct raw_thread {
	long pid, tid;
	size_t target;         /* index of its unwinder */
	size_t pc0, npcs;      /* in the shared pc vector */
	const char *why;       /* the unwinding stopped early, or NULL */
};

/* A module version mapped as NAME.VSN.so in some target. */
struct mapped {
	const char *module, *vsn, *object;
};

struct take {
	const struct snapshot_options *opt;
	const struct hp_config *cfg;
	struct snapshot *s;
	struct module_map *mm;
	VEC(struct unwinder *) unwinders;
	VEC(struct raw_thread) raw;
	pc_vec pcs;
	VEC(const char *) blocking;   /* config list + facts' blocking callees */
	VEC(struct mapped) mapped;    /* distinct (module, version) */
	VEC(struct control_table) controls; /* one per target, as unwinders */
	int any_tree_frame;
};

/* ---- names of blocking calls ------------------------------------------ */

static int in_list(const char *s, size_t n, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return 1;
	return 0;
}

int snapshot_name_matches(const char *name, const char *const *list, size_t nlist)
{
	static const char *const prefixes[] = { "GI_", "libc_", "do_", "internal_" };
	static const char *const suffixes[] = { "_nocancel", "_common", "_time64", "64" };
	const char *s = name;
	size_t n = strcspn(name, "@");
	for (int changed = 1; changed && n > 0;) {
		if (in_list(s, n, list, nlist))
			return 1;
		changed = 0;
		while (n > 1 && *s == '_') {
			s++, n--;
			changed = 1;
		}
		for (size_t i = 0; i < HP_ARRAY_SIZE(prefixes); i++) {
			size_t l = strlen(prefixes[i]);
			if (n > l && !strncmp(s, prefixes[i], l)) {
				s += l, n -= l;
				changed = 1;
			}
		}
		for (size_t i = 0; i < HP_ARRAY_SIZE(suffixes); i++) {
			size_t l = strlen(suffixes[i]);
			if (n > l && !strncmp(s + n - l, suffixes[i], l)) {
				n -= l;
				changed = 1;
			}
		}
	}
	return 0;
}

static void collect_blocking(struct take *t)
{
	for (size_t i = 0; i < t->cfg->nblocking; i++)
		VEC_PUSH(&t->blocking, t->cfg->blocking[i]);
	const struct facts *f = t->opt->facts;
	for (size_t i = 0; i < f->nmodules; i++)
		for (size_t k = 0; k < f->modules[i].nblocking; k++)
			VEC_PUSH(&t->blocking, f->modules[i].blocking[k].callee);
}

/* ---- reading the targets ----------------------------------------------- */

static void test_pause(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (ms && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Stops, unwinds and resumes one target. */
static int read_target(struct take *t, long pid, struct errbuf *err)
{
	struct unwinder *u;
	struct stop_set ss;
	size_t target = t->unwinders.n;

	if (!proc_state(pid))
		return hp_error(err, HP_EUSAGE, "no process '%ld'; check the PID with 'ps'", pid);
	struct control_table ct;
	int crc = control_ask(&ct, pid, &t->s->arena, err);
	VEC_PUSH(&t->controls, ct);
	if (crc)
		return crc;
	if (unwinder_open(&u, pid, t->opt->debuginfo_path, t->mm, err))
		return HP_EUSAGE;
	VEC_PUSH(&t->unwinders, u);
	if (stop_all(&ss, pid, err)) {
		stop_release(&ss);
		return HP_EUSAGE;
	}
	/* ---- the target is stopped: nothing here may return early ---- */
	test_pause(t->opt->test_pause_ms);
	size_t nthreads = ss.threads.n;
	for (size_t i = 0; i < nthreads; i++) {
		struct raw_thread r = { pid, ss.threads.items[i].tid, target, t->pcs.n, 0, NULL };
		r.npcs = unwinder_stack(u, r.tid, &t->pcs, &r.why);
		VEC_PUSH(&t->raw, r);
	}
	stop_resume(&ss);
	/* ---- running again ---- */
	struct snapshot_pause p = { pid, ss.paused_ms, nthreads };
	stop_release(&ss);
	t->s->pauses = xreallocarray(t->s->pauses, t->s->npauses + 1, sizeof(p));
	t->s->pauses[t->s->npauses++] = p;
	if (p.paused_ms > t->s->paused_ms)
		t->s->paused_ms = p.paused_ms;
	int st = proc_state(pid);
	if (!st || st == 'Z' || st == 'X')
		return hp_error(err, HP_EUSAGE, "process '%ld' exited during the snapshot", pid);
	return 0;
}

/* ---- what each thread becomes ------------------------------------------ */

static const struct entry *find_entry(const struct facts *f, const char *module,
				      const char *function, const struct module **in)
{
	const struct module *m = module ? facts_module(f, module) : NULL;
	for (size_t k = 0; m && k < m->nentries; k++) {
		if (!strcmp(m->entries[k].function, function)) {
			*in = m;
			return &m->entries[k];
		}
	}
	return NULL;
}

static void describe_thread(struct take *t, const struct raw_thread *r, struct snapshot_thread *th,
			    struct arena *scratch)
{
	struct arena *a = &t->s->arena;
	th->pid = r->pid;
	th->tid = r->tid;
	th->comm = proc_comm(a, r->pid, r->tid);
	th->process = -1;
	th->nframes = r->npcs;
	th->frames = r->npcs ? arena_zalloc(a, r->npcs * sizeof(*th->frames)) : NULL;
	for (size_t i = 0; i < r->npcs; i++) {
		struct pc_info pi;
		struct snapshot_frame *fr = &th->frames[i];
		fr->pc = t->pcs.items[r->pc0 + i];
		unwinder_describe(t->unwinders.items[r->target], fr->pc, scratch, &pi);
		fr->function = pi.function ? arena_strdup(a, pi.function) : NULL;
		fr->object = pi.object ? arena_strdup(a, pi.object) : NULL;
		fr->module = module_map_versioned(t->mm, fr->object, a, &fr->vsn);
		if (!fr->module)
			fr->module = module_map_frame(t->mm, &pi);
		if (fr->module)
			t->any_tree_frame = 1;
	}
}

static void classify(struct take *t, struct snapshot_thread *th, const struct raw_thread *r)
{
	struct arena *a = &t->s->arena;
	size_t inner = th->nframes, outer = th->nframes;
	for (size_t i = 0; i < th->nframes; i++) {
		if (!th->frames[i].module)
			continue;
		if (inner == th->nframes)
			inner = i;
		outer = i;
	}
	size_t upto = inner < th->nframes ? inner + 1 : th->nframes;
	for (size_t i = 0; i < upto && !th->blocked_in; i++)
		if (th->frames[i].function &&
		    snapshot_name_matches(th->frames[i].function, t->blocking.items, t->blocking.n))
			th->blocked_in = th->frames[i].function;
	if (outer == th->nframes) {
		th->left_out = r->why ? arena_printf(a, "no frame in the tree's modules (unwinding stopped: %s)", r->why)
				      : "no frame in the tree's modules";
		return;
	}
	const struct snapshot_frame *fo = &th->frames[outer];
	th->entry = fo->function;
	const struct control_table *ct = &t->controls.items[r->target];
	if (ct->answered) {
		/* The runtime's table says which thread is a process. */
		if (!control_find(ct, th->tid))
			th->left_out = arena_printf(a, "not a process in the table of '%s'", ct->path);
		return;
	}
	const struct module *m = NULL;
	if (fo->function && find_entry(t->opt->facts, fo->module, fo->function, &m))
		return;
	if (th->tid == th->pid)
		th->left_out = arena_printf(a, "the main thread: the C runtime started it at '%s', "
					    "not at an entry point", fo->function ? fo->function : "?");
	else if (r->why)
		th->left_out = arena_printf(a, "its stack could not be unwound past '%s' (%s)",
					    fo->function ? fo->function : "?", r->why);
	else
		th->left_out = arena_printf(a, "started at '%s' (module '%s'), which is not an entry "
					    "point of the facts", fo->function ? fo->function : "?", fo->module);
}

static int32_t version_of(struct runtime *rt, const char *vsn)
{
	if (!vsn)
		return runtime_version_int(rt, 1);
	size_t n = strlen(vsn);
	if (n > 0 && n < 18 && strspn(vsn, "0123456789") == n)
		return runtime_version_int(rt, atoll(vsn));
	return runtime_version_str(rt, vsn);
}

/* ---- versions of modules loaded as NAME.VSN.so --------------------------- */

/* Version order: digit runs compare as numbers, other characters one by
 * one, a longer text after its prefix ("1.9" < "1.10" < "1.10a"); texts
 * equal in that order fall back to strcmp, so the order is total. */
static int vsn_cmp(const char *a, const char *b)
{
	const char *a0 = a, *b0 = b;
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
			int c = na != nb ? (na < nb ? -1 : 1) : strncmp(a, b, na);
			if (c)
				return c;
			a += na, b += nb;
		} else if (*a != *b) {
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		} else {
			a++, b++;
		}
	}
	if (*a || *b)
		return *a ? 1 : -1;
	return strcmp(a0, b0);
}

static void note_object(const char *object, void *arg)
{
	struct take *t = arg;
	const char *vsn;
	const char *mod = module_map_versioned(t->mm, object, &t->s->arena, &vsn);
	if (!mod)
		return;
	for (size_t i = 0; i < t->mapped.n; i++)
		if (!strcmp(t->mapped.items[i].module, mod) && !strcmp(t->mapped.items[i].vsn, vsn))
			return;
	struct mapped mp = { mod, vsn, arena_strdup(&t->s->arena, object) };
	VEC_PUSH(&t->mapped, mp);
}

static int mapped_cmp(const void *x, const void *y)
{
	const struct mapped *a = x, *b = y;
	int c = strcmp(a->module, b->module);
	return c ? c : vsn_cmp(a->vsn, b->vsn);
}

/* Whether some thread has a frame in module. */
static int has_frame(const struct snapshot *s, const char *module)
{
	for (size_t i = 0; i < s->nthreads; i++)
		for (size_t k = 0; k < s->threads[i].nframes; k++)
			if (s->threads[i].frames[k].module &&
			    !strcmp(s->threads[i].frames[k].module, module))
				return 1;
	return 0;
}

/* The current and old version of every module: the two versions mapped as
 * NAME.VSN.so (newest current), else v as current. More than two is an
 * error: a module has at most two instances (SEMANTICS.md §1). */
static int set_versions(struct take *t, int32_t v, struct errbuf *err)
{
	struct runtime *rt = t->s->rt;
	int unloaded = 0;  /* a libhotrt program: a module with no object and
			    * no frame (code of the executable) is not loaded */
	for (size_t i = 0; i < t->controls.n; i++)
		unloaded |= t->controls.items[i].answered;
	for (size_t i = 0; i < t->unwinders.n; i++)
		unwinder_objects(t->unwinders.items[i], note_object, t);
	if (t->mapped.n > 1)
		qsort(t->mapped.items, t->mapped.n, sizeof(*t->mapped.items), mapped_cmp);
	for (size_t i = 0; i < rt->modules.n; i++) {
		struct rt_module *m = &rt->modules.items[i];
		size_t first = t->mapped.n, n = 0;
		for (size_t k = 0; k < t->mapped.n; k++) {
			if (strcmp(t->mapped.items[k].module, m->name))
				continue;
			if (!n++)
				first = k;
		}
		const struct mapped *mv = t->mapped.items + first;  /* oldest first */
		if (n > 2) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t k = 0; k < n; k++) {
				const char *b = strrchr(mv[k].object, '/');
				sb_addf(&sb, "%s'%s'", k ? ", " : "", b ? b + 1 : mv[k].object);
			}
			hp_error(err, HP_EINPUT, "module '%s' has %zu versions mapped (%s), but a module "
				 "has at most two, current and old: purge the old code before the "
				 "snapshot", m->name, n, sb.buf);
			sb_release(&sb);
			return HP_EINPUT;
		}
		m->cur = n ? version_of(rt, mv[n - 1].vsn) :
			 unloaded && !has_frame(t->s, m->name) ? RT_NONE : v;
		m->old = n == 2 ? version_of(rt, mv[0].vsn) : RT_NONE;
		if (m->old == m->cur)  /* "01.so" and "1.so": one integer version */
			m->old = RT_NONE;
	}
	return 0;
}

/* Supervision as the runtime built from facts gives it: supervised, with
 * sys, when a module of its Modules list has a state transformer. */
static void supervise(struct take *t, struct rt_process *p, const struct module *m,
		      const struct entry *e, int32_t *sup)
{
	struct runtime *rt = t->s->rt;
	const char **mods;
	size_t nmods = procs_entry_modules(&rt->arena, m, e, &mods);
	int has_transformer = 0;
	for (size_t k = 0; k < nmods; k++) {
		const struct module *cm = facts_module(t->opt->facts, mods[k]);
		if (cm && cm->transformer)
			has_transformer = 1;
	}
	if (!has_transformer)
		return;
	if (*sup == RT_NONE) {
		const char *app = t->opt->app ? t->opt->app : "app";
		struct rt_supervisor s = {
			arena_printf(&rt->arena, "%s_sup", app), RT_NONE, RT_DEFAULT_INTENSITY,
			RT_DEFAULT_PERIOD, arena_strdup(&rt->arena, app), RT_APP_PERMANENT,
		};
		VEC_PUSH(&rt->supervisors, s);
		*sup = (int32_t)(rt->supervisors.n - 1);
	}
	p->sys = 1;
	p->supervisor = *sup;
	p->has_mods = 1;
	for (size_t k = 0; k < nmods; k++) {
		int32_t cm = runtime_find_module(rt, mods[k]);
		if (cm < 0)
			continue;
		uint32_t mi = (uint32_t)cm;
		VEC_PUSH(&rt->modrefs, mi);
		p->nmods++;
	}
}

/* The thread's frames in the tree, innermost first, appended to rt->frames
 * for p; frames of one module and version in a row fold into one. Fails
 * when a frame's version is neither of its module's. */
static int push_frames(struct take *t, const struct snapshot_thread *th, struct rt_process *p,
		       int32_t v, struct errbuf *err)
{
	struct runtime *rt = t->s->rt;
	p->frames = (uint32_t)rt->frames.n;
	for (size_t i = 0; i < th->nframes; i++) {
		const struct snapshot_frame *sf = &th->frames[i];
		if (!sf->module)
			continue;
		struct rt_frame fr = { (uint32_t)runtime_find_module(rt, sf->module),
				       sf->vsn ? version_of(rt, sf->vsn) : v };
		const struct rt_module *rm = &rt->modules.items[fr.module];
		if (fr.version != rm->cur && fr.version != rm->old)
			return hp_error(err, HP_EINPUT, "thread '%ld.%ld' runs module '%s' in '%s', "
					"not in a '%s.VSN.so', at a version that is not one of those "
					"mapped: name the version it runs with --vsn", th->pid, th->tid,
					sf->module, sf->object ? sf->object : "?", sf->module);
		const struct rt_frame *last = p->nframes ? &rt->frames.items[rt->frames.n - 1] : NULL;
		if (last && last->module == fr.module && last->version == fr.version)
			continue;
		VEC_PUSH(&rt->frames, fr);
		p->nframes++;
	}
	p->funs = (uint32_t)rt->funs.n;
	p->mods = (uint32_t)rt->modrefs.n;
	return 0;
}

/* The supervisor named by a control table, added to the runtime at its
 * first use (its parent first). libhotrt's supervisors belong to no
 * application: a top one that gives up stops its children, never the
 * program, so it is modelled as a temporary application's. */
static int32_t control_sup(struct take *t, const struct control_table *ct, const char *name,
			   int depth)
{
	struct runtime *rt = t->s->rt;
	for (size_t i = 0; i < rt->supervisors.n; i++)
		if (!strcmp(rt->supervisors.items[i].name, name))
			return (int32_t)i;
	for (size_t i = 0; i < ct->sups.n && depth < 64; i++) {
		const struct control_sup *cs = &ct->sups.items[i];
		if (strcmp(cs->name, name))
			continue;
		int32_t parent = cs->parent ? control_sup(t, ct, cs->parent, depth + 1) : RT_NONE;
		long secs = (cs->period_ms + 999) / 1000;
		struct rt_supervisor s = {
			arena_strdup(&rt->arena, cs->name), parent,
			(uint32_t)(cs->intensity > INT32_MAX ? INT32_MAX : cs->intensity),
			(uint32_t)(secs > INT32_MAX ? INT32_MAX : secs),
			parent == RT_NONE ? arena_strdup(&rt->arena, cs->name) : NULL, RT_APP_TEMPORARY,
		};
		VEC_PUSH(&rt->supervisors, s);
		return (int32_t)(rt->supervisors.n - 1);
	}
	return RT_NONE;
}

/* A thread the runtime's table names: identity and supervision from the
 * table; frames, versions and blocking from the stack; a loop's next call
 * from what the facts say of the entry function's loops. */
static int add_controlled(struct take *t, struct snapshot_thread *th,
			  const struct control_table *ct, const struct control_proc *cp,
			  int32_t v, struct errbuf *err)
{
	struct runtime *rt = t->s->rt;
	struct rt_process p;
	memset(&p, 0, sizeof(p));
	p.pid = arena_printf(&rt->arena, "%ld.%ld", th->pid, th->tid);
	p.name = arena_printf(&rt->arena, "%s:%s [%s]", cp->module, cp->entry, cp->name);
	if (push_frames(t, th, &p, v, err))
		return HP_EINPUT;
	const struct module *m = NULL;
	const struct entry *e = find_entry(t->opt->facts, cp->module, cp->entry, &m);
	const struct module *fm = facts_module(t->opt->facts, cp->module);
	const struct symbol *fn = fm ? module_export(fm, cp->entry) : NULL;
	int qualified = e ? e->next_call == NEXT_QUALIFIED :
			fn && fn->has_loop && fn->loop_next == NEXT_QUALIFIED;
	p.next = th->blocked_in ? NEXT_BLOCKED : qualified ? NEXT_QUALIFIED : NEXT_LOCAL;
	p.sys = (uint8_t)cp->sys;
	p.restart = (uint8_t)cp->restart;
	p.supervisor = cp->sup ? control_sup(t, ct, cp->sup, 0) : RT_NONE;
	if (p.supervisor != RT_NONE) {
		/* Modules: what the facts say of the entry, else its module */
		const char *only[1] = { cp->module };
		const char **mods = only;
		size_t nmods = e ? procs_entry_modules(&rt->arena, m, e, &mods) : 1;
		for (size_t k = 0; k < nmods; k++) {
			int32_t cm = runtime_find_module(rt, mods[k]);
			if (cm < 0)
				continue;
			uint32_t mi = (uint32_t)cm;
			VEC_PUSH(&rt->modrefs, mi);
			p.nmods++;
		}
		p.has_mods = 1;
	}
	th->process = (int32_t)rt->processes.n;
	VEC_PUSH(&rt->processes, p);
	return 0;
}

/* The thread as a process, as the facts' entry point gives it. */
static int add_process(struct take *t, struct snapshot_thread *th, int32_t v, int32_t *sup,
		       struct errbuf *err)
{
	struct runtime *rt = t->s->rt;
	const struct snapshot_frame *fo = NULL;
	for (size_t i = th->nframes; i-- > 0 && !fo;)
		if (th->frames[i].module)
			fo = &th->frames[i];
	const struct module *m = NULL;
	const struct entry *e = find_entry(t->opt->facts, fo->module, fo->function, &m);
	struct rt_process p;
	memset(&p, 0, sizeof(p));
	p.pid = arena_printf(&rt->arena, "%ld.%ld", th->pid, th->tid);
	p.name = arena_printf(&rt->arena, "%s:%s [%s]", m->name, e->function, th->comm);
	if (push_frames(t, th, &p, v, err))
		return HP_EINPUT;
	p.next = th->blocked_in ? NEXT_BLOCKED :
		 e->next_call == NEXT_QUALIFIED ? NEXT_QUALIFIED : NEXT_LOCAL;
	p.restart = RT_PERMANENT;
	p.supervisor = RT_NONE;
	supervise(t, &p, m, e, sup);
	th->process = (int32_t)rt->processes.n;
	VEC_PUSH(&rt->processes, p);
	return 0;
}

static int build(struct take *t, struct errbuf *err)
{
	struct snapshot *s = t->s;
	struct arena scratch;
	arena_init(&scratch);
	s->nthreads = t->raw.n;
	s->threads = arena_zalloc(&s->arena, (t->raw.n ? t->raw.n : 1) * sizeof(*s->threads));
	for (size_t i = 0; i < t->raw.n; i++)
		describe_thread(t, &t->raw.items[i], &s->threads[i], &scratch);
	arena_release(&scratch);
	if (!t->any_tree_frame) {
		for (size_t i = 0; i < t->unwinders.n; i++)
			if (!unwinder_exe_has_names(t->unwinders.items[i]))
				return hp_error(err, HP_EINPUT,
						"'%s' (process '%ld') has no DWARF and no symbols: build "
						"with -g, or install the debug package",
						unwinder_exe(t->unwinders.items[i]), s->pauses[i].pid);
		return hp_error(err, HP_EINPUT,
				"no frame of process '%ld' is in a module of the facts of '%s': "
				"is it the program these facts describe?",
				s->pauses[0].pid, t->opt->facts->root ? t->opt->facts->root : "?");
	}
	s->rt = runtime_new();
	int32_t v = version_of(s->rt, t->opt->vsn);
	for (size_t i = 0; i < t->opt->facts->nmodules; i++)
		runtime_module(s->rt, t->opt->facts->modules[i].name);
	if (set_versions(t, v, err))
		return HP_EINPUT;
	int32_t sup = RT_NONE;
	for (size_t i = 0; i < s->nthreads; i++) {
		const struct raw_thread *r = &t->raw.items[i];
		const struct control_table *ct = &t->controls.items[r->target];
		classify(t, &s->threads[i], r);
		if (s->threads[i].left_out)
			continue;
		if (ct->answered ? add_controlled(t, &s->threads[i], ct,
						  control_find(ct, r->tid), v, err)
				 : add_process(t, &s->threads[i], v, &sup, err))
			return HP_EINPUT;
	}
	return runtime_validate(s->rt, err);
}

int snapshot_take(const struct snapshot_options *opt, struct snapshot **out,
		  struct errbuf *err)
{
	struct take t;
	struct hp_config defaults;
	struct timespec t0, t1;
	int rc = 0;

	*out = NULL;
	if (!opt->npids)
		return hp_error(err, HP_EUSAGE, "no process to snapshot");
	for (size_t i = 0; i < opt->npids; i++)
		for (size_t k = 0; k < i; k++)
			if (opt->pids[i] == opt->pids[k])
				return hp_error(err, HP_EUSAGE, "process '%ld' is named twice", opt->pids[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&t, 0, sizeof(t));
	config_init(&defaults);
	t.opt = opt;
	t.cfg = opt->config ? opt->config : &defaults;
	t.s = xcalloc(1, sizeof(*t.s));
	arena_init(&t.s->arena);
	t.mm = module_map_new(opt->facts, t.cfg);
	collect_blocking(&t);
	for (size_t i = 0; i < opt->npids && !rc; i++)
		rc = read_target(&t, opt->pids[i], err);
	if (!rc)
		rc = build(&t, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t.s->total_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	for (size_t i = 0; i < t.unwinders.n; i++)
		unwinder_close(t.unwinders.items[i]);
	VEC_RELEASE(&t.unwinders);
	VEC_RELEASE(&t.raw);
	VEC_RELEASE(&t.pcs);
	VEC_RELEASE(&t.blocking);
	VEC_RELEASE(&t.mapped);
	for (size_t i = 0; i < t.controls.n; i++)
		control_release(&t.controls.items[i]);
	VEC_RELEASE(&t.controls);
	module_map_free(t.mm);
	config_release(&defaults);
	if (rc) {
		snapshot_free(t.s);
		return rc;
	}
	*out = t.s;
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	runtime_free(s->rt);
	free(s->pauses);
	arena_release(&s->arena);
	free(s);
}
