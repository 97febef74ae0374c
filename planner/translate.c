/*
 * translate.c - high-level appup instructions -> low-level release-handler
 * script, following systools_rc:translate_scripts/4 of OTP 25 step by step
 * (SEMANTICS.md §2):
 *
 *   expand (defaults, §2.1) -> merge and split each script at its
 *   point_of_no_return (§2.2) -> syntax check -> normalize -> checks of the
 *   merged script (§2.3) -> application instructions -> dependency groups
 *   (§2.4, §2.5) -> per-group low-level code (§2.7) -> load_object_code
 *   merging and emulator restarts (§2.8) -> syntax check of the result.
 *
 * Invariants:
 *  - The phases run in OTP's order and each walks its list in OTP's order, so
 *    when an input has several faults the Reason reported is the one OTP
 *    reports (the only exception is a tie between topological orders, where
 *    OTP's choice is unspecified; SEMANTICS.md §2.6).
 *  - Terms are never modified after they are built; instructions that pass
 *    through are the caller's terms, unchanged. Every term this file builds
 *    from an input instruction carries that instruction's line and column,
 *    so any later error can name a position in the input file.
 *  - Every walk is linear or n log n (OTP's member/union on lists are
 *    quadratic): names are looked up in string maps, the dependency graph is
 *    planner/graph.h.
 */
#include "translate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depgraph.h"

typedef VEC(struct term *) tvec;

struct tr {
	struct arena *a;
	const struct translate_input *in;
	struct errbuf *err;
	struct term **reason;
	const struct term *cur;  /* the instruction being looked at, for positions */
};

/* ---- small term helpers -------------------------------------------------- */

static struct term *atom(struct tr *t, const char *name)
{
	return term_atom(t->a, name);
}

/* A copy of the position of src on the freshly built term dst. */
static struct term *at(struct term *dst, const struct term *src)
{
	if (src) {
		dst->line = src->line;
		dst->col = src->col;
	}
	return dst;
}

static struct term *tag2(struct tr *t, const char *tag, struct term *x)
{
	return term_tuplev(t->a, 2, atom(t, tag), x);
}

static int is_tag(const struct term *x, const char *tag, size_t arity)
{
	return term_is_tagged(x, tag, arity);
}

static const char *tag_of(const struct term *x)
{
	if (x->type == TERM_TUPLE && x->u.seq.n > 0 && x->u.seq.items[0]->type == TERM_ATOM)
		return x->u.seq.items[0]->u.atom;
	return NULL;
}

static struct term *el(const struct term *x, size_t i)
{
	return x->u.seq.items[i];
}

/* Erlang's is_list/1: any list, proper or not, or a string. */
static int is_erl_list(const struct term *x)
{
	return x->type == TERM_LIST || x->type == TERM_STRING;
}

/* Erlang's == (numbers compare by value). */
static int erl_eq(const struct term *x, const struct term *y)
{
	return term_compare(x, y) == 0;
}

/* ---- errors ------------------------------------------------------------ */

static const struct {
	const char *tag;
	const char *text;
} reason_text[] = {
	{ "bad_op_before_point_of_no_return", "only load_object_code and apply may come before point_of_no_return" },
	{ "too_many_point_of_no_return", "a script has more than one point_of_no_return" },
	{ "no_object_code", "a load instruction has no load_object_code for its module" },
	{ "suspended_not_resumed", "modules suspended but never resumed" },
	{ "resumed_not_suspended", "modules resumed but never suspended" },
	{ "start_not_stop", "modules started but never stopped" },
	{ "stop_not_start", "modules stopped but never started" },
	{ "no_such_application", "application not in the release" },
	{ "removed_application_present", "a removed application is still in the new release" },
	{ "no_such_module", "module not in any application of the release" },
	{ "conflicting_versions", "two load_object_code name different versions of one application" },
	{ "undef_module", "a dependency names a module this upgrade does not change" },
	{ "muldef_module", "a module has more than one load, update, add or delete instruction" },
	{ "not_yet_implemented", "instruction not supported by systools_rc" },
	{ "bad_instruction", "unknown instruction" },
	{ "bad_module", "a module must be an atom" },
	{ "bad_change", "change must be soft or {advanced, Extra}" },
	{ "bad_mod_type", "module type must be static or dynamic" },
	{ "bad_purge_method", "purge method must be soft_purge or brutal_purge" },
	{ "bad_list", "a list was expected" },
	{ "bad_args_list", "apply arguments must be a list" },
	{ "bad_node", "a node must be an atom" },
	{ "bad_application", "an application must be an atom" },
	{ "bad_start_type", "start type must be permanent, transient, temporary, load or none" },
	{ "bad_func", "a function must be an atom" },
	{ "bad_lib", "a library must be an atom" },
	{ "bad_lib_vsn", "a library version must be a string" },
	{ "bad_timeout", "timeout must be default, infinity or an integer > 0" },
	{ "bad_mode", "code_change mode must be up or down" },
	{ "bad_code_change", "code_change entries must be {Mod, Extra}" },
	{ "improper_list", "improper list (OTP's translator crashes on it)" },
};

/*
 * Fails with OTP's Reason. The position is that of where (a term of the
 * input) or, when where was built rather than read, of the current
 * instruction.
 */
static int tr_fail(struct tr *t, const struct term *where, struct term *reason)
{
	struct strbuf sb = STRBUF_INIT;
	const char *tag = reason->type == TERM_ATOM ? reason->u.atom : tag_of(reason);
	const char *text = "translation refused";
	unsigned line = 0, col = 0;

	if (where && where->line) {
		line = where->line;
		col = where->col;
	} else if (t->cur && t->cur->line) {
		line = t->cur->line;
		col = t->cur->col;
	}
	for (size_t i = 0; tag && i < HP_ARRAY_SIZE(reason_text); i++)
		if (!strcmp(reason_text[i].tag, tag))
			text = reason_text[i].text;
	term_write(&sb, reason);
	if (sb.len > 600) {
		sb.len = 600;
		sb.buf[sb.len] = '\0';
		sb_adds(&sb, "...");
	}
	*t->reason = reason;
	hp_error_at(t->err, HP_EINPUT, line ? t->in->file : NULL, line, col,
		    "%s: %s", text, sb.buf);
	sb_release(&sb);
	return HP_EINPUT;
}

static int fail2(struct tr *t, const struct term *where, const char *tag, struct term *x)
{
	return tr_fail(t, where, tag2(t, tag, x));
}

