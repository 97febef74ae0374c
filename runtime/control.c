/*
 * control.c - the operator interface of a running program: a Unix stream
 * socket served by one thread of the runtime, through which 'hotplan apply'
 * (or any client) lists the processes and modules, installs an upgrade
 * script, makes it permanent and reads the event log. The protocol is in
 * runtime/README.md ("The control socket").
 *
 * Invariants: one client at a time, one request a line, and every reply
 * ends with a line "ok" or "error <message>"; a field of a reply line never
 * holds a space or a newline (written as '_'), and an empty one is "-".
 * The server thread is not a process of the runtime: it calls the public
 * API (and takes rt->lock only to read the tables), so an install it runs is
 * the same as one the program runs itself. Stopping it (hotrt_control_stop,
 * hotrt_free) wakes it through a pipe, waits for the request it is serving
 * and unlinks the socket.
 */
#define _GNU_SOURCE
#include "hotrt_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_MAX_LINE 4096
#define CTL_MAX_SCRIPT (64L << 20)

struct hr_control {
	struct hotrt *rt;
	char *path;
	struct hotrt_libdir *libs;
	size_t nlibs;
	int lfd;
	int listening;     /* the socket file is ours to unlink */
	int wake[2];       /* written once by stop: the thread returns */
	pthread_t thread;
};

/* A client connection: its socket and what was read past the last line. */
struct ctl_conn {
	struct hr_control *c;
	int fd;
	char buf[CTL_MAX_LINE];
	size_t len;
};

/* Waits until fd is readable; 0, or -1 when stop was asked or on error. */
static int wait_readable(struct hr_control *c, int fd)
{
	struct pollfd p[2] = { { fd, POLLIN, 0 }, { c->wake[0], POLLIN, 0 } };
	for (;;) {
		int n = poll(p, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || p[1].revents)
			return -1;
		return 0;
	}
}

/* Fills conn->buf further; returns the bytes read, 0 at end of input or -1. */
static ssize_t conn_fill(struct ctl_conn *conn)
{
	if (wait_readable(conn->c, conn->fd))
		return -1;
	ssize_t n;
	do
		n = read(conn->fd, conn->buf + conn->len, sizeof(conn->buf) - conn->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		conn->len += (size_t)n;
	return n;
}

/* Reads one line (without its newline) into line; 0, 1 at end of input, -1
 * on error or a line too long. */
static int conn_line(struct ctl_conn *conn, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(conn->buf, '\n', conn->len);
		if (nl) {
			size_t n = (size_t)(nl - conn->buf);
			if (n >= size)
				return -1;
			memcpy(line, conn->buf, n);
			line[n] = '\0';
			conn->len -= n + 1;
			memmove(conn->buf, nl + 1, conn->len);
			return 0;
		}
		if (conn->len == sizeof(conn->buf))
			return -1;
		ssize_t r = conn_fill(conn);
		if (r <= 0)
			return r == 0 && conn->len == 0 ? 1 : -1;
	}
}

