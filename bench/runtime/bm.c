/* bm.c - the benchmark's module (versions 1 and 2). */
#include <stdint.h>
#include "hotrt.h"

int bm_add(int x);
int bm_server(struct hotrt_proc *self, void *arg);
void *bm_code_change(void *state, const char *vsn, const char *extra, const char **error);

int bm_add(int x)
{
	return x + BM_VSN;
}

/* A sys server blocked in its safe point. */
int bm_server(struct hotrt_proc *self, void *arg)
{
	for (;;)
		hotrt_receive(self, -1, NULL);
}

void *bm_code_change(void *state, const char *vsn, const char *extra, const char **error)
{
	return (void *)((intptr_t)state + 1);
}
