/*
 * runner.c - a test program for hotplan snapshot: versions of one module
 * loaded side by side as shared objects, with threads sitting in each.
 *
 *   versioned DIR VSN...
 *
 * Opens DIR/mod.VSN.so for each VSN (dlopen, RTLD_LOCAL: each a version of
 * its own) and starts one thread per version at runner_main(), which calls
 * that version's mod_serve(). With two versions or more, one more thread
 * calls the last version's mod_serve(), which calls the first's: its stack
 * holds both. Once every thread sits in its loop it prints one line per
 * thread, "TID VSN" (the cross thread: "TID LAST+FIRST"), then "ready", and
 * waits in sigwait() until SIGTERM or SIGINT.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "versioned.h"

struct runner {
	struct serve_arg serve, inner;
	void *(*entry)(void *);
	pid_t tid;
	char label[64];
};

static atomic_int arrived;

void *runner_main(void *arg)
{
	struct runner *r = arg;
	r->tid = (pid_t)syscall(SYS_gettid);
	return r->entry(&r->serve);
}

static void *(*open_version(const char *dir, const char *vsn))(void *)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/mod.%s.so", dir, vsn);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	void *(*fn)(void *) = h ? (void *(*)(void *))dlsym(h, "mod_serve") : NULL;
	if (!fn) {
		fprintf(stderr, "versioned: %s\n", dlerror());
		exit(1);
	}
	return fn;
}

int main(int argc, char **argv)
{
	int n = argc - 2, nthreads = n > 1 ? n + 1 : n;
	struct runner *rs = calloc((size_t)nthreads + 1, sizeof(*rs));
	sigset_t stop;
	int sig;
	pthread_t t;

	if (n < 1) {
		fprintf(stderr, "usage: versioned DIR VSN...\n");
		return 2;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	for (int i = 0; i < n; i++) {
		rs[i].entry = open_version(argv[1], argv[2 + i]);
		rs[i].serve.arrived = &arrived;
		snprintf(rs[i].label, sizeof(rs[i].label), "%s", argv[2 + i]);
	}
	if (n > 1) {
		struct runner *x = &rs[n];
		x->entry = rs[n - 1].entry;
		x->serve.next = rs[0].entry;
		x->serve.next_arg = &x->inner;
		x->inner.arrived = &arrived;
		snprintf(x->label, sizeof(x->label), "%s+%s", argv[1 + n], argv[2]);
	}
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&t, NULL, runner_main, &rs[i]) != 0) {
			perror("versioned: pthread_create");
			return 1;
		}
	}
	while (atomic_load(&arrived) < nthreads) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < nthreads; i++)
		printf("%ld %s\n", (long)rs[i].tid, rs[i].label);
	printf("ready\n");
	fflush(stdout);
	sigwait(&stop, &sig);
	return 0;
}
