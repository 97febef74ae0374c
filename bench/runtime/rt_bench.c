/*
 * rt_bench.c - libhotrt's costs (issue 13):
 *   1. a call through hotrt_lookup (the qualified call) against a direct
 *      call of the same function through a pointer held once;
 *   2. the pause a user sees: from the first suspend to the last resume
 *      of an upgrade (suspend, load, code_change, resume) of 10, 100 and
 *      1,000 sys processes blocked in their safe point;
 *   3. loading 100 modules, loading their second versions (old := current)
 *      and purging the 100 old versions.
 * Usage: rt_bench MODDIR (holding bm.1.so and bm.2.so). Prints one line
 * per figure; never fails on a figure (there is no target yet).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotrt.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(struct hotrt *rt, const char *what)
{
	char msg[1024];
	fprintf(stderr, "rt_bench: %s: %s\n", what, rt ? hotrt_errmsg(rt, msg, sizeof(msg)) : "");
	exit(1);
}

static struct hotrt *new_rt(void)
{
	struct hotrt_options o = {
		.suspend_timeout_ms = -1, .resume_attempt_ms = -1, .purge_timeout_ms = -1,
		.sample_timeout_ms = -1, .shutdown_ms = -1,
	};
	struct hotrt *rt;
	if (hotrt_new(&rt, &o, NULL))
		die(NULL, "hotrt_new");
	return rt;
}

static void bench_calls(const char *dir)
{
	struct hotrt *rt = new_rt();
	char path[4096];
	snprintf(path, sizeof(path), "%s/bm.1.so", dir);
	if (hotrt_load(rt, "bm", "1", path))
		die(rt, "load");
	int (*volatile direct)(int) = (int (*)(int))hotrt_lookup(rt, "bm", "bm_add");
	const int n = 2000000;
	long sum = 0;
	double t0 = now_s();
	for (int i = 0; i < n; i++)
		sum += direct(i);
	double t1 = now_s();
	for (int i = 0; i < n; i++)
		sum += ((int (*)(int))hotrt_lookup(rt, "bm", "bm_add"))(i);
	double t2 = now_s();
	double d = (t1 - t0) / n * 1e9, q = (t2 - t1) / n * 1e9;
	printf("call: direct %.1f ns, lookup %.1f ns, ratio %.1fx (%d calls each, sum %ld)\n",
	       d, q, q / d, n, sum);
	hotrt_free(rt);
}

static void bench_pause(const char *dir, int nproc)
{
	struct hotrt *rt = new_rt();
	char path[4096], script[256];
	snprintf(path, sizeof(path), "%s/bm.1.so", dir);
	if (hotrt_load(rt, "bm", "1", path))
		die(rt, "load");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "sup", 1, 5000);
	for (int i = 0; i < nproc; i++) {
		char id[32];
		snprintf(id, sizeof(id), "w%d", i);
		struct hotrt_spawn s = { .module = "bm", .entry = "bm_server", .sys = 1,
					 .sup = sup, .id = id, .name = id };
		if (hotrt_spawn(rt, &s, NULL))
			die(rt, "spawn");
	}
	usleep(200000);  /* let every process reach its safe point */
	snprintf(script, sizeof(script), "/tmp/rt_bench-%d.script", (int)getpid());
	FILE *f = fopen(script, "w");
	fputs("{load_object_code,{app,\"2\",[bm]}}.\npoint_of_no_return.\n{suspend,[bm]}.\n"
	      "{load,{bm,brutal_purge,brutal_purge}}.\n{code_change,up,[{bm,[]}]}.\n"
	      "{resume,[bm]}.\n", f);
	fclose(f);
	struct hotrt_libdir lib = { "app", "2", dir };
	char *res = NULL;
	double t0 = now_s();
	int kind = hotrt_install(rt, script, &lib, 1, &res);
	double t1 = now_s();
	unlink(script);
	if (kind != HOTRT_RES_OK)
		die(rt, res ? res : "install");
	int64_t first = -1, last = -1, susp_end = 0, cc_first = -1, cc_end = 0;
	size_t susp = 0, resumed = 0;
	for (size_t i = 0; i < hotrt_event_count(rt); i++) {
		struct hotrt_event e;
		hotrt_event_get(rt, i, &e);
		if (e.kind == HOTRT_EV_SUSPENDED && first < 0)
			first = e.time_ns;
		if (e.kind == HOTRT_EV_SUSPENDED)
			susp_end = e.time_ns;
		if (e.kind == HOTRT_EV_CODE_CHANGE && cc_first < 0)
			cc_first = e.time_ns;
		if (e.kind == HOTRT_EV_CODE_CHANGE)
			cc_end = e.time_ns;
		susp += e.kind == HOTRT_EV_SUSPENDED;
		if (e.kind == HOTRT_EV_RESUMED) {
			last = e.time_ns;
			resumed++;
		}
	}
	printf("pause: %5d processes: first suspend to last resume %8.2f ms "
	       "(%.1f us per process; suspend %.2f, code_change %.2f, resume %.2f ms; "
	       "whole install %.2f ms; %zu suspended, %zu resumed; %s)\n",
	       nproc, (last - first) / 1e6, (last - first) / 1e3 / nproc,
	       (susp_end - first) / 1e6, (cc_end - cc_first) / 1e6, (last - cc_end) / 1e6,
	       (t1 - t0) * 1e3, susp, resumed, res);
	free(res);
	hotrt_free(rt);
}

static void bench_modules(const char *dir)
{
	struct hotrt *rt = new_rt();
	char p1[4096], p2[4096], name[32];
	snprintf(p1, sizeof(p1), "%s/bm.1.so", dir);
	snprintf(p2, sizeof(p2), "%s/bm.2.so", dir);
	double t0 = now_s();
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		if (hotrt_load(rt, name, "1", p1))
			die(rt, "load 1");
	}
	double t1 = now_s();
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		if (hotrt_load(rt, name, "2", p2))
			die(rt, "load 2");
	}
	double t2 = now_s();
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		if (hotrt_purge(rt, name, NULL))
			die(rt, "purge");
	}
	double t3 = now_s();
	printf("modules: 100 loaded in %.2f ms, 100 second versions in %.2f ms, "
	       "100 old purged in %.2f ms (total %.2f ms)\n",
	       (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t3 - t0) * 1e3);
	hotrt_free(rt);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rt_bench MODDIR\n");
		return 2;
	}
	bench_calls(argv[1]);
	bench_pause(argv[1], 10);
	bench_pause(argv[1], 100);
	bench_pause(argv[1], 1000);
	bench_modules(argv[1]);
	return 0;
}
