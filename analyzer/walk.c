/*
 * walk.c - one translation unit through libclang: parse, walk the AST once,
 * dispose, and describe the unit as per-unit facts.
 *
 * What is read, per definition (function or file-scope variable) outside
 * system headers:
 *  - the symbol: kind, linkage, signature, visibility, inline, location;
 *  - a semantic hash: the tokens of the body (or initializer) without
 *    positions, plus an AST walk (cursor kinds, names of referenced
 *    declarations, values of literals that come from macros); __LINE__ and
 *    __FILE__ contribute their names, never their values, so whitespace,
 *    comments and moved lines leave the hash alone;
 *  - its references to symbols it does not define: call, address, data, and
 *    qualified (a string literal passed to a lookup function);
 *  - its loops: whether one waits in a blocking call (directly or through a
 *    function of the unit it calls), or calls through a lookup function or
 *    a function pointer;
 *  - threads it starts (spawn calls, and hotrt_spawn's spec structures:
 *    the entry its .entry names), children of fork() that may loop
 *    (candidate entries merge keeps when they loop), and the record types
 *    of its state.
 *
 * Invariant: every CXString is copied and disposed of where it is made;
 * every create has its dispose in the same function (goto out); the
 * translation unit never outlives walk_unit(). Results are independent of
 * the order libclang visits files in, since facts_finish() sorts them.
 */
#include "analyzer_int.h"

#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>
#include <xxhash.h>

#include "fileio.h"

void unit_result_release(struct unit_result *res)
{
	facts_free(res->facts);
	sb_release(&res->errors);
	for (size_t i = 0; i < res->ndeps; i++)
		free(res->deps[i]);
	free(res->deps);
	memset(res, 0, sizeof(*res));
}

/* ---- per-unit state ------------------------------------------------------------ */

/* A reference made by a definition. */
struct rawref {
	const char *symbol;
	unsigned kind;
	int internal;       /* the target has internal linkage */
	struct loc loc;
	size_t from;        /* index of the referring definition */
};

/* A direct call made inside a loop to a function (maybe of this unit). */
struct loopcall {
	const char *callee;
	struct loc loc;
	size_t from;
};

struct spawn {
	const char *function;
	const char *spawner;
	size_t from;
	struct loc loc;
};

struct def {
	struct symbol sym;
	int in_main;             /* defined in the unit's main file */
	int emits;               /* has an external definition here (export) */
	int keep;                /* reported (main file, or used header code) */
	int is_inline_only;      /* C99 inline definition: emits nothing */
	const char *direct_blocking; /* first blocking call in its body */
	const char *loop_blocking;   /* first blocking call inside a loop */
	struct loc loop_blocking_loc;
	int loop_qualified;
	CXType type;             /* for state types */
};

struct file_name {
	CXFile file;
	const char *name;        /* relative to the source root, in the facts arena */
	const char *buf;         /* contents (libclang's buffer) */
	size_t size;
};

struct walk {
	CXTranslationUnit tu;
	const struct hp_config *cfg;
	const struct unit_list *ul;
	const struct unit *u;
	struct facts *f;
	XXH3_state_t *hs;
	VEC(struct def) defs;
	VEC(struct rawref) refs;
	VEC(struct loopcall) loopcalls;
	VEC(struct spawn) spawns;
	VEC(CXType) state_roots;
	VEC(struct file_name) files;
	size_t last_file;            /* index of the last file_info() hit */
	struct strmap def_by_name;   /* name -> def index + 1 */
	struct strmap c99_external;  /* inline function names with an external declaration */
	/* the definition being walked */
	size_t cur;
	unsigned loop_depth;
	int body_forks;              /* its tokens name fork: look for a child */
	VEC(CXCursor) fork_vars;     /* variables holding fork()'s value now */
};

static char *cx_take(struct arena *a, CXString s)
{
	const char *c = clang_getCString(s);
	char *r = arena_strdup(a, c ? c : "");
	clang_disposeString(s);
	return r;
}


static struct file_name *file_info(struct walk *w, CXFile file)
{
	/* most lookups repeat the previous file: try it first */
	if (w->last_file < w->files.n && w->files.items[w->last_file].file == file)
		return &w->files.items[w->last_file];
	for (size_t i = w->files.n; i-- > 0;) {
		if (clang_File_isEqual(w->files.items[i].file, file)) {
			w->last_file = i;
			return &w->files.items[i];
		}
	}
	struct file_name fn = { .file = file };
	CXString s = clang_File_tryGetRealPathName(file);
	const char *real = clang_getCString(s);
	if (!real || !*real) {
		clang_disposeString(s);
		s = clang_getFileName(file);
		real = clang_getCString(s);
	}
	fn.name = arena_strdup(&w->f->arena,
			       units_relpath(NULL, w->ul->src_root, real ? real : ""));
	clang_disposeString(s);
	fn.buf = clang_getFileContents(w->tu, file, &fn.size);
	VEC_PUSH(&w->files, fn);
	w->last_file = w->files.n - 1;
	return &w->files.items[w->last_file];
}

/* The expansion location of a cursor: where it is in the file as written. */
static struct loc cursor_loc(struct walk *w, CXCursor c, unsigned *offset,
			     struct file_name **fnp)
{
	struct loc l = { 0 };
	CXFile file;
	unsigned line, col, off;
	clang_getExpansionLocation(clang_getCursorLocation(c), &file, &line, &col, &off);
	if (offset)
		*offset = off;
	if (fnp)
		*fnp = NULL;
	if (!file)
		return l;
	struct file_name *fn = file_info(w, file);
	if (fnp)
		*fnp = fn;
	l.file = fn->name;
	l.line = line;
	l.col = col;
	return l;
}

static void hash_bytes(struct walk *w, const void *p, size_t n)
{
	XXH3_64bits_update(w->hs, p, n);
}

static void hash_str(struct walk *w, const char *s)
{
	hash_bytes(w, s, strlen(s) + 1);
}

static void hash_u32(struct walk *w, unsigned v)
{
	hash_bytes(w, &v, sizeof(v));
}

/* Replaces "(anonymous at file:line:col)" and the like, so spellings of
 * unnamed types do not depend on where they are written. */
static const char *type_clean(struct arena *a, const char *s)
{
	const char *p = strstr(s, " at ");
	if (!p || !strchr(s, '('))
		return s;
	struct strbuf sb = STRBUF_INIT;
	while (*s) {
		const char *open = strchr(s, '(');
		if (!open) {
			sb_adds(&sb, s);
			break;
		}
		const char *close = strchr(open, ')');
		const char *at = strstr(open, " at ");
		if (close && at && at < close &&
		    (!strncmp(open, "(anonymous", 10) || !strncmp(open, "(unnamed", 8))) {
			sb_add(&sb, s, (size_t)(at - s));
			sb_addc(&sb, ')');
			s = close + 1;
		} else {
			sb_add(&sb, s, (size_t)(open - s) + 1);
			s = open + 1;
		}
	}
	char *r = arena_strdup(a, sb.buf);
	sb_release(&sb);
	return r;
}

static const char *type_spelling(struct walk *w, CXType t)
{
	return type_clean(&w->f->arena, cx_take(&w->f->arena, clang_getTypeSpelling(t)));
}

/* ---- hashing tokens ------------------------------------------------------------- */

/* Hashes the tokens of a range: kinds and spellings, no positions. */
static void hash_tokens(struct walk *w, CXSourceRange range)
{
	CXToken *toks = NULL;
	unsigned n = 0;
	clang_tokenize(w->tu, range, &toks, &n);
	for (unsigned i = 0; i < n; i++) {
		CXTokenKind k = clang_getTokenKind(toks[i]);
		if (k == CXToken_Comment)
			continue;
		CXString s = clang_getTokenSpelling(w->tu, toks[i]);
		const char *c = clang_getCString(s);
		hash_u32(w, (unsigned)k);
		hash_str(w, c ? c : "");
		if (k == CXToken_Identifier && c && !strcmp(c, FORK_SPAWNER))
			w->body_forks = 1;
		clang_disposeString(s);
	}
	if (toks)
		clang_disposeTokens(w->tu, toks, n);
}

static const char *const position_macros[] = {
	"__LINE__", "__FILE__", "__BASE_FILE__", "__FILE_NAME__", "__DATE__", "__TIME__",
	"__TIMESTAMP__", "__COUNTER__",
};

/*
 * A literal written in the source is covered by the token hash. One that
 * comes out of a macro is hashed by value, except that values made by the
 * position macros hash as the macro's name: an integer equal to the line of
 * its expansion, or a string naming the file.
 */
