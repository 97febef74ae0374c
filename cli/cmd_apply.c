/*
 * cmd_apply.c - 'hotplan apply': installs an upgrade script in a running
 * program through libhotrt's control socket (runtime/README.md, "The
 * control socket") and reports what the program's release handler
 * returned, optionally what happened (the event log) and make_permanent.
 *
 * Invariants: the script is read and decoded here first, with the same
 * reader the runtime uses, so a script that does not parse never reaches
 * the program (exit 2, file:line:column); the cli only speaks the socket's
 * text protocol and does not link libhotrt. Nothing is printed on standard
 * output before the install's result is known, and the result term is its
 * first line.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "instr.h"
#include "jsonw.h"
#include "parse-options.h"

static const struct opt_command apply_cmd = {
	"apply", "SCRIPT",
	"Installs SCRIPT (the low-level script 'hotplan plan' writes, or a relup) in a\n"
	"running program that links libhotrt and serves its control socket\n"
	"(hotrt_control_start), as OTP's release_handler:install_release would: the\n"
	"program's release handler runs it on its live processes. Prints the term it\n"
	"returned ({ok,Unpurged}, {error,Reason}, {'EXIT',Reason}, restart_emulator\n"
	"or hang) as the first line of standard output.\n"
	"\n"
	"SCRIPT is decoded here first: one that does not parse is refused with its\n"
	"position and never sent. The program's socket is /tmp/hotrt.PID.sock for\n"
	"--pid PID; the folders of the modules' versions are the ones the program\n"
	"gave hotrt_control_start.\n",
	"exit status: 0 the program returned {ok,Unpurged} (and make_permanent, when\n"
	"asked, succeeded); 1 it returned {error,_}, {'EXIT',_}, restart_emulator or\n"
	"hang, or the connection was lost: the upgrade did not complete as planned;\n"
	"2 bad usage or bad input (a script that does not parse or that the program\n"
	"refuses, no such process, no control socket).\n",
	NULL,
};

static const struct opt_word format_words[] = {
	{ "text", 0, "the result term, then one line per event with --events (default); "
	  "make_permanent's events follow its line, at=make_permanent" },
	{ "json", 1, "one JSON object: {\"result\": ok|error|exit|restart_emulator|hang, "
	  "\"term\": TEXT, \"events\": [{\"kind\", \"name\", \"pid\", \"new_pid\", "
	  "\"instr\", \"detail\"}] (with --events), \"make_permanent\": \"ok\" or \"hang\" "
	  "(with --make-permanent), \"make_permanent_events\": [...] (with both)}" },
	{ NULL, 0, NULL },
};

/* A connection to the control socket: what was read past the last line. */
struct apply_conn {
	int fd;
	char buf[4096];
	size_t len;
};

/* One event line of the socket, split into its fields (pointing into its
 * own line: not to be copied by value). */
struct apply_event {
	char line[512];
	const char *kind, *name, *detail;
	long index, script, instr, pid, new_pid;
};

struct apply_events {
	struct apply_event *items;
	size_t n, alloc;
};

/* Reads one line (no newline) into line; 0, or -1 when the connection
 * ended or a line does not fit. */
static int conn_line(struct apply_conn *c, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			if (n >= size)
				return -1;
			memcpy(line, c->buf, n);
			line[n] = '\0';
			c->len -= n + 1;
			memmove(c->buf, nl + 1, c->len);
			return 0;
		}
		if (c->len == sizeof(c->buf))
			return -1;
		ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