/* Reads exactly n bytes (what is buffered first) into out; 0 or -1. */
static int conn_bytes(struct ctl_conn *conn, char *out, size_t n)
{
	size_t have = conn->len < n ? conn->len : n;
	memcpy(out, conn->buf, have);
	conn->len -= have;
	memmove(conn->buf, conn->buf + have, conn->len);
	while (have < n) {
		if (wait_readable(conn->c, conn->fd))
			return -1;
		ssize_t r = read(conn->fd, out + have, n - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	return 0;
}

static int conn_send(struct ctl_conn *conn, const struct strbuf *sb)
{
	size_t off = 0;
	while (off < sb->len) {
		ssize_t n = send(conn->fd, sb->buf + off, sb->len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Adds s as one field: '-' when empty, blanks and newlines as '_'. */
static void add_field(struct strbuf *sb, const char *s)
{
	if (!s || !*s) {
		sb_addc(sb, '-');
		return;
	}
	for (; *s; s++)
		sb_addc(sb, *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ? '_' : *s);
}

/* Adds s with every newline as a space: a term on one line. */
static void add_one_line(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_addc(sb, *s == '\n' || *s == '\r' ? ' ' : *s);
}

static const char *restart_name(const struct hotrt_proc *p)
{
	if (!p->sup)
		return "-";
	switch (p->restart) {
	case HOTRT_PERMANENT: return "permanent";
	case HOTRT_TRANSIENT: return "transient";
	case HOTRT_TEMPORARY: return "temporary";
	}
	return "-";
}

static int cmp_module(const void *a, const void *b)
{
	const struct hr_module *x = *(struct hr_module *const *)a;
	const struct hr_module *y = *(struct hr_module *const *)b;
	return strcmp(x->name, y->name);
}

/* Request: procs. Supervisors, live processes by pid, modules by name. */
static void req_procs(struct hotrt *rt, struct strbuf *out)
{
	int cs;
	hr_lock(rt, &cs);
	for (size_t i = 0; i < rt->sups.n; i++) {
		const struct hotrt_sup *s = rt->sups.items[i];
		sb_adds(out, "sup ");
		add_field(out, s->name);
		sb_addc(out, ' ');
		add_field(out, s->parent ? s->parent->name : NULL);
		sb_addf(out, " one_for_one %d %ld\n", s->intensity, s->period_ms);
	}
	for (size_t i = 0; i < rt->procs.n; i++) {
		const struct hotrt_proc *p = rt->procs.items[i];
		if (!p->started || p->ended)
			continue;
		sb_addf(out, "proc %ld %ld ", (long)p->tid, (long)p->pid);
		add_field(out, p->module);
		sb_addc(out, ' ');
		add_field(out, p->entry);
		sb_addc(out, ' ');
		add_field(out, p->sup ? p->sup->name : NULL);
		sb_addf(out, " %s %d ", restart_name(p), p->sys ? 1 : 0);
		add_field(out, p->name);
		sb_addc(out, '\n');
	}
	size_t n = rt->modules.n;
	struct hr_module **mods = xmalloc((n ? n : 1) * sizeof(*mods));
	if (n)
		memcpy(mods, rt->modules.items, n * sizeof(*mods));
	qsort(mods, n, sizeof(*mods), cmp_module);
	for (size_t i = 0; i < n; i++) {
		sb_adds(out, "module ");
		add_field(out, mods[i]->name);
		sb_addc(out, ' ');
		add_field(out, mods[i]->cur ? mods[i]->cur->vsn : NULL);
		sb_addc(out, ' ');
		add_field(out, mods[i]->old ? mods[i]->old->vsn : NULL);
		sb_addc(out, '\n');
	}
	hr_unlock(rt, cs);
	free(mods);
	sb_adds(out, "ok\n");
}

/* Request: events FROM. */
static void req_events(struct hotrt *rt, const char *arg, struct strbuf *out)
{
	char *end;
	errno = 0;
	unsigned long long from = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || *arg == '-') {
		sb_addf(out, "error 'events' needs a number, not '%s'\n", arg);
		return;
	}
	struct hotrt_event e;
	size_t start = from > SIZE_MAX ? SIZE_MAX : (size_t)from;
	for (size_t i = start; !hotrt_event_get(rt, i, &e); i++) {
		sb_addf(out, "event %zu %s %d %d %ld %ld ", i, hotrt_event_name(e.kind),
			e.script, e.instr, (long)e.pid, (long)e.new_pid);
		add_field(out, e.name);
		sb_addc(out, ' ');
		add_field(out, e.detail);
		sb_addc(out, '\n');
	}
	sb_adds(out, "ok\n");
}

static const char *result_name(int kind)
{
	switch (kind) {
	case HOTRT_RES_OK: return "ok";
	case HOTRT_RES_ERROR: return "error";
	case HOTRT_RES_EXIT: return "exit";
	case HOTRT_RES_RESTART_EMULATOR: return "restart_emulator";
	case HOTRT_RES_HANG: return "hang";
	}
	return "error";
}

/* Writes the script to a private file and installs it from there. */
static void install_text(struct hr_control *c, const char *text, size_t n, struct strbuf *out)
{
	char path[] = "/tmp/hotrt.script.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		sb_addf(out, "error cannot create a temporary file: %s\n", strerror(errno));
		return;
	}
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	if (off < n) {
		unlink(path);
		sb_addf(out, "error cannot write '%s'\n", path);
		return;
	}
	char *result = NULL;
	int kind = hotrt_install(c->rt, path, c->libs, c->nlibs, &result);
	unlink(path);
	if (kind < 0) {
		/* the position names the temporary file: say "script" instead */
		char msg[1024];
		hotrt_errmsg(c->rt, msg, sizeof(msg));
		const char *at = strstr(msg, path);
		sb_adds(out, "error ");
		if (at) {
			sb_add(out, msg, (size_t)(at - msg));
			sb_adds(out, "script");
			add_one_line(out, at + strlen(path));
		} else {
			add_one_line(out, msg);
		}
		sb_addc(out, '\n');
		return;
	}
	sb_addf(out, "result %s ", result_name(kind));
	add_one_line(out, result ? result : "");
	sb_adds(out, "\nok\n");
	free(result);
}

/* Request: install N, then N bytes. Returns -1 when the connection broke. */
static int req_install(struct ctl_conn *conn, const char *arg, struct strbuf *out)
{
	char *end;
	errno = 0;
	long n = strtol(arg, &end, 10);
	if (!*arg || *end || errno || n < 0 || n > CTL_MAX_SCRIPT) {
		sb_addf(out, "error 'install' needs a byte count up to %ld, not '%s'\n",
			CTL_MAX_SCRIPT, arg);
		return -1;   /* the bytes that follow cannot be skipped */
	}
	char *text = xmalloc((size_t)n + 1);
	if (conn_bytes(conn, text, (size_t)n)) {
		free(text);
		return -1;
	}
	install_text(conn->c, text, (size_t)n, out);
	free(text);
	return 0;
}

/* Serves one request line into out; -1 when the connection must end. */
static int serve_line(struct ctl_conn *conn, char *line, struct strbuf *out)
{
	struct hotrt *rt = conn->c->rt;
	char *arg = strchr(line, ' ');
	if (arg)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	if (!strcmp(line, "procs") && !*arg) {
		req_procs(rt, out);
	} else if (!strcmp(line, "install")) {
		return req_install(conn, arg, out);
	} else if (!strcmp(line, "make_permanent") && !*arg) {
		sb_adds(out, hotrt_make_permanent(rt) ? "error hang\n" : "ok\n");
	} else if (!strcmp(line, "unpurged") && !*arg) {
		char *u = hotrt_unpurged(rt);
		sb_adds(out, "result ok ");
		add_one_line(out, u);
		sb_adds(out, "\nok\n");
		free(u);
	} else if (!strcmp(line, "events")) {
		req_events(rt, arg, out);
	} else {
		sb_adds(out, "error unknown request '");
		add_one_line(out, line);
		sb_adds(out, *arg ? " ...'\n" : "'\n");
	}
	return 0;
}

static void serve_client(struct hr_control *c, int fd)
{
	struct ctl_conn *conn = xcalloc(1, sizeof(*conn));
	conn->c = c;
	conn->fd = fd;
	char line[CTL_MAX_LINE];
	struct strbuf out = STRBUF_INIT;
	for (;;) {
		int r = conn_line(conn, line, sizeof(line));
		if (r > 0)
			break;
		sb_reset(&out);
		if (r < 0) {
			sb_adds(&out, "error request line too long or cut\n");
			conn_send(conn, &out);
			break;
		}
		int brk = serve_line(conn, line, &out);
		if (conn_send(conn, &out) || brk)
			break;
	}
	sb_release(&out);
	free(conn);
}

static void *control_main(void *arg)
{
	struct hr_control *c = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);   /* signals are the program's */
	for (;;) {
		if (wait_readable(c, c->lfd))
			break;
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/* out of descriptors, say: do not spin on the ready socket */
			struct pollfd w = { c->wake[0], POLLIN, 0 };
			if (errno != EINTR && errno != ECONNABORTED && poll(&w, 1, 100) > 0)
				break;
			continue;
		}
		serve_client(c, fd);
		close(fd);
	}
	return NULL;
}

static void control_free(struct hr_control *c)
{
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->wake[0] >= 0)
		close(c->wake[0]);
	if (c->wake[1] >= 0)
		close(c->wake[1]);
	for (size_t i = 0; i < c->nlibs; i++) {
		free((char *)c->libs[i].app);
		free((char *)c->libs[i].vsn);
		free((char *)c->libs[i].dir);
	}
	free(c->libs);
	free(c->path);
	free(c);
}