static void hash_literal(struct walk *w, CXCursor c)
{
	/* where its text is: the literal itself when it was written in the
	 * function (directly or as a macro argument), else the name of the
	 * macro whose body made it */
	CXFile sfile;
	unsigned off;
	clang_getSpellingLocation(clang_getCursorLocation(c), &sfile, NULL, NULL, &off);
	struct file_name *fn = sfile ? file_info(w, sfile) : NULL;
	struct loc l = cursor_loc(w, c, NULL, NULL);
	if (!fn || !fn->buf || off >= fn->size || !l.file)
		return;
	char ch = fn->buf[off];
	if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
		return; /* written as a literal: the tokens have it */
	size_t e = off;
	while (e < fn->size && (fn->buf[e] == '_' || (fn->buf[e] >= 'a' && fn->buf[e] <= 'z') ||
				(fn->buf[e] >= 'A' && fn->buf[e] <= 'Z') ||
				(fn->buf[e] >= '0' && fn->buf[e] <= '9')))
		e++;
	char name[64];
	size_t nl = e - off < sizeof(name) - 1 ? e - off : sizeof(name) - 1;
	memcpy(name, fn->buf + off, nl);
	name[nl] = '\0';
	for (size_t i = 0; i < HP_ARRAY_SIZE(position_macros); i++) {
		if (!strcmp(name, position_macros[i])) {
			hash_str(w, name);
			return;
		}
	}
	enum CXCursorKind k = clang_getCursorKind(c);
	if (k == CXCursor_StringLiteral) {
		CXString s = clang_getCursorSpelling(c);
		const char *v = clang_getCString(s);
		const char *base = strrchr(l.file, '/');
		base = base ? base + 1 : l.file;
		size_t vl = v ? strlen(v) : 0, bl = strlen(base);
		if (vl >= bl + 2 && !strncmp(v + vl - 1 - bl, base, bl) && v[vl - 1] == '"')
			hash_str(w, "__FILE__");
		else
			hash_str(w, v ? v : "");
		clang_disposeString(s);
		return;
	}
	CXEvalResult ev = clang_Cursor_Evaluate(c);
	if (!ev)
		return;
	CXEvalResultKind ek = clang_EvalResult_getKind(ev);
	if (ek == CXEval_Int) {
		long long v = clang_EvalResult_getAsLongLong(ev);
		CXSourceRange r = clang_getCursorExtent(c);
		unsigned l0, l1;
		clang_getExpansionLocation(clang_getRangeStart(r), NULL, &l0, NULL, NULL);
		clang_getExpansionLocation(clang_getRangeEnd(r), NULL, &l1, NULL, NULL);
		if (v >= (long long)l0 && v <= (long long)l1 && v > 0)
			hash_str(w, "__LINE__");
		else
			hash_bytes(w, &v, sizeof(v));
	} else if (ek == CXEval_Float) {
		double d = clang_EvalResult_getAsDouble(ev);
		hash_bytes(w, &d, sizeof(d));
	}
	clang_EvalResult_dispose(ev);
}

/* ---- references ------------------------------------------------------------------ */

static void add_ref(struct walk *w, const char *name, unsigned kind, int internal, CXCursor at)
{
	struct rawref r = { name, kind, internal, cursor_loc(w, at, NULL, NULL), w->cur };
	VEC_PUSH(&w->refs, r);
}

/* Finds a reference to a function under c (through casts and '&'). */
static enum CXChildVisitResult find_fn_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	CXCursor *out = d;
	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
		CXCursor r = clang_getCursorReferenced(c);
		if (clang_getCursorKind(r) == CXCursor_FunctionDecl) {
			*out = r;
			return CXChildVisit_Break;
		}
	}
	return CXChildVisit_Recurse;
}

static CXCursor find_fn_ref(CXCursor c)
{
	CXCursor out = clang_getNullCursor();
	if (find_fn_visit(c, c, &out) == CXChildVisit_Break)
		return out;
	clang_visitChildren(c, find_fn_visit, &out);
	return out;
}

static enum CXChildVisitResult find_str_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_StringLiteral) {
		*(CXCursor *)d = c;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

/* The contents of a plain string literal argument, or NULL. */
static const char *string_arg(struct walk *w, CXCursor arg)
{
	CXCursor s = clang_getNullCursor();
	if (clang_getCursorKind(arg) == CXCursor_StringLiteral)
		s = arg;
	else
		clang_visitChildren(arg, find_str_visit, &s);
	if (clang_Cursor_isNull(s))
		return NULL;
	char *lit = cx_take(&w->f->arena, clang_getCursorSpelling(s));
	size_t n = strlen(lit);
	if (n < 2 || lit[0] != '"' || lit[n - 1] != '"' || strchr(lit, '\\'))
		return NULL;
	lit[n - 1] = '\0';
	return lit + 1;
}

static int is_global_var(CXCursor r)
{
	if (clang_getCursorKind(r) != CXCursor_VarDecl)
		return 0;
	enum CXLinkageKind lk = clang_getCursorLinkage(r);
	return lk == CXLinkage_External || lk == CXLinkage_Internal;
}

/* ---- the AST walk ---------------------------------------------------------------- */

/*
 * The context an expression is walked in. A function named where the value
 * is called is a call, wherever the name sits in the callee: (f)(x),
 * (*f)(x), (c ? f : g)(x), (a, f)(x), ((T)f)(x), _Generic(...)(x). A
 * function named where the value is thrown away (left of a comma in a
 * callee) or never computed (under a constant sizeof, in the controlling
 * expression or an unselected association of _Generic, in the dead arm of a
 * ?: whose condition is constant) is no reference: the compiler emits none,
 * even at -O0. Anywhere else, naming a function takes its address. The hash
 * sees every node whatever the context.
 */
struct visit {
	struct walk *w;
	int callee;      /* the value is called */
	int addr;        /* under a unary '&' */
	int discard;     /* the value is thrown away */
	int unevaluated; /* the value is never computed */
	unsigned depth;  /* recursion depth of the walk */
};

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data);

/*
 * How deep the walk recurses on its own (it keeps context: loops, callee,
 * '&'); below that, libclang walks the rest with its own work list, without
 * recursion, and each cursor is seen without context. Only expressions deeper
 * than this (a + a + ... thousands of times) get there.
 */
#define VISIT_MAX_DEPTH 2048

struct children {
	CXCursor items[64];
	unsigned n;
};

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent, CXClientData d)
{
	struct children *ch = d;
	(void)parent;
	if (ch->n < HP_ARRAY_SIZE(ch->items))
		ch->items[ch->n++] = c;
	return CXChildVisit_Continue;
}

/* Whether a unary operator cursor is '&' (read from the file as written). */
static int is_address_of(struct walk *w, CXCursor c)
{
	unsigned off;
	struct file_name *fn;
	cursor_loc(w, c, &off, &fn);
	return fn && fn->buf && off + 1 < fn->size && fn->buf[off] == '&' && fn->buf[off + 1] != '&';
}

static enum CXChildVisitResult find_var_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	(void)d;
	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
		enum CXCursorKind rk = clang_getCursorKind(clang_getCursorReferenced(c));
		if (rk == CXCursor_VarDecl || rk == CXCursor_ParmDecl)
			return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

/*
 * The arm of a ?: that is never evaluated: child 2 (bit 2) when the
 * condition is a nonzero constant, child 1 (bit 1) when it is zero, else
 * none. A condition that reads a variable is not taken as constant even
 * when libclang can fold it (a const int): gcc does not fold it at -O0.
 */
static uint64_t dead_arm(CXCursor c)
{
	struct children ch = { .n = 0 };
	clang_visitChildren(c, collect_child, &ch);
	if (ch.n != 3 || find_var_visit(ch.items[0], c, NULL) == CXChildVisit_Break ||
	    clang_visitChildren(ch.items[0], find_var_visit, NULL))
		return 0;
	CXEvalResult ev = clang_Cursor_Evaluate(ch.items[0]);
	if (!ev)
		return 0;
	uint64_t dead = 0;
	if (clang_EvalResult_getKind(ev) == CXEval_Int)
		dead = clang_EvalResult_getAsLongLong(ev) ? 1u << 2 : 1u << 1;
	clang_EvalResult_dispose(ev);
	return dead;
}

