/*
 * caller.c - a test module that calls counter directly: a remote call,
 * which the runtime binds to counter's current version.
 */
#include "hotrt.h"
#include "testmod.h"

int caller_remote(void)
{
	return counter_version();
}

/* A process that calls counter through the remote call on every lap. */
int caller_loop(struct hotrt_proc *self, void *arg)
{
	struct tm_arg *a = arg;
	for (;;) {
		atomic_store(&a->version, caller_remote());
		atomic_fetch_add(&a->laps, 1);
		hotrt_receive(self, 5, NULL);
	}
}