static int conn_send(struct apply_conn *c, const char *data, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = send(c->fd, data + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/*
 * Sends req (and n bytes of data) and reads the reply: its lines before the
 * last go to lines (one string, each line ending with '\n'). Returns 0 for
 * "ok", 1 for "error MESSAGE" (the message in err), -1 when the connection
 * was lost (err says so).
 */
static int request(struct apply_conn *c, const char *req, const char *data, size_t n,
		   struct strbuf *lines, struct errbuf *err)
{
	char line[65536];
	if (conn_send(c, req, strlen(req)) || (n && conn_send(c, data, n)))
		return hp_error(err, HP_EIO, "the program closed its control socket");
	for (;;) {
		if (conn_line(c, line, sizeof(line)))
			return hp_error(err, HP_EIO, "the program closed its control socket "
					"before it answered '%.*s'", (int)strcspn(req, " \n"), req);
		if (!strcmp(line, "ok"))
			return 0;
		if (!strncmp(line, "error ", 6)) {
			hp_error(err, HP_EINPUT, "%s", line + 6);
			return 1;
		}
		sb_adds(lines, line);
		sb_addc(lines, '\n');
	}
}

/* Connects to path; with pid > 0 says what is missing in the terms of that
 * process. 0 or HP_EINPUT. */
static int apply_connect(struct apply_conn *c, const char *path, long pid, struct errbuf *err)
{
	if (pid > 0 && kill((pid_t)pid, 0) && errno == ESRCH)
		return hp_error(err, HP_EINPUT, "no process %ld", pid);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return hp_error(err, HP_EINPUT, "socket path '%s' is too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return hp_error(err, HP_EIO, "cannot create a socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;
		if (pid > 0 && (e == ENOENT || e == ECONNREFUSED))
			return hp_error(err, HP_EINPUT, "process %ld does not serve libhotrt's "
					"control socket ('%s': %s); the program starts it with "
					"hotrt_control_start(rt, NULL, libdirs, n)", pid, path,
					strerror(e));
		return hp_error(err, HP_EINPUT, "cannot connect to '%s': %s", path, strerror(e));
	}
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (pid > 0 && !getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	    cred.pid != (pid_t)pid)
		return hp_error(err, HP_EINPUT, "'%s' is served by process %ld, not %ld", path,
				(long)cred.pid, pid);
	return 0;
}

/* Splits an "event I KIND SCRIPT INSTR PID NEW_PID NAME DETAIL" line. */
static int parse_event(const char *text, struct apply_event *e)
{
	snprintf(e->line, sizeof(e->line), "%s", text);
	char *f[9], *save = NULL;
	int n = 0;
	for (char *t = strtok_r(e->line, " ", &save); t && n < 9; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n != 9 || strcmp(f[0], "event"))
		return -1;
	e->index = atol(f[1]);
	e->kind = f[2];
	e->script = atol(f[3]);
	e->instr = atol(f[4]);
	e->pid = atol(f[5]);
	e->new_pid = atol(f[6]);
	e->name = f[7];
	e->detail = f[8];
	return 0;
}

/*
 * The events from index from: those of an install (script >= 0), or with
 * outside set those outside any install (make_permanent's). *next gets
 * the index after the last event read (from when there was none).
 */
static int read_events(struct apply_conn *c, long from, int outside, struct apply_events *out,
		       long *next, struct errbuf *err)
{
	char req[64];
	struct strbuf lines = STRBUF_INIT;
	snprintf(req, sizeof(req), "events %ld\n", from);
	int rc = request(c, req, NULL, 0, &lines, err);
	*next = from;
	/* An event's fields point into its own line, so no item may move once
	 * parsed: out starts empty and is sized once, before any is parsed. */
	size_t nlines = 0;
	assert(out->n == 0);
	for (size_t i = 0; !rc && i < lines.len; i++)
		nlines += lines.buf[i] == '\n';
	VEC_GROW(out, nlines);
	for (char *l = lines.buf; !rc && *l;) {
		char *nl = strchr(l, '\n');
		if (!nl)
			break;  /* request() ends every line; nothing unended is counted */
		*nl = '\0';
		struct apply_event *e = &out->items[out->n];
		if (!parse_event(l, e)) {
			*next = e->index + 1;
			out->n += outside ? e->script < 0 : e->script >= 0;
		}
		l = nl + 1;
	}
	sb_release(&lines);
	return rc;
}

/* The number of events logged so far (the index the install's start at). */
static int event_count(struct apply_conn *c, long *count, struct errbuf *err)
{
	struct strbuf lines = STRBUF_INIT;
	int rc = request(c, "events 0\n", NULL, 0, &lines, err);
	*count = 0;
	const char *last = lines.len ? lines.buf + lines.len - 1 : lines.buf;
	while (last > lines.buf && last[-1] != '\n')
		last--;
	struct apply_event e;
	if (!rc && lines.len && !parse_event(last, &e))
		*count = e.index + 1;
	sb_release(&lines);
	return rc;
}

static void print_text_events(const struct apply_event *ev, size_t n, int permanent)
{
	for (size_t i = 0; i < n; i++) {
		printf("%s %s", ev[i].kind, ev[i].name);
		if (ev[i].pid)
			printf(" pid=%ld", ev[i].pid);
		if (ev[i].new_pid)
			printf(" new_pid=%ld", ev[i].new_pid);
		if (permanent)
			printf(" at=make_permanent");
		else
			printf(" instr=%ld", ev[i].instr);
		if (strcmp(ev[i].detail, "-"))
			printf(" detail=%s", ev[i].detail);
		printf("\n");
	}
}

static void print_text(const char *term, const struct apply_events *ev,
		       const struct apply_events *pev, const char *permanent)
{
	printf("%s\n", term);
	print_text_events(ev->items, ev->n, 0);
	if (permanent)
		printf("make_permanent %s\n", permanent);
	print_text_events(pev->items, pev->n, 1);
}

static void json_events(struct jsonw *w, const struct apply_event *ev, size_t n)
{
	jsonw_array(w, JSONW_LINES);
	for (size_t i = 0; i < n; i++) {
		jsonw_object(w, JSONW_INLINE);
		jsonw_key(w, "kind");
		jsonw_string(w, ev[i].kind);
		jsonw_key(w, "name");
		jsonw_string(w, ev[i].name);
		jsonw_key(w, "pid");
		jsonw_int(w, ev[i].pid);
		jsonw_key(w, "new_pid");
		jsonw_int(w, ev[i].new_pid);
		jsonw_key(w, "instr");
		jsonw_int(w, ev[i].instr);
		jsonw_key(w, "detail");
		jsonw_string(w, ev[i].detail);
		jsonw_end(w);
	}
	jsonw_end(w);
}

static void print_json(const char *code, const char *term, int events,
		       const struct apply_events *ev, const struct apply_events *pev,
		       const char *permanent)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "result");
	jsonw_string(&w, code);
	jsonw_key(&w, "term");
	jsonw_string(&w, term);
	if (events) {
		jsonw_key(&w, "events");
		json_events(&w, ev->items, ev->n);
	}
	if (permanent) {
		jsonw_key(&w, "make_permanent");
		jsonw_string(&w, permanent);
		if (events) {
			/* instr is -1: outside any script */
			jsonw_key(&w, "make_permanent_events");
			json_events(&w, pev->items, pev->n);
		}
	}
	jsonw_end(&w);
	printf("%s\n", sb.buf);
	sb_release(&sb);
}

