/*
 * test_facts.c - the facts model: canonical order, edges from refs,
 * lookups, the JSON round trip, and positioned reader errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "facts.h"

/* Two modules built by hand, in the wrong order, with every field set. */
static struct facts *sample(void)
{
	struct facts *f = facts_new();
	struct arena *a = &f->arena;
	f->root = "tree";
	f->nmodules = 2;
	f->modules = arena_zalloc(a, 2 * sizeof(struct module));
	struct module *srv = &f->modules[0], *lib = &f->modules[1];

	srv->name = "srv";
	srv->nfiles = 1;
	srv->files = arena_alloc(a, sizeof(char *));
	srv->files[0] = "src/srv.c";
	srv->hash = 0x0123456789abcdefULL;
	srv->flags_hash = 42;
	/* in command-line order, a repeated flag kept twice */
	srv->nflags = 3;
	srv->flags = arena_alloc(a, 3 * sizeof(char *));
	srv->flags[0] = "-O2";
	srv->flags[1] = "-I../include";
	srv->flags[2] = "-O2";
	srv->has_flags = 1;
	srv->transformer = "srv_code_change";
	srv->nexports = 2;
	srv->exports = arena_zalloc(a, 2 * sizeof(struct symbol));
	srv->exports[0] = (struct symbol){ "srv_main", SYM_FUNCTION, LINK_EXTERNAL, "void *(void *)",
		"default", 0, 7, 8, { "src/srv.c", 10, 7 }, 1, NEXT_BLOCKED, "recv" };
	srv->exports[1] = (struct symbol){ "srv_code_change", SYM_FUNCTION, LINK_EXTERNAL,
		"int (struct st *)", "hidden", 0, 9, 10, { "src/srv.c", 30, 5 }, 0, NEXT_LOCAL, NULL };
	srv->nlocals = 1;
	srv->locals = arena_zalloc(a, sizeof(struct symbol));
	srv->locals[0] = (struct symbol){ "state", SYM_VARIABLE, LINK_INTERNAL, "struct st",
		"default", 0, 11, 0, { "src/srv.c", 3, 18 }, 0, NEXT_LOCAL, NULL };
	srv->nrefs = 3;
	srv->refs = arena_zalloc(a, 3 * sizeof(struct ref));
	srv->refs[0] = (struct ref){ "lib_put", "lib", REF_CALL, 0, "srv_main", { "src/srv.c", 12, 3 } };
	srv->refs[1] = (struct ref){ "lib_get", "lib", REF_QUALIFIED, 0, "srv_main", { "src/srv.c", 13, 3 } };
	srv->refs[2] = (struct ref){ "lib_count", "lib", REF_DATA, 1, "srv_main", { "src/srv.c", 14, 9 } };
	srv->nentries = 1;
	srv->entries = arena_zalloc(a, sizeof(struct entry));
	srv->entries[0] = (struct entry){ "srv_main", "pthread_create", "main", "main", NEXT_BLOCKED,
		"recv", { "src/srv.c", 10, 7 } };
	srv->nblocking = 1;
	srv->blocking = arena_zalloc(a, sizeof(struct blocking));
	srv->blocking[0] = (struct blocking){ "srv_main", "recv", { "src/srv.c", 15, 5 } };
	srv->nstates = 1;
	srv->states = arena_zalloc(a, sizeof(struct state_type));
	srv->states[0] = (struct state_type){ "struct st", 99, "int n@0; size 4", { "src/srv.c", 2, 8 } };

	lib->name = "lib";
	lib->incomplete = 1;
	lib->nexports = 1;
	lib->exports = arena_zalloc(a, sizeof(struct symbol));
	lib->exports[0] = (struct symbol){ "lib_put", SYM_FUNCTION, LINK_EXTERNAL, "void (int)",
		"protected", 1, 1, 2, { NULL, 0, 0 }, 0, NEXT_LOCAL, NULL };

	f->ndiags = 1;
	f->diags = arena_zalloc(a, sizeof(struct diagnostic));
	f->diags[0] = (struct diagnostic){ SEV_ERROR, "lib", "expected ';' \"quoted\"\n",
		{ "lib.c", 4, 2 } };
	facts_finish(f);
	return f;
}

static char *write_str(const struct facts *f)
{
	struct strbuf sb = STRBUF_INIT;
	facts_write_json(f, &sb);
	return sb_detach(&sb, NULL);
}

