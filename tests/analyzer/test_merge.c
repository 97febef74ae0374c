/*
 * test_merge.c - analyzer_merge() (analyzer/merge.c) on per-unit facts built
 * in C: no libclang, no tree to parse. Checks what a user of 'hotplan
 * merge' sees in the merged facts: units of one module grouped, refs
 * resolved to the exporting modules (ambiguous ones marked and warned of,
 * unresolvable ones dropped), entries moved to the module that defines the
 * start routine (a note when none does), the result independent of the
 * order of the inputs, and a non-unit input refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

/* ---- per-unit facts built in C ------------------------------------------------- */

/* One unit: module mod, main file file, at most 4 of each item. */
static struct facts *unit_new(const char *mod, const char *file)
{
	struct facts *f = facts_new();
	struct arena *a = &f->arena;
	f->unit = 1;
	f->root = "tree";
	f->modules = arena_zalloc(a, sizeof(*f->modules));
	f->nmodules = 1;
	struct module *m = &f->modules[0];
	m->name = arena_strdup(a, mod);
	m->files = arena_alloc(a, sizeof(*m->files));
	m->files[0] = arena_strdup(a, file);
	m->nfiles = 1;
	m->flags_hash = hp_hash_str(file);
	m->exports = arena_zalloc(a, 4 * sizeof(*m->exports));
	m->refs = arena_zalloc(a, 4 * sizeof(*m->refs));
	m->entries = arena_zalloc(a, 4 * sizeof(*m->entries));
	return f;
}

static void unit_export(struct facts *f, const char *name, unsigned line, int loops)
{
	struct module *m = &f->modules[0];
	struct symbol *s = &m->exports[m->nexports++];
	s->name = arena_strdup(&f->arena, name);
	s->kind = SYM_FUNCTION;
	s->signature = "void *(void *)";
	s->visibility = "default";
	s->hash = hp_hash_str(name);
	s->loc = (struct loc){ m->files[0], line, 1 };
	if (loops) {
		s->has_loop = 1;
		s->loop_next = NEXT_BLOCKED;
		s->loop_blocking = "recv";
	}
}

static void unit_ref(struct facts *f, const char *symbol, const char *from)
{
	struct module *m = &f->modules[0];
	struct ref *r = &m->refs[m->nrefs++];
	r->symbol = arena_strdup(&f->arena, symbol);
	r->kind = REF_CALL;
	r->from = arena_strdup(&f->arena, from);
	r->loc = (struct loc){ m->files[0], 20 + (unsigned)m->nrefs, 3 };
}

static void unit_spawn(struct facts *f, const char *function)
{
	struct module *m = &f->modules[0];
	struct entry *e = &m->entries[m->nentries++];
	e->function = arena_strdup(&f->arena, function);
	e->spawner = "pthread_create";
	e->spawn_module = m->name;
	e->spawned_in = "main";
	e->loc = (struct loc){ m->files[0], 30, 5 };
}

/*
 * The tree: module net from two units (net_a.c exports net_send, net_b.c
 * exports net_recv, whose loop blocks in recv); x and y both export dup;
 * app calls net_send, dup and printf (no module exports it), and spawns
 * net_recv (defined in net) and ghost (defined nowhere).
 */
enum { NUNITS = 5 };

static void make_units(struct facts **u)
{
	u[0] = unit_new("net", "src/net_a.c");
	unit_export(u[0], "net_send", 3, 0);
	u[1] = unit_new("net", "src/net_b.c");
	unit_export(u[1], "net_recv", 7, 1);
	u[2] = unit_new("x", "src/x.c");
	unit_export(u[2], "dup", 1, 0);
	u[3] = unit_new("y", "src/y.c");
	unit_export(u[3], "dup", 2, 0);
	u[4] = unit_new("app", "src/app.c");
	unit_export(u[4], "main", 1, 0);
	unit_ref(u[4], "net_send", "main");
	unit_ref(u[4], "dup", "main");
	unit_ref(u[4], "printf", "main");
	unit_spawn(u[4], "net_recv");
	unit_spawn(u[4], "ghost");
}

static void free_units(struct facts **u)
{
	for (size_t i = 0; i < NUNITS; i++)
		facts_free(u[i]);
}

static struct facts *merge_ok(struct facts *const *u, size_t n)
{
	struct facts *f = NULL;
	struct errbuf err = { "", 0 };
	if (analyzer_merge(u, n, &f, &err))
		fail_msg("analyzer_merge: %s", err.msg);
	assert_non_null(f);
	assert_int_equal(f->unit, 0);
	return f;
}

