/*
 * test_upgrade.c - the upgrade layer through upgrade.h alone, on facts
 * built in C (tests/planner/fixture.c's release: conn update advanced, sess
 * update soft, codec and worker load_module, auth added, legacy removed;
 * worker's process runs unsupervised, conn's and sess's are suspended).
 *
 * What is asserted is what a user of check, graph and plan sees: the
 * script simulated (as 'hotplan plan' prints it), the purge each module
 * gets and why, the processes killed, the findings, their level and the
 * verdict of the policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "runtime.h"
#include "upgrade.h"

struct trees {
	struct facts *old, *new;
	struct upgrade *u;
};

static int setup(void **state)
{
	struct trees *t = calloc(1, sizeof *t);
	t->old = fx_new("old");
	t->new = fx_new("new");
	fx_release(t->old, 0);
	fx_release(t->new, 1);
	fx_finish(t->old);
	fx_finish(t->new);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct trees *t = *state;
	upgrade_free(t->u);
	facts_free(t->old);
	facts_free(t->new);
	free(t);
	return 0;
}

/* Runs the pipeline with purge pm, up to make_permanent. */
static struct upgrade *run(struct trees *t, enum purge_method pm)
{
	struct upgrade_options uo;
	struct errbuf err = { "", 0 };
	memset(&uo, 0, sizeof uo);
	uo.purge = pm;
	uo.until_permanent = 1;
	upgrade_free(t->u);
	t->u = NULL;
	assert_int_equal(upgrade_run(&t->u, t->old, t->new, &uo, &err), 0);
	return t->u;
}

static char *script_text(struct upgrade *u)
{
	struct strbuf sb = STRBUF_INIT;
	upgrade_write_script(u, &sb);
	return sb_detach(&sb, NULL);
}

static void report(struct upgrade *u, size_t max_killed, struct report *r)
{
	struct assess_options ao;
	struct errbuf err = { "", 0 };
	memset(&ao, 0, sizeof ao);
	ao.max_killed = max_killed;
	assert_int_equal(upgrade_assess(u, &ao, r, &err), 0);
}

static const struct report_finding *finding(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (!strcmp(r->findings[i].rule->id, id))
			return &r->findings[i];
	return NULL;
}

static const struct report_process *process(const struct report *r, const char *name)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (!strcmp(r->procs[i].name, name))
			return &r->procs[i];
	return NULL;
}

/* ---- the pipeline -------------------------------------------------------------- */

/* brutal: worker's process, alone in old code at make_permanent, is killed;
 * with max_killed 0 that is an error the policy forbids. */
static void test_brutal_kills_and_forbids(void **state)
{
	struct report r;
	struct upgrade *u = run(*state, PURGE_BRUTAL);
	char *s = script_text(u);
	assert_non_null(strstr(s, "{load,{worker,brutal_purge,brutal_purge}}.\n"));
	free(s);
	report(u, 0, &r);
	const struct report_finding *f = finding(&r, "HP301");
	assert_non_null(f);
	assert_true(f->forbidden);
	assert_int_equal(f->severity, SEV_ERROR);
	assert_non_null(strstr(f->message, "'worker:worker_main'"));
	assert_true(process(&r, "worker:worker_main")->killed);
	assert_false(process(&r, "conn:conn_main")->killed);
	assert_true(r.forbidden);
}

/* The same kill within --max-killed is a warning, and the upgrade passes. */
static void test_tolerated_kill_is_warning(void **state)
{
	struct report r;
	report(run(*state, PURGE_BRUTAL), 1, &r);
	const struct report_finding *f = finding(&r, "HP301");
	assert_non_null(f);
	assert_false(f->forbidden);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_false(r.forbidden);
}

/* soft: nobody is killed; worker's process is said to linger in old code. */
static void test_soft_kills_nobody(void **state)
{
	struct report r;
	struct upgrade *u = run(*state, PURGE_SOFT);
	report(u, 0, &r);
	assert_null(finding(&r, "HP301"));
	const struct report_process *w = process(&r, "worker:worker_main");
	assert_false(w->killed);
	assert_true(w->touched);
	assert_non_null(strstr(w->what, "stays in the old code of worker"));
	assert_false(r.forbidden);
}

/* auto on the runtime built from the facts: worker's process is nobody's
 * child, so brutal would kill it for good; every module stays soft and
 * the choice is explained. */
