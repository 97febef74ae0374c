/*
 * test_plan.c - the planner on facts built in C: classification into each
 * instruction kind, Deps from the old and the new graph, the downgrade
 * appup, the order of the translated scripts, purge options, every finding
 * triggered (and not triggered where it must not be), determinism.
 *
 * Scripts are checked by what a release engineer reads: the instructions as
 * Erlang text and their relative positions. That the scripts are the ones
 * OTP itself produces and accepts is the job of the conformance test
 * (plan_otp_check), which runs the real release handler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "plan.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *term_text(const struct term *t)
{
	struct strbuf sb = STRBUF_INIT;
	term_write(&sb, t);
	return sb_detach(&sb, NULL);
}

static void assert_term(const struct term *t, const char *want)
{
	char *s = term_text(t);
	assert_string_equal(s, want);
	free(s);
}

/* Index of the script instruction written exactly as want; -1 if none. */
static int step(const struct term *script, const char *want)
{
	for (size_t i = 0; i < script->u.seq.n; i++) {
		char *s = term_text(script->u.seq.items[i]);
		int eq = !strcmp(s, want);
		free(s);
		if (eq)
			return (int)i;
	}
	return -1;
}

/* Index of the first instruction whose text starts with prefix; -1 if none. */
static int step_prefix(const struct term *script, const char *prefix)
{
	for (size_t i = 0; i < script->u.seq.n; i++) {
		char *s = term_text(script->u.seq.items[i]);
		int eq = !strncmp(s, prefix, strlen(prefix));
		free(s);
		if (eq)
			return (int)i;
	}
	return -1;
}

static const struct plan_decision *decision(const struct plan *p, const char *m)
{
	const struct plan_decision *d = plan_decision(p, m);
	assert_non_null(d);
	return d;
}

/* ---- the release used by most tests: fx_release() (fixture.h) ---------------- */

static void release(struct facts *f, int v2)
{
	fx_release(f, v2);
}

struct fixture {
	struct facts *old, *new;
	struct plan p;
	int built;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	fx->old = fx_new("v1");
	fx->new = fx_new("v2");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	if (fx->built)
		plan_release(&fx->p);
	facts_free(fx->old);
	facts_free(fx->new);
	free(fx);
	return 0;
}

static struct plan *build(struct fixture *fx, enum purge_method purge)
{
	struct plan_options opt;
	struct errbuf err = { "", 0 };
	fx_finish(fx->old);
	fx_finish(fx->new);
	plan_options_init(&opt);
	opt.purge = purge;
	opt.app = "callsrv";
	int rc = plan_build(&fx->p, fx->old, fx->new, &opt, &err);
	if (rc)
		fail_msg("plan_build: %s", err.msg);
	fx->built = 1;
	return &fx->p;
}

static struct plan *build_release(void **state, enum purge_method purge)
{
	struct fixture *fx = *state;
	release(fx->old, 0);
	release(fx->new, 1);
	return build(fx, purge);
}

/* ---- classification and Deps --------------------------------------------------- */

static void test_classification(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	assert_int_equal(p->ndecisions, 6); /* alpha is not touched */
	assert_null(plan_decision(p, "alpha"));
	assert_int_equal(decision(p, "auth")->kind, PLAN_ADD_MODULE);
	assert_int_equal(decision(p, "legacy")->kind, PLAN_DELETE_MODULE);
	assert_int_equal(decision(p, "codec")->kind, PLAN_LOAD_MODULE);
	assert_int_equal(decision(p, "worker")->kind, PLAN_LOAD_MODULE);
	assert_int_equal(decision(p, "sess")->kind, PLAN_UPDATE_SOFT);
	assert_int_equal(decision(p, "conn")->kind, PLAN_UPDATE_ADVANCED);

	assert_term(decision(p, "auth")->up, "{add_module,auth,[codec]}");
	assert_term(decision(p, "legacy")->up, "{delete_module,legacy,[conn]}");
	assert_term(decision(p, "codec")->up, "{load_module,codec,brutal_purge,brutal_purge,[]}");
	assert_term(decision(p, "worker")->up, "{load_module,worker,brutal_purge,brutal_purge,[]}");
	assert_term(decision(p, "sess")->up, "{update,sess,soft,[codec]}");
	assert_term(decision(p, "conn")->up, "{update,conn,{advanced,[]},[codec]}");

	/* the reasons say what a reader needs to trust the choice */
	const char *why = decision(p, "conn")->why;
	assert_non_null(strstr(why, "What changed: body of conn_main; state layout of struct conn"));
	assert_non_null(strstr(why, "conn_code_change"));
	assert_non_null(strstr(why, "struct conn re-laid out"));
	assert_non_null(strstr(decision(p, "worker")->why, "has no state transformer"));
	assert_non_null(strstr(decision(p, "codec")->why, "no process starts in codec, so there is nothing to suspend"));
}

