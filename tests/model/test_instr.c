/*
 * test_instr.c - the low-level instruction set (model/instr.h, expanded from
 * instr.def): every name found by instr_lookup and decoded by
 * instr_decode, malformed and unknown instructions refused with their
 * position, and the INSTR_F_BEFORE_ONLY flags compared with what a real
 * Erlang/OTP release handler answers for each instruction after
 * point_of_no_return (release_handler_1:eval_script/5). The OTP test needs
 * HOTPLAN_ESCRIPT (set by tests/model/CMakeLists.txt); it is skipped, said
 * aloud, when the OTP tests are configured off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instr.h"

/* One well-formed instance of every instruction, in enum instr_op order;
 * process and code operations name no module, so that OTP can run them. */
static const struct sample {
	enum instr_op op;
	const char *text;
	size_t nmods;
} samples[] = {
	{ INSTR_LOAD_OBJECT_CODE, "{load_object_code, {app, \"1.0\", [m1, m2]}}.", 2 },
	{ INSTR_POINT_OF_NO_RETURN, "point_of_no_return.", 0 },
	{ INSTR_LOAD, "{load, {hotplan_no_such_module, soft_purge, brutal_purge}}.", 1 },
	{ INSTR_REMOVE, "{remove, {hotplan_no_such_module, brutal_purge, brutal_purge}}.", 1 },
	{ INSTR_PURGE, "{purge, []}.", 0 },
	{ INSTR_SUSPEND, "{suspend, []}.", 0 },
	{ INSTR_RESUME, "{resume, []}.", 0 },
	{ INSTR_CODE_CHANGE, "{code_change, up, []}.", 0 },
	{ INSTR_STOP, "{stop, []}.", 0 },
	{ INSTR_START, "{start, []}.", 0 },
	{ INSTR_SYNC_NODES, "{sync_nodes, hotplan_test, []}.", 0 },
	{ INSTR_APPLY, "{apply, {erlang, abs, [1]}}.", 0 },
	{ INSTR_RESTART_EMULATOR, "restart_emulator.", 0 },
	{ INSTR_RESTART_NEW_EMULATOR, "restart_new_emulator.", 0 },
};

/* Decodes the single term of text; returns instr_decode's result. */
static int decode(struct arena *a, const char *text, struct instr *out, struct errbuf *err)
{
	struct term **terms;
	size_t n;
	int rc = term_consult(a, "t.script", text, strlen(text), &terms, &n, err);
	if (rc)
		fail_msg("'%s' does not parse: %s", text, err->msg);
	assert_int_equal(n, 1);
	return instr_decode(a, "t.script", terms[0], out, err);
}

static void test_every_instruction_has_a_sample(void **state)
{
	(void)state;
	assert_int_equal(HP_ARRAY_SIZE(samples), INSTR__COUNT);
	for (size_t k = 0; k < INSTR__COUNT; k++)
		assert_int_equal(samples[k].op, k);
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (size_t k = 0; k < INSTR__COUNT; k++) {
		enum instr_op op;
		const char *name = instr_name((enum instr_op)k);
		assert_int_equal(instr_lookup(name, &op), 0);
		assert_int_equal(op, k);
		/* the name is the atom that opens the sample */
		const char *t = samples[k].text;
		assert_true(!strncmp(t + (t[0] == '{'), name, strlen(name)));
	}
	enum instr_op op;
	assert_int_equal(instr_lookup("update", &op), -1); /* high-level only */
	assert_string_equal(instr_name(INSTR__COUNT), "?");
}