/*
 * The elements of a proper list or string (strings give their character
 * codes). Improper lists are refused: OTP crashes on them.
 */
static int items_of(struct tr *t, const struct term *l, struct term ***items, size_t *n)
{
	if (l->type == TERM_STRING) {
		size_t cnt = term_list_len(l), i = 0;
		struct term **v = arena_alloc(t->a, (cnt ? cnt : 1) * sizeof(*v));
		const unsigned char *s = (const unsigned char *)l->u.str.s;
		for (size_t p = 0; p < l->u.str.len && i < cnt; i++) {
			uint32_t c = s[p++];
			int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
			c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0xFF;
			while (more-- > 0 && p < l->u.str.len)
				c = (c << 6) | (s[p++] & 0x3F);
			v[i] = at(term_int(t->a, c), l);
		}
		*items = v;
		*n = i;
		return 0;
	}
	if (l->type != TERM_LIST)
		return fail2(t, l, "bad_list", (struct term *)l);
	if (l->u.seq.tail)
		return fail2(t, l, "improper_list", (struct term *)l);
	*items = l->u.seq.items;
	*n = l->u.seq.n;
	return 0;
}

/* ---- syntax (check_op) --------------------------------------------------- */

static int chk_mod(struct tr *t, struct term *m)
{
	return m->type == TERM_ATOM ? 0 : fail2(t, m, "bad_module", m);
}

static int chk_atom(struct tr *t, struct term *x, const char *tag)
{
	return x->type == TERM_ATOM ? 0 : fail2(t, x, tag, x);
}

static int chk_change(struct tr *t, struct term *c)
{
	if (term_is_atom(c, "soft") || is_tag(c, "advanced", 2))
		return 0;
	return fail2(t, c, "bad_change", c);
}

static int chk_mod_type(struct tr *t, struct term *c)
{
	if (term_is_atom(c, "static") || term_is_atom(c, "dynamic"))
		return 0;
	return fail2(t, c, "bad_mod_type", c);
}

static int chk_purge(struct tr *t, struct term *p)
{
	if (term_is_atom(p, "soft_purge") || term_is_atom(p, "brutal_purge"))
		return 0;
	return fail2(t, p, "bad_purge_method", p);
}

static int chk_list(struct tr *t, struct term *l)
{
	return is_erl_list(l) ? 0 : fail2(t, l, "bad_list", l);
}

static int chk_timeout(struct tr *t, struct term *x)
{
	if (term_is_atom(x, "default") || term_is_atom(x, "infinity") ||
	    (x->type == TERM_INT && x->u.i > 0))
		return 0;
	return fail2(t, x, "bad_timeout", x);
}

static int chk_start_type(struct tr *t, struct term *x)
{
	static const char *const types[] = { "none", "load", "temporary", "transient", "permanent" };
	for (size_t i = 0; i < HP_ARRAY_SIZE(types); i++)
		if (term_is_atom(x, types[i]))
			return 0;
	return fail2(t, x, "bad_start_type", x);
}

/* check_list(Mods) followed by check_mod of each element. */
static int chk_mods(struct tr *t, struct term *l)
{
	struct term **v;
	size_t n;
	int rc;
	if ((rc = chk_list(t, l)) || (rc = items_of(t, l, &v, &n)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = chk_mod(t, v[i])))
			return rc;
	return 0;
}

