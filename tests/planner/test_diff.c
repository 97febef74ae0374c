/*
 * test_diff.c - the diff on facts built in C: every kind of change, per
 * symbol and per module, the export and state summaries, and both outputs.
 *
 * Each test builds an old and a new version that differ in one way (the
 * "base" module set is identical in both) and asserts what a user of
 * 'hotplan diff' would read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fixture.h"

struct pair {
	struct facts *old, *new;
	struct diff d;
};

/* Two modules both versions share unchanged. */
static void base(struct facts *f)
{
	struct module *a = fx_mod(f, "alpha");
	fx_fn(f, a, "alpha_run", "int (void)", "return 1;");
	struct module *z = fx_mod(f, "zeta");
	fx_fn(f, z, "zeta_get", "int (int)", "return x;");
	fx_ref(f, z, "alpha", "alpha_run", REF_CALL, "zeta_get");
}

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));
	p->old = fx_new("v1");
	p->new = fx_new("v2");
	base(p->old);
	base(p->new);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;
	diff_release(&p->d);
	facts_free(p->old);
	facts_free(p->new);
	free(p);
	return 0;
}

static const struct mod_diff *run(struct pair *p, const char *module)
{
	fx_finish(p->old);
	fx_finish(p->new);
	diff_compute(&p->d, p->old, p->new);
	return module ? diff_module(&p->d, module) : NULL;
}

static const struct sym_diff *sym(const struct mod_diff *m, const char *name)
{
	for (size_t i = 0; i < m->nsyms; i++)
		if (!strcmp(m->syms[i].name, name))
			return &m->syms[i];
	return NULL;
}

static void test_identical_is_unchanged(void **state)
{
	struct pair *p = *state;
	run(p, NULL);
	assert_int_equal(p->d.nmods, 2);
	assert_int_equal(p->d.nunchanged, 2);
	assert_int_equal(p->d.nchanged + p->d.nadded + p->d.nremoved, 0);
	assert_int_equal(p->d.mods[0].nsyms, 0);
	assert_string_equal(p->d.mods[0].name, "alpha");
	assert_string_equal(p->d.mods[1].name, "zeta");
}

static void test_body(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_read", "int (int)", "return read(fd);");
	fx_fn(p->new, n, "conn_read", "int (int)", "return recv(fd);");
	fx_static_fn(p->old, o, "helper", "void (void)", "x++;");
	fx_static_fn(p->new, n, "helper", "void (void)", "x++;");
	const struct mod_diff *m = run(p, "conn");
	assert_int_equal(m->status, MOD_CHANGED);
	assert_int_equal(m->changes, CHG_BODY);
	assert_int_equal(m->nsyms, 1); /* helper is unchanged and not listed */
	assert_string_equal(m->syms[0].name, "conn_read");
	assert_int_equal(m->syms[0].changes, CHG_BODY);
	assert_int_equal(m->exports_added + m->exports_removed + m->exports_retyped, 0);
	assert_int_equal(p->d.nchanged, 1);
	assert_int_equal(p->d.nunchanged, 2);
}

static void test_signature(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_open", "int (int)", "same");
	fx_fn(p->new, n, "conn_open", "int (int, int)", "same");
	const struct mod_diff *m = run(p, "conn");
	assert_int_equal(m->changes, CHG_SIGNATURE);
	assert_int_equal(m->exports_retyped, 1);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "function conn_open: signature: int (int) -> int (int, int)"));
	assert_non_null(strstr(sb.buf, "exports changed in signature:\n  conn:conn_open\n"));
	sb_release(&sb);
}

static void test_linkage(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_close", "void (void)", "same");
	fx_static_fn(p->new, n, "conn_close", "void (void)", "same");
	const struct mod_diff *m = run(p, "conn");
	assert_int_equal(m->changes, CHG_LINKAGE);
	const struct sym_diff *s = sym(m, "conn_close");
	assert_non_null(s);
	assert_true(s->old_exported);
	assert_false(s->new_exported);
	assert_int_equal(m->exports_removed, 1);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "static function conn_close: linkage: external -> static  ("));
	assert_non_null(strstr(sb.buf, "exports removed:\n  conn:conn_close\n"));
	sb_release(&sb);
}

