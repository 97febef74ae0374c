/*
 * hotload.c - the export table of the hot-swappable callback modules.
 *
 * Every call into a callback module goes through hot_lookup(): when a new
 * version of a module is loaded, its row is pointed at the new code, and the
 * next lookup made by a caller lands there. A direct call, by contrast,
 * stays bound to the code it was linked against.
 *
 * In this build the table is static: one row per exported callback.
 */
#include "hotload.h"
#include "cslog.h"
#include "registrar.h"
#include "sip.h"

#include <string.h>

struct hot_symbol {
    const char *module;
    const char *symbol;
    void *address;
};

static const struct hot_symbol hot_registry[] = {
    { "sip", "sip_init", (void *)sip_init },
    { "sip", "sip_handle", (void *)sip_handle },
    { "sip", "sip_code_change", (void *)sip_code_change },
    { "registrar", "registrar_init", (void *)registrar_init },
    { "registrar", "registrar_handle", (void *)registrar_handle },
    { "registrar", "registrar_code_change", (void *)registrar_code_change },
};

#define HOT_NSYMBOLS (sizeof hot_registry / sizeof hot_registry[0])

void *hot_lookup(const char *module, const char *symbol)
{
    size_t i;

    for (i = 0; i < HOT_NSYMBOLS; i++) {
        if (strcmp(hot_registry[i].module, module) == 0 &&
            strcmp(hot_registry[i].symbol, symbol) == 0)
            return hot_registry[i].address;
    }
    CS_LOG(CS_LOG_DEBUG, "hot_lookup: %s:%s is not exported", module, symbol);
    return NULL;
}

int hot_module_loaded(const char *module)
{
    size_t i;

    for (i = 0; i < HOT_NSYMBOLS; i++) {
        if (strcmp(hot_registry[i].module, module) == 0)
            return 1;
    }
    return 0;
}

size_t hot_symbol_count(void)
{
    return HOT_NSYMBOLS;
}
