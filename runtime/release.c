/*
 * release.c - the release handler: one low-level script evaluated on the
 * runtime as release_handler_1:eval_script does it (SEMANTICS.md §3), with
 * install_release's bookkeeping of the unpurged list and make_permanent
 * (§3.3). The script is read and decoded by model/term.c and model/instr.c,
 * the reader every other stage of hotplan uses.
 *
 * The steps, as the simulator models them (simulator/sim.c): the soft
 * pre-check; the before-part (a failure is {error, R}, nothing loaded); the
 * after-part's syntax check; the after-part (a failure is {'EXIT', R}; what
 * was done stays done); {ok, Unpurged}. Differences a library forces: the
 * node restart after a failure past point_of_no_return, restart_emulator
 * and restart_new_emulator are the program's to do (the result says so);
 * a wait that
 * OTP makes for ever (a purge whose victim never ends, suspend with
 * infinity) ends in HOTRT_RES_HANG after the purge timeout, with the old
 * code left mapped. The timer install_release starts with a non-empty
 * unpurged list (every 10 s, soft_purge of every stored entry; those that
 * succeed are dropped) is run by the reaper thread, never during an
 * install or make_permanent.
 */
#define _GNU_SOURCE
#include "hotrt_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instr.h"
#include "term.h"

enum eval_rc { EV_OK, EV_THROW, EV_ERROR, EV_EXIT, EV_HANG };

struct bin {
	struct hr_module *m;
	struct hr_inst *inst;  /* NULL once loaded: the versions stay for code_change */
	char *oldvsn, *newvsn;
};

struct entry {
	struct hr_module *m;
	struct hotrt_proc *p;
};

/* One evaluation of a script. */
struct eval {
	struct hotrt *rt;
	const struct hotrt_libdir *libs;
	size_t nlibs;
	VEC(struct bin) bins;
	VEC(struct entry) susp;
	VEC(struct entry) stopped;
	VEC(struct hr_unpurged) unpurged;
	struct strbuf value;   /* the failure's value (Erlang text) */
};

static void add_atom(struct strbuf *sb, const char *name)
{
	term_write_atom(sb, name);
}

static void add_string(struct strbuf *sb, const char *s)
{
	struct arena a;
	arena_init(&a);
	term_write(sb, term_string(&a, s));
	arena_release(&a);
}

/* The last load_object_code of m: not yet loaded (loaded 0) or any. */
static struct bin *find_bin(struct eval *ev, struct hr_module *m, int any)
{
	for (size_t i = ev->bins.n; i-- > 0;)
		if (ev->bins.items[i].m == m && (any || ev->bins.items[i].inst))
			return &ev->bins.items[i];
	return NULL;
}

/* Waits (rt->lock held) until done(p) or deadline (< 0: none); 1 if done. */
static int wait_for(struct hotrt *rt, struct hotrt_proc *p, int (*done)(struct hotrt_proc *),
		    int64_t deadline)
{
	while (!done(p)) {
		if (deadline < 0)
			pthread_cond_wait(&rt->changed, &rt->lock);
		else if (hr_wait_until(rt, deadline) == ETIMEDOUT)
			return done(p);
	}
	return 1;
}

static int is_suspended(struct hotrt_proc *p) { return p->ended || p->suspended; }
static int is_resumed(struct hotrt_proc *p) { return p->ended || !p->suspended; }
static int is_cc_done(struct hotrt_proc *p) { return p->ended || p->cc_done; }
static int is_ended(struct hotrt_proc *p) { return p->ended; }
static int never(struct hotrt_proc *p) { return 0; }

static void sleep_locked(struct hotrt *rt, long ms)
{
	wait_for(rt, NULL, never, hr_now_ms() + ms);
}

