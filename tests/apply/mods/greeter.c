/*
 * greeter.c - the module the apply tests upgrade live, built twice
 * (GREETER_VSN 1 and 2) as greeter.1.so and greeter.2.so: a server that
 * answers each request with its version and state, and a ticker that
 * loops locally (it stays in the version it started in, so a purge of that
 * version kills it), and a busy loop a kill cannot end.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "hotrt.h"
#include "greet.h"

int greeter_version(void)
{
	return GREETER_VSN;
}

/* The server: a sys process whose state is a number (7 at the start). */
int greeter_server(struct hotrt_proc *self, void *arg)
{
	(void)arg;
	if (!hotrt_state(self))
		hotrt_set_state(self, (void *)(intptr_t)7);
	for (;;) {
		void *msg = NULL;
		if (hotrt_receive(self, -1, &msg) != HOTRT_MESSAGE)
			continue;
		struct greet_req *r = msg;
		snprintf(r->answer, sizeof(r->answer), "greeter %d state %ld", greeter_version(),
			 (long)(intptr_t)hotrt_state(self));
		sem_post(&r->done);
	}
}

/* The local loop: never leaves the version it was started in. */
int greeter_ticker(struct hotrt_proc *self, void *arg)
{
	(void)arg;
	for (;;)
		hotrt_receive(self, 20, NULL);
}

/* Spins with no safe point and no cancellation point until *arg (an
 * atomic_int) is set: a kill cannot end it before, so a purge hangs. */
int greeter_busy(struct hotrt_proc *self, void *arg)
{
	(void)self;
	atomic_int *stop = arg;
	while (!atomic_load(stop))
		;
	return HOTRT_NORMAL;
}

#if GREETER_VSN >= 2
/* Version 2 adds 100 to the state it inherits. */
void *greeter_code_change(void *state, const char *vsn, const char *extra,
			  const char **error)
{
	(void)vsn;
	(void)extra;
	(void)error;
	return (void *)((intptr_t)state + 100);
}
#endif
