/*
 * acceptor.c - TCP front end. The acceptor thread waits in poll() on the
 * listening socket, reads each connection to its end, and posts every
 * non-empty line to the server queue with its method in upper case.
 */
#include "acceptor.h"
#include "cslog.h"
#include "server.h"
#include "strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
                if (server_post(line) != 0)
                    CS_LOG(CS_LOG_WARN, "acceptor: queue full, dropped: %s", line);
            }
            line = nl + 1;
        }
        used = strlen(line);
        memmove(buf, line, used + 1);
        if (used == sizeof buf - 1)
            used = 0;                     /* overlong line: drop it */
    }
}

void *acceptor_main(void *arg)
{
    struct acceptor *a = arg;
    struct pollfd pfd;
    int fd;

    while (!atomic_load(&a->stop)) {
        pfd.fd = a->lfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        fd = accept(a->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_conn(fd);
        close(fd);
    }
    return NULL;
}

int acceptor_start(struct acceptor *a, unsigned short port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int one = 1;

    atomic_init(&a->stop, 0);
    a->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (a->lfd < 0)
        return -1;
    setsockopt(a->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(a->lfd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(a->lfd, 16) != 0 ||
        getsockname(a->lfd, (struct sockaddr *)&sin, &len) != 0) {
        int saved = errno;
        close(a->lfd);
        errno = saved;
        return -1;
    }
    a->port = ntohs(sin.sin_port);
    if (pthread_create(&a->tid, NULL, acceptor_main, a) != 0) {
        close(a->lfd);
        return -1;
    }
    CS_LOG(CS_LOG_INFO, "acceptor: listening on 127.0.0.1:%u", (unsigned)a->port);
    return 0;
}

void acceptor_stop(struct acceptor *a)
{
    atomic_store(&a->stop, 1);
    pthread_join(a->tid, NULL);
    close(a->lfd);
}
