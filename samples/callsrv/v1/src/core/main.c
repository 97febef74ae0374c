/*
 * main.c - wires callsrv together: the server loop, the CDR worker and the
 * TCP acceptor, each on its own thread.
 *
 *   callsrv [-v] [--port N]     serve on 127.0.0.1:N (default 5060) until SIGINT
 *   callsrv [-v] --selftest     run a few fake calls through every thread, exit 0 if sane
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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Sends LINES to the acceptor; falls back to posting them directly. */
static void send_lines(unsigned short port, const char *const *lines, size_t n)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t i;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (port == 0 || fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        CS_LOG(CS_LOG_WARN, "selftest: no TCP, posting directly");
        for (i = 0; i < n; i++)
            server_post(lines[i]);
    } else {
        for (i = 0; i < n; i++) {
            if (write(fd, lines[i], strlen(lines[i])) < 0 || write(fd, "\n", 1) < 0)
                break;
        }
    }
    if (fd >= 0)
        close(fd);
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
    send_lines(port, script_before, NELEMS(script_before));
    if (wait_for(NELEMS(script_before), 2) != 0)
        return -1;
    if (server_suspend() != 0 ||
        server_code_change("sip", SIP_STATE_VSN) != 0 ||
        server_code_change("registrar", REGISTRAR_STATE_VSN) != 0)
        return -1;
    server_resume();
    send_lines(port, script_after, NELEMS(script_after));
    if (wait_for(NELEMS(script_before) + NELEMS(script_after), 3) != 0)
        return -1;
    if (server_status_count(4) != 1 || server_status_count(5) != 0 || session_count() != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t server_tid, worker_tid;
    struct acceptor acc;
    sigset_t stop_signals;
    unsigned short port = 5060;
    int selftest = 0, rc = 0, sig, i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--selftest") == 0) {
            selftest = 1;
            port = 0;
        } else if (strcmp(argv[i], "-v") == 0) {
            cs_log_level = CS_LOG_DEBUG;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = (unsigned short)atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: callsrv [-v] [--port N] [--selftest]\n");
            return 2;
        }
    }
    /* Blocked here, so in every thread: only main takes them, in sigwait(). */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    legacy_auth_init();
    worker_init(stdout);
    if (pthread_create(&server_tid, NULL, server_main, NULL) != 0 ||
        pthread_create(&worker_tid, NULL, worker_main, NULL) != 0) {
        perror("callsrv: pthread_create");
        return 1;
    }
    if (acceptor_start(&acc, port) != 0) {
        perror("callsrv: acceptor");
        acc.port = 0;
        rc = 1;
    }
    if (selftest)
        rc = run_selftest(acc.port) == 0 ? 0 : 1;
    else if (rc == 0 && sigwait(&stop_signals, &sig) != 0)
        rc = 1;
    if (acc.port != 0)
        acceptor_stop(&acc);
    server_stop();
    pthread_join(server_tid, NULL);
    worker_stop();
    pthread_join(worker_tid, NULL);
    fprintf(stderr, "callsrv: %lu requests, %lu calls, %lu CDRs%s\n", server_handled(),
            sip_calls_started(), worker_jobs_done(), selftest ? (rc ? ", selftest FAILED" : ", selftest ok") : "");
    return rc;
}
