/*
 * proc.c - processes: threads started through the runtime, their safe
 * point (hotrt_receive), the sampling of their frames, kills, and the
 * reaper that joins ended threads and does the supervisors' work.
 *
 * A process is in instance I iff the entry call it is running belongs to I
 * (that frame is on its stack until the entry returns) or one of its
 * sampled frames lies in I's executable segments; while it is suspended its
 * innermost module frame does not count. A process that did not answer the
 * sampling signal is in every instance.
 *
 * Invariant: a process's thread touches module code only between the
 * resolution of its entry (under rt->lock, in the then current instance)
 * and the end of that entry call; kills reach it at hotrt_receive() (a
 * longjmp back to proc_main) or at a cancellation point of module code
 * (pthread_cancel, deferred: the runtime's own code runs with cancellation
 * disabled).
 */
#define _GNU_SOURCE
#include "hotrt_int.h"

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The process this thread runs, for the undef trap only (the API passes
 * self explicitly). The one mutable file-level variable: per thread. */
static _Thread_local struct hotrt_proc *hr_current;

void hr_lock(struct hotrt *rt, int *cancel_state)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, cancel_state);
	pthread_mutex_lock(&rt->lock);
}

void hr_unlock(struct hotrt *rt, int cancel_state)
{
	pthread_mutex_unlock(&rt->lock);
	pthread_setcancelstate(cancel_state, NULL);
}

struct hotrt_proc *hr_proc(struct hotrt *rt, hotrt_pid pid)
{
	if (pid < 1 || (size_t)pid > rt->procs.n)
		return NULL;
	return rt->procs.items[pid - 1];
}

/* ---- sampling ---------------------------------------------------------------- */

static void sample_handler(int sig, siginfo_t *si, void *uc)
{
	struct hotrt_proc *p = si->si_value.sival_ptr;
	int saved = errno;
	if (si->si_code == SI_QUEUE && p) {
		void *frames[HOTRT_MAX_FRAMES];
		int n = backtrace(frames, HOTRT_MAX_FRAMES);
		for (int i = 0; i < n; i++)
			atomic_store_explicit(&p->sig_frames[i], (uintptr_t)frames[i],
					      memory_order_relaxed);
		atomic_store(&p->sig_nframes, n);
		sem_post(&p->sig_done);
	}
	errno = saved;
}

int hr_signal_init(struct hotrt *rt)
{
	void *warm[4];
	backtrace(warm, 4);  /* loads libgcc_s now, not in a signal handler */
	rt->sig = rt->opt.sample_signal ? rt->opt.sample_signal : SIGRTMIN + 3;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sample_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(rt->sig, &sa, &rt->old_action);
}

void hr_signal_fini(struct hotrt *rt)
{
	sigaction(rt->sig, &rt->old_action, NULL);
}

void hr_sample_all(struct hotrt *rt)
{
	size_t n = rt->procs.n;
	char *asked = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		struct hotrt_proc *p = rt->procs.items[i];
		if (p->ended || !p->started || p->in_receive)
			continue;
		while (sem_trywait(&p->sig_done) == 0)
			;
		union sigval v = { .sival_ptr = p };
		if (pthread_sigqueue(p->thread, rt->sig, v) == 0)
			asked[i] = 1;
		else
			p->nframes = -1;
	}
	pthread_mutex_unlock(&rt->lock);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += rt->opt.sample_timeout_ms / 1000;
	ts.tv_nsec += (rt->opt.sample_timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	int *answered = xcalloc(n ? n : 1, sizeof(int));
	for (size_t i = 0; i < n; i++) {
		if (!asked[i])
			continue;
		struct hotrt_proc *p = rt->procs.items[i];
		while ((answered[i] = sem_timedwait(&p->sig_done, &ts) == 0) == 0 && errno == EINTR)
			;
	}
	pthread_mutex_lock(&rt->lock);
	for (size_t i = 0; i < n; i++) {
		struct hotrt_proc *p = rt->procs.items[i];
		if (!asked[i] || p->in_receive)
			continue;
		if (answered[i]) {
			int k = atomic_load(&p->sig_nframes);
			for (int j = 0; j < k; j++)
				p->frames[j] = (void *)atomic_load_explicit(&p->sig_frames[j],
									    memory_order_relaxed);
			p->nframes = k;
		} else {
			p->nframes = -1;
		}
	}
	free(asked);
	free(answered);
}

