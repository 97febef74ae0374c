/* worker.h - background worker writing call detail records (CDRs). */
#ifndef WORKER_H
#define WORKER_H

#include "hotrt.h"

#include <stdio.h>

/* CDRs go to OUT (may be NULL: counted, not written). Call before the thread. */
void worker_init(FILE *out);

/* Queues one CDR; END says how the call ended ("bye", "cancel", ...).
 * Returns 0, or -1 when the ring is full. */
int worker_submit_cdr(const char *call_id, const char *from, const char *to,
                      long duration_ms, const char *end);

/* The worker process's entry (hotrt_spawn, sys = 0); ARG is the FILE * CDRs
 * go to when worker_init() was not called in this version of the module. */
int worker_main(struct hotrt_proc *self, void *arg);
void worker_stop(void);          /* the process returns once the ring is empty */
unsigned long worker_jobs_done(void);

#endif
