/*
 * apply_srv.c - a real program on libhotrt for the apply tests: it loads
 * greeter version 1 from MODDIR, starts the greeter server (a sys process
 * under the supervisor greet_sup) and a ticker, serves the control socket
 * (at SOCKET, or the default /tmp/hotrt.<pid>.sock when SOCKET is "-"),
 * prints "ready" and then answers its standard input: each line "ask" is
 * sent to the server as a request and the server's answer printed
 * ("greeter 1 state 7"); "busy" starts a process spinning in greeter's
 * current version that no kill ends (a purge of that version hangs) and
 * "unbusy" lets it return; "quit" or the end of input ends the program.
 * A purge waits 1 s for its victims.
 *
 * usage: apply_srv MODDIR SOCKET
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greet.h"
#include "hotrt.h"

static int die(struct hotrt *rt, const char *what)
{
	char msg[1024];
	fprintf(stderr, "apply_srv: %s: %s\n", what, rt ? hotrt_errmsg(rt, msg, sizeof(msg)) : "");
	return 1;
}

/* Sends one request to the server alive now and prints its answer. */
static int ask(struct hotrt *rt, struct hotrt_sup *sup)
{
	struct greet_req r;
	memset(&r, 0, sizeof(r));
	sem_init(&r.done, 0, 0);
	hotrt_pid pid = hotrt_sup_child(rt, sup, "greeter");
	if (!pid || hotrt_send(rt, pid, &r)) {
		printf("no server\n");
	} else {
		sem_wait(&r.done);
		printf("%s\n", r.answer);
	}
	sem_destroy(&r.done);
	return fflush(stdout);
}

/* stop: the busy process's flag, which outlives the processes (main's). */
static int run(struct hotrt *rt, const char *moddir, const char *sock, atomic_int *stop)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/greeter.1.so", moddir);
	if (hotrt_load(rt, "greeter", "1", path))
		return die(rt, "load");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "greet_sup", 5, 10000);
	struct hotrt_spawn server = {
		.module = "greeter", .entry = "greeter_server", .name = "greeter server",
		.sys = 1, .sup = sup, .id = "greeter", .restart = HOTRT_PERMANENT,
	};
	struct hotrt_spawn ticker = {
		.module = "greeter", .entry = "greeter_ticker", .name = "ticker",
	};
	hotrt_pid pid;
	if (hotrt_spawn(rt, &server, &pid) || hotrt_spawn(rt, &ticker, &pid))
		return die(rt, "spawn");
	const struct hotrt_libdir libs[] = { { "greet", "2", moddir } };
	if (hotrt_control_start(rt, strcmp(sock, "-") ? sock : NULL, libs, 1))
		return die(rt, "control socket");
	printf("ready\n");
	fflush(stdout);
	struct hotrt_spawn busy = {
		.module = "greeter", .entry = "greeter_busy", .name = "busy", .arg = stop,
	};
	char line[256];
	while (fgets(line, sizeof(line), stdin) && strcmp(line, "quit\n")) {
		if (!strcmp(line, "ask\n") && ask(rt, sup))
			return 1;
		if (!strcmp(line, "busy\n")) {
			atomic_store(stop, 0);
			int rc = hotrt_spawn(rt, &busy, &pid);
			printf(rc ? "no busy\n" : "busy %ld\n", (long)pid);
		} else if (!strcmp(line, "unbusy\n")) {
			atomic_store(stop, 1);
			printf("unbusy\n");
		}
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: apply_srv MODDIR SOCKET\n");
		return 2;
	}
	struct hotrt *rt;
	const char *err;
	struct hotrt_options opt = {
		.suspend_timeout_ms = -1, .resume_attempt_ms = -1, .purge_timeout_ms = 1000,
		.sample_timeout_ms = -1, .shutdown_ms = -1,
	};
	if (hotrt_new(&rt, &opt, &err)) {
		fprintf(stderr, "apply_srv: %s\n", err);
		return 1;
	}
	atomic_int stop = 0;
	int rc = run(rt, argv[1], argv[2], &stop);
	if (hotrt_free(rt))
		return die(NULL, "a process did not end");
	return rc;
}