/* Whether address a lies in some instance of rt. */
static int in_any(struct hotrt *rt, uintptr_t a)
{
	for (size_t k = 0; k < rt->modules.n; k++) {
		struct hr_module *m = rt->modules.items[k];
		if ((m->cur && hr_inst_has(m->cur, a)) || (m->old && hr_inst_has(m->old, a)))
			return 1;
	}
	return 0;
}

int hr_proc_in_inst(struct hotrt_proc *p, const struct hr_inst *in)
{
	if (p->ended)
		return 0;
	if (p->nframes < 0)
		return 1;
	if (p->entry_inst == in && !p->suspended)
		return 1;
	int skip = p->suspended;
	for (int i = 0; i < p->nframes; i++) {
		uintptr_t a = (uintptr_t)p->frames[i] - 1;
		if (skip && in_any(p->rt, a)) {
			skip = 0;
			continue;
		}
		if (hr_inst_has(in, a))
			return 1;
	}
	return 0;
}

/* ---- life ------------------------------------------------------------------- */

static void proc_ended_locked(struct hotrt_proc *p, const char *reason)
{
	struct hotrt *rt = p->rt;
	p->ended = 1;
	p->entry_inst = NULL;
	p->in_receive = 0;
	p->reason = reason;
	hr_event(rt, !strcmp(reason, "killed") ? HOTRT_EV_KILLED : HOTRT_EV_EXITED,
		 p->pid, 0, p->name, reason);
	VEC_PUSH(&rt->reapq, p);
	pthread_cond_signal(&rt->reap);
	pthread_cond_broadcast(&rt->changed);
}

/* Runs when the thread is cancelled in module code. */
static void proc_cleanup(void *arg)
{
	struct hotrt_proc *p = arg;
	pthread_mutex_lock(&p->rt->lock);
	proc_ended_locked(p, p->kill_reason ? p->kill_reason : "killed");
	pthread_mutex_unlock(&p->rt->lock);
}

/* Resolves the entry in the current instance (rt->lock held). */
static void resolve_entry(struct hotrt_proc *p)
{
	struct hr_module *m = hr_module_find(p->rt, p->module);
	p->entry_inst = m ? m->cur : NULL;
	p->entry_fn = p->entry_inst ? hr_inst_sym(p->entry_inst, p->entry) : NULL;
	if (!p->entry_fn)
		p->entry_inst = NULL;
}

/* One entry call; returns the reason the process ends, or NULL to go on. */
static const char *run_entry(struct hotrt_proc *p)
{
	struct hotrt *rt = p->rt;
	pthread_mutex_lock(&rt->lock);
	if (p->kill_req) {
		pthread_mutex_unlock(&rt->lock);
		return p->kill_reason;
	}
	hotrt_entry fn = (hotrt_entry)p->entry_fn;
	p->entry_fn = NULL;
	pthread_mutex_unlock(&rt->lock);
	if (!fn)
		return "undef";
	int old;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	int rc = fn(p, p->arg);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_mutex_lock(&rt->lock);
	p->entry_inst = NULL;
	if (rc == HOTRT_CONTINUE)
		resolve_entry(p);
	pthread_mutex_unlock(&rt->lock);
	return rc == HOTRT_CONTINUE ? NULL : rc == HOTRT_NORMAL ? "normal" : "error";
}

static void *proc_main(void *arg)
{
	struct hotrt_proc *p = arg;
	struct hotrt *rt = p->rt;
	const char *volatile reason = NULL;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, NULL);
	hr_current = p;
	pthread_mutex_lock(&rt->lock);
	p->tid = gettid();
	p->started = 1;
	pthread_cond_broadcast(&rt->changed);   /* hotrt_spawn waits for it */
	pthread_mutex_unlock(&rt->lock);
	pthread_cleanup_push(proc_cleanup, p);
	while (!reason) {
		int how = setjmp(p->base);
		if (how == JUMP_KILL) {
			reason = p->kill_reason;
		} else if (how == JUMP_UNDEF) {
			reason = "undef";
		} else {
			if (how == JUMP_RESUME) {
				pthread_mutex_lock(&rt->lock);
				resolve_entry(p);
				pthread_mutex_unlock(&rt->lock);
			}
			reason = run_entry(p);
		}
	}
	pthread_cleanup_pop(0);
	pthread_mutex_lock(&rt->lock);
	proc_ended_locked(p, reason);
	pthread_mutex_unlock(&rt->lock);
	hr_current = NULL;
	return NULL;
}

