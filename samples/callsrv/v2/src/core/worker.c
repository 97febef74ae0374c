/*
 * worker.c - writes call detail records (CDRs) for finished calls.
 *
 * session.c queues one job per ended call; the worker process takes jobs
 * off a ring and formats them. Its loop polls the ring and only makes
 * direct calls (poll-mode, like a media worker pinned to a core): it never
 * waits in the kernel for work, and it keeps running the code it was
 * started with. Its pause between two polls (nanosleep) is a cancellation
 * point: where a purge of its version ends it.
 */
#include "worker.h"
#include "buf.h"
#include "cslog.h"
#include "strutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define WORKER_RING 64

struct job {
    char call_id[64];
    char from[96];
    char to[96];
    long duration_ms;
    char end[16];
};

struct worker_state {
    pthread_mutex_t lock;
    struct job ring[WORKER_RING];
    unsigned head, tail;          /* head == tail: empty */
    FILE *out;
    atomic_int stop;
    unsigned long jobs_done;
    unsigned long cdr_bytes;
    unsigned long jobs_failed;    /* CDRs that could not be written (2.0) */
};

static struct worker_state g_worker = { .lock = PTHREAD_MUTEX_INITIALIZER };

void worker_init(FILE *out)
{
    g_worker.out = out;
}

int worker_submit_cdr(const char *call_id, const char *from, const char *to,
                      long duration_ms, const char *end)
{
    struct job *j;
    int rc = -1;

    pthread_mutex_lock(&g_worker.lock);
    if (g_worker.tail - g_worker.head < WORKER_RING) {
        j = &g_worker.ring[g_worker.tail % WORKER_RING];
        str_copy(j->call_id, sizeof j->call_id, call_id);
        str_copy(j->from, sizeof j->from, from);
        str_copy(j->to, sizeof j->to, to);
        j->duration_ms = duration_ms;
        str_copy(j->end, sizeof j->end, end);
        g_worker.tail++;
        rc = 0;
    }
    pthread_mutex_unlock(&g_worker.lock);
    return rc;
}

static int ring_pop(struct job *out)
{
    int got = 0;

    pthread_mutex_lock(&g_worker.lock);
    if (g_worker.head != g_worker.tail) {
        *out = g_worker.ring[g_worker.head % WORKER_RING];
        g_worker.head++;
        got = 1;
    }
    pthread_mutex_unlock(&g_worker.lock);
    return got;
}

static void worker_run_job(const struct job *j)
{
    struct buf line;

    buf_init(&line);
    if (buf_printf(&line, "CDR call=%s from=%s to=%s duration_ms=%ld end=%s\n",
                   j->call_id, j->from, j->to, j->duration_ms, j->end) < 0) {
        CS_LOG(CS_LOG_ERR, "worker: out of memory formatting CDR %s", j->call_id);
        buf_free(&line);
        return;
    }
    if (g_worker.out != NULL && fputs(buf_cstr(&line), g_worker.out) == EOF) {
        pthread_mutex_lock(&g_worker.lock);
        g_worker.jobs_failed++;
        pthread_mutex_unlock(&g_worker.lock);
        CS_LOG(CS_LOG_WARN, "worker: CDR %s not written", j->call_id);
        buf_free(&line);
        return;
    }
    pthread_mutex_lock(&g_worker.lock);
    g_worker.jobs_done++;
    g_worker.cdr_bytes += line.len;
    pthread_mutex_unlock(&g_worker.lock);
    buf_free(&line);
}

int worker_main(struct hotrt_proc *self, void *arg)
{
    struct timespec pause = { 0, 1000000 };
    struct job job;

    (void)self;
    if (g_worker.out == NULL)
        g_worker.out = arg;
    for (;;) {
        if (ring_pop(&job)) {
            worker_run_job(&job);
            continue;
        }
        if (atomic_load(&g_worker.stop))
            break;
        nanosleep(&pause, NULL);
    }
    if (g_worker.out != NULL)
        fflush(g_worker.out);
    return HOTRT_NORMAL;
}

void worker_stop(void)
{
    atomic_store(&g_worker.stop, 1);
}

unsigned long worker_jobs_done(void)
{
    unsigned long n;

    pthread_mutex_lock(&g_worker.lock);
    n = g_worker.jobs_done;
    pthread_mutex_unlock(&g_worker.lock);
    return n;
}