static int op_load_object_code(struct eval *ev, const struct instr *in)
{
	const struct hotrt_libdir *lib = NULL;
	for (size_t i = 0; i < ev->nlibs && !lib; i++)
		if (!strcmp(ev->libs[i].app, in->app))
			lib = &ev->libs[i];
	if (!lib) {
		sb_adds(&ev->value, "{badmatch,false}");
		return EV_ERROR;
	}
	if (strcmp(lib->vsn, in->vsn)) {
		sb_adds(&ev->value, "{error,{bad_lib_vsn,");
		add_atom(&ev->value, in->app);
		sb_addc(&ev->value, ',');
		add_string(&ev->value, lib->vsn);
		sb_adds(&ev->value, "}}");
		return EV_THROW;
	}
	for (size_t i = 0; i < in->nmods; i++) {
		struct strbuf path = STRBUF_INIT;
		sb_addf(&path, "%s/%s.%s.so", lib->dir, in->mods[i].name, in->vsn);
		struct hr_inst *inst = NULL;
		if (access(path.buf, R_OK) || hr_inst_open(ev->rt, path.buf, in->vsn, &inst)) {
			sb_adds(&ev->value, "{error,{no_such_file,");
			add_string(&ev->value, path.buf);
			sb_adds(&ev->value, "}}");
			sb_release(&path);
			return EV_THROW;
		}
		sb_release(&path);
		struct hr_module *m = hr_module_get(ev->rt, in->mods[i].name);
		struct bin *b = find_bin(ev, m, 0);
		if (b) {
			hr_inst_close(b->inst);
			free(b->oldvsn);
			free(b->newvsn);
		} else {
			struct bin nb = { m, NULL, NULL, NULL };
			VEC_PUSH(&ev->bins, nb);
			b = &ev->bins.items[ev->bins.n - 1];
		}
		b->inst = inst;
		b->oldvsn = xstrdup(m->cur ? m->cur->vsn : "undefined");
		b->newvsn = xstrdup(in->vsn);
	}
	return EV_OK;
}

/* The soft purge after a load or remove, and Unpurged. */
static int after_load(struct eval *ev, struct hr_module *m, enum purge_method post)
{
	int r = hr_soft_purge_locked(ev->rt, m);
	size_t k = 0, listed = 0;
	for (size_t i = 0; i < ev->unpurged.n; i++) {
		struct hr_unpurged u = ev->unpurged.items[i];
		if (strcmp(u.module, m->name)) {
			ev->unpurged.items[k++] = u;
			continue;
		}
		if (r) {
			free(u.module);
			continue;
		}
		listed = 1;
		ev->unpurged.items[k++] = u;
	}
	ev->unpurged.n = k;
	if (!r && !listed) {
		/* newest first, as OTP's list: [{Mod, PostPurge} | Unpurged] */
		struct hr_unpurged u = { xstrdup(m->name), post == PURGE_BRUTAL };
		VEC_GROW(&ev->unpurged, ev->unpurged.n + 1);
		memmove(ev->unpurged.items + 1, ev->unpurged.items,
			ev->unpurged.n * sizeof(*ev->unpurged.items));
		ev->unpurged.items[0] = u;
		ev->unpurged.n++;
	}
	return EV_OK;
}

static int op_load(struct eval *ev, const struct instr *in)
{
	struct hr_module *m = hr_module_get(ev->rt, in->mods[0].name);
	struct bin *b = find_bin(ev, m, 0);
	if (!b) {
		sb_adds(&ev->value, "{badmatch,false}");
		return EV_ERROR;
	}
	if (hr_load_locked(ev->rt, m, b->inst) == HOTRT_EHANG)
		return EV_HANG;
	b->inst = NULL;
	return after_load(ev, m, in->post);
}

static int op_remove(struct eval *ev, const struct instr *in)
{
	struct hr_module *m = hr_module_get(ev->rt, in->mods[0].name);
	if (hr_purge_locked(ev->rt, m, NULL) == HOTRT_EHANG)
		return EV_HANG;
	hr_delete_locked(ev->rt, m);
	return after_load(ev, m, in->post);
}

static int op_purge(struct eval *ev, const struct instr *in)
{
	for (size_t i = 0; i < in->nmods; i++)
		if (hr_purge_locked(ev->rt, hr_module_find(ev->rt, in->mods[i].name), NULL) ==
		    HOTRT_EHANG)
			return EV_HANG;
	return EV_OK;
}

/* sys:suspend of one process (asked already when it is a sys one); 0, or
 * EV_HANG. */
