/*
 * sip.c - call control callback module. The server looks up sip_handle in
 * the export table for every INVITE, ACK, BYE and OPTIONS. The counters
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

static struct sip_state *g_sip;

static int reply(char *out, size_t cap, int code, const char *text)
{
    snprintf(out, cap, "SIP/2.0 %d %s", code, text);
    return code;
}

void *sip_init(void)
{
    g_sip = calloc(1, sizeof *g_sip);
    CS_LOG(CS_LOG_INFO, "sip: ready (state vsn %d)", SIP_STATE_VSN);
    return g_sip;
}

static int on_invite(const struct cs_msg *m, char *out, size_t cap)
{
    char contact[96];

    g_sip->invites++;
    if (m->call_id[0] == '\0' || m->from[0] == '\0')
        return reply(out, cap, 400, "Bad Request");
    if (!registrar_lookup(m->to, contact, sizeof contact)) {
        g_sip->rejected++;
        return reply(out, cap, 404, "Not Found");
    }
    if (session_open(m->call_id, m->from, m->to) != 0) {
        g_sip->rejected++;
        return reply(out, cap, 486, "Busy Here");
    }
    g_sip->active_calls++;
    str_copy(g_sip->last_call_id, sizeof g_sip->last_call_id, m->call_id);
    return reply(out, cap, 200, "OK");
}

static int on_bye(const struct cs_msg *m, char *out, size_t cap)
{
    g_sip->byes++;
    if (session_close(m->call_id) != 0)
        return reply(out, cap, 481, "Call Does Not Exist");
    g_sip->active_calls--;
    return reply(out, cap, 200, "OK");
}

int sip_handle(const struct cs_msg *m, char *out, size_t cap)
{
    if (g_sip == NULL)
        return reply(out, cap, 503, "Service Unavailable");
    if (strcmp(m->method, "INVITE") == 0)
        return on_invite(m, out, cap);
    if (strcmp(m->method, "ACK") == 0) {
        session_ack(m->call_id);
        return 0;                          /* ACK is never answered */
    }
    if (strcmp(m->method, "BYE") == 0)
        return on_bye(m, out, cap);
    if (strcmp(m->method, "OPTIONS") == 0)
        return reply(out, cap, 200, "OK Allow: INVITE, ACK, BYE, OPTIONS");
    return reply(out, cap, 405, "Method Not Allowed");
}

void *sip_code_change(void *old_state, int old_vsn)
{
    const struct sip_state_v0 *v0;
    struct sip_state *st;

    if (old_vsn == SIP_STATE_VSN) {
        g_sip = old_state;
        return g_sip;
    }
    if (old_vsn != 0) {
        CS_LOG(CS_LOG_ERR, "sip: cannot convert state vsn %d", old_vsn);
        return NULL;
    }
    v0 = old_state;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return NULL;
    st->invites = v0->invites;
    st->byes = v0->byes;
    st->active_calls = v0->active_calls;
    free(old_state);
    g_sip = st;
    return g_sip;
}

unsigned long sip_calls_started(void)
{
    return g_sip != NULL ? g_sip->invites - g_sip->rejected : 0;
}