/* Checks the elements of a code_change list: each {Mod, Extra}. */
static int chk_code_change_list(struct tr *t, struct term *l)
{
	struct term **v;
	size_t n;
	int rc;
	if ((rc = items_of(t, l, &v, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!term_is_tuple(v[i], 2))
			return fail2(t, v[i], "bad_code_change", v[i]);
		if ((rc = chk_mod(t, el(v[i], 0))))
			return rc;
	}
	return 0;
}

/* The update clauses of check_op: arity 6, 7 or 8. */
static int chk_update(struct tr *t, struct term *i)
{
	size_t n = i->u.seq.n;
	int rc;
	if ((rc = chk_mod(t, el(i, 1))))
		return rc;
	if (n == 8 && (rc = chk_mod_type(t, el(i, 2))))
		return rc;
	if (n >= 7 && (rc = chk_timeout(t, el(i, n - 5))))
		return rc;
	if ((rc = chk_change(t, el(i, n - 4))) || (rc = chk_purge(t, el(i, n - 3))) ||
	    (rc = chk_purge(t, el(i, n - 2))))
		return rc;
	return chk_mods(t, el(i, n - 1));
}

/* The load_module clause: {load_module, Mod, PrePurge, PostPurge, Mods}. */
static int chk_load_module(struct tr *t, struct term *i)
{
	int rc;
	if ((rc = chk_mod(t, el(i, 1))) || (rc = chk_purge(t, el(i, 2))) ||
	    (rc = chk_purge(t, el(i, 3))))
		return rc;
	return chk_mods(t, el(i, 4));
}

/* {add_module, Mod} | {add_module, Mod, Mods}, and the same for delete_module. */
static int chk_add_delete(struct tr *t, struct term *i)
{
	int rc;
	if ((rc = chk_mod(t, el(i, 1))))
		return rc;
	return i->u.seq.n == 3 ? chk_mods(t, el(i, 2)) : 0;
}

/* {remove_application, Appl} | {restart_application, Appl}. */
static int chk_application(struct tr *t, struct term *i)
{
	return chk_atom(t, el(i, 1), "bad_application");
}

static int chk_add_application(struct tr *t, struct term *i)
{
	int rc;
	if ((rc = chk_atom(t, el(i, 1), "bad_application")))
		return rc;
	return chk_start_type(t, el(i, 2));
}

/* Returned by a clause check whose pattern does not match i after all. */
#define NO_CLAUSE 1

static int chk_load_object_code(struct tr *t, struct term *i)
{
	struct term *x = el(i, 1);
	int rc;
	if (!term_is_tuple(x, 3))
		return NO_CLAUSE;
	if ((rc = chk_atom(t, el(x, 0), "bad_lib")))
		return rc;
	if (!is_erl_list(el(x, 1)))
		return fail2(t, el(x, 1), "bad_lib_vsn", el(x, 1));
	return chk_mods(t, el(x, 2));
}

/* {load, {Mod, PrePurge, PostPurge}} | {remove, {Mod, PrePurge, PostPurge}}. */
static int chk_load_remove(struct tr *t, struct term *i)
{
	struct term *x = el(i, 1);
	int rc;
	if (!term_is_tuple(x, 3))
		return NO_CLAUSE;
	if ((rc = chk_mod(t, el(x, 0))) || (rc = chk_purge(t, el(x, 1))))
		return rc;
	return chk_purge(t, el(x, 2));
}

/* {purge | resume | stop | start, Mods}. */
static int chk_mods_op(struct tr *t, struct term *i)
{
	return chk_mods(t, el(i, 1));
}

static int chk_suspend(struct tr *t, struct term *i)
{
	struct term **v;
	size_t nv;
	int rc;
	if ((rc = chk_list(t, el(i, 1))) || (rc = items_of(t, el(i, 1), &v, &nv)))
		return rc;
	for (size_t k = 0; k < nv; k++) {
		if (term_is_tuple(v[k], 2)) {
			if ((rc = chk_mod(t, el(v[k], 0))) || (rc = chk_timeout(t, el(v[k], 1))))
				return rc;
		} else if ((rc = chk_mod(t, v[k]))) {
			return rc;
		}
	}
	return 0;
}

/* {code_change, Mods} | {code_change, Mode, Mods}. */
static int chk_code_change(struct tr *t, struct term *i)
{
	size_t n = i->u.seq.n;
	int rc;
	if ((rc = chk_list(t, el(i, n - 1))))
		return rc;
	if (n == 3 && !term_is_atom(el(i, 1), "up") && !term_is_atom(el(i, 1), "down"))
		return fail2(t, el(i, 1), "bad_mode", el(i, 1));
	return chk_code_change_list(t, el(i, n - 1));
}

/* {M, F, Args} of sync_nodes and apply. */
static int chk_mfa(struct tr *t, struct term *x)
{
	int rc;
	if ((rc = chk_mod(t, el(x, 0))) || (rc = chk_atom(t, el(x, 1), "bad_func")))
		return rc;
	return is_erl_list(el(x, 2)) ? 0 : fail2(t, el(x, 2), "bad_args_list", el(x, 2));
}

/* {sync_nodes, Id, {M, F, A}} | {sync_nodes, Id, [Node]}. */
static int chk_sync_nodes(struct tr *t, struct term *i)
{
	struct term *x = el(i, 2), **v;
	size_t nv;
	int rc;
	if (term_is_tuple(x, 3))
		return chk_mfa(t, x);
	if ((rc = chk_list(t, x)) || (rc = items_of(t, x, &v, &nv)))
		return rc;
	for (size_t k = 0; k < nv; k++)
		if ((rc = chk_atom(t, v[k], "bad_node")))
			return rc;
	return 0;
}

static int chk_apply(struct tr *t, struct term *i)
{
	return term_is_tuple(el(i, 1), 3) ? chk_mfa(t, el(i, 1)) : NO_CLAUSE;
}

static int chk_not_yet_implemented(struct tr *t, struct term *i)
{
	return fail2(t, i, "not_yet_implemented", i);
}

/* ---- the high-level instructions ---------------------------------------- */

enum hl_op {
	HL_NONE = -1,  /* not a tag of the table */
	HL_RESTART, HL_REBOOT, HL_POINT_OF_NO_RETURN, HL_RESTART_NEW_EMULATOR,
	HL_RESTART_EMULATOR, HL_MNESIA_BACKUP,
	HL_UPDATE, HL_LOAD_MODULE, HL_ADD_MODULE, HL_DELETE_MODULE,
	HL_REMOVE_APPLICATION, HL_RESTART_APPLICATION, HL_ADD_APPLICATION,
	HL_LOAD_OBJECT_CODE, HL_LOAD, HL_REMOVE, HL_PURGE, HL_RESUME, HL_STOP, HL_START,
	HL_SUSPEND, HL_CODE_CHANGE, HL_SYNC_NODES, HL_APPLY,
};

/*
 * The instructions check_op/1 accepts (SEMANTICS.md §2), one row each, in
 * enum hl_op order: the tag, the tuple arities of its clauses (0: a bare
 * atom), the check of its operands (NULL: none; a check may answer
 * NO_CLAUSE when an operand's shape is not the clause's after all, which
 * makes it a bad_instruction, as in OTP), and TR_F_* flags (translate.h).
 * ORDER HL_OP: keep the rows in step with enum hl_op.
 */
static const struct hl_instr {
	const char *tag;
	unsigned char min_arity, max_arity;
	int (*check)(struct tr *t, struct term *i);
	unsigned flags;
} hl_table[] = {
	{ "restart",                0, 0, NULL, 0 },
	{ "reboot",                 0, 0, NULL, 0 },
	{ "point_of_no_return",     0, 0, NULL, 0 },
	{ "restart_new_emulator",   0, 0, NULL, 0 },
	{ "restart_emulator",       0, 0, NULL, 0 },
	{ "mnesia_backup",          0, 0, chk_not_yet_implemented, 0 },
	{ "update",                 6, 8, chk_update, TR_F_MODULE },
	{ "load_module",            5, 5, chk_load_module, TR_F_MODULE },
	{ "add_module",             2, 3, chk_add_delete, TR_F_MODULE },
	{ "delete_module",          2, 3, chk_add_delete, TR_F_MODULE },
	{ "remove_application",     2, 2, chk_application, 0 },
	{ "restart_application",    2, 2, chk_application, 0 },
	{ "add_application",        3, 3, chk_add_application, 0 },
	{ "load_object_code",       2, 2, chk_load_object_code, 0 },
	{ "load",                   2, 2, chk_load_remove, TR_F_MODULE_IN_TUPLE },
	{ "remove",                 2, 2, chk_load_remove, TR_F_MODULE_IN_TUPLE },
	{ "purge",                  2, 2, chk_mods_op, 0 },
	{ "resume",                 2, 2, chk_mods_op, 0 },
	{ "stop",                   2, 2, chk_mods_op, 0 },
	{ "start",                  2, 2, chk_mods_op, 0 },
	{ "suspend",                2, 2, chk_suspend, 0 },
	{ "code_change",            2, 3, chk_code_change, 0 },
	{ "sync_nodes",             3, 3, chk_sync_nodes, 0 },
	{ "apply",                  2, 2, chk_apply, 0 },
};

/* The row of tag, or HL_NONE. */
static enum hl_op hl_lookup(const char *tag)
{
	for (size_t k = 0; tag && k < HP_ARRAY_SIZE(hl_table); k++)
		if (!strcmp(hl_table[k].tag, tag))
			return (enum hl_op)k;
	return HL_NONE;
}

/* The row of instruction i by its form (an atom, or a tuple's tag): HL_NONE
 * for anything else, whatever its arity. */
static enum hl_op hl_op_of(const struct term *i)
{
	enum hl_op op = hl_lookup(i->type == TERM_ATOM ? i->u.atom : tag_of(i));
	if (op == HL_NONE || (i->type == TERM_ATOM) != (hl_table[op].max_arity == 0))
		return HL_NONE;
	return op;
}

unsigned translate_instr_flags(const char *tag)
{
	enum hl_op op = hl_lookup(tag);
	return op == HL_NONE ? 0 : hl_table[op].flags;
}

/* check_op/1: Reason for the first fault of instruction i, or 0. */
static int check_op(struct tr *t, struct term *i)
{
	enum hl_op op = hl_op_of(i);
	size_t n = i->type == TERM_TUPLE ? i->u.seq.n : 0;
	int rc = NO_CLAUSE;

	t->cur = i;
	if (op != HL_NONE && n >= hl_table[op].min_arity && n <= hl_table[op].max_arity)
		rc = hl_table[op].check ? hl_table[op].check(t, i) : 0;
	return rc == NO_CLAUSE ? fail2(t, i, "bad_instruction", i) : rc;
}

static int check_syntax(struct tr *t, const tvec *s)
{
	int rc;
	for (size_t k = 0; k < s->n; k++)
		if ((rc = check_op(t, s->items[k])))
			return rc;
	return 0;
}

/* ---- expansion (§2.1) ---------------------------------------------------- */

static struct term *bp(struct tr *t)
{
	return atom(t, "brutal_purge");
}

/* expand_script/1 on one instruction: the defaulted form, or i itself. */
static struct term *expand_one(struct tr *t, struct term *i)
{
	enum hl_op op = hl_op_of(i);
	size_t n = i->type == TERM_TUPLE ? i->u.seq.n : 0;
	struct arena *a = t->a;

	if (op == HL_LOAD_MODULE) {
		if (n == 2)
			return at(term_tuplev(a, 5, el(i, 0), el(i, 1), bp(t), bp(t), term_nil(a)), i);
		if (n == 3 && is_erl_list(el(i, 2)))
			return at(term_tuplev(a, 5, el(i, 0), el(i, 1), bp(t), bp(t), el(i, 2)), i);
		return i;
	}
	if (op == HL_UPDATE) {
		struct term *m = n > 1 ? el(i, 1) : NULL;
		if (n == 2)
			return at(term_tuplev(a, 6, el(i, 0), m, atom(t, "soft"), bp(t), bp(t), term_nil(a)), i);
		if (n == 3) {
			struct term *x = el(i, 2);
			if (term_is_atom(x, "supervisor"))
				return at(term_tuplev(a, 8, el(i, 0), m, atom(t, "static"), atom(t, "default"),
						      term_tuplev(a, 2, atom(t, "advanced"), term_nil(a)),
						      bp(t), bp(t), term_nil(a)), i);
			if (x->type == TERM_TUPLE || term_is_atom(x, "soft"))
				return at(term_tuplev(a, 6, el(i, 0), m, x, bp(t), bp(t), term_nil(a)), i);
			if (is_erl_list(x))
				return at(term_tuplev(a, 6, el(i, 0), m, atom(t, "soft"), bp(t), bp(t), x), i);
			return i;
		}
		if (n == 4) {
			struct term *c = el(i, 2), *d = el(i, 3);
			if ((c->type == TERM_TUPLE || term_is_atom(c, "soft")) && is_erl_list(d))
				return at(term_tuplev(a, 6, el(i, 0), m, c, bp(t), bp(t), d), i);
		}
		return i;
	}
	if (op == HL_ADD_APPLICATION && n == 2)
		return at(term_tuplev(a, 3, el(i, 0), el(i, 1), atom(t, "permanent")), i);
	return i;
}

/* expand_script/1: a list instruction is spliced in, unexpanded. */
static int expand_script(struct tr *t, const struct term *script, tvec *out)
{
	struct term **v;
	size_t n;
	int rc;
	if ((rc = items_of(t, script, &v, &n)))
		return rc;
	for (size_t k = 0; k < n; k++) {
		struct term *i = v[k];
		t->cur = i;
		if (is_erl_list(i)) {
			struct term **w;
			size_t nw;
			if ((rc = items_of(t, i, &w, &nw)))
				return rc;
			for (size_t j = 0; j < nw; j++)
				VEC_PUSH(out, w[j]);
		} else {
			VEC_PUSH(out, expand_one(t, i));
		}
	}
	return 0;
}

/* ---- merge and split (§2.2) ----------------------------------------------- */

static int is_loc(const struct term *i)
{
	return is_tag(i, "load_object_code", 2);
}

/*
 * split_script/1 of one expanded script, appending its before part (with
 * the load_object_code of its after part) to before and the rest to after.
 */
static int split_one(struct tr *t, const tvec *s, tvec *before, tvec *after)
{
	size_t ponr = (size_t)-1;
	for (size_t k = 0; k < s->n; k++) {
		if (term_is_atom(s->items[k], "point_of_no_return")) {
			if (ponr != (size_t)-1) {
				t->cur = s->items[k];
				return tr_fail(t, s->items[k], atom(t, "too_many_point_of_no_return"));
			}
			ponr = k;
		}
	}
	/* without a point_of_no_return everything is "after" */
	size_t start = ponr == (size_t)-1 ? 0 : ponr + 1;
	for (size_t k = 0; k + 1 < start; k++) {
		struct term *i = s->items[k];
		if (!is_loc(i) && !is_tag(i, "apply", 2)) {
			t->cur = i;
			return fail2(t, i, "bad_op_before_point_of_no_return", i);
		}
		VEC_PUSH(before, i);
	}
	for (size_t k = start; k < s->n; k++)
		if (is_loc(s->items[k]))
			VEC_PUSH(before, s->items[k]);
	for (size_t k = start; k < s->n; k++)
		if (!is_loc(s->items[k]))
			VEC_PUSH(after, s->items[k]);
	return 0;
}

/* normalize_instrs/1 on one instruction. */
static struct term *normalize_one(struct tr *t, struct term *i)
{
	enum hl_op op = hl_op_of(i);
	size_t n = i->type == TERM_TUPLE ? i->u.seq.n : 0;
	struct arena *a = t->a;
	if (op == HL_UPDATE && n == 6)
		return at(term_tuplev(a, 8, el(i, 0), el(i, 1), atom(t, "dynamic"), atom(t, "default"),
				      el(i, 2), el(i, 3), el(i, 4), el(i, 5)), i);
	if (op == HL_UPDATE && n == 7)
		return at(term_tuplev(a, 8, el(i, 0), el(i, 1), atom(t, "dynamic"), el(i, 2),
				      el(i, 3), el(i, 4), el(i, 5), el(i, 6)), i);
	if ((op == HL_ADD_MODULE || op == HL_DELETE_MODULE) && n == 2)
		return at(term_tuplev(a, 3, el(i, 0), el(i, 1), term_nil(a)), i);
	return i;
}

/* ---- checks of the merged script (§2.3) --------------------------------- */

/* A set of atom names. */
static void set_add(struct strmap *m, const struct term *x)
{
	if (x->type == TERM_ATOM)
		strmap_put(m, x->u.atom, (void *)x);
}

static int set_has(const struct strmap *m, const struct term *x)
{
	return x->type == TERM_ATOM && strmap_lookup(m, x->u.atom, &(void *){ NULL });
}

/* Collects the module lists of every {Tag, Ms} of after (flattened). For
 * suspend, {M, T} entries give M. */
static void collect(struct tr *t, const tvec *after, const char *tag, tvec *out)
{
	for (size_t k = 0; k < after->n; k++) {
		struct term *i = after->items[k];
		struct term **v;
		size_t n;
		if (!is_tag(i, tag, 2) || items_of(t, el(i, 1), &v, &n))
			continue;
		for (size_t j = 0; j < n; j++)
			VEC_PUSH(out, term_is_tuple(v[j], 2) ? el(v[j], 0) : v[j]);
	}
}

/* Fails with {tag, [x in a | x not in b]} if that list is not empty. */
static int difference_check(struct tr *t, const tvec *a, const tvec *b, const char *tag)
{
	struct strmap set;
	tvec diff = {0};
	int rc = 0;
	strmap_init(&set);
	for (size_t k = 0; k < b->n; k++)
		set_add(&set, b->items[k]);
	for (size_t k = 0; k < a->n; k++)
		if (!set_has(&set, a->items[k]))
			VEC_PUSH(&diff, a->items[k]);
	if (diff.n)
		rc = fail2(t, diff.items[0], tag, term_list(t->a, diff.n, diff.items));
	VEC_RELEASE(&diff);
	strmap_release(&set);
	return rc;
}

static int check_script(struct tr *t, const tvec *before, const tvec *after)
{
	struct strmap objs;
	int rc = 0;
	tvec s = {0}, r = {0};

	strmap_init(&objs);
	for (size_t k = 0; k < before->n; k++) {
		struct term *i = before->items[k], **v;
		size_t n;
		if (!is_loc(i) || items_of(t, el(el(i, 1), 2), &v, &n))
			continue;
		for (size_t j = 0; j < n; j++)
			set_add(&objs, v[j]);
	}
	for (size_t k = 0; k < after->n && !rc; k++) {
		struct term *i = after->items[k];
		if (is_tag(i, "load", 2) && !set_has(&objs, el(el(i, 1), 0))) {
			t->cur = i;
			rc = fail2(t, i, "no_object_code", el(el(i, 1), 0));
		}
	}
	strmap_release(&objs);
	if (rc)
		return rc;

	t->cur = NULL;
	collect(t, after, "suspend", &s);
	collect(t, after, "resume", &r);
	if (!(rc = difference_check(t, &s, &r, "suspended_not_resumed")))
		rc = difference_check(t, &r, &s, "resumed_not_suspended");
	/* OTP's code_change_not_suspended check never matches (SEMANTICS.md
	 * §2.3, T-14): there is nothing to do for it. */
	VEC_RELEASE(&s);
	VEC_RELEASE(&r);
	if (rc)
		return rc;
	collect(t, after, "start", &s);
	collect(t, after, "stop", &r);
	if (!(rc = difference_check(t, &s, &r, "start_not_stop")))
		rc = difference_check(t, &r, &s, "stop_not_start");
	VEC_RELEASE(&s);
	VEC_RELEASE(&r);
	return rc;
}

/* ---- applications ----------------------------------------------------- */

static const struct app_spec *find_app(const struct app_spec *apps, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(apps[k].name, name))
			return &apps[k];
	return NULL;
}

