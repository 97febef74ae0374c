/*
 * jsonw.h - the JSON writer every hotplan output goes through (facts,
 * runtime, diff, plan, findings, simulate, SARIF), and the one JSON string
 * escaper.
 *
 * A struct jsonw appends to a caller's struct strbuf. Each container is
 * opened with a layout, which decides the bytes between its members:
 *
 *   JSONW_LINES   one member per line, two spaces of indent per level:
 *                 {\n  "a": 1,\n  "b": 2\n}      (empty: {} or [])
 *   JSONW_INLINE  on one line: {"a": 1, "b": 2}
 *   JSONW_SPACED  on one line, padded inside: { "a": 1, "b": 2 }
 *
 * A container's indent is that of the line it opens on: one more than its
 * parent's in a JSONW_LINES parent, its parent's otherwise. jsonw_wrap()
 * starts the next member of an inline container on a new line, one column
 * right of the container's opening bracket.
 *
 * Invariants: every string goes through jsonw_escape(), so no input can end
 * a string early; the output depends only on the calls made (no locale, no
 * floating point), so the same calls give the same bytes. Misuse (a value
 * without a key in an object, a key in an array, unbalanced ends, nesting
 * deeper than JSONW_MAX_DEPTH) is a bug and asserts.
 */
#ifndef HOTPLAN_JSONW_H
#define HOTPLAN_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

#define JSONW_MAX_DEPTH 32

enum jsonw_layout { JSONW_LINES, JSONW_INLINE, JSONW_SPACED };

struct jsonw_level {
	unsigned char layout;    /* enum jsonw_layout */
	unsigned char is_object;
	unsigned char has_key;   /* objects: a key waits for its value */
	unsigned char wrap;      /* inline: the next member starts a new line */
	unsigned indent;         /* indent level of the line it opens on */
	size_t n;                /* members so far */
};

struct jsonw {
	struct strbuf *sb;
	unsigned indent;  /* indent level of the outermost value */
	int depth;        /* open containers */
	struct jsonw_level stack[JSONW_MAX_DEPTH];
};

/*
 * Starts writing one value to sb. indent is the indent level of the line
 * the value starts on (0 for a whole document; a writer that fills the
 * value of a member at level 1 passes 1). Nothing to release.
 */
void jsonw_init(struct jsonw *w, struct strbuf *sb, unsigned indent);

/* Containers: open, then members (jsonw_key + value in objects), then end. */
void jsonw_object(struct jsonw *w, enum jsonw_layout layout);
void jsonw_array(struct jsonw *w, enum jsonw_layout layout);
void jsonw_end(struct jsonw *w);
/*
 * Continues a document another writer left open on the same buffer (one
 * written by several callbacks): enters, without writing anything, a
 * container of that layout and kind that already has n members; call it
 * from the outermost container inwards, as they were opened. jsonw_end()
 * closes a resumed container as usual.
 */
void jsonw_resume(struct jsonw *w, enum jsonw_layout layout, int is_object, size_t n);
/* In an object: the member name of the next value (escaped). */
void jsonw_key(struct jsonw *w, const char *key);
/* In an inline container: the next member starts on a new line. */
void jsonw_wrap(struct jsonw *w);

/* Values. jsonw_string() writes null for NULL; jsonw_string_n() takes n
 * bytes, NULs included. */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_string_n(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_uint(struct jsonw *w, unsigned long long v);
void jsonw_bool(struct jsonw *w, int b);
void jsonw_null(struct jsonw *w);
/* A 64-bit hash as a string of 16 lower-case hex digits. */
void jsonw_hash(struct jsonw *w, uint64_t h);
/* A value already rendered as JSON by the caller (a version's digits);
 * appended as is. */
void jsonw_raw(struct jsonw *w, const char *json);
/* Places the next value and returns the buffer the caller appends exactly
 * one JSON value to (what term_write_json() renders). */
struct strbuf *jsonw_value(struct jsonw *w);

/*
 * The JSON escaper: appends n bytes of s as the body of a JSON string
 * (no quotes). '"' and '\\' get a backslash, newline, carriage return and
 * tab their short escapes, other bytes below 0x20 (NUL included) \u00XX;
 * every other byte, UTF-8 sequences included, passes through unchanged.
 */
void jsonw_escape(struct strbuf *sb, const char *s, size_t n);

#endif