static void test_auto_keeps_soft_for_unsupervised(void **state)
{
	struct report r;
	struct upgrade *u = run(*state, PURGE_AUTO);
	char *s = script_text(u);
	assert_null(strstr(s, "{load,{worker,brutal"));
	assert_non_null(strstr(s, "{load,{worker,soft_purge,soft_purge}}.\n"));
	free(s);
	report(u, 0, &r);
	assert_null(finding(&r, "HP301"));
	int said = 0;
	for (size_t i = 0; i < r.npurge_notes; i++)
		said |= strstr(r.purge_notes[i], "worker: soft_purge") &&
			strstr(r.purge_notes[i], "for good (nobody restarts it)");
	assert_true(said);
}

/* plan --purge auto and check --purge auto print the same script. */
static void test_plan_auto_is_check_auto(void **state)
{
	struct trees *t = *state;
	struct plan p, first;
	struct plan_options opt;
	struct arena a;
	struct errbuf err = { "", 0 };
	memset(&first, 0, sizeof first);
	arena_init(&a);
	plan_options_init(&opt);
	opt.purge = PURGE_AUTO;
	assert_int_equal(upgrade_plan_auto(&p, &first, t->old, t->new, &opt, &a, &err), 0);
	struct strbuf planned = STRBUF_INIT;
	plan_write_erlang(&p, PLAN_OUT_UP, &planned);
	char *checked = script_text(run(t, PURGE_AUTO));
	assert_string_equal(planned.buf, checked);
	free(checked);
	sb_release(&planned);
	plan_release(&p);
	plan_release(&first);
	arena_release(&a);
}

/* ---- purge auto on a runtime with supervisors ----------------------------------- */

/* worker's process under a supervisor of the given intensity. */
static struct runtime *supervised(int intensity)
{
	char json[1024];
	struct runtime *rt = NULL;
	struct errbuf err = { "", 0 };
	snprintf(json, sizeof json,
		 "{\"format\": \"hotplan-runtime\", \"version\": 1,"
		 " \"modules\": [{\"name\": \"worker\", \"current\": 1, \"old\": null}],"
		 " \"supervisors\": [{\"name\": \"sup\", \"parent\": null, \"intensity\": %d,"
		 " \"period\": 5}],"
		 " \"processes\": [{\"pid\": \"<0.5.0>\", \"name\": \"worker:worker_main\","
		 " \"frames\": [{\"module\": \"worker\", \"version\": \"current\"}],"
		 " \"next_call\": \"local\", \"sys\": false, \"supervisor\": \"sup\","
		 " \"restart\": \"permanent\", \"modules\": [\"worker\"]}],"
		 " \"unpurged\": []}", intensity);
	assert_int_equal(runtime_read_json("runtime.json", json, strlen(json), &rt, &err), 0);
	return rt;
}

/* The choice for module m among c[0..n). */
static const struct purge_choice *choice(const struct purge_choice *c, size_t n, const char *m)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].module, m))
			return &c[i];
	fail_msg("no choice for '%s'", m);
	return NULL;
}

static void auto_on(struct trees *t, int intensity, int want_brutal, const char *why)
{
	struct plan p;
	struct plan_options opt;
	struct arena a;
	struct errbuf err = { "", 0 };
	struct script sc, out;
	struct purge_choice *c;
	size_t n;
	plan_options_init(&opt);
	opt.purge = PURGE_SOFT;
	assert_int_equal(plan_build(&p, t->old, t->new, &opt, &err), 0);
	arena_init(&a);
	struct runtime *rt = supervised(intensity);
	struct term *one[1] = { p.up_script };
	assert_int_equal(script_decode(&a, "up", one, 1, &sc, &err), 0);
	purge_auto(&a, &sc, rt, &out, &c, &n);
	const struct purge_choice *w = choice(c, n, "worker");
	assert_int_equal(w->brutal, want_brutal);
	assert_int_equal(w->nholders, 1);
	assert_non_null(strstr(w->why, why));
	assert_int_equal(choice(c, n, "codec")->brutal, 0);
	/* the plan's script with every load and remove soft (add_module and
	 * delete_module's brutal ones too), but worker's when it was chosen
	 * brutal: nothing else changed */
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	for (size_t i = 0; i < out.n; i++)
		term_write_dot(&got, out.instrs[i].term);
	for (size_t i = 0; i < term_list_len(p.up_script); i++)
		term_write_dot(&want, term_elem(p.up_script, i));
	for (char *b; (b = strstr(want.buf, "brutal_purge,brutal_purge"));) {
		memmove(b + 21, b + 25, strlen(b + 25) + 1);
		memcpy(b, "soft_purge,soft_purge", 21);
		want.len -= 4;
	}
	if (want_brutal) {
		char *at = strstr(want.buf, "{load,{worker,soft_purge,soft_purge}}");
		assert_non_null(at);
		struct strbuf fixed = STRBUF_INIT;
		sb_addf(&fixed, "%.*s{load,{worker,brutal_purge,brutal_purge}}%s",
			(int)(at - want.buf), want.buf, at + strlen("{load,{worker,soft_purge,soft_purge}}"));
		assert_string_equal(got.buf, fixed.buf);
		sb_release(&fixed);
	} else {
		assert_string_equal(got.buf, want.buf);
	}
	sb_release(&got);
	sb_release(&want);
	runtime_free(rt);
	arena_release(&a);
	plan_release(&p);
}