static void test_deps_from_both_graphs(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	const struct plan_decision *conn = decision(p, "conn");
	assert_int_equal(conn->ndeps, 1);
	assert_string_equal(conn->deps[0].module, "codec");
	assert_int_equal(conn->deps[0].versions, PLAN_DEP_NEW);
	assert_int_equal(conn->deps[0].kinds, REF_CALL);
	const struct plan_decision *sess = decision(p, "sess");
	assert_int_equal(sess->ndeps, 1);
	assert_int_equal(sess->deps[0].versions, PLAN_DEP_OLD);
	assert_non_null(strstr(conn->why, "Deps: codec (referenced in 2.0: call)"));
	/* conn called legacy in 1.0: the edge is turned round, legacy goes after conn */
	const struct plan_decision *legacy = decision(p, "legacy");
	assert_int_equal(legacy->ndeps, 1);
	assert_string_equal(legacy->deps[0].module, "conn");
	assert_int_equal(legacy->deps[0].versions, PLAN_DEP_USER);
	assert_non_null(strstr(legacy->why, "Deps: conn (it used legacy in 1.0, so it is "
			       "replaced before legacy goes: call)"));
}

static void test_appup_both_ways(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	/* up: added first, changed, removed last; by name in each group */
	assert_term(p->up_instrs,
		    "[{add_module,auth,[codec]},"
		    "{load_module,codec,brutal_purge,brutal_purge,[]},"
		    "{update,conn,{advanced,[]},[codec]},"
		    "{update,sess,soft,[codec]},"
		    "{load_module,worker,brutal_purge,brutal_purge,[]},"
		    "{delete_module,legacy,[conn]}]");
	/* down undoes it: the removed module comes back first, the added one goes last */
	assert_term(p->down_instrs,
		    "[{add_module,legacy,[conn]},"
		    "{load_module,codec,brutal_purge,brutal_purge,[]},"
		    "{update,conn,{advanced,[]},[codec]},"
		    "{update,sess,soft,[codec]},"
		    "{load_module,worker,brutal_purge,brutal_purge,[]},"
		    "{delete_module,auth,[codec]}]");
	struct strbuf sb = STRBUF_INIT;
	plan_write_erlang(p, PLAN_OUT_APPUP, &sb);
	assert_true(!strncmp(sb.buf, "{\"2.0\",[{\"1.0\",[{add_module,auth,[codec]},", 39));
	assert_non_null(strstr(sb.buf, "]}],[{\"1.0\",[{add_module,legacy,[conn]},"));
	assert_string_equal(sb.buf + sb.len - 3, "}.\n");
	sb_release(&sb);
}

