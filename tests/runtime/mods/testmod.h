/*
 * testmod.h - what the test modules (counter, caller) and the tests that
 * load them share: the argument of their processes, through which a test
 * sees what a process does.
 */
#ifndef HOTRT_TESTMOD_H
#define HOTRT_TESTMOD_H

#include <stdatomic.h>

struct hotrt_proc;

struct tm_arg {
	atomic_int version;  /* the version of the code that ran last */
	atomic_int laps;     /* entries or loop turns so far */
	atomic_long state;   /* the process's state as it last saw it */
	atomic_int stop;     /* asks a busy loop to return */
	atomic_int fail;     /* asks counter_server to end with HOTRT_FAILED */
	atomic_long init;    /* counter_server's first state; 0: 7 */
};

/* counter */
int counter_version(void);
int counter_local_loop(struct hotrt_proc *self, void *arg);
int counter_qual_loop(struct hotrt_proc *self, void *arg);
int counter_server(struct hotrt_proc *self, void *arg);
int counter_busy(struct hotrt_proc *self, void *arg);
void *counter_code_change(void *state, const char *vsn, const char *extra, const char **error);
/* caller: counter_version() is its remote call */
int caller_remote(void);
int caller_loop(struct hotrt_proc *self, void *arg);

#endif