/* Appends n bytes of C text, keeping a space only between two word characters. */
static void add_squeezed(struct strbuf *sb, const char *s, size_t n)
{
	int space = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int word = ch == '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			   (ch >= 'A' && ch <= 'Z');
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = 1;
			continue;
		}
		char prev = sb->len ? sb->buf[sb->len - 1] : ' ';
		if (space && word && (prev == '_' || (prev >= '0' && prev <= '9') ||
				      (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z')))
			sb_addc(sb, ' ');
		sb_addc(sb, ch);
		space = 0;
	}
}

/*
 * The type name of the _Generic association whose expression is e, as
 * written ("type-name : e"), squeezed into sb; sb stays empty when it
 * cannot be read where e is written (e comes out of a macro's body).
 */
static void generic_type_name(struct walk *w, CXCursor e, struct strbuf *sb)
{
	CXFile file;
	unsigned off;
	clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(e)), &file, NULL, NULL,
				  &off);
	struct file_name *fn = file ? file_info(w, file) : NULL;
	if (!fn || !fn->buf || off > fn->size)
		return;
	const char *b = fn->buf;
	size_t end = off;
	while (end > 0 && (b[end - 1] == ' ' || b[end - 1] == '\t' || b[end - 1] == '\n'))
		end--;
	if (end == 0 || b[end - 1] != ':')
		return;
	size_t start = --end;
	int depth = 0;
	for (; start > 0; start--) {
		char ch = b[start - 1];
		if (ch == ')' || ch == ']')
			depth++;
		else if ((ch == '(' || ch == '[') && depth-- == 0)
			break;
		else if ((ch == ',' || ch == ';' || ch == '{' || ch == '}') && depth == 0)
			break;
	}
	add_squeezed(sb, b + start, end - start);
}

/*
 * The children of a _Generic that are never evaluated: the controlling
 * expression (bit 0) and every association but the selected one. libclang
 * does not say which is selected. It is one whose expression has the type
 * of the whole (C11 6.5.1.1p3); when several have it, the one whose type
 * name is written as libclang spells the controlling expression's type (or
 * its canonical type). When that still leaves several, each of them counts
 * as evaluated: an extra edge orders an upgrade more cautiously, a missing
 * one breaks it. Past 63 associations everything counts as evaluated.
 */
static uint64_t generic_unselected(struct walk *w, CXCursor c)
{
	struct children ch = { .n = 0 };
	clang_visitChildren(c, collect_child, &ch);
	if (ch.n < 2 || ch.n >= 64)
		return ch.n ? 1 : 0;
	CXType whole = clang_getCanonicalType(clang_getCursorType(c));
	uint64_t same = 0;
	unsigned nsame = 0;
	for (unsigned i = 1; i < ch.n; i++) {
		if (clang_equalTypes(whole, clang_getCanonicalType(clang_getCursorType(ch.items[i])))) {
			same |= (uint64_t)1 << i;
			nsame++;
		}
	}
	if (nsame > 1) {
		struct strbuf want = STRBUF_INIT, canon = STRBUF_INIT, name = STRBUF_INIT;
		CXType t = clang_getCursorType(ch.items[0]);
		const char *ts = type_spelling(w, t), *cs = type_spelling(w, clang_getCanonicalType(t));
		add_squeezed(&want, ts, strlen(ts));
		add_squeezed(&canon, cs, strlen(cs));
		uint64_t named = 0;
		for (unsigned i = 1; i < ch.n; i++) {
			if (!(same >> i & 1))
				continue;
			sb_reset(&name);
			generic_type_name(w, ch.items[i], &name);
			if (name.len && (!strcmp(name.buf, want.buf) || !strcmp(name.buf, canon.buf)))
				named |= (uint64_t)1 << i;
		}
		if (named)
			same = named;
		sb_release(&want);
		sb_release(&canon);
		sb_release(&name);
	}
	return same ? ~same : 1;
}

/* The children of a node: how each is reached. */
struct child_visit {
	struct visit parent;     /* the node's own context */
	enum CXCursorKind kind;  /* the node's kind */
	int address_of;          /* the node is a unary '&' */
	uint64_t dead;           /* children never evaluated, by index (63: and after) */
	unsigned i;              /* index of the next child */
};

static void child_visit_init(struct child_visit *cv, const struct visit *v, CXCursor c,
			     enum CXCursorKind k, int constant)
{
	cv->parent = *v;
	cv->kind = k;
	cv->address_of = k == CXCursor_UnaryOperator && is_address_of(v->w, c);
	cv->dead = constant ? ~(uint64_t)0
		 : k == CXCursor_ConditionalOperator ? dead_arm(c)
		 : k == CXCursor_GenericSelectionExpr ? generic_unselected(v->w, c) : 0;
	cv->i = 0;
}

/* The context of the next child of a node. */
static struct visit child_context(struct child_visit *cv)
{
	const struct visit *p = &cv->parent;
	unsigned i = cv->i++;
	struct visit m = { p->w, 0, 0, 0, p->unevaluated, p->depth + 1 };
	int through = 0; /* the node's value is this child's value */
	switch (cv->kind) {
	case CXCursor_CallExpr:
		m.callee = i == 0;
		break;
	case CXCursor_UnexposedExpr: /* implicit conversions */
	case CXCursor_ParenExpr:
	case CXCursor_CStyleCastExpr:
	case CXCursor_GenericSelectionExpr: /* the selected association */
		through = 1;
		break;
	case CXCursor_UnaryOperator: /* &f and *f designate f */
		through = 1;
		m.addr = cv->address_of;
		break;
	case CXCursor_ConditionalOperator:
		through = i > 0;
		break;
	case CXCursor_BinaryOperator:
		/* a called (a, f) or (p = f) calls what its right side names;
		 * a function named left of the comma is thrown away */
		m.callee = p->callee && i == 1;
		m.discard = p->callee && i == 0;
		break;
	default:
		break;
	}
	if (through) {
		m.callee = p->callee;
		m.discard = p->discard;
	}
	if (cv->dead >> (i < 63 ? i : 63) & 1)
		m.unevaluated = 1;
	return m;
}

/* What a call's callee names: how many functions, and one of them. */
struct callee_scan {
	struct child_visit cv;
	unsigned *n;
	CXCursor *fn;
};

static enum CXChildVisitResult callee_scan_child(CXCursor c, CXCursor parent, CXClientData data)
{
	struct callee_scan *s = data;
	struct visit m = child_context(&s->cv);
	enum CXCursorKind k = clang_getCursorKind(c);
	(void)parent;
	if (!m.callee || m.unevaluated || m.discard || m.depth > 64)
		return CXChildVisit_Continue;
	if (k == CXCursor_DeclRefExpr) {
		CXCursor r = clang_getCursorReferenced(c);
		if (clang_getCursorKind(r) == CXCursor_FunctionDecl) {
			++*s->n;
			*s->fn = r;
		}
	} else if (k != CXCursor_CallExpr) {
		struct callee_scan sub = { .n = s->n, .fn = s->fn };
		child_visit_init(&sub.cv, &m, c, k, 0);
		clang_visitChildren(c, callee_scan_child, &sub);
	}
	return CXChildVisit_Continue;
}

/*
 * The function a call calls by name, through whatever shape its callee has
 * (the walk of the callee records the references themselves). Returns how
 * many functions the callee names where its value is called (two for
 * (c ? f : g)(x), none for a call through a pointer), and sets *fn when one.
 */
static unsigned callee_function(const struct visit *v, CXCursor call, CXCursor *fn)
{
	*fn = clang_getCursorReferenced(call);
	if (clang_getCursorKind(*fn) == CXCursor_FunctionDecl)
		return 1;
	unsigned n = 0;
	struct callee_scan s = { .n = &n, .fn = fn };
	child_visit_init(&s.cv, v, call, CXCursor_CallExpr, 0);
	clang_visitChildren(call, callee_scan_child, &s);
	if (n != 1)
		*fn = clang_getNullCursor();
	return n;
}

/* ---- spawn specs (hotrt_spawn) ------------------------------------------------------ */

/*
 * A spawner of the spec shape (config_spawn_spec_arg) names its entry in a
 * structure: `&(struct hotrt_spawn){ .module = "M", .entry = "f", ... }`,
 * or `&spec` where the variable spec is defined with such an initializer
 * list. The fields are read by designator, or by position (the i-th field
 * of the struct) while no designator came before. Only string literals
 * count. NEEDSWORK: a field assigned after the definition, a spec reached
 * through a pointer or an array element, and .sys/.sup/.restart (the facts
 * have no place for them yet) are not read.
 */
struct spec_scan {
	struct walk *w;
	CXCursor fields[16];     /* the struct's fields, in order */
	unsigned nfields;
	unsigned pos;            /* next positional field */
	int designated;          /* a designator came before */
	const char *module, *entry;
};

static enum CXVisitorResult spec_field_visit(CXCursor c, CXClientData d)
{
	struct spec_scan *s = d;
	if (s->nfields == HP_ARRAY_SIZE(s->fields))
		return CXVisit_Break;
	s->fields[s->nfields++] = c;
	return CXVisit_Continue;
}

