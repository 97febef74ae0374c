/*
 * main.c - wires callsrv together on libhotrt: the server, the CDR worker
 * and the TCP acceptor are processes of one supervisor. boot.c (the
 * program) calls these functions through hotrt_lookup(), so each call runs
 * the current version of this module; none of them stays running in it.
 *
 *   main_start     starts the processes; returns the acceptor's port
 *   main_selftest  runs a few calls through every process, 0 if sane
 *   main_stop      stops the processes and reports the counters
 */
#include "acceptor.h"
#include "cslog.h"
#include "legacy_auth.h"
#include "registrar.h"
#include "server.h"
#include "session.h"
#include "sip.h"
#include "worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *const script_before[] = {
    "register from=alice@example.org token=alice-secret expires=600",
    "register from=bob@example.org token=bob-secret",
    "invite call=c1 from=alice@example.org to=bob@example.org",
    "ack call=c1",
    "INVITE call=c2 from=bob@example.org to=carol@example.org",
    "INVITE call=c3 from=bob@example.org to=alice@example.org",
    "bye call=c1",
    "BYE call=c3",
    "options",
};

static const char *const script_after[] = {
    "INVITE call=c4 from=alice@example.org to=bob@example.org",
    "ACK call=c4",
    "BYE call=c4",
};

#define NELEMS(a) (sizeof (a) / sizeof (a)[0])

/* The Modules of the server's child spec: suspend looks for these. */
static const char *const server_modules[] = { "server", "sip", "registrar" };

/*
 * Sends LINES to the acceptor and reads the replies (one line each) until
 * the server has answered every one; falls back to posting them directly.
 * Returns the number of reply lines read.
 */
static size_t send_lines(unsigned short port, const char *const *lines, size_t n)
{
    struct sockaddr_in sin;
    char buf[4096];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t i, replies = 0;
    ssize_t got;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (port == 0 || fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        CS_LOG(CS_LOG_WARN, "selftest: no TCP, posting directly");
        for (i = 0; i < n; i++)
            server_post(lines[i], -1);
    } else {
        for (i = 0; i < n; i++) {
            if (write(fd, lines[i], strlen(lines[i])) < 0 || write(fd, "\n", 1) < 0)
                break;
        }
        shutdown(fd, SHUT_WR);
        while ((got = read(fd, buf, sizeof buf)) > 0) {
            for (i = 0; i < (size_t)got; i++)
                replies += buf[i] == '\n';
        }
    }
    if (fd >= 0)
        close(fd);
    return replies;
}

static int wait_for(unsigned long handled, unsigned long cdrs)
{
    struct timespec pause = { 0, 2000000 };
    int i;

    for (i = 0; i < 2500; i++) {
        if (server_handled() >= handled && worker_jobs_done() >= cdrs)
            return 0;
        nanosleep(&pause, NULL);
    }
    return -1;
}

static int run_selftest(unsigned short port)
{
    CS_LOG(CS_LOG_INFO, "selftest: sip keeps state vsn %d", SIP_STATE_VSN);
    if (send_lines(port, script_before, NELEMS(script_before)) != NELEMS(script_before) ||
        wait_for(NELEMS(script_before), 2) != 0)
        return -1;
    if (send_lines(port, script_after, NELEMS(script_after)) != NELEMS(script_after) ||
        wait_for(NELEMS(script_before) + NELEMS(script_after), 3) != 0)
        return -1;
    if (server_status_count(4) != 1 || server_status_count(5) != 0 || session_count() != 0)
        return -1;
    return 0;
}

int main_selftest(struct hotrt *rt, unsigned short port)
{
    (void)rt;
    return run_selftest(port);
}

int main_start(struct hotrt *rt, struct hotrt_sup *sup, unsigned short port, int verbose)
{
    if (verbose)
        cs_log_set_level(CS_LOG_DEBUG);
    legacy_auth_init();
    worker_init(stdout);
    if (hotrt_spawn(rt, &(struct hotrt_spawn){ .module = "server", .entry = "server_main",
                                              .name = "server", .sys = 1, .sup = sup,
                                              .restart = HOTRT_TRANSIENT,
                                              .modules = server_modules,
                                              .nmodules = NELEMS(server_modules) }, NULL) != 0 ||
        hotrt_spawn(rt, &(struct hotrt_spawn){ .module = "worker", .entry = "worker_main",
                                              .arg = stdout, .name = "worker", .sup = sup,
                                              .restart = HOTRT_TRANSIENT }, NULL) != 0)
        return -1;
    return acceptor_start(rt, sup, port);
}

void main_stop(struct hotrt *rt, struct hotrt_sup *sup)
{
    static const char *const children[] = { "acceptor", "server", "worker" };
    struct timespec pause = { 0, 10000000 };
    size_t i;
    int tries;

    acceptor_stop();
    server_stop();
    worker_stop();
    for (i = 0; i < NELEMS(children); i++) {
        for (tries = 0; tries < 500 && hotrt_sup_child(rt, sup, children[i]) != 0; tries++)
            nanosleep(&pause, NULL);
    }
    fprintf(stderr, "callsrv: %lu requests, %lu calls, %lu CDRs\n", server_handled(),
            sip_calls_started(), worker_jobs_done());
}
