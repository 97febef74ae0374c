/*
 * test_sim.c - the simulator's C API (simulator/sim.h): kills, restarts,
 * refusals, races, intensity, make_permanent, the runtime from facts, and
 * deterministic output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "term.h"

#define HEAD "{\"format\": \"hotplan-runtime\", \"version\": 1,\n"

struct fixture {
	struct arena a;
	struct runtime *rt;
	struct script sc[2];
	size_t nsc;
	struct sim_report rep;
};

static void setup(struct fixture *f, const char *rt_json, const char *s1, const char *s2,
		  enum sim_until until)
{
	struct errbuf err;
	struct term **terms;
	size_t n;
	memset(f, 0, sizeof(*f));
	arena_init(&f->a);
	if (runtime_read_json("rt.json", rt_json, strlen(rt_json), &f->rt, &err))
		fail_msg("runtime: %s", err.msg);
	const char *src[2] = { s1, s2 };
	for (size_t i = 0; i < 2 && src[i]; i++) {
		if (term_consult(&f->a, "s.script", src[i], strlen(src[i]), &terms, &n, &err) ||
		    script_decode(&f->a, "s.script", terms, n, &f->sc[i], &err))
			fail_msg("script: %s", err.msg);
		f->nsc++;
	}
	struct sim_options opt = { .until = until };
	sim_run(f->rt, f->sc, f->nsc, &opt, &f->rep);
}

static void teardown(struct fixture *f)
{
	sim_report_release(&f->rep);
	runtime_free(f->rt);
	arena_release(&f->a);
}

/* Number of events of kind k for the process named name. */
static size_t count(struct sim *s, enum sim_event_kind k, const char *name)
{
	const struct sim_outcome *o = sim_outcome(s);
	size_t n = 0;
	for (size_t i = 0; i < o->nevents; i++)
		if (o->events[i].kind == k && (!name || (o->events[i].proc >= 0 &&
			!strcmp(sim_runtime(s)->processes.items[o->events[i].proc].name, name))))
			n++;
	return n;
}

static const char third_rt[] = HEAD
	"\"modules\": [{\"name\": \"m\", \"current\": 2, \"old\": 1}],\n"
	"\"supervisors\": [{\"name\": \"top\", \"intensity\": 5}],\n"
	"\"processes\": [{\"pid\": \"a\", \"frames\": [{\"module\": \"m\", \"version\": \"old\"}],"
	" \"supervisor\": \"top\", \"modules\": [\"m\"]},\n"
	" {\"pid\": \"q\", \"frames\": [{\"module\": \"m\", \"version\": \"current\"}], \"next_call\": \"qualified\"}]}";
static const char load3[] =
	"{load_object_code,{app,\"3\",[m]}}.\npoint_of_no_return.\n{load,{m,brutal_purge,brutal_purge}}.\n";

static void test_third_load_kills(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, third_rt, load3, NULL, SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->killed, 1);
	assert_int_equal(count(f.rep.primary, SIM_EV_KILLED, "a"), 1);
	assert_int_equal(count(f.rep.primary, SIM_EV_KILLED, "q"), 0);
	const struct sim_event *e = &o->events[0];
	assert_int_equal(e->kind, SIM_EV_KILLED);
	assert_int_equal(e->instr, 2);
	assert_int_equal(e->reason, SIM_R_KILLED);
	/* Restarted during the load: a race, both versions reported. */
	assert_true(o->race);
	assert_non_null(f.rep.alternative);
	assert_int_equal(o->events[1].kind, SIM_EV_RESTARTED);
	int is_int;
	assert_string_equal(sim_version_text(f.rep.primary, o->events[1].version, &is_int), "2");
	assert_string_equal(sim_version_text(f.rep.primary, o->events[1].alt_version, &is_int), "3");
	/* Primary: the restarted child lingers in 2 (old): Unpurged has m;
	 * the qualified process has not moved yet either. */
	assert_int_equal(o->results[0].kind, SIM_RES_OK);
	assert_int_equal(o->results[0].nunpurged, 1);
	assert_string_equal(o->results[0].reason, "{ok,[{m,brutal_purge}]}");
	int32_t cur, old;
	sim_module_versions(f.rep.primary, 0, &cur, &old);
	assert_string_equal(sim_version_text(f.rep.primary, cur, NULL), "3");
	assert_string_equal(sim_version_text(f.rep.primary, old, NULL), "2");
	teardown(&f);
}

