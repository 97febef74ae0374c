/* metrics.h - process-wide counters, safe to bump from any thread. */
#ifndef METRICS_H
#define METRICS_H

#include <stdio.h>

enum met_id {
    MET_INVITES,
    MET_CALLS_REJECTED,
    MET_CANCELS,
    MET_ACKS,
    MET_REGISTERS,
    MET_REGISTERS_REFUSED,
    MET_COUNT
};

void metrics_init(void);
void metrics_inc(enum met_id id);
unsigned long metrics_get(enum met_id id);
/* Writes one "name value" line per counter. */
void metrics_report(FILE *out);

#endif