static enum CXChildVisitResult spec_init_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	struct spec_scan *s = d;
	struct children ch = { .n = 0 };
	CXCursor value = c, field = clang_getNullCursor();
	(void)parent;
	clang_visitChildren(c, collect_child, &ch);
	if (ch.n >= 2 && clang_getCursorKind(ch.items[0]) == CXCursor_MemberRef) {
		field = clang_getCursorReferenced(ch.items[0]);
		value = ch.items[ch.n - 1];
		s->designated = 1;
	} else if (!s->designated && s->pos < s->nfields) {
		field = s->fields[s->pos++];
	}
	if (clang_Cursor_isNull(field))
		return CXChildVisit_Continue;
	char *name = cx_take(&s->w->f->arena, clang_getCursorSpelling(field));
	if (!strcmp(name, "module"))
		s->module = string_arg(s->w, value);
	else if (!strcmp(name, "entry"))
		s->entry = string_arg(s->w, value);
	return CXChildVisit_Continue;
}

struct kind_find {
	enum CXCursorKind kind;
	CXCursor found;          /* null until one is found */
};

static enum CXChildVisitResult find_kind_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	struct kind_find *q = d;
	(void)parent;
	if (clang_getCursorKind(c) == q->kind) {
		q->found = c;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

/* The first cursor of kind k under c (c itself included), or a null cursor. */
static CXCursor find_kind(CXCursor c, enum CXCursorKind k)
{
	struct kind_find q = { k, clang_getNullCursor() };
	if (clang_getCursorKind(c) == k)
		return c;
	clang_visitChildren(c, find_kind_visit, &q);
	return q.found;
}

/* The initializer list a spec argument points at, or a null cursor. */
static CXCursor spec_init_list(CXCursor arg)
{
	CXCursor list = find_kind(arg, CXCursor_InitListExpr);
	if (!clang_Cursor_isNull(list))
		return list;
	CXCursor ref = find_kind(arg, CXCursor_DeclRefExpr);
	if (clang_Cursor_isNull(ref))
		return ref;
	CXCursor var = clang_getCursorDefinition(clang_getCursorReferenced(ref));
	if (clang_getCursorKind(var) != CXCursor_VarDecl)
		return clang_getNullCursor();
	return find_kind(var, CXCursor_InitListExpr);
}

/* Records the process a spec spawner starts (entry module:entry). */
static void on_spawn_spec(struct walk *w, CXCursor call, const char *spawner, CXCursor arg)
{
	CXCursor list = spec_init_list(arg);
	if (clang_Cursor_isNull(list))
		return;
	struct spec_scan s = { .w = w };
	clang_Type_visitFields(clang_getCanonicalType(clang_getCursorType(list)),
			       spec_field_visit, &s);
	clang_visitChildren(list, spec_init_visit, &s);
	if (!s.entry)
		return;
	if (s.module)
		hash_str(w, s.module);
	struct spawn sp = { s.entry, spawner, w->cur, cursor_loc(w, call, NULL, NULL) };
	VEC_PUSH(&w->spawns, sp);
}

static void on_call(struct walk *w, CXCursor c, const struct visit *v)
{
	struct def *d = &w->defs.items[w->cur];
	CXCursor fn;
	unsigned named = callee_function(v, c, &fn);
	const char *name = NULL;
	if (!clang_Cursor_isNull(fn)) {
		name = cx_take(&w->f->arena, clang_getCursorSpelling(fn));
		hash_str(w, name);
		if (!strncmp(name, "__builtin", 9))
			name = NULL;
	}
	if (v->unevaluated)
		return;
	if (!name) {
		/* through a function pointer: the export table, at run time */
		if (!named && w->loop_depth)
			d->loop_qualified = 1;
		return;
	}
	if (config_is_blocking(w->cfg, name)) {
		if (!d->direct_blocking)
			d->direct_blocking = name;
		if (w->loop_depth && !d->loop_blocking) {
			d->loop_blocking = name;
			d->loop_blocking_loc = cursor_loc(w, c, NULL, NULL);
		}
	} else if (w->loop_depth) {
		struct loopcall lc = { name, cursor_loc(w, c, NULL, NULL), w->cur };
		VEC_PUSH(&w->loopcalls, lc);
	}
	int nargs = clang_Cursor_getNumArguments(c);
	if (config_is_lookup(w->cfg, name)) {
		if (w->loop_depth)
			d->loop_qualified = 1;
		for (int i = nargs - 1; i >= 0; i--) {
			const char *sym = string_arg(w, clang_Cursor_getArgument(c, (unsigned)i));
			if (sym) {
				hash_str(w, sym);
				add_ref(w, sym, REF_QUALIFIED, 0, c);
				break;
			}
		}
	}
	unsigned arg = config_spawn_arg(w->cfg, name);
	if (arg && (int)arg <= nargs) {
		CXCursor r = find_fn_ref(clang_Cursor_getArgument(c, arg - 1));
		if (!clang_Cursor_isNull(r)) {
			struct spawn s = { cx_take(&w->f->arena, clang_getCursorSpelling(r)),
					   name, w->cur, cursor_loc(w, c, NULL, NULL) };
			VEC_PUSH(&w->spawns, s);
		}
	}
	arg = config_spawn_spec_arg(w->cfg, name);
	if (arg && (int)arg <= nargs)
		on_spawn_spec(w, c, name, clang_Cursor_getArgument(c, arg - 1));
}

static void on_declref(struct walk *w, CXCursor c, const struct visit *v)
{
	CXCursor r = clang_getCursorReferenced(c);
	enum CXCursorKind rk = clang_getCursorKind(r);
	if (rk == CXCursor_FunctionDecl) {
		char *name = cx_take(&w->f->arena, clang_getCursorSpelling(r));
		hash_str(w, name);
		if (!v->unevaluated && !v->discard && strncmp(name, "__builtin", 9))
			add_ref(w, name, v->callee ? REF_CALL : REF_ADDRESS,
				clang_getCursorLinkage(r) == CXLinkage_Internal, c);
	} else if (is_global_var(r)) {
		char *name = cx_take(&w->f->arena, clang_getCursorSpelling(r));
		hash_str(w, name);
		if (!v->unevaluated)
			add_ref(w, name, v->addr ? REF_ADDRESS : REF_DATA,
				clang_getCursorLinkage(r) == CXLinkage_Internal, c);
	} else if (rk == CXCursor_EnumConstantDecl) {
		long long val = clang_getEnumConstantDeclValue(r);
		hash_bytes(w, &val, sizeof(val));
	}
}

/* ---- forked children -------------------------------------------------------------- */

/*
 * The child of a fork() that enters a loop is a process, as a thread is.
 * Its branch is where the function tests fork's value: the then-branch of
 * `if (pid == 0)`, `if (0 == pid)` and `if (!pid)`; the else-branch of
 * `if (pid)`, `if (pid != 0)` and `if (pid > 0)`; the statements from
 * `case 0:` of a `switch` on it up to the next label or break. The value
 * tested is fork()'s own, `(pid = fork())`, or a variable of the function
 * whose last assignment before the test (in the order of the text) stored
 * it. vfork() is not taken: its child may only call _exit() or an exec
 * function (POSIX), so it never runs the program's loops; posix_spawn()
 * execs.
 *
 * Each function the branch calls by name and that is not declared in a
 * system header is a candidate entry (FORK_SPAWNER, analyzer_int.h); a loop
 * written in the branch itself makes the forking function one. The test
 * statement is the candidates' location, which merge uses to group them.
 * NEEDSWORK: a child that is the rest of the block after `if (pid > 0)
 * continue;`, and loops two calls deep, are not seen; neither is a fork()
 * written through a macro whose name is not "fork".
 */

static int cursor_is_named(CXCursor c, const char *name)
{
	CXString s = clang_getCursorSpelling(c);
	const char *p = clang_getCString(s);
	int r = p && !strcmp(p, name);
	clang_disposeString(s);
	return r;
}

/* The expression under parentheses, implicit conversions and casts. */
static CXCursor strip_expr(CXCursor c)
{
	for (int guard = 0; guard < 64; guard++) {
		enum CXCursorKind k = clang_getCursorKind(c);
		if (k != CXCursor_UnexposedExpr && k != CXCursor_ParenExpr &&
		    k != CXCursor_CStyleCastExpr)
			break;
		struct children ch = { .n = 0 };
		clang_visitChildren(c, collect_child, &ch);
		if (!ch.n)
			break;
		c = ch.items[ch.n - 1];
	}
	return c;
}

/* The operator written after the left operand lhs ("==", "!=", ">", "="),
 * or "" when the text there cannot be read as one (inside a macro). */
static void binary_op(struct walk *w, CXCursor lhs, char op[3])
{
	CXFile file;
	unsigned off;
	op[0] = '\0';
	clang_getExpansionLocation(clang_getRangeEnd(clang_getCursorExtent(lhs)), &file, NULL, NULL,
				   &off);
	struct file_name *fn = file ? file_info(w, file) : NULL;
	if (!fn || !fn->buf)
		return;
	while (off < fn->size && (fn->buf[off] == ' ' || fn->buf[off] == '\t' || fn->buf[off] == '\n'))
		off++;
	size_t n = 0;
	while (n < 2 && off + n < fn->size && strchr("=!<>", fn->buf[off + n]))
		n++;
	memcpy(op, fn->buf + off, n);
	op[n] = '\0';
}

static int is_zero(CXCursor c)
{
	CXEvalResult ev = clang_Cursor_Evaluate(c);
	int zero = 0;
	if (ev) {
		zero = clang_EvalResult_getKind(ev) == CXEval_Int &&
		       clang_EvalResult_getAsLongLong(ev) == 0;
		clang_EvalResult_dispose(ev);
	}
	return zero;
}

static int fork_var_index(struct walk *w, CXCursor var)
{
	for (size_t i = 0; i < w->fork_vars.n; i++)
		if (clang_equalCursors(w->fork_vars.items[i], var))
			return (int)i;
	return -1;
}

/* Records that var now holds fork()'s value (is_fork) or something else. */
static void fork_var_set(struct walk *w, CXCursor var, int is_fork)
{
	if (clang_getCursorKind(var) != CXCursor_VarDecl)
		return;
	int i = fork_var_index(w, var);
	if (is_fork && i < 0)
		VEC_PUSH(&w->fork_vars, var);
	else if (!is_fork && i >= 0)
		w->fork_vars.items[i] = w->fork_vars.items[--w->fork_vars.n];
}

/* Whether the value of e is what fork() returned. */
static int fork_value(struct walk *w, CXCursor e)
{
	e = strip_expr(e);
	switch (clang_getCursorKind(e)) {
	case CXCursor_CallExpr: {
		CXCursor r = clang_getCursorReferenced(e);
		return clang_getCursorKind(r) == CXCursor_FunctionDecl &&
		       cursor_is_named(r, FORK_SPAWNER);
	}
	case CXCursor_BinaryOperator: {
		struct children ch = { .n = 0 };
		char op[3];
		clang_visitChildren(e, collect_child, &ch);
		if (ch.n != 2)
			return 0;
		binary_op(w, ch.items[0], op);
		return !strcmp(op, "=") && fork_value(w, ch.items[1]);
	}
	case CXCursor_DeclRefExpr:
		return fork_var_index(w, clang_getCursorReferenced(e)) >= 0;
	default:
		return 0;
	}
}

/* Which branch of an if on cond the child takes: 1 then, 2 else, 0 cond
 * does not tell the child from the parent. */
static int fork_branch(struct walk *w, CXCursor cond)
{
	cond = strip_expr(cond);
	if (fork_value(w, cond))
		return 2;
	enum CXCursorKind k = clang_getCursorKind(cond);
	struct children ch = { .n = 0 };
	clang_visitChildren(cond, collect_child, &ch);
	if (k == CXCursor_UnaryOperator && ch.n == 1) {
		unsigned off;
		struct file_name *fn;
		cursor_loc(w, cond, &off, &fn);
		return fn && fn->buf && off < fn->size && fn->buf[off] == '!' &&
		       fork_value(w, ch.items[0]);
	}
	if (k != CXCursor_BinaryOperator || ch.n != 2)
		return 0;
	char op[3];
	binary_op(w, ch.items[0], op);
	int left = fork_value(w, ch.items[0]) && is_zero(ch.items[1]);
	int right = !left && fork_value(w, ch.items[1]) && is_zero(ch.items[0]);
	if (!left && !right)
		return 0;
	if (!strcmp(op, "=="))
		return 1;
	if (!strcmp(op, "!=") || !strcmp(op, left ? ">" : "<"))
		return 2;
	return 0;
}

/* What a child's branch does: whether it loops, what it calls by name. */
struct fork_scan {
	struct walk *w;
	int loop;
	VEC(const char *) calls;
};

static enum CXChildVisitResult fork_scan_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	struct fork_scan *s = d;
	enum CXCursorKind k = clang_getCursorKind(c);
	(void)parent;
	if (k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_DoStmt) {
		s->loop = 1;
	} else if (k == CXCursor_CallExpr) {
		CXCursor r = clang_getCursorReferenced(c);
		if (clang_getCursorKind(r) != CXCursor_FunctionDecl ||
		    clang_Location_isInSystemHeader(clang_getCursorLocation(r)))
			return CXChildVisit_Recurse;
		const char *name = cx_take(&s->w->f->arena, clang_getCursorSpelling(r));
		for (size_t i = 0; i < s->calls.n; i++)
			if (!strcmp(s->calls.items[i], name))
				return CXChildVisit_Recurse;
		if (strncmp(name, "__builtin", 9))
			VEC_PUSH(&s->calls, name);
	}
	return CXChildVisit_Recurse;
}

