/*
 * bench_plan.c - the planner on a synthetic code base (DESIGN.md §8: plan
 * 100,000 modules and 1,000,000 edges in under 1 s).
 *
 *   bench_plan [-m MODULES] [-e EDGES] [-c PERCENT] [-r REPEAT] [-v] [-w OLD NEW]
 *
 * Builds the facts of two versions in memory with the planner tests'
 * synthetic code base (tests/planner/fixture.h, fx_synthetic: MODULES
 * modules, about EDGES references, PERCENT percent of the modules changed,
 * 0.5% added and 0.5% removed). Then it times plan_build() (diff,
 * classification, Deps, appups, both translations, findings) REPEAT times
 * and prints the best, and the time to write the outputs. With -w it also
 * writes both facts as JSON, for timing the end-to-end command
 * (bench/planner/run). -v checks that the
 * plan's own script lints agree with plan_lint_script().
 *
 * Output, one "key value" per line: modules, edges, touched, script,
 * plan_s, diff_s, and the time to write the script (write_s), the text
 * (text_s) and the JSON (json_s) of the last run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "facts.h"
#include "fileio.h"
#include "fixture.h"
#include "plan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -v: the plan's own script lints agree with plan_lint_script() on the
 * same scripts (prints "checks_agree 1" and the count of findings). */
static void verify_checks(const struct plan *p)
{
	size_t n;
	const char *why;
	int agree = fx_script_findings_agree(p, &n, &why);
	printf("checks_agree %d\nscript_findings %zu\n", agree, n);
	if (!agree)
		fprintf(stderr, "bench_plan: %s\n", why);
}

int main(int argc, char **argv)
{
	struct fx_synth g = { 100000, 1000000, 10 };
	unsigned repeat = 3;
	int verify = 0;
	const char *wold = NULL, *wnew = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc)
			g.modules = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-e") && i + 1 < argc)
			g.edges = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			g.percent = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			repeat = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-v"))
			verify = 1;
		else if (!strcmp(argv[i], "-w") && i + 2 < argc) {
			wold = argv[++i];
			wnew = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_plan [-m MODULES] [-e EDGES] [-c PERCENT]"
				" [-r REPEAT] [-v] [-w OLD.json NEW.json]\n");
			return 2;
		}
	}
	if (g.modules < 2 || g.percent > 99 || !repeat) {
		fprintf(stderr, "bench_plan: need at least 2 modules, -c below 100, -r above 0\n");
		return 2;
	}
	struct facts *old = fx_synthetic(&g, 0), *new = fx_synthetic(&g, 1);
	struct errbuf err;

	if (wold) {
		struct strbuf sb = STRBUF_INIT;
		facts_write_json(old, &sb);
		if (fileio_write(wold, sb.buf, sb.len, &err)) {
			fprintf(stderr, "bench_plan: %s\n", err.msg);
			return 2;
		}
		sb_reset(&sb);
		facts_write_json(new, &sb);
		if (fileio_write(wnew, sb.buf, sb.len, &err)) {
			fprintf(stderr, "bench_plan: %s\n", err.msg);
			return 2;
		}
		sb_release(&sb);
	}

	double best_plan = 1e9, best_diff = 1e9, write_s = 0, text_s = 0, json_s = 0;
	size_t touched = 0, nscript = 0;
	for (unsigned r = 0; r < repeat; r++) {
		double t0 = now();
		struct diff d;
		diff_compute(&d, old, new);
		double t1 = now();
		diff_release(&d);
		if (t1 - t0 < best_diff)
			best_diff = t1 - t0;

		struct plan p;
		struct plan_options opt;
		plan_options_init(&opt);
		t0 = now();
		if (plan_build(&p, old, new, &opt, &err)) {
			fprintf(stderr, "bench_plan: %s\n", err.msg);
			return 1;
		}
		t1 = now();
		if (t1 - t0 < best_plan)
			best_plan = t1 - t0;
		struct strbuf sb = STRBUF_INIT;
		t0 = now();
		plan_write_erlang(&p, PLAN_OUT_UP, &sb);
		write_s = now() - t0;
		sb_reset(&sb);
		t0 = now();
		plan_write_text(&p, &sb);
		text_s = now() - t0;
		sb_reset(&sb);
		t0 = now();
		plan_write_json(&p, &sb);
		json_s = now() - t0;
		touched = p.ndecisions;
		if (verify && !r)
			verify_checks(&p);
		nscript = p.up_script->u.seq.n;
		sb_release(&sb);
		plan_release(&p);
	}
	size_t nedges = new->nedges;
	printf("modules %zu\nedges %zu\ntouched %zu\nscript %zu\nplan_s %.3f\ndiff_s %.3f\n"
	       "write_s %.3f\ntext_s %.3f\njson_s %.3f\n",
	       new->nmodules, nedges, touched, nscript, best_plan, best_diff, write_s,
	       text_s, json_s);
	facts_free(old);
	facts_free(new);
	return 0;
}
