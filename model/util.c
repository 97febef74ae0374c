/*
 * util.c - allocation, arena, strbuf, hashing, strmap, errbuf.
 *
 * The strmap is open addressing with linear probing; its capacity is a power
 * of two and it is at most 3/4 full, so every probe sequence ends at an empty
 * slot. Keys are hashed with XXH3 (xxhash).
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- allocation ------------------------------------------------------- */

void hp_die(const char *fmt, ...)
{
	va_list ap;
	fputs("hotplan: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		hp_die("out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		hp_die("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		hp_die("out of memory allocating %zu bytes", n);
	return q;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		hp_die("allocation of %zu x %zu bytes overflows", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- arena ------------------------------------------------------------ */

struct arena_block {
	struct arena_block *next;
	size_t size;
	max_align_t data[];
};

#define ARENA_BLOCK 65536
#define ARENA_ALIGN (_Alignof(max_align_t))

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (need < n)
		hp_die("arena allocation of %zu bytes overflows", n);
	if (!a->head || a->used + need > a->head->size) {
		size_t size = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
		struct arena_block *b;
		if (size > SIZE_MAX - sizeof(*b))
			hp_die("arena allocation of %zu bytes overflows", n);
		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		if (size == need && a->head) {
			/* a large object: keep the current block in front */
			b->next = a->head->next;
			a->head->next = b;
			a->total += need;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
		a->used = 0;
	}
	void *p = (char *)a->head->data + a->used;
	a->used += need;
	a->total += need;
	return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	char *p = arena_strndup(a, sb.buf, sb.len);
	sb_release(&sb);
	return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
	if (!n)
		return NULL;
	void *q = arena_alloc(a, n);
	memcpy(q, p, n);
	return q;
}

/* ---- strbuf ----------------------------------------------------------- */

void sb_init(struct strbuf *sb)
{
	sb->buf = (char *)"";
	sb->len = sb->alloc = 0;
}

void sb_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb_init(sb);
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *p;
	if (len)
		*len = sb->len;
	p = sb->alloc ? sb->buf : xstrdup("");
	sb_init(sb);
	return p;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	if (extra > SIZE_MAX - sb->len - 1)
		hp_die("string of %zu + %zu bytes overflows", sb->len, extra);
	size_t want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return;
	size_t na = sb->alloc ? sb->alloc : 64;
	while (na < want)
		na = na > SIZE_MAX / 2 ? want : na * 2;
	if (sb->alloc) {
		sb->buf = xrealloc(sb->buf, na);
	} else {
		char *p = xmalloc(na);
		memcpy(p, sb->buf, sb->len + 1);
		sb->buf = p;
	}
	sb->alloc = na;
}

void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	if (sb->alloc - sb->len <= n)  /* also true for the unallocated "" (alloc 0) */
		sb_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, int c)
{
	if (sb->alloc - sb->len <= 1)
		sb_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		hp_die("bad format string '%s'", fmt);
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

/* ---- hashing ---------------------------------------------------------- */

uint64_t hp_hash64(const void *data, size_t n, uint64_t seed)
{
	return XXH3_64bits_withSeed(data, n, seed);
}

uint64_t hp_hash_str(const char *s)
{
	return XXH3_64bits(s, strlen(s));
}

void hp_hash_hex(uint64_t h, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--) {
		out[i] = hex[h & 15];
		h >>= 4;
	}
	out[16] = '\0';
}

int hp_hash_parse(const char *s, uint64_t *out)
{
	uint64_t h = 0;
	int i;
	for (i = 0; i < 16; i++) {
		char c = s[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		h = (h << 4) | (uint64_t)d;
	}
	if (s[16])
		return -1;
	*out = h;
	return 0;
}

/* ---- strmap ----------------------------------------------------------- */

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void strmap_release(struct strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct strmap_entry *strmap_find(const struct strmap *m, const char *key,
					uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct strmap_entry *e = &m->slots[i];
		if (!e->key || (e->hash == h && !strcmp(e->key, key)))
			return e;
	}
}

static void strmap_rehash(struct strmap *m, size_t cap)
{
	struct strmap_entry *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = xcalloc(cap, sizeof(*m->slots));
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*strmap_find(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

int strmap_lookup(const struct strmap *m, const char *key, void **value)
{
	if (!m->n)
		return 0;
	struct strmap_entry *e = strmap_find(m, key, hp_hash_str(key));
	if (!e->key)
		return 0;
	if (value)
		*value = e->value;
	return 1;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	void *v = NULL;
	strmap_lookup(m, key, &v);
	return v;
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		strmap_rehash(m, m->cap ? m->cap * 2 : 16);
	uint64_t h = hp_hash_str(key);
	struct strmap_entry *e = strmap_find(m, key, h);
	if (e->key) {
		void *prev = e->value;
		e->value = value;
		return prev;
	}
	e->key = key;
	e->hash = h;
	e->value = value;
	m->n++;
	return NULL;
}

/* ---- strings ---------------------------------------------------------- */

int hp_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

int hp_strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int hp_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *ss = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			ss = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++ss;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* ---- errbuf ----------------------------------------------------------- */

int hp_error(struct errbuf *err, int status, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->status = status;
	}
	return status;
}

int hp_error_at(struct errbuf *err, int status, const char *file,
		unsigned line, unsigned col, const char *fmt, ...)
{
	if (err) {
		size_t n = 0;
		if (file && line && col)
			n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: ", file, line, col);
		else if (file && line)
			n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s:%u: ", file, line);
		else if (file)
			n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s: ", file);
		if (n >= sizeof(err->msg))
			n = sizeof(err->msg) - 1;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
		va_end(ap);
		err->status = status;
	}
	return status;
}

int hp_exit_status(int status)
{
	return status == HP_EPARSE ? 3 : 2;
}
