/*
 * control.c - asks a libhotrt program which of its threads is which
 * process: the 'procs' request of the runtime's control socket
 * /tmp/hotrt.PID.sock (runtime/README.md). Stacks alone do not say which
 * thread is a process, nor its supervision; the answer says both, while
 * frames and versions still come from the stacks, so a prediction stays
 * independent of what the runtime believes of versions.
 *
 * Asked while the target runs (before it is stopped: its control thread
 * answers). A target without the socket, or one that does not answer, is
 * read from its stacks alone; a malformed answer is an error naming the
 * socket and the line.
 */
#define _GNU_SOURCE
#include "snapshot_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#define CONTROL_TIMEOUT_S 2
#define CONTROL_MAX_REPLY (16u << 20)

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { CONTROL_TIMEOUT_S, 0 };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The whole reply, up to its last line "ok" or "error ...", or -1. */
static int read_reply(int fd, struct strbuf *sb)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || sb->len + (size_t)n > CONTROL_MAX_REPLY)
			return -1;
		sb_add(sb, buf, (size_t)n);
		if (sb->len && sb->buf[sb->len - 1] == '\n') {
			const char *last = sb->buf + sb->len - 1;
			while (last > sb->buf && last[-1] != '\n')
				last--;
			if (!strcmp(last, "ok\n") || !strncmp(last, "error", 5))
				return 0;
		}
	}
}

static enum rt_restart restart_of(const char *s, int *ok)
{
	*ok = 1;
	if (!strcmp(s, "permanent") || !strcmp(s, "-"))
		return RT_PERMANENT;
	if (!strcmp(s, "transient"))
		return RT_TRANSIENT;
	if (!strcmp(s, "temporary"))
		return RT_TEMPORARY;
	*ok = 0;
	return RT_PERMANENT;
}

static int parse_line(struct control_table *ct, const char *line, struct arena *a)
{
	char w[8][128];
	long tid, id, intensity, period;
	int sys, ok, n;

	if (sscanf(line, "sup %127s %127s %127s %ld %ld%n", w[0], w[1], w[2], &intensity,
		   &period, &n) == 5 && !line[n]) {
		struct control_sup s = { arena_strdup(a, w[0]),
					 strcmp(w[1], "-") ? arena_strdup(a, w[1]) : NULL,
					 intensity, period };
		if (strcmp(w[2], "one_for_one") || intensity < 0 || period < 0)
			return -1;
		VEC_PUSH(&ct->sups, s);
		return 0;
	}
	if (sscanf(line, "proc %ld %ld %127s %127s %127s %127s %d %127s%n", &tid, &id, w[0],
		   w[1], w[2], w[3], &sys, w[4], &n) == 8 && !line[n]) {
		struct control_proc p = { tid, id, arena_strdup(a, w[0]), arena_strdup(a, w[1]),
					  strcmp(w[2], "-") ? arena_strdup(a, w[2]) : NULL,
					  restart_of(w[3], &ok), sys != 0, arena_strdup(a, w[4]) };
		if (!ok || (sys != 0 && sys != 1))
			return -1;
		VEC_PUSH(&ct->procs, p);
		return 0;
	}
	if (sscanf(line, "module %127s %127s %127s%n", w[0], w[1], w[2], &n) == 3 && !line[n])
		return 0;  /* versions come from the stacks, not from the runtime */
	return -1;
}

int control_ask(struct control_table *ct, long pid, struct arena *a, struct errbuf *err)
{
	char path[64];
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	memset(ct, 0, sizeof(*ct));
	snprintf(path, sizeof(path), "/tmp/hotrt.%ld.sock", pid);
	if (access(path, F_OK))
		return 0;
	int fd = connect_to(path);
	if (fd < 0)
		return 0;  /* a socket left by an earlier process of that pid */
	static const char req[] = "procs\n";
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1 || read_reply(fd, &sb)) {
		close(fd);
		sb_release(&sb);
		return hp_error(err, HP_EUSAGE, "control socket '%s' of process '%ld' did not "
				"answer 'procs'", path, pid);
	}
	close(fd);
	size_t lineno = 0;
	for (char *line = sb.buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		lineno++;
		if (!strcmp(line, "ok"))
			break;
		if (!strncmp(line, "error", 5)) {
			rc = hp_error(err, HP_EUSAGE, "control socket '%s': 'procs' failed: %s",
				      path, line);
			break;
		}
		if (parse_line(ct, line, a)) {
			rc = hp_error(err, HP_EINPUT, "%s:%zu:1: malformed answer to 'procs': '%s'",
				      path, lineno, line);
			break;
		}
	}
	sb_release(&sb);
	if (!rc) {
		ct->answered = 1;
		ct->path = arena_strdup(a, path);
	}
	return rc;
}

const struct control_proc *control_find(const struct control_table *ct, long tid)
{
	for (size_t i = 0; i < ct->procs.n; i++)
		if (ct->procs.items[i].tid == tid)
			return &ct->procs.items[i];
	return NULL;
}

void control_release(struct control_table *ct)
{
	VEC_RELEASE(&ct->procs);
	VEC_RELEASE(&ct->sups);
}
