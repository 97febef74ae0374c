/* sip.h - call control callback module (INVITE, ACK, BYE, CANCEL, OPTIONS). */
#ifndef SIP_H
#define SIP_H

#include "callsrv.h"

/* Layout version of the state this build of sip keeps. */
#define SIP_STATE_VSN 2

void *sip_init(void);
int sip_handle(const struct cs_msg *msg, char *reply, size_t cap);
void *sip_code_change(void *old_state, int old_vsn);
unsigned long sip_calls_started(void);

#endif
