/*
 * stop.c - stopping the threads of a live process, and resuming them on
 * every path.
 *
 * Threads are attached with PTRACE_SEIZE and stopped with PTRACE_INTERRUPT:
 * no SIGSTOP is ever sent. With PTRACE_ATTACH, a SIGSTOP not yet consumed
 * when the tracer dies would be delivered afterwards and leave the whole
 * process stopped (state T) for good; a seized thread in an interrupt stop
 * simply runs again when the kernel detaches its dead tracer. So a SIGKILL
 * of hotplan can never leave the target stopped.
 *
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked from before the first
 * thread is seized until the last one is detached: a user's Ctrl-C or a
 * service manager's SIGTERM then takes effect right after the resume, with
 * no handler and no global state. The invariant: when stop_all() or
 * stop_resume() returns, no thread of the target is stopped by hotplan and
 * the signal mask is hotplan's own again; only stop_all()'s success leaves
 * threads stopped, for the caller to resume.
 *
 * The thread list is read again until it holds no new thread: a thread
 * created by one not yet stopped is found on the next pass; once all are
 * stopped, none can be created.
 */
#include "snapshot_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#ifndef PTRACE_INTERRUPT
#define PTRACE_INTERRUPT 0x4207
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

int proc_state(long pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* "PID (COMM) S ...": COMM may hold ')' itself; the last one ends it */
	char *close = strrchr(buf, ')');
	if (!close || close[1] != ' ' || !close[2])
		return 0;
	return (unsigned char)close[2];
}

const char *proc_comm(struct arena *a, long pid, long tid)
{
	char path[96], buf[64];
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/comm", pid, tid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return "?";
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return arena_strdup(a, buf);
}

static int has_tid(const struct stop_set *s, long tid)
{
	for (size_t i = 0; i < s->threads.n; i++)
		if (s->threads.items[i].tid == tid)
			return 1;
	return 0;
}

static int tid_cmp(const void *a, const void *b)
{
	const struct stop_thread *x = a, *y = b;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int snapshot_permission_error(struct errbuf *err, long pid, int e)
{
	return hp_error(err, HP_EUSAGE,
			"cannot attach to process '%ld': %s; ptrace needs the same user as the "
			"process and /proc/sys/kernel/yama/ptrace_scope at 0 (or CAP_SYS_PTRACE, "
			"e.g. run as root), and no other debugger attached", pid, strerror(e));
}

/* Seizes and stops one thread. 1: stopped and recorded; 0: it is gone
 * (exited meanwhile); -1: ptrace refused (errno kept). */
static int stop_one(struct stop_set *s, long tid)
{
	int status;
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) != 0)
		return errno == ESRCH ? 0 : -1;
	if (!s->threads.n && !s->t0.tv_sec && !s->t0.tv_nsec)
		clock_gettime(CLOCK_MONOTONIC, &s->t0);
	if (ptrace(PTRACE_INTERRUPT, (pid_t)tid, NULL, NULL) != 0) {
		int e = errno;
		ptrace(PTRACE_DETACH, (pid_t)tid, NULL, NULL);
		if (e == ESRCH)
			return 0;
		errno = e;
		return -1;
	}
	for (;;) {
		pid_t w = waitpid((pid_t)tid, &status, __WALL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;  /* gone, and reaped by its own parent */
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return 0;
		break;
	}
	struct stop_thread t = { tid, 0 };
	/* A signal-delivery-stop (not our interrupt, not a group stop) holds
	 * a signal meant for the target: it is handed back on detach. */
	if (WIFSTOPPED(status) && (status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP)
		t.resume_sig = WSTOPSIG(status);
	VEC_PUSH(&s->threads, t);
	return 1;
}

/* One pass over /proc/PID/task: stops the threads not stopped yet.
 * Returns how many it stopped, or -1 (errno kept; err set) on refusal. */
static int stop_pass(struct stop_set *s, struct errbuf *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/task", s->pid);
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		hp_error(err, HP_EUSAGE, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	int stopped = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (*end || tid <= 0 || has_tid(s, tid))
			continue;
		if (s->threads.n >= SNAPSHOT_MAX_THREADS) {
			closedir(d);
			hp_error(err, HP_EUSAGE, "process '%ld' has more than %d threads",
				 s->pid, SNAPSHOT_MAX_THREADS);
			return -1;
		}
		int r = stop_one(s, tid);
		if (r < 0) {
			int e = errno;
			closedir(d);
			if (e == EPERM || e == EACCES)
				snapshot_permission_error(err, s->pid, e);
			else
				hp_error(err, HP_EUSAGE, "cannot stop thread '%ld' of process '%ld': %s",
					 tid, s->pid, strerror(e));
			return -1;
		}
		stopped += r;
	}
	closedir(d);
	return stopped;
}

int stop_all(struct stop_set *s, long pid, struct errbuf *err)
{
	sigset_t block;
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &s->saved);
	s->blocked = 1;
	for (;;) {
		int r = stop_pass(s, err);
		if (r < 0) {
			stop_resume(s);
			return HP_EUSAGE;
		}
		if (r == 0)
			break;
	}
	if (!s->threads.n) {
		stop_resume(s);
		if (!proc_state(pid))
			return hp_error(err, HP_EUSAGE, "no process '%ld'; check the PID with 'ps'", pid);
		return hp_error(err, HP_EUSAGE, "process '%ld' exited during the snapshot", pid);
	}
	qsort(s->threads.items, s->threads.n, sizeof(*s->threads.items), tid_cmp);
	return 0;
}

void stop_resume(struct stop_set *s)
{
	for (size_t i = 0; i < s->threads.n; i++) {
		const struct stop_thread *t = &s->threads.items[i];
		ptrace(PTRACE_DETACH, (pid_t)t->tid, NULL, (void *)(long)t->resume_sig);
	}
	if (s->threads.n)
		s->paused_ms = ms_since(&s->t0);
	s->threads.n = 0;
	if (s->blocked) {
		sigprocmask(SIG_SETMASK, &s->saved, NULL);
		s->blocked = 0;
	}
}

void stop_release(struct stop_set *s)
{
	stop_resume(s);
	VEC_RELEASE(&s->threads);
}
