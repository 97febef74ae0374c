/* worker.h - background worker writing call detail records (CDRs). */
#ifndef WORKER_H
#define WORKER_H

#include <stdio.h>

/* CDRs go to OUT (may be NULL: counted, not written). Call before the thread. */
void worker_init(FILE *out);

/* Queues one CDR; END says how the call ended ("bye", "cancel", ...).
 * Returns 0, or -1 when the ring is full. */
int worker_submit_cdr(const char *call_id, const char *from, const char *to,
                      long duration_ms, const char *end);

void *worker_main(void *arg);   /* thread entry point; ARG is unused */
void worker_stop(void);          /* the thread returns once the ring is empty */
unsigned long worker_jobs_done(void);

#endif
