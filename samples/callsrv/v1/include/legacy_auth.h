/* legacy_auth.h - the built-in user list of callsrv 1.x (dropped in 2.0). */
#ifndef LEGACY_AUTH_H
#define LEGACY_AUTH_H

void legacy_auth_init(void);
/* Returns 1 when TOKEN is the secret of AOR. */
int legacy_auth_check(const char *aor, const char *token);

#endif