/* Restarted within the intensity: brutal, and the holder is named. */
static void test_auto_brutal_when_restarted(void **state)
{
	auto_on(*state, 1, 1, "held only by worker:worker_main, which is restarted within");
}

/* A supervisor that may restart nobody gives up: soft. */
static void test_auto_soft_when_supervisor_gives_up(void **state)
{
	auto_on(*state, 0, 0, "its supervisor would give up");
}

/* ---- the policy from hotplan.config --------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_policy_defaults_and_config(void **state)
{
	struct upgrade_policy p;
	struct hp_config cfg;
	struct errbuf err = { "", 0 };
	(void)state;
	upgrade_policy_init(&p, NULL);
	assert_int_equal(p.purge, PURGE_BRUTAL);
	assert_int_equal(p.max_killed, 0);
	assert_string_equal(p.app, "app");

	write_file("test_upgrade.config", "{app, callsrv}.\n{purge, auto}.\n{max_killed, 3}.\n");
	config_init(&cfg);
	assert_int_equal(config_read_file(&cfg, "test_upgrade.config", &err), 0);
	upgrade_policy_init(&p, &cfg);
	assert_int_equal(p.purge, PURGE_AUTO);
	assert_int_equal(p.max_killed, 3);
	assert_string_equal(p.app, "callsrv");
	config_release(&cfg);
}

static void test_policy_bad_config(void **state)
{
	struct hp_config cfg;
	struct errbuf err = { "", 0 };
	(void)state;
	write_file("test_upgrade_bad.config", "{max_killed, 1}.\n{purge, sometimes}.\n");
	config_init(&cfg);
	assert_int_equal(config_read_file(&cfg, "test_upgrade_bad.config", &err), HP_EINPUT);
	assert_non_null(strstr(err.msg, "test_upgrade_bad.config:2:"));
	assert_non_null(strstr(err.msg, "'purge' must be soft, brutal or auto"));
	config_release(&cfg);
}

/* A runtime handed over in memory (check --pid's snapshot) is simulated as
 * a file's would be, named in the steps as the caller calls it, and stays
 * the caller's. */
static void test_runtime_in_memory(void **state)
{
	struct trees *t = *state;
	struct upgrade_options uo;
	struct errbuf err = { "", 0 };
	struct report r;
	struct runtime *rt = supervised(1);
	memset(&uo, 0, sizeof uo);
	uo.purge = PURGE_BRUTAL;
	uo.until_permanent = 1;
	uo.runtime = rt;
	uo.runtime_name = "a snapshot of process 42";
	assert_int_equal(upgrade_run(&t->u, t->old, t->new, &uo, &err), 0);
	report(t->u, 0, &r);
	const struct report_process *w = process(&r, "worker:worker_main");
	assert_non_null(w);
	assert_true(w->killed);
	assert_null(process(&r, "conn:conn_main"));
	int said = 0;
	for (size_t i = 0; i < r.nsteps; i++)
		said |= !strcmp(r.steps[i], "the running system: a snapshot of process 42");
	assert_true(said);
	upgrade_free(t->u);
	t->u = NULL;
	assert_int_equal(rt->processes.n, 1);
	runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_brutal_kills_and_forbids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_in_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tolerated_kill_is_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_kills_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_keeps_soft_for_unsupervised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_auto_is_check_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_brutal_when_restarted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_soft_when_supervisor_gives_up, setup,
						teardown),
		cmocka_unit_test(test_policy_defaults_and_config),
		cmocka_unit_test(test_policy_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
