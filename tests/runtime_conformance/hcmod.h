/*
 * hcmod.h - what the conformance host (host.c) gives every process of a
 * scenario, shared with the generated modules (mod.c.in): where the
 * process reports its thread id and that it reached its starting point,
 * the pipe it blocks on, and the function pointer it holds.
 */
#ifndef HCMOD_H
#define HCMOD_H

#include <stdatomic.h>

struct hotrt_proc;

struct hc_arg {
	atomic_int ready;      /* set once the process sits at its starting point */
	atomic_long tid;       /* its thread (gettid), set at each entry */
	int fd;                /* the read end of a pipe nobody writes */
	int sys;               /* the process answers system messages */
	int wait_blocked;      /* for a stack process: N_wait blocks in poll */
	const char *fun_mod;   /* the module whose NAME_fun it holds, or NULL */
	void *held;            /* the held function pointer */
};

#endif
