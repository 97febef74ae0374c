/* master.c - forksrv's master: listens on 127.0.0.1, forks the workers
 * that answer on that socket (directly, or through spawn_worker() when
 * built with FORKSRV_WRAPPER), and stops them on SIGINT or SIGTERM.
 * --selftest sends requests to its own workers and checks the answers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forksrv.h"

#define MAX_WORKERS 16

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int listen_on(int port, int *bound)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		close(fd);
		return -1;
	}
	*bound = ntohs(a.sin_port);
	return fd;
}

/* Starts one worker on lfd; its pid, or -1. */
static pid_t start_worker(int lfd)
{
#ifdef FORKSRV_WRAPPER
	return spawn_worker(lfd, worker_main);
#else
	pid_t pid = fork();
	if (pid == 0) {
		worker_main(lfd);
		_exit(0);
	}
	return pid;
#endif
}

/* Sends one request line to 127.0.0.1:port; the reply line in out. */
static int request(int port, const char *line, char *out, size_t n)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t len = 0;
	ssize_t r;
	while (len + 1 < n && (r = read(fd, out + len, n - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	out[len] = '\0';
	if (len && out[len - 1] == '\n')
		out[--len] = '\0';
	return 0;
}

/* Requests answered by the workers, not the master: 0 when all are right. */
static int selftest(int port, const pid_t *workers, int n)
{
	char reply[300];
	int bad = 0;
	if (request(port, "PING", reply, sizeof(reply)) || strcmp(reply, "PONG"))
		bad++;
	if (request(port, "ECHO hot code", reply, sizeof(reply)) || strcmp(reply, "hot code"))
		bad++;
	for (int i = 0; i < 4; i++) {
		int ok = 0;
		if (request(port, "PID", reply, sizeof(reply)))
			break;
		for (int k = 0; k < n; k++)
			ok |= atol(reply) == (long)workers[k];
		bad += !ok;
	}
	printf("forksrv: selftest %s (%d workers)\n", bad ? "FAILED" : "ok", n);
	return bad;
}

int main(int argc, char **argv)
{
	int nworkers = 2, port = 7070, test = 0, bound = 0;
	pid_t workers[MAX_WORKERS];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--workers") && i + 1 < argc)
			nworkers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--selftest"))
			test = 1;
		else {
			fprintf(stderr, "usage: forksrv [--workers N] [--port P] [--selftest]\n");
			return 2;
		}
	}
	if (nworkers < 1 || nworkers > MAX_WORKERS)
		nworkers = 2;
	int lfd = listen_on(test ? 0 : port, &bound);
	if (lfd < 0) {
		perror("forksrv: listen");
		return 1;
	}
	for (int i = 0; i < nworkers; i++)
		workers[i] = start_worker(lfd);
	int status = 0;
	if (test) {
		status = selftest(bound, workers, nworkers) ? 1 : 0;
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		printf("forksrv: %d workers on 127.0.0.1:%d\n", nworkers, bound);
		fflush(stdout);
		while (!quit)
			pause();
	}
	for (int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGTERM);
	for (int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			waitpid(workers[i], NULL, 0);
	close(lfd);
	return status;
}
