/*
 * main.c - a test program for hotplan snapshot: N threads in mixed states.
 *
 *   threads N [DEPTH]
 *
 * Starts N threads, a quarter of each kind, round robin: looping (direct
 * calls and short sleeps, never a blocking call), blocked in read() on a
 * pipe nobody writes, blocked in pthread_cond_wait() on a condition nobody
 * signals, and deep recursion (DEPTH frames, default 100, then looping).
 * Once every thread has reached its state it prints one line per thread,
 * "TID KIND", then "ready", and waits in sigwait() until SIGTERM or SIGINT.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kinds.h"

atomic_int started;

static const char *const kind_names[] = { "looping", "reader", "waiter", "deep" };

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	int depth = argc > 2 ? atoi(argv[2]) : 100;
	sigset_t stop;
	int sig;
	pthread_attr_t attr;
	struct thread_arg *args = calloc((size_t)n, sizeof(*args));
	pthread_t tid;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	reader_init();
	for (int i = 0; i < n; i++) {
		args[i].kind = i % 4;
		args[i].depth = depth;
		int rc;
		/* one pthread_create per kind: each start routine is an entry point */
		switch (i % 4) {
		case 0: rc = pthread_create(&tid, &attr, loop_main, &args[i]); break;
		case 1: rc = pthread_create(&tid, &attr, reader_main, &args[i]); break;
		case 2: rc = pthread_create(&tid, &attr, waiter_main, &args[i]); break;
		default: rc = pthread_create(&tid, &attr, deep_main, &args[i]); break;
		}
		if (rc != 0) {
			perror("threads: pthread_create");
			return 1;
		}
	}
	while (atomic_load(&started) < n) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	/* every thread has announced itself: give the blocked ones time to
	 * enter their call */
	struct timespec settle = { 0, 300000000 };
	nanosleep(&settle, NULL);
	for (int i = 0; i < n; i++)
		printf("%ld %s\n", (long)args[i].tid, kind_names[args[i].kind]);
	printf("ready\n");
	fflush(stdout);
	sigwait(&stop, &sig);
	return 0;
}