void hr_undef_exit(void)
{
	struct hotrt_proc *p = hr_current;
	if (!p)
		hp_die("hotrt: call to a module with no current code outside a process");
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&p->rt->lock);
	p->entry_inst = NULL;
	pthread_mutex_unlock(&p->rt->lock);
	longjmp(p->base, JUMP_UNDEF);
}

static char *join_name(const char *m, const char *f)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s:%s", m, f);
	return sb_detach(&sb, NULL);
}

/* Makes p the process of its child id under sup (a restart replaces the
 * ended one in place, so the list keeps the order of first starts). */
static void sup_set_child(struct hotrt_sup *sup, struct hotrt_proc *p)
{
	for (size_t i = 0; i < sup->children.n; i++) {
		if (!strcmp(sup->children.items[i]->id, p->id)) {
			sup->children.items[i] = p;
			return;
		}
	}
	VEC_PUSH(&sup->children, p);
}

int hr_proc_spawn_locked(struct hotrt *rt, const struct hotrt_spawn *spec, hotrt_pid *pid)
{
	struct hotrt_proc *p = xcalloc(1, sizeof(*p));
	p->rt = rt;
	p->pid = (hotrt_pid)rt->procs.n + 1;
	p->module = xstrdup(spec->module);
	p->entry = xstrdup(spec->entry);
	p->name = spec->name ? xstrdup(spec->name) : join_name(spec->module, spec->entry);
	p->id = xstrdup(spec->id ? spec->id : p->name);
	p->arg = spec->arg;
	p->sys = spec->sys;
	p->sup = spec->sup;
	p->restart = spec->restart;
	p->nmods = spec->modules ? spec->nmodules : 1;
	p->mods = xcalloc(p->nmods, sizeof(char *));
	for (size_t i = 0; i < p->nmods; i++)
		p->mods[i] = xstrdup(spec->modules ? spec->modules[i] : spec->module);
	hr_cond_init(&p->wake);
	sem_init(&p->sig_done, 0, 0);
	resolve_entry(p);
	VEC_PUSH(&rt->procs, p);
	if (p->sup)
		sup_set_child(p->sup, p);
	int e = pthread_create(&p->thread, NULL, proc_main, p);
	if (e) {
		p->ended = p->handled = p->joined = 1;
		p->reason = "error";
		return hr_error(rt, HOTRT_ESYS, "cannot start '%s': %s", p->name, strerror(e));
	}
	if (pid)
		*pid = p->pid;
	return 0;
}

/* ---- the safe point ---------------------------------------------------------- */

static void deadline_ts(int64_t deadline, struct timespec *ts);

/* Runs a requested code_change in the process (rt->lock held; released
 * around the call into module code). */
static void run_code_change(struct hotrt_proc *p)
{
	struct hotrt *rt = p->rt;
	hotrt_code_change fn = p->cc_fn;
	const char *vsn = p->cc_vsn, *extra = p->cc_extra, *error = NULL;
	p->cc_req = 0;
	pthread_mutex_unlock(&rt->lock);
	void *st = fn(p->state, vsn, extra, &error);
	pthread_mutex_lock(&rt->lock);
	if (error)
		p->cc_error = error;
	else
		p->state = st;
	p->cc_done = 1;
	struct hotrt_proc *next = p->cc_next;
	p->cc_next = NULL;
	if (next && !error) {
		next->cc_req = 1;
		pthread_cond_signal(&next->wake);
	}
	pthread_cond_broadcast(&rt->changed);
}

