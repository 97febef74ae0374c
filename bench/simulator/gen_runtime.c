/*
 * gen_runtime.c - corpus for the simulator benchmark: a runtime of N
 * processes over M modules (hotplan-runtime JSON) and a script of about
 * 30,000 instructions (suspend, load, code_change, resume per module).
 *
 * usage: gen_runtime PROCESSES MODULES RUNTIME.json SCRIPT
 * Deterministic: a fixed xorshift generator, so every run writes the same
 * bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gen_runtime PROCESSES MODULES RUNTIME.json SCRIPT\n");
		return 2;
	}
	long np = atol(argv[1]), nm = atol(argv[2]);
	long nsup = nm / 100 ? nm / 100 : 1;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	FILE *f = fopen(argv[3], "w");
	if (!f || np <= 0 || nm <= 0) {
		fprintf(stderr, "gen_runtime: bad arguments or cannot write '%s'\n", argv[3]);
		return 2;
	}
	fprintf(f, "{\"format\": \"hotplan-runtime\", \"version\": 1,\n\"modules\": [\n");
	for (long m = 0; m < nm; m++)
		fprintf(f, "{\"name\": \"mod%05ld\", \"current\": 2, \"old\": 1}%s\n", m, m + 1 < nm ? "," : "");
	fprintf(f, "],\n\"supervisors\": [\n");
	for (long s = 0; s < nsup; s++)
		fprintf(f, "{\"name\": \"sup%ld\", \"intensity\": 1000000, \"period\": 5}%s\n", s,
			s + 1 < nsup ? "," : "");
	fprintf(f, "],\n\"processes\": [\n");
	static const char *const nexts[] = { "local", "qualified", "blocked", "local", "qualified" };
	for (long p = 0; p < np; p++) {
		uint64_t r = next_rand(&seed);
		long m = (long)(r % (uint64_t)nm);
		const char *ver = (r >> 20) % 10 == 0 ? "old" : "current";
		const char *next = nexts[(r >> 24) % 5];
		fprintf(f, "{\"pid\": %ld, \"frames\": [{\"module\": \"mod%05ld\", \"version\": \"%s\"}",
			p, m, ver);
		if ((r >> 28) % 4 == 0)
			fprintf(f, ", {\"module\": \"mod%05ld\", \"version\": \"current\"}",
				(long)((r >> 32) % (uint64_t)nm));
		fprintf(f, "], \"next_call\": \"%s\"", next);
		if ((r >> 40) % 2 == 0)
			fprintf(f, ", \"sys\": true, \"supervisor\": \"sup%ld\", \"modules\": [\"mod%05ld\"]",
				(long)((r >> 44) % (uint64_t)nsup), m);
		fprintf(f, "}%s\n", p + 1 < np ? "," : "");
	}
	fprintf(f, "]}\n");
	if (fclose(f)) {
		fprintf(stderr, "gen_runtime: cannot write '%s'\n", argv[3]);
		return 2;
	}
	f = fopen(argv[4], "w");
	if (!f)
		return 2;
	long nload = nm < 7500 ? nm : 7500;
	fprintf(f, "{load_object_code,{app,\"2\",[");
	for (long m = 0; m < nload; m++)
		fprintf(f, "%smod%05ld", m ? "," : "", m);
	fprintf(f, "]}}.\npoint_of_no_return.\n");
	for (long m = 0; m < nload; m++)
		fprintf(f, "{suspend,[mod%05ld]}.\n{load,{mod%05ld,brutal_purge,brutal_purge}}.\n"
			"{code_change,[{mod%05ld,[]}]}.\n{resume,[mod%05ld]}.\n", m, m, m, m);
	return fclose(f) ? 2 : 0;
}
