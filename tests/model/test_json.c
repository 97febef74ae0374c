/*
 * test_json.c - model/json.h: parse errors and type errors name the file,
 * line and column; typed getters; writers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "json.h"

static void expect_parse_error(const char *text, size_t len, const char *want, int status)
{
	struct json_doc d;
	struct errbuf err;
	int rc = json_doc_parse(&d, "in.json", text, len, &err);
	assert_int_equal(rc, status);
	if (!strstr(err.msg, want))
		fail_msg("expected '%s' in '%s'", want, err.msg);
	json_doc_release(&d);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("{\"a\": 1,\n  \"b\": }", 17, "in.json:2:8: malformed JSON", HP_EINPUT);
	expect_parse_error("{\"a\": [1, 2", 11, "in.json:1:12: unexpected end of JSON input", HP_EINPUT);
	expect_parse_error("", 0, "unexpected end of JSON input", HP_EINPUT);
	expect_parse_error("{\"a\": \"\xc3\x28\"}", 10, "in.json:1:8: invalid UTF-8", HP_EINPUT);
	expect_parse_error("{\"a\":\n \"x\0y\"}", 13, "in.json:2:4: NUL byte", HP_EINPUT);
	size_t deep = 5000;
	char *d = malloc(deep * 2 + 1);
	memset(d, '[', deep);
	memset(d + deep, ']', deep);
	d[deep * 2] = '\0';
	expect_parse_error(d, deep * 2, "nested deeper than 1000", HP_ELIMIT);
	free(d);
}

static void test_getters_and_positions(void **state)
{
	const char *text =
		"{\n"
		"  \"name\": \"sip\",\n"
		"  \"count\": 3,\n"
		"  \"bad\": \"three\",\n"
		"  \"flag\": true,\n"
		"  \"list\": [1, {\"x\": null}],\n"
		"  \"hash\": \"00112233445566ff\"\n"
		"}\n";
	struct json_doc d;
	struct errbuf err;
	const char *s;
	long long n;
	int b;
	uint64_t h;
	const cJSON *arr;
	(void)state;
	assert_int_equal(json_doc_parse(&d, "doc.json", text, strlen(text), &err), 0);
	assert_int_equal(json_get_string(&d, d.root, "name", 1, &s), 0);
	assert_string_equal(s, "sip");
	assert_int_equal(json_get_int(&d, d.root, "count", 1, 0, 10, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(json_get_bool(&d, d.root, "flag", 1, &b), 0);
	assert_true(b);
	assert_int_equal(json_get_hash(&d, d.root, "hash", 1, &h), 0);
	assert_true(h == 0x00112233445566ffULL);
	assert_int_equal(json_get_string(&d, d.root, "absent", 0, &s), 1);

	/* wrong type: the position is the value's */
	assert_int_equal(json_get_int(&d, d.root, "bad", 1, 0, 10, &n), HP_EINPUT);
	assert_string_equal(err.msg, "doc.json:4:10: 'bad' must be an integer");
	assert_int_equal(json_get_int(&d, d.root, "count", 1, 5, 10, &n), HP_EINPUT);
	assert_string_equal(err.msg, "doc.json:3:12: 'count' must be between 5 and 10");
	assert_int_equal(json_get_string(&d, d.root, "missing", 1, &s), HP_EINPUT);
	assert_string_equal(err.msg, "doc.json:1:1: missing 'missing' in object");
	assert_int_equal(json_get_array(&d, d.root, "list", 1, &arr), 0);
	const cJSON *obj = cJSON_GetArrayItem(arr, 1);
	assert_int_equal(json_get_string(&d, obj, "x", 1, &s), HP_EINPUT);
	assert_string_equal(err.msg, "doc.json:6:21: 'x' must be a string");
	assert_int_equal(json_get_string_or_null(&d, obj, "x", 1, &s), 0);
	assert_null(s);
	json_doc_release(&d);
}

static void test_writers(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	json_put_string(&sb, "a\"b");
	sb_addc(&sb, ' ');
	json_put_string(&sb, NULL);
	sb_addc(&sb, ' ');
	json_put_hash(&sb, 0xabcULL);
	assert_string_equal(sb.buf, "\"a\\\"b\" null \"0000000000000abc\"");
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_getters_and_positions),
		cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