int hotrt_receive(struct hotrt_proc *self, long timeout_ms, void **msg)
{
	struct hotrt *rt = self->rt;
	void *frames[HOTRT_MAX_FRAMES];
	int cs;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
	int n = backtrace(frames, HOTRT_MAX_FRAMES);
	int64_t deadline = timeout_ms < 0 ? -1 : hr_now_ms() + timeout_ms;
	pthread_mutex_lock(&rt->lock);
	memcpy(self->frames, frames, (size_t)n * sizeof(void *));
	self->nframes = n;
	self->in_receive = 1;
	int rc = HOTRT_TIMEOUT;
	for (;;) {
		if (self->kill_req) {
			self->in_receive = 0;
			pthread_mutex_unlock(&rt->lock);
			longjmp(self->base, JUMP_KILL);
		}
		if (self->suspend_req) {
			self->suspend_req = 0;
			self->suspended = 1;
			pthread_cond_broadcast(&rt->changed);
			continue;
		}
		if (self->suspended) {
			if (self->cc_req) {
				run_code_change(self);
				continue;
			}
			if (self->resume_req) {
				self->resume_req = self->suspended = 0;
				self->in_receive = 0;
				self->entry_inst = NULL;
				pthread_cond_broadcast(&rt->changed);
				pthread_mutex_unlock(&rt->lock);
				longjmp(self->base, JUMP_RESUME);
			}
			pthread_cond_wait(&self->wake, &rt->lock);
			continue;
		}
		if (self->mailbox.n) {
			if (msg)
				*msg = self->mailbox.items[0];
			memmove(self->mailbox.items, self->mailbox.items + 1,
				(self->mailbox.n - 1) * sizeof(void *));
			self->mailbox.n--;
			rc = HOTRT_MESSAGE;
			break;
		}
		if (deadline < 0) {
			pthread_cond_wait(&self->wake, &rt->lock);
		} else if (hr_now_ms() >= deadline) {
			/* a poll (timeout 0) never waits: a snapshot must not find
			 * it in a wait, which counts as blocked */
			break;
		} else {
			struct timespec ts;
			deadline_ts(deadline, &ts);
			if (pthread_cond_timedwait(&self->wake, &rt->lock, &ts) == ETIMEDOUT &&
			    !self->mailbox.n && !self->kill_req && !self->suspend_req)
				break;
		}
	}
	self->in_receive = 0;
	pthread_mutex_unlock(&rt->lock);
	pthread_setcancelstate(cs, NULL);
	return rc;
}

int hotrt_send(struct hotrt *rt, hotrt_pid pid, void *msg)
{
	int cs, rc = 0;
	hr_lock(rt, &cs);
	struct hotrt_proc *p = hr_proc(rt, pid);
	if (!p || p->ended) {
		rc = hr_error(rt, HOTRT_ENOENT, "no process '%d'", (int)pid);
	} else {
		VEC_PUSH(&p->mailbox, msg);
		pthread_cond_signal(&p->wake);
	}
	hr_unlock(rt, cs);
	return rc;
}

void *hotrt_state(struct hotrt_proc *self)
{
	int cs;
	hr_lock(self->rt, &cs);
	void *s = self->state;
	hr_unlock(self->rt, cs);
	return s;
}

void hotrt_set_state(struct hotrt_proc *self, void *state)
{
	int cs;
	hr_lock(self->rt, &cs);
	self->state = state;
	hr_unlock(self->rt, cs);
}

hotrt_pid hotrt_self(struct hotrt_proc *self)
{
	return self->pid;
}

struct hotrt *hotrt_of(struct hotrt_proc *self)
{
	return self->rt;
}

/* ---- kills and waits -------------------------------------------------------- */

void hr_proc_kill_locked(struct hotrt_proc *p, const char *reason)
{
	if (p->ended || p->kill_req)
		return;
	p->kill_req = 1;
	p->kill_reason = reason;
	pthread_cond_signal(&p->wake);
	if (!p->in_receive)
		pthread_cancel(p->thread);
}

static void deadline_ts(int64_t deadline, struct timespec *ts)
{
	/* rt->changed and wake use CLOCK_MONOTONIC (runtime.c). */
	ts->tv_sec = (time_t)(deadline / 1000);
	ts->tv_nsec = (long)(deadline % 1000) * 1000000L;
}

int hr_wait_until(struct hotrt *rt, int64_t deadline)
{
	struct timespec ts;
	deadline_ts(deadline, &ts);
	return pthread_cond_timedwait(&rt->changed, &rt->lock, &ts);
}

