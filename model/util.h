/*
 * util.h - memory, strings, vectors, string maps and error buffers shared by
 * every stage of hotplan.
 *
 * Conventions (STYLE.md):
 *  - Out of memory aborts in one place (xmalloc and friends): hotplan is a
 *    command-line tool with nothing better to do.
 *  - _init fills caller storage, _release frees contents, _free frees contents
 *    and struct; every _release/_free of a zeroed or NULL object is a no-op.
 *  - Fallible functions return 0 on success and a negative HP_E* code on
 *    failure, with a human message in a struct errbuf.
 *  - No mutable global state.
 */
#ifndef HOTPLAN_UTIL_H
#define HOTPLAN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define HP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define HP_NORETURN __attribute__((noreturn))
#else
#define HP_PRINTF(f, a)
#define HP_NORETURN
#endif

#define HP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Error codes; exit statuses follow DESIGN.md §5. */
enum hp_status {
	HP_OK = 0,
	HP_EUSAGE = -1,   /* bad usage or bad input: exit 2 */
	HP_EINPUT = -2,   /* malformed input file: exit 2 */
	HP_EIO = -3,      /* cannot read or write a file: exit 2 */
	HP_EPARSE = -4,   /* a translation unit failed to parse: exit 3 */
	HP_ELIMIT = -5,   /* an input exceeds a documented limit: exit 2 */
};

/* ---- allocation ------------------------------------------------------- */

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: realloc of nmemb*size bytes, aborting on overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
HP_NORETURN void hp_die(const char *fmt, ...) HP_PRINTF(1, 2);

/* ---- arena: objects that die together are allocated together ---------- */

/*
 * An arena hands out memory that is freed all at once by arena_release().
 * Blocks are never moved, so pointers stay valid until release. Zeroed
 * storage is a valid empty arena.
 */
struct arena_block;
struct arena {
	struct arena_block *head;
	size_t used;    /* bytes used in head */
	size_t total;   /* bytes handed out in all blocks (statistics) */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Memory aligned for any object; never NULL; contents undefined. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) HP_PRINTF(2, 3);
/* Copies n elements of size sz into the arena (NULL when n is 0). */
void *arena_memdup(struct arena *a, const void *p, size_t n);

/* ---- strbuf: a growable NUL-terminated byte buffer -------------------- */

/*
 * Invariant: buf is never NULL after sb_init (it points at a static empty
 * string until the first write) and buf[len] is always '\0'.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { (char *)"", 0, 0 }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
/* Hands the buffer to the caller, who frees it; sb is reset to empty. */
char *sb_detach(struct strbuf *sb, size_t *len);
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, int c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) HP_PRINTF(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);

/* ---- vectors ---------------------------------------------------------- */

/*
 * VEC(T) declares an anonymous growable array of T; zeroed storage is empty.
 *   VEC(int) v = {0}; VEC_PUSH(&v, 3); ... VEC_RELEASE(&v);
 */
#define VEC(T) struct { T *items; size_t n, alloc; }
#define VEC_GROW(v, want) do { \
	if ((want) > (v)->alloc) { \
		size_t na_ = (v)->alloc ? (v)->alloc * 2 : 8; \
		while (na_ < (want)) na_ *= 2; \
		(v)->items = xreallocarray((v)->items, na_, sizeof(*(v)->items)); \
		(v)->alloc = na_; \
	} } while (0)
#define VEC_PUSH(v, x) do { VEC_GROW((v), (v)->n + 1); \
	(v)->items[(v)->n++] = (x); } while (0)
#define VEC_RELEASE(v) do { free((v)->items); (v)->items = NULL; \
	(v)->n = (v)->alloc = 0; } while (0)

/* ---- hashing ---------------------------------------------------------- */

uint64_t hp_hash64(const void *data, size_t n, uint64_t seed);
uint64_t hp_hash_str(const char *s);
/* Renders h as 16 lower-case hex digits into out[17]. */
void hp_hash_hex(uint64_t h, char out[17]);
/* Parses 16 hex digits; returns 0 or -1. */
int hp_hash_parse(const char *s, uint64_t *out);

/* ---- strmap: string -> void * ------------------------------------------ */

/*
 * Open-addressing hash map from NUL-terminated strings to pointers. Keys are
 * not copied: they must outlive the map (use an arena). Iteration order is
 * unspecified: never let it reach an output; sort first.
 */
struct strmap_entry {
	const char *key;
	void *value;
	uint64_t hash;
};
struct strmap {
	struct strmap_entry *slots;
	size_t n, cap;
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
void *strmap_get(const struct strmap *m, const char *key);
/* Returns 1 and sets *value if key is present, else 0. */
int strmap_lookup(const struct strmap *m, const char *key, void **value);
/* Inserts or replaces; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
/* Iterate: for (size_t i = 0; i < m.cap; i++) if (m.slots[i].key) ... */

/* ---- string helpers ----------------------------------------------------- */

int hp_streq(const char *a, const char *b);      /* NULL-safe equality */
int hp_strcmp_ptr(const void *a, const void *b); /* qsort on const char * */
/* Glob match with '*' and '?' (the state transformer pattern). */
int hp_glob_match(const char *pattern, const char *s);

/* ---- errbuf: the message of the last failure ---------------------------- */

/*
 * A fixed buffer for one user-facing message. Messages follow git's rules:
 * lower case, no full stop, subject quoted, and a position
 * "file:line:column: " in front when there is one.
 */
struct errbuf {
	char msg[1024];
	int status;  /* the enum hp_status of the failure */
};

/* Sets the message and status; returns status so callers can
 * "return hp_error(err, HP_EINPUT, ...)". */
int hp_error(struct errbuf *err, int status, const char *fmt, ...) HP_PRINTF(3, 4);
/* As hp_error with a "file:line:column: " prefix (line/col 0 are omitted). */
int hp_error_at(struct errbuf *err, int status, const char *file,
		unsigned line, unsigned col, const char *fmt, ...) HP_PRINTF(6, 7);
/* The process exit status for a failure status (2 or 3). */
int hp_exit_status(int status);

#endif
