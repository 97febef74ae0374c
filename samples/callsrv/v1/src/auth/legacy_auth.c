/*
 * legacy_auth.c - the built-in user list of callsrv 1.x. Secrets are kept
 * only as FNV-1a hashes. callsrv 2.0 drops this module: the registrar
 * checks tokens itself there.
 */
#include "legacy_auth.h"
#include "cslog.h"
#include "strutil.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LEGACY_MAX_USERS 16

struct legacy_user {
    char aor[96];
    uint32_t secret_hash;
};

static struct legacy_user users[LEGACY_MAX_USERS];
static size_t nusers;

static const char *const builtin[][2] = {
    { "alice@example.org", "alice-secret" },
    { "bob@example.org", "bob-secret" },
    { "carol@example.org", "carol-secret" },
};

void legacy_auth_init(void)
{
    size_t i;

    nusers = 0;
    for (i = 0; i < sizeof builtin / sizeof builtin[0] && nusers < LEGACY_MAX_USERS; i++) {
        str_copy(users[nusers].aor, sizeof users[nusers].aor, builtin[i][0]);
        users[nusers].secret_hash = str_hash(builtin[i][1]);
        nusers++;
    }
    CS_LOG(CS_LOG_INFO, "legacy_auth: %zu users", nusers);
}

int legacy_auth_check(const char *aor, const char *token)
{
    size_t i;

    for (i = 0; i < nusers; i++) {
        if (strcmp(users[i].aor, aor) == 0)
            return token[0] != '\0' && str_hash(token) == users[i].secret_hash;
    }
    return 0;
}