int hr_wait_ended(struct hotrt *rt, struct hotrt_proc **v, size_t n, int64_t deadline)
{
	int late = 0;
	for (;;) {
		size_t left = 0;
		for (size_t i = 0; i < n; i++)
			left += !v[i]->handled;
		/* A supervisor its parent restarts (after its other children
		 * ended) is part of the victims' restarts, until the deadline. */
		if (!left && (!rt->sup_pending || late))
			return 0;
		if (hr_wait_until(rt, deadline) == ETIMEDOUT) {
			for (size_t i = 0; i < n; i++)
				if (!v[i]->ended)
					return HOTRT_EHANG;
			/* ended but not yet handled by the reaper: wait on */
			deadline = hr_now_ms() + 1000;
			late = 1;
		}
	}
}

int hotrt_kill(struct hotrt *rt, hotrt_pid pid)
{
	int cs, rc = 0;
	hr_lock(rt, &cs);
	struct hotrt_proc *p = hr_proc(rt, pid);
	if (!p) {
		rc = hr_error(rt, HOTRT_ENOENT, "no process '%d'", (int)pid);
	} else {
		hr_proc_kill_locked(p, "killed");
		rc = hr_wait_ended(rt, &p, 1, hr_now_ms() + rt->opt.purge_timeout_ms);
		if (rc)
			hr_error(rt, rc, "process '%s' did not end within %ld ms", p->name,
				 rt->opt.purge_timeout_ms);
	}
	hr_unlock(rt, cs);
	return rc;
}

/* ---- supervisors ------------------------------------------------------------- */

struct hotrt_sup *hotrt_sup_new_child(struct hotrt *rt, struct hotrt_sup *parent,
				      const char *name, int intensity, long period_ms,
				      enum hotrt_restart restart)
{
	struct hotrt_sup *s = xcalloc(1, sizeof(*s));
	s->name = xstrdup(name);
	s->intensity = intensity;
	s->period_ms = period_ms;
	s->alive = 1;
	s->parent = parent;
	s->restart = restart;
	int cs;
	hr_lock(rt, &cs);
	VEC_PUSH(&rt->sups, s);
	if (parent)
		VEC_PUSH(&parent->subs, s);
	hr_unlock(rt, cs);
	return s;
}

struct hotrt_sup *hotrt_sup_new(struct hotrt *rt, const char *name, int intensity, long period_ms)
{
	return hotrt_sup_new_child(rt, NULL, name, intensity, period_ms, HOTRT_PERMANENT);
}

int hotrt_sup_alive(struct hotrt *rt, struct hotrt_sup *sup)
{
	int cs;
	hr_lock(rt, &cs);
	int a = sup->alive;
	hr_unlock(rt, cs);
	return a;
}

hotrt_pid hotrt_sup_child(struct hotrt *rt, struct hotrt_sup *sup, const char *id)
{
	int cs;
	hotrt_pid pid = 0;
	hr_lock(rt, &cs);
	for (size_t i = 0; i < sup->children.n; i++) {
		struct hotrt_proc *p = sup->children.items[i];
		if (!strcmp(p->id, id) && !p->ended)
			pid = p->pid;
	}
	hr_unlock(rt, cs);
	return pid;
}

int hr_proc_supervised(struct hotrt_proc *p)
{
	return !p->ended && p->sup && p->sup->alive;
}

int hr_proc_has_module(struct hotrt_proc *p, const char *module)
{
	for (size_t i = 0; i < p->nmods; i++)
		if (!strcmp(p->mods[i], module))
			return 1;
	return 0;
}

/* Counts a restart in s's window; 0 when that is past its intensity. */
static int count_restart(struct hotrt_sup *s)
{
	int64_t now = hr_now_ms();
	VEC_PUSH(&s->restarts, now);
	size_t k = 0;
	for (size_t i = 0; i < s->restarts.n; i++)
		if (now - s->restarts.items[i] <= s->period_ms)
			s->restarts.items[k++] = s->restarts.items[i];
	s->restarts.n = k;
	return (int)k <= s->intensity;
}