/* Records the candidate entries of the child whose branch is stmts[0..n),
 * found by the test at. */
static void fork_child(struct walk *w, CXCursor at, const CXCursor *stmts, size_t n)
{
	struct fork_scan s = { .w = w };
	for (size_t i = 0; i < n; i++) {
		fork_scan_visit(stmts[i], at, &s);
		clang_visitChildren(stmts[i], fork_scan_visit, &s);
	}
	struct loc loc = cursor_loc(w, at, NULL, NULL);
	for (size_t i = 0; i < s.calls.n; i++) {
		struct spawn sp = { s.calls.items[i], FORK_SPAWNER, w->cur, loc };
		VEC_PUSH(&w->spawns, sp);
	}
	if (s.loop) {
		struct spawn sp = { w->defs.items[w->cur].sym.name, FORK_SPAWNER, w->cur, loc };
		VEC_PUSH(&w->spawns, sp);
	}
	VEC_RELEASE(&s.calls);
}

static void on_fork_if(struct walk *w, CXCursor c)
{
	struct children ch = { .n = 0 };
	clang_visitChildren(c, collect_child, &ch);
	if (ch.n < 2)
		return;
	int b = fork_branch(w, ch.items[0]);
	if (b == 1)
		fork_child(w, c, &ch.items[1], 1);
	else if (b == 2 && ch.n >= 3)
		fork_child(w, c, &ch.items[2], 1);
}

static void on_fork_switch(struct walk *w, CXCursor c)
{
	struct children ch = { .n = 0 }, body = { .n = 0 }, region = { .n = 0 };
	clang_visitChildren(c, collect_child, &ch);
	if (ch.n < 2 || !fork_value(w, ch.items[0]))
		return;
	clang_visitChildren(ch.items[ch.n - 1], collect_child, &body);
	int in = 0;
	for (unsigned i = 0; i < body.n; i++) {
		CXCursor s = body.items[i];
		enum CXCursorKind k = clang_getCursorKind(s);
		if (k == CXCursor_CaseStmt || k == CXCursor_DefaultStmt) {
			struct children cs = { .n = 0 };
			clang_visitChildren(s, collect_child, &cs);
			in = k == CXCursor_CaseStmt && cs.n && is_zero(cs.items[0]);
		} else if (k == CXCursor_BreakStmt) {
			in = 0;
		}
		if (in)
			region.items[region.n++] = s;
	}
	if (region.n)
		fork_child(w, c, region.items, region.n);
}

/* A declaration or assignment that stores fork()'s value, or overwrites it. */
static void on_fork_store(struct walk *w, CXCursor c, enum CXCursorKind k)
{
	struct children ch = { .n = 0 };
	clang_visitChildren(c, collect_child, &ch);
	if (k == CXCursor_VarDecl) {
		fork_var_set(w, c, ch.n && fork_value(w, ch.items[ch.n - 1]));
		return;
	}
	char op[3];
	if (ch.n != 2)
		return;
	CXCursor lhs = strip_expr(ch.items[0]);
	binary_op(w, ch.items[0], op);
	if (clang_getCursorKind(lhs) == CXCursor_DeclRefExpr && !strcmp(op, "="))
		fork_var_set(w, clang_getCursorReferenced(lhs), fork_value(w, ch.items[1]));
}

/* What visit_node() leaves for the children. */
enum node_next {
	NODE_CHILDREN,  /* walk them */
	NODE_SKIP,      /* skip them */
	NODE_CONSTANT,  /* walk them unevaluated: a sizeof the compiler computes */
};

/* What a cursor contributes by itself, apart from its children: its kind,
 * refs, literal values, types. */