static struct term *mods_list(struct tr *t, const struct app_spec *app, const struct term *src)
{
	struct term **v = arena_alloc(t->a, (app->nmods ? app->nmods : 1) * sizeof(*v));
	for (size_t k = 0; k < app->nmods; k++)
		v[k] = at(atom(t, app->mods[k]), src);
	return at(term_list(t->a, app->nmods, v), src);
}

/* {apply, {application, F, Args}} */
static struct term *app_apply(struct tr *t, const char *f, struct term *args, const struct term *src)
{
	return at(tag2(t, "apply", term_tuplev(t->a, 3, atom(t, "application"), atom(t, f), args)), src);
}

static struct term *load_module_of(struct tr *t, struct term *m, struct term *deps, const struct term *src)
{
	return at(term_tuplev(t->a, 5, atom(t, "load_module"), m, bp(t), bp(t), deps), src);
}

/* The start (or load) of application name with type type, appended to out. */
static void app_start(struct tr *t, struct term *name, struct term *type, const struct term *src, tvec *out)
{
	if (term_is_atom(type, "none"))
		return;
	if (term_is_atom(type, "load"))
		VEC_PUSH(out, app_apply(t, "load", term_listv(t->a, 1, name), src));
	else
		VEC_PUSH(out, app_apply(t, "start", term_listv(t->a, 2, name, type), src));
}