/* Terminates s's sub-supervisors (down, shutdown) and then its processes. */
static void sup_terminate(struct hotrt *rt, struct hotrt_sup *s)
{
	s->alive = 0;
	for (size_t i = 0; i < s->subs.n; i++) {
		struct hotrt_sup *sub = s->subs.items[i];
		if (sub->restart_pending) {
			sub->restart_pending = 0;
			rt->sup_pending--;
		}
		if (sub->alive) {
			hr_event(rt, HOTRT_EV_SUP_DOWN, 0, 0, sub->name, "shutdown");
			sup_terminate(rt, sub);
		}
	}
	for (size_t i = 0; i < s->children.n; i++)
		hr_proc_kill_locked(s->children.items[i], "shutdown");
}

/* s went past its intensity: down, and a failed child of its parent. */
static void sup_down(struct hotrt *rt, struct hotrt_sup *s)
{
	for (; s && s->alive; s = s->parent) {
		hr_event(rt, HOTRT_EV_SUP_DOWN, 0, 0, s->name, "reached_max_restart_intensity");
		sup_terminate(rt, s);
		struct hotrt_sup *par = s->parent;
		if (!par || !par->alive || s->restart == HOTRT_TEMPORARY)
			return;
		if (count_restart(par)) {
			s->restart_pending = 1;
			rt->sup_pending++;
			return;
		}
	}
}

/* Whether every process under s (its sub-supervisors' too) has ended and
 * been handled. */
static int sup_quiet(const struct hotrt_sup *s)
{
	for (size_t i = 0; i < s->children.n; i++)
		if (!s->children.items[i]->handled)
			return 0;
	for (size_t i = 0; i < s->subs.n; i++)
		if (!sup_quiet(s->subs.items[i]))
			return 0;
	return 1;
}

/* Starts s again: every child id in the current version, then every
 * sub-supervisor the same way (the simulator's sup_start). */
static void sup_start(struct hotrt *rt, struct hotrt_sup *s)
{
	s->alive = 1;
	s->restarts.n = 0;
	size_t n = s->children.n;
	for (size_t i = 0; i < n; i++) {
		struct hotrt_proc *p = s->children.items[i];
		hotrt_pid np = 0;
		if (hr_respawn_locked(rt, p, &np) == 0)
			hr_event(rt, HOTRT_EV_RESTARTED, p->pid, np, p->name, "");
	}
	for (size_t i = 0; i < s->subs.n; i++) {
		hr_event(rt, HOTRT_EV_SUP_RESTARTED, 0, 0, s->subs.items[i]->name, "");
		sup_start(rt, s->subs.items[i]);
	}
}

/* Starts the supervisors whose parent waits for their processes to end. */
static void sups_restart_pending(struct hotrt *rt)
{
	for (size_t i = 0; i < rt->sups.n && rt->sup_pending; i++) {
		struct hotrt_sup *s = rt->sups.items[i];
		if (!s->restart_pending || !sup_quiet(s))
			continue;
		s->restart_pending = 0;
		rt->sup_pending--;
		if (s->parent && s->parent->alive) {
			hr_event(rt, HOTRT_EV_SUP_RESTARTED, 0, 0, s->name, "");
			sup_start(rt, s);
		}
	}
}

/* The version p's module is current in, for events. */
static void cur_vsn(struct hotrt *rt, const struct hotrt_proc *p, char *buf, size_t size)
{
	struct hr_module *m = hr_module_find(rt, p->module);
	snprintf(buf, size, "%s", m && m->cur ? m->cur->vsn : "undef");
}

/* The supervisor's reaction to the end of child p (rt->lock held). */
static void child_exited(struct hotrt *rt, struct hotrt_proc *p)
{
	struct hotrt_sup *s = p->sup;
	if (!s || !s->alive || p->stopped)
		return;
	int normal = !strcmp(p->reason, "normal") || !strcmp(p->reason, "shutdown");
	if (p->restart == HOTRT_TEMPORARY || (p->restart == HOTRT_TRANSIENT && normal))
		return;
	if (!count_restart(s)) {
		sup_down(rt, s);
		return;
	}
	hotrt_pid np = 0;
	char vsn[64];
	cur_vsn(rt, p, vsn, sizeof(vsn));
	if (hr_respawn_locked(rt, p, &np) == 0)
		hr_event(rt, HOTRT_EV_RESTARTED, p->pid, np, p->name, vsn);
}