static char *json_of(const struct facts *f)
{
	struct strbuf sb = STRBUF_INIT;
	facts_write_json(f, &sb);
	return sb_detach(&sb, NULL);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_groups_units_into_modules(void **state)
{
	struct facts *u[NUNITS];
	(void)state;
	make_units(u);
	struct facts *f = merge_ok(u, NUNITS);
	assert_int_equal(f->nmodules, 4);
	const struct module *net = facts_module(f, "net");
	assert_non_null(net);
	assert_int_equal(net->nfiles, 2);
	assert_string_equal(net->files[0], "src/net_a.c");
	assert_string_equal(net->files[1], "src/net_b.c");
	assert_non_null(module_export(net, "net_send"));
	assert_non_null(module_export(net, "net_recv"));
	/* two units: the flags hash is their combination, not either one's */
	assert_true(net->flags_hash != u[0]->modules[0].flags_hash);
	assert_true(net->flags_hash != u[1]->modules[0].flags_hash);
	/* one unit keeps its own, so 'analyze --tu' facts agree */
	assert_true(facts_module(f, "x")->flags_hash == u[2]->modules[0].flags_hash);
	assert_true(net->hash != 0);
	facts_free(f);
	free_units(u);
}

static void test_resolves_refs(void **state)
{
	struct facts *u[NUNITS];
	(void)state;
	make_units(u);
	struct facts *f = merge_ok(u, NUNITS);
	const struct module *app = facts_module(f, "app");
	/* net_send -> net; dup -> x and y, ambiguous; printf dropped */
	assert_int_equal(app->nrefs, 3);
	size_t seen = 0;
	for (size_t i = 0; i < app->nrefs; i++) {
		const struct ref *r = &app->refs[i];
		assert_string_not_equal(r->symbol, "printf");
		if (!strcmp(r->symbol, "net_send")) {
			assert_string_equal(r->module, "net");
			assert_false(r->ambiguous);
			seen |= 1;
		} else {
			assert_string_equal(r->symbol, "dup");
			assert_true(r->ambiguous);
			seen |= !strcmp(r->module, "x") ? 2 : !strcmp(r->module, "y") ? 4 : 8;
		}
	}
	assert_int_equal(seen, 7);
	/* the warning names both modules, at the first one's definition */
	size_t warned = 0;
	for (size_t i = 0; i < f->ndiags; i++) {
		const struct diagnostic *d = &f->diags[i];
		if (d->severity != SEV_WARNING)
			continue;
		assert_string_equal(d->message, "'dup' is defined in 2 modules: x, y");
		assert_string_equal(d->loc.file, "src/x.c");
		warned++;
	}
	assert_int_equal(warned, 1);
	facts_free(f);
	free_units(u);
}

static void test_moves_entries(void **state)
{
	struct facts *u[NUNITS];
	(void)state;
	make_units(u);
	struct facts *f = merge_ok(u, NUNITS);
	const struct module *net = facts_module(f, "net"), *app = facts_module(f, "app");
	assert_int_equal(app->nentries, 0);
	assert_int_equal(net->nentries, 1);
	const struct entry *e = &net->entries[0];
	assert_string_equal(e->function, "net_recv");
	assert_string_equal(e->spawn_module, "app");
	assert_int_equal(e->next_call, NEXT_BLOCKED);
	assert_string_equal(e->blocking, "recv");
	assert_string_equal(e->loc.file, "src/net_b.c");
	assert_int_equal(e->loc.line, 7);
	size_t notes = 0;
	for (size_t i = 0; i < f->ndiags; i++) {
		const struct diagnostic *d = &f->diags[i];
		if (d->severity != SEV_NOTE)
			continue;
		assert_string_equal(d->message, "thread start routine 'ghost' is not defined in the tree");
		assert_string_equal(d->module, "app");
		notes++;
	}
	assert_int_equal(notes, 1);
	facts_free(f);
	free_units(u);
}

/* The same units in another order give the same facts, byte for byte. */
static void test_order_independent(void **state)
{
	struct facts *u[NUNITS], *r[NUNITS];
	(void)state;
	make_units(u);
	for (size_t i = 0; i < NUNITS; i++)
		r[i] = u[(i * 2 + 1) % NUNITS];
	struct facts *f = merge_ok(u, NUNITS), *g = merge_ok(r, NUNITS);
	char *a = json_of(f), *b = json_of(g);
	assert_string_equal(a, b);
	free(a);
	free(b);
	facts_free(f);
	facts_free(g);
	free_units(u);
}

static void test_refuses_tree_facts(void **state)
{
	struct facts *u[NUNITS], *out = NULL;
	struct errbuf err = { "", 0 };
	(void)state;
	make_units(u);
	u[1]->unit = 0;
	assert_int_equal(analyzer_merge(u, NUNITS, &out, &err), HP_EINPUT);
	assert_null(out);
	assert_string_equal(err.msg, "input 2 is not per-unit facts (made by 'hotplan analyze --tu')");
	free_units(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_units_into_modules),
		cmocka_unit_test(test_resolves_refs),
		cmocka_unit_test(test_moves_entries),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_refuses_tree_facts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
