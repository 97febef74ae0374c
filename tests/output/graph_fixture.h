/*
 * graph_fixture.h - small facts built in C for the output tests: the
 * callsrv shape in two versions (a cycle session <-> dialog, a process
 * module, a removed and an added module), with a plan and a kill to draw.
 *
 * The report is forbidden: a killed process (HP301), a removed export still
 * referenced (HP101, twice with the same text), a warning (HP105), and a
 * finding whose text needs escaping in every format.
 *
 * Invariant: the facts obey facts.h's ordering invariants (modules sorted,
 * edges sorted by (from, to)), built by hand so the tests need no analyzer
 * and no facts reader.
 */
#ifndef HOTPLAN_TEST_GRAPH_FIXTURE_H
#define HOTPLAN_TEST_GRAPH_FIXTURE_H

#include "output.h"

struct fixture {
	struct facts old, new;
	struct module om[6], nm[6];
	struct edge oe[8], ne[8];
	struct entry entry;
	const char *files[8][1];
	struct graph_note notes[4];
	struct graph_kill kill;
	/* a check report: two planner rules of the fixture's own wording, and
	 * the policy's from the table; a killed and a surviving process */
	struct rule_info prules[2];
	const struct rule_info *rules[6];
	struct report_finding findings[5];
	struct report_process procs[2];
	const char *steps[2];
	struct report report;
};

/* Fills fx; pointers stay valid while fx lives. */
void fixture_init(struct fixture *fx);
/* A spec drawing OLD alone (plan 0) or OLD -> NEW with the plan (plan 1). */
struct graph_spec fixture_spec(const struct fixture *fx, int plan);

/* Fills fx->report (called by fixture_init): forbidden, with findings of
 * three rules, one of them twice with the same identity. */
void fixture_report(struct fixture *fx);

#endif
