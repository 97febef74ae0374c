/*
 * mod.c - the module built once per version as mod.VSN.so (MOD_VSN names
 * the version; see tests/snapshot/CMakeLists.txt). A thread sits in
 * mod_serve()'s loop of short sleeps, or first calls another version's
 * mod_serve() so that its stack holds both versions.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <time.h>

#include "versioned.h"

#ifndef MOD_VSN
#define MOD_VSN "1"
#endif

const char mod_vsn[] = MOD_VSN;

static void mod_nap(void)
{
	struct timespec ts = { 0, 20000000 };
	nanosleep(&ts, NULL);
}

void *mod_serve(void *arg)
{
	struct serve_arg *a = arg;
	if (a->next) {
		void *r = a->next(a->next_arg);
		return r ? r : a;  /* not a tail call: this frame stays */
	}
	atomic_fetch_add(a->arrived, 1);
	for (;;)
		mod_nap();
	return NULL;
}