/* Binds and listens on c->path (mode 0600); a stale socket file nobody
 * answers on is replaced. 0 or a HOTRT_E* code with the message set. */
static int control_listen(struct hotrt *rt, struct hr_control *c)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(c->path) >= sizeof(sa.sun_path))
		return hr_error(rt, HOTRT_EINVAL, "socket path '%s' is too long", c->path);
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0)
		return hr_error(rt, HOTRT_ESYS, "cannot create a socket: %s", strerror(errno));
	int rc = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc && errno == EADDRINUSE) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int live = probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		if (probe >= 0)
			close(probe);
		if (live)
			return hr_error(rt, HOTRT_ESYS, "'%s' is served by another program",
					c->path);
		unlink(c->path);
		rc = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (rc)
		return hr_error(rt, HOTRT_ESYS, "cannot bind '%s': %s", c->path, strerror(errno));
	/* nobody can connect before listen(): the mode is set in time */
	if (chmod(c->path, 0600) || listen(c->lfd, 4)) {
		int e = errno;
		unlink(c->path);
		return hr_error(rt, HOTRT_ESYS, "cannot listen on '%s': %s", c->path, strerror(e));
	}
	c->listening = 1;
	return 0;
}

int hotrt_control_start(struct hotrt *rt, const char *path, const struct hotrt_libdir *libs,
			size_t nlibs)
{
	if (rt->control)
		return hr_error(rt, HOTRT_EINVAL, "the control socket '%s' is already served",
				rt->control->path);
	struct hr_control *c = xcalloc(1, sizeof(*c));
	c->rt = rt;
	c->lfd = c->wake[0] = c->wake[1] = -1;
	if (path) {
		c->path = xstrdup(path);
	} else {
		char buf[64];
		snprintf(buf, sizeof(buf), "/tmp/hotrt.%ld.sock", (long)getpid());
		c->path = xstrdup(buf);
	}
	c->libs = xcalloc(nlibs ? nlibs : 1, sizeof(*c->libs));
	c->nlibs = nlibs;
	for (size_t i = 0; i < nlibs; i++) {
		c->libs[i].app = xstrdup(libs[i].app);
		c->libs[i].vsn = xstrdup(libs[i].vsn);
		c->libs[i].dir = xstrdup(libs[i].dir);
	}
	int rc = control_listen(rt, c);
	if (!rc && pipe2(c->wake, O_CLOEXEC))
		rc = hr_error(rt, HOTRT_ESYS, "cannot create a pipe: %s", strerror(errno));
	if (!rc && pthread_create(&c->thread, NULL, control_main, c))
		rc = hr_error(rt, HOTRT_ESYS, "cannot start the control thread");
	if (rc) {
		if (c->listening)
			unlink(c->path);
		control_free(c);
		return rc;
	}
	rt->control = c;
	return 0;
}

const char *hotrt_control_path(struct hotrt *rt)
{
	return rt->control ? rt->control->path : NULL;
}

void hotrt_control_stop(struct hotrt *rt)
{
	struct hr_control *c = rt ? rt->control : NULL;
	if (!c)
		return;
	ssize_t w;
	do
		w = write(c->wake[1], "x", 1);
	while (w < 0 && errno == EINTR);
	pthread_join(c->thread, NULL);
	unlink(c->path);
	rt->control = NULL;
	control_free(c);
}
