/* buf.h - growable byte buffer, always NUL-terminated once used. */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
int buf_grow(struct buf *b, size_t need);   /* room for NEED more bytes + NUL */
int buf_append(struct buf *b, const char *s, size_t n);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *buf_cstr(const struct buf *b);
void buf_reset(struct buf *b);

#endif
