/*
 * hotload.c - export table of the hot-swappable callback modules.
 *
 * Callers never call a callback module directly: they ask hot_lookup() for
 * the address of the symbol each time. Loading a new version of a module
 * repoints its rows, so the very next lookup lands in the new code, while a
 * direct call would stay bound to the code it was linked against (the C
 * counterpart of Erlang's Mod:f() versus f()).
 *
 * This build links every callback in, so the table is a constant array with
 * one row per exported callback; a loader that maps new objects at run time
 * would keep the same shape.
 */
#include "hotload.h"
#include "cslog.h"
#include "registrar.h"
#include "sip.h"

#include <string.h>

/* One exported symbol of one module. */
struct hot_symbol {
    const char *module;   /* module name: the file stem */
    const char *symbol;   /* exported name */
    void *address;
};

static const struct hot_symbol hot_registry[] = {
    /* call control */
    { "sip", "sip_init", (void *)sip_init },
    { "sip", "sip_handle", (void *)sip_handle },
    { "sip", "sip_code_change", (void *)sip_code_change },

    /* registrations */
    { "registrar", "registrar_init", (void *)registrar_init },
    { "registrar", "registrar_handle", (void *)registrar_handle },
    { "registrar", "registrar_code_change", (void *)registrar_code_change },
};

#define HOT_NSYMBOLS (sizeof hot_registry / sizeof hot_registry[0])

/* Linear scan: the table is a few dozen rows at most. */
void *hot_lookup(const char *module, const char *symbol)
{
    size_t i;

    for (i = 0; i < HOT_NSYMBOLS; i++) {
        if (strcmp(hot_registry[i].module, module) == 0
            && strcmp(hot_registry[i].symbol, symbol) == 0)
            return hot_registry[i].address;
    }

    /* The caller decides whether a missing export is fatal. */
    CS_LOG(CS_LOG_DEBUG, "hot_lookup: %s:%s is not exported", module, symbol);
    return NULL;
}

int hot_module_loaded(const char *module)
{
    size_t i;

    for (i = 0; i < HOT_NSYMBOLS; i++)
    {
        if (strcmp(hot_registry[i].module, module) == 0)
            return 1;
    }
    return 0;
}

size_t hot_symbol_count(void)
{
    return HOT_NSYMBOLS;   /* rows, not modules */
}
