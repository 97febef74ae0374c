/*
 * graph_fixture.c - builds the facts of graph_fixture.h by hand.
 *
 * Invariant: module and edge arrays are written in sorted order.
 */
#include "graph_fixture.h"

#include <string.h>

static struct module mod(const char *name, const char **file)
{
	struct module m;
	memset(&m, 0, sizeof m);
	m.name = name;
	m.files = file;
	m.nfiles = 1;
	return m;
}

static struct edge edge(const char *from, const char *to, unsigned kinds, unsigned count)
{
	struct edge e = { from, to, kinds, count, 0 };
	return e;
}

void fixture_init(struct fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	static const char *const paths[8] = {
		"/src/callsrv/src/net/acceptor.c", "/src/callsrv/src/proto/dialog.c",
		"/src/callsrv/src/auth/legacy_auth.c", "/src/callsrv/src/lib/log.c",
		"/src/callsrv/src/proto/session.c", "/src/callsrv/src/proto/sip.c",
		"/src/callsrv/src/obs/metrics.c", "",
	};
	for (int i = 0; i < 8; i++)
		fx->files[i][0] = paths[i];

	fx->entry.function = "acceptor_main";
	fx->entry.spawner = "pthread_create";
	fx->entry.next_call = NEXT_BLOCKED;
	fx->entry.blocking = "accept";

	/* OLD: acceptor dialog legacy_auth log session sip */
	fx->om[0] = mod("acceptor", fx->files[0]);
	fx->om[0].entries = &fx->entry;
	fx->om[0].nentries = 1;
	fx->om[1] = mod("dialog", fx->files[1]);
	fx->om[2] = mod("legacy_auth", fx->files[2]);
	fx->om[3] = mod("log", fx->files[3]);
	fx->om[4] = mod("session", fx->files[4]);
	fx->om[5] = mod("sip", fx->files[5]);
	fx->oe[0] = edge("acceptor", "sip", REF_CALL, 2);
	fx->oe[1] = edge("dialog", "session", REF_ADDRESS, 1);
	fx->oe[2] = edge("session", "dialog", REF_CALL | REF_DATA, 3);
	fx->oe[3] = edge("sip", "legacy_auth", REF_CALL, 1);
	fx->oe[4] = edge("sip", "log", REF_QUALIFIED, 1);
	fx->oe[5] = edge("sip", "session", REF_CALL, 4);
	fx->old.root = "callsrv/v1";
	fx->old.modules = fx->om;
	fx->old.nmodules = 6;
	fx->old.edges = fx->oe;
	fx->old.nedges = 6;

	/* NEW: acceptor dialog log metrics session sip */
	fx->nm[0] = fx->om[0];
	fx->nm[1] = fx->om[1];
	fx->nm[2] = fx->om[3];
	fx->nm[3] = mod("metrics", fx->files[6]);
	fx->nm[4] = fx->om[4];
	fx->nm[5] = fx->om[5];
	fx->ne[0] = edge("acceptor", "sip", REF_CALL, 2);
	fx->ne[1] = edge("dialog", "session", REF_ADDRESS, 1);
	fx->ne[2] = edge("session", "dialog", REF_CALL | REF_DATA, 3);
	fx->ne[3] = edge("sip", "log", REF_QUALIFIED, 1);
	fx->ne[4] = edge("sip", "metrics", REF_CALL, 1);
	fx->ne[5] = edge("sip", "session", REF_CALL, 4);
	fx->new.root = "callsrv/v2";
	fx->new.modules = fx->nm;
	fx->new.nmodules = 6;
	fx->new.edges = fx->ne;
	fx->new.nedges = 6;

	fx->notes[0] = (struct graph_note){ "metrics", GC_ADDED, 1, "add", NULL };
	fx->notes[1] = (struct graph_note){ "session", GC_STATE | GC_BODY, 2, "update advanced",
					    "soft_purge" };
	fx->notes[2] = (struct graph_note){ "sip", GC_BODY | GC_EXPORTS, 3, "load", "brutal_purge" };
	fx->notes[3] = (struct graph_note){ "legacy_auth", GC_REMOVED, 4, "delete", "brutal_purge" };
	fx->kill = (struct graph_kill){ "acceptor_main", "sip", 9, "load sip" };
	fixture_report(fx);
}

