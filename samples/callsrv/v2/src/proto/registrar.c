/*
 * registrar.c - REGISTER callback module: binds an address of record to a
 * contact for a while. sip.c asks it where a callee is (registrar_lookup).
 * Since 2.0 it checks tokens itself (legacy_auth.c is gone).
 */
#include "registrar.h"
#include "calltab.h"
#include "cslog.h"
#include "metrics.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct binding {
    char contact[96];
    time_t expires_at;
};

struct registrar_state {
    struct calltab *bindings;   /* aor -> struct binding */
    unsigned long registers;
    unsigned long refused;
};

unsigned registrar_default_expires = 1800;

/* A token is "<user>-<secret>": the user part of the address of record, a
 * dash, and a secret of at least 6 characters. */
static int check_token(const char *aor, const char *token)
{
    const char *at = strchr(aor, '@');
    size_t user_len = at != NULL ? (size_t)(at - aor) : strlen(aor);

    if (user_len == 0 || strncmp(token, aor, user_len) != 0 || token[user_len] != '-')
        return 0;
    return strlen(token + user_len + 1) >= 6;
}

void *registrar_init(void)
{
    struct registrar_state *reg = calloc(1, sizeof *reg);

    if (reg == NULL)
        return NULL;
    reg->bindings = calltab_new(128);
    CS_LOG(CS_LOG_INFO, "registrar: ready (default expiry %us)", registrar_default_expires);
    return reg;
}

int registrar_handle(struct cs_state *st, const struct cs_msg *m, char *out, size_t cap)
{
    struct registrar_state *reg = st->registrar;
    struct binding *b;
    unsigned expires = m->expires ? m->expires : registrar_default_expires;

    if (reg == NULL) {
        snprintf(out, cap, "SIP/2.0 503 Service Unavailable");
        return 503;
    }
    reg->registers++;
    metrics_inc(MET_REGISTERS);
    if (m->from[0] == '\0' || !check_token(m->from, m->token)) {
        reg->refused++;
        metrics_inc(MET_REGISTERS_REFUSED);
        snprintf(out, cap, "SIP/2.0 403 Forbidden");
        return 403;
    }
    b = calltab_get(reg->bindings, m->from);
    if (b == NULL) {
        b = calloc(1, sizeof *b);
        if (b == NULL || calltab_put(reg->bindings, m->from, b) == b) {
            free(b);
            snprintf(out, cap, "SIP/2.0 500 Server Internal Error");
            return 500;
        }
    }
    str_copy(b->contact, sizeof b->contact, m->from);
    b->expires_at = time(NULL) + (time_t)expires;
    snprintf(out, cap, "SIP/2.0 200 OK Expires: %u", expires);
    return 200;
}

int registrar_lookup(const struct cs_state *st, const char *aor, char *contact, size_t cap)
{
    const struct registrar_state *reg = st->registrar;
    const struct binding *b;

    if (reg == NULL || aor[0] == '\0')
        return 0;
    b = calltab_get(reg->bindings, aor);
    if (b == NULL || b->expires_at <= time(NULL))
        return 0;
    str_copy(contact, cap, b->contact);
    return 1;
}

/* Takes over the registrar slot of the server's state as it is: its
 * layout has not changed since 1.0. */
void *registrar_code_change(void *state, const char *vsn, const char *extra, const char **error)
{
    (void)extra;
    (void)error;
    if (strncmp(vsn, "1.", 2) != 0 && strncmp(vsn, "2.", 2) != 0)
        CS_LOG(CS_LOG_WARN, "registrar: state of version %s taken as is", vsn);
    return state;
}