static void test_finish_orders_and_builds_edges(void **state)
{
	(void)state;
	struct facts *f = sample();
	assert_string_equal(f->modules[0].name, "lib");
	assert_string_equal(f->modules[1].name, "srv");
	const struct module *srv = facts_module(f, "srv");
	assert_non_null(srv);
	assert_null(facts_module(f, "nope"));
	assert_string_equal(srv->exports[0].name, "srv_code_change");
	assert_non_null(module_export(srv, "srv_main"));
	assert_null(module_export(srv, "state"));
	assert_non_null(module_local(srv, "state"));
	/* refs sorted by (module, symbol, kind, from) */
	assert_string_equal(srv->refs[0].symbol, "lib_count");
	assert_string_equal(srv->refs[2].symbol, "lib_put");
	assert_int_equal(f->nedges, 1);
	assert_string_equal(f->edges[0].from, "srv");
	assert_string_equal(f->edges[0].to, "lib");
	assert_int_equal(f->edges[0].kinds, REF_CALL | REF_QUALIFIED | REF_DATA);
	assert_int_equal(f->edges[0].count, 3);
	assert_true(f->edges[0].ambiguous);
	assert_string_equal(ref_kind_name(REF_QUALIFIED), "qualified");
	assert_string_equal(next_call_name(NEXT_BLOCKED), "blocked");
	facts_free(f);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct facts *f = sample(), *g = NULL;
	struct errbuf err = { .status = 0 };
	char *one = write_str(f);
	assert_true(facts_sniff(one, strlen(one)));
	assert_int_equal(facts_read_json("one.json", one, strlen(one), &g, &err), 0);
	char *two = write_str(g);
	assert_string_equal(one, two);
	/* what was read is what was written, field by field */
	const struct module *srv = facts_module(g, "srv");
	const struct symbol *s = module_export(srv, "srv_main");
	assert_int_equal(s->has_loop, 1);
	assert_int_equal(s->loop_next, NEXT_BLOCKED);
	assert_string_equal(s->loop_blocking, "recv");
	assert_int_equal(s->sig_hash, 7);
	assert_int_equal(s->hash, 8);
	assert_string_equal(module_export(srv, "srv_code_change")->visibility, "hidden");
	assert_true(module_export(facts_module(g, "lib"), "lib_put")->is_inline);
	assert_true(facts_module(g, "lib")->incomplete);
	assert_int_equal(srv->hash, 0x0123456789abcdefULL);
	assert_string_equal(srv->transformer, "srv_code_change");
	assert_string_equal(g->diags[0].message, "expected ';' \"quoted\"\n");
	assert_int_equal(g->diags[0].severity, SEV_ERROR);
	assert_string_equal(srv->states[0].layout, "int n@0; size 4");
	assert_int_equal(srv->entries[0].next_call, NEXT_BLOCKED);
	/* compile flags: kept in their order; lib's are not listed at all */
	assert_true(srv->has_flags);
	assert_int_equal(srv->nflags, 3);
	assert_string_equal(srv->flags[0], "-O2");
	assert_string_equal(srv->flags[1], "-I../include");
	assert_string_equal(srv->flags[2], "-O2");
	assert_false(facts_module(g, "lib")->has_flags);
	assert_non_null(strstr(one, "\"flags\": [\n        \"-O2\",\n        \"-I../include\","));
	const char *second = strstr(strstr(one, "\"flags\":") + 1, "\"flags\":");
	assert_null(second); /* lib has no "flags" member, not an empty one */
	free(one);
	free(two);
	facts_free(f);
	facts_free(g);
}

static void test_unit_facts_round_trip(void **state)
{
	(void)state;
	struct facts *f = sample(), *g = NULL;
	struct errbuf err = { .status = 0 };
	f->unit = 1;
	f->modules[1].refs[0].module = NULL; /* not resolved yet */
	facts_finish(f);
	char *one = write_str(f);
	assert_non_null(strstr(one, "\"unit\": true"));
	assert_int_equal(facts_read_json("u.json", one, strlen(one), &g, &err), 0);
	assert_true(g->unit);
	char *two = write_str(g);
	assert_string_equal(one, two);
	free(one);
	free(two);
	facts_free(f);
	facts_free(g);
}

