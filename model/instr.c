/*
 * instr.c - the instruction table expanded from instr.def, and decoding of
 * script terms into struct instr.
 *
 * Invariant: instr_table has exactly one row per enum instr_op, in enum
 * order, because both are expanded from the same instr.def.
 */
#include "instr.h"

#include <assert.h>
#include <string.h>

static const struct instr_info {
	const char *name;
	enum instr_shape shape;
	unsigned flags;
} instr_table[INSTR__COUNT] = {
#define INSTR(id, name, shape, flags) { name, shape, flags },
#include "instr.def"
#undef INSTR
};

const char *instr_name(enum instr_op op)
{
	return (unsigned)op < INSTR__COUNT ? instr_table[op].name : "?";
}

enum instr_shape instr_shape_of(enum instr_op op)
{
	return instr_table[op].shape;
}

unsigned instr_flags(enum instr_op op)
{
	return instr_table[op].flags;
}

int instr_lookup(const char *name, enum instr_op *op)
{
	for (size_t i = 0; i < INSTR__COUNT; i++) {
		if (!strcmp(instr_table[i].name, name)) {
			*op = (enum instr_op)i;
			return 0;
		}
	}
	return -1;
}

const char *purge_method_name(enum purge_method p)
{
	assert(p == PURGE_SOFT || p == PURGE_BRUTAL);
	return p == PURGE_BRUTAL ? "brutal_purge" : "soft_purge";
}

/* indexed by enum purge_method */
static const char *const purge_words[] = { "soft", "brutal", "auto" };

const char *purge_option_name(enum purge_method p)
{
	return (unsigned)p < HP_ARRAY_SIZE(purge_words) ? purge_words[p] : "soft";
}

int purge_option_lookup(const char *word, enum purge_method *out)
{
	for (size_t i = 0; word && i < HP_ARRAY_SIZE(purge_words); i++) {
		if (!strcmp(purge_words[i], word)) {
			*out = (enum purge_method)i;
			return 0;
		}
	}
	return -1;
}

/* The operands each shape expects, for messages. */
static const char *shape_usage(enum instr_op op)
{
	switch (instr_table[op].shape) {
	case SHAPE_NONE: return "a bare atom";
	case SHAPE_APP_VSN_MODS: return "{load_object_code, {App, Vsn, [Mod]}}";
	case SHAPE_MOD_PRE_POST: return "{Op, {Mod, brutal_purge|soft_purge, brutal_purge|soft_purge}}";
	case SHAPE_MODS: return "{Op, [Mod]}";
	case SHAPE_MODS_TIMEOUT: return "{suspend, [Mod | {Mod, Timeout}]}";
	case SHAPE_CODE_CHANGE: return "{code_change, [{Mod, Extra}]} or {code_change, up|down, [{Mod, Extra}]}";
	case SHAPE_SYNC_NODES: return "{sync_nodes, Id, [Node] | {M, F, A}}";
	case SHAPE_MFA: return "{apply, {M, F, Args}}";
	}
	return "?";
}

static int bad(struct errbuf *err, const char *file, const struct term *t,
	       enum instr_op op)
{
	return hp_error_at(err, HP_EINPUT, file, t->line, t->col,
			   "malformed '%s' instruction: expected %s",
			   instr_name(op), shape_usage(op));
}

static int purge_of(const struct term *t, enum purge_method *p)
{
	if (term_is_atom(t, "soft_purge"))
		*p = PURGE_SOFT;
	else if (term_is_atom(t, "brutal_purge"))
		*p = PURGE_BRUTAL;
	else
		return -1;
	return 0;
}

/* Decodes a proper list of module items: atoms, or {Mod, X} when pair is set
 * (required when pair is 2). */