static void test_up_script_order(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	const struct term *s = p->up_script;
	int ponr = step(s, "point_of_no_return");
	assert_true(ponr > 0);
	assert_true(step_prefix(s, "{load_object_code,{callsrv,\"2.0\",[") < ponr);
	int codec = step(s, "{load,{codec,brutal_purge,brutal_purge}}");
	int conn = step(s, "{load,{conn,brutal_purge,brutal_purge}}");
	int auth = step(s, "{load,{auth,brutal_purge,brutal_purge}}");
	int legacy = step(s, "{remove,{legacy,brutal_purge,brutal_purge}}");
	int purge = step(s, "{purge,[legacy]}");
	int sess = step(s, "{load,{sess,brutal_purge,brutal_purge}}");
	assert_true(codec > ponr && conn > ponr && auth > ponr && legacy > ponr && sess > ponr);
	/* dependencies are loaded first */
	assert_true(codec < conn);
	assert_true(codec < auth);
	assert_true(codec < sess);
	/* a deleted module goes after the modules that used it */
	assert_true(conn < legacy);
	assert_int_equal(purge, legacy + 1);
	/* conn: suspended before its group loads, state converted, resumed after */
	int susp = step_prefix(s, "{suspend,[");
	int cc = step(s, "{code_change,up,[{conn,[]}]}");
	int res = step_prefix(s, "{resume,[");
	assert_true(susp > ponr && susp < codec);
	assert_true(cc > conn && res > cc);
	/* the soft update is suspended but gets no code_change */
	assert_true(step(s, "{code_change,up,[{sess,[]}]}") < 0);
	assert_true(step(s, "{code_change,up,[{conn,[]},{sess,[]}]}") < 0);
	/* load_module is never suspended */
	for (size_t i = 0; i < s->u.seq.n; i++) {
		char *t = term_text(s->u.seq.items[i]);
		if (!strncmp(t, "{suspend,", 9))
			assert_null(strstr(t, "worker"));
		free(t);
	}
}

static void test_down_script(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	const struct term *s = p->down_script;
	/* the old application's objects, by the old version */
	assert_true(step_prefix(s, "{load_object_code,{callsrv,\"1.0\",[") >= 0);
	int legacy = step(s, "{load,{legacy,brutal_purge,brutal_purge}}");
	int auth = step(s, "{remove,{auth,brutal_purge,brutal_purge}}");
	int conn = step(s, "{load,{conn,brutal_purge,brutal_purge}}");
	assert_true(legacy >= 0 && auth >= 0 && conn >= 0);
	/* in dn, the state is converted down before the old code is loaded */
	int cc = step(s, "{code_change,down,[{conn,[]}]}");
	assert_true(cc >= 0 && cc < conn);
	/* dependent modules go first (auth before codec), but the deleted module
	 * comes back before the old code of its user conn */
	assert_true(legacy < conn);
	assert_true(auth < step(s, "{load,{codec,brutal_purge,brutal_purge}}"));
}

static void test_purge_soft(void **state)
{
	struct plan *p = build_release(state, PURGE_SOFT);
	assert_term(decision(p, "codec")->up, "{load_module,codec,soft_purge,soft_purge,[]}");
	assert_term(decision(p, "conn")->up,
		    "{update,conn,{advanced,[]},soft_purge,soft_purge,[codec]}");
	assert_term(decision(p, "sess")->up, "{update,sess,soft,soft_purge,soft_purge,[codec]}");
	/* OTP has no purge option for these: they stay brutal, and the text says so */
	assert_term(decision(p, "auth")->up, "{add_module,auth,[codec]}");
	assert_true(step(p->up_script, "{load,{conn,soft_purge,soft_purge}}") >= 0);
	assert_true(step(p->up_script, "{remove,{legacy,brutal_purge,brutal_purge}}") >= 0);
	assert_non_null(strstr(decision(p, "conn")->purge_why, "soft_purge: the release handler refuses"));
	assert_non_null(strstr(decision(p, "legacy")->purge_why, "OTP has no option"));
}

