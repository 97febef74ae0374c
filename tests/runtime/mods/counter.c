/*
 * counter.c - a test module built twice (COUNTER_VSN 1 and 2) as
 * counter.1.so and counter.2.so: the processes of every kind the runtime
 * tests need, each reporting its version through struct tm_arg.
 */
#include <stdint.h>

#include "hotrt.h"
#include "testmod.h"

int counter_version(void)
{
	return COUNTER_VSN;
}

/* The local loop: stays in the version it started in. */
int counter_local_loop(struct hotrt_proc *self, void *arg)
{
	struct tm_arg *a = arg;
	for (;;) {
		atomic_store(&a->version, counter_version());
		atomic_fetch_add(&a->laps, 1);
		hotrt_receive(self, 5, NULL);
	}
}

/* The qualified loop: one lap per entry, the next one in the current version. */
int counter_qual_loop(struct hotrt_proc *self, void *arg)
{
	struct tm_arg *a = arg;
	atomic_store(&a->version, counter_version());
	atomic_fetch_add(&a->laps, 1);
	hotrt_receive(self, 5, NULL);
	return HOTRT_CONTINUE;
}

/* A server answering system messages; its state is a number. */
int counter_server(struct hotrt_proc *self, void *arg)
{
	struct tm_arg *a = arg;
	if (!hotrt_state(self))
		hotrt_set_state(self, (void *)(intptr_t)(atomic_load(&a->init) ? atomic_load(&a->init) : 7));
	for (;;) {
		atomic_store(&a->version, counter_version());
		atomic_store(&a->state, (long)(intptr_t)hotrt_state(self));
		atomic_fetch_add(&a->laps, 1);
		if (atomic_load(&a->fail))
			return HOTRT_FAILED;
		hotrt_receive(self, 5, NULL);
	}
}

/* Never reaches a safe point or a cancellation point until asked to stop. */
int counter_busy(struct hotrt_proc *self, void *arg)
{
	struct tm_arg *a = arg;
	atomic_store(&a->version, counter_version());
	atomic_fetch_add(&a->laps, 1);
	while (!atomic_load(&a->stop))
		;
	return HOTRT_NORMAL;
}

#if COUNTER_VSN == 2
/* v2's state is v1's times 100, plus 1 when upgraded from "1"; a state of
 * 13 is refused, as is every state with Extra = fail. */
void *counter_code_change(void *state, const char *vsn, const char *extra, const char **error)
{
	if (extra[0] == 'f' || (intptr_t)state == 13) {
		*error = "{error,refused}";
		return state;
	}
	intptr_t s = (intptr_t)state * 100 + (vsn[0] == '1' && !vsn[1]);
	return (void *)s;
}
#endif
