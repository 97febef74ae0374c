/*
 * deep.c - threads that recurse DEPTH frames deep, then loop there on
 * direct calls and short sleeps.
 */
#define _GNU_SOURCE
#include <stddef.h>

#include "kinds.h"

static int descend(int n, struct thread_arg *a)
{
	if (n <= 0) {
		announce(a);
		while (a->depth >= 0)
			nap();
		return 0;
	}
	return descend(n - 1, a) + 1;  /* not a tail call: every frame stays */
}

void *deep_main(void *arg)
{
	struct thread_arg *a = arg;
	descend(a->depth, a);
	return NULL;
}
