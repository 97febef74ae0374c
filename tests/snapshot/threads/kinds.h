/*
 * kinds.h - the thread kinds of the snapshot test program (main.c).
 */
#ifndef THREADS_KINDS_H
#define THREADS_KINDS_H

#include <stdatomic.h>
#include <sys/types.h>

struct thread_arg {
	int kind;        /* 0 looping, 1 reader, 2 waiter, 3 deep */
	int depth;       /* deep: frames of recursion */
	pid_t tid;       /* set by the thread */
};

extern atomic_int started;

void announce(struct thread_arg *a);
void reader_init(void);
void *loop_main(void *arg);
void *reader_main(void *arg);
void *waiter_main(void *arg);
void *deep_main(void *arg);
void nap(void);

#endif
