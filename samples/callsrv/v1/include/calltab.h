/* calltab.h - string-keyed chained hash table (calls, registrations). */
#ifndef CALLTAB_H
#define CALLTAB_H

#include <stddef.h>

struct calltab;   /* opaque */

struct calltab *calltab_new(size_t nbuckets);
/* Frees the table; FREE_VALUE (may be NULL) is applied to every value. */
void calltab_free(struct calltab *t, void (*free_value)(void *));
/* Binds KEY (copied) to VALUE. Returns the value it replaces, or NULL.
 * On allocation failure returns VALUE itself and leaves T unchanged. */
void *calltab_put(struct calltab *t, const char *key, void *value);
void *calltab_get(const struct calltab *t, const char *key);
/* Unbinds KEY and returns its value, or NULL when KEY is not bound. */
void *calltab_take(struct calltab *t, const char *key);
size_t calltab_count(const struct calltab *t);

#endif
