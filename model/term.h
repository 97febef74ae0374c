/*
 * term.h - Erlang terms: the syntax of appups, relups, scripts and
 * hotplan.config.
 *
 * The reader accepts what file:consult/1 accepts for data: atoms (plain and
 * quoted), integers (with base# and $c forms and _ separators), floats,
 * strings (adjacent strings concatenate), binaries of strings and integers,
 * tuples, lists (proper and improper), maps, and % comments; every term ends
 * with '.'. Variables, pids, funs and expressions are rejected. Errors name
 * file:line:column. Nesting depth is limited (TERM_MAX_DEPTH).
 *
 * Terms live in the caller's arena and are immutable once built.
 *
 * Strings: "abc" reads as TERM_STRING, but compares equal to the list
 * [97,98,99], as in Erlang; "" equals [].
 */
#ifndef HOTPLAN_TERM_H
#define HOTPLAN_TERM_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

#define TERM_MAX_DEPTH 1000  /* 10000 overflowed an 8 MB stack under ASan */
#define TERM_MAX_ATOM 255     /* characters, as in the Erlang VM */

enum term_type {
	TERM_ATOM,
	TERM_INT,
	TERM_FLOAT,
	TERM_STRING,  /* u.str: bytes (UTF-8) */
	TERM_BINARY,  /* u.str: bytes */
	TERM_TUPLE,   /* u.seq */
	TERM_LIST,    /* u.seq; tail NULL for a proper list */
	TERM_MAP,     /* u.seq: items are k1, v1, k2, v2, ... */
};

struct term {
	enum term_type type;
	unsigned line, col;  /* where it starts in its file; 0 when built */
	union {
		const char *atom;
		int64_t i;
		double f;
		struct {
			const char *s;
			size_t len;
		} str;
		struct {
			struct term **items;
			size_t n;
			struct term *tail;
		} seq;
	} u;
};

/* ---- reading ---------------------------------------------------------- */

/*
 * Reads every term of src (len bytes; need not be NUL-terminated) like
 * file:consult/1. On success *terms is an arena array of *n terms.
 * On failure returns HP_EINPUT/HP_ELIMIT and err says file:line:column.
 */
int term_consult(struct arena *a, const char *file, const char *src, size_t len,
		 struct term ***terms, size_t *n, struct errbuf *err);

/* Reads a file ("-" for stdin) and consults it. */
int term_consult_file(struct arena *a, const char *path, struct term ***terms,
		      size_t *n, struct errbuf *err);

/* ---- building ----------------------------------------------------------- */

struct term *term_atom(struct arena *a, const char *name);  /* name copied */
struct term *term_int(struct arena *a, int64_t i);
struct term *term_float(struct arena *a, double f);
struct term *term_string(struct arena *a, const char *s);   /* s copied */
/* items are copied (the pointers, not the terms) */
struct term *term_tuple(struct arena *a, size_t n, struct term *const *items);
struct term *term_list(struct arena *a, size_t n, struct term *const *items);
/* term_tuplev(a, n, t1, t2, ...): a tuple of n terms. */
struct term *term_tuplev(struct arena *a, size_t n, ...);
struct term *term_listv(struct arena *a, size_t n, ...);
struct term *term_nil(struct arena *a);

/* ---- inspecting --------------------------------------------------------- */

int term_is_atom(const struct term *t, const char *name);  /* name NULL: any atom */
int term_is_tuple(const struct term *t, size_t arity);     /* arity (size_t)-1: any */
/* A proper list (a TERM_STRING counts as a list of character codes). */
int term_is_list(const struct term *t);
/* Length of a proper list or string; elements of strings are not terms. */
size_t term_list_len(const struct term *t);
/* The i-th element of a tuple or proper list (not of a string). */
struct term *term_elem(const struct term *t, size_t i);
/* Whether the tuple's first element is the atom tag. */
int term_is_tagged(const struct term *t, const char *tag, size_t arity);
/* A string or a list of integers 0..0x10FFFF (Erlang's io_lib:printable_list
 * test is not applied: any charlist counts). */
int term_is_charlist(const struct term *t);
/* If t is a charlist, returns it as a UTF-8 string copied into a (so it
 * outlives t's own arena), else NULL. */
const char *term_charlist(struct arena *a, const struct term *t);
/* Erlang's =:= (exact equality), with "abc" =:= [97,98,99]. */
int term_equal(const struct term *a, const struct term *b);
/* Erlang's standard term order (number < atom < tuple < map < list <
 * binary); returns <0, 0, >0. Strings compare as lists. */
int term_compare(const struct term *a, const struct term *b);

/* ---- writing ------------------------------------------------------------ */

/*
 * Appends t in Erlang syntax that file:consult/1 reads back to an equal
 * term: atoms quoted when needed, charlists of printable Latin-1/Unicode as
 * "strings" (as ~p does), no line breaks, no spaces except after commas in
 * maps (" => "). The output is deterministic.
 */
void term_write(struct strbuf *sb, const struct term *t);
/* Appends t followed by ".\n". */
void term_write_dot(struct strbuf *sb, const struct term *t);
/* Appends an atom, quoted if needed. */
void term_write_atom(struct strbuf *sb, const char *name);

/*
 * Appends t as JSON, the one mapping every JSON output of hotplan uses:
 * atom -> "name"; integer -> number; float -> {"float": number};
 * tuple -> [elements]; list -> {"list": [elements]} (an improper list also
 * has "tail"); printable charlist or string -> {"string": "text"};
 * binary -> {"binary": [bytes]}; map -> {"map": [[key, value], ...]}.
 * Deterministic; no newlines.
 */
void term_write_json(struct strbuf *sb, const struct term *t);

#endif
