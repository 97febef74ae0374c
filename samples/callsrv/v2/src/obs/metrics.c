/*
 * metrics.c - counters for the operator (new in callsrv 2.0). Lock-free:
 * each counter is a C11 atomic, so sip and registrar bump them from the
 * server thread while main reads them.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <time.h>

static atomic_ulong met_counters[MET_COUNT];
static time_t met_started;

static const char *const met_names[MET_COUNT] = {
    [MET_INVITES] = "sip_invites",
    [MET_CALLS_REJECTED] = "sip_calls_rejected",
    [MET_CANCELS] = "sip_cancels",
    [MET_ACKS] = "sip_acks",
    [MET_REGISTERS] = "registrar_registers",
    [MET_REGISTERS_REFUSED] = "registrar_refused",
};

void metrics_init(void)
{
    int i;

    for (i = 0; i < MET_COUNT; i++)
        atomic_store(&met_counters[i], 0);
    met_started = time(NULL);
}

void metrics_inc(enum met_id id)
{
    if ((unsigned)id < MET_COUNT)
        atomic_fetch_add_explicit(&met_counters[id], 1, memory_order_relaxed);
}

unsigned long metrics_get(enum met_id id)
{
    if ((unsigned)id >= MET_COUNT)
        return 0;
    return atomic_load(&met_counters[id]);
}

void metrics_report(FILE *out)
{
    int i;

    fprintf(out, "uptime_s %ld\n", met_started ? (long)(time(NULL) - met_started) : 0L);
    for (i = 0; i < MET_COUNT; i++)
        fprintf(out, "%s %lu\n", met_names[i], metrics_get((enum met_id)i));
}