static void test_purge_choices(void **state)
{
	struct fixture *fx = *state;
	fx_release(fx->old, 0);
	fx_release(fx->new, 1);
	fx_finish(fx->old);
	fx_finish(fx->new);
	static const struct plan_purge_choice up[] = {
		{ "conn", PURGE_BRUTAL, "conn: brutal_purge, restarted in time" },
		{ "codec", PURGE_SOFT, NULL },
	};
	static const struct plan_purge_choice down[] = {
		{ "codec", PURGE_BRUTAL, NULL },
	};
	struct plan_options opt;
	struct errbuf err;
	plan_options_init(&opt);
	opt.purge = PURGE_AUTO;
	opt.up_purges = up;
	opt.nup_purges = 2;
	opt.down_purges = down;
	opt.ndown_purges = 1;
	assert_int_equal(plan_build(&fx->p, fx->old, fx->new, &opt, &err), 0);
	fx->built = 1;
	struct plan *p = &fx->p;
	/* each module gets its own method, in each direction; the rest the default */
	assert_term(decision(p, "conn")->up, "{update,conn,{advanced,[]},[codec]}");
	assert_term(decision(p, "codec")->up, "{load_module,codec,soft_purge,soft_purge,[]}");
	assert_term(decision(p, "codec")->down, "{load_module,codec,brutal_purge,brutal_purge,[]}");
	assert_term(decision(p, "worker")->up, "{load_module,worker,soft_purge,soft_purge,[]}");
	assert_true(step(p->up_script, "{load,{conn,brutal_purge,brutal_purge}}") >= 0);
	assert_true(step(p->down_script, "{load,{codec,brutal_purge,brutal_purge}}") >= 0);
	assert_string_equal(decision(p, "conn")->purge_why,
			    "auto chose brutal_purge: conn: brutal_purge, restarted in time");
	struct strbuf sb = STRBUF_INIT;
	plan_write_json(p, &sb);
	assert_non_null(strstr(sb.buf, "\"purge\": \"auto\""));
	sb_release(&sb);
}

static void test_release_has_no_findings(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	struct strbuf sb = STRBUF_INIT;
	findings_write_text(&p->findings, NULL, &sb);
	assert_string_equal(sb.buf, "");
	sb_release(&sb);
}

static void test_outputs_deterministic(void **state)
{
	struct fixture *fx = *state;
	struct plan *p = build_release(state, PURGE_BRUTAL);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	plan_write_json(p, &a);
	plan_write_text(p, &a);
	plan_write_relup(p, &a);
	struct plan q;
	struct errbuf err;
	struct plan_options opt;
	plan_options_init(&opt);
	opt.app = "callsrv";
	assert_int_equal(plan_build(&q, fx->old, fx->new, &opt, &err), 0);
	plan_write_json(&q, &b);
	plan_write_text(&q, &b);
	plan_write_relup(&q, &b);
	assert_string_equal(a.buf, b.buf);
	plan_release(&q);
	sb_release(&a);
	sb_release(&b);
}

static void test_json_output(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	struct strbuf sb = STRBUF_INIT;
	plan_write_json(p, &sb);
	cJSON *root = cJSON_Parse(sb.buf);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "format")->valuestring, "hotplan-plan");
	assert_string_equal(cJSON_GetObjectItem(root, "app")->valuestring, "callsrv");
	assert_string_equal(cJSON_GetObjectItem(root, "purge")->valuestring, "brutal_purge");
	cJSON *decs = cJSON_GetObjectItem(root, "decisions");
	assert_int_equal(cJSON_GetArraySize(decs), 6);
	cJSON *conn = cJSON_GetArrayItem(decs, 2);
	assert_string_equal(cJSON_GetObjectItem(conn, "module")->valuestring, "conn");
	assert_string_equal(cJSON_GetObjectItem(conn, "instruction")->valuestring, "update_advanced");
	/* instructions use model/term.h's JSON mapping, as translate's output */
	char *up = cJSON_PrintUnformatted(cJSON_GetObjectItem(conn, "up"));
	assert_string_equal(up, "[\"update\",\"conn\",[\"advanced\",{\"list\":[]}],{\"list\":[\"codec\"]}]");
	cJSON_free(up);
	cJSON *dep = cJSON_GetArrayItem(cJSON_GetObjectItem(conn, "deps"), 0);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(dep, "old")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(dep, "new")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "up")),
			 (int)p->up_script->u.seq.n);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "findings")), 0);
	cJSON_Delete(root);
	sb_release(&sb);
}

