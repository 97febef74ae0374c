/* worker.c - a worker process: waits in accept() on the socket the master
 * shares with every worker, reads one line, answers it, closes, again. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forksrv.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Reads one line (without its newline) into buf; its length, or -1. */
static int read_line(int fd, char *buf, size_t n)
{
	size_t len = 0;
	while (len + 1 < n) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r <= 0)
			return len ? (int)len : -1;
		if (c == '\n')
			break;
		buf[len++] = c;
	}
	buf[len] = '\0';
	return (int)len;
}

static void serve(int fd)
{
	char line[256], reply[300];
	if (read_line(fd, line, sizeof(line)) < 0)
		return;
	size_t n = proto_reply(line, reply, sizeof(reply) - 1);
	reply[n++] = '\n';
	if (write(fd, reply, n) < 0)
		return;
}

void worker_main(int lfd)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	while (!stopping) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		serve(fd);
		close(fd);
	}
}
