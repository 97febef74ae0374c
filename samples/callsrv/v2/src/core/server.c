/*
 * server.c - the framework: one process (libhotrt, sys = 1) that receives
 * request lines and calls the callback modules (sip, registrar) through the
 * runtime's lookup, like gen_server calls Mod:handle_call/3. Because every
 * request looks the callback up again, a newly loaded callback version is
 * used from the next request on, while the loop itself keeps running this
 * module's code.
 *
 * The process waits in hotrt_receive() between two requests: that is where
 * it answers suspend, code change and resume. Its state (struct cs_state)
 * is the process's, so it outlives a callback module's version.
 *
 * Each reply line names the shared object that computed it, as the dynamic
 * linker sees it at that moment (dladdr): "200 SIP/2.0 200 OK via=sip.1.0.so".
 */
#define _GNU_SOURCE
#include "server.h"
#include "callsrv.h"
#include "cslog.h"
#include "strutil.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct request {
    int fd;                           /* where the reply goes, or -1 */
    char line[CS_LINE_MAX];
};

struct server {
    struct hotrt *_Atomic rt;
    atomic_int pid;                   /* the server process; 0 before it runs */
    atomic_int stop;
    atomic_ulong handled, status[6];  /* status[c]: replies of class c */
};

static struct server g_srv;

int server_post(const char *line, int reply_fd)
{
    struct hotrt *rt = atomic_load(&g_srv.rt);
    hotrt_pid pid = atomic_load(&g_srv.pid);
    struct request *r;

    if (rt == NULL || pid == 0 || (r = malloc(sizeof *r)) == NULL)
        return -1;
    str_copy(r->line, sizeof r->line, line);
    r->fd = reply_fd >= 0 ? dup(reply_fd) : -1;
    if (hotrt_send(rt, pid, r) != 0) {
        if (r->fd >= 0)
            close(r->fd);
        free(r);
        return -1;
    }
    return 0;
}

/* "METHOD key=value ..." -> MSG. Returns 0, or -1 when there is no method. */
static int parse_request(char *line, struct cs_msg *msg)
{
    char *cursor = line;
    char *tok = str_next_token(&cursor);

    memset(msg, 0, sizeof *msg);
    if (tok == NULL)
        return -1;
    str_copy(msg->method, sizeof msg->method, tok);
    while ((tok = str_next_token(&cursor)) != NULL) {
        if (str_has_prefix(tok, "call="))
            str_copy(msg->call_id, sizeof msg->call_id, tok + 5);
        else if (str_has_prefix(tok, "from="))
            str_copy(msg->from, sizeof msg->from, tok + 5);
        else if (str_has_prefix(tok, "to="))
            str_copy(msg->to, sizeof msg->to, tok + 3);
        else if (str_has_prefix(tok, "token="))
            str_copy(msg->token, sizeof msg->token, tok + 6);
        else if (str_has_prefix(tok, "expires="))
            msg->expires = (unsigned)strtoul(tok + 8, NULL, 10);
    }
    return 0;
}

/* The file name of the shared object holding CODE, or "-". */
static const char *code_file(void *code)
{
    Dl_info where;
    const char *slash;

    if (code == NULL || dladdr(code, &where) == 0 || where.dli_fname == NULL)
        return "-";
    slash = strrchr(where.dli_fname, '/');
    return slash != NULL ? slash + 1 : where.dli_fname;
}

/* Answers the request R (MSG, parsed; HANDLE its callback, NULL when there
 * is none) and writes the reply line to R's fd. */
static void server_answer(struct cs_state *st, struct request *r, const struct cs_msg *msg,
                          int parsed, svc_handle_fn handle)
{
    char reply[128], out[CS_LINE_MAX + 64];
    int code, n;

    reply[0] = '\0';
    if (!parsed)
        code = 400;
    else if (handle != NULL)
        code = handle(st, msg, reply, sizeof reply);
    else
        code = 503;
    if (code >= 200 && code < 600)
        atomic_fetch_add(&g_srv.status[code / 100], 1);
    CS_LOG(CS_LOG_DEBUG, "%s -> %d %s", msg->method, code, reply);
    atomic_fetch_add(&g_srv.handled, 1);
    if (r->fd >= 0) {
        n = snprintf(out, sizeof out, "%d %s via=%s\n", code, reply[0] ? reply : "-",
                     code_file((void *)handle));
        if (n > 0 && send(r->fd, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1,
                          MSG_NOSIGNAL) < 0)
            CS_LOG(CS_LOG_DEBUG, "server: reply to %s not sent", msg->method);
        close(r->fd);
    }
}

/* The process's state, made on its first entry. */
static struct cs_state *server_state(struct hotrt_proc *self)
{
    struct hotrt *rt = hotrt_of(self);
    struct cs_state *st = hotrt_state(self);
    svc_init_fn init;

    if (st != NULL || (st = calloc(1, sizeof *st)) == NULL)
        return st;
    if ((init = (svc_init_fn)hotrt_lookup(rt, "sip", "sip_init")) != NULL)
        st->sip = init();
    if ((init = (svc_init_fn)hotrt_lookup(rt, "registrar", "registrar_init")) != NULL)
        st->registrar = init();
    hotrt_set_state(self, st);
    return st;
}

int server_main(struct hotrt_proc *self, void *arg)
{
    struct hotrt *rt = hotrt_of(self);
    struct cs_state *st = server_state(self);
    struct request *r;
    struct cs_msg msg;
    svc_handle_fn handle;
    void *m;
    int parsed;

    (void)arg;
    if (st == NULL)
        return HOTRT_FAILED;
    atomic_store(&g_srv.rt, rt);
    atomic_store(&g_srv.pid, hotrt_self(self));
    for (;;) {
        if (hotrt_receive(self, 100, &m) != HOTRT_MESSAGE) {
            if (!atomic_load(&g_srv.stop))
                continue;
            atomic_store(&g_srv.pid, 0);
            return HOTRT_NORMAL;
        }
        r = m;
        handle = NULL;
        parsed = parse_request(r->line, &msg) == 0;
        if (parsed && strcmp(msg.method, "REGISTER") == 0)
            handle = (svc_handle_fn)hotrt_lookup(rt, "registrar", "registrar_handle");
        else if (parsed)
            handle = (svc_handle_fn)hotrt_lookup(rt, "sip", "sip_handle");
        server_answer(st, r, &msg, parsed, handle);
        free(r);
    }
}

void server_stop(void)
{
    atomic_store(&g_srv.stop, 1);
}

unsigned long server_handled(void)
{
    return atomic_load(&g_srv.handled);
}

unsigned long server_status_count(int status_class)
{
    if (status_class < 2 || status_class > 5)
        return 0;
    return atomic_load(&g_srv.status[status_class]);
}
