/*
 * calltab.c - string-keyed hash table with separate chaining.
 * Holds the calls in progress (session.c) and the registrations
 * (registrar.c). Not thread-safe: callers hold their own lock.
 */
#include "calltab.h"
#include "strutil.h"

#include <stdlib.h>
#include <string.h>

struct ct_entry {
    char *key;
    void *value;
    struct ct_entry *next;
};

struct calltab {
    struct ct_entry **buckets;
    size_t nbuckets;
    size_t count;
};

static struct ct_entry **find_slot(const struct calltab *t, const char *key)
{
    struct ct_entry **pp = &t->buckets[str_hash(key) % t->nbuckets];

    while (*pp != NULL && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    return pp;
}

struct calltab *calltab_new(size_t nbuckets)
{
    struct calltab *t = malloc(sizeof *t);

    if (t == NULL)
        return NULL;
    t->nbuckets = nbuckets ? nbuckets : 64;
    t->count = 0;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (t->buckets == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void calltab_free(struct calltab *t, void (*free_value)(void *))
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nbuckets; i++) {
        struct ct_entry *e = t->buckets[i];
        while (e != NULL) {
            struct ct_entry *next = e->next;
            if (free_value != NULL)
                free_value(e->value);
            free(e->key);
            free(e);
            e = next;
        }
    }
    free(t->buckets);
    free(t);
}

void *calltab_put(struct calltab *t, const char *key, void *value)
{
    struct ct_entry **pp = find_slot(t, key);
    struct ct_entry *e;
    void *old;

    if (*pp != NULL) {
        old = (*pp)->value;
        (*pp)->value = value;
        return old;
    }
    e = malloc(sizeof *e);
    if (e == NULL)
        return value;
    e->key = malloc(strlen(key) + 1);
    if (e->key == NULL) {
        free(e);
        return value;
    }
    strcpy(e->key, key);
    e->value = value;
    e->next = NULL;
    *pp = e;
    t->count++;
    return NULL;
}

void *calltab_get(const struct calltab *t, const char *key)
{
    struct ct_entry **pp = find_slot(t, key);

    return *pp != NULL ? (*pp)->value : NULL;
}

void *calltab_take(struct calltab *t, const char *key)
{
    struct ct_entry **pp = find_slot(t, key);
    struct ct_entry *e = *pp;
    void *value;

    if (e == NULL)
        return NULL;
    *pp = e->next;
    value = e->value;
    free(e->key);
    free(e);
    t->count--;
    return value;
}

size_t calltab_count(const struct calltab *t)
{
    return t->count;
}