static void test_precheck_refuses(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, third_rt,
	      "{load_object_code,{app,\"3\",[m]}}.\npoint_of_no_return.\n{load,{m,soft_purge,soft_purge}}.\n",
	      NULL, SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->nevents, 0);
	assert_int_equal(o->results[0].kind, SIM_RES_ERROR);
	assert_int_equal(o->results[0].old_processes, 0);
	assert_string_equal(o->results[0].reason, "{error,{old_processes,m}}");
	assert_null(f.rep.alternative);
	teardown(&f);
}

static void test_failure_after_ponr(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, third_rt,
	      "point_of_no_return.\n{apply,{erlang,error,[boom]}}.\n{purge,[m]}.\n",
	      "point_of_no_return.\n", SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->results[0].kind, SIM_RES_EXIT);
	assert_string_equal(o->results[0].reason, "{'EXIT',{'EXIT',{boom,'_'}}}");
	assert_true(o->results[0].node_restart);
	assert_int_equal(o->results[1].kind, SIM_RES_NOT_RUN);
	assert_int_equal(o->killed, 0);
	teardown(&f);
}

static const char two_rt[] = HEAD
	"\"modules\": [{\"name\": \"m\", \"current\": 2, \"old\": 1}],\n"
	"\"supervisors\": [{\"name\": \"top\", \"type\": \"permanent\"}],\n"
	"\"processes\": [{\"pid\": \"a\", \"frames\": [{\"module\": \"m\", \"version\": 1}], \"supervisor\": \"top\"},\n"
	" {\"pid\": \"b\", \"frames\": [{\"module\": \"m\", \"version\": 1}], \"supervisor\": \"top\"}]}";

static void test_intensity_node_down(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, two_rt, "point_of_no_return.\n{purge,[m]}.\n", NULL, SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(count(f.rep.primary, SIM_EV_SUP_DOWN, NULL), 1);
	assert_int_equal(count(f.rep.primary, SIM_EV_APP_DOWN, NULL), 1);
	assert_true(o->node_down);
	assert_int_equal(o->results[0].kind, SIM_RES_NODE_DOWN);
	teardown(&f);
}

static void test_make_permanent(void **state)
{
	struct fixture f;
	static const char rt[] = HEAD
		"\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
		"\"processes\": [{\"pid\": \"a\", \"frames\": [{\"module\": \"m\"}], \"next_call\": \"blocked\"}]}";
	(void)state;
	setup(&f, rt, "{load_object_code,{app,\"2\",[m]}}.\npoint_of_no_return.\n{load,{m,soft_purge,brutal_purge}}.\n",
	      NULL, SIM_UNTIL_INSTALL);
	assert_int_equal(sim_outcome(f.rep.primary)->killed, 0);
	assert_int_equal(sim_outcome(f.rep.primary)->nstored, 1);
	teardown(&f);
	setup(&f, rt, "{load_object_code,{app,\"2\",[m]}}.\npoint_of_no_return.\n{load,{m,soft_purge,brutal_purge}}.\n",
	      NULL, SIM_UNTIL_PERMANENT);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->killed, 1);
	assert_true(o->events[0].permanent);
	assert_int_equal(o->events[0].instr, 3);
	assert_int_equal(o->nstored, 0);
	teardown(&f);
}

