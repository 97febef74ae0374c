/* sip.h - call control callback module (INVITE, ACK, BYE, CANCEL, OPTIONS). */
#ifndef SIP_H
#define SIP_H

#include "callsrv.h"

/* Layout version of the state this build of sip keeps. */
#define SIP_STATE_VSN 2

/* The callback contract of callsrv.h. */
void *sip_init(void);
int sip_handle(struct cs_state *st, const struct cs_msg *msg, char *reply, size_t cap);
void *sip_code_change(void *state, const char *vsn, const char *extra, const char **error);
/* Calls started, as counted by the slot this version served last. */
unsigned long sip_calls_started(void);

#endif