/* The removal of the modules of app: remove each, then purge them all. */
static void app_remove_mods(struct tr *t, const struct app_spec *app, const struct term *src, tvec *out)
{
	struct term *ms = mods_list(t, app, src);
	for (size_t k = 0; k < app->nmods; k++)
		VEC_PUSH(out, at(tag2(t, "remove", term_tuplev(t->a, 3, ms->u.seq.items[k], bp(t), bp(t))), src));
	VEC_PUSH(out, at(tag2(t, "purge", ms), src));
}

/*
 * translate_application_instrs/3 followed by translate_add_module_instrs/2:
 * application instructions become module instructions and applies;
 * add_module becomes load_module.
 */
static int translate_apps(struct tr *t, const tvec *after, tvec *out)
{
	const struct translate_input *in = t->in;
	for (size_t k = 0; k < after->n; k++) {
		struct term *i = after->items[k];
		enum hl_op op = hl_op_of(i);
		t->cur = i;
		if (op == HL_ADD_APPLICATION && i->u.seq.n == 3) {
			struct term *name = el(i, 1);
			const struct app_spec *app = find_app(in->apps, in->napps, name->u.atom);
			if (!app)
				return fail2(t, i, "no_such_application", name);
			struct term *ms = mods_list(t, app, i);
			for (size_t j = 0; j < app->nmods; j++)
				VEC_PUSH(out, load_module_of(t, ms->u.seq.items[j], term_nil(t->a), i));
			app_start(t, name, el(i, 2), i, out);
		} else if (op == HL_REMOVE_APPLICATION && i->u.seq.n == 2) {
			struct term *name = el(i, 1);
			if (find_app(in->apps, in->napps, name->u.atom))
				return fail2(t, i, "removed_application_present", name);
			const struct app_spec *pre = find_app(in->pre_apps, in->npre_apps, name->u.atom);
			if (!pre)
				return fail2(t, i, "no_such_application", name);
			VEC_PUSH(out, app_apply(t, "stop", term_listv(t->a, 1, name), i));
			app_remove_mods(t, pre, i, out);
			VEC_PUSH(out, app_apply(t, "unload", term_listv(t->a, 1, name), i));
		} else if (op == HL_RESTART_APPLICATION && i->u.seq.n == 2) {
			struct term *name = el(i, 1);
			const struct app_spec *pre = find_app(in->pre_apps, in->npre_apps, name->u.atom);
			if (!pre)
				return fail2(t, i, "no_such_application", name);
			const struct app_spec *post = find_app(in->apps, in->napps, name->u.atom);
			if (!post)
				return fail2(t, i, "no_such_application", name);
			VEC_PUSH(out, app_apply(t, "stop", term_listv(t->a, 1, name), i));
			app_remove_mods(t, pre, i, out);
			struct term *ms = mods_list(t, post, i);
			for (size_t j = 0; j < post->nmods; j++)
				VEC_PUSH(out, load_module_of(t, ms->u.seq.items[j], term_nil(t->a), i));
			app_start(t, name, atom(t, post->type ? post->type : "permanent"), i, out);
		} else if (op == HL_ADD_MODULE && i->u.seq.n == 3) {
			VEC_PUSH(out, load_module_of(t, el(i, 1), el(i, 2), i));
		} else {
			VEC_PUSH(out, i);
		}
	}
	return 0;
}