static void test_suspend_protects(void **state)
{
	struct fixture f;
	static const char rt[] = HEAD
		"\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
		"\"supervisors\": [{\"name\": \"top\"}],\n"
		"\"processes\": [{\"pid\": \"gs\", \"frames\": [{\"module\": \"m\"}], \"sys\": true,"
		" \"supervisor\": \"top\", \"modules\": [\"m\"]},\n"
		" {\"pid\": \"deaf\", \"frames\": [{\"module\": \"m\"}], \"supervisor\": \"top\", \"modules\": [\"m\"]}]}";
	static const char up[] = "{load_object_code,{app,\"2\",[m]}}.\npoint_of_no_return.\n{suspend,[m]}.\n"
		"{load,{m,brutal_purge,brutal_purge}}.\n{code_change,[{m,[]}]}.\n{resume,[m]}.\n";
	(void)state;
	setup(&f, rt, up, "{load_object_code,{app,\"3\",[m]}}.\npoint_of_no_return.\n{load,{m,brutal_purge,brutal_purge}}.\n",
	      SIM_UNTIL_INSTALL);
	struct sim *s = f.rep.primary;
	assert_int_equal(count(s, SIM_EV_SUSPENDED, "gs"), 1);
	assert_int_equal(count(s, SIM_EV_CODE_CHANGE, "gs"), 1);
	assert_int_equal(count(s, SIM_EV_RESUMED, "gs"), 1);
	assert_int_equal(count(s, SIM_EV_DROPPED, "deaf"), 1);
	assert_int_equal(count(s, SIM_EV_KILLED, "gs"), 0);
	assert_int_equal(count(s, SIM_EV_KILLED, "deaf"), 1);
	teardown(&f);
}

/* A fun of a version purged before the upgrade (SEMANTICS.md §1: funs do not
 * keep code alive): a looping holder calls it at the first step and dies of
 * badfun; a blocked holder keeps it; loading f again up to the dead fun's
 * version number does not make it callable again. */
static const char purged_fun_rt[] = HEAD
	"\"modules\": [{\"name\": \"h\", \"current\": 1}, {\"name\": \"f\", \"current\": 3, \"old\": 2}],\n"
	"\"processes\": [{\"pid\": \"loops\", \"frames\": [{\"module\": \"h\"}], \"next_call\": \"local\","
	" \"funs\": [{\"module\": \"f\", \"version\": 1}]},\n"
	" {\"pid\": \"waits\", \"frames\": [{\"module\": \"h\"}], \"next_call\": \"blocked\","
	" \"funs\": [{\"module\": \"f\", \"version\": 4}]}]}";

static void test_purged_fun(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, purged_fun_rt,
	      "{load_object_code,{app,\"2\",[f]}}.\npoint_of_no_return.\n{load,{f,brutal_purge,brutal_purge}}.\n",
	      NULL, SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->killed, 1);
	assert_int_equal(o->nevents, 1);
	assert_int_equal(count(f.rep.primary, SIM_EV_KILLED, "loops"), 1);
	assert_int_equal(o->events[0].reason, SIM_R_BADFUN);
	assert_int_equal(o->events[0].instr, 0);
	assert_true(o->events[0].in_step);
	assert_int_equal(count(f.rep.primary, SIM_EV_KILLED, "waits"), 0);
	/* f is now 4 (old 3): the blocked holder's fun of 4 stays dead. */
	int32_t cur, old;
	sim_module_versions(f.rep.primary, 1, &cur, &old);
	assert_string_equal(sim_version_text(f.rep.primary, cur, NULL), "4");
	assert_string_equal(o->results[0].reason, "{ok,[]}");
	teardown(&f);
}

static void test_deterministic_output(void **state)
{
	struct fixture f1, f2;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, t = STRBUF_INIT;
	(void)state;
	setup(&f1, third_rt, load3, load3, SIM_UNTIL_PERMANENT);
	setup(&f2, third_rt, load3, load3, SIM_UNTIL_PERMANENT);
	sim_write_json(&f1.rep, &a);
	sim_write_json(&f2.rep, &b);
	assert_string_equal(a.buf, b.buf);
	assert_non_null(strstr(a.buf, "\"alternative\": {"));
	sim_write_text(&f1.rep, &t);
	assert_non_null(strstr(t.buf, "race with the load"));
	sb_release(&a);
	sb_release(&b);
	sb_release(&t);
	teardown(&f1);
	teardown(&f2);
}