static int mods_of(struct arena *a, const struct term *l, int pair,
		   struct instr_mod **out, size_t *n)
{
	if (l->type != TERM_LIST || l->u.seq.tail)
		return -1;
	size_t k = l->u.seq.n;
	struct instr_mod *m = k ? arena_zalloc(a, k * sizeof(*m)) : NULL;
	for (size_t i = 0; i < k; i++) {
		const struct term *e = l->u.seq.items[i];
		m[i].timeout = INSTR_TIMEOUT_DEFAULT;
		if (e->type == TERM_ATOM && pair != 2) {
			m[i].name = e->u.atom;
		} else if (pair && term_is_tuple(e, 2) && e->u.seq.items[0]->type == TERM_ATOM) {
			const struct term *x = e->u.seq.items[1];
			m[i].name = e->u.seq.items[0]->u.atom;
			if (pair == 2) {
				m[i].extra = x;
			} else if (x->type == TERM_INT && x->u.i >= 0 && x->u.i < (1LL << 40)) {
				m[i].timeout = (long)x->u.i;
			} else if (term_is_atom(x, "infinity")) {
				m[i].timeout = INSTR_TIMEOUT_INFINITY;
			} else if (term_is_atom(x, "default")) {
				m[i].timeout = INSTR_TIMEOUT_DEFAULT;
			} else {
				return -1;
			}
		} else {
			return -1;
		}
	}
	*out = m;
	*n = k;
	return 0;
}

int instr_decode(struct arena *a, const char *file, const struct term *t,
		 struct instr *out, struct errbuf *err)
{
	memset(out, 0, sizeof(*out));
	out->term = t;
	out->line = t->line;
	out->col = t->col;
	const char *tag = NULL;
	if (t->type == TERM_ATOM)
		tag = t->u.atom;
	else if (t->type == TERM_TUPLE && t->u.seq.n >= 1 && t->u.seq.items[0]->type == TERM_ATOM)
		tag = t->u.seq.items[0]->u.atom;
	enum instr_op op;
	if (!tag || instr_lookup(tag, &op) < 0) {
		struct strbuf sb = STRBUF_INIT;
		term_write(&sb, t);
		if (sb.len > 60) {
			sb.len = 57;
			sb_adds(&sb, "...");
		}
		hp_error_at(err, HP_EINPUT, file, t->line, t->col,
			    "unknown instruction '%s'", sb.buf);
		sb_release(&sb);
		return HP_EINPUT;
	}
	out->op = op;
	size_t arity = t->type == TERM_TUPLE ? t->u.seq.n : 0;
	struct term **it = t->type == TERM_TUPLE ? t->u.seq.items : NULL;
	const struct term *x;