static int suspend_one(struct eval *ev, struct hr_module *m, struct hotrt_proc *p, long tmo)
{
	struct hotrt *rt = ev->rt;
	if (p->sys) {
		int64_t deadline = tmo < 0 ? hr_now_ms() + rt->opt.purge_timeout_ms : hr_now_ms() + tmo;
		wait_for(rt, p, is_suspended, deadline);
		p->suspend_req = 0;
		if (p->ended)
			return EV_OK;
		if (p->suspended) {
			struct entry e = { m, p };
			VEC_PUSH(&ev->susp, e);
			hr_event(rt, HOTRT_EV_SUSPENDED, p->pid, 0, p->name, m->name);
			return EV_OK;
		}
		if (tmo < 0)
			return EV_HANG;
	} else {
		if (tmo < 0)
			return EV_HANG;
		sleep_locked(rt, tmo);
	}
	sleep_locked(rt, rt->opt.resume_attempt_ms);
	hr_event(rt, HOTRT_EV_DROPPED, p->pid, 0, p->name, m->name);
	return EV_OK;
}

static int op_suspend(struct eval *ev, const struct instr *in)
{
	struct hotrt *rt = ev->rt;
	for (size_t i = 0; i < in->nmods; i++) {
		struct hr_module *m = hr_module_get(rt, in->mods[i].name);
		long tmo = in->mods[i].timeout;
		if (rt->opt.force_suspend_timeout || tmo == INSTR_TIMEOUT_DEFAULT)
			tmo = rt->opt.suspend_timeout_ms;
		else if (tmo == INSTR_TIMEOUT_INFINITY)
			tmo = -1;
		/* Every sys process is asked first, then each is waited for
		 * in order with its own timeout: the outcome of OTP's one at a
		 * time, with one wake-up per process and no waiting in turn. */
		size_t n = rt->procs.n;  /* processes started meanwhile are not seen */
		struct hotrt_proc **v = xcalloc(n ? n : 1, sizeof(*v));
		size_t nv = 0;
		for (size_t k = 0; k < n; k++) {
			struct hotrt_proc *p = rt->procs.items[k];
			if (!hr_proc_supervised(p) || !hr_proc_has_module(p, m->name))
				continue;
			v[nv++] = p;
			if (p->sys) {
				p->suspend_req = 1;
				pthread_cond_signal(&p->wake);
			}
		}
		int rc = EV_OK;
		for (size_t k = 0; k < nv && rc == EV_OK; k++)
			rc = suspend_one(ev, m, v[k], tmo);
		for (size_t k = 0; k < nv; k++)
			v[k]->suspend_req = 0;  /* the ones not waited for after a hang */
		free(v);
		if (rc == EV_HANG)
			return EV_HANG;
	}
	return EV_OK;
}

static int op_resume(struct eval *ev, const struct instr *in)
{
	struct hotrt *rt = ev->rt;
	for (size_t i = 0; i < in->nmods; i++) {
		struct hr_module *m = hr_module_find(rt, in->mods[i].name);
		/* All asked first, then waited for in order (as suspend). */
		char *asked = xcalloc(ev->susp.n + 1, 1);
		for (size_t j = 0; j < ev->susp.n; j++) {
			struct entry e = ev->susp.items[j];
			if (e.m == m && !e.p->ended && e.p->suspended && !e.p->resume_req) {
				e.p->resume_req = 1;
				asked[j] = 1;
				pthread_cond_signal(&e.p->wake);
			}
		}
		size_t k = 0;
		for (size_t j = 0; j < ev->susp.n; j++) {
			struct entry e = ev->susp.items[j];
			if (e.m != m) {
				ev->susp.items[k++] = e;
				continue;
			}
			if (!asked[j])
				continue;
			wait_for(rt, e.p, is_resumed, hr_now_ms() + 5000);
			hr_event(rt, HOTRT_EV_RESUMED, e.p->pid, 0, e.p->name, m->name);
		}
		free(asked);
		ev->susp.n = k;
	}
	return EV_OK;
}

/* M_code_change of m's current instance, or NULL. */
static hotrt_code_change code_change_fn(struct hr_module *m)
{
	struct strbuf sym = STRBUF_INIT;
	sb_addf(&sym, "%s_code_change", m->name);
	hotrt_code_change fn = m->cur ? (hotrt_code_change)hr_inst_sym(m->cur, sym.buf) : NULL;
	sb_release(&sym);
	return fn;
}