/* Only the visibility changes: no "linkage" anywhere on the line. */
static void test_visibility(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_close", "void (void)", "same");
	fx_fn(p->new, n, "conn_close", "void (void)", "same");
	n->exports[0].visibility = "hidden";
	const struct mod_diff *m = run(p, "conn");
	assert_int_equal(m->changes, CHG_VISIBILITY);
	assert_int_equal(sym(m, "conn_close")->changes, CHG_VISIBILITY);
	assert_int_equal(m->exports_removed, 0);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "  conn: visibility\n"
			       "    function conn_close: visibility: default -> hidden  (src/conn.c:11:1)\n"));
	assert_null(strstr(sb.buf, "linkage"));
	sb_release(&sb);

	diff_write_json(&p->d, &sb);
	cJSON *root = cJSON_Parse(sb.buf);
	assert_non_null(root);
	cJSON *js = cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(root, "modules"), 0), "symbols"), 0);
	cJSON *ch = cJSON_GetObjectItem(js, "changes");
	assert_int_equal(cJSON_GetArraySize(ch), 1);
	assert_string_equal(cJSON_GetArrayItem(ch, 0)->valuestring, "visibility");
	cJSON *vis = cJSON_GetObjectItem(js, "visibility");
	assert_string_equal(cJSON_GetObjectItem(vis, "old")->valuestring, "default");
	assert_string_equal(cJSON_GetObjectItem(vis, "new")->valuestring, "hidden");
	cJSON_Delete(root);
	sb_release(&sb);
}

/* Linkage and visibility both change: both kinds, both transitions. */
static void test_linkage_and_visibility(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_close", "void (void)", "same");
	o->exports[0].visibility = "protected";
	fx_static_fn(p->new, n, "conn_close", "void (void)", "same");
	const struct mod_diff *m = run(p, "conn");
	assert_int_equal(m->changes, CHG_LINKAGE | CHG_VISIBILITY);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "    static function conn_close: linkage, visibility: "
			       "external -> static; protected -> default  (src/conn.c:11:1)\n"));
	sb_release(&sb);
}

static void test_added_removed_symbols(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_legacy", "void (void)", "old");
	fx_fn(p->new, n, "conn_fresh", "void (void)", "new");
	const struct mod_diff *m = run(p, "conn");
	assert_int_equal(m->changes, CHG_ADDED | CHG_REMOVED);
	assert_int_equal(sym(m, "conn_legacy")->changes, CHG_REMOVED);
	assert_int_equal(sym(m, "conn_fresh")->changes, CHG_ADDED);
	assert_int_equal(m->exports_added, 1);
	assert_int_equal(m->exports_removed, 1);
	/* symbols are listed by name */
	assert_string_equal(m->syms[0].name, "conn_fresh");
	assert_string_equal(m->syms[1].name, "conn_legacy");
}

static void test_initializer(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conf"), *n = fx_mod(p->new, "conf");
	fx_var(p->old, o, "conf_port", "int", "5060");
	fx_var(p->new, n, "conf_port", "int", "5061");
	const struct mod_diff *m = run(p, "conf");
	assert_int_equal(m->changes, CHG_INITIALIZER);
	assert_int_equal(m->syms[0].kind, SYM_VARIABLE);
}

static void test_state_layout(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "sess"), *n = fx_mod(p->new, "sess");
	fx_state(p->old, o, "struct sess", "int id@0; size 4");
	fx_state(p->new, n, "struct sess", "int id@0; int flags@4; size 8");
	fx_state(p->new, n, "struct cache", "int n@0; size 4");
	const struct mod_diff *m = run(p, "sess");
	assert_int_equal(m->changes, CHG_STATE_LAYOUT | CHG_ADDED);
	assert_int_equal(m->nstates, 2);
	assert_string_equal(m->states[0].name, "struct cache");
	assert_int_equal(m->states[0].changes, CHG_ADDED);
	assert_string_equal(m->states[1].name, "struct sess");
	assert_int_equal(m->states[1].changes, CHG_STATE_LAYOUT);
	assert_true(mod_diff_state_changed(m));
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "state struct sess: layout: {int id@0; size 4} -> "
			       "{int id@0; int flags@4; size 8}"));
	assert_non_null(strstr(sb.buf, "state layouts changed (in modules of both versions):\n  sess: struct cache (added)\n"
			       "  sess: struct sess (layout)\n"));
	sb_release(&sb);
}

static void test_flags_and_other(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "fl"), *n = fx_mod(p->new, "fl");
	o->flags_hash = 1;
	n->flags_hash = 2;
	struct module *o2 = fx_mod(p->old, "ot"), *n2 = fx_mod(p->new, "ot");
	o2->hash = 10;
	n2->hash = 11;
	run(p, NULL);
	assert_int_equal(diff_module(&p->d, "fl")->changes, CHG_FLAGS);
	assert_int_equal(diff_module(&p->d, "ot")->changes, CHG_OTHER);
	assert_int_equal(diff_module(&p->d, "ot")->status, MOD_CHANGED);
}