static void test_text_output(void **state)
{
	struct plan *p = build_release(state, PURGE_BRUTAL);
	struct strbuf sb = STRBUF_INIT;
	plan_write_text(p, &sb);
	assert_non_null(strstr(sb.buf, "plan callsrv 1.0 -> 2.0 (purge: brutal_purge)\n"));
	assert_non_null(strstr(sb.buf, "\nconn: {update,conn,{advanced,[]},[codec]}\n"));
	assert_non_null(strstr(sb.buf, "load conn, after its dependency codec (dependencies are loaded first)"));
	/* (the text is wrapped at 76 columns) */
	assert_non_null(strstr(sb.buf, "remove legacy, after conn, which used it (a deleted "
			       "module goes after\n  its users)"));
	assert_non_null(strstr(sb.buf, "findings (0):\n  none\n"));
	assert_non_null(strstr(sb.buf, "\nupgrade script:\n"));
	sb_release(&sb);
}

static void test_nothing_changed(void **state)
{
	struct fixture *fx = *state;
	release(fx->old, 0);
	release(fx->new, 0);
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_int_equal(p->ndecisions, 0);
	assert_term(p->up_instrs, "[]");
	/* OTP always emits the point of no return */
	assert_term(p->up_script, "[point_of_no_return]");
}

/* ---- findings ----------------------------------------------------------------- */

static void test_hp101_removed_export_referenced(void **state)
{
	struct fixture *fx = *state;
	for (int v = 0; v < 2; v++) {
		struct facts *f = v ? fx->new : fx->old;
		struct module *m = fx_mod(f, "conn");
		if (v)
			fx_static_fn(f, m, "conn_close", "void (void)", "close");
		else
			fx_fn(f, m, "conn_close", "void (void)", "close");
		fx_fn(f, m, "conn_open", "int (void)", "open");
		m = fx_mod(f, "client"); /* unchanged, still calls conn_close */
		fx_fn(f, m, "client_run", "void (void)", "run");
		fx_ref(f, m, "conn", "conn_close", REF_CALL, "client_run");
		fx_ref(f, m, "conn", "conn_open", REF_CALL, "client_run");
	}
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_int_equal(p->findings.n, 1);
	const struct finding *f = &p->findings.items[0];
	assert_int_equal(f->rule, HP101_REMOVED_EXPORT_REFERENCED);
	assert_string_equal(f->module, "client");
	assert_string_equal(f->symbol, "conn_close");
	assert_string_equal(f->loc.file, "src/client.c");
	struct strbuf sb = STRBUF_INIT;
	findings_write_text(&p->findings, "hotplan plan: ", &sb);
	assert_string_equal(sb.buf,
			    "hotplan plan: src/client.c:101:1: error: 'client' still references "
			    "'conn_close' of 'conn', which 2.0 no longer exports (made static), and "
			    "'client' is not upgraded with it [HP101 removed-export-referenced]\n");
	sb_release(&sb);
}

static void test_hp101_module_removed(void **state)
{
	struct fixture *fx = *state;
	for (int v = 0; v < 2; v++) {
		struct facts *f = v ? fx->new : fx->old;
		struct module *m;
		if (!v) {
			m = fx_mod(f, "legacy");
			fx_fn(f, m, "legacy_check", "int (void)", "x");
		}
		m = fx_mod(f, "user");
		fx_fn(f, m, "user_run", "void (void)", "run");
		/* user's code is the same in both versions; in v2 the analyzer cannot
		 * resolve its reference to a module that no longer exists */
		if (!v)
			fx_ref(f, m, "legacy", "legacy_check", REF_CALL, "user_run");
	}
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_int_equal(findings_count(&p->findings, HP101_REMOVED_EXPORT_REFERENCED), 1);
	assert_non_null(strstr(p->findings.items[0].message, "module 'legacy' is removed"));
}

static void test_hp106_changed_signature_referenced(void **state)
{
	struct fixture *fx = *state;
	for (int v = 0; v < 2; v++) {
		struct facts *f = v ? fx->new : fx->old;
		struct module *m = fx_mod(f, "conn");
		fx_fn(f, m, "conn_open", v ? "int (int, int)" : "int (int)", "open");
		m = fx_mod(f, "client");
		fx_fn(f, m, "client_run", "void (void)", "run");
		fx_ref(f, m, "conn", "conn_open", REF_CALL, "client_run");
	}
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_int_equal(p->findings.n, 1);
	assert_int_equal(p->findings.items[0].rule, HP106_CHANGED_SIGNATURE_REFERENCED);
	assert_non_null(strstr(p->findings.items[0].message, "as 'int (int)', but 2.0 changes it "
			       "to 'int (int, int)'"));
}

