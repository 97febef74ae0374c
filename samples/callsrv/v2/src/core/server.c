/*
 * server.c - the framework: a single event loop that owns the request queue
 * and calls the callback modules (sip, registrar) through the export table,
 * like gen_server calls Mod:handle_call/3. Because every lap looks the
 * callback up again, a newly loaded callback version is used from the next
 * request on, while the loop itself keeps running this module's code.
 *
 * The loop answers suspend / code change / resume between two requests.
 */
#include "server.h"
#include "callsrv.h"
#include "cslog.h"
#include "hotload.h"
#include "strutil.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVQ_CAP 128

enum { SVC_SIP, SVC_REGISTRAR, SVC_COUNT };

struct evq {
    pthread_mutex_t lock;
    char lines[EVQ_CAP][CS_LINE_MAX];
    unsigned head, tail;              /* head == tail: empty */
};

struct server {
    struct evq q;
    void *state[SVC_COUNT];           /* handed to <mod>_code_change */
    atomic_int stop, suspend, parked;
    atomic_ulong handled, status[6];  /* status[c]: replies of class c */
};

static struct server g_srv = { .q = { .lock = PTHREAD_MUTEX_INITIALIZER } };

static int evq_pop(char *line, size_t cap)
{
    int got = 0;

    pthread_mutex_lock(&g_srv.q.lock);
    if (g_srv.q.head != g_srv.q.tail) {
        str_copy(line, cap, g_srv.q.lines[g_srv.q.head % EVQ_CAP]);
        g_srv.q.head++;
        got = 1;
    }
    pthread_mutex_unlock(&g_srv.q.lock);
    return got;
}

int server_post(const char *line)
{
    int rc = -1;

    pthread_mutex_lock(&g_srv.q.lock);
    if (g_srv.q.tail - g_srv.q.head < EVQ_CAP) {
        str_copy(g_srv.q.lines[g_srv.q.tail % EVQ_CAP], CS_LINE_MAX, line);
        g_srv.q.tail++;
        rc = 0;
    }
    pthread_mutex_unlock(&g_srv.q.lock);
    return rc;
}

/* "METHOD key=value ..." -> MSG. Returns 0, or -1 when there is no method. */
static int parse_request(char *line, struct cs_msg *msg)
{
    char *cursor = line;
    char *tok = str_next_token(&cursor);

    memset(msg, 0, sizeof *msg);
    if (tok == NULL)
        return -1;
    str_copy(msg->method, sizeof msg->method, tok);
    while ((tok = str_next_token(&cursor)) != NULL) {
        if (str_has_prefix(tok, "call="))
            str_copy(msg->call_id, sizeof msg->call_id, tok + 5);
        else if (str_has_prefix(tok, "from="))
            str_copy(msg->from, sizeof msg->from, tok + 5);
        else if (str_has_prefix(tok, "to="))
            str_copy(msg->to, sizeof msg->to, tok + 3);
        else if (str_has_prefix(tok, "token="))
            str_copy(msg->token, sizeof msg->token, tok + 6);
        else if (str_has_prefix(tok, "expires="))
            msg->expires = (unsigned)strtoul(tok + 8, NULL, 10);
    }
    return 0;
}

void *server_main(void *arg)
{
    char line[CS_LINE_MAX];
    char reply[128];
    struct cs_msg msg;
    int code;

    (void)arg;
    g_srv.state[SVC_SIP] = ((svc_init_fn)hot_lookup("sip", "sip_init"))();
    g_srv.state[SVC_REGISTRAR] = ((svc_init_fn)hot_lookup("registrar", "registrar_init"))();
    for (;;) {
        if (atomic_load(&g_srv.suspend)) {
            atomic_store(&g_srv.parked, 1);
            sched_yield();
            continue;
        }
        atomic_store(&g_srv.parked, 0);
        if (!evq_pop(line, sizeof line)) {
            if (atomic_load(&g_srv.stop))
                break;
            sched_yield();
            continue;
        }
        reply[0] = '\0';
        if (parse_request(line, &msg) != 0)
            code = 400;
        else if (strcmp(msg.method, "REGISTER") == 0)
            code = ((svc_handle_fn)hot_lookup("registrar", "registrar_handle"))(&msg, reply, sizeof reply);
        else
            code = ((svc_handle_fn)hot_lookup("sip", "sip_handle"))(&msg, reply, sizeof reply);
        if (code >= 200 && code < 600)
            atomic_fetch_add(&g_srv.status[code / 100], 1);
        CS_LOG(CS_LOG_DEBUG, "%s -> %d %s", msg.method, code, reply);
        atomic_fetch_add(&g_srv.handled, 1);
    }
    return NULL;
}

void server_stop(void)
{
    atomic_store(&g_srv.stop, 1);
}

int server_suspend(void)
{
    struct timespec t0, now;

    atomic_store(&g_srv.parked, 0);
    atomic_store(&g_srv.suspend, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!atomic_load(&g_srv.parked)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > 2) {     /* the loop did not answer */
            atomic_store(&g_srv.suspend, 0);
            return -1;
        }
        sched_yield();
    }
    return 0;
}

int server_code_change(const char *module, int old_vsn)
{
    svc_code_change_fn change;
    void *state;
    int svc;

    if (!atomic_load(&g_srv.parked))
        return -1;
    if (strcmp(module, "sip") == 0) {
        svc = SVC_SIP;
        change = (svc_code_change_fn)hot_lookup("sip", "sip_code_change");
    } else if (strcmp(module, "registrar") == 0) {
        svc = SVC_REGISTRAR;
        change = (svc_code_change_fn)hot_lookup("registrar", "registrar_code_change");
    } else {
        return -1;
    }
    if (change == NULL || (state = change(g_srv.state[svc], old_vsn)) == NULL)
        return -1;
    g_srv.state[svc] = state;
    CS_LOG(CS_LOG_INFO, "code change of %s from state vsn %d done", module, old_vsn);
    return 0;
}

void server_resume(void)
{
    atomic_store(&g_srv.suspend, 0);
}

unsigned long server_handled(void)
{
    return atomic_load(&g_srv.handled);
}

unsigned long server_status_count(int status_class)
{
    if (status_class < 2 || status_class > 5)
        return 0;
    return atomic_load(&g_srv.status[status_class]);
}