static void set_flags(struct facts *f, struct module *m, const char *const *v, size_t n)
{
	m->flags = arena_alloc(&f->arena, (n + 1) * sizeof(*m->flags));
	for (size_t i = 0; i < n; i++)
		m->flags[i] = v[i];
	m->nflags = n;
	m->has_flags = 1;
	m->flags_hash = n;
	for (size_t i = 0; i < n; i++)
		m->flags_hash = hp_hash_str(v[i]) ^ (m->flags_hash * 31);
}

/* Flags compared as multisets: added in the new order, removed in the old. */
static void test_flags_added_removed(void **state)
{
	static const char *const before[] = { "-O0", "-Wall", "-DX", "-I../include" };
	static const char *const after[] = { "-Wall", "-DFAST_PATH", "-DX", "-I../include", "-DX" };
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "fl"), *n = fx_mod(p->new, "fl");
	set_flags(p->old, o, before, 4);
	set_flags(p->new, n, after, 5);
	const struct mod_diff *m = run(p, "fl");
	assert_int_equal(m->changes, CHG_FLAGS);
	assert_true(m->flags_listed);
	assert_int_equal(m->nflags_added, 2);
	assert_string_equal(m->flags_added[0], "-DFAST_PATH");
	assert_string_equal(m->flags_added[1], "-DX");
	assert_int_equal(m->nflags_removed, 1);
	assert_string_equal(m->flags_removed[0], "-O0");
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "  fl: flags\n    compile flags: added -DFAST_PATH -DX,"
			       " removed -O0\n"));
	sb_release(&sb);

	diff_write_json(&p->d, &sb);
	cJSON *root = cJSON_Parse(sb.buf);
	assert_non_null(root);
	cJSON *fl = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "modules"), 0),
					"flags");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(fl, "listed")));
	cJSON *added = cJSON_GetObjectItem(fl, "added"), *removed = cJSON_GetObjectItem(fl, "removed");
	assert_int_equal(cJSON_GetArraySize(added), 2);
	assert_string_equal(cJSON_GetArrayItem(added, 0)->valuestring, "-DFAST_PATH");
	assert_string_equal(cJSON_GetArrayItem(added, 1)->valuestring, "-DX");
	assert_int_equal(cJSON_GetArraySize(removed), 1);
	assert_string_equal(cJSON_GetArrayItem(removed, 0)->valuestring, "-O0");
	cJSON_Delete(root);
	sb_release(&sb);
}

/* Only removed; and the same flags in another order. */
static void test_flags_removed_and_reordered(void **state)
{
	static const char *const two[] = { "-O2", "-DNDEBUG" };
	static const char *const one[] = { "-O2" };
	static const char *const swapped[] = { "-DNDEBUG", "-O2" };
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "a"), *n = fx_mod(p->new, "a");
	set_flags(p->old, o, two, 2);
	set_flags(p->new, n, one, 1);
	struct module *o2 = fx_mod(p->old, "b"), *n2 = fx_mod(p->new, "b");
	set_flags(p->old, o2, two, 2);
	set_flags(p->new, n2, swapped, 2);
	run(p, NULL);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "  a: flags\n    compile flags: removed -DNDEBUG\n"));
	assert_non_null(strstr(sb.buf, "  b: flags\n    compile flags: the same flags in another order\n"));
	sb_release(&sb);
}

/* Facts from before the flags were listed: the diff says only that they changed. */
static void test_flags_not_listed(void **state)
{
	static const char *const v[] = { "-O2" };
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "fl"), *n = fx_mod(p->new, "fl");
	o->flags_hash = 1;               /* old facts: no list */
	set_flags(p->new, n, v, 1);
	const struct mod_diff *m = run(p, "fl");
	assert_int_equal(m->changes, CHG_FLAGS);
	assert_false(m->flags_listed);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "  fl: flags\n    compile flags changed (the facts do not list them)\n"));
	sb_release(&sb);
	diff_write_json(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "\"flags\": {\"listed\": false, \"added\": [], \"removed\": []}"));
	sb_release(&sb);
}