static void test_hp102_state_without_transformer(void **state)
{
	struct fixture *fx = *state;
	for (int v = 0; v < 2; v++) {
		struct facts *f = v ? fx->new : fx->old;
		struct module *m = fx_mod(f, "reg");
		fx_fn(f, m, "reg_main", "void *(void *)", "loop");
		fx_entry(f, m, "reg_main");
		fx_state(f, m, "struct reg", v ? "int a@0; int b@4; size 8" : "int a@0; size 4");
		/* a state type merely added is not re-laid out: no finding for it */
		if (v)
			fx_state(f, m, "struct extra", "int x@0; size 4");
	}
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_int_equal(decision(p, "reg")->kind, PLAN_LOAD_MODULE);
	assert_int_equal(p->findings.n, 1);
	assert_int_equal(p->findings.items[0].rule, HP102_STATE_CHANGE_WITHOUT_TRANSFORMER);
	assert_string_equal(p->findings.items[0].symbol, "struct reg");
	assert_int_equal(p->findings.items[0].loc.line, 5);
}

static void test_hp107_transformer_never_called(void **state)
{
	struct fixture *fx = *state;
	for (int v = 0; v < 2; v++) {
		struct facts *f = v ? fx->new : fx->old;
		struct module *m = fx_mod(f, "sip");
		fx_fn(f, m, "sip_handle", "int (void)", v ? "h2" : "h1");
		fx_transformer(f, m, "sip_code_change");
		fx_state(f, m, "struct sip_state", v ? "long a@0; long b@8; size 16" : "long a@0; size 8");
	}
	struct plan *p = build(fx, PURGE_BRUTAL);
	/* no process of its own: DESIGN.md §6 says load_module, and the finding says
	 * what that costs */
	assert_int_equal(decision(p, "sip")->kind, PLAN_LOAD_MODULE);
	assert_non_null(strstr(decision(p, "sip")->why, "sip_code_change is never called"));
	assert_int_equal(p->findings.n, 1);
	assert_int_equal(p->findings.items[0].rule, HP107_TRANSFORMER_NEVER_CALLED);
	assert_string_equal(p->findings.items[0].symbol, "sip_code_change");
}

/* conn (update) <-> codec (load_module): a cycle mixing process modules */
static void cycle_release(struct facts *f, int v2, int with_processes)
{
	struct module *m = fx_mod(f, "codec");
	fx_fn(f, m, "codec_encode", "int (void)", v2 ? "e2" : "e1");
	fx_ref(f, m, "conn", "conn_peer", REF_CALL, "codec_encode");
	m = fx_mod(f, "conn");
	fx_fn(f, m, "conn_main", "void *(void *)", v2 ? "c2" : "c1");
	fx_fn(f, m, "conn_peer", "int (void)", "peer");
	fx_ref(f, m, "codec", "codec_encode", REF_CALL, "conn_main");
	if (with_processes) {
		fx_entry(f, m, "conn_main");
		fx_transformer(f, m, "conn_code_change");
	}
}

static void test_hp103_mixed_cycle(void **state)
{
	struct fixture *fx = *state;
	cycle_release(fx->old, 0, 1);
	cycle_release(fx->new, 1, 1);
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_int_equal(decision(p, "conn")->kind, PLAN_UPDATE_SOFT);
	assert_int_equal(findings_count(&p->findings, HP103_MIXED_PROCESS_CYCLE), 1);
	const struct finding *f = &p->findings.items[0];
	assert_int_equal(f->rule, HP103_MIXED_PROCESS_CYCLE);
	assert_string_equal(f->module, "codec");
	assert_non_null(strstr(f->message, "suspended ('conn') with modules loaded while their "
			       "callers run ('codec')"));
}

