/*
 * term.c - reader and writer of Erlang terms (data only, as file:consult).
 *
 * The reader is a recursive-descent parser over a small hand-written lexer.
 * Recursion depth is bounded by TERM_MAX_DEPTH, so hostile input such as a
 * million '[' gives an error, not a stack overflow. Positions are 1-based
 * lines and columns counted in bytes.
 */
#include "term.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "jsonw.h"

struct reader {
	struct arena *a;
	const char *file;
	const char *src;
	size_t len, pos;
	unsigned line, col;
	unsigned depth;
	struct errbuf *err;
	struct strbuf tmp;
};

static int rd_error(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
	HP_PRINTF(4, 5);

static int rd_error(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hp_error_at(r->err, HP_EINPUT, r->file, line, col, "%s", msg);
}

static int peekc(const struct reader *r, size_t off)
{
	return r->pos + off < r->len ? (unsigned char)r->src[r->pos + off] : -1;
}

static void advance(struct reader *r)
{
	if (r->pos >= r->len)
		return;
	if (r->src[r->pos] == '\n') {
		r->line++;
		r->col = 1;
	} else if (((unsigned char)r->src[r->pos] & 0xC0) != 0x80) {
		r->col++;
	}
	r->pos++;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail, uint32_t *cp)
{
	uint32_t c;
	size_t n;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if ((p[0] & 0xE0) == 0xC0) {
		c = p[0] & 0x1F; n = 2;
	} else if ((p[0] & 0xF0) == 0xE0) {
		c = p[0] & 0x0F; n = 3;
	} else if ((p[0] & 0xF8) == 0xF0) {
		c = p[0] & 0x07; n = 4;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

static void utf8_put(struct strbuf *sb, uint32_t c)
{
	if (c < 0x80) {
		sb_addc(sb, (int)c);
	} else if (c < 0x800) {
		sb_addc(sb, (int)(0xC0 | (c >> 6)));
		sb_addc(sb, (int)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		sb_addc(sb, (int)(0xE0 | (c >> 12)));
		sb_addc(sb, (int)(0x80 | ((c >> 6) & 0x3F)));
		sb_addc(sb, (int)(0x80 | (c & 0x3F)));
	} else {
		sb_addc(sb, (int)(0xF0 | (c >> 18)));
		sb_addc(sb, (int)(0x80 | ((c >> 12) & 0x3F)));
		sb_addc(sb, (int)(0x80 | ((c >> 6) & 0x3F)));
		sb_addc(sb, (int)(0x80 | (c & 0x3F)));
	}
}

/* Skips whitespace and % comments; rejects NUL and invalid UTF-8 there. */
static int skip_ws(struct reader *r)
{
	for (;;) {
		int c = peekc(r, 0);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			advance(r);
		} else if (c == '%') {
			while (r->pos < r->len && r->src[r->pos] != '\n') {
				uint32_t cp;
				if (!r->src[r->pos])
					return rd_error(r, r->line, r->col, "NUL byte in comment");
				size_t n = utf8_len((const unsigned char *)r->src + r->pos, r->len - r->pos, &cp);
				if (!n)
					return rd_error(r, r->line, r->col, "invalid UTF-8 in comment");
				for (size_t i = 0; i < n; i++)
					advance(r);
			}
		} else {
			return 0;
		}
	}
}

static int is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '@';
}

static const char *const reserved[] = {
	"after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr",
	"bxor", "case", "catch", "cond", "div", "else", "end", "fun", "if", "let",
	"maybe", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
};

static int cmp_reserved(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* reserved[] is sorted; only short all-lower-case words can match. */
static int is_reserved(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= 8 || s[n] < 'a' || s[n] > 'z')
			return 0;
	return n >= 2 && bsearch(s, reserved, HP_ARRAY_SIZE(reserved), sizeof(reserved[0]), cmp_reserved) != NULL;
}

static struct term *new_term(struct reader *r, enum term_type type, unsigned line, unsigned col)
{
	struct term *t = arena_zalloc(r->a, sizeof(*t));
	t->type = type;
	t->line = line;
	t->col = col;
	return t;
}

/* Reads one escape sequence after the backslash; appends the code point. */
static int read_escape(struct reader *r, struct strbuf *out)
{
	unsigned line = r->line, col = r->col;
	int c = peekc(r, 0);
	uint32_t v;
	if (c < 0)
		return rd_error(r, line, col, "unterminated escape sequence");
	advance(r);
	switch (c) {
	case 'b': v = 8; break;
	case 'd': v = 127; break;
	case 'e': v = 27; break;
	case 'f': v = 12; break;
	case 'n': v = 10; break;
	case 'r': v = 13; break;
	case 's': v = 32; break;
	case 't': v = 9; break;
	case 'v': v = 11; break;
	case '^': {
		int d = peekc(r, 0);
		if (d < 0)
			return rd_error(r, line, col, "unterminated escape sequence");
		advance(r);
		v = (uint32_t)d & 31;
		break;
	}
	case 'x': {
		v = 0;
		if (peekc(r, 0) == '{') {
			advance(r);
			int nd = 0;
			while (peekc(r, 0) != '}') {
				int d = peekc(r, 0);
				int dv = (d >= '0' && d <= '9') ? d - '0' :
					 (d >= 'a' && d <= 'f') ? d - 'a' + 10 :
					 (d >= 'A' && d <= 'F') ? d - 'A' + 10 : -1;
				if (dv < 0 || ++nd > 6)
					return rd_error(r, line, col, "bad \\x{...} escape");
				v = v * 16 + (uint32_t)dv;
				advance(r);
			}
			advance(r);
		} else {
			for (int i = 0; i < 2; i++) {
				int d = peekc(r, 0);
				int dv = (d >= '0' && d <= '9') ? d - '0' :
					 (d >= 'a' && d <= 'f') ? d - 'a' + 10 :
					 (d >= 'A' && d <= 'F') ? d - 'A' + 10 : -1;
				if (dv < 0)
					return rd_error(r, line, col, "bad \\x escape");
				v = v * 16 + (uint32_t)dv;
				advance(r);
			}
		}
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return rd_error(r, line, col, "escape \\x{%x} is not a character", v);
		break;
	}
	default:
		if (c >= '0' && c <= '7') {
			v = (uint32_t)(c - '0');
			for (int i = 0; i < 2 && peekc(r, 0) >= '0' && peekc(r, 0) <= '7'; i++) {
				v = v * 8 + (uint32_t)(peekc(r, 0) - '0');
				advance(r);
			}
		} else if (c == '\n') {
			v = '\n';
		} else {
			uint32_t cp;
			size_t n = utf8_len((const unsigned char *)r->src + r->pos - 1, r->len - r->pos + 1, &cp);
			if (!n)
				return rd_error(r, line, col, "invalid UTF-8");
			for (size_t i = 1; i < n; i++)
				advance(r);
			v = cp;
		}
	}
	utf8_put(out, v);
	return 0;
}

/* Reads a quoted atom or string body up to the closing quote q. */
static int read_quoted(struct reader *r, int q, struct strbuf *out)
{
	unsigned line = r->line, col = r->col;
	advance(r); /* opening quote */
	for (;;) {
		int c = peekc(r, 0);
		if (c < 0)
			return rd_error(r, line, col, "unterminated %s", q == '"' ? "string" : "quoted atom");
		if (c == q) {
			advance(r);
			return 0;
		}
		if (c == 0)
			return rd_error(r, r->line, r->col, "NUL byte in %s", q == '"' ? "string" : "atom");
		if (c == '\\') {
			advance(r);
			int rc = read_escape(r, out);
			if (rc)
				return rc;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_len((const unsigned char *)r->src + r->pos, r->len - r->pos, &cp);
		if (!n)
			return rd_error(r, r->line, r->col, "invalid UTF-8 in %s", q == '"' ? "string" : "atom");
		sb_add(out, r->src + r->pos, n);
		for (size_t i = 0; i < n; i++)
			advance(r);
	}
}

static size_t utf8_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static int parse_term(struct reader *r, struct term **out);

static int parse_number(struct reader *r, int negative, unsigned line, unsigned col, struct term **out)
{
	size_t start = r->pos;
	struct strbuf *d = &r->tmp;
	sb_reset(d);
	while (peekc(r, 0) >= '0' && peekc(r, 0) <= '9') {
		sb_addc(d, peekc(r, 0));
		advance(r);
		if (peekc(r, 0) == '_' && peekc(r, 1) >= '0' && peekc(r, 1) <= '9')
			advance(r);
	}
	if (peekc(r, 0) == '#') {
		/* Base#Digits */
		long base = strtol(d->buf, NULL, 10);
		if (base < 2 || base > 36)
			return rd_error(r, line, col, "bad base %s in integer", d->buf);
		advance(r);
		uint64_t v = 0;
		int any = 0;
		for (;;) {
			int c = peekc(r, 0);
			int dv = (c >= '0' && c <= '9') ? c - '0' :
				 (c >= 'a' && c <= 'z') ? c - 'a' + 10 :
				 (c >= 'A' && c <= 'Z') ? c - 'A' + 10 : -1;
			if (c == '_' && any) {
				advance(r);
				continue;
			}
			if (dv < 0 || dv >= base)
				break;
			if (v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
				return rd_error(r, line, col, "integer too large (hotplan reads 64-bit integers)");
			v = v * (uint64_t)base + (uint64_t)dv;
			any = 1;
			advance(r);
		}
		if (!any)
			return rd_error(r, line, col, "missing digits after '#'");
		if (v > (uint64_t)INT64_MAX + (negative ? 1 : 0))
			return rd_error(r, line, col, "integer too large (hotplan reads 64-bit integers)");
		struct term *t = new_term(r, TERM_INT, line, col);
		t->u.i = negative ? (int64_t)(0 - v) : (int64_t)v;
		*out = t;
		return 0;
	}
	if (peekc(r, 0) == '.' && peekc(r, 1) >= '0' && peekc(r, 1) <= '9') {
		sb_addc(d, '.');
		advance(r);
		while (peekc(r, 0) >= '0' && peekc(r, 0) <= '9') {
			sb_addc(d, peekc(r, 0));
			advance(r);
			if (peekc(r, 0) == '_' && peekc(r, 1) >= '0' && peekc(r, 1) <= '9')
				advance(r);
		}
		if (peekc(r, 0) == 'e' || peekc(r, 0) == 'E') {
			int k = 1;
			if (peekc(r, 1) == '-' || peekc(r, 1) == '+')
				k = 2;
			if (peekc(r, k) >= '0' && peekc(r, k) <= '9') {
				for (int i = 0; i < k; i++) {
					sb_addc(d, peekc(r, 0));
					advance(r);
				}
				while (peekc(r, 0) >= '0' && peekc(r, 0) <= '9') {
					sb_addc(d, peekc(r, 0));
					advance(r);
				}
			}
		}
		errno = 0;
		double f = strtod(d->buf, NULL);
		if (errno == ERANGE && isinf(f))
			return rd_error(r, line, col, "float out of range");
		struct term *t = new_term(r, TERM_FLOAT, line, col);
		t->u.f = negative ? -f : f;
		*out = t;
		return 0;
	}
	(void)start;
	uint64_t v = 0;
	for (const char *p = d->buf; *p; p++) {
		uint64_t dv = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - dv) / 10)
			return rd_error(r, line, col, "integer too large (hotplan reads 64-bit integers)");
		v = v * 10 + dv;
	}
	if (v > (uint64_t)INT64_MAX + (negative ? 1 : 0))
		return rd_error(r, line, col, "integer too large (hotplan reads 64-bit integers)");
	struct term *t = new_term(r, TERM_INT, line, col);
	t->u.i = negative ? (int64_t)(0 - v) : (int64_t)v;
	*out = t;
	return 0;
}

/* Parses elements separated by ',' until the closing character. */
static int parse_seq(struct reader *r, int close, struct term *t, int allow_tail)
{
	VEC(struct term *) items = {0};
	int rc = 0;
	advance(r); /* opening bracket */
	if ((rc = skip_ws(r)))
		goto out;
	if (peekc(r, 0) == close) {
		advance(r);
		goto out;
	}
	for (;;) {
		struct term *e;
		if ((rc = parse_term(r, &e)))
			goto out;
		VEC_PUSH(&items, e);
		if ((rc = skip_ws(r)))
			goto out;
		int c = peekc(r, 0);
		if (c == ',') {
			advance(r);
			continue;
		}
		if (c == '|' && allow_tail) {
			advance(r);
			if ((rc = parse_term(r, &t->u.seq.tail)))
				goto out;
			if ((rc = skip_ws(r)))
				goto out;
			c = peekc(r, 0);
		}
		if (c == close) {
			advance(r);
			break;
		}
		rc = c < 0 ? rd_error(r, r->line, r->col, "unexpected end of input, expected '%c'", close)
			   : rd_error(r, r->line, r->col, "expected ',' or '%c'", close);
		goto out;
	}
out:
	if (!rc) {
		t->u.seq.n = items.n;
		t->u.seq.items = arena_memdup(r->a, items.items, items.n * sizeof(*items.items));
		/* normalize [a|[b,c]] to [a,b,c] and [a|[]] to [a] */
		struct term *tail = t->u.seq.tail;
		if (tail && tail->type == TERM_LIST) {
			struct term **all = arena_alloc(r->a, (items.n + tail->u.seq.n + 1) * sizeof(*all));
			memcpy(all, items.items, items.n * sizeof(*all));
			if (tail->u.seq.n) /* [] has no items array */
				memcpy(all + items.n, tail->u.seq.items, tail->u.seq.n * sizeof(*all));
			t->u.seq.items = all;
			t->u.seq.n = items.n + tail->u.seq.n;
			t->u.seq.tail = tail->u.seq.tail;
		}
	}
	VEC_RELEASE(&items);
	return rc;
}

static int parse_binary(struct reader *r, struct term *t)
{
	struct strbuf bytes = STRBUF_INIT;
	int rc = 0;
	advance(r);
	advance(r);
	if ((rc = skip_ws(r)))
		goto out;
	if (peekc(r, 0) == '>' && peekc(r, 1) == '>') {
		advance(r);
		advance(r);
		goto out;
	}
	for (;;) {
		if ((rc = skip_ws(r)))
			goto out;
		int c = peekc(r, 0);
		if (c == '"') {
			struct strbuf s = STRBUF_INIT;
			if ((rc = read_quoted(r, '"', &s))) {
				sb_release(&s);
				goto out;
			}
			/* <<"é">> stores Latin-1 bytes; code points > 255 are an error */
			for (size_t i = 0; i < s.len;) {
				uint32_t cp;
				size_t n = utf8_len((const unsigned char *)s.buf + i, s.len - i, &cp);
				if (cp > 255) {
					sb_release(&s);
					rc = rd_error(r, t->line, t->col, "binary string has a character above 255");
					goto out;
				}
				sb_addc(&bytes, (int)cp);
				i += n;
			}
			sb_release(&s);
		} else if ((c >= '0' && c <= '9') || c == '$') {
			struct term *e;
			if ((rc = parse_term(r, &e)))
				goto out;
			if (e->type != TERM_INT || e->u.i < 0 || e->u.i > 255) {
				rc = rd_error(r, e->line, e->col, "binary element must be an integer 0..255 or a string");
				goto out;
			}
			sb_addc(&bytes, (int)e->u.i);
		} else {
			rc = rd_error(r, r->line, r->col, "binary element must be an integer 0..255 or a string");
			goto out;
		}
		if ((rc = skip_ws(r)))
			goto out;
		if (peekc(r, 0) == ',') {
			advance(r);
			continue;
		}
		if (peekc(r, 0) == '>' && peekc(r, 1) == '>') {
			advance(r);
			advance(r);
			break;
		}
		rc = rd_error(r, r->line, r->col, "expected ',' or '>>' in binary");
		goto out;
	}
out:
	if (!rc) {
		t->u.str.len = bytes.len;
		t->u.str.s = arena_strndup(r->a, bytes.buf, bytes.len);
	}
	sb_release(&bytes);
	return rc;
}

static int parse_map(struct reader *r, struct term *t)
{
	VEC(struct term *) items = {0};
	int rc = 0;
	advance(r); /* '#' */
	advance(r); /* '{' */
	if ((rc = skip_ws(r)))
		goto out;
	if (peekc(r, 0) == '}') {
		advance(r);
		goto out;
	}
	for (;;) {
		struct term *k, *v;
		if ((rc = parse_term(r, &k)))
			goto out;
		if ((rc = skip_ws(r)))
			goto out;
		if (peekc(r, 0) != '=' || peekc(r, 1) != '>') {
			rc = rd_error(r, r->line, r->col, "expected '=>' in map");
			goto out;
		}
		advance(r);
		advance(r);
		if ((rc = parse_term(r, &v)))
			goto out;
		VEC_PUSH(&items, k);
		VEC_PUSH(&items, v);
		if ((rc = skip_ws(r)))
			goto out;
		if (peekc(r, 0) == ',') {
			advance(r);
			continue;
		}
		if (peekc(r, 0) == '}') {
			advance(r);
			break;
		}
		rc = rd_error(r, r->line, r->col, "expected ',' or '}' in map");
		goto out;
	}
out:
	if (!rc) {
		t->u.seq.n = items.n;
		t->u.seq.items = arena_memdup(r->a, items.items, items.n * sizeof(*items.items));
	}
	VEC_RELEASE(&items);
	return rc;
}

static int parse_term(struct reader *r, struct term **out)
{
	int rc;
	if ((rc = skip_ws(r)))
		return rc;
	unsigned line = r->line, col = r->col;
	int c = peekc(r, 0);
	struct term *t;

	if (c < 0)
		return rd_error(r, line, col, "unexpected end of input");
	if (r->depth >= TERM_MAX_DEPTH)
		return hp_error_at(r->err, HP_ELIMIT, r->file, line, col,
				   "terms nested deeper than %d levels", TERM_MAX_DEPTH);
	switch (c) {
	case '{':
	case '[':
		t = new_term(r, c == '{' ? TERM_TUPLE : TERM_LIST, line, col);
		r->depth++;
		rc = parse_seq(r, c == '{' ? '}' : ']', t, c == '[');
		r->depth--;
		if (rc)
			return rc;
		*out = t;
		return 0;
	case '#':
		if (peekc(r, 1) != '{')
			return rd_error(r, line, col, "records are not data: expected '#{'");
		t = new_term(r, TERM_MAP, line, col);
		r->depth++;
		rc = parse_map(r, t);
		r->depth--;
		if (rc)
			return rc;
		*out = t;
		return 0;
	case '<':
		if (peekc(r, 1) != '<')
			return rd_error(r, line, col, "unexpected '<'");
		t = new_term(r, TERM_BINARY, line, col);
		r->depth++;
		rc = parse_binary(r, t);
		r->depth--;
		if (rc)
			return rc;
		*out = t;
		return 0;
	case '"': {
		struct strbuf s = STRBUF_INIT;
		for (;;) {
			if ((rc = read_quoted(r, '"', &s))) {
				sb_release(&s);
				return rc;
			}
			if ((rc = skip_ws(r))) {
				sb_release(&s);
				return rc;
			}
			if (peekc(r, 0) != '"')
				break;
		}
		t = new_term(r, TERM_STRING, line, col);
		t->u.str.len = s.len;
		t->u.str.s = arena_strndup(r->a, s.buf, s.len);
		sb_release(&s);
		*out = t;
		return 0;
	}
	case '\'': {
		struct strbuf s = STRBUF_INIT;
		if ((rc = read_quoted(r, '\'', &s))) {
			sb_release(&s);
			return rc;
		}
		if (utf8_count(s.buf, s.len) > TERM_MAX_ATOM) {
			sb_release(&s);
			return hp_error_at(r->err, HP_ELIMIT, r->file, line, col,
					   "atom longer than %d characters", TERM_MAX_ATOM);
		}
		if (memchr(s.buf, 0, s.len)) {
			sb_release(&s);
			return rd_error(r, line, col, "NUL character in atom");
		}
		t = new_term(r, TERM_ATOM, line, col);
		t->u.atom = arena_strndup(r->a, s.buf, s.len);
		sb_release(&s);
		*out = t;
		return 0;
	}
	case '$': {
		advance(r);
		int d = peekc(r, 0);
		uint32_t v;
		if (d < 0)
			return rd_error(r, line, col, "unexpected end of input after '$'");
		if (d == '\\') {
			struct strbuf s = STRBUF_INIT;
			advance(r);
			if ((rc = read_escape(r, &s))) {
				sb_release(&s);
				return rc;
			}
			utf8_len((const unsigned char *)s.buf, s.len, &v);
			sb_release(&s);
		} else {
			size_t n = utf8_len((const unsigned char *)r->src + r->pos, r->len - r->pos, &v);
			if (!n)
				return rd_error(r, r->line, r->col, "invalid UTF-8");
			for (size_t i = 0; i < n; i++)
				advance(r);
		}
		t = new_term(r, TERM_INT, line, col);
		t->u.i = v;
		*out = t;
		return 0;
	}
	case '-':
	case '+':
		advance(r);
		if ((rc = skip_ws(r)))
			return rc;
		if (peekc(r, 0) >= '0' && peekc(r, 0) <= '9')
			return parse_number(r, c == '-', line, col, out);
		return rd_error(r, line, col, "expected a number after '%c'", c);
	default:
		break;
	}
	if (c >= '0' && c <= '9')
		return parse_number(r, 0, line, col, out);
	if (c >= 'a' && c <= 'z') {
		size_t start = r->pos;
		while (is_name_char(peekc(r, 0)))
			advance(r);
		size_t n = r->pos - start;
		if (n > TERM_MAX_ATOM)
			return hp_error_at(r->err, HP_ELIMIT, r->file, line, col,
					   "atom longer than %d characters", TERM_MAX_ATOM);
		t = new_term(r, TERM_ATOM, line, col);
		t->u.atom = arena_strndup(r->a, r->src + start, n);
		if (is_reserved(t->u.atom))
			return rd_error(r, line, col, "'%s' is a reserved word, not a term", t->u.atom);
		*out = t;
		return 0;
	}
	if ((c >= 'A' && c <= 'Z') || c == '_')
		return rd_error(r, line, col, "variables are not allowed in data");
	if (c == 0)
		return rd_error(r, line, col, "NUL byte in input");
	if (c >= 0x80) {
		uint32_t cp;
		if (!utf8_len((const unsigned char *)r->src + r->pos, r->len - r->pos, &cp))
			return rd_error(r, line, col, "invalid UTF-8");
	}
	if (c >= 0x20 && c < 0x7f)
		return rd_error(r, line, col, "unexpected '%c'", c);
	return rd_error(r, line, col, "unexpected character 0x%02x", c);
}

int term_consult(struct arena *a, const char *file, const char *src, size_t len,
		 struct term ***terms, size_t *n, struct errbuf *err)
{
	struct reader r = { a, file ? file : "<input>", src, len, 0, 1, 1, 0, err, STRBUF_INIT };
	VEC(struct term *) out = {0};
	int rc = 0;

	/* a UTF-8 byte order mark is allowed at the start */
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		r.pos = 3;
	for (;;) {
		if ((rc = skip_ws(&r)))
			break;
		if (r.pos >= r.len)
			break;
		struct term *t;
		if ((rc = parse_term(&r, &t)))
			break;
		if ((rc = skip_ws(&r)))
			break;
		if (peekc(&r, 0) != '.') {
			rc = peekc(&r, 0) < 0 ? rd_error(&r, r.line, r.col, "unexpected end of input, expected '.'")
					      : rd_error(&r, r.line, r.col, "expected '.' after term");
			break;
		}
		advance(&r);
		int c = peekc(&r, 0);
		if (!(c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '%' || c == '\f' || c == '\v')) {
			rc = rd_error(&r, r.line, r.col, "expected whitespace after '.'");
			break;
		}
		VEC_PUSH(&out, t);
	}
	sb_release(&r.tmp);
	if (rc) {
		VEC_RELEASE(&out);
		return rc;
	}
	*n = out.n;
	*terms = arena_memdup(a, out.items, out.n * sizeof(*out.items));
	VEC_RELEASE(&out);
	return 0;
}

int term_consult_file(struct arena *a, const char *path, struct term ***terms,
		      size_t *n, struct errbuf *err)
{
	char *data;
	size_t len;
	int rc = fileio_read(path, &data, &len, err);
	if (rc)
		return rc;
	rc = term_consult(a, strcmp(path, "-") ? path : "<stdin>", data, len, terms, n, err);
	free(data);
	return rc;
}

/* ---- building ----------------------------------------------------------- */

static struct term *mk(struct arena *a, enum term_type type)
{
	struct term *t = arena_zalloc(a, sizeof(*t));
	t->type = type;
	return t;
}

struct term *term_atom(struct arena *a, const char *name)
{
	struct term *t = mk(a, TERM_ATOM);
	t->u.atom = arena_strdup(a, name);
	return t;
}

struct term *term_int(struct arena *a, int64_t i)
{
	struct term *t = mk(a, TERM_INT);
	t->u.i = i;
	return t;
}

struct term *term_float(struct arena *a, double f)
{
	struct term *t = mk(a, TERM_FLOAT);
	t->u.f = f;
	return t;
}

struct term *term_string(struct arena *a, const char *s)
{
	struct term *t = mk(a, TERM_STRING);
	t->u.str.len = strlen(s);
	t->u.str.s = arena_strdup(a, s);
	return t;
}

static struct term *mkseq(struct arena *a, enum term_type type, size_t n, struct term *const *items)
{
	struct term *t = mk(a, type);
	t->u.seq.n = n;
	t->u.seq.items = arena_memdup(a, items, n * sizeof(*items));
	return t;
}

struct term *term_tuple(struct arena *a, size_t n, struct term *const *items)
{
	return mkseq(a, TERM_TUPLE, n, items);
}

struct term *term_list(struct arena *a, size_t n, struct term *const *items)
{
	return mkseq(a, TERM_LIST, n, items);
}

struct term *term_nil(struct arena *a)
{
	return mk(a, TERM_LIST);
}

static struct term *mkseqv(struct arena *a, enum term_type type, size_t n, va_list ap)
{
	struct term *t = mk(a, type);
	t->u.seq.n = n;
	t->u.seq.items = n ? arena_alloc(a, n * sizeof(struct term *)) : NULL;
	for (size_t i = 0; i < n; i++)
		t->u.seq.items[i] = va_arg(ap, struct term *);
	return t;
}

struct term *term_tuplev(struct arena *a, size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	struct term *t = mkseqv(a, TERM_TUPLE, n, ap);
	va_end(ap);
	return t;
}

struct term *term_listv(struct arena *a, size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	struct term *t = mkseqv(a, TERM_LIST, n, ap);
	va_end(ap);
	return t;
}

/* ---- inspecting --------------------------------------------------------- */

int term_is_atom(const struct term *t, const char *name)
{
	return t && t->type == TERM_ATOM && (!name || !strcmp(t->u.atom, name));
}

int term_is_tuple(const struct term *t, size_t arity)
{
	return t && t->type == TERM_TUPLE && (arity == (size_t)-1 || t->u.seq.n == arity);
}

int term_is_list(const struct term *t)
{
	return t && ((t->type == TERM_LIST && !t->u.seq.tail) || t->type == TERM_STRING);
}

/* Decodes the string's code points into a freshly allocated array. */
static size_t string_codes(const struct term *t, uint32_t **codes)
{
	size_t n = 0;
	*codes = xmalloc((t->u.str.len + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < t->u.str.len;) {
		uint32_t cp;
		size_t k = utf8_len((const unsigned char *)t->u.str.s + i, t->u.str.len - i, &cp);
		if (!k) {
			cp = (unsigned char)t->u.str.s[i];
			k = 1;
		}
		(*codes)[n++] = cp;
		i += k;
	}
	return n;
}

size_t term_list_len(const struct term *t)
{
	if (t->type == TERM_STRING)
		return utf8_count(t->u.str.s, t->u.str.len);
	return t->u.seq.n;
}

struct term *term_elem(const struct term *t, size_t i)
{
	if (!t || (t->type != TERM_TUPLE && t->type != TERM_LIST) || i >= t->u.seq.n)
		return NULL;
	return t->u.seq.items[i];
}

int term_is_tagged(const struct term *t, const char *tag, size_t arity)
{
	return term_is_tuple(t, arity) && t->u.seq.n > 0 && term_is_atom(t->u.seq.items[0], tag);
}

int term_is_charlist(const struct term *t)
{
	if (!t)
		return 0;
	if (t->type == TERM_STRING)
		return 1;
	if (t->type != TERM_LIST || t->u.seq.tail)
		return 0;
	for (size_t i = 0; i < t->u.seq.n; i++) {
		const struct term *e = t->u.seq.items[i];
		if (e->type != TERM_INT || e->u.i < 0 || e->u.i > 0x10FFFF ||
		    (e->u.i >= 0xD800 && e->u.i <= 0xDFFF))
			return 0;
	}
	return 1;
}

const char *term_charlist(struct arena *a, const struct term *t)
{
	if (!term_is_charlist(t))
		return NULL;
	if (t->type == TERM_STRING) /* a copy in a: t may live in a shorter-lived arena */
		return arena_strndup(a, t->u.str.s, t->u.str.len);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < t->u.seq.n; i++)
		utf8_put(&sb, (uint32_t)t->u.seq.items[i]->u.i);
	const char *s = arena_strndup(a, sb.buf, sb.len);
	sb_release(&sb);
	return s;
}

static int type_rank(const struct term *t)
{
	switch (t->type) {
	case TERM_INT:
	case TERM_FLOAT: return 0;
	case TERM_ATOM: return 1;
	case TERM_TUPLE: return 3;
	case TERM_MAP: return 4;
	case TERM_STRING:
	case TERM_LIST: return 5;
	case TERM_BINARY: return 6;
	}
	return 7;
}

static int cmp_num(const struct term *a, const struct term *b)
{
	if (a->type == TERM_INT && b->type == TERM_INT)
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	double x = a->type == TERM_INT ? (double)a->u.i : a->u.f;
	double y = b->type == TERM_INT ? (double)b->u.i : b->u.f;
	return x < y ? -1 : x > y;
}

/* Compares lists where either may be a string; exact selects =:= semantics
 * for the elements. */
static int cmp_lists(const struct term *a, const struct term *b)
{
	uint32_t *ca = NULL, *cb = NULL;
	size_t na, nb;
	int r = 0;
	if (a->type == TERM_STRING && b->type == TERM_STRING) {
		size_t m = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
		int c = memcmp(a->u.str.s, b->u.str.s, m);
		if (c)
			return c < 0 ? -1 : 1;
		return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
	}
	na = a->type == TERM_STRING ? string_codes(a, &ca) : a->u.seq.n;
	nb = b->type == TERM_STRING ? string_codes(b, &cb) : b->u.seq.n;
	for (size_t i = 0; i < na && i < nb && !r; i++) {
		struct term ta, tb;
		const struct term *ea, *eb;
		if (ca) {
			ta.type = TERM_INT;
			ta.u.i = ca[i];
			ea = &ta;
		} else {
			ea = a->u.seq.items[i];
		}
		if (cb) {
			tb.type = TERM_INT;
			tb.u.i = cb[i];
			eb = &tb;
		} else {
			eb = b->u.seq.items[i];
		}
		r = term_compare(ea, eb);
	}
	if (!r) {
		if (na != nb)
			r = na < nb ? -1 : 1;
		else {
			const struct term *ta = a->type == TERM_LIST ? a->u.seq.tail : NULL;
			const struct term *tb = b->type == TERM_LIST ? b->u.seq.tail : NULL;
			if (ta || tb)
				r = !ta ? -1 : !tb ? 1 : term_compare(ta, tb);
		}
	}
	free(ca);
	free(cb);
	return r;
}

int term_compare(const struct term *a, const struct term *b)
{
	int ra = type_rank(a), rb = type_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	switch (a->type) {
	case TERM_INT:
	case TERM_FLOAT:
		return cmp_num(a, b);
	case TERM_ATOM: {
		int c = strcmp(a->u.atom, b->u.atom);
		return c < 0 ? -1 : c > 0;
	}
	case TERM_TUPLE:
	case TERM_MAP:
		if (a->u.seq.n != b->u.seq.n)
			return a->u.seq.n < b->u.seq.n ? -1 : 1;
		for (size_t i = 0; i < a->u.seq.n; i++) {
			int c = term_compare(a->u.seq.items[i], b->u.seq.items[i]);
			if (c)
				return c;
		}
		return 0;
	case TERM_STRING:
	case TERM_LIST:
		return cmp_lists(a, b);
	case TERM_BINARY: {
		size_t m = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
		int c = memcmp(a->u.str.s, b->u.str.s, m);
		if (c)
			return c < 0 ? -1 : 1;
		return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
	}
	}
	return 0;
}

int term_equal(const struct term *a, const struct term *b)
{
	if (a == b)
		return 1;
	if (!a || !b)
		return 0;
	/* =:= distinguishes 1 from 1.0 */
	if ((a->type == TERM_INT) != (b->type == TERM_INT) &&
	    (a->type == TERM_INT || a->type == TERM_FLOAT) && (b->type == TERM_INT || b->type == TERM_FLOAT))
		return 0;
	if (a->type == TERM_FLOAT && b->type == TERM_FLOAT)
		return a->u.f == b->u.f;
	return term_compare(a, b) == 0 && (a->type != TERM_LIST || b->type != TERM_LIST ||
					   a->u.seq.n == b->u.seq.n);
}

/* ---- writing ------------------------------------------------------------ */

static int atom_needs_quotes(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 1;
	for (const char *p = s; *p; p++)
		if (!is_name_char((unsigned char)*p))
			return 1;
	return is_reserved(s);
}

static void write_char_escaped(struct strbuf *sb, uint32_t c, int q)
{
	switch (c) {
	case '\n': sb_adds(sb, "\\n"); return;
	case '\t': sb_adds(sb, "\\t"); return;
	case '\r': sb_adds(sb, "\\r"); return;
	case '\b': sb_adds(sb, "\\b"); return;
	case '\f': sb_adds(sb, "\\f"); return;
	case '\v': sb_adds(sb, "\\v"); return;
	case 27: sb_adds(sb, "\\e"); return;
	case 127: sb_adds(sb, "\\d"); return;
	case '\\': sb_adds(sb, "\\\\"); return;
	default: break;
	}
	if ((int)c == q) {
		sb_addc(sb, '\\');
		sb_addc(sb, q);
	} else if (c < 0x20) {
		sb_addf(sb, "\\%03o", c);
	} else {
		utf8_put(sb, c);
	}
}

void term_write_atom(struct strbuf *sb, const char *name)
{
	if (!atom_needs_quotes(name)) {
		sb_adds(sb, name);
		return;
	}
	sb_addc(sb, '\'');
	size_t len = strlen(name);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_len((const unsigned char *)name + i, len - i, &cp);
		if (!k) {
			cp = (unsigned char)name[i];
			k = 1;
		}
		write_char_escaped(sb, cp, '\'');
		i += k;
	}
	sb_addc(sb, '\'');
}

/* Whether a list of integers reads as a string (~p's choice, simplified:
 * every element a printable Unicode character or a common control). */
static int printable_charlist(const struct term *t)
{
	if (t->type != TERM_LIST || t->u.seq.tail || t->u.seq.n == 0)
		return 0;
	for (size_t i = 0; i < t->u.seq.n; i++) {
		const struct term *e = t->u.seq.items[i];
		if (e->type != TERM_INT)
			return 0;
		int64_t c = e->u.i;
		if (!((c >= 0x20 && c < 0x7f) || (c >= 0xA0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF)) ||
		      c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f' || c == '\v' || c == 27))
			return 0;
	}
	return 1;
}

static void write_float(struct strbuf *sb, double f)
{
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	/* Erlang needs digits on both sides of the point: 1.0e10, not 1e10 */
	char *e = strchr(buf, 'e');
	char mant[64], exp[32] = "";
	if (e) {
		snprintf(exp, sizeof(exp), "%s", e);
		*e = '\0';
	}
	snprintf(mant, sizeof(mant), "%s", buf);
	if (!strchr(mant, '.'))
		strcat(mant, ".0");
	sb_adds(sb, mant);
	if (*exp) {
		/* e+10 -> e10, e-05 -> e-5 */
		const char *p = exp + 1;
		int neg = *p == '-';
		if (*p == '+' || *p == '-')
			p++;
		while (*p == '0' && p[1])
			p++;
		sb_addf(sb, "e%s%s", neg ? "-" : "", p);
	}
}

static void write_term(struct strbuf *sb, const struct term *t)
{
	switch (t->type) {
	case TERM_ATOM:
		term_write_atom(sb, t->u.atom);
		break;
	case TERM_INT:
		sb_addf(sb, "%lld", (long long)t->u.i);
		break;
	case TERM_FLOAT:
		write_float(sb, t->u.f);
		break;
	case TERM_STRING:
		sb_addc(sb, '"');
		for (size_t i = 0; i < t->u.str.len;) {
			uint32_t cp;
			size_t k = utf8_len((const unsigned char *)t->u.str.s + i, t->u.str.len - i, &cp);
			if (!k) {
				cp = (unsigned char)t->u.str.s[i];
				k = 1;
			}
			write_char_escaped(sb, cp, '"');
			i += k;
		}
		sb_addc(sb, '"');
		break;
	case TERM_BINARY: {
		int text = 1;
		for (size_t i = 0; i < t->u.str.len; i++) {
			unsigned char c = (unsigned char)t->u.str.s[i];
			if (c < 0x20 || c >= 0x7f)
				text = 0;
		}
		sb_adds(sb, "<<");
		if (text && t->u.str.len) {
			sb_addc(sb, '"');
			for (size_t i = 0; i < t->u.str.len; i++)
				write_char_escaped(sb, (unsigned char)t->u.str.s[i], '"');
			sb_addc(sb, '"');
		} else {
			for (size_t i = 0; i < t->u.str.len; i++)
				sb_addf(sb, "%s%u", i ? "," : "", (unsigned char)t->u.str.s[i]);
		}
		sb_adds(sb, ">>");
		break;
	}
	case TERM_TUPLE:
		sb_addc(sb, '{');
		for (size_t i = 0; i < t->u.seq.n; i++) {
			if (i)
				sb_addc(sb, ',');
			write_term(sb, t->u.seq.items[i]);
		}
		sb_addc(sb, '}');
		break;
	case TERM_LIST:
		if (printable_charlist(t)) {
			sb_addc(sb, '"');
			for (size_t i = 0; i < t->u.seq.n; i++)
				write_char_escaped(sb, (uint32_t)t->u.seq.items[i]->u.i, '"');
			sb_addc(sb, '"');
			break;
		}
		sb_addc(sb, '[');
		for (size_t i = 0; i < t->u.seq.n; i++) {
			if (i)
				sb_addc(sb, ',');
			write_term(sb, t->u.seq.items[i]);
		}
		if (t->u.seq.tail) {
			sb_addc(sb, '|');
			write_term(sb, t->u.seq.tail);
		}
		sb_addc(sb, ']');
		break;
	case TERM_MAP:
		sb_adds(sb, "#{");
		for (size_t i = 0; i + 1 < t->u.seq.n; i += 2) {
			if (i)
				sb_addc(sb, ',');
			write_term(sb, t->u.seq.items[i]);
			sb_adds(sb, " => ");
			write_term(sb, t->u.seq.items[i + 1]);
		}
		sb_addc(sb, '}');
		break;
	}
}

void term_write(struct strbuf *sb, const struct term *t)
{
	write_term(sb, t);
}

void term_write_dot(struct strbuf *sb, const struct term *t)
{
	write_term(sb, t);
	sb_adds(sb, ".\n");
}

/* ---- JSON ------------------------------------------------------------------ */

/* Whether a list of integers reads as text (then JSON gets a string). */
static int json_printable(const struct term *t)
{
	if (t->type != TERM_LIST || t->u.seq.tail || !t->u.seq.n)
		return 0;
	for (size_t i = 0; i < t->u.seq.n; i++) {
		const struct term *e = t->u.seq.items[i];
		if (e->type != TERM_INT)
			return 0;
		int64_t c = e->u.i;
		if (!((c >= 0x20 && c < 0x7f) || (c >= 0xA0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF)) ||
		      c == '\n' || c == '\t' || c == '\r'))
			return 0;
	}
	return 1;
}

/* Appends n bytes of UTF-8 text as the body of a JSON string, through
 * the one JSON escaper (model/jsonw.h). */
static void json_text(struct strbuf *sb, const char *s, size_t n)
{
	jsonw_escape(sb, s, n);
}

/* Appends code point c as the body of a JSON string. */
static void json_code(struct strbuf *sb, uint32_t c)
{
	if (c < 0x80)
		json_text(sb, (const char[]){ (char)c }, 1);
	else
		utf8_put(sb, c);
}

/* The mapping is documented in term.h. */
void term_write_json(struct strbuf *sb, const struct term *t)
{
	switch (t->type) {
	case TERM_ATOM:
		sb_addc(sb, '"');
		json_text(sb, t->u.atom, strlen(t->u.atom));
		sb_addc(sb, '"');
		break;
	case TERM_INT:
		sb_addf(sb, "%lld", (long long)t->u.i);
		break;
	case TERM_FLOAT:
		sb_addf(sb, "{\"float\": %.17g}", t->u.f);
		break;
	case TERM_STRING:
		if (!t->u.str.len) {
			sb_adds(sb, "{\"list\": []}");
			break;
		}
		sb_adds(sb, "{\"string\": \"");
		json_text(sb, t->u.str.s, t->u.str.len);
		sb_adds(sb, "\"}");
		break;
	case TERM_BINARY:
		sb_adds(sb, "{\"binary\": [");
		for (size_t i = 0; i < t->u.str.len; i++)
			sb_addf(sb, "%s%u", i ? ", " : "", (unsigned char)t->u.str.s[i]);
		sb_adds(sb, "]}");
		break;
	case TERM_TUPLE:
		sb_addc(sb, '[');
		for (size_t i = 0; i < t->u.seq.n; i++) {
			if (i)
				sb_adds(sb, ", ");
			term_write_json(sb, t->u.seq.items[i]);
		}
		sb_addc(sb, ']');
		break;
	case TERM_LIST:
		if (json_printable(t)) {
			sb_adds(sb, "{\"string\": \"");
			for (size_t i = 0; i < t->u.seq.n; i++)
				json_code(sb, (uint32_t)t->u.seq.items[i]->u.i);
			sb_adds(sb, "\"}");
			break;
		}
		sb_adds(sb, "{\"list\": [");
		for (size_t i = 0; i < t->u.seq.n; i++) {
			if (i)
				sb_adds(sb, ", ");
			term_write_json(sb, t->u.seq.items[i]);
		}
		sb_addc(sb, ']');
		if (t->u.seq.tail) {
			sb_adds(sb, ", \"tail\": ");
			term_write_json(sb, t->u.seq.tail);
		}
		sb_addc(sb, '}');
		break;
	case TERM_MAP:
		sb_adds(sb, "{\"map\": [");
		for (size_t i = 0; i + 1 < t->u.seq.n; i += 2) {
			if (i)
				sb_adds(sb, ", ");
			sb_addc(sb, '[');
			term_write_json(sb, t->u.seq.items[i]);
			sb_adds(sb, ", ");
			term_write_json(sb, t->u.seq.items[i + 1]);
			sb_addc(sb, ']');
		}
		sb_adds(sb, "]}");
		break;
	}
}
