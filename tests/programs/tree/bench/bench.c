/* bench.c - a benchmark of the store, with a worker thread of its own. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "shared.h"

static int usage(void)
{
	fputs("usage: bench\n", stderr);
	return 2;
}

static void *bench_worker(void *arg)
{
	char buf[32], c;
	(void)arg;
	for (;;) {
		if (read(0, &c, 1) <= 0)
			break;
		store_put(c, proto_encode(buf, sizeof(buf), store_get(c)));
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t w;
	(void)argv;
	if (argc > 1)
		return usage();
	pthread_create(&w, 0, bench_worker, 0);
	pthread_join(w, 0);
	return 0;
}
