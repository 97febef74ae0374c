/* dialog.h - the dialog state machine of one call. */
#ifndef DIALOG_H
#define DIALOG_H

struct session;
struct dialog;    /* opaque */

enum dlg_state { DLG_EARLY, DLG_CONFIRMED, DLG_TERMINATED };
enum dlg_end { DLG_END_BYE = 1, DLG_END_CANCEL, DLG_END_TIMEOUT };

struct dialog *dialog_create(struct session *owner);
int dialog_confirm(struct dialog *d);
/* Reports the end to the owner session, then frees D. */
void dialog_terminate(struct dialog *d, int reason);
const char *dialog_state_name(int state);
const char *dialog_end_name(int reason);

#endif