static void test_decode_samples(void **state)
{
	struct arena a;
	struct errbuf err = { "", 0 };
	(void)state;
	arena_init(&a);
	for (size_t k = 0; k < INSTR__COUNT; k++) {
		struct instr in;
		if (decode(&a, samples[k].text, &in, &err))
			fail_msg("'%s': %s", samples[k].text, err.msg);
		assert_int_equal(in.op, samples[k].op);
		assert_int_equal(in.nmods, samples[k].nmods);
		assert_int_equal(in.line, 1);
	}
	struct instr in;
	assert_int_equal(decode(&a, samples[INSTR_LOAD].text, &in, &err), 0);
	assert_int_equal(in.pre, PURGE_SOFT);
	assert_int_equal(in.post, PURGE_BRUTAL);
	assert_string_equal(in.mods[0].name, "hotplan_no_such_module");
	assert_int_equal(decode(&a, samples[INSTR_LOAD_OBJECT_CODE].text, &in, &err), 0);
	assert_string_equal(in.app, "app");
	assert_string_equal(in.vsn, "1.0");
	assert_string_equal(in.mods[1].name, "m2");
	assert_int_equal(decode(&a, "{suspend, [a, {b, 500}, {c, infinity}]}.", &in, &err), 0);
	assert_int_equal(in.mods[0].timeout, INSTR_TIMEOUT_DEFAULT);
	assert_int_equal(in.mods[1].timeout, 500);
	assert_int_equal(in.mods[2].timeout, INSTR_TIMEOUT_INFINITY);
	arena_release(&a);
}

static void test_decode_refuses(void **state)
{
	struct arena a;
	struct errbuf err = { "", 0 };
	struct instr in;
	(void)state;
	arena_init(&a);
	assert_int_equal(decode(&a, "\n  {load, {m, soft_purge}}.", &in, &err), HP_EINPUT);
	assert_string_equal(err.msg, "t.script:2:3: malformed 'load' instruction: expected "
			    "{Op, {Mod, brutal_purge|soft_purge, brutal_purge|soft_purge}}");
	assert_int_equal(decode(&a, "{update, m}.", &in, &err), HP_EINPUT);
	assert_string_equal(err.msg, "t.script:1:1: unknown instruction '{update,m}'");
	assert_int_equal(decode(&a, "{point_of_no_return, x}.", &in, &err), HP_EINPUT);
	assert_true(strstr(err.msg, "malformed 'point_of_no_return' instruction") != NULL);
	arena_release(&a);
}

/* The escript asked: each instruction after point_of_no_return, evaluated
 * by release_handler_1 with no applications, one verdict per line. */
static const char otp_probe[] =
	"%% escript skips this first line\n"
	"main([File]) ->\n"
	"    {ok, Is} = file:consult(File),\n"
	"    [io:format(\"~s~n\", [verdict(I)]) || I <- Is].\n"
	"verdict(I) ->\n"
	"    case catch release_handler_1:eval_script([point_of_no_return, I], [], [], [], []) of\n"
	"        {error, {illegal_instruction_after_point_of_no_return, _}} -> \"before_only\";\n"
	"        _ -> \"anywhere\"\n"
	"    end.\n";

/* Writes text to a new temporary file named from tmpl; returns its name. */
static char *write_temp(const char *tmpl, const char *text)
{
	char *name = strdup(tmpl);
	int fd = mkstemp(name);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	return name;
}

static void test_before_only_as_otp_says(void **state)
{
	const char *escript = getenv("HOTPLAN_ESCRIPT");
	struct strbuf instrs = STRBUF_INIT, cmd = STRBUF_INIT;
	char line[64];
	(void)state;
	if (!escript || !*escript) {
		print_message("HOTPLAN_ESCRIPT unset (OTP tests configured off): not asking OTP\n");
		skip();
	}
	for (size_t k = 0; k < INSTR__COUNT; k++)
		sb_addf(&instrs, "%s\n", samples[k].text);
	char *probe = write_temp("/tmp/hotplan-instr-probe-XXXXXX", otp_probe);
	char *data = write_temp("/tmp/hotplan-instr-data-XXXXXX", instrs.buf);
	sb_addf(&cmd, "'%s' '%s' '%s'", escript, probe, data);
	FILE *p = popen(cmd.buf, "r");
	assert_non_null(p);
	size_t k = 0;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		assert_true(k < INSTR__COUNT);
		int otp = !strcmp(line, "before_only");
		int ours = (instr_flags((enum instr_op)k) & INSTR_F_BEFORE_ONLY) != 0;
		if (otp != ours)
			fail_msg("'%s' after point_of_no_return: OTP says %s, instr.def says %s",
				 instr_name((enum instr_op)k), line, ours ? "before_only" : "anywhere");
		k++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(k, INSTR__COUNT);
	unlink(probe);
	unlink(data);
	free(probe);
	free(data);
	sb_release(&instrs);
	sb_release(&cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_instruction_has_a_sample),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_decode_samples),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_before_only_as_otp_says),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