static enum node_next visit_node(struct walk *w, CXCursor c, enum CXCursorKind k,
				 const struct visit *v)
{
	hash_u32(w, (unsigned)k);
	switch (k) {
	case CXCursor_CallExpr:
		on_call(w, c, v);
		return NODE_CHILDREN;
	case CXCursor_DeclRefExpr:
		on_declref(w, c, v);
		return NODE_CHILDREN;
	case CXCursor_IfStmt:
		if (w->body_forks)
			on_fork_if(w, c);
		return NODE_CHILDREN;
	case CXCursor_SwitchStmt:
		if (w->body_forks)
			on_fork_switch(w, c);
		return NODE_CHILDREN;
	case CXCursor_BinaryOperator:
		if (w->body_forks && !v->unevaluated)
			on_fork_store(w, c, k);
		return NODE_CHILDREN;
	case CXCursor_UnaryExpr: {
		/* sizeof and _Alignof: the value, which follows layouts; a
		 * constant one never evaluates its operand (a VLA's does) */
		enum node_next next = NODE_CHILDREN;
		CXEvalResult ev = clang_Cursor_Evaluate(c);
		if (ev) {
			if (clang_EvalResult_getKind(ev) == CXEval_Int) {
				long long val = clang_EvalResult_getAsLongLong(ev);
				hash_bytes(w, &val, sizeof(val));
				next = NODE_CONSTANT;
			}
			clang_EvalResult_dispose(ev);
		}
		return next;
	}
	case CXCursor_MemberRefExpr: {
		/* the field's offset: code that reaches a moved field changes */
		long long off = clang_Cursor_getOffsetOfField(clang_getCursorReferenced(c));
		hash_bytes(w, &off, sizeof(off));
		hash_str(w, cx_take(&w->f->arena, clang_getCursorSpelling(c)));
		return NODE_CHILDREN;
	}
	case CXCursor_MemberRef:
	case CXCursor_TypeRef:
		hash_str(w, cx_take(&w->f->arena, clang_getCursorSpelling(c)));
		return NODE_CHILDREN;
	case CXCursor_IntegerLiteral:
	case CXCursor_FloatingLiteral:
	case CXCursor_StringLiteral:
	case CXCursor_CharacterLiteral:
		hash_literal(w, c);
		return NODE_SKIP;
	case CXCursor_ForStmt:
	case CXCursor_WhileStmt:
	case CXCursor_DoStmt:
		w->defs.items[w->cur].sym.has_loop = 1;
		return NODE_CHILDREN;
	case CXCursor_VarDecl:
	case CXCursor_CStyleCastExpr:
		/* the type as the compiler sees it: a typedef changed behind
		 * the same spelling is a change */
		hash_str(w, type_spelling(w, clang_getCanonicalType(clang_getCursorType(c))));
		if (k == CXCursor_VarDecl && clang_Cursor_getStorageClass(c) == CX_SC_Static)
			VEC_PUSH(&w->state_roots, clang_getCursorType(c));
		if (k == CXCursor_VarDecl && w->body_forks)
			on_fork_store(w, c, k);
		return NODE_CHILDREN;
	default:
		return NODE_CHILDREN;
	}
}

static enum CXChildVisitResult visit_child(CXCursor c, CXCursor parent, CXClientData data)
{
	struct visit m = child_context(data);
	return visit(c, parent, &m);
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data)
{
	struct visit *v = data;
	struct walk *w = v->w;
	enum CXCursorKind k = clang_getCursorKind(c);
	(void)parent;
	if (v->depth >= VISIT_MAX_DEPTH) {
		struct visit flat = { w, 0, 0, 0, 0, v->depth };
		return visit_node(w, c, k, &flat) == NODE_SKIP ? CXChildVisit_Continue
							       : CXChildVisit_Recurse;
	}
	enum node_next next = visit_node(w, c, k, v);
	if (next == NODE_SKIP)
		return CXChildVisit_Continue;
	int loop = k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_DoStmt;
	struct child_visit cv;
	child_visit_init(&cv, v, c, k, next == NODE_CONSTANT);
	w->loop_depth += loop;
	clang_visitChildren(c, visit_child, &cv);
	w->loop_depth -= loop;
	return CXChildVisit_Continue;
}

/* ---- definitions ---------------------------------------------------------------- */

static int is_inline_token(const char *s)
{
	return !strcmp(s, "inline") || !strcmp(s, "__inline") || !strcmp(s, "__inline__");
}

/*
 * C99 6.7.4: a function with external linkage whose every file-scope
 * declaration in the unit says inline and none says extern has only an
 * inline definition here: no symbol is emitted. Names with a declaration
 * that breaks the rule are recorded in c99_external.
 */
static void note_function_decl(struct walk *w, CXCursor c, const char *name)
{
	if (clang_getCursorLinkage(c) != CXLinkage_External || strmap_get(&w->c99_external, name))
		return;
	int external = !clang_Cursor_isFunctionInlined(c) ||
		       clang_Cursor_getStorageClass(c) == CX_SC_Extern;
	if (!external) {
		CXToken *toks = NULL;
		unsigned n = 0, inl = 0;
		CXSourceRange r = clang_getRange(clang_getRangeStart(clang_getCursorExtent(c)),
						 clang_getCursorLocation(c));
		clang_tokenize(w->tu, r, &toks, &n);
		for (unsigned i = 0; i < n; i++) {
			CXString sp = clang_getTokenSpelling(w->tu, toks[i]);
			const char *t = clang_getCString(sp);
			if (t && !strcmp(t, "extern"))
				external = 1;
			if (t && is_inline_token(t))
				inl = 1;
			clang_disposeString(sp);
		}
		if (toks)
			clang_disposeTokens(w->tu, toks, n);
		if (n && !inl)
			external = 1;
	}
	if (external)
		strmap_put(&w->c99_external, name, (void *)1);
}

static const char *visibility_name(CXCursor c)
{
	switch (clang_getCursorVisibility(c)) {
	case CXVisibility_Hidden:
		return "hidden";
	case CXVisibility_Protected:
		return "protected";
	default:
		return "default";
	}
}

static void def_add(struct walk *w, CXCursor c, enum CXCursorKind k, const char *name)
{
	struct def d;
	memset(&d, 0, sizeof(d));
	d.sym.name = name;
	d.sym.kind = k == CXCursor_FunctionDecl ? SYM_FUNCTION : SYM_VARIABLE;
	d.sym.linkage = clang_getCursorLinkage(c) == CXLinkage_Internal ? LINK_INTERNAL
									 : LINK_EXTERNAL;
	d.type = clang_getCursorType(c);
	d.sym.signature = type_spelling(w, d.type);
	const char *canon = type_spelling(w, clang_getCanonicalType(d.type));
	d.sym.sig_hash = hp_hash64(canon, strlen(canon), 0);
	d.sym.visibility = visibility_name(c);
	d.sym.is_inline = k == CXCursor_FunctionDecl && clang_Cursor_isFunctionInlined(c);
	d.sym.loc = cursor_loc(w, c, NULL, NULL);
	d.in_main = clang_Location_isFromMainFile(clang_getCursorLocation(c));
	VEC_PUSH(&w->defs, d);
	w->cur = w->defs.n - 1;
	strmap_put(&w->def_by_name, name, (void *)(uintptr_t)w->defs.n);

	/* the body, or the initializer */
	struct children ch = { .n = 0 };
	clang_visitChildren(c, collect_child, &ch);
	CXCursor body = clang_getNullCursor();
	for (unsigned i = 0; i < ch.n; i++) {
		enum CXCursorKind ck = clang_getCursorKind(ch.items[i]);
		if (k == CXCursor_FunctionDecl ? ck == CXCursor_CompoundStmt
					       : (clang_isExpression(ck) || ck == CXCursor_InitListExpr))
			body = ch.items[i];
	}
	if (clang_Cursor_isNull(body))
		return;
	XXH3_64bits_reset(w->hs);
	hash_u32(w, (unsigned)k);
	w->body_forks = 0;
	w->fork_vars.n = 0;
	hash_tokens(w, clang_getCursorExtent(body));
	w->loop_depth = 0;
	struct visit v = { w, 0, 0, 0, 0, 0 };
	visit(body, c, &v);
	w->defs.items[w->cur].sym.hash = XXH3_64bits_digest(w->hs);
	if (!w->defs.items[w->cur].sym.hash)
		w->defs.items[w->cur].sym.hash = 1;
}

static enum CXChildVisitResult top_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	struct walk *w = data;
	enum CXCursorKind k = clang_getCursorKind(c);
	(void)parent;
	if (k != CXCursor_FunctionDecl && k != CXCursor_VarDecl)
		return CXChildVisit_Continue;
	if (clang_Location_isInSystemHeader(clang_getCursorLocation(c)))
		return CXChildVisit_Continue;
	char *name = cx_take(&w->f->arena, clang_getCursorSpelling(c));
	if (k == CXCursor_FunctionDecl)
		note_function_decl(w, c, name);
	int def = clang_isCursorDefinition(c);
	if (!def && k == CXCursor_VarDecl && clang_Cursor_getStorageClass(c) != CX_SC_Extern &&
	    clang_Cursor_isNull(clang_getCursorDefinition(c)))
		def = 1; /* a tentative definition with no full one: it defines */
	if (!def || strmap_get(&w->def_by_name, name))
		return CXChildVisit_Continue;
	def_add(w, c, k, name);
	return CXChildVisit_Continue;
}