static void test_from_facts(void **state)
{
	struct facts f;
	struct entry e1 = { .function = "serve", .next_call = NEXT_BLOCKED };
	struct entry e2 = { .function = "tick", .next_call = NEXT_QUALIFIED };
	struct module mods[2];
	(void)state;
	memset(&f, 0, sizeof(f));
	memset(mods, 0, sizeof(mods));
	mods[0].name = "conn";
	mods[0].entries = &e1;
	mods[0].nentries = 1;
	mods[0].transformer = "conn_code_change";
	mods[1].name = "timer";
	mods[1].entries = &e2;
	mods[1].nentries = 1;
	f.modules = mods;
	f.nmodules = 2;
	struct runtime *rt = sim_runtime_from_facts(&f, "callsrv");
	struct errbuf err;
	assert_int_equal(runtime_validate(rt, &err), 0);
	assert_int_equal(rt->processes.n, 2);
	assert_int_equal(rt->supervisors.n, 1);
	assert_string_equal(rt->supervisors.items[0].app, "callsrv");
	const struct rt_process *p = &rt->processes.items[0];
	assert_string_equal(p->name, "conn:serve");
	assert_true(p->sys && p->has_mods && p->supervisor == 0);
	assert_int_equal(p->next, NEXT_BLOCKED);
	p = &rt->processes.items[1];
	assert_false(p->sys);
	assert_int_equal(p->supervisor, RT_NONE);
	assert_int_equal(p->next, NEXT_QUALIFIED);
	runtime_free(rt);
}

static const char one_rt[] = HEAD
	"\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
	"\"supervisors\": [{\"name\": \"top\", \"intensity\": 5}],\n"
	"\"processes\": [{\"pid\": \"w\", \"frames\": [{\"module\": \"m\"}], \"supervisor\": \"top\","
	" \"modules\": [\"m\"]},\n"
	" {\"pid\": \"q\", \"frames\": [{\"module\": \"m\"}], \"next_call\": \"qualified\"}]}";

static void test_remove_undef_and_delete_load(void **state)
{
	struct fixture f;
	(void)state;
	/* remove: q calls m at its next step and dies of undef; w lingers in
	 * the removed code; loading m again does not purge it (delete then
	 * load), the next load does. */
	setup(&f, one_rt, "point_of_no_return.\n{remove,{m,brutal_purge,brutal_purge}}.\n",
	      "{load_object_code,{app,\"2\",[m]}}.\npoint_of_no_return.\n{load,{m,brutal_purge,brutal_purge}}.\n",
	      SIM_UNTIL_INSTALL);
	struct sim *s = f.rep.primary;
	const struct sim_outcome *o = sim_outcome(s);
	assert_int_equal(count(s, SIM_EV_KILLED, "q"), 1);
	assert_int_equal(o->events[0].reason, SIM_R_UNDEF);
	assert_true(o->events[0].in_step);
	assert_int_equal(count(s, SIM_EV_KILLED, "w"), 0);
	assert_string_equal(o->results[0].reason, "{ok,[{m,brutal_purge}]}");
	int32_t cur, old;
	sim_module_versions(s, 0, &cur, &old);
	assert_string_equal(sim_version_text(s, cur, NULL), "2");
	assert_string_equal(sim_version_text(s, old, NULL), "1");
	teardown(&f);
}

static void test_hang_and_emulator(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, one_rt, "point_of_no_return.\n{suspend,[{m,infinity}]}.\n", "point_of_no_return.\n",
	      SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->results[0].kind, SIM_RES_HANG);
	assert_int_equal(o->results[1].kind, SIM_RES_NOT_RUN);
	teardown(&f);

	setup(&f, one_rt, "restart_new_emulator.\npoint_of_no_return.\n", "restart_emulator.\npoint_of_no_return.\n",
	      SIM_UNTIL_INSTALL);
	o = sim_outcome(f.rep.primary);
	assert_int_equal(o->results[0].kind, SIM_RES_OK);
	assert_int_equal(o->events[0].kind, SIM_EV_NODE_RESTART);
	assert_int_equal(o->results[1].kind, SIM_RES_ERROR);
	assert_string_equal(o->results[1].reason, "{error,restart_emulator}");
	teardown(&f);

	setup(&f, one_rt, "point_of_no_return.\nrestart_new_emulator.\n", NULL, SIM_UNTIL_INSTALL);
	o = sim_outcome(f.rep.primary);
	assert_string_equal(o->results[0].reason,
			    "{error,{illegal_instruction_after_point_of_no_return,restart_new_emulator}}");
	teardown(&f);
}

