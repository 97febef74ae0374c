/*
 * test_runtime.c - the runtime reader (model/runtime.h): what it accepts,
 * the positioned errors it gives, and the canonical writer round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define HEAD "{\"format\": \"hotplan-runtime\", \"version\": 1,\n"

static const char good[] = HEAD
	"\"modules\": [{\"name\": \"m\", \"current\": 2, \"old\": 1},\n"
	"            {\"name\": \"n\", \"current\": \"1.0\", \"old\": null}],\n"
	"\"supervisors\": [{\"name\": \"top\", \"intensity\": 3, \"period\": 10, \"type\": \"temporary\"},\n"
	"                {\"name\": \"sub\", \"parent\": \"top\"}],\n"
	"\"processes\": [\n"
	"  {\"pid\": \"<0.1.0>\", \"name\": \"w\", \"frames\": [{\"module\": \"n\", \"version\": \"current\"},"
	" {\"module\": \"m\", \"version\": \"old\"}], \"next_call\": \"local\", \"sys\": true,"
	" \"supervisor\": \"sub\", \"modules\": [\"m\"], \"restart\": \"transient\"},\n"
	"  {\"pid\": 7, \"frames\": [{\"module\": \"m\", \"version\": 2}], \"next_call\": \"qualified\","
	" \"funs\": [{\"module\": \"n\", \"version\": \"1.0\"}]}],\n"
	"\"unpurged\": [{\"module\": \"m\", \"method\": \"brutal_purge\"}]}\n";

static void test_read_good(void **state)
{
	struct runtime *rt;
	struct errbuf err;
	(void)state;
	assert_int_equal(runtime_read_json("rt.json", good, strlen(good), &rt, &err), 0);
	assert_int_equal(rt->modules.n, 2);
	assert_int_equal(rt->supervisors.n, 2);
	assert_int_equal(rt->supervisors.items[1].parent, 0);
	assert_int_equal(rt->supervisors.items[1].intensity, RT_DEFAULT_INTENSITY);
	assert_int_equal(rt->supervisors.items[0].period, 10);
	assert_int_equal(rt->processes.n, 2);
	const struct rt_process *w = &rt->processes.items[0];
	assert_string_equal(w->name, "w");
	assert_int_equal(w->nframes, 2);
	assert_int_equal(rt->frames.items[w->frames + 1].version, rt->modules.items[0].old);
	assert_int_equal(w->restart, RT_TRANSIENT);
	assert_true(w->sys && w->has_mods);
	const struct rt_process *p7 = &rt->processes.items[1];
	assert_string_equal(p7->pid, "7");
	assert_string_equal(p7->name, "7");
	assert_int_equal(p7->next, NEXT_QUALIFIED);
	assert_int_equal(p7->nfuns, 1);
	assert_int_equal(p7->supervisor, RT_NONE);
	assert_int_equal(rt->unpurged.n, 1);
	assert_int_equal(runtime_validate(rt, &err), 0);

	/* The canonical writer reads back to the same canonical text. */
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	runtime_write_json(rt, &a);
	struct runtime *rt2;
	assert_int_equal(runtime_read_json("a.json", a.buf, a.len, &rt2, &err), 0);
	runtime_write_json(rt2, &b);
	assert_string_equal(a.buf, b.buf);
	sb_release(&a);
	sb_release(&b);
	runtime_free(rt2);
	runtime_free(rt);
}

/* Reads text, expects failure with message containing want. */
static void expect_error(const char *text, const char *want)
{
	struct runtime *rt = (struct runtime *)1;
	struct errbuf err;
	int rc = runtime_read_json("bad.json", text, strlen(text), &rt, &err);
	if (rc == 0 || !strstr(err.msg, want))
		fail_msg("for %s\nwanted '%s', got rc %d '%s'", text, want, rc, rc ? err.msg : "");
	assert_null(rt);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": [{\"module\": \"x\"}]}]}",
		     "bad.json:2:63: unknown module 'x'");
	expect_error(HEAD "\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
		     "\"processes\": [{\"pid\": 1, \"frames\": [{\"module\": \"m\", \"version\": 3}]}]}",
		     "bad.json:3:64: version 3 of module 'm' is neither its current nor its old version");
	expect_error(HEAD "\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
		     "\"processes\": [{\"pid\": 1, \"frames\": [{\"module\": \"m\", \"version\": \"old\"}]}]}",
		     "bad.json:3:64: module 'm' has no old version");
	expect_error(HEAD "\"modules\": [{\"name\": \"m\", \"current\": 1.5}], \"processes\": []}",
		     "bad.json:2:38: version must be an integer or a string");
	expect_error(HEAD "\"modules\": [], \"supervisors\": [{\"name\": \"a\", \"parent\": \"b\"},\n"
		     "{\"name\": \"b\", \"parent\": \"a\"}], \"processes\": []}",
		     "bad.json:2:32: supervisor 'a' is its own ancestor (a cycle)");
	expect_error(HEAD "\"modules\": [], \"supervisors\": [{\"name\": \"a\", \"parent\": \"zz\"}], \"processes\": []}",
		     "bad.json:2:56: unknown supervisor 'zz'");
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": [], \"supervisor\": \"s\"}]}",
		     "unknown supervisor 's'");
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": []},\n"
		     "{\"pid\": \"1\", \"frames\": []}]}",
		     "bad.json:3:9: duplicate pid '1'");
	expect_error(HEAD "\"modules\": [{\"name\": \"m\"}, {\"name\": \"m\"}], \"processes\": []}",
		     "bad.json:2:28: duplicate module 'm'");
	expect_error(HEAD "\"modules\": [{\"name\": \"m\", \"current\": 1}], \"processes\": [{\"pid\": 1, \"frames\": [],"
		     " \"modules\": [\"m\"]}]}",
		     "needs a 'supervisor'");
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": [], \"next_call\": \"soon\"}]}",
		     "bad 'next_call' value 'soon'");
	expect_error("{\"format\": \"hotplan-facts\", \"version\": 1}", "bad.json:1:12: format is 'hotplan-facts'");
	expect_error(HEAD "\"modules\": [", "bad.json:");
	expect_error(HEAD "\"modules\": []}", "missing 'processes'");
	/* Malformed, truncated or badly encoded process objects. */
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": []},\n"
		     "  {\"pid\": 2, \"frames\": [}]}", "bad.json:3:");
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": []},]}", "bad.json:2:");
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": \"\xff\", \"frames\": []}]}",
		     "bad.json:2:39: invalid UTF-8");
	expect_error(HEAD "\"modules\": [], \"processes\": [7]}", "a process must be an object");
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": []}", "bad.json:2:");
	/* Positions inside an object that spans lines, after other objects. */
	expect_error(HEAD "\"modules\": [], \"processes\": [{\"pid\": 1, \"frames\": []}, {\"pid\": 2,\n"
		     "   \"frames\": [],\n   \"next_call\": 3}]}", "bad.json:4:17: 'next_call' must be a string");
}

