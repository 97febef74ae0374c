/* strutil.h - small string helpers. */
#ifndef STRUTIL_H
#define STRUTIL_H

#include <stddef.h>
#include <stdint.h>

char *str_trim(char *s);                  /* in place; returns the first non-blank */
char *str_next_token(char **cursor);      /* splits on blanks; NULL at the end */
int str_has_prefix(const char *s, const char *prefix);
uint32_t str_hash(const char *s);         /* FNV-1a, 32 bits */
size_t str_copy(char *dst, size_t cap, const char *src); /* always terminates */

#endif
