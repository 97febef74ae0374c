/*
 * test_translate.c - corner cases of planner/translate.h through its C API,
 * and the graph walks of planner/graph.h it is built on.
 *
 * The expected scripts here are small and written out by hand from
 * SEMANTICS.md §2; the conformance suite compares against OTP itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "depgraph.h"
#include "term.h"
#include "translate.h"

struct fx {
	struct arena a;
	struct errbuf err;
	struct strbuf out;
	struct term *reason;
	int rc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	arena_init(&f->a);
	sb_init(&f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	arena_release(&f->a);
	sb_release(&f->out);
	free(f);
	return 0;
}

/* Reads src as a translate input file named "t.terms" and translates it;
 * f->out gets the script (one term per line) or the reason. */
static int run(struct fx *f, const char *src, const char *from, int mode)
{
	struct term **terms, *script;
	size_t n;
	struct translate_input in;
	sb_reset(&f->out);
	f->reason = NULL;
	if ((f->rc = term_consult(&f->a, "t.terms", src, strlen(src), &terms, &n, &f->err)))
		return f->rc;
	if ((f->rc = translate_read_input(&f->a, "t.terms", terms, n, from, mode, &in, &f->err)))
		return f->rc;
	f->rc = translate_scripts(&f->a, &in, &script, &f->reason, &f->err);
	if (f->rc) {
		assert_non_null(f->reason);
		term_write(&f->out, f->reason);
		return f->rc;
	}
	for (size_t i = 0; i < script->u.seq.n; i++)
		term_write_dot(&f->out, script->u.seq.items[i]);
	return 0;
}

