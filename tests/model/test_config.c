/*
 * test_config.c - hotplan.config: defaults, every key, and positioned
 * errors for what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

static int read_text(struct hp_config *cfg, const char *text, struct errbuf *err)
{
	config_init(cfg);
	return config_read_text(cfg, "t.config", text, strlen(text), err);
}

static void test_defaults(void **state)
{
	struct hp_config cfg;
	(void)state;
	config_init(&cfg);
	assert_int_equal(config_spawn_arg(&cfg, "pthread_create"), 3);
	assert_int_equal(config_spawn_arg(&cfg, "thrd_create"), 2);
	assert_int_equal(config_spawn_arg(&cfg, "fork"), 0);
	assert_true(config_is_lookup(&cfg, "dlsym"));
	assert_true(config_is_lookup(&cfg, "hot_lookup"));
	assert_true(config_is_blocking(&cfg, "recv"));
	assert_true(config_is_blocking(&cfg, "pthread_cond_wait"));
	assert_false(config_is_blocking(&cfg, "pthread_mutex_lock"));
	assert_string_equal(cfg.transformer, "*_code_change");
	assert_int_equal(cfg.purge, PURGE_BRUTAL);
	assert_string_equal(config_purge_name(cfg.purge), "brutal");
	config_release(&cfg);
}

static void test_every_key(void **state)
{
	struct hp_config cfg;
	struct errbuf err = { .status = 0 };
	(void)state;
	const char *text =
		"% callsrv\n"
		"{app, callsrv}.\n{vsn, \"2.0\"}.\n{old_vsn, \"1.0\"}.\n"
		"{modules, [{sip, [\"src/sip.c\", \"src/sip_parse.c\"]}]}.\n"
		"{spawn, [{my_spawn, 2}]}.\n{lookup, [my_lookup]}.\n{blocking, [my_wait]}.\n"
		"{transformer, \"*_upgrade\"}.\n{purge, auto}.\n{max_killed, 4}.\n";
	assert_int_equal(read_text(&cfg, text, &err), 0);
	assert_string_equal(cfg.app, "callsrv");
	assert_string_equal(cfg.vsn, "2.0");
	assert_string_equal(cfg.old_vsn, "1.0");
	assert_string_equal(config_group_of(&cfg, "src/sip_parse.c"), "sip");
	assert_null(config_group_of(&cfg, "src/other.c"));
	assert_int_equal(config_spawn_arg(&cfg, "my_spawn"), 2);
	assert_int_equal(config_spawn_arg(&cfg, "pthread_create"), 3);
	assert_true(config_is_lookup(&cfg, "my_lookup") && config_is_lookup(&cfg, "dlsym"));
	assert_true(config_is_blocking(&cfg, "my_wait") && config_is_blocking(&cfg, "recv"));
	assert_string_equal(cfg.transformer, "*_upgrade");
	assert_int_equal(cfg.purge, PURGE_AUTO);
	assert_int_equal(cfg.max_killed, 4);
	struct hp_config def;
	config_init(&def);
	assert_true(config_analysis_hash(&def) != config_analysis_hash(&cfg));
	config_release(&def);
	config_release(&cfg);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "{app, x}.\n  {colour, blue}.\n", "t.config:2:3: unknown key 'colour'" },
		{ "{purge, gentle}.\n", "t.config:1:9: 'purge' must be soft, brutal or auto" },
		{ "{spawn, [{f, 0}]}.\n", "t.config:1:10: 'spawn' entries must be {Function, Argument} with Argument in 1..64" },
		{ "{vsn, 2}.\n", "t.config:1:7: 'vsn' must be a string" },
		{ "{max_killed, -1}.\n", "t.config:1:14: 'max_killed' must be a non-negative integer" },
		{ "{app, a}.\n{app, b}.\n", "t.config:2:1: key 'app' given twice" },
		{ "{modules, [{m, [\"a.c\"]}, {m, [\"b.c\"]}]}.\n", "t.config:1:26: module 'm' is grouped twice" },
		{ "app.\n", "t.config:1:1: expected {Key, Value}" },
		{ "{app, x}\n", "t.config:" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hp_config cfg;
		struct errbuf err = { .status = 0 };
		assert_int_equal(read_text(&cfg, cases[i].text, &err), HP_EINPUT);
		if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg, cases[i].msg);
		config_release(&cfg);
	}
}

/* config.h: after a failed read the config holds valid contents: a module
 * group that failed half-way is not counted (found by fuzz_config). */
static void test_partial_modules_stay_valid(void **state)
{
	struct hp_config cfg;
	struct errbuf err;
	(void)state;
	assert_int_not_equal(read_text(&cfg, "{modules, [{a, [\"a.c\"]}, {b, [x]}, {s}]}.\n", &err), 0);
	assert_non_null(strstr(err.msg, ":1:"));
	assert_int_equal(cfg.nmodules, 1);
	assert_string_equal(cfg.modules[0].name, "a");
	assert_int_equal(cfg.modules[0].nfiles, 1);
	(void)config_analysis_hash(&cfg);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_partial_modules_stay_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