/* Decodes the script here, as the runtime will. 0 or HP_EINPUT. */
static int check_script(const char *path, const char *data, size_t len, struct errbuf *err)
{
	struct arena a;
	struct term **terms;
	struct script sc;
	size_t n;
	arena_init(&a);
	int rc = term_consult(&a, path, data, len, &terms, &n, err);
	if (!rc)
		rc = script_decode(&a, path, terms, n, &sc, err);
	if (!rc && sc.n && sc.instrs[0].op == INSTR_RESTART_NEW_EMULATOR)
		rc = hp_error_at(err, HP_EINPUT, path, sc.instrs[0].line, sc.instrs[0].col,
				 "'restart_new_emulator' restarts the program: libhotrt cannot");
	arena_release(&a);
	return rc;
}

struct apply_opts {
	unsigned long pid;
	const char *socket;
	int make_permanent, events, json;
};

/* Parses "result CODE TERM" into code and term (pointing into line). */
static int parse_result(char *line, const char **code, const char **term)
{
	if (strncmp(line, "result ", 7))
		return -1;
	char *sp = strchr(line + 7, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	*code = line + 7;
	*term = sp + 1;
	char *nl = strchr(*term, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

/* Talks to the program once connected; returns the exit status. */
static int apply_run(struct apply_conn *c, const struct apply_opts *o, const char *data,
		     size_t len, struct errbuf *err)
{
	struct apply_events ev = { NULL, 0, 0 }, pev = { NULL, 0, 0 };
	struct strbuf lines = STRBUF_INIT;
	char req[64];
	long from = 0;
	const char *code, *term, *permanent = NULL;
	int status = 1;
	if (o->events && event_count(c, &from, err))
		goto out;
	snprintf(req, sizeof(req), "install %zu\n", len);
	int rc = request(c, req, data, len, &lines, err);
	if (rc || parse_result(lines.buf, &code, &term)) {
		if (!rc)
			hp_error(err, HP_EIO, "the program's answer is not a result: '%s'", lines.buf);
		status = rc > 0 ? 2 : 1;
		goto out;
	}
	int ok = !strcmp(code, "ok");
	if (o->events && read_events(c, from, 0, &ev, &from, err))
		goto out;
	if (ok && o->make_permanent) {
		struct strbuf none = STRBUF_INIT;
		int mp = request(c, "make_permanent\n", NULL, 0, &none, err);
		sb_release(&none);
		if (mp < 0)
			goto out;
		permanent = mp ? "hang" : "ok";
		if (o->events && read_events(c, from, 1, &pev, &from, err))
			goto out;
	}
	if (o->json)
		print_json(code, term, o->events, &ev, &pev, permanent);
	else
		print_text(term, &ev, &pev, permanent);
	status = ok && (!permanent || !strcmp(permanent, "ok")) ? 0 : 1;
	err->msg[0] = '\0';
out:
	VEC_RELEASE(&ev);
	VEC_RELEASE(&pev);
	sb_release(&lines);
	return status;
}

int cmd_apply(int argc, char **argv)
{
	struct apply_opts o = { 0, NULL, 0, 0, 0 };
	struct opt opts[] = {
		{ .type = OPT_T_UINT, .long_name = "pid", .argh = "PID", .value = OPT_PTR(unsigned long, &o.pid),
		  .help = "the program to upgrade: connect to /tmp/hotrt.PID.sock",
		  .min = 1, .max = 4194304, .flags = OPT_OR_NEXT },
		OPT_STRING(0, "socket", &o.socket, "PATH", "the program's control socket, "
			   "when it is not the default one of --pid"),
		OPT_FLAG(0, "make-permanent", &o.make_permanent, "after {ok,_}, run "
			 "make_permanent (purging, killing, what was stored with brutal_purge); "
			 "exit 1 if it hangs"),
		OPT_FLAG(0, "events", &o.events, "print what happened during the install "
			 "(killed, suspended, code_change, resumed, loaded, purged, ...), one "
			 "per line after the result, and during make_permanent"),
		OPT_ENUM(0, "format", &o.json, NULL, format_words, NULL),
		OPT_END(),
	};
	int status, i = opt_parse(&apply_cmd, opts, argc, argv, &status);
	if (i < 0)
		return status;
	if (argc - i != 1)
		return cli_usage_error("apply", "expected one SCRIPT");
	if (!o.pid && !o.socket)
		return cli_usage_error("apply", "--pid or --socket is required");
	const char *script = argv[i];
	struct errbuf err = { "", 0 };
	char *data = NULL;
	size_t len;
	if (fileio_read(script, &data, &len, &err) || check_script(script, data, len, &err)) {
		free(data);
		return cli_fail("apply", &err);
	}
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hotrt.%lu.sock", o.pid);
	struct apply_conn *c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	if (apply_connect(c, o.socket ? o.socket : path, (long)o.pid, &err)) {
		status = cli_fail("apply", &err);
	} else {
		status = apply_run(c, &o, data, len, &err);
		if (err.msg[0])
			fprintf(stderr, "hotplan apply: error: %s\n", err.msg);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	free(data);
	return status;
}