static void test_hp105_cycle_of_loads(void **state)
{
	struct fixture *fx = *state;
	cycle_release(fx->old, 0, 0);
	cycle_release(fx->new, 1, 0);
	struct plan *p = build(fx, PURGE_BRUTAL);
	/* no processes: no mixed cycle, but one of the two loads must come first */
	assert_int_equal(findings_count(&p->findings, HP103_MIXED_PROCESS_CYCLE), 0);
	assert_int_equal(findings_count(&p->findings, HP105_LOAD_OUT_OF_DEPENDENCY_ORDER), 1);
	assert_int_equal(p->findings.n, 1);
}

/* The plan's own lints (on decision numbers) find what plan_lint_script()
 * finds on the same scripts and facts. */
static void assert_same_script_findings(const struct plan *p)
{
	size_t n;
	const char *why;
	if (!fx_script_findings_agree(p, &n, &why))
		fail_msg("%s", why);
}

static void test_own_checks_match(void **state)
{
	struct fixture *fx = *state;
	/* a cycle of loads (HP105 on loads) next to a deleted module whose
	 * user is loaded after it in the downgrade */
	cycle_release(fx->old, 0, 0);
	cycle_release(fx->new, 1, 0);
	struct module *m = fx_mod(fx->old, "gone");
	fx_fn(fx->old, m, "gone_f", "void (void)", "g");
	m = fx_mod(fx->old, "user");
	fx_fn(fx->old, m, "user_f", "void (void)", "u1");
	fx_ref(fx->old, m, "gone", "gone_f", REF_CALL, "user_f");
	m = fx_mod(fx->new, "user");
	fx_fn(fx->new, m, "user_f", "void (void)", "u2");
	struct plan *p = build(fx, PURGE_BRUTAL);
	assert_true(findings_count(&p->findings, HP105_LOAD_OUT_OF_DEPENDENCY_ORDER) >= 1);
	assert_same_script_findings(p);
}

static struct term *script_of(struct arena *a, const char *text)
{
	struct term **terms;
	size_t n;
	struct errbuf err;
	if (term_consult(a, "script", text, strlen(text), &terms, &n, &err))
		fail_msg("%s", err.msg);
	return term_list(a, n, terms);
}

static void test_hp104_code_change_not_suspended(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct findings fs;
	findings_init(&fs);
	fx_lint_script(script_of(&a, "point_of_no_return.\n"
				    "{suspend,[m1]}.\n"
				    "{code_change,up,[{m1,[]}]}.\n"
				    "{resume,[m1]}.\n"), TR_UP, NULL, NULL, &fs);
	assert_int_equal(fs.n, 0);
	fx_lint_script(script_of(&a, "point_of_no_return.\n"
				    "{suspend,[{m1,5000}]}.\n"
				    "{code_change,up,[{m1,[]},{m2,x}]}.\n"
				    "{resume,[m1]}.\n"), TR_UP, NULL, NULL, &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].rule, HP104_CODE_CHANGE_NOT_SUSPENDED);
	assert_string_equal(fs.items[0].module, "m2");
	assert_int_equal(fs.items[0].loc.line, 3);
	findings_release(&fs);
	arena_release(&a);
}

static void test_hp105_hand_written_script(void **state)
{
	struct fixture *fx = *state;
	struct module *m = fx_mod(fx->new, "a");
	fx_fn(fx->new, m, "a_f", "void (void)", "x");
	fx_ref(fx->new, m, "b", "b_g", REF_CALL, "a_f");
	m = fx_mod(fx->new, "b");
	fx_fn(fx->new, m, "b_g", "void (void)", "y");
	fx_finish(fx->new);
	struct arena a;
	arena_init(&a);
	struct findings fs;
	findings_init(&fs);
	fx_lint_script(script_of(&a, "{load,{b,brutal_purge,brutal_purge}}.\n"
				    "{load,{a,brutal_purge,brutal_purge}}.\n"), TR_UP, NULL, fx->new, &fs);
	assert_int_equal(fs.n, 0);
	const char *bad = "{load,{a,brutal_purge,brutal_purge}}.\n"
			  "{load,{b,brutal_purge,brutal_purge}}.\n";
	/* a downgrade loads dependent modules first on purpose: not a finding */
	fx_lint_script(script_of(&a, bad), TR_DN, NULL, fx->new, &fs);
	assert_int_equal(fs.n, 0);
	fx_lint_script(script_of(&a, bad), TR_UP, NULL, fx->new, &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].rule, HP105_LOAD_OUT_OF_DEPENDENCY_ORDER);
	assert_string_equal(fs.items[0].module, "a");
	assert_string_equal(fs.items[0].symbol, "b_g");
	assert_string_equal(fs.items[0].loc.file, "src/a.c");
	findings_release(&fs);
	arena_release(&a);
}

