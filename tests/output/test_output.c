/*
 * test_output.c - unit tests of output/: the escaping helper, and the DOT
 * text of the module graph (nodes, edge styles, cycles, folders, focus, the
 * plan and the legend), and that graphviz renders it in-process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_fixture.h"
#include "output.h"

static char *esc(const char *s, enum out_esc how)
{
	struct strbuf sb = STRBUF_INIT;
	out_escape(&sb, s, how);
	return sb_detach(&sb, NULL);
}

static void test_escape(void **state)
{
	(void)state;
	char *s;
	s = esc("a\"b\\c\nd\te", OUT_ESC_JSON);
	assert_string_equal(s, "a\\\"b\\\\c\\nd\\te");
	free(s);
	s = esc("x\x01y", OUT_ESC_JSON);
	assert_string_equal(s, "x\\u0001y");
	free(s);
	s = esc("say \"hi\"\\\nnext\x07", OUT_ESC_DOT);
	assert_string_equal(s, "say \\\"hi\\\"\\\\\\nnext ");
	free(s);
	s = esc("<a href='x'>&\"\x02</a>", OUT_ESC_XML);
	assert_string_equal(s, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;?&lt;/a&gt;");
	free(s);
	s = esc("caf\xc3\xa9", OUT_ESC_XML);
	assert_string_equal(s, "caf\xc3\xa9");
	free(s);
	struct strbuf sb = STRBUF_INIT;
	out_escape(&sb, NULL, OUT_ESC_DOT);
	assert_int_equal(sb.len, 0);
}

static char *dot_of(const struct graph_spec *spec)
{
	struct strbuf sb = STRBUF_INIT;
	struct errbuf err = { { 0 }, 0 };
	assert_int_equal(graph_to_dot(spec, &sb, &err), 0);
	return sb_detach(&sb, NULL);
}

static void test_dot_single_tree(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	struct graph_spec spec = fixture_spec(&fx, 0);
	char *dot = dot_of(&spec);
	assert_non_null(strstr(dot, "\"sip\" [id=\"mod:sip\""));
	assert_non_null(strstr(dot, "\"legacy_auth\" [id=\"mod:legacy_auth\""));
	assert_null(strstr(dot, "mod:metrics"));
	/* edge styles by kind */
	assert_non_null(strstr(dot, "\"sip\" -> \"log\" [id=\"edge:sip->log\", class=\"qualified\""));
	assert_non_null(strstr(dot, "class=\"qualified\", tooltip=\"sip -> log: qualified (1 reference)\", style=bold"));
	assert_non_null(strstr(dot, "[id=\"edge:dialog->session\", class=\"address\""));
	assert_non_null(strstr(dot, "class=\"call data\""));
	/* the cycle session <-> dialog is a cluster; nothing else is */
	assert_non_null(strstr(dot, "subgraph \"cluster_cycle_1\""));
	assert_non_null(strstr(dot, "label=\"cycle 1: dialog session\""));
	assert_null(strstr(dot, "cluster_cycle_2"));
	/* process module has a double border; no plan, no kills */
	assert_non_null(strstr(dot, "[id=\"mod:acceptor\", label=\"acceptor\", tooltip=\"module acceptor in net; starts processes\", fillcolor=\"#ffffff\", peripheries=2]"));
	assert_null(strstr(dot, "proc:"));
	assert_non_null(strstr(dot, "cluster_legend"));
	assert_null(strstr(dot, "process predicted killed"));
	/* 6 modules: below the folder threshold */
	assert_null(strstr(dot, "cluster_dir_"));
	free(dot);

	/* the same input gives the same bytes */
	char *again = dot_of(&spec);
	char *first = dot_of(&spec);
	assert_string_equal(again, first);
	free(again);
	free(first);
}