static void test_stop_start(void **state)
{
	struct fixture f;
	(void)state;
	setup(&f, one_rt, "{load_object_code,{app,\"2\",[m]}}.\npoint_of_no_return.\n{stop,[m]}.\n"
	      "{load,{m,brutal_purge,brutal_purge}}.\n{start,[m]}.\n", NULL, SIM_UNTIL_INSTALL);
	struct sim *s = f.rep.primary;
	const struct sim_outcome *o = sim_outcome(s);
	assert_int_equal(count(s, SIM_EV_STOPPED, "w"), 1);
	assert_int_equal(count(s, SIM_EV_STARTED, "w"), 1);
	assert_int_equal(o->killed, 0);
	for (size_t i = 0; i < o->nevents; i++)
		if (o->events[i].kind == SIM_EV_STARTED)
			assert_string_equal(sim_version_text(s, o->events[i].version, NULL), "2");
	teardown(&f);
}

/* Decoding scripts: shapes, positions, relups. */
static void test_script_decode(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "point_of_no_return.\n{load,{m,brutal}}.\n",
		  "s.script:2:1: malformed 'load' instruction" },
		{ "{frobnicate,[m]}.\n", "s.script:1:1: unknown instruction '{frobnicate,[m]}'" },
		{ "{suspend,[{m,soon}]}.\n", "s.script:1:1: malformed 'suspend' instruction" },
		{ "{code_change,sideways,[{m,[]}]}.\n", "malformed 'code_change' instruction" },
		{ "{\"1\",\"ab\",[]}.\n", "s.script:1:6: expected {UpFrom, Descr, Instructions} in relup" },
		{ "{\"1\",[],[]}.\n", "relup has no up script" },
	};
	(void)state;
	for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
		struct arena a;
		struct errbuf err;
		struct term **terms;
		struct script sc;
		size_t n;
		arena_init(&a);
		assert_int_equal(term_consult(&a, "s.script", bad[i].text, strlen(bad[i].text), &terms, &n, &err), 0);
		int rc = script_decode(&a, "s.script", terms, n, &sc, &err);
		if (rc == 0 || !strstr(err.msg, bad[i].want))
			fail_msg("%s: wanted '%s', got '%s'", bad[i].text, bad[i].want, rc ? err.msg : "");
		arena_release(&a);
	}
	/* A relup's first up script; a single list of instructions. */
	static const char *const good[] = {
		"{\"2\",[{\"1\",[],[point_of_no_return,{purge,[m]}]}],[]}.\n",
		"[point_of_no_return,{purge,[m]}].\n",
		"point_of_no_return.\n{purge,[m]}.\n",
	};
	for (size_t i = 0; i < HP_ARRAY_SIZE(good); i++) {
		struct arena a;
		struct errbuf err;
		struct term **terms;
		struct script sc;
		size_t n;
		arena_init(&a);
		assert_int_equal(term_consult(&a, "s.script", good[i], strlen(good[i]), &terms, &n, &err), 0);
		assert_int_equal(script_decode(&a, "s.script", terms, n, &sc, &err), 0);
		assert_int_equal(sc.n, 2);
		assert_int_equal(sc.instrs[1].op, INSTR_PURGE);
		assert_string_equal(sc.instrs[1].mods[0].name, "m");
		assert_string_equal(instr_name(sc.instrs[0].op), "point_of_no_return");
		arena_release(&a);
	}
}

/*
 * C timing (docs/semantics.md 5.1), in a runtime whose versions are texts
 * (a C program on libhotrt): a busy qualified loop may step before the
 * load's own soft purge. The primary run says it has not (m listed in
 * Unpurged) and reports a step race; the alternative has it stepped. The
 * same runtime with integer versions (Erlang) has no race.
 */