static void test_hp105_removed_before_user(void **state)
{
	struct fixture *fx = *state;
	struct module *m = fx_mod(fx->old, "user");
	fx_fn(fx->old, m, "user_f", "void (void)", "x");
	fx_ref(fx->old, m, "gone", "gone_g", REF_CALL, "user_f");
	m = fx_mod(fx->old, "gone");
	fx_fn(fx->old, m, "gone_g", "void (void)", "y");
	fx_finish(fx->old);
	struct arena a;
	arena_init(&a);
	struct findings fs;
	findings_init(&fs);
	fx_lint_script(script_of(&a, "{load,{user,brutal_purge,brutal_purge}}.\n"
				    "{remove,{gone,brutal_purge,brutal_purge}}.\n"
				    "{purge,[gone]}.\n"), TR_UP, fx->old, NULL, &fs);
	assert_int_equal(fs.n, 0);
	fx_lint_script(script_of(&a, "{remove,{gone,brutal_purge,brutal_purge}}.\n"
				    "{purge,[gone]}.\n"
				    "{load,{user,brutal_purge,brutal_purge}}.\n"), TR_DN, fx->old, NULL, &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].rule, HP105_LOAD_OUT_OF_DEPENDENCY_ORDER);
	assert_string_equal(fs.items[0].module, "user");
	assert_non_null(strstr(fs.items[0].message, "the downgrade script removes 'gone' before "
			       "it loads 'user'"));
	findings_release(&fs);
	arena_release(&a);
}

/* The one rule table (model/rules.h): every row found by id and by name,
 * ids in ascending order, a help text worth reading. */
static void test_rule_table(void **state)
{
	(void)state;
	enum hp_rule r;
	for (int i = 0; i < RULE__COUNT; i++) {
		const struct rule_info *info = rule_info((enum hp_rule)i);
		assert_non_null(info);
		assert_int_equal(rule_lookup(info->id, &r), 0);
		assert_int_equal(r, i);
		assert_int_equal(rule_lookup(info->name, &r), 0);
		assert_int_equal(r, i);
		assert_true(strlen(info->help) > 80);
		if (i)
			assert_true(strcmp(rule_info((enum hp_rule)(i - 1))->id, info->id) < 0);
	}
	assert_string_equal(rule_info(HP103_MIXED_PROCESS_CYCLE)->id, "HP103");
	assert_int_equal(rule_info(HP103_MIXED_PROCESS_CYCLE)->origin, RULE_PLANNER);
	assert_string_equal(rule_info(HP304_PLAN_DIFFERS)->name, "plan-differs");
	assert_int_equal(rule_info(HP304_PLAN_DIFFERS)->origin, RULE_POLICY);
	assert_int_equal(rule_lookup("HP999", &r), -1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_classification),
		T(test_deps_from_both_graphs),
		T(test_appup_both_ways),
		T(test_up_script_order),
		T(test_down_script),
		T(test_purge_soft),
		T(test_purge_choices),
		T(test_release_has_no_findings),
		T(test_outputs_deterministic),
		T(test_json_output),
		T(test_text_output),
		T(test_nothing_changed),
		T(test_hp101_removed_export_referenced),
		T(test_hp101_module_removed),
		T(test_hp106_changed_signature_referenced),
		T(test_hp102_state_without_transformer),
		T(test_hp107_transformer_never_called),
		T(test_hp103_mixed_cycle),
		T(test_hp105_cycle_of_loads),
		T(test_hp104_code_change_not_suspended),
		T(test_own_checks_match),
		T(test_hp105_hand_written_script),
		T(test_hp105_removed_before_user),
		cmocka_unit_test(test_rule_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