static void test_dot_plan(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	struct graph_spec spec = fixture_spec(&fx, 1);
	char *dot = dot_of(&spec);
	/* union of modules; added and removed coloured */
	assert_non_null(strstr(dot, "[id=\"mod:metrics\", label=\"metrics\\n#1 add\""));
	assert_non_null(strstr(dot, "fillcolor=\"#b7e4a7\""));
	assert_non_null(strstr(dot, "[id=\"mod:legacy_auth\", label=\"legacy_auth\\n#4 delete (brutal_purge)\""));
	assert_non_null(strstr(dot, "style=\"filled,dashed\""));
	/* state change wins over body change */
	assert_non_null(strstr(dot, "label=\"session\\n#2 update advanced (soft_purge)\", tooltip=\"module session in proto; state layout changed; code changed\", fillcolor=\"#f7c57f\""));
	/* the removed module's edge is grey, from OLD */
	assert_non_null(strstr(dot, "[id=\"edge:sip->legacy_auth\", class=\"call removed\""));
	assert_non_null(strstr(dot, "[id=\"edge:sip->metrics\", class=\"call\""));
	/* the kill */
	assert_non_null(strstr(dot, "\"proc:acceptor_main\" [id=\"proc:acceptor_main\", class=\"killed\", shape=octagon"));
	assert_non_null(strstr(dot, "label=\"acceptor_main\\nkilled at #9\\nload sip\""));
	assert_non_null(strstr(dot, "\"proc:acceptor_main\" -> \"sip\""));
	assert_non_null(strstr(dot, "process predicted killed"));
	free(dot);
}

static void test_dot_focus_and_folders(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	struct graph_spec spec = fixture_spec(&fx, 0);
	spec.focus = "acceptor";
	spec.depth = 1;
	char *dot = dot_of(&spec);
	assert_non_null(strstr(dot, "mod:acceptor"));
	assert_non_null(strstr(dot, "mod:sip"));
	assert_null(strstr(dot, "mod:session"));
	assert_null(strstr(dot, "mod:log"));
	free(dot);

	spec.depth = 2;
	spec.cluster = GRAPH_CLUSTER_FOLDER;
	dot = dot_of(&spec);
	assert_non_null(strstr(dot, "mod:session"));
	assert_non_null(strstr(dot, "mod:log"));
	assert_null(strstr(dot, "mod:dialog"));
	/* folders relative to the common root: auth, lib, net, proto */
	assert_non_null(strstr(dot, "id=\"dir:net\"; label=\"net\""));
	assert_non_null(strstr(dot, "id=\"dir:proto\"; label=\"proto\""));
	free(dot);

	struct strbuf sb = STRBUF_INIT;
	struct errbuf err = { { 0 }, 0 };
	spec.focus = "nosuch";
	assert_int_equal(graph_to_dot(&spec, &sb, &err), HP_EUSAGE);
	assert_string_equal(err.msg, "no module 'nosuch' in the graph");
	sb_release(&sb);
}

/* More modules than GRAPH_FOLDER_THRESHOLD: clustered by folder unless
 * told otherwise. */
static void test_dot_auto_folders(void **state)
{
	(void)state;
	enum { N = GRAPH_FOLDER_THRESHOLD + 1 };
	struct module mods[N];
	char names[N][16], paths[N][32];
	const char *files[N][1];
	memset(mods, 0, sizeof mods);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "m%02d", i);
		snprintf(paths[i], sizeof paths[i], "/r/%s/m%02d.c", i % 2 ? "odd" : "even", i);
		files[i][0] = paths[i];
		mods[i].name = names[i];
		mods[i].files = files[i];
		mods[i].nfiles = 1;
	}
	struct facts f;
	memset(&f, 0, sizeof f);
	f.modules = mods;
	f.nmodules = N;
	struct graph_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.old = &f;
	char *dot = dot_of(&spec);
	assert_non_null(strstr(dot, "id=\"dir:even\"; label=\"even\""));
	assert_non_null(strstr(dot, "id=\"dir:odd\"; label=\"odd\""));
	free(dot);
	spec.cluster = GRAPH_CLUSTER_NONE;
	dot = dot_of(&spec);
	assert_null(strstr(dot, "cluster_dir_"));
	free(dot);
	f.nmodules = GRAPH_FOLDER_THRESHOLD;
	spec.cluster = GRAPH_CLUSTER_AUTO;
	dot = dot_of(&spec);
	assert_null(strstr(dot, "cluster_dir_"));
	free(dot);
}

/* Folders that share a prefix but no whole folder ("d0", "d1") keep their
 * names (this once looped forever). */
static void test_dot_folder_prefix(void **state)
{
	(void)state;
	const char *fa[1] = { "d0/a.c" }, *fb[1] = { "d1/b.c" };
	struct module mods[2];
	memset(mods, 0, sizeof mods);
	mods[0].name = "a";
	mods[0].files = fa;
	mods[0].nfiles = 1;
	mods[1].name = "b";
	mods[1].files = fb;
	mods[1].nfiles = 1;
	struct facts f;
	memset(&f, 0, sizeof f);
	f.modules = mods;
	f.nmodules = 2;
	struct graph_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.old = &f;
	spec.cluster = GRAPH_CLUSTER_FOLDER;
	char *dot = dot_of(&spec);
	assert_non_null(strstr(dot, "id=\"dir:d0\"; label=\"d0\""));
	assert_non_null(strstr(dot, "id=\"dir:d1\"; label=\"d1\""));
	free(dot);
}

