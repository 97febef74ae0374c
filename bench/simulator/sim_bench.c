/*
 * sim_bench.c - times reading a runtime and simulating a script on it.
 *
 * usage: sim_bench RUNTIME.json SCRIPT
 * Prints one line: processes, bytes, read seconds and MB/s (wall, then
 * CPU), simulation seconds (wall, CPU), instructions, killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fileio.h"
#include "sim.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: on a shared machine wall time also counts
 * the other tenants. */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct errbuf err;
	struct runtime *rt;
	struct arena a;
	struct script sc;
	char *data;
	size_t len;
	if (argc != 3) {
		fprintf(stderr, "usage: sim_bench RUNTIME.json SCRIPT\n");
		return 2;
	}
	arena_init(&a);
	if (script_read_file(&a, argv[2], &sc, &err)) {
		fprintf(stderr, "sim_bench: %s\n", err.msg);
		return 2;
	}
	if (fileio_read(argv[1], &data, &len, &err)) {
		fprintf(stderr, "sim_bench: %s\n", err.msg);
		return 2;
	}
	double c0 = cpu(), t0 = now();
	if (runtime_read_json(argv[1], data, len, &rt, &err)) {
		fprintf(stderr, "sim_bench: %s\n", err.msg);
		return 2;
	}
	double c1 = cpu(), t1 = now();
	struct sim_options opt = { .until = SIM_UNTIL_PERMANENT };
	struct sim_report rep;
	sim_run(rt, &sc, 1, &opt, &rep);
	double c2 = cpu(), t2 = now();
	const struct sim_outcome *o = sim_outcome(rep.primary);
	printf("%zu %zu %.3f %.1f %.3f %.1f %.3f %.3f %zu %zu\n", rt->processes.n, len,
	       t1 - t0, (double)len / 1e6 / (t1 - t0), c1 - c0, (double)len / 1e6 / (c1 - c0),
	       t2 - t1, c2 - c1, sc.n, o->killed);
	sim_report_release(&rep);
	runtime_free(rt);
	free(data);
	arena_release(&a);
	return 0;
}
