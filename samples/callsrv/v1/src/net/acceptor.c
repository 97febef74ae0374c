/*
 * acceptor.c - TCP front end. The acceptor process waits in poll() on the
 * listening socket, reads each connection to its end, and sends every
 * non-empty line to the server process with its method in upper case; the
 * server writes one reply line per request back on the connection.
 */
#include "acceptor.h"
#include "cslog.h"
#include "server.h"
#include "strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct acceptor {
    int lfd;                /* listening socket */
    unsigned short port;    /* bound port (useful when 0 was asked) */
    atomic_int stop;
};

static struct acceptor g_acc = { .lfd = -1 };

/*
 * str_upper() is bound weakly on purpose: minimal builds of strutil leave it
 * out (and callsrv 2.0's strutil no longer exports it at all). When it is
 * missing, the weak reference resolves to NULL and upcase_method() below is
 * used instead, so this module links and runs unchanged against either.
 */
extern void str_upper(char *s) __attribute__((weak));

static void upcase_method(char *line)
{
    char *p;

    if (str_upper != NULL) {
        char *space = strchr(line, ' ');
        if (space != NULL)
            *space = '\0';
        str_upper(line);
        if (space != NULL)
            *space = ' ';
        return;
    }
    for (p = line; *p != '\0' && *p != ' '; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    }
}

/* Sends LINE to the server, waiting up to a second for it to run (it may be
 * starting, or restarting). Returns 0 or -1. */
static int post_line(const char *line, int fd)
{
    struct timespec pause = { 0, 1000000 };
    int tries;

    for (tries = 0; server_post(line, fd) != 0; tries++) {
        if (tries == 1000)
            return -1;
        nanosleep(&pause, NULL);
    }
    return 0;
}

static void serve_conn(int fd)
{
    char buf[4096];
    size_t used = 0;
    ssize_t n;
    char *line, *nl;

    while ((n = read(fd, buf + used, sizeof buf - 1 - used)) > 0) {
        used += (size_t)n;
        buf[used] = '\0';
        line = buf;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            line = str_trim(line);
            if (*line != '\0') {
                upcase_method(line);
                if (post_line(line, fd) != 0)
                    CS_LOG(CS_LOG_WARN, "acceptor: no server, dropped: %s", line);
            }
            line = nl + 1;
        }
        used = strlen(line);
        memmove(buf, line, used + 1);
        if (used == sizeof buf - 1)
            used = 0;                     /* overlong line: drop it */
    }
}

int acceptor_main(struct hotrt_proc *self, void *arg)
{
    struct pollfd pfd;
    int fd;

    (void)self;
    (void)arg;
    while (!atomic_load(&g_acc.stop)) {
        pfd.fd = g_acc.lfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        fd = accept(g_acc.lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_conn(fd);
        close(fd);
    }
    close(g_acc.lfd);
    g_acc.lfd = -1;
    return HOTRT_NORMAL;
}

int acceptor_start(struct hotrt *rt, struct hotrt_sup *sup, unsigned short port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int one = 1;

    atomic_init(&g_acc.stop, 0);
    g_acc.lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (g_acc.lfd < 0)
        return -1;
    setsockopt(g_acc.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(g_acc.lfd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(g_acc.lfd, 16) != 0 ||
        getsockname(g_acc.lfd, (struct sockaddr *)&sin, &len) != 0) {
        int saved = errno;
        close(g_acc.lfd);
        errno = saved;
        return -1;
    }
    g_acc.port = ntohs(sin.sin_port);
    if (hotrt_spawn(rt, &(struct hotrt_spawn){ .module = "acceptor", .entry = "acceptor_main",
                                              .name = "acceptor", .sup = sup,
                                              .restart = HOTRT_TRANSIENT }, NULL) != 0) {
        close(g_acc.lfd);
        errno = EAGAIN;
        return -1;
    }
    CS_LOG(CS_LOG_INFO, "acceptor: listening on 127.0.0.1:%u", (unsigned)g_acc.port);
    return g_acc.port;
}

void acceptor_stop(void)
{
    atomic_store(&g_acc.stop, 1);
}
