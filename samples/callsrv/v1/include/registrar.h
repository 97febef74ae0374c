/* registrar.h - REGISTER callback module: address of record -> contact. */
#ifndef REGISTRAR_H
#define REGISTRAR_H

#include "callsrv.h"

#define REGISTRAR_STATE_VSN 1

/* Binding lifetime when a REGISTER carries no expires=. */
extern unsigned registrar_default_expires;

/* The callback contract of callsrv.h. */
void *registrar_init(void);
int registrar_handle(struct cs_state *st, const struct cs_msg *msg, char *reply, size_t cap);
void *registrar_code_change(void *state, const char *vsn, const char *extra, const char **error);

/* Copies the contact bound to AOR in ST's registrar slot into CONTACT.
 * Returns 1 if bound, else 0. */
int registrar_lookup(const struct cs_state *st, const char *aor, char *contact, size_t cap);

#endif
