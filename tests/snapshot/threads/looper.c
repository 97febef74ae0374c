/*
 * looper.c - a thread that loops on direct calls and short sleeps: never in
 * a blocking call, so its next call is what its loop does (local).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "kinds.h"

void announce(struct thread_arg *a)
{
	a->tid = (pid_t)syscall(SYS_gettid);
	atomic_fetch_add(&started, 1);
}

void nap(void)
{
	struct timespec ts = { 0, 20000000 };
	nanosleep(&ts, NULL);
}

void *loop_main(void *arg)
{
	announce(arg);
	for (;;)
		nap();
	return NULL;
}