static void test_unknown_fields_and_edges_only(void **state)
{
	(void)state;
	const char *text =
		"{\"format\": \"hotplan-facts\", \"version\": 1, \"extra\": [1, {\"x\": 2}],\n"
		" \"modules\": [{\"name\": \"b\", \"colour\": \"red\", \"flags\": []}, {\"name\": \"a\"}],\n"
		" \"edges\": [{\"from\": \"a\", \"to\": \"b\", \"kinds\": [\"call\"], \"count\": 2},\n"
		"           {\"from\": \"a\", \"to\": \"b\", \"kinds\": [\"data\"]}]}\n";
	struct facts *f = NULL;
	struct errbuf err = { .status = 0 };
	assert_int_equal(facts_read_json("x.json", text, strlen(text), &f, &err), 0);
	assert_int_equal(f->nmodules, 2);
	assert_string_equal(f->modules[0].name, "a");
	/* facts without "flags" do not list them; an empty list is a list */
	assert_false(f->modules[0].has_flags);
	assert_true(f->modules[1].has_flags);
	assert_int_equal(f->modules[1].nflags, 0);
	/* edges without refs are kept, merged per pair */
	assert_int_equal(f->nedges, 1);
	assert_int_equal(f->edges[0].kinds, REF_CALL | REF_DATA);
	assert_int_equal(f->edges[0].count, 3);
	facts_free(f);
}

static void test_reader_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "{\"format\": \"other\", \"version\": 1, \"modules\": []}",
		  "f.json:1:12: not a facts file: format is 'other', expected 'hotplan-facts'" },
		{ "{\"format\": \"hotplan-facts\",\n \"version\": 9, \"modules\": []}",
		  "f.json:2:13: unsupported facts version 9 (this hotplan reads 1)" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1}",
		  "f.json:1:1: missing 'modules' in object" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": 3}]}",
		  "f.json:2:23: 'name' must be a string" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": \"m\",\n"
		  "   \"exports\": [{\"name\": \"f\", \"kind\": \"macro\"}]}]}",
		  "f.json:3:38: unknown kind 'macro'" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": \"m\",\n"
		  "   \"refs\": [{\"symbol\": \"f\", \"kind\": \"call\"}]}]}",
		  "f.json:3:13: missing 'module' in object" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": \"m\", \"hash\": \"xyz\"}]}",
		  "f.json:2:36: 'hash' must be a hash of 16 hex digits" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": \"m\"}, {\"name\": \"m\"}]}",
		  "f.json: module 'm' appears twice" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1, \"modules\": [],\n \"edges\": [{\"from\": \"a\"}]}",
		  "f.json:2:12: missing 'to' in object" },
		{ "[1, 2]", "f.json:1:1: facts must be an object" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": \"m\", \"flags\": \"-O2\"}]}",
		  "f.json:2:37: 'flags' must be an array" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1,\n \"modules\": [{\"name\": \"m\",\n"
		  "   \"flags\": [\"-O2\", 2]}]}",
		  "f.json:3:21: a compile flag must be a string" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1, \"modules\": [{\"name\":\n \""
		  "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
		  "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
		  "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\"}]}",
		  "f.json:2:2: module name longer than 255 characters" },
		{ "{\"format\": \"hotplan-facts\", \"version\": 1, \"modules\": [", "f.json:" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct facts *f = NULL;
		struct errbuf err = { .status = 0 };
		int rc = facts_read_json("f.json", cases[i].text, strlen(cases[i].text), &f, &err);
		if (rc != HP_EINPUT || strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: rc %d, got '%s', want '%s'", i, rc, err.msg, cases[i].msg);
		assert_null(f);
	}
}

static void test_sniff(void **state)
{
	(void)state;
	const char *db = "[{\"directory\": \"/\", \"file\": \"a.c\", \"command\": \"cc a.c\"}]";
	const char *facts = "  {\n  \"format\": \"hotplan-facts\", \"version\": 1}";
	assert_false(facts_sniff(db, strlen(db)));
	assert_true(facts_sniff(facts, strlen(facts)));
	assert_false(facts_sniff("", 0));
	assert_false(facts_sniff("{\"format\": \"other\"}", 19));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finish_orders_and_builds_edges),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unit_facts_round_trip),
		cmocka_unit_test(test_unknown_fields_and_edges_only),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