	switch (instr_table[op].shape) {
	case SHAPE_NONE:
		if (t->type != TERM_ATOM)
			return bad(err, file, t, op);
		return 0;
	case SHAPE_APP_VSN_MODS:
		if (arity != 2 || !term_is_tuple(it[1], 3))
			return bad(err, file, t, op);
		x = it[1];
		if (x->u.seq.items[0]->type != TERM_ATOM ||
		    !term_is_charlist(x->u.seq.items[1]) ||
		    mods_of(a, x->u.seq.items[2], 0, &out->mods, &out->nmods) < 0)
			return bad(err, file, t, op);
		out->app = x->u.seq.items[0]->u.atom;
		out->vsn = term_charlist(a, x->u.seq.items[1]);
		return 0;
	case SHAPE_MOD_PRE_POST:
		if (arity != 2 || !term_is_tuple(it[1], 3))
			return bad(err, file, t, op);
		x = it[1];
		if (x->u.seq.items[0]->type != TERM_ATOM ||
		    purge_of(x->u.seq.items[1], &out->pre) < 0 ||
		    purge_of(x->u.seq.items[2], &out->post) < 0)
			return bad(err, file, t, op);
		out->mods = arena_zalloc(a, sizeof(*out->mods));
		out->mods[0].name = x->u.seq.items[0]->u.atom;
		out->mods[0].timeout = INSTR_TIMEOUT_DEFAULT;
		out->nmods = 1;
		return 0;
	case SHAPE_MODS:
		if (arity != 2 || mods_of(a, it[1], 0, &out->mods, &out->nmods) < 0)
			return bad(err, file, t, op);
		return 0;
	case SHAPE_MODS_TIMEOUT:
		if (arity != 2 || mods_of(a, it[1], 1, &out->mods, &out->nmods) < 0)
			return bad(err, file, t, op);
		return 0;
	case SHAPE_CODE_CHANGE:
		out->mode = CC_UP;
		if (arity == 3) {
			if (term_is_atom(it[1], "up"))
				out->mode = CC_UP;
			else if (term_is_atom(it[1], "down"))
				out->mode = CC_DOWN;
			else
				return bad(err, file, t, op);
		} else if (arity != 2) {
			return bad(err, file, t, op);
		}
		if (mods_of(a, it[arity - 1], 2, &out->mods, &out->nmods) < 0)
			return bad(err, file, t, op);
		return 0;
	case SHAPE_SYNC_NODES:
		if (arity != 3)
			return bad(err, file, t, op);
		if (!term_is_tuple(it[2], 3) && !term_is_list(it[2]))
			return bad(err, file, t, op);
		return 0;
	case SHAPE_MFA:
		if (arity != 2 || !term_is_tuple(it[1], 3))
			return bad(err, file, t, op);
		x = it[1];
		if (x->u.seq.items[0]->type != TERM_ATOM || x->u.seq.items[1]->type != TERM_ATOM ||
		    !term_is_list(x->u.seq.items[2]))
			return bad(err, file, t, op);
		out->m = x->u.seq.items[0]->u.atom;
		out->f = x->u.seq.items[1]->u.atom;
		out->args = x->u.seq.items[2];
		return 0;
	}
	return bad(err, file, t, op);
}

static int decode_list(struct arena *a, const char *file, const struct term *l,
		       struct script *out, struct errbuf *err)
{
	size_t n = l->type == TERM_STRING ? 0 : l->u.seq.n;
	if (l->type == TERM_STRING && l->u.str.len)
		return hp_error_at(err, HP_EINPUT, file, l->line, l->col,
				   "expected a list of instructions");
	out->instrs = n ? arena_zalloc(a, n * sizeof(*out->instrs)) : NULL;
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		int rc = instr_decode(a, file, l->u.seq.items[i], &out->instrs[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

int script_decode(struct arena *a, const char *file, struct term **terms, size_t n,
		  struct script *out, struct errbuf *err)
{
	memset(out, 0, sizeof(*out));
	out->file = file;
	if (n == 1 && term_is_list(terms[0]))
		return decode_list(a, file, terms[0], out, err);
	if (n == 1 && term_is_tuple(terms[0], 3) && term_is_charlist(terms[0]->u.seq.items[0]) &&
	    term_is_list(terms[0]->u.seq.items[1])) {
		const struct term *ups = terms[0]->u.seq.items[1];
		if (term_list_len(ups) == 0)
			return hp_error_at(err, HP_EINPUT, file, ups->line, ups->col,
					   "relup has no up script");
		/* A string is a list too, but of characters, not terms. */
		const struct term *first = ups->type == TERM_LIST ? term_elem(ups, 0) : NULL;
		if (!first || !term_is_tuple(first, 3) || !term_is_list(first->u.seq.items[2]))
			return hp_error_at(err, HP_EINPUT, file, first ? first->line : ups->line,
					   first ? first->col : ups->col,
					   "expected {UpFrom, Descr, Instructions} in relup");
		return decode_list(a, file, first->u.seq.items[2], out, err);
	}
	out->instrs = n ? arena_zalloc(a, n * sizeof(*out->instrs)) : NULL;
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		int rc = instr_decode(a, file, terms[i], &out->instrs[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

int script_read_file(struct arena *a, const char *path, struct script *out,
		     struct errbuf *err)
{
	struct term **terms;
	size_t n;
	int rc = term_consult_file(a, path, &terms, &n, err);
	if (rc)
		return rc;
	return script_decode(a, arena_strdup(a, path), terms, n, out, err);
}