/* The code_change failure's value. */
static void code_change_failed(struct eval *ev, struct hr_module *m, struct hotrt_proc *p,
			       const char *vsn_term)
{
	sb_adds(&ev->value, "{code_change_failed,");
	add_atom(&ev->value, p->name);
	sb_addc(&ev->value, ',');
	add_atom(&ev->value, m->name);
	sb_addf(&ev->value, ",%s,%s}", vsn_term, p->cc_error);
}

/*
 * sys:change_code of m's suspended processes v[0..n), one at a time as OTP
 * does (the first failure stops it; the ones after keep their state): each
 * asks the next itself once its code_change succeeded (cc_next), so a turn
 * costs one wake-up; here each is waited for in order, and one that ended
 * before its turn passes it on from here.
 */
static int code_change_all(struct eval *ev, struct hr_module *m, struct hotrt_proc **v, size_t n,
			   const char *vsn, const char *vsn_term, const char *extra)
{
	struct hotrt *rt = ev->rt;
	hotrt_code_change fn = code_change_fn(m);
	for (size_t k = 0; fn && k < n; k++) {
		struct hotrt_proc *p = v[k];
		p->cc_fn = fn;
		p->cc_vsn = vsn;
		p->cc_extra = extra;
		p->cc_error = NULL;
		p->cc_done = 0;
		p->cc_next = k + 1 < n ? v[k + 1] : NULL;
	}
	if (fn && n) {
		v[0]->cc_req = 1;
		pthread_cond_signal(&v[0]->wake);
	}
	int rc = EV_OK;
	size_t k = 0;
	for (; k < n && rc == EV_OK; k++) {
		struct hotrt_proc *p = v[k];
		if (fn && !wait_for(rt, p, is_cc_done, hr_now_ms() + rt->opt.purge_timeout_ms)) {
			rc = EV_HANG;
		} else if (fn && !p->cc_done) {  /* ended before its turn */
			struct hotrt_proc *next = p->cc_next;
			p->cc_next = NULL;
			if (next) {
				next->cc_req = 1;
				pthread_cond_signal(&next->wake);
			}
		} else if (fn && p->cc_error) {
			code_change_failed(ev, m, p, vsn_term);
			rc = EV_THROW;
		} else {
			hr_event(rt, HOTRT_EV_CODE_CHANGE, p->pid, 0, p->name, m->name);
		}
	}
	for (size_t j = k ? k - 1 : 0; j < n; j++) {
		v[j]->cc_next = NULL;         /* never asked: the chain ends here */
		if (j >= k)
			v[j]->cc_req = 0;
	}
	return rc;
}

static int op_code_change(struct eval *ev, const struct instr *in)
{
	for (size_t i = 0; i < in->nmods; i++) {
		struct hr_module *m = hr_module_find(ev->rt, in->mods[i].name);
		if (!m)
			continue;
		/* Vsn: OldVsn (up) or {down, NewVsn} of load_object_code. */
		struct strbuf vsn = STRBUF_INIT, term = STRBUF_INIT, extra = STRBUF_INIT;
		struct bin *b = find_bin(ev, m, 1);
		const char *ov = b ? b->oldvsn : NULL, *nv = b ? b->newvsn : NULL;
		if (in->mode == CC_DOWN) {
			sb_addf(&vsn, "{down,%s}", nv ? nv : "undefined");
			sb_adds(&term, "{down,");
			if (nv)
				add_string(&term, nv);
			else
				sb_adds(&term, "undefined");
			sb_addc(&term, '}');
		} else {
			sb_adds(&vsn, ov ? ov : "undefined");
			if (ov)
				add_string(&term, ov);
			else
				sb_adds(&term, "undefined");
		}
		if (in->mods[i].extra)
			term_write(&extra, in->mods[i].extra);
		struct hotrt_proc **v = xcalloc(ev->susp.n + 1, sizeof(*v));
		size_t np = 0;
		for (size_t j = 0; j < ev->susp.n; j++)
			if (ev->susp.items[j].m == m && !ev->susp.items[j].p->ended)
				v[np++] = ev->susp.items[j].p;
		int rc = code_change_all(ev, m, v, np, vsn.buf, term.buf, extra.buf);
		free(v);
		sb_release(&vsn);
		sb_release(&term);
		sb_release(&extra);
		if (rc != EV_OK)
			return rc;
	}
	return EV_OK;
}