static void test_step_race_qualified_loop(void **state)
{
	static const char *const rts[2] = {
		HEAD "\"modules\": [{\"name\": \"m\", \"current\": \"1.0\"}],\n"
		"\"processes\": [{\"pid\": \"q\", \"frames\": [{\"module\": \"m\", \"version\": \"current\"}],"
		" \"next_call\": \"qualified\"}]}",
		HEAD "\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
		"\"processes\": [{\"pid\": \"q\", \"frames\": [{\"module\": \"m\", \"version\": \"current\"}],"
		" \"next_call\": \"qualified\"}]}",
	};
	struct fixture f;
	(void)state;
	setup(&f, rts[0], "{load_object_code,{app,\"2.0\",[m]}}.\npoint_of_no_return.\n"
	      "{load,{m,brutal_purge,brutal_purge}}.\n", NULL, SIM_UNTIL_PERMANENT);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(o->step_races, 1);
	assert_int_equal(count(f.rep.primary, SIM_EV_STEP_RACE, "q"), 1);
	assert_false(o->race);
	assert_string_equal(o->results[0].reason, "{ok,[{m,brutal_purge}]}");
	assert_int_equal(o->killed, 0);  /* it has stepped by make_permanent */
	assert_non_null(f.rep.alternative);
	o = sim_outcome(f.rep.alternative);
	assert_string_equal(o->results[0].reason, "{ok,[]}");
	assert_int_equal(count(f.rep.alternative, SIM_EV_STEP_RACE, "q"), 1);
	teardown(&f);

	setup(&f, rts[1], "{load_object_code,{app,\"2.0\",[m]}}.\npoint_of_no_return.\n"
	      "{load,{m,brutal_purge,brutal_purge}}.\n", NULL, SIM_UNTIL_PERMANENT);
	o = sim_outcome(f.rep.primary);
	assert_int_equal(o->step_races, 0);
	assert_null(f.rep.alternative);
	assert_string_equal(o->results[0].reason, "{ok,[{m,brutal_purge}]}");
	teardown(&f);
}

/*
 * A restarted C thread reaches b only when it calls it: the load of b by
 * the very next instruction races with that call. Primary: the frame in b
 * is the version of the restart, now old (b listed); alternative: the new
 * one. A load two instructions later does not race.
 */
static void test_step_race_restarted_call(void **state)
{
	static const char rt[] = HEAD
		"\"modules\": [{\"name\": \"a\", \"current\": \"2\", \"old\": \"1\"},"
		" {\"name\": \"b\", \"current\": \"1\"}],\n"
		"\"supervisors\": [{\"name\": \"top\", \"intensity\": 5}],\n"
		"\"processes\": [{\"pid\": \"p\", \"frames\": [{\"module\": \"b\", \"version\": \"current\"},"
		" {\"module\": \"a\", \"version\": \"old\"}], \"next_call\": \"blocked\","
		" \"supervisor\": \"top\", \"modules\": [\"a\"]}]}";
	struct fixture f;
	(void)state;
	setup(&f, rt, "{load_object_code,{app,\"3\",[b]}}.\npoint_of_no_return.\n"
	      "{purge,[a]}.\n{load,{b,soft_purge,soft_purge}}.\n", NULL, SIM_UNTIL_INSTALL);
	const struct sim_outcome *o = sim_outcome(f.rep.primary);
	assert_int_equal(count(f.rep.primary, SIM_EV_RESTARTED, "p"), 1);
	assert_int_equal(o->step_races, 1);
	assert_int_equal(count(f.rep.primary, SIM_EV_STEP_RACE, "p"), 1);
	assert_string_equal(o->results[0].reason, "{ok,[{b,soft_purge}]}");
	assert_non_null(f.rep.alternative);
	assert_string_equal(sim_outcome(f.rep.alternative)->results[0].reason, "{ok,[]}");
	teardown(&f);

	setup(&f, rt, "{load_object_code,{app,\"3\",[b]}}.\npoint_of_no_return.\n"
	      "{purge,[a]}.\n{suspend,[]}.\n{load,{b,soft_purge,soft_purge}}.\n", NULL,
	      SIM_UNTIL_INSTALL);
	o = sim_outcome(f.rep.primary);
	assert_int_equal(o->step_races, 0);
	assert_null(f.rep.alternative);
	assert_string_equal(o->results[0].reason, "{ok,[{b,soft_purge}]}");
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_third_load_kills),
		cmocka_unit_test(test_step_race_qualified_loop),
		cmocka_unit_test(test_step_race_restarted_call),
		cmocka_unit_test(test_precheck_refuses),
		cmocka_unit_test(test_failure_after_ponr),
		cmocka_unit_test(test_intensity_node_down),
		cmocka_unit_test(test_make_permanent),
		cmocka_unit_test(test_suspend_protects),
		cmocka_unit_test(test_purged_fun),
		cmocka_unit_test(test_deterministic_output),
		cmocka_unit_test(test_from_facts),
		cmocka_unit_test(test_remove_undef_and_delete_load),
		cmocka_unit_test(test_hang_and_emulator),
		cmocka_unit_test(test_stop_start),
		cmocka_unit_test(test_script_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