/* ---- dependency groups (§2.4, §2.5, §2.7) -------------------------------- */

static int is_dep_instr(const struct term *i)
{
	enum hl_op op = hl_op_of(i);
	return op != HL_NONE && (hl_table[op].flags & TR_F_MODULE) && i->u.seq.n > 1;
}

struct vtx {
	struct term *instr;
	const char *name;
};

static int cmp_vtx_name(const void *x, const void *y, const struct vtx *v)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(v[a].name, v[b].name);
	return c ? c : (a > b) - (a < b);
}

/* Merge sort of vertex numbers by name (qsort has no context argument in C11). */
static void sort_by_name(size_t *idx, size_t *tmp, size_t n, const struct vtx *v)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_by_name(idx, tmp, h, v);
	sort_by_name(idx + h, tmp, n - h, v);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_vtx_name(&idx[i], &idx[j], v) <= 0 ? idx[i++] : idx[j++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(size_t));
}

/*
 * translate_dep_to_low/3 for the instructions is[0..n) of one component (in
 * their final order): appends load_object_code to before and the suspend,
 * loads, removes, code_change and resume to after.
 */
static int dep_to_low(struct tr *t, struct term **is, size_t n, const struct strmap *mod2app,
		      tvec *before, tvec *after)
{
	struct arena *a = t->a;
	int up = t->in->mode == TR_UP;
	tvec u = {0}, names = {0}, cc_pre = {0}, cc_post = {0};
	/* LR groups: lr[k] holds 1 or 2 instructions for is[k] */
	struct term **lr = arena_alloc(a, 2 * (n ? n : 1) * sizeof(*lr));
	size_t *lrn = arena_alloc(a, (n ? n : 1) * sizeof(*lrn));
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		struct term *i = is[k];
		enum hl_op op = hl_op_of(i);
		struct term *m = el(i, 1);
		if (op == HL_UPDATE) {
			struct term *tmo = el(i, 3), *chg = el(i, 4);
			VEC_PUSH(&u, term_is_atom(tmo, "default") ? m : at(term_tuplev(a, 2, m, tmo), i));
			VEC_PUSH(&names, m);
			if (is_tag(chg, "advanced", 2)) {
				struct term *e = at(term_tuplev(a, 2, m, el(chg, 1)), i);
				if (up || term_is_atom(el(i, 2), "dynamic"))
					VEC_PUSH(&cc_pre, e);
				else if (term_is_atom(el(i, 2), "static"))
					VEC_PUSH(&cc_post, e);
			}
			lr[2 * k] = at(tag2(t, "load", term_tuplev(a, 3, m, el(i, 5), el(i, 6))), i);
			lrn[k] = 1;
		} else if (op == HL_LOAD_MODULE) {
			lr[2 * k] = at(tag2(t, "load", term_tuplev(a, 3, m, el(i, 2), el(i, 3))), i);
			lrn[k] = 1;
		} else {
			lr[2 * k] = at(tag2(t, "remove", term_tuplev(a, 3, m, bp(t), bp(t))), i);
			lr[2 * k + 1] = at(tag2(t, "purge", term_listv(a, 1, m)), i);
			lrn[k] = 2;
		}
	}
	for (size_t k = 0; k < n; k++) {
		struct term *ld = lr[2 * k];
		if (!is_tag(ld, "load", 2))
			continue;
		struct term *m = el(el(ld, 1), 0);
		const struct app_spec *app = strmap_get(mod2app, m->u.atom);
		t->cur = is[k];
		if (!app) {
			rc = fail2(t, is[k], "no_such_module", m);
			goto out;
		}
		VEC_PUSH(before, at(tag2(t, "load_object_code",
					 term_tuplev(a, 3, atom(t, app->name), term_string(a, app->vsn),
						     term_listv(a, 1, m))), is[k]));
	}
	if (u.n)
		VEC_PUSH(after, tag2(t, "suspend", term_list(a, u.n, u.items)));
	if (up) {
		for (size_t k = n; k-- > 0;)
			for (size_t j = 0; j < lrn[k]; j++)
				VEC_PUSH(after, lr[2 * k + j]);
		if (cc_pre.n)
			VEC_PUSH(after, term_tuplev(a, 3, atom(t, "code_change"), atom(t, "up"),
						    term_list(a, cc_pre.n, cc_pre.items)));
	} else {
		if (cc_pre.n)
			VEC_PUSH(after, term_tuplev(a, 3, atom(t, "code_change"), atom(t, "down"),
						    term_list(a, cc_pre.n, cc_pre.items)));
		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; j < lrn[k]; j++)
				VEC_PUSH(after, lr[2 * k + j]);
		if (cc_post.n)
			VEC_PUSH(after, term_tuplev(a, 3, atom(t, "code_change"), atom(t, "down"),
						    term_list(a, cc_post.n, cc_post.items)));
	}
	if (names.n) {
		struct term **rev = arena_alloc(a, names.n * sizeof(*rev));
		for (size_t k = 0; k < names.n; k++)
			rev[k] = names.items[names.n - 1 - k];
		VEC_PUSH(after, tag2(t, "resume", term_list(a, names.n, rev)));
	}
