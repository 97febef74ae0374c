/*
 * test_term.c - the Erlang term reader and writer (model/term.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "term.h"

struct fixture {
	struct arena a;
	struct errbuf err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	arena_init(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_release(&f->a);
	free(f);
	return 0;
}

static struct term **consult(struct fixture *f, const char *src, size_t *n)
{
	struct term **ts = NULL;
	int rc = term_consult(&f->a, "t.config", src, strlen(src), &ts, n, &f->err);
	if (rc)
		fail_msg("consult failed: %s", f->err.msg);
	return ts;
}

static void expect_error(struct fixture *f, const char *src, const char *msg)
{
	struct term **ts;
	size_t n;
	int rc = term_consult(&f->a, "t.config", src, strlen(src), &ts, &n, &f->err);
	assert_true(rc < 0);
	if (!strstr(f->err.msg, msg))
		fail_msg("expected '%s' in '%s'", msg, f->err.msg);
}

/* Reads src, writes every term, and compares with want. */
static void roundtrip(struct fixture *f, const char *src, const char *want)
{
	size_t n;
	struct term **ts = consult(f, src, &n);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		term_write_dot(&sb, ts[i]);
	assert_string_equal(sb.buf, want);
	/* and what we write reads back equal */
	size_t n2;
	struct term **ts2 = consult(f, sb.buf, &n2);
	assert_int_equal(n, n2);
	for (size_t i = 0; i < n; i++)
		assert_true(term_equal(ts[i], ts2[i]));
	sb_release(&sb);
}

static void test_atoms_and_numbers(void **state)
{
	struct fixture *f = *state;
	roundtrip(f, "ok. 'Hello world'. 'a\\'b'. foo@bar. 'end'. '' .",
		  "ok.\n'Hello world'.\n'a\\'b'.\nfoo@bar.\n'end'.\n''.\n");
	/* every reserved word is quoted (first, last, longest of the table) */
	roundtrip(f, "'after'. 'xor'. 'receive'. 'orelse'. ors. endx. a.",
		  "'after'.\n'xor'.\n'receive'.\n'orelse'.\nors.\nendx.\na.\n");
	roundtrip(f, "42. -7. 16#ff. 2#1010. $a. $\\n. 1_000. 9223372036854775807. -9223372036854775808.",
		  "42.\n-7.\n255.\n10.\n97.\n10.\n1000.\n9223372036854775807.\n-9223372036854775808.\n");
	roundtrip(f, "1.5. -0.25. 1.0e10. 2.5e-3.", "1.5.\n-0.25.\n1.0e10.\n0.0025.\n");
}

static void test_compound(void **state)
{
	struct fixture *f = *state;
	roundtrip(f, "{load_module, m, brutal_purge, soft_purge, [a, b]}.",
		  "{load_module,m,brutal_purge,soft_purge,[a,b]}.\n");
	roundtrip(f, "\"1.0\". \"a\" \"b\". [104,105]. []. {}. [a|b]. [a|[b]].",
		  "\"1.0\".\n\"ab\".\n\"hi\".\n[].\n{}.\n[a|b].\n[a,b].\n");
	roundtrip(f, "<<\"bin\">>. <<1,2,255>>. #{a => 1, \"k\" => [x]}.",
		  "<<\"bin\">>.\n<<1,2,255>>.\n#{a => 1,\"k\" => [x]}.\n");
	roundtrip(f, "% a comment\n{\"1.1\", [{\"1.0\", [{update, m, {advanced, []}}]}], []}. % tail\n",
		  "{\"1.1\",[{\"1.0\",[{update,m,{advanced,[]}}]}],[]}.\n");
}

static void test_equality(void **state)
{
	struct fixture *f = *state;
	size_t n;
	struct term **ts = consult(f, "\"ab\". [97,98]. \"\". []. 1. 1.0. {a,b}. {a,b}.", &n);
	assert_int_equal(n, 8);
	assert_true(term_equal(ts[0], ts[1]));
	assert_true(term_equal(ts[2], ts[3]));
	assert_false(term_equal(ts[4], ts[5]));
	assert_true(term_equal(ts[6], ts[7]));
	assert_true(term_compare(ts[4], ts[6]) < 0); /* number < tuple */
	assert_true(term_is_charlist(ts[1]));
	assert_string_equal(term_charlist(&f->a, ts[1]), "ab");
	assert_int_equal(term_list_len(ts[0]), 2);
	assert_true(term_is_tagged(ts[6], "a", 2));
}

static void test_positions(void **state)
{
	struct fixture *f = *state;
	size_t n;
	struct term **ts = consult(f, "\n  {a,\n   b}.", &n);
	assert_int_equal(ts[0]->line, 2);
	assert_int_equal(ts[0]->col, 3);
	assert_int_equal(term_elem(ts[0], 1)->line, 3);
	assert_int_equal(term_elem(ts[0], 1)->col, 4);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	expect_error(f, "{a, b", "t.config:1:6: unexpected end of input");
	expect_error(f, "{a b}.", "t.config:1:4: expected ',' or '}'");
	expect_error(f, "X.", "t.config:1:1: variables are not allowed");
	expect_error(f, "ok", "expected '.'");
	expect_error(f, "\"abc", "unterminated string");
	expect_error(f, "'abc", "unterminated quoted atom");
	expect_error(f, "99999999999999999999.", "integer too large");
	expect_error(f, "a.b.", "expected whitespace after '.'");
	expect_error(f, "\"\xff\".", "invalid UTF-8");
	expect_error(f, "case.", "reserved word");
	char big[400];
	memset(big, 'a', 300);
	strcpy(big + 300, ".");
	expect_error(f, big, "atom longer than 255");
	size_t deep = 20000;
	char *d = malloc(deep + 2);
	memset(d, '[', deep);
	d[deep] = '\0';
	expect_error(f, d, "nested deeper than");
	free(d);
	struct term **ts;
	size_t n;
	const char nul[] = "{a,\0b}.";
	assert_true(term_consult(&f->a, "t", nul, sizeof(nul) - 1, &ts, &n, &f->err) < 0);
	assert_non_null(strstr(f->err.msg, "t:1:4: NUL"));
}

static void test_build_and_write(void **state)
{
	struct fixture *f = *state;
	struct arena *a = &f->a;
	struct term *t = term_tuplev(a, 2, term_atom(a, "load"),
				     term_tuplev(a, 3, term_atom(a, "Mod"), term_atom(a, "brutal_purge"),
						 term_listv(a, 2, term_string(a, "1.0"), term_int(a, -3))));
	struct strbuf sb = STRBUF_INIT;
	term_write(&sb, t);
	assert_string_equal(sb.buf, "{load,{'Mod',brutal_purge,[\"1.0\",-3]}}");
	sb_release(&sb);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	size_t n;
	struct term **ts = consult(f, "{load, {m, brutal_purge}, [1, 2.5]}. \"a\\\"b\\n\". "
				   "[a|b]. <<1,2>>. #{k => \"v\"}. [].", &n);
	static const char *const want[] = {
		"[\"load\", [\"m\", \"brutal_purge\"], {\"list\": [1, {\"float\": 2.5}]}]",
		"{\"string\": \"a\\\"b\\n\"}",
		"{\"list\": [\"a\"], \"tail\": \"b\"}",
		"{\"binary\": [1, 2]}",
		"{\"map\": [[\"k\", {\"string\": \"v\"}]]}",
		"{\"list\": []}",
	};
	assert_int_equal(n, HP_ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		term_write_json(&sb, ts[i]);
		assert_string_equal(sb.buf, want[i]);
		sb_release(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_atoms_and_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equality, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_and_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