static void test_modules_added_removed(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "legacy");
	fx_fn(p->old, o, "legacy_auth", "int (void)", "x");
	struct module *n = fx_mod(p->new, "fresh");
	fx_fn(p->new, n, "fresh_auth", "int (void)", "y");
	run(p, NULL);
	assert_int_equal(p->d.nmods, 4);
	/* sorted by name whatever the status */
	assert_string_equal(p->d.mods[0].name, "alpha");
	assert_string_equal(p->d.mods[1].name, "fresh");
	assert_string_equal(p->d.mods[2].name, "legacy");
	assert_string_equal(p->d.mods[3].name, "zeta");
	assert_int_equal(p->d.mods[1].status, MOD_ADDED);
	assert_int_equal(p->d.mods[1].changes, CHG_ADDED);
	assert_int_equal(p->d.mods[2].status, MOD_REMOVED);
	assert_int_equal(p->d.mods[2].exports_removed, 1);
	assert_int_equal(p->d.nadded, 1);
	assert_int_equal(p->d.nremoved, 1);
	struct strbuf sb = STRBUF_INIT;
	diff_write_text(&p->d, &sb);
	assert_non_null(strstr(sb.buf, "diff v1 -> v2: 1 added, 1 removed, 0 changed, 2 unchanged\n"));
	assert_non_null(strstr(sb.buf, "modules added (1):\n  fresh\n"));
	assert_non_null(strstr(sb.buf, "modules removed (1):\n  legacy\n"));
	assert_non_null(strstr(sb.buf, "modules unchanged (2):\n  alpha zeta\n"));
	assert_non_null(strstr(sb.buf, "exports removed:\n  legacy:legacy_auth\n"));
	sb_release(&sb);
}

static void test_json(void **state)
{
	struct pair *p = *state;
	struct module *o = fx_mod(p->old, "conn"), *n = fx_mod(p->new, "conn");
	fx_fn(p->old, o, "conn_open", "int (int)", "a");
	fx_fn(p->new, n, "conn_open", "int (int, int)", "b");
	fx_state(p->old, o, "struct conn", "int fd@0; size 4");
	fx_state(p->new, n, "struct conn", "long fd@0; size 8");
	run(p, NULL);
	struct strbuf sb = STRBUF_INIT;
	diff_write_json(&p->d, &sb);
	cJSON *root = cJSON_Parse(sb.buf);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "format")->valuestring, "hotplan-diff");
	cJSON *sum = cJSON_GetObjectItem(root, "summary");
	assert_int_equal(cJSON_GetObjectItem(sum, "changed")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(sum, "unchanged")->valueint, 2);
	cJSON *mods = cJSON_GetObjectItem(root, "modules");
	assert_int_equal(cJSON_GetArraySize(mods), 1);
	cJSON *m = cJSON_GetArrayItem(mods, 0);
	assert_string_equal(cJSON_GetObjectItem(m, "status")->valuestring, "changed");
	cJSON *ch = cJSON_GetObjectItem(m, "changes");
	assert_int_equal(cJSON_GetArraySize(ch), 3);
	assert_string_equal(cJSON_GetArrayItem(ch, 0)->valuestring, "body");
	assert_string_equal(cJSON_GetArrayItem(ch, 1)->valuestring, "signature");
	assert_string_equal(cJSON_GetArrayItem(ch, 2)->valuestring, "state-layout");
	cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "symbols"), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "signature"), "new")->valuestring,
			    "int (int, int)");
	cJSON *exp = cJSON_GetObjectItem(root, "exports");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(exp, "signature_changed")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "state_layouts_changed")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "unchanged")), 2);
	cJSON_Delete(root);

	/* deterministic: the same diff again gives the same bytes */
	struct diff d2;
	struct strbuf sb2 = STRBUF_INIT;
	diff_compute(&d2, p->old, p->new);
	diff_write_json(&d2, &sb2);
	assert_string_equal(sb.buf, sb2.buf);
	diff_release(&d2);
	sb_release(&sb2);
	sb_release(&sb);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(change_kind_name(CHG_STATE_LAYOUT), "state-layout");
	assert_string_equal(change_kind_name(CHG_VISIBILITY), "visibility");
	assert_string_equal(change_kind_name(CHG_OTHER), "other");
	assert_null(change_kind_name(CHG_BODY | CHG_SIGNATURE));
	struct strbuf sb = STRBUF_INIT;
	change_kinds_write(&sb, CHG_FLAGS | CHG_BODY, "+");
	assert_string_equal(sb.buf, "body+flags");
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identical_is_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linkage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linkage_and_visibility, setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_removed_symbols, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initializer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_and_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_added_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_removed_and_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_not_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules_added_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