out:
	VEC_RELEASE(&u);
	VEC_RELEASE(&names);
	VEC_RELEASE(&cc_pre);
	VEC_RELEASE(&cc_post);
	return rc;
}

/*
 * make_dependency_graph/1 + translate_dep_loop/7: walks after; at the first
 * instruction of each weakly connected component emits the component's
 * low-level code; other instructions pass through in place.
 */
static int translate_deps(struct tr *t, const tvec *after, tvec *before, tvec *out)
{
	VEC(struct vtx) vs = {0};
	struct strmap byname, mod2app;
	struct depgraph g;
	size_t *comp = NULL, *scc = NULL, *rank = NULL, *order = NULL, *tmp = NULL;
	size_t *cstart = NULL, *cfill = NULL, *members = NULL;
	unsigned char *emitted = NULL;
	int rc = 0;

	strmap_init(&byname);
	strmap_init(&mod2app);
	depgraph_init(&g, 0);
	for (size_t k = 0; k < after->n; k++) {
		struct term *i = after->items[k];
		if (!is_dep_instr(i))
			continue;
		struct vtx v = { i, el(i, 1)->u.atom };
		t->cur = i;
		if (strmap_get(&byname, v.name)) {
			rc = fail2(t, el(i, 1), "muldef_module", el(i, 1));
			goto out;
		}
		strmap_put(&byname, v.name, (void *)(uintptr_t)(vs.n + 1));
		VEC_PUSH(&vs, v);
	}
	size_t n = vs.n;
	depgraph_init(&g, n);
	for (size_t k = 0; k < n; k++) {
		struct term *i = vs.items[k].instr, **d;
		size_t nd;
		t->cur = i;
		if ((rc = items_of(t, el(i, i->u.seq.n - 1), &d, &nd)))
			goto out;
		for (size_t j = 0; j < nd; j++) {
			size_t to = (size_t)(uintptr_t)strmap_get(&byname, d[j]->u.atom);
			if (!to) {
				rc = fail2(t, d[j], "undef_module", d[j]);
				goto out;
			}
			depgraph_add_edge(&g, k, to - 1);
		}
	}
	for (size_t k = t->in->napps; k-- > 0;) {
		const struct app_spec *app = &t->in->apps[k];
		for (size_t j = 0; j < app->nmods; j++)
			strmap_put(&mod2app, app->mods[j], (void *)app);
	}
	/* later apps were put first: the first app listing a module wins */
	size_t m = n ? n : 1;
	comp = xmalloc(m * sizeof(size_t));
	scc = xmalloc(m * sizeof(size_t));
	rank = xmalloc(m * sizeof(size_t));
	order = xmalloc(m * sizeof(size_t));
	tmp = xmalloc(m * sizeof(size_t));
	size_t ncomp = depgraph_wcc(&g, comp);
	size_t nscc = depgraph_scc(&g, scc);
	for (size_t k = 0; k < n; k++)
		order[k] = k;
	sort_by_name(order, tmp, n, vs.items);
	for (size_t k = 0; k < n; k++)
		rank[order[k]] = k;
	depgraph_condensation_order(&g, scc, nscc, rank, order);
	/* members of each SCC in appup order, SCCs in condensation order,
	 * grouped by component */
	{
		size_t *sfirst = xcalloc(nscc + 1, sizeof(size_t));
		size_t *smem = xmalloc(m * sizeof(size_t));
		for (size_t k = 0; k < n; k++)
			sfirst[scc[k] + 1]++;
		for (size_t c = 0; c < nscc; c++)
			sfirst[c + 1] += sfirst[c];
		memcpy(tmp, sfirst, nscc * sizeof(size_t));
		for (size_t k = 0; k < n; k++)
			smem[tmp[scc[k]]++] = k;
		cstart = xcalloc(ncomp + 1, sizeof(size_t));
		cfill = xmalloc((ncomp ? ncomp : 1) * sizeof(size_t));
		members = xmalloc(m * sizeof(size_t));
		for (size_t k = 0; k < n; k++)
			cstart[comp[k] + 1]++;
		for (size_t c = 0; c < ncomp; c++)
			cstart[c + 1] += cstart[c];
		memcpy(cfill, cstart, ncomp * sizeof(size_t));
		for (size_t o = 0; o < nscc; o++) {
			size_t s = order[o];
			for (size_t j = sfirst[s]; j < sfirst[s + 1]; j++) {
				size_t v = smem[j];
				members[cfill[comp[v]]++] = v;
			}
		}
		free(sfirst);
		free(smem);
	}
	emitted = xcalloc(ncomp ? ncomp : 1, 1);
	{
		size_t vk = 0;
		struct term **is = xmalloc(m * sizeof(*is));
		for (size_t k = 0; k < after->n && !rc; k++) {
			struct term *i = after->items[k];
			if (!is_dep_instr(i)) {
				VEC_PUSH(out, i);
				continue;
			}
			size_t c = comp[vk++];
			if (emitted[c])
				continue;
			emitted[c] = 1;
			size_t cn = cstart[c + 1] - cstart[c];
			for (size_t j = 0; j < cn; j++)
				is[j] = vs.items[members[cstart[c] + j]].instr;
			rc = dep_to_low(t, is, cn, &mod2app, before, out);
		}
		free(is);
	}
out:
	VEC_RELEASE(&vs);
	strmap_release(&byname);
	strmap_release(&mod2app);
	depgraph_release(&g);
	free(comp);
	free(scc);
	free(rank);
	free(order);
	free(tmp);
	free(cstart);
	free(cfill);
	free(members);
	free(emitted);
	return rc;
}