static int op_stop(struct eval *ev, const struct instr *in)
{
	struct hotrt *rt = ev->rt;
	for (size_t i = 0; i < in->nmods; i++) {
		struct hr_module *m = hr_module_get(rt, in->mods[i].name);
		size_t n = rt->procs.n;
		for (size_t k = 0; k < n; k++) {
			struct hotrt_proc *p = rt->procs.items[k];
			if (!hr_proc_supervised(p) || !hr_proc_has_module(p, m->name))
				continue;
			p->stopped = 1;
			p->suspended = 0;
			hr_proc_kill_locked(p, "shutdown");
			if (!wait_for(rt, p, is_ended, hr_now_ms() + rt->opt.shutdown_ms))
				return EV_HANG;
			struct entry e = { m, p };
			VEC_PUSH(&ev->stopped, e);
			hr_event(rt, HOTRT_EV_STOPPED, p->pid, 0, p->name, m->name);
		}
	}
	return EV_OK;
}

static int op_start(struct eval *ev, const struct instr *in)
{
	struct hotrt *rt = ev->rt;
	for (size_t i = 0; i < in->nmods; i++) {
		struct hr_module *m = hr_module_find(rt, in->mods[i].name);
		size_t k = 0;
		for (size_t j = 0; j < ev->stopped.n; j++) {
			struct entry e = ev->stopped.items[j];
			if (e.m != m) {
				ev->stopped.items[k++] = e;
				continue;
			}
			hotrt_pid np = 0;
			if (e.p->sup && e.p->sup->alive && hr_respawn_locked(rt, e.p, &np) == 0)
				hr_event(rt, HOTRT_EV_STARTED, e.p->pid, np, e.p->name,
					 m && m->cur ? m->cur->vsn : "undef");
		}
		ev->stopped.n = k;
	}
	return EV_OK;
}

static int op_apply(struct eval *ev, const struct instr *in)
{
	struct hotrt *rt = ev->rt;
	if (!strcmp(in->m, "erlang") && in->args->type == TERM_LIST &&
	    term_list_len(in->args) == 1 &&
	    (!strcmp(in->f, "error") || !strcmp(in->f, "exit") || !strcmp(in->f, "throw"))) {
		term_write(&ev->value, term_elem(in->args, 0));
		return !strcmp(in->f, "error") ? EV_ERROR : !strcmp(in->f, "exit") ? EV_EXIT : EV_THROW;
	}
	struct hr_module *m = hr_module_find(rt, in->m);
	void (*fn)(const char *) = m && m->cur ? (void (*)(const char *))hr_inst_sym(m->cur, in->f) : NULL;
	if (!fn) {
		sb_adds(&ev->value, "undef");
		return EV_ERROR;
	}
	struct strbuf args = STRBUF_INIT;
	term_write(&args, in->args);
	pthread_mutex_unlock(&rt->lock);
	fn(args.buf);
	pthread_mutex_lock(&rt->lock);
	sb_release(&args);
	return EV_OK;
}

/* Runs one instruction (rt->lock held). */
static int eval(struct eval *ev, const struct instr *in)
{
	switch (in->op) {
	case INSTR_LOAD_OBJECT_CODE: return op_load_object_code(ev, in);
	case INSTR_POINT_OF_NO_RETURN: return EV_OK;
	case INSTR_LOAD: return op_load(ev, in);
	case INSTR_REMOVE: return op_remove(ev, in);
	case INSTR_PURGE: return op_purge(ev, in);
	case INSTR_SUSPEND: return op_suspend(ev, in);
	case INSTR_RESUME: return op_resume(ev, in);
	case INSTR_CODE_CHANGE: return op_code_change(ev, in);
	case INSTR_STOP: return op_stop(ev, in);
	case INSTR_START: return op_start(ev, in);
	case INSTR_SYNC_NODES: return EV_OK;  /* one node */
	case INSTR_APPLY: return op_apply(ev, in);
	case INSTR_RESTART_EMULATOR:
		sb_adds(&ev->value, "restart_emulator");
		return EV_THROW;
	case INSTR_RESTART_NEW_EMULATOR:
		sb_adds(&ev->value, "restart_new_emulator");
		return EV_THROW;
	case INSTR__COUNT:
		break;
	}
	return EV_OK;
}

