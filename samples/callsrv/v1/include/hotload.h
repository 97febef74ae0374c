/* hotload.h - the export table: how hot-swappable modules are called. */
#ifndef HOTLOAD_H
#define HOTLOAD_H

#include <stddef.h>

/* Returns the address of SYMBOL as exported by the current version of MODULE,
 * or NULL when that module does not export it. Calling through this (rather
 * than directly) is what lets a caller move to a newly loaded version. */
void *hot_lookup(const char *module, const char *symbol);

/* Returns 1 when MODULE has at least one exported symbol in the table. */
int hot_module_loaded(const char *module);

size_t hot_symbol_count(void);

#endif
