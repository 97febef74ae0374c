/*
 * callsrv.h - types shared by the framework (server) and its callback modules.
 *
 * A request travels as one text line, "METHOD key=value ...", for example
 *   INVITE call=c1 from=alice@example.org to=bob@example.org
 * The server parses it into a struct cs_msg and hands it to the callback
 * module that owns the method, looked up by name in the export table
 * (hotload.h), never called directly.
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

/* The callback contract, the C cousin of a gen_server callback module:
 *   <mod>_init()                     creates the state, returns it;
 *   <mod>_handle(msg, reply, cap)    answers one request, returns a status
 *                                    code (0 when no answer is due);
 *   <mod>_code_change(old, old_vsn)  takes over the state kept by the previous
 *                                    version of the module, returns the new one. */
typedef void *(*svc_init_fn)(void);
typedef int (*svc_handle_fn)(const struct cs_msg *msg, char *reply, size_t cap);
typedef void *(*svc_code_change_fn)(void *old_state, int old_vsn);

#endif