int hr_respawn_locked(struct hotrt *rt, struct hotrt_proc *p, hotrt_pid *np)
{
	const char *mods[64];
	size_t nm = p->nmods < 64 ? p->nmods : 64;
	for (size_t i = 0; i < nm; i++)
		mods[i] = p->mods[i];
	struct hotrt_spawn spec = {
		.module = p->module, .entry = p->entry, .arg = p->arg, .name = p->name,
		.sys = p->sys, .sup = p->sup, .id = p->id, .restart = p->restart,
		.modules = mods, .nmodules = nm,
	};
	return hr_proc_spawn_locked(rt, &spec, np);
}

void *hr_reaper_main(void *arg)
{
	struct hotrt *rt = arg;
	pthread_mutex_lock(&rt->lock);
	for (;;) {
		if (rt->reapq_head == rt->reapq.n) {
			rt->reapq_head = rt->reapq.n = 0;
			if (rt->reaper_stop)
				break;
			if (rt->purge_timer_at >= 0 && !rt->installing &&
			    hr_now_ms() >= rt->purge_timer_at) {
				hr_unpurged_tick_locked(rt);
				continue;
			}
			if (rt->purge_timer_at < 0 || rt->installing) {
				pthread_cond_wait(&rt->reap, &rt->lock);
			} else {
				struct timespec ts;
				deadline_ts(rt->purge_timer_at, &ts);
				pthread_cond_timedwait(&rt->reap, &rt->lock, &ts);
			}
			continue;
		}
		struct hotrt_proc *p = rt->reapq.items[rt->reapq_head++];
		p->joined = 1;
		pthread_mutex_unlock(&rt->lock);
		pthread_join(p->thread, NULL);
		pthread_mutex_lock(&rt->lock);
		child_exited(rt, p);
		p->handled = 1;
		if (rt->sup_pending)
			sups_restart_pending(rt);
		pthread_cond_broadcast(&rt->changed);
	}
	pthread_mutex_unlock(&rt->lock);
	return NULL;
}

/* ---- inspection --------------------------------------------------------------- */

int hotrt_spawn(struct hotrt *rt, const struct hotrt_spawn *spec, hotrt_pid *pid)
{
	if (!spec || !spec->module || !spec->entry)
		return hr_error(rt, HOTRT_EINVAL, "hotrt_spawn: module and entry are required");
	int cs;
	hotrt_pid id = 0;
	hr_lock(rt, &cs);
	int rc = hr_proc_spawn_locked(rt, spec, &id);
	/* returns once the thread runs: from then on the process has its tid,
	 * is listed by the control socket's procs and seen by a snapshot */
	struct hotrt_proc *p = rc ? NULL : hr_proc(rt, id);
	while (p && !p->started)
		pthread_cond_wait(&rt->changed, &rt->lock);
	hr_unlock(rt, cs);
	if (!rc && pid)
		*pid = id;
	return rc;
}

int hotrt_proc_info(struct hotrt *rt, hotrt_pid pid, struct hotrt_proc_info *out)
{
	int cs, rc = 0;
	hr_lock(rt, &cs);
	struct hotrt_proc *p = hr_proc(rt, pid);
	if (!p) {
		rc = hr_error(rt, HOTRT_ENOENT, "no process '%d'", (int)pid);
	} else {
		memset(out, 0, sizeof(*out));
		out->status = p->ended ? HOTRT_ENDED : p->suspended ? HOTRT_SUSPENDED : HOTRT_ALIVE;
		snprintf(out->reason, sizeof(out->reason), "%s", p->ended ? p->reason : "");
		snprintf(out->name, sizeof(out->name), "%s", p->name);
	}
	hr_unlock(rt, cs);
	return rc;
}

int hotrt_proc_in(struct hotrt *rt, hotrt_pid pid, const char *module, int which)
{
	int cs, rc = 0;
	hr_lock(rt, &cs);
	struct hotrt_proc *p = hr_proc(rt, pid);
	struct hr_module *m = hr_module_find(rt, module);
	struct hr_inst *in = m ? (which ? m->old : m->cur) : NULL;
	if (!p) {
		rc = hr_error(rt, HOTRT_ENOENT, "no process '%d'", (int)pid);
	} else if (in) {
		hr_sample_all(rt);
		rc = hr_proc_in_inst(p, in);
	}
	hr_unlock(rt, cs);
	return rc;
}
