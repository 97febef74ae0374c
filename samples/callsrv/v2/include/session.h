/* session.h - calls in progress, indexed by call id. */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>

struct session;   /* opaque */

/* Returns 0, -1 when the call id is already in use or memory is short. */
int session_open(const char *call_id, const char *from, const char *to);
/* Confirms the dialog of the call. Returns 0, or -1 for an unknown call. */
int session_ack(const char *call_id);
/* Ends the call for REASON (enum dlg_end); its dialog reports back through
 * session_on_dialog_end. Returns 0, or -1 for an unknown call. */
int session_close(const char *call_id, int reason);
size_t session_count(void);

/* For dialog.c. */
const char *session_call_id(const struct session *s);
void session_on_dialog_end(struct session *s, long duration_ms, int reason);

#endif