void fixture_report(struct fixture *fx)
{
	fx->prules[0] = (struct rule_info){ "HP101", "removed-export-referenced", SEV_ERROR, RULE_PLANNER,
		"an export removed by the upgrade is still referenced",
		"Keep the export until every caller is upgraded with it, or upgrade the callers "
		"in the same release." };
	fx->prules[1] = (struct rule_info){ "HP105", "load-out-of-dependency-order", SEV_WARNING, RULE_PLANNER,
		"a module is loaded before a module it depends on",
		"Load dependencies first." };
	fx->rules[0] = &fx->prules[0];
	fx->rules[1] = &fx->prules[1];
	fx->rules[2] = rule_info(HP301_PROCESS_KILLED);
	fx->rules[3] = rule_info(HP302_UPGRADE_REFUSED);
	fx->rules[4] = rule_info(HP303_PARSE_FAILURE);
	fx->rules[5] = rule_info(HP304_PLAN_DIFFERS);

	struct loc l1 = { "/src/callsrv/src/proto/registrar.c", 41, 9 };
	struct loc l2 = { "/elsewhere/my dir/x.c", 3, 0 };
	struct loc l3 = { "/src/callsrv/src/net/acceptor.c", 12, 1 };
	struct loc none = { NULL, 0, 0 };
	fx->findings[0] = (struct report_finding){ fx->rules[0], SEV_ERROR, 1, "registrar",
		"legacy_check", "'legacy_check' was removed from 'legacy_auth' but 'registrar' still calls it", l1, NULL };
	fx->findings[1] = fx->findings[0];
	fx->findings[2] = (struct report_finding){ fx->rules[1], SEV_WARNING, 0, "sip", NULL,
		"'sip' is loaded before 'log' <which it calls> & \"quotes\"", l2, NULL };
	fx->findings[3] = (struct report_finding){ fx->rules[2], SEV_ERROR, 1, "acceptor",
		"acceptor_main", "process 'acceptor:acceptor_main' <0.1.0> is killed at #9 {load,{sip,brutal_purge,brutal_purge}}", l3, NULL };
	fx->findings[4] = (struct report_finding){ fx->rules[3], SEV_ERROR, 0, NULL, NULL,
		"a note without a place", none, NULL };
	fx->procs[0] = (struct report_process){ "<0.1.0>", "acceptor:acceptor_main", 1, 1,
		"killed at #9 {load,{sip,brutal_purge,brutal_purge}}: it runs old code of sip", l3 };
	fx->procs[1] = (struct report_process){ "<0.2.0>", "worker:worker_main", 0, 1,
		"suspended at #4, code_change, resumed at #8", none };
	fx->steps[0] = "1. add metrics";
	fx->steps[1] = "2. load sip (brutal_purge)";

	struct report *r = &fx->report;
	memset(r, 0, sizeof *r);
	r->tool_version = "0.1.0";
	r->old_root = "callsrv/v1";
	r->new_root = "callsrv/v2";
	r->srcroot = "/src/callsrv";
	r->rules = fx->rules;
	r->nrules = 6;
	r->findings = fx->findings;
	r->nfindings = 5;
	r->procs = fx->procs;
	r->nprocs = 2;
	r->steps = fx->steps;
	r->nsteps = 2;
	r->max_killed = 0;
	r->forbidden = 1;
}

struct graph_spec fixture_spec(const struct fixture *fx, int plan)
{
	struct graph_spec s;
	memset(&s, 0, sizeof s);
	s.old = &fx->old;
	if (plan) {
		s.new = &fx->new;
		s.notes = fx->notes;
		s.nnotes = 4;
		s.kills = &fx->kill;
		s.nkills = 1;
	}
	return s;
}
