/*
 * callsrv.h - types shared by the framework (server) and its callback modules.
 *
 * A request travels as one text line, "METHOD key=value ...", for example
 *   INVITE call=c1 from=alice@example.org to=bob@example.org
 * The server parses it into a struct cs_msg and hands it to the callback
 * module that owns the method, looked up by name in the runtime
 * (hotrt_lookup(), the qualified call), never called directly.
 */
#ifndef CALLSRV_H
#define CALLSRV_H

#include <stddef.h>

#define CS_LINE_MAX 256

struct cs_msg {
    char method[16];     /* upper case: INVITE, ACK, BYE, REGISTER, ... */
    char call_id[64];    /* call=   */
    char from[96];       /* from=   address of record of the caller */
    char to[96];         /* to=     address of record of the callee */
    char token[64];      /* token=  credential for REGISTER */
    unsigned expires;    /* expires= seconds, 0 when absent */
};

/* The server process's state (hotrt_state()): one slot per callback
 * module. It lives in the process, not in a module, so a new version of sip
 * or registrar finds it; each module's code_change converts its own slot. */
struct cs_state {
    void *sip;
    void *registrar;
};

/* The callback contract, the C cousin of a gen_server callback module:
 *   <mod>_init()                       creates the module's slot, returns it;
 *   <mod>_handle(st, msg, reply, cap)  answers one request, returns a status
 *                                      code (0 when no answer is due);
 *   <mod>_code_change(st, vsn, extra, error)
 *                                      hotrt_code_change (hotrt.h): run by the
 *                                      new version in the suspended server,
 *                                      converts the module's slot of st, kept
 *                                      by version vsn, and returns st. */
typedef void *(*svc_init_fn)(void);
typedef int (*svc_handle_fn)(struct cs_state *st, const struct cs_msg *msg, char *reply,
                             size_t cap);

#endif
