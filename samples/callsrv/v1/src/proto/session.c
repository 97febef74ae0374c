/*
 * session.c - the calls in progress, by call id. Each session owns one
 * dialog (dialog.c); when the dialog ends it reports back here, and the
 * session hands a CDR to the worker. session.c and dialog.c call each other.
 */
#include "session.h"
#include "calltab.h"
#include "cslog.h"
#include "dialog.h"
#include "strutil.h"
#include "worker.h"

#include <pthread.h>
#include <stdlib.h>

struct session {
    char call_id[64];
    char from[96];
    char to[96];
    struct dialog *dlg;
};

struct session_table {
    pthread_mutex_t lock;
    struct calltab *by_id;
    unsigned long opened;
    unsigned long closed;
};

static struct session_table g_sessions = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };

int session_open(const char *call_id, const char *from, const char *to)
{
    struct session *s;
    int rc = -1;

    pthread_mutex_lock(&g_sessions.lock);
    if (g_sessions.by_id == NULL)
        g_sessions.by_id = calltab_new(256);
    if (g_sessions.by_id == NULL || calltab_get(g_sessions.by_id, call_id) != NULL)
        goto out;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        goto out;
    str_copy(s->call_id, sizeof s->call_id, call_id);
    str_copy(s->from, sizeof s->from, from);
    str_copy(s->to, sizeof s->to, to);
    s->dlg = dialog_create(s);
    if (s->dlg == NULL || calltab_put(g_sessions.by_id, call_id, s) == s) {
        free(s->dlg);
        free(s);
        goto out;
    }
    g_sessions.opened++;
    rc = 0;
out:
    pthread_mutex_unlock(&g_sessions.lock);
    return rc;
}

int session_ack(const char *call_id)
{
    struct session *s;
    int rc = -1;

    pthread_mutex_lock(&g_sessions.lock);
    s = g_sessions.by_id != NULL ? calltab_get(g_sessions.by_id, call_id) : NULL;
    if (s != NULL)
        rc = dialog_confirm(s->dlg);
    pthread_mutex_unlock(&g_sessions.lock);
    return rc;
}

int session_close(const char *call_id)
{
    struct session *s;

    pthread_mutex_lock(&g_sessions.lock);
    s = g_sessions.by_id != NULL ? calltab_take(g_sessions.by_id, call_id) : NULL;
    if (s != NULL)
        g_sessions.closed++;
    pthread_mutex_unlock(&g_sessions.lock);
    if (s == NULL)
        return -1;
    /* Detached from the table: the dialog calls back without the lock. */
    dialog_terminate(s->dlg, DLG_END_BYE);
    free(s);
    return 0;
}

size_t session_count(void)
{
    size_t n;

    pthread_mutex_lock(&g_sessions.lock);
    n = g_sessions.by_id != NULL ? calltab_count(g_sessions.by_id) : 0;
    pthread_mutex_unlock(&g_sessions.lock);
    return n;
}

const char *session_call_id(const struct session *s)
{
    return s->call_id;
}

void session_on_dialog_end(struct session *s, long duration_ms, int reason)
{
    s->dlg = NULL;
    if (worker_submit_cdr(s->call_id, s->from, s->to, duration_ms,
                          dialog_end_name(reason)) != 0)
        CS_LOG(CS_LOG_WARN, "session %s: CDR dropped, worker ring full", s->call_id);
}