/* ---- state types ------------------------------------------------------------------ */

struct type_vec {
	CXType *items;
	size_t n, alloc;
};

struct state_vec {
	struct state_type *items;
	size_t n, alloc;
};

struct layout_visit {
	struct walk *w;
	struct strbuf *sb;
	struct type_vec *more;
};

static enum CXVisitorResult field_visit(CXCursor c, CXClientData data)
{
	struct layout_visit *lv = data;
	struct walk *w = lv->w;
	CXType t = clang_getCursorType(c);
	char *name = cx_take(&w->f->arena, clang_getCursorSpelling(c));
	long long off = clang_Cursor_getOffsetOfField(c);
	if (lv->sb->len)
		sb_adds(lv->sb, "; ");
	sb_addf(lv->sb, "%s %s", type_spelling(w, t), *name ? name : "<anonymous>");
	if (clang_Cursor_isBitField(c))
		sb_addf(lv->sb, ":%d@%lldb", clang_getFieldDeclBitWidth(c), off);
	else
		sb_addf(lv->sb, "@%lld", off >= 0 ? off / 8 : off);
	VEC_PUSH(lv->more, t);
	return CXVisit_Continue;
}

/* Adds the record type reached from t (through typedefs, pointers, arrays). */
static void state_reach(struct walk *w, CXType t, struct strmap *seen, struct state_vec *out,
			unsigned depth)
{
	const char *tdname = NULL;
	for (int guard = 0; guard < 64; guard++) {
		if (t.kind == CXType_Typedef) {
			if (!tdname)
				tdname = cx_take(&w->f->arena, clang_getTypedefName(t));
			t = clang_getCanonicalType(t);
		} else if (t.kind == CXType_Elaborated) {
			t = clang_Type_getNamedType(t);
		} else if (t.kind == CXType_Pointer) {
			t = clang_getPointeeType(t);
			tdname = NULL;
		} else if (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
			   t.kind == CXType_VariableArray) {
			t = clang_getArrayElementType(t);
		} else {
			break;
		}
	}
	if (t.kind != CXType_Record || depth > 32)
		return;
	CXCursor decl = clang_getTypeDeclaration(t);
	if (clang_Location_isInSystemHeader(clang_getCursorLocation(decl)))
		return;
	long long size = clang_Type_getSizeOf(t);
	if (size < 0)
		return;
	const char *name = type_spelling(w, clang_getCanonicalType(t));
	if (strstr(name, "(anonymous") || strstr(name, "(unnamed")) {
		if (!tdname)
			return;
		name = tdname;
	}
	if (strmap_get(seen, name))
		return;
	strmap_put(seen, name, (void *)1);
	struct strbuf sb = STRBUF_INIT;
	struct type_vec more = { 0 };
	struct layout_visit lv = { w, &sb, &more };
	clang_Type_visitFields(t, field_visit, &lv);
	if (sb.len)
		sb_adds(&sb, "; ");
	sb_addf(&sb, "size %lld", size);
	struct state_type st = { 0 };
	st.name = name;
	st.layout = arena_strdup(&w->f->arena, sb.buf);
	st.layout_hash = hp_hash64(sb.buf, sb.len, hp_hash_str(name));
	st.loc = cursor_loc(w, decl, NULL, NULL);
	VEC_PUSH(out, st);
	sb_release(&sb);
	for (size_t i = 0; i < more.n; i++)
		state_reach(w, more.items[i], seen, out, depth + 1);
	VEC_RELEASE(&more);
}

/* ---- the unit's facts --------------------------------------------------------------- */

static struct def *def_named(struct walk *w, const char *name)
{
	uintptr_t i = (uintptr_t)strmap_get(&w->def_by_name, name);
	return i ? &w->defs.items[i - 1] : NULL;
}

static int cmp_rawref(const void *pa, const void *pb)
{
	const struct rawref *a = pa, *b = pb;
	int c = strcmp(a->symbol, b->symbol);
	if (!c)
		c = (int)a->kind - (int)b->kind;
	if (!c)
		c = a->from < b->from ? -1 : a->from > b->from;
	if (!c)
		c = a->loc.line < b->loc.line ? -1 : a->loc.line > b->loc.line;
	if (!c)
		c = a->loc.col < b->loc.col ? -1 : a->loc.col > b->loc.col;
	return c;
}

static void build_module(struct walk *w, struct module *m)
{
	struct arena *a = &w->f->arena;
	/* what is emitted, and what is kept */
	for (size_t i = 0; i < w->defs.n; i++) {
		struct def *d = &w->defs.items[i];
		if (d->sym.linkage == LINK_EXTERNAL) {
			if (d->sym.kind == SYM_FUNCTION && d->sym.is_inline &&
			    !strmap_get(&w->c99_external, d->sym.name))
				d->is_inline_only = 1;
			else
				d->emits = 1;
		}
		d->keep = d->in_main || d->emits;
	}
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < w->refs.n; i++) {
			struct rawref *r = &w->refs.items[i];
			struct def *t;
			if (w->defs.items[r->from].keep && (t = def_named(w, r->symbol)) && !t->keep) {
				t->keep = 1;
				changed = 1;
			}
		}
	}
	/* symbols and loops */
	VEC(struct symbol) ex = { 0 }, lo = { 0 };
	VEC(struct blocking) bl = { 0 };
	for (size_t i = 0; i < w->defs.n; i++) {
		struct def *d = &w->defs.items[i];
		if (!d->keep)
			continue;
		if (d->sym.has_loop) {
			d->sym.loop_next = NEXT_LOCAL;
			if (d->loop_blocking) {
				d->sym.loop_next = NEXT_BLOCKED;
				d->sym.loop_blocking = d->loop_blocking;
				struct blocking b = { d->sym.name, d->loop_blocking, d->loop_blocking_loc };
				VEC_PUSH(&bl, b);
			} else {
				for (size_t k = 0; k < w->loopcalls.n; k++) {
					struct loopcall *lc = &w->loopcalls.items[k];
					struct def *g;
					if (lc->from != i || !(g = def_named(w, lc->callee)) ||
					    !g->direct_blocking)
						continue;
					d->sym.loop_next = NEXT_BLOCKED;
					d->sym.loop_blocking = g->direct_blocking;
					struct blocking b = { d->sym.name, g->direct_blocking, lc->loc };
					VEC_PUSH(&bl, b);
					break;
				}
				if (d->sym.loop_next != NEXT_BLOCKED && d->loop_qualified)
					d->sym.loop_next = NEXT_QUALIFIED;
			}
		}
		if (d->emits)
			VEC_PUSH(&ex, d->sym);
		else
			VEC_PUSH(&lo, d->sym);
	}
	m->exports = arena_memdup(a, ex.items, ex.n * sizeof(*ex.items));
	m->nexports = ex.n;
	m->locals = arena_memdup(a, lo.items, lo.n * sizeof(*lo.items));
	m->nlocals = lo.n;
	m->blocking = arena_memdup(a, bl.items, bl.n * sizeof(*bl.items));
	m->nblocking = bl.n;
	VEC_RELEASE(&ex);
	VEC_RELEASE(&lo);
	VEC_RELEASE(&bl);

	/* refs to what this unit does not define (or defines inline only) */
	if (w->refs.n > 1)
		qsort(w->refs.items, w->refs.n, sizeof(*w->refs.items), cmp_rawref);
	VEC(struct ref) rv = { 0 };
	for (size_t i = 0; i < w->refs.n; i++) {
		struct rawref *r = &w->refs.items[i];
		struct def *t = def_named(w, r->symbol);
		if (!w->defs.items[r->from].keep || r->internal || (t && !t->is_inline_only))
			continue;
		if (i > 0 && !strcmp(r[-1].symbol, r->symbol) && r[-1].kind == r->kind &&
		    r[-1].from == r->from)
			continue;
		struct ref x = { 0 };
		x.symbol = r->symbol;
		x.kind = r->kind;
		x.from = w->defs.items[r->from].sym.name;
		x.loc = r->loc;
		VEC_PUSH(&rv, x);
	}
	m->refs = arena_memdup(a, rv.items, rv.n * sizeof(*rv.items));
	m->nrefs = rv.n;
	VEC_RELEASE(&rv);

	/* threads started here; merge fills in what their loops do */
	VEC(struct entry) en = { 0 };
	for (size_t i = 0; i < w->spawns.n; i++) {
		struct spawn *s = &w->spawns.items[i];
		if (!w->defs.items[s->from].keep)
			continue;
		struct entry e = { 0 };
		e.function = s->function;
		e.spawner = s->spawner;
		e.spawn_module = m->name;
		e.spawned_in = w->defs.items[s->from].sym.name;
		e.loc = s->loc;
		VEC_PUSH(&en, e);
	}
	m->entries = arena_memdup(a, en.items, en.n * sizeof(*en.items));
	m->nentries = en.n;
	VEC_RELEASE(&en);

	/* the state transformer, and state types */
	for (size_t i = 0; i < w->defs.n; i++) {
		struct def *d = &w->defs.items[i];
		if (d->emits && d->sym.kind == SYM_FUNCTION &&
		    hp_glob_match(w->cfg->transformer, d->sym.name) &&
		    (!m->transformer || strcmp(d->sym.name, m->transformer) < 0))
			m->transformer = d->sym.name;
	}
	for (size_t i = 0; i < w->defs.n; i++) {
		struct def *d = &w->defs.items[i];
		if (d->keep && d->sym.kind == SYM_VARIABLE)
			VEC_PUSH(&w->state_roots, d->type);
		if (m->transformer && !strcmp(d->sym.name, m->transformer)) {
			int na = clang_getNumArgTypes(d->type);
			for (int k = 0; k < na; k++)
				VEC_PUSH(&w->state_roots, clang_getArgType(d->type, (unsigned)k));
		}
	}
	struct strmap seen;
	struct state_vec sv = { 0 };
	strmap_init(&seen);
	for (size_t i = 0; i < w->state_roots.n; i++)
		state_reach(w, w->state_roots.items[i], &seen, &sv, 0);
	strmap_release(&seen);
	m->states = arena_memdup(a, sv.items, sv.n * sizeof(*sv.items));
	m->nstates = sv.n;
	VEC_RELEASE(&sv);
}

