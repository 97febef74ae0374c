/*
 * jsonw.c - the JSON writer and escaper (see jsonw.h for the layouts).
 *
 * Invariant: the bytes between two members are decided in one place,
 * place_member(), from the layout of the container they are in; the bytes
 * of a string in another, jsonw_escape().
 */
#include "jsonw.h"

#include <assert.h>
#include <string.h>

void jsonw_escape(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* bytes copied as they are, not yet appended */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(sb, p + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		default: {
			char u[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sb_add(sb, u, sizeof(u));
		}
		}
	}
	sb_add(sb, p + run, n - run);
}

void jsonw_init(struct jsonw *w, struct strbuf *sb, unsigned indent)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->indent = indent;
}

static void put_indent(struct strbuf *sb, unsigned level)
{
	for (unsigned i = 0; i < level; i++)
		sb_adds(sb, "  ");
}

/* Writes what goes before the next member of the innermost container. */
static void place_member(struct jsonw *w)
{
	struct jsonw_level *c = &w->stack[w->depth - 1];
	switch ((enum jsonw_layout)c->layout) {
	case JSONW_LINES:
		sb_adds(w->sb, c->n ? ",\n" : "\n");
		put_indent(w->sb, c->indent + 1);
		break;
	case JSONW_INLINE:
	case JSONW_SPACED:
		if (c->wrap) {
			assert(c->n);
			sb_adds(w->sb, ",\n");
			put_indent(w->sb, c->indent);
			sb_addc(w->sb, ' ');
		} else if (c->n) {
			sb_adds(w->sb, ", ");
		} else if (c->layout == JSONW_SPACED) {
			sb_addc(w->sb, ' ');
		}
		break;
	}
	c->wrap = 0;
	c->n++;
}

/* Called before every value: a member of an array gets its separator
 * here, one of an object got it from jsonw_key(). */
static void before_value(struct jsonw *w)
{
	if (!w->depth)
		return;
	struct jsonw_level *c = &w->stack[w->depth - 1];
	if (c->is_object) {
		assert(c->has_key); /* a member of an object needs a key */
		c->has_key = 0;
	} else {
		place_member(w);
	}
}

/* The indent level of a value about to open in the current position. */
static unsigned value_indent(const struct jsonw *w)
{
	if (!w->depth)
		return w->indent;
	const struct jsonw_level *c = &w->stack[w->depth - 1];
	return c->layout == JSONW_LINES ? c->indent + 1 : c->indent;
}

/* Enters a container at the current position, with n members so far. */
static void push_level(struct jsonw *w, enum jsonw_layout layout, int is_object, size_t n)
{
	assert(w->depth < JSONW_MAX_DEPTH);
	assert(layout == JSONW_LINES || layout == JSONW_INLINE || layout == JSONW_SPACED);
	unsigned indent = value_indent(w);
	struct jsonw_level *c = &w->stack[w->depth++];
	memset(c, 0, sizeof(*c));
	c->layout = (unsigned char)layout;
	c->is_object = (unsigned char)is_object;
	c->indent = indent;
	c->n = n;
}

static void open_container(struct jsonw *w, enum jsonw_layout layout, int is_object)
{
	before_value(w);
	push_level(w, layout, is_object, 0);
	sb_addc(w->sb, is_object ? '{' : '[');
}

/* The containers resumed are members their parents already counted. */
void jsonw_resume(struct jsonw *w, enum jsonw_layout layout, int is_object, size_t n)
{
	assert(!w->depth || !w->stack[w->depth - 1].has_key);
	push_level(w, layout, is_object, n);
}

void jsonw_object(struct jsonw *w, enum jsonw_layout layout)
{
	open_container(w, layout, 1);
}

void jsonw_array(struct jsonw *w, enum jsonw_layout layout)
{
	open_container(w, layout, 0);
}

void jsonw_end(struct jsonw *w)
{
	assert(w->depth > 0);
	struct jsonw_level *c = &w->stack[--w->depth];
	assert(!c->has_key); /* a key without its value */
	if (c->n && c->layout == JSONW_LINES) {
		sb_addc(w->sb, '\n');
		put_indent(w->sb, c->indent);
	} else if (c->n && c->layout == JSONW_SPACED) {
		sb_addc(w->sb, ' ');
	}
	sb_addc(w->sb, c->is_object ? '}' : ']');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	assert(w->depth > 0 && key);
	struct jsonw_level *c = &w->stack[w->depth - 1];
	assert(c->is_object && !c->has_key);
	place_member(w);
	c->has_key = 1;
	sb_addc(w->sb, '"');
	jsonw_escape(w->sb, key, strlen(key));
	sb_adds(w->sb, "\": ");
}

void jsonw_wrap(struct jsonw *w)
{
	assert(w->depth > 0);
	struct jsonw_level *c = &w->stack[w->depth - 1];
	assert(c->layout != JSONW_LINES && !c->has_key);
	c->wrap = 1;
}

struct strbuf *jsonw_value(struct jsonw *w)
{
	before_value(w);
	return w->sb;
}

void jsonw_raw(struct jsonw *w, const char *json)
{
	assert(json);
	sb_adds(jsonw_value(w), json);
}

void jsonw_string_n(struct jsonw *w, const char *s, size_t n)
{
	before_value(w);
	sb_addc(w->sb, '"');
	jsonw_escape(w->sb, s, n);
	sb_addc(w->sb, '"');
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_string_n(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, long long v)
{
	sb_addf(jsonw_value(w), "%lld", v);
}

void jsonw_uint(struct jsonw *w, unsigned long long v)
{
	sb_addf(jsonw_value(w), "%llu", v);
}

void jsonw_bool(struct jsonw *w, int b)
{
	sb_adds(jsonw_value(w), b ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	sb_adds(jsonw_value(w), "null");
}

void jsonw_hash(struct jsonw *w, uint64_t h)
{
	char hex[17];
	hp_hash_hex(h, hex);
	jsonw_string_n(w, hex, 16);
}