/* Module names that DOT and XML must escape (a clash gives quoted path
 * names such as 'net/conn'); graphviz reads the text back and the SVG
 * carries the names intact. */
static void test_dot_escaped_names(void **state)
{
	const char *fa[1] = { "net/conn.c" }, *fb[1] = { "x/y.c" };
	struct module mods[2];
	struct edge e = { "'net/conn'", "we\"ird\\<name>", REF_CALL, 1, 0 };
	memset(mods, 0, sizeof mods);
	mods[0].name = "'net/conn'";
	mods[0].files = fa;
	mods[0].nfiles = 1;
	mods[1].name = "we\"ird\\<name>";
	mods[1].files = fb;
	mods[1].nfiles = 1;
	struct facts f;
	memset(&f, 0, sizeof f);
	f.modules = mods;
	f.nmodules = 2;
	f.edges = &e;
	f.nedges = 1;
	struct graph_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.old = &f;
	char *dot = dot_of(&spec);
	assert_non_null(strstr(dot, "\"we\\\"ird\\\\<name>\" [id=\"mod:we\\\"ird\\\\<name>\""));
	struct strbuf svg = STRBUF_INIT;
	struct errbuf err = { { 0 }, 0 };
	assert_int_equal(graph_renderer_render(*state, dot, "svg", &svg, &err), 0);
	/* DOT keeps backslashes in node names (<title>), so the id and the
	 * label are what carry the name */
	assert_non_null(strstr(svg.buf, "<g id=\"mod:we&quot;ird\\&lt;name&gt;\" class=\"node\">"));
	assert_non_null(strstr(svg.buf, ">we&quot;ird\\&lt;name&gt;</text>"));
	assert_non_null(strstr(svg.buf, "<g id=\"mod:&#39;net/conn&#39;\" class=\"node\">"));
	assert_non_null(strstr(svg.buf, "<g id=\"edge:&#39;net/conn&#39;&#45;&gt;we&quot;ird\\&lt;name&gt;\" class=\"edge call\">"));
	sb_release(&svg);
	free(dot);
}

static void test_render(void **state)
{
	struct fixture fx;
	fixture_init(&fx);
	struct graph_spec spec = fixture_spec(&fx, 1);
	char *dot = dot_of(&spec);
	struct strbuf svg = STRBUF_INIT, svg2 = STRBUF_INIT;
	struct errbuf err = { { 0 }, 0 };
	struct graph_renderer *r = *state;
	assert_int_equal(graph_renderer_render(r, dot, "svg", &svg, &err), 0);
	assert_non_null(strstr(svg.buf, "<svg"));
	assert_non_null(strstr(svg.buf, "id=\"mod:sip\""));
	assert_int_equal(graph_renderer_render(r, dot, "svg", &svg2, &err), 0);
	assert_string_equal(svg.buf, svg2.buf);
	assert_int_equal(graph_renderer_render(r, dot, "jpeg", &svg, &err), HP_EUSAGE);
	assert_string_equal(err.msg, "unknown graph format 'jpeg' (svg, png, pdf or dot)");
	assert_int_equal(graph_renderer_render(r, "digraph {", "svg", &svg, &err), HP_EINPUT);
	assert_string_equal(graph_format_from_path("out/x.png"), "png");
	assert_string_equal(graph_format_from_path("x.gv"), "dot");
	assert_null(graph_format_from_path("x.jpeg"));
	assert_null(graph_format_from_path("dir.svg/x"));
	sb_release(&svg);
	sb_release(&svg2);
	free(dot);
}

/* One graphviz context for every rendering in this process (output.h
 * explains why); the tests that render get it as their state. */
static int group_setup(void **state)
{
	*state = graph_renderer_new();
	return *state ? 0 : -1;
}

static int group_teardown(void **state)
{
	graph_renderer_free(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_dot_single_tree),
		cmocka_unit_test(test_dot_plan),
		cmocka_unit_test(test_dot_focus_and_folders),
		cmocka_unit_test(test_dot_auto_folders),
		cmocka_unit_test(test_dot_folder_prefix),
		cmocka_unit_test(test_dot_escaped_names),
		cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
