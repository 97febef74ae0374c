/*
 * sip.c - call control callback module. The server looks up sip_handle in
 * the runtime (hotrt_lookup) for every INVITE, ACK, BYE and OPTIONS. The counters
 * below are the state of the module; sip_code_change() takes them over
 * from the previous version when a new sip is loaded.
 */
#include "sip.h"
#include "cslog.h"
#include "registrar.h"
#include "session.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state of callsrv 0.9 (state vsn 0), kept to convert from it. */
struct sip_state_v0 {
    unsigned long invites;
    unsigned long byes;
    int active_calls;
};

struct sip_state {
    unsigned long invites;
    unsigned long byes;
    unsigned long rejected;
    int active_calls;
    char last_call_id[64];
};

/* The slot this version served last (a view of the server's state, not a
 * copy): sip_calls_started() reads it. */
static struct sip_state *g_sip;

static int reply(char *out, size_t cap, int code, const char *text)
{
    snprintf(out, cap, "SIP/2.0 %d %s", code, text);
    return code;
}

void *sip_init(void)
{
    struct sip_state *s = calloc(1, sizeof *s);

    CS_LOG(CS_LOG_INFO, "sip: ready (state vsn %d)", SIP_STATE_VSN);
    return s;
}

static int on_invite(struct cs_state *st, const struct cs_msg *m, char *out, size_t cap)
{
    struct sip_state *s = st->sip;
    char contact[96];

    s->invites++;
    if (m->call_id[0] == '\0' || m->from[0] == '\0')
        return reply(out, cap, 400, "Bad Request");
    if (!registrar_lookup(st, m->to, contact, sizeof contact)) {
        s->rejected++;
        return reply(out, cap, 404, "Not Found");
    }
    if (session_open(m->call_id, m->from, m->to) != 0) {
        s->rejected++;
        return reply(out, cap, 486, "Busy Here");
    }
    s->active_calls++;
    str_copy(s->last_call_id, sizeof s->last_call_id, m->call_id);
    return reply(out, cap, 200, "OK");
}

static int on_bye(struct sip_state *s, const struct cs_msg *m, char *out, size_t cap)
{
    s->byes++;
    if (session_close(m->call_id) != 0)
        return reply(out, cap, 481, "Call Does Not Exist");
    s->active_calls--;
    return reply(out, cap, 200, "OK");
}

int sip_handle(struct cs_state *st, const struct cs_msg *m, char *out, size_t cap)
{
    struct sip_state *s = st->sip;

    g_sip = s;
    if (s == NULL)
        return reply(out, cap, 503, "Service Unavailable");
    if (strcmp(m->method, "INVITE") == 0)
        return on_invite(st, m, out, cap);
    if (strcmp(m->method, "ACK") == 0) {
        session_ack(m->call_id);
        return 0;                          /* ACK is never answered */
    }
    if (strcmp(m->method, "BYE") == 0)
        return on_bye(s, m, out, cap);
    if (strcmp(m->method, "OPTIONS") == 0)
        return reply(out, cap, 200, "OK Allow: INVITE, ACK, BYE, OPTIONS");
    return reply(out, cap, 405, "Method Not Allowed");
}

/* Takes over the sip slot of the server's state, kept by version VSN of
 * this module: 1.x keeps this layout, 0.x kept struct sip_state_v0. */
void *sip_code_change(void *state, const char *vsn, const char *extra, const char **error)
{
    struct cs_state *cs = state;
    const struct sip_state_v0 *v0 = cs->sip;
    struct sip_state *st;

    (void)extra;
    if (strncmp(vsn, "1.", 2) == 0) {
        g_sip = cs->sip;
        return state;
    }
    if (strncmp(vsn, "0.", 2) != 0 || (st = calloc(1, sizeof *st)) == NULL) {
        CS_LOG(CS_LOG_ERR, "sip: cannot convert the state of version %s", vsn);
        *error = "{bad_vsn,sip}";
        return NULL;
    }
    st->invites = v0->invites;
    st->byes = v0->byes;
    st->active_calls = v0->active_calls;
    free(cs->sip);
    cs->sip = st;
    g_sip = st;
    return state;
}

unsigned long sip_calls_started(void)
{
    return g_sip != NULL ? g_sip->invites - g_sip->rejected : 0;
}