/* ---- final assembly (§2.8) ----------------------------------------------- */

/*
 * merge_load_object_code/1: one load_object_code per application, in the
 * order applications first appear, then the other instructions of before.
 */
static int merge_loc(struct tr *t, const tvec *before, tvec *out)
{
	tvec locs = {0};
	unsigned char *done;
	int rc = 0;

	for (size_t k = 0; k < before->n; k++)
		if (is_loc(before->items[k]))
			VEC_PUSH(&locs, before->items[k]);
	done = xcalloc(locs.n ? locs.n : 1, 1);
	for (size_t k = 0; k < locs.n && !rc; k++) {
		if (done[k])
			continue;
		struct term *x = el(locs.items[k], 1);
		struct term *lib = el(x, 0), *vsn = el(x, 1);
		tvec same = {0};
		VEC_PUSH(&same, x);
		done[k] = 1;
		/* OTP tests the later entries from the last one backwards: the
		 * conflict it reports is the last one */
		for (size_t j = locs.n; j-- > k + 1;) {
			struct term *y = el(locs.items[j], 1);
			if (!done[j] && erl_eq(el(y, 0), lib) && !erl_eq(el(y, 1), vsn)) {
				t->cur = locs.items[j];
				rc = tr_fail(t, locs.items[j],
					     term_tuplev(t->a, 4, atom(t, "conflicting_versions"), lib, vsn, el(y, 1)));
				break;
			}
		}
		for (size_t j = k + 1; j < locs.n && !rc; j++) {
			struct term *y = el(locs.items[j], 1);
			if (!done[j] && erl_eq(el(y, 0), lib)) {
				VEC_PUSH(&same, y);
				done[j] = 1;
			}
		}
		if (!rc) {
			/* union from the right: a module keeps its last position */
			struct strmap seen;
			tvec rev = {0};
			strmap_init(&seen);
			for (size_t s = same.n; s-- > 0 && !rc;) {
				struct term **v;
				size_t nv;
				size_t mark = rev.n;
				if ((rc = items_of(t, el(same.items[s], 2), &v, &nv)))
					break;
				for (size_t j = nv; j-- > 0;)
					if (!set_has(&seen, v[j]))
						VEC_PUSH(&rev, v[j]);
				for (size_t j = mark; j < rev.n; j++)
					set_add(&seen, rev.items[j]);
			}
			if (!rc) {
				struct term **ms = arena_alloc(t->a, (rev.n ? rev.n : 1) * sizeof(*ms));
				for (size_t j = 0; j < rev.n; j++)
					ms[j] = rev.items[rev.n - 1 - j];
				VEC_PUSH(out, at(tag2(t, "load_object_code",
						      term_tuplev(t->a, 3, lib, vsn, term_list(t->a, rev.n, ms))),
						 locs.items[k]));
			}
			VEC_RELEASE(&rev);
			strmap_release(&seen);
		}
		VEC_RELEASE(&same);
	}
	free(done);
	VEC_RELEASE(&locs);
	if (rc)
		return rc;
	for (size_t k = 0; k < before->n; k++)
		if (!is_loc(before->items[k]))
			VEC_PUSH(out, before->items[k]);
	return 0;
}

/* ---- the whole translation --------------------------------------------- */

int translate_scripts(struct arena *a, const struct translate_input *in,
		      struct term **out, struct term **reason, struct errbuf *err)
{
	struct term *dummy = NULL;
	struct tr t = { a, in, err, reason ? reason : &dummy, NULL };
	tvec exp = {0}, before = {0}, after = {0}, merged = {0}, after2 = {0};
	tvec after3 = {0}, before3 = {0}, final = {0};
	int rc = 0;

	*t.reason = NULL;
	*out = NULL;
	/* expand and merge (split_script of each script in turn) */
	for (size_t s = 0; s < in->nscripts && !rc; s++) {
		exp.n = 0;
		t.cur = in->scripts[s];
		if (!(rc = expand_script(&t, in->scripts[s], &exp)))
			rc = split_one(&t, &exp, &before, &after);
	}
	if (rc)
		goto out;
	for (size_t k = 0; k < before.n; k++)
		VEC_PUSH(&merged, before.items[k]);
	VEC_PUSH(&merged, atom(&t, "point_of_no_return"));
	for (size_t k = 0; k < after.n; k++)
		VEC_PUSH(&merged, after.items[k]);
	if ((rc = check_syntax(&t, &merged)))
		goto out;
	for (size_t k = 0; k < after.n; k++)
		after.items[k] = normalize_one(&t, after.items[k]);
	if ((rc = check_script(&t, &before, &after)))
		goto out;
	if ((rc = translate_apps(&t, &after, &after2)))
		goto out;
	if ((rc = translate_deps(&t, &after2, &before, &after3)))
		goto out;
	if ((rc = merge_loc(&t, &before, &before3)))
		goto out;
	/* emulator restarts */
	{
		int new_emu = 0, emu = 0;
		size_t k;
		for (k = 0; k < after3.n; k++)
			new_emu |= term_is_atom(after3.items[k], "restart_new_emulator");
		if (new_emu && in->mode == TR_UP)
			VEC_PUSH(&final, atom(&t, "restart_new_emulator"));
		for (k = 0; k < before3.n; k++)
			VEC_PUSH(&final, before3.items[k]);
		VEC_PUSH(&final, atom(&t, "point_of_no_return"));
		emu = new_emu && in->mode == TR_DN;
		for (k = 0; k < after3.n; k++) {
			struct term *i = after3.items[k];
			if (term_is_atom(i, "restart_new_emulator"))
				continue;
			if (term_is_atom(i, "restart_emulator")) {
				emu = 1;
				continue;
			}
			VEC_PUSH(&final, i);
		}
		if (emu)
			VEC_PUSH(&final, atom(&t, "restart_emulator"));
	}
	if ((rc = check_syntax(&t, &final)))
		goto out;
	*out = term_list(a, final.n, final.items);
out:
	VEC_RELEASE(&exp);
	VEC_RELEASE(&before);
	VEC_RELEASE(&after);
	VEC_RELEASE(&merged);
	VEC_RELEASE(&after2);
	VEC_RELEASE(&after3);
	VEC_RELEASE(&before3);
	VEC_RELEASE(&final);
	return rc;
}