/* A fun may name a version already purged (funs do not keep code alive);
 * a frame may not, and "current"/"old" must still exist. */
static void test_purged_fun(void **state)
{
	static const char text[] = HEAD "\"modules\": [{\"name\": \"f\", \"current\": 3, \"old\": 2}],\n"
		"\"processes\": [{\"pid\": 1, \"frames\": [{\"module\": \"f\"}],"
		" \"funs\": [{\"module\": \"f\", \"version\": 1}, {\"module\": \"f\", \"version\": \"r1\"},"
		" {\"module\": \"f\", \"version\": \"old\"}]}]}";
	struct runtime *rt;
	struct errbuf err;
	(void)state;
	assert_int_equal(runtime_read_json("f.json", text, strlen(text), &rt, &err), 0);
	assert_int_equal(rt->processes.items[0].nfuns, 3);
	const struct rt_frame *fun = rt->funs.items + rt->processes.items[0].funs;
	assert_string_equal(rt->versions.items[fun[0].version].text, "1");
	assert_true(rt->versions.items[fun[0].version].is_int);
	assert_string_equal(rt->versions.items[fun[1].version].text, "r1");
	assert_false(rt->versions.items[fun[1].version].is_int);
	assert_int_equal(fun[2].version, rt->modules.items[0].old);
	assert_int_equal(runtime_validate(rt, &err), 0);
	/* The writer keeps the purged version, and it reads back the same. */
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	runtime_write_json(rt, &a);
	assert_non_null(strstr(a.buf, "{\"module\": \"f\", \"version\": 1}"));
	struct runtime *rt2;
	assert_int_equal(runtime_read_json("a.json", a.buf, a.len, &rt2, &err), 0);
	runtime_write_json(rt2, &b);
	assert_string_equal(a.buf, b.buf);
	sb_release(&a);
	sb_release(&b);
	runtime_free(rt2);
	runtime_free(rt);

	expect_error(HEAD "\"modules\": [{\"name\": \"f\", \"current\": 3, \"old\": 2}],\n"
		     "\"processes\": [{\"pid\": 1, \"frames\": [{\"module\": \"f\", \"version\": 1}]}]}",
		     "bad.json:3:64: version 1 of module 'f' is neither its current nor its old version");
	expect_error(HEAD "\"modules\": [{\"name\": \"f\", \"current\": 3}],\n"
		     "\"processes\": [{\"pid\": 1, \"frames\": [], \"funs\": [{\"module\": \"f\", \"version\": \"old\"}]}]}",
		     "bad.json:3:76: module 'f' has no old version");
	expect_error(HEAD "\"modules\": [{\"name\": \"f\", \"current\": 3}],\n"
		     "\"processes\": [{\"pid\": 1, \"frames\": [], \"funs\": [{\"module\": \"g\", \"version\": 1}]}]}",
		     "unknown module 'g'");
	expect_error(HEAD "\"modules\": [{\"name\": \"f\", \"current\": 3}],\n"
		     "\"processes\": [{\"pid\": 1, \"frames\": [], \"funs\": [{\"module\": \"f\", \"version\": 1.5}]}]}",
		     "a version must be");
}

static void test_utf8_names(void **state)
{
	static const char text[] = HEAD "\"modules\": [{\"name\": \"m\", \"current\": 1}],\n"
		"\"processes\": [{\"pid\": \"<0.1.0>\", \"name\": \"caf\xc3\xa9\", \"frames\": [{\"module\": \"m\"}]}]}";
	struct runtime *rt;
	struct errbuf err;
	(void)state;
	assert_int_equal(runtime_read_json("u.json", text, strlen(text), &rt, &err), 0);
	assert_string_equal(rt->processes.items[0].name, "caf\xc3\xa9");
	runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_purged_fun),
		cmocka_unit_test(test_utf8_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
