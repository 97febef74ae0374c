/*
 * test_jsonw.c - the JSON writer (model/jsonw.h): the escaper (quotes,
 * backslashes, every control character, NUL inside a length-given string,
 * UTF-8 passed through), the three layouts and their nesting, numbers at
 * their limits, a document resumed by a second writer, and that the output
 * reads back with cJSON and is the same bytes every time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonw.h"

static void escaped(const char *s, size_t n, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	jsonw_escape(&sb, s, n);
	assert_string_equal(sb.buf, want);
	sb_release(&sb);
}

static void test_escape(void **state)
{
	(void)state;
	escaped("plain", 5, "plain");
	escaped("a\"b\\c", 5, "a\\\"b\\\\c");
	escaped("\n\r\t", 3, "\\n\\r\\t");
	escaped("\x01\x1f\b\f", 4, "\\u0001\\u001f\\u0008\\u000c");
	escaped("a\0b", 3, "a\\u0000b");
	/* DEL and UTF-8 (2, 3 and 4 bytes) pass through unchanged */
	escaped("\x7f", 1, "\x7f");
	escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", 14,
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
	escaped("</script>", 9, "</script>");
	escaped("", 0, "");
}

/* Every byte from 1 to 0xff in a string reads back as itself. */
static void test_escape_round_trip(void **state)
{
	(void)state;
	char in[256];
	for (int i = 1; i < 256; i++)
		in[i - 1] = (char)(i < 0x80 ? i : 'x');
	in[255] = '\0';
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb, 0);
	jsonw_string(&w, in);
	cJSON *j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	assert_true(cJSON_IsString(j));
	assert_string_equal(j->valuestring, in);
	cJSON_Delete(j);
	sb_release(&sb);
}

static void write_doc(struct strbuf *sb)
{
	struct jsonw w;
	jsonw_init(&w, sb, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "name"); jsonw_string(&w, "m\"1");
	jsonw_key(&w, "none"); jsonw_string(&w, NULL);
	jsonw_key(&w, "empty"); jsonw_array(&w, JSONW_LINES); jsonw_end(&w);
	jsonw_key(&w, "items");
	jsonw_array(&w, JSONW_LINES);
	jsonw_object(&w, JSONW_INLINE);
	jsonw_key(&w, "a"); jsonw_int(&w, -1);
	jsonw_key(&w, "b"); jsonw_array(&w, JSONW_INLINE);
	jsonw_bool(&w, 1); jsonw_bool(&w, 0); jsonw_null(&w);
	jsonw_end(&w);
	jsonw_wrap(&w);
	jsonw_key(&w, "c"); jsonw_object(&w, JSONW_SPACED);
	jsonw_key(&w, "text"); jsonw_string(&w, "t");
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_object(&w, JSONW_SPACED); jsonw_end(&w);
	jsonw_end(&w);
	jsonw_key(&w, "deep");
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "h"); jsonw_hash(&w, 0x0123456789abcdefULL);
	jsonw_key(&w, "raw"); jsonw_raw(&w, "2");
	jsonw_end(&w);
	jsonw_end(&w);
}

static void test_layouts(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	write_doc(&sb);
	assert_string_equal(sb.buf,
		"{\n"
		"  \"name\": \"m\\\"1\",\n"
		"  \"none\": null,\n"
		"  \"empty\": [],\n"
		"  \"items\": [\n"
		"    {\"a\": -1, \"b\": [true, false, null],\n"
		"     \"c\": { \"text\": \"t\" }},\n"
		"    {}\n"
		"  ],\n"
		"  \"deep\": {\n"
		"    \"h\": \"0123456789abcdef\",\n"
		"    \"raw\": 2\n"
		"  }\n"
		"}");
	cJSON *j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	cJSON_Delete(j);
	sb_release(&sb);
}

/* A writer that starts inside a document indents from there. */
static void test_indent_base(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb, 2);
	jsonw_array(&w, JSONW_LINES);
	jsonw_string(&w, "x");
	jsonw_end(&w);
	assert_string_equal(sb.buf, "[\n      \"x\"\n    ]");
	sb_release(&sb);
}

/* A document written by two writers in turn (SARIF's driver callbacks)
 * is the one a single writer writes. */
static void test_resume(void **state)
{
	(void)state;
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	struct jsonw w;
	for (int items = 0; items <= 2; items++) {
		sb_reset(&one);
		sb_reset(&two);
		jsonw_init(&w, &one, 0);
		jsonw_object(&w, JSONW_LINES);
		jsonw_key(&w, "a"); jsonw_int(&w, 1);
		jsonw_key(&w, "list"); jsonw_array(&w, JSONW_LINES);
		for (int i = 0; i < items; i++)
			jsonw_int(&w, i);
		jsonw_end(&w);
		jsonw_end(&w);

		jsonw_init(&w, &two, 0);
		jsonw_object(&w, JSONW_LINES);
		jsonw_key(&w, "a"); jsonw_int(&w, 1);
		jsonw_key(&w, "list"); jsonw_array(&w, JSONW_LINES);
		for (int i = 0; i < items; i++) {
			jsonw_init(&w, &two, 0);
			jsonw_resume(&w, JSONW_LINES, 1, 2);
			jsonw_resume(&w, JSONW_LINES, 0, (size_t)i);
			jsonw_int(&w, i);
		}
		jsonw_init(&w, &two, 0);
		jsonw_resume(&w, JSONW_LINES, 1, 2);
		jsonw_resume(&w, JSONW_LINES, 0, (size_t)items);
		jsonw_end(&w);
		jsonw_end(&w);
		assert_string_equal(two.buf, one.buf);
	}
	sb_release(&one);
	sb_release(&two);
}

static void test_numbers(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb, 0);
	jsonw_array(&w, JSONW_INLINE);
	jsonw_int(&w, 0);
	jsonw_int(&w, LLONG_MIN);
	jsonw_int(&w, LLONG_MAX);
	jsonw_uint(&w, ULLONG_MAX);
	jsonw_hash(&w, 0);
	jsonw_end(&w);
	assert_string_equal(sb.buf, "[0, -9223372036854775808, 9223372036854775807, "
			    "18446744073709551615, \"0000000000000000\"]");
	sb_release(&sb);
}

/* The same calls give the same bytes, and a document nested to the limit
 * closes every container it opened. */
static void test_determinism_and_depth(void **state)
{
	(void)state;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	write_doc(&a);
	write_doc(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	sb_release(&a);
	sb_release(&b);

	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb, 0);
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		jsonw_array(&w, i % 2 ? JSONW_LINES : JSONW_INLINE);
	jsonw_int(&w, 7);
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		jsonw_end(&w);
	assert_int_equal(w.depth, 0);
	cJSON *j = cJSON_Parse(sb.buf);
	assert_non_null(j);
	cJSON_Delete(j);
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_indent_base),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_determinism_and_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