static void test_chain_up_and_dn(void **state)
{
	struct fx *f = *state;
	const char *src =
		"{apps, [{app, \"2.0\", [m1, m2, m3]}]}.\n"
		"[{update, m1, {advanced, []}, []}, {update, m2, soft, [m1]}, {load_module, m3, [m2]}].\n";
	assert_int_equal(run(f, src, NULL, TR_UP), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{app,\"2.0\",[m3,m2,m1]}}.\n"
		"point_of_no_return.\n"
		"{suspend,[m2,m1]}.\n"
		"{load,{m1,brutal_purge,brutal_purge}}.\n"
		"{load,{m2,brutal_purge,brutal_purge}}.\n"
		"{load,{m3,brutal_purge,brutal_purge}}.\n"
		"{code_change,up,[{m1,[]}]}.\n"
		"{resume,[m1,m2]}.\n");
	assert_int_equal(run(f, src, NULL, TR_DN), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{app,\"2.0\",[m3,m2,m1]}}.\n"
		"point_of_no_return.\n"
		"{suspend,[m2,m1]}.\n"
		"{code_change,down,[{m1,[]}]}.\n"
		"{load,{m3,brutal_purge,brutal_purge}}.\n"
		"{load,{m2,brutal_purge,brutal_purge}}.\n"
		"{load,{m1,brutal_purge,brutal_purge}}.\n"
		"{resume,[m1,m2]}.\n");
}

/* Ties (SEMANTICS.md §2.6) are broken by module name: b before c before d. */
static void test_ties_by_name(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, "{apps, [{app, \"1\", [a, b, c, d]}]}.\n"
			    "[{load_module, a, [d, c, b]}, {load_module, d}, {load_module, b}, {load_module, c}].\n",
			    NULL, TR_DN), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{app,\"1\",[a,b,c,d]}}.\n"
		"point_of_no_return.\n"
		"{load,{a,brutal_purge,brutal_purge}}.\n"
		"{load,{b,brutal_purge,brutal_purge}}.\n"
		"{load,{c,brutal_purge,brutal_purge}}.\n"
		"{load,{d,brutal_purge,brutal_purge}}.\n");
}

static void test_reasons_and_positions(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, "{apps, [{app, \"1\", [a]}]}.\n[{load_module, a,\n   [ghost]}].\n",
			     NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{undef_module,ghost}");
	assert_non_null(strstr(f->err.msg, "t.terms:3:5: "));

	assert_int_equal(run(f, "{apps, [{app, \"1\", [a]}]}.\n[{load_module, a}].\n[{update, a}].\n",
			     NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{muldef_module,a}");
	assert_non_null(strstr(f->err.msg, "t.terms:3:11: "));

	/* a list inside a script is spliced in unexpanded */
	assert_int_equal(run(f, "[[{load_module, a}]].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{bad_instruction,{load_module,a}}");

	/* a string is a list of character codes */
	assert_int_equal(run(f, "[{purge, \"ab\"}].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{bad_module,97}");

	assert_int_equal(run(f, "[{suspend, [a, {b, 5}, a]}, {resume, [b]}].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{suspended_not_resumed,[a,a]}");

	assert_int_equal(run(f, "[{load_module, a}, point_of_no_return].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{bad_op_before_point_of_no_return,{load_module,a,brutal_purge,brutal_purge,[]}}");

	assert_int_equal(run(f, "[point_of_no_return, point_of_no_return].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "too_many_point_of_no_return");

	/* OTP reports the first group's last conflicting version */
	assert_int_equal(run(f, "[{load_object_code, {l, \"1\", [a]}}, {load_object_code, {l, \"2\", [b]}},"
			     " {load_object_code, {l, \"3\", [c]}}, point_of_no_return].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{conflicting_versions,l,\"1\",\"3\"}");

	assert_int_equal(run(f, "[{update, a, 0, soft, brutal_purge, brutal_purge, []}].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{bad_timeout,0}");

	assert_int_equal(run(f, "[mnesia_backup].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{not_yet_implemented,mnesia_backup}");

	/* OTP crashes on an improper list; hotplan says so */
	assert_int_equal(run(f, "[{purge, [a|b]}].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{improper_list,[a|b]}");
}

static void test_load_object_code_fold(void **state)
{
	struct fx *f = *state;
	/* SEMANTICS.md §2.8: [a,b] then [c,a] then loads of z and b2 give [b,c,a,z,b2] */
	assert_int_equal(run(f, "{apps, [{app, \"2\", [a, b, c, z, b2]}]}.\n"
			     "[{load_object_code, {app, \"2\", [a, b]}}, {load_object_code, {app, \"2\", [c, a]}},"
			     " point_of_no_return, {load_module, z}, {load_module, b2}].\n", NULL, TR_UP), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{app,\"2\",[b,c,a,z,b2]}}.\n"
		"point_of_no_return.\n"
		"{load,{z,brutal_purge,brutal_purge}}.\n"
		"{load,{b2,brutal_purge,brutal_purge}}.\n");
	assert_int_equal(run(f, "[{load_object_code, {app, \"2\", [a, b]}}, {load_object_code, {app, \"2\", [b, a, a]}},"
			     " {load_object_code, {lib, \"1\", [x, x, y]}}, point_of_no_return].\n", NULL, TR_UP), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{app,\"2\",[b,a,a]}}.\n"
		"{load_object_code,{lib,\"1\",[x,x,y]}}.\n"
		"point_of_no_return.\n");
}

static void test_emulator_restarts(void **state)
{
	struct fx *f = *state;
	const char *src = "[restart_emulator, {load_module, m}, restart_new_emulator, restart_emulator].\n";
	assert_int_equal(run(f, src, NULL, TR_UP), 0);
	assert_string_equal(f->out.buf,
		"restart_new_emulator.\n"
		"{load_object_code,{app,\"1.0\",[m]}}.\n"
		"point_of_no_return.\n"
		"{load,{m,brutal_purge,brutal_purge}}.\n"
		"restart_emulator.\n");
	assert_int_equal(run(f, src, NULL, TR_DN), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{app,\"1.0\",[m]}}.\n"
		"point_of_no_return.\n"
		"{load,{m,brutal_purge,brutal_purge}}.\n"
		"restart_emulator.\n");
}

static void test_applications(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, "{apps, [{a, \"2\", [n1, n2], load}]}.\n{pre_apps, [{a, \"1\", [o1]}]}.\n"
			     "[{restart_application, a}].\n", NULL, TR_UP), 0);
	assert_string_equal(f->out.buf,
		"{load_object_code,{a,\"2\",[n1,n2]}}.\n"
		"point_of_no_return.\n"
		"{apply,{application,stop,[a]}}.\n"
		"{remove,{o1,brutal_purge,brutal_purge}}.\n"
		"{purge,[o1]}.\n"
		"{load,{n1,brutal_purge,brutal_purge}}.\n"
		"{load,{n2,brutal_purge,brutal_purge}}.\n"
		"{apply,{application,load,[a]}}.\n");
	assert_int_equal(run(f, "{apps, [{a, \"2\", []}]}.\n{pre_apps, [{a, \"1\", []}]}.\n"
			     "[{remove_application, a}].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{removed_application_present,a}");
	assert_int_equal(run(f, "[{add_application, b}].\n", NULL, TR_UP), HP_EINPUT);
	assert_string_equal(f->out.buf, "{no_such_application,b}");
}

static void test_input_forms(void **state)
{
	struct fx *f = *state;
	const char *appup =
		"{\"3\", [{\"1\", [{load_module, one}]}, {<<\"2\\\\.[0-9]+\">>, [{load_module, two}]}],\n"
		" [{\"1\", [{delete_module, one}]}]}.\n";
	assert_int_equal(run(f, appup, NULL, TR_UP), 0);
	assert_non_null(strstr(f->out.buf, "{load,{one,"));
	assert_int_equal(run(f, appup, "2.15", TR_UP), 0);
	assert_non_null(strstr(f->out.buf, "{load,{two,"));
	assert_int_equal(run(f, appup, "2.x", TR_UP), HP_EINPUT);
	assert_null(f->reason);
	assert_non_null(strstr(f->err.msg, "t.terms:1:"));
	assert_int_equal(run(f, appup, NULL, TR_DN), 0);
	assert_string_equal(f->out.buf, "point_of_no_return.\n{remove,{one,brutal_purge,brutal_purge}}.\n{purge,[one]}.\n");
	/* structure errors name a position and give no reason */
	assert_int_equal(run(f, "{apps, [{app, 2, []}]}.\n[].\n", NULL, TR_UP), HP_EINPUT);
	assert_null(f->reason);
	assert_non_null(strstr(f->err.msg, "t.terms:1:15: "));
	assert_int_equal(run(f, "{mode, sideways}.\n[].\n", NULL, -1), HP_EINPUT);
	assert_int_equal(run(f, "{apps, []}.\n", NULL, -1), HP_EINPUT);
	/* {mode, dn} is read, and overridden */
	assert_int_equal(run(f, "{mode, dn}.\n[{update, a, {advanced, x}}].\n", NULL, -1), 0);
	assert_non_null(strstr(f->out.buf, "{code_change,down,[{a,x}]}"));
	assert_int_equal(run(f, "{mode, dn}.\n[{update, a, {advanced, x}}].\n", NULL, TR_UP), 0);
	assert_non_null(strstr(f->out.buf, "{code_change,up,[{a,x}]}"));
}

/* Built terms (no file) work too, and the first application listing a
 * module owns it. */
static void test_built_input(void **state)
{
	struct fx *f = *state;
	struct arena *a = &f->a;
	const char *m1[] = { "x" }, *m2[] = { "x", "y" };
	struct app_spec apps[] = { { "first", "1", m1, 1, NULL }, { "second", "2", m2, 2, NULL } };
	struct term *script = term_listv(a, 2,
		term_tuplev(a, 2, term_atom(a, "load_module"), term_atom(a, "y")),
		term_tuplev(a, 3, term_atom(a, "load_module"), term_atom(a, "x"),
			    term_listv(a, 1, term_atom(a, "y"))));
	struct translate_input in = { TR_UP, &script, 1, apps, 2, NULL, 0, NULL };
	struct term *out, *reason;
	assert_int_equal(translate_scripts(a, &in, &out, &reason, &f->err), 0);
	sb_reset(&f->out);
	term_write(&f->out, out);
	assert_string_equal(f->out.buf,
		"[{load_object_code,{first,\"1\",[x]}},{load_object_code,{second,\"2\",[y]}},"
		"point_of_no_return,{load,{y,brutal_purge,brutal_purge}},{load,{x,brutal_purge,brutal_purge}}]");
	in.napps = 1;
	assert_int_equal(translate_scripts(a, &in, &out, &reason, &f->err), HP_EINPUT);
	sb_reset(&f->out);
	term_write(&f->out, reason);
	assert_string_equal(f->out.buf, "{no_such_module,y}");
	/* no file: no position in the message */
	assert_null(strstr(f->err.msg, ":0"));
}

static void test_graph(void **state)
{
	(void)state;
	struct depgraph g;
	size_t comp[6], scc[6], order[6], rank[6] = { 5, 4, 3, 2, 1, 0 };
	/* 0 -> 1 -> 2 -> 1 (cycle {1,2}), 3 -> 2, 4 alone, 5 -> 5 */
	depgraph_init(&g, 6);
	depgraph_add_edge(&g, 0, 1);
	depgraph_add_edge(&g, 1, 2);
	depgraph_add_edge(&g, 2, 1);
	depgraph_add_edge(&g, 3, 2);
	depgraph_add_edge(&g, 5, 5);
	assert_int_equal(depgraph_wcc(&g, comp), 3);
	assert_int_equal(comp[0], 0);
	assert_int_equal(comp[3], 0);
	assert_int_equal(comp[4], 1);
	assert_int_equal(comp[5], 2);
	assert_int_equal(depgraph_scc(&g, scc), 5);
	assert_int_equal(scc[1], scc[2]);
	assert_int_equal(scc[0], 0);
	assert_int_equal(scc[1], 1);
	depgraph_condensation_order(&g, scc, 5, rank, order);
	/* ranks favour high vertices: 5, 4, 3 come first; 0 before {1,2} */
	assert_int_equal(order[0], scc[5]);
	assert_int_equal(order[1], scc[4]);
	assert_int_equal(order[2], scc[3]);
	assert_int_equal(order[3], scc[0]);
	assert_int_equal(order[4], scc[1]);
	depgraph_release(&g);
}

/* A chain of a million vertices: the walks are iterative. */
static void test_graph_deep_chain(void **state)
{
	(void)state;
	struct depgraph g;
	size_t n = 1000000;
	size_t *scc = malloc(n * sizeof(size_t)), *rank = malloc(n * sizeof(size_t));
	size_t *order = malloc(n * sizeof(size_t));
	depgraph_init(&g, n);
	for (size_t v = 0; v + 1 < n; v++) {
		depgraph_add_edge(&g, v, v + 1);
		rank[v] = n - v;
	}
	rank[n - 1] = 0;
	depgraph_add_edge(&g, n - 1, 0);
	assert_int_equal(depgraph_scc(&g, scc), 1);
	g.edges.n--; /* drop the back edge: a chain of n SCCs */
	g.built = 0;
	assert_int_equal(depgraph_scc(&g, scc), n);
	depgraph_condensation_order(&g, scc, n, rank, order);
	for (size_t i = 0; i < n; i++)
		assert_true(order[i] == scc[i]);
	depgraph_release(&g);
	free(scc);
	free(rank);
	free(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_up_and_dn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ties_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasons_and_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_object_code_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emulator_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_applications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_built_input, setup, teardown),
		cmocka_unit_test(test_graph),
		cmocka_unit_test(test_graph_deep_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
