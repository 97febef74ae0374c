/*
 * strutil.c - string helpers shared by the parser, the registrar, the worker
 * and the hash table. Plain library code: no state, no threads.
 */
#include "strutil.h"

#include <ctype.h>
#include <string.h>

char *str_trim(char *s)
{
    char *end;

    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return s;
}

char *str_next_token(char **cursor)
{
    char *start = *cursor;
    char *p;

    while (*start == ' ' || *start == '\t')
        start++;
    if (*start == '\0') {
        *cursor = start;
        return NULL;
    }
    p = start;
    while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
    if (*p != '\0')
        *p++ = '\0';
    *cursor = p;
    return start;
}

int str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s != '\0') {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

size_t str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (cap == 0)
        return n;
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
    } else {
        memcpy(dst, src, n + 1);
    }
    return n;
}