/* check_old_processes(Script, soft_purge): the first soft_purge PrePurge
 * module whose old code is in use, or NULL. */
static struct hr_module *pre_check(struct hotrt *rt, const struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		const struct instr *in = &sc->instrs[i];
		if ((in->op != INSTR_LOAD && in->op != INSTR_REMOVE) || in->pre != PURGE_SOFT)
			continue;
		struct hr_module *m = hr_module_find(rt, in->mods[0].name);
		if (!m || !m->old)
			continue;
		hr_sample_all(rt);
		for (size_t k = 0; k < rt->procs.n; k++)
			if (hr_proc_in_inst(rt->procs.items[k], m->old))
				return m;
	}
	return NULL;
}

static void unpurged_text(struct strbuf *sb, const struct hr_unpurged *u, size_t n)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		sb_adds(sb, i ? ",{" : "{");
		add_atom(sb, u[i].module);
		sb_addf(sb, ",%s}", u[i].brutal ? "brutal_purge" : "soft_purge");
	}
	sb_addc(sb, ']');
}

/* The failure's result text, as eval_script's catch shapes it. */
static void failure_text(struct strbuf *out, int rc, const char *value, int after)
{
	if (!after && rc == EV_THROW && !strncmp(value, "{error,", 7)) {
		sb_adds(out, value);
		return;
	}
	sb_adds(out, after ? "{'EXIT'," : "{error,");
	if (rc == EV_ERROR)
		sb_addf(out, "{'EXIT',{%s,'_'}}", value);
	else if (rc == EV_EXIT)
		sb_addf(out, "{'EXIT',%s}", value);
	else
		sb_adds(out, value);
	sb_addc(out, '}');
}

/* Evaluates sc (rt->lock held); returns the enum hotrt_result. */
static int eval_script(struct eval *ev, const struct script *sc, struct strbuf *res)
{
	struct hotrt *rt = ev->rt;
	struct hr_module *bad = pre_check(rt, sc);
	if (bad) {
		sb_adds(res, "{error,{old_processes,");
		add_atom(res, bad->name);
		sb_adds(res, "}}");
		return HOTRT_RES_ERROR;
	}
	size_t ponr = sc->n;
	for (size_t i = 0; i < sc->n && ponr == sc->n; i++)
		if (sc->instrs[i].op == INSTR_POINT_OF_NO_RETURN)
			ponr = i;
	int rc = EV_OK, after = 0;
	for (size_t i = 0; i < sc->n; i++) {
		if (i == ponr) {
			for (size_t j = ponr; j < sc->n; j++) {
				if (instr_flags(sc->instrs[j].op) & INSTR_F_BEFORE_ONLY) {
					sb_adds(res, "{error,{illegal_instruction_after_point_of_no_return,");
					term_write(res, sc->instrs[j].term);
					sb_adds(res, "}}");
					return HOTRT_RES_ERROR;
				}
			}
			after = 1;
		}
		rt->cur_instr = (int)i;
		rc = eval(ev, &sc->instrs[i]);
		if (rc != EV_OK)
			break;
	}
	if (rc == EV_HANG) {
		sb_adds(res, "hang");
		return HOTRT_RES_HANG;
	}
	if (rc == EV_OK) {
		sb_adds(res, "{ok,");
		unpurged_text(res, ev->unpurged.items, ev->unpurged.n);
		sb_addc(res, '}');
		if (ev->unpurged.n) {
			for (size_t k = 0; k < rt->unpurged.n; k++)
				free(rt->unpurged.items[k].module);
			rt->unpurged.n = 0;
			for (size_t k = 0; k < ev->unpurged.n; k++)
				VEC_PUSH(&rt->unpurged, ev->unpurged.items[k]);
			ev->unpurged.n = 0;
			rt->purge_timer_at = hr_now_ms() + rt->opt.soft_purge_interval_ms;
		}
		return HOTRT_RES_OK;
	}
	if (after && rc == EV_THROW && !strcmp(ev->value.buf, "restart_emulator")) {
		sb_adds(res, "restart_emulator");
		return HOTRT_RES_RESTART_EMULATOR;
	}
	failure_text(res, rc, ev->value.buf, after);
	return after ? HOTRT_RES_EXIT : HOTRT_RES_ERROR;
}