/* ---- diagnostics and dependencies --------------------------------------------------- */

static int report_diags(struct walk *w, struct unit_result *res)
{
	unsigned n = clang_getNumDiagnostics(w->tu);
	int errors = 0;
	VEC(struct diagnostic) dv = { 0 };
	for (unsigned i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(w->tu, i);
		enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
		if (sev >= CXDiagnostic_Error) {
			CXFile file;
			unsigned line, col;
			clang_getExpansionLocation(clang_getDiagnosticLocation(d), &file, &line, &col, NULL);
			char *msg = cx_take(&w->f->arena, clang_getDiagnosticSpelling(d));
			struct diagnostic g = { SEV_ERROR, w->u->module, msg, { NULL, line, col } };
			if (file)
				g.loc.file = file_info(w, file)->name;
			if (!file && !strncmp(msg, "unknown argument: ", 18)) {
				/* a flag of another compiler (gcc's -fconserve-stack):
				 * libclang goes on without it; say so, do not fail */
				g.severity = SEV_WARNING;
				g.message = arena_printf(&w->f->arena, "flag %s ignored: libclang does not know it",
							 msg + 18);
				g.loc.file = w->u->rel;
				VEC_PUSH(&dv, g);
				clang_disposeDiagnostic(d);
				continue;
			}
			sb_addf(&res->errors, "%s:%u:%u: error: %s\n",
				g.loc.file ? g.loc.file : w->u->rel, line, col, msg);
			VEC_PUSH(&dv, g);
			errors++;
		}
		clang_disposeDiagnostic(d);
	}
	w->f->diags = arena_memdup(&w->f->arena, dv.items, dv.n * sizeof(*dv.items));
	w->f->ndiags = dv.n;
	VEC_RELEASE(&dv);
	return errors;
}

struct dep_list {
	VEC(char *) v;
};

static void inclusion_visit(CXFile file, CXSourceLocation *stack, unsigned depth, CXClientData d)
{
	struct dep_list *dl = d;
	(void)stack;
	(void)depth;
	CXString s = clang_getFileName(file);
	const char *c = clang_getCString(s);
	if (c && *c)
		VEC_PUSH(&dl->v, xstrdup(c));
	clang_disposeString(s);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_deps(struct walk *w, struct unit_result *res)
{
	struct dep_list dl = { { 0 } };
	clang_getInclusions(w->tu, inclusion_visit, &dl);
	if (dl.v.n > 1)
		qsort(dl.v.items, dl.v.n, sizeof(char *), cmp_cstr);
	size_t k = 0;
	for (size_t i = 0; i < dl.v.n; i++) {
		if (k && !strcmp(dl.v.items[k - 1], dl.v.items[i]))
			free(dl.v.items[i]);
		else
			dl.v.items[k++] = dl.v.items[i];
	}
	res->deps = dl.v.items;
	res->ndeps = k;
}

/* ---- entry point ---------------------------------------------------------------------- */

static void walk_unit(CXIndex index, const struct unit_list *ul, const struct unit *u,
		      const struct hp_config *cfg, int keep_going, int want_deps,
		      struct unit_result *res)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	memset(res, 0, sizeof(*res));
	sb_init(&res->errors);
	w.cfg = cfg;
	w.ul = ul;
	w.u = u;
	w.f = facts_new();
	w.f->unit = 1;
	w.f->root = arena_strdup(&w.f->arena, ul->tree);
	w.hs = XXH3_createState();
	strmap_init(&w.def_by_name);
	strmap_init(&w.c99_external);
	struct module *m = arena_zalloc(&w.f->arena, sizeof(*m));
	w.f->modules = m;
	w.f->nmodules = 1;
	m->name = arena_strdup(&w.f->arena, u->module);
	m->files = arena_alloc(&w.f->arena, sizeof(*m->files));
	m->files[0] = arena_strdup(&w.f->arena, u->rel);
	m->nfiles = 1;
	m->flags_hash = u->flags_hash;

	unsigned opts = keep_going ? CXTranslationUnit_KeepGoing : 0;
	enum CXErrorCode ec = clang_parseTranslationUnit2(index, u->path, u->args,
							  (int)u->nargs, NULL, 0, opts, &w.tu);
	if (ec != CXError_Success || !w.tu) {
		sb_addf(&res->errors, "%s: error: libclang cannot parse this unit (error %d)\n",
			u->rel, (int)ec);
		struct diagnostic *g = arena_zalloc(&w.f->arena, sizeof(*g));
		g->severity = SEV_ERROR;
		g->module = m->name;
		g->message = "libclang cannot parse this unit";
		g->loc.file = m->files[0];
		w.f->diags = g;
		w.f->ndiags = 1;
		res->failed = 1;
		m->incomplete = 1;
		w.tu = NULL;
		goto out;
	}
	if (report_diags(&w, res)) {
		res->failed = 1;
		m->incomplete = 1;
		if (!keep_going)
			goto out;
	}
	clang_visitChildren(clang_getTranslationUnitCursor(w.tu), top_visit, &w);
	build_module(&w, m);
	if (want_deps)
		collect_deps(&w, res);
	facts_finish(w.f);
	module_compute_hash(&w.f->modules[0]);
out:
	if (w.tu)
		clang_disposeTranslationUnit(w.tu);
	res->facts = w.f;
	XXH3_freeState(w.hs);
	strmap_release(&w.def_by_name);
	strmap_release(&w.c99_external);
	VEC_RELEASE(&w.defs);
	VEC_RELEASE(&w.refs);
	VEC_RELEASE(&w.loopcalls);
	VEC_RELEASE(&w.spawns);
	VEC_RELEASE(&w.fork_vars);
	VEC_RELEASE(&w.state_roots);
	VEC_RELEASE(&w.files);
}

void walker_prepare(void)
{
	static const char src[] = "int hotplan_prepare;\n";
	struct CXUnsavedFile file = { "hotplan-prepare.c", src, sizeof(src) - 1 };
	const char *args[] = { "-w" };
	CXIndex index = clang_createIndex(0, 0);
	CXTranslationUnit tu = NULL;
	/* a first parse sets up what libclang computes once (paths, tables) */
	if (clang_parseTranslationUnit2(index, "hotplan-prepare.c", args, 1, &file, 1, 0, &tu) ==
	    CXError_Success)
		clang_disposeTranslationUnit(tu);
	clang_disposeIndex(index);
}

void walker_serve(const struct walker_job *job)
{
	CXIndex index = clang_createIndex(0, 0);
	size_t i;
	while (job->next(job->ctx, &i)) {
		walk_unit(index, job->ul, &job->ul->units[i], job->cfg, job->keep_going,
			  job->want_deps, &job->results[i]);
		job->done(job->ctx, i);
	}
	clang_disposeIndex(index);
}
