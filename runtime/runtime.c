/*
 * runtime.c - the runtime's life (creation, shutdown), its error message,
 * its event log and its clock.
 *
 * Invariant: every deadline is a CLOCK_MONOTONIC time in ms, and every
 * condition variable the runtime waits on uses that clock.
 */
#define _GNU_SOURCE
#include "hotrt_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t hr_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hr_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

/* Sets the message (under errlock: callers may or may not hold rt->lock). */
int hr_error(struct hotrt *rt, int status, const char *fmt, ...)
{
	char buf[sizeof(rt->errmsg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&rt->errlock);
	memcpy(rt->errmsg, buf, sizeof(buf));
	pthread_mutex_unlock(&rt->errlock);
	return status;
}

const char *hotrt_errmsg(struct hotrt *rt, char *buf, size_t size)
{
	pthread_mutex_lock(&rt->errlock);
	snprintf(buf, size, "%s", rt->errmsg);
	pthread_mutex_unlock(&rt->errlock);
	return buf;
}

void hr_event(struct hotrt *rt, enum hotrt_event_kind k, hotrt_pid pid, hotrt_pid new_pid,
	      const char *name, const char *detail)
{
	struct hotrt_event e;
	memset(&e, 0, sizeof(e));
	e.kind = k;
	e.pid = pid;
	e.new_pid = new_pid;
	e.script = rt->cur_script;
	e.instr = rt->cur_instr;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	e.time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	snprintf(e.name, sizeof(e.name), "%s", name ? name : "");
	snprintf(e.detail, sizeof(e.detail), "%s", detail ? detail : "");
	VEC_PUSH(&rt->events, e);
}

size_t hotrt_event_count(struct hotrt *rt)
{
	int cs;
	hr_lock(rt, &cs);
	size_t n = rt->events.n;
	hr_unlock(rt, cs);
	return n;
}

int hotrt_event_get(struct hotrt *rt, size_t i, struct hotrt_event *out)
{
	int cs, rc = HOTRT_ENOENT;
	hr_lock(rt, &cs);
	if (i < rt->events.n) {
		*out = rt->events.items[i];
		rc = 0;
	}
	hr_unlock(rt, cs);
	return rc;
}

const char *hotrt_event_name(enum hotrt_event_kind k)
{
	static const char *const names[] = {
		"killed", "exited", "restarted", "suspended", "dropped", "code_change",
		"resumed", "stopped", "started", "sup_down", "loaded", "purged", "hang",
		"sup_restarted",
	};
	return (size_t)k < HP_ARRAY_SIZE(names) ? names[k] : "?";
}

static long or_default(long v, long def)
{
	return v < 0 ? def : v;
}

int hotrt_new(struct hotrt **out, const struct hotrt_options *opt, const char **errmsg)
{
	struct hotrt *rt = xcalloc(1, sizeof(*rt));
	if (opt) {
		rt->opt = *opt;
	} else {
		rt->opt.suspend_timeout_ms = rt->opt.resume_attempt_ms = -1;
		rt->opt.purge_timeout_ms = rt->opt.sample_timeout_ms = rt->opt.shutdown_ms = -1;
	}
	rt->opt.suspend_timeout_ms = or_default(rt->opt.suspend_timeout_ms, 5000);
	rt->opt.resume_attempt_ms = or_default(rt->opt.resume_attempt_ms, 5000);
	rt->opt.purge_timeout_ms = or_default(rt->opt.purge_timeout_ms, 5000);
	rt->opt.sample_timeout_ms = or_default(rt->opt.sample_timeout_ms, 1000);
	rt->opt.shutdown_ms = or_default(rt->opt.shutdown_ms, 5000);
	if (rt->opt.soft_purge_interval_ms <= 0)
		rt->opt.soft_purge_interval_ms = 10000;
	rt->cur_script = rt->cur_instr = -1;
	rt->purge_timer_at = -1;
	strmap_init(&rt->names);
	pthread_mutex_init(&rt->lock, NULL);
	pthread_mutex_init(&rt->errlock, NULL);
	hr_cond_init(&rt->changed);
	hr_cond_init(&rt->reap);
	if (hr_signal_init(rt)) {
		if (errmsg)
			*errmsg = "cannot install the sampling signal's handler";
		free(rt);
		return HOTRT_ESYS;
	}
	if (pthread_create(&rt->reaper, NULL, hr_reaper_main, rt)) {
		hr_signal_fini(rt);
		if (errmsg)
			*errmsg = "cannot start the reaper thread";
		free(rt);
		return HOTRT_ESYS;
	}
	*out = rt;
	return 0;
}

static void proc_free(struct hotrt_proc *p)
{
	free(p->name);
	free(p->module);
	free(p->entry);
	free(p->id);
	for (size_t i = 0; i < p->nmods; i++)
		free(p->mods[i]);
	free(p->mods);
	VEC_RELEASE(&p->mailbox);
	pthread_cond_destroy(&p->wake);
	sem_destroy(&p->sig_done);
	free(p);
}

int hotrt_free(struct hotrt *rt)
{
	if (!rt)
		return 0;
	hotrt_control_stop(rt);
	int cs;
	hr_lock(rt, &cs);
	for (size_t i = 0; i < rt->sups.n; i++) {
		rt->sups.items[i]->alive = 0;   /* no restarts while shutting down */
		rt->sups.items[i]->restart_pending = 0;
	}
	rt->sup_pending = 0;
	rt->purge_timer_at = -1;
	for (size_t i = 0; i < rt->procs.n; i++)
		hr_proc_kill_locked(rt->procs.items[i], "shutdown");
	int64_t deadline = hr_now_ms() + rt->opt.purge_timeout_ms;
	int rc = hr_wait_ended(rt, rt->procs.items, rt->procs.n, deadline);
	if (rc) {
		hr_unlock(rt, cs);
		return HOTRT_EHANG;
	}
	rt->reaper_stop = 1;
	pthread_cond_signal(&rt->reap);
	pthread_cond_broadcast(&rt->changed);
	hr_unlock(rt, cs);
	pthread_join(rt->reaper, NULL);
	hr_signal_fini(rt);
	for (size_t i = 0; i < rt->procs.n; i++)
		proc_free(rt->procs.items[i]);
	VEC_RELEASE(&rt->procs);
	for (size_t i = 0; i < rt->modules.n; i++) {
		struct hr_module *m = rt->modules.items[i];
		hr_inst_close(m->cur);
		hr_inst_close(m->old);
		free(m->name);
		free(m);
	}
	VEC_RELEASE(&rt->modules);
	hr_names_release(rt);
	for (size_t i = 0; i < rt->sups.n; i++) {
		VEC_RELEASE(&rt->sups.items[i]->restarts);
		VEC_RELEASE(&rt->sups.items[i]->subs);
		VEC_RELEASE(&rt->sups.items[i]->children);
		free(rt->sups.items[i]->name);
		free(rt->sups.items[i]);
	}
	VEC_RELEASE(&rt->sups);
	for (size_t i = 0; i < rt->unpurged.n; i++)
		free(rt->unpurged.items[i].module);
	VEC_RELEASE(&rt->unpurged);
	VEC_RELEASE(&rt->events);
	VEC_RELEASE(&rt->reapq);
	pthread_cond_destroy(&rt->changed);
	pthread_cond_destroy(&rt->reap);
	pthread_mutex_destroy(&rt->lock);
	pthread_mutex_destroy(&rt->errlock);
	free(rt);
	return 0;
}
