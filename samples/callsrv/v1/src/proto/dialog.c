/*
 * dialog.c - dialog state machine of one call: EARLY on INVITE, CONFIRMED
 * on ACK, TERMINATED on BYE or CANCEL. The end is reported to the owning
 * session (session_on_dialog_end), which is how the call gets its CDR.
 */
#include "dialog.h"
#include "cslog.h"
#include "session.h"

#include <stdlib.h>
#include <time.h>

struct dialog {
    struct session *owner;
    int state;
    long created_ms;
    long confirmed_ms;
};

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *dialog_state_name(int state)
{
    switch (state) {
    case DLG_EARLY:      return "early";
    case DLG_CONFIRMED:  return "confirmed";
    case DLG_TERMINATED: return "terminated";
    default:             return "?";
    }
}

const char *dialog_end_name(int reason)
{
    switch (reason) {
    case DLG_END_BYE:     return "bye";
    case DLG_END_CANCEL:  return "cancel";
    case DLG_END_TIMEOUT: return "timeout";
    default:              return "?";
    }
}

struct dialog *dialog_create(struct session *owner)
{
    struct dialog *d = malloc(sizeof *d);

    if (d == NULL)
        return NULL;
    d->owner = owner;
    d->state = DLG_EARLY;
    d->created_ms = now_ms();
    d->confirmed_ms = 0;
    CS_LOG(CS_LOG_DEBUG, "dialog %s: %s", session_call_id(owner), dialog_state_name(d->state));
    return d;
}

int dialog_confirm(struct dialog *d)
{
    if (d->state != DLG_EARLY) {
        CS_LOG(CS_LOG_WARN, "dialog %s: ACK in state %s",
               session_call_id(d->owner), dialog_state_name(d->state));
        return -1;
    }
    d->state = DLG_CONFIRMED;
    d->confirmed_ms = now_ms();
    CS_LOG(CS_LOG_DEBUG, "dialog %s: %s", session_call_id(d->owner), dialog_state_name(d->state));
    return 0;
}

void dialog_terminate(struct dialog *d, int reason)
{
    long duration_ms = 0;

    if (d->state == DLG_CONFIRMED)
        duration_ms = now_ms() - d->confirmed_ms;
    d->state = DLG_TERMINATED;
    CS_LOG(CS_LOG_DEBUG, "dialog %s: %s (%s, %ld ms)", session_call_id(d->owner),
           dialog_state_name(d->state), dialog_end_name(reason), duration_ms);
    session_on_dialog_end(d->owner, duration_ms, reason);
    free(d);
}