static void eval_release(struct eval *ev)
{
	for (size_t i = 0; i < ev->bins.n; i++) {
		hr_inst_close(ev->bins.items[i].inst);
		free(ev->bins.items[i].oldvsn);
		free(ev->bins.items[i].newvsn);
	}
	VEC_RELEASE(&ev->bins);
	VEC_RELEASE(&ev->susp);
	VEC_RELEASE(&ev->stopped);
	for (size_t i = 0; i < ev->unpurged.n; i++)
		free(ev->unpurged.items[i].module);
	VEC_RELEASE(&ev->unpurged);
	sb_release(&ev->value);
}

int hotrt_install(struct hotrt *rt, const char *script_path, const struct hotrt_libdir *libs,
		  size_t nlibs, char **result)
{
	struct arena a;
	struct errbuf err;
	struct script sc;
	arena_init(&a);
	memset(&err, 0, sizeof(err));
	if (script_read_file(&a, script_path, &sc, &err)) {
		arena_release(&a);
		return hr_error(rt, HOTRT_EINVAL, "%s", err.msg);
	}
	if (sc.n && sc.instrs[0].op == INSTR_RESTART_NEW_EMULATOR) {
		hr_error(rt, HOTRT_EINVAL, "%s:%u:%u: 'restart_new_emulator' restarts the program: "
			 "a library cannot", script_path, sc.instrs[0].line, sc.instrs[0].col);
		arena_release(&a);
		return HOTRT_EINVAL;
	}
	struct eval ev;
	memset(&ev, 0, sizeof(ev));
	ev.rt = rt;
	ev.libs = libs;
	ev.nlibs = nlibs;
	sb_init(&ev.value);
	struct strbuf res = STRBUF_INIT;
	int cs;
	hr_lock(rt, &cs);
	rt->installing++;
	rt->cur_script = rt->nscripts++;
	int kind = eval_script(&ev, &sc, &res);
	rt->cur_script = rt->cur_instr = -1;
	eval_release(&ev);
	rt->installing--;
	pthread_cond_signal(&rt->reap);
	hr_unlock(rt, cs);
	arena_release(&a);
	*result = sb_detach(&res, NULL);
	return kind;
}

int hotrt_make_permanent(struct hotrt *rt)
{
	int cs, rc = 0;
	hr_lock(rt, &cs);
	rt->installing++;
	size_t k = 0;
	for (size_t i = 0; i < rt->unpurged.n; i++) {
		struct hr_unpurged u = rt->unpurged.items[i];
		if (u.brutal && !rc) {
			rc = hr_purge_locked(rt, hr_module_find(rt, u.module), NULL);
			if (!rc) {
				free(u.module);
				continue;
			}
		}
		rt->unpurged.items[k++] = u;
	}
	rt->unpurged.n = k;
	rt->installing--;
	pthread_cond_signal(&rt->reap);
	hr_unlock(rt, cs);
	return rc;
}

void hr_unpurged_tick_locked(struct hotrt *rt)
{
	/* A soft purge releases rt->lock while it samples, and an install may
	 * start then: work on a copy of the names, drop entries by name, and
	 * leave the rest to the next tick once an install runs. */
	size_t n = rt->unpurged.n;
	char **names = xcalloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = xstrdup(rt->unpurged.items[i].module);
	for (size_t i = 0; i < n; i++) {
		if (rt->installing || hr_soft_purge_locked(rt, hr_module_find(rt, names[i])) != 1)
			continue;
		size_t k = 0;
		for (size_t j = 0; j < rt->unpurged.n; j++) {
			struct hr_unpurged u = rt->unpurged.items[j];
			if (strcmp(u.module, names[i]))
				rt->unpurged.items[k++] = u;
			else
				free(u.module);
		}
		rt->unpurged.n = k;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	rt->purge_timer_at = rt->unpurged.n ? hr_now_ms() + rt->opt.soft_purge_interval_ms : -1;
}

char *hotrt_unpurged(struct hotrt *rt)
{
	struct strbuf sb = STRBUF_INIT;
	int cs;
	hr_lock(rt, &cs);
	unpurged_text(&sb, rt->unpurged.items, rt->unpurged.n);
	hr_unlock(rt, cs);
	return sb_detach(&sb, NULL);
}
