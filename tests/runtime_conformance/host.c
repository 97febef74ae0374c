/*
 * host.c - the scenario host of the C conformance suite: one scenario run
 * live on libhotrt.
 *
 *   hc_host MODDIR SCENARIO
 *
 * Loads the modules of the scenario in their setup versions (MODDIR/
 * M.VSN.so), starts its supervisors and processes, serves libhotrt's
 * control socket /tmp/hotrt.PID.sock (hotrt_control_start: its 'procs'
 * tells hotplan snapshot which thread is which process, and its
 * supervision), prints "ready PID" once
 * every process sits at its starting point, then reads commands from
 * standard input, one per line, and answers each on standard output:
 *   install VSN SCRIPT  hotrt_install with the libdir {app, VSN, MODDIR}:
 *                    "result CODE TERM"
 *   permanent        hotrt_make_permanent: "permanent ok|hang"
 *   sleep MS         "slept"
 *   report M...      one line of JSON: events, the versions of modules M...,
 *                    live processes
 *   quit             ends every process and exits
 * A scenario is lines of words:
 *   mod NAME VSN...                 loaded in that order (the last is current)
 *   sup NAME INTENSITY PERIOD_MS    a one_for_one supervisor
 *   proc NAME MODULE ENTRY SYS SUP RESTART AT WAITBLOCKED FUNMOD
 *       spawned at MODULE_ENTRY once the setup loaded version AT; SUP and
 *       FUNMOD are '-' for none.
 * Exit status: 0, or 2 with a message for a scenario it cannot run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hcmod.h"
#include "hotrt.h"

#define HC_MAX 32

struct hc_proc {
	char name[64], module[32], entry[64], sup[32], restart[16], at[16], fun[32];
	int sys, wait_blocked;
	hotrt_pid pid;
	struct hc_arg arg;
};

struct hc_sup {
	char name[32];
	int intensity;
	long period_ms;
	struct hotrt_sup *sup;
};

struct hc_mod {
	char name[32];
	char vsns[4][16];
	int nvsns;
};

struct host {
	struct hotrt *rt;
	const char *moddir;
	struct hc_mod mods[HC_MAX];
	struct hc_sup sups[HC_MAX];
	struct hc_proc procs[HC_MAX];
	int nmods, nsups, nprocs;
	int pipe[2];
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "hc_host: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void read_scenario(struct host *h, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0;
	if (!f)
		die("cannot open '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		struct hc_mod *m = &h->mods[h->nmods];
		struct hc_sup *s = &h->sups[h->nsups];
		struct hc_proc *p = &h->procs[h->nprocs];
		int n = 0;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strncmp(line, "mod ", 4) && h->nmods < HC_MAX) {
			n = sscanf(line, "mod %31s %15s %15s %15s %15s", m->name, m->vsns[0],
				   m->vsns[1], m->vsns[2], m->vsns[3]);
			m->nvsns = n - 1;
			if (n >= 2)
				h->nmods++;
		} else if (!strncmp(line, "sup ", 4) && h->nsups < HC_MAX) {
			n = sscanf(line, "sup %31s %d %ld", s->name, &s->intensity, &s->period_ms);
			if (n == 3)
				h->nsups++;
		} else if (!strncmp(line, "proc ", 5) && h->nprocs < HC_MAX) {
			n = sscanf(line, "proc %63s %31s %63s %d %31s %15s %15s %d %31s", p->name,
				   p->module, p->entry, &p->sys, p->sup, p->restart, p->at,
				   &p->wait_blocked, p->fun);
			if (n == 9)
				h->nprocs++;
		}
		if (!n || (line[0] == 's' && n != 3) || (line[0] == 'p' && n != 9)) {
			fprintf(stderr, "hc_host: %s:%d:1: malformed line\n", path, lineno);
			exit(2);
		}
	}
	fclose(f);
}

static struct hc_sup *find_sup(struct host *h, const char *name)
{
	for (int i = 0; i < h->nsups; i++)
		if (!strcmp(h->sups[i].name, name))
			return &h->sups[i];
	return NULL;
}

static void load(struct host *h, const char *mod, const char *vsn)
{
	char path[4096], msg[256];
	snprintf(path, sizeof(path), "%s/%s.%s.so", h->moddir, mod, vsn);
	if (hotrt_load(h->rt, mod, vsn, path))
		die("%s", hotrt_errmsg(h->rt, msg, sizeof(msg)));
}

static void spawn(struct host *h, struct hc_proc *p)
{
	char entry[128], msg[256];
	struct hc_sup *s = find_sup(h, p->sup);
	snprintf(entry, sizeof(entry), "%s_%s", p->module, p->entry);
	p->arg.fd = h->pipe[0];
	p->arg.wait_blocked = p->wait_blocked;
	p->arg.sys = p->sys;
	p->arg.fun_mod = strcmp(p->fun, "-") ? p->fun : NULL;
	struct hotrt_spawn sp = {
		.module = p->module, .entry = entry, .arg = &p->arg, .name = p->name,
		.sys = p->sys, .sup = s ? s->sup : NULL, .id = p->name,
		.restart = !strcmp(p->restart, "transient") ? HOTRT_TRANSIENT :
			   !strcmp(p->restart, "temporary") ? HOTRT_TEMPORARY : HOTRT_PERMANENT,
	};
	if (hotrt_spawn(h->rt, &sp, &p->pid))
		die("%s", hotrt_errmsg(h->rt, msg, sizeof(msg)));
	for (int i = 0; i < 5000 && !atomic_load(&p->arg.ready); i++)
		nap_ms(1);
	if (!atomic_load(&p->arg.ready))
		die("process '%s' never reached its starting point", p->name);
}

/* The setup: stage k loads every module's k-th version, then starts the
 * processes that start at a version loaded in that stage. */
static void setup(struct host *h)
{
	for (int i = 0; i < h->nsups; i++)
		h->sups[i].sup = hotrt_sup_new(h->rt, h->sups[i].name, h->sups[i].intensity,
					       h->sups[i].period_ms);
	for (int k = 0; k < 4; k++) {
		for (int i = 0; i < h->nmods; i++)
			if (k < h->mods[i].nvsns)
				load(h, h->mods[i].name, h->mods[i].vsns[k]);
		nap_ms(20);  /* qualified loops move to the new current version */
		for (int i = 0; i < h->nprocs; i++) {
			struct hc_proc *p = &h->procs[i];
			for (int m = 0; m < h->nmods; m++)
				if (!strcmp(h->mods[m].name, p->module) && k < h->mods[m].nvsns &&
				    !strcmp(h->mods[m].vsns[k], p->at))
					spawn(h, p);
		}
	}
	nap_ms(50);  /* from ready to the wait itself */
}

/* The pid of p now (a restart makes a new one), or 0 when it is gone. */
static hotrt_pid live_pid(struct host *h, struct hc_proc *p)
{
	struct hc_sup *s = find_sup(h, p->sup);
	hotrt_pid pid = s ? hotrt_sup_child(h->rt, s->sup, p->name) : p->pid;
	struct hotrt_proc_info info;
	if (!pid || hotrt_proc_info(h->rt, pid, &info) || info.status == HOTRT_ENDED)
		return 0;
	return pid;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/* One line of JSON; the versions of the modules named in names (words). */
static void report(struct host *h, char *names)
{
	size_t n = hotrt_event_count(h->rt);
	printf("{\"events\": [");
	for (size_t i = 0; i < n; i++) {
		struct hotrt_event e;
		if (hotrt_event_get(h->rt, i, &e))
			continue;
		printf("%s{\"kind\": \"%s\", \"script\": %d, \"instr\": %d, \"pid\": %d, "
		       "\"new_pid\": %d, \"name\": ", i ? ", " : "", hotrt_event_name(e.kind),
		       e.script, e.instr, (int)e.pid, (int)e.new_pid);
		json_str(e.name);
		printf(", \"detail\": ");
		json_str(e.detail);
		putchar('}');
	}
	printf("], \"modules\": [");
	char *save = NULL;
	int nm = 0;
	for (char *name = strtok_r(names, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		char cur[64] = "", old[64] = "";
		int hc = !hotrt_version(h->rt, name, 0, cur, sizeof(cur));
		int ho = !hotrt_version(h->rt, name, 1, old, sizeof(old));
		printf("%s{\"name\": ", nm++ ? ", " : "");
		json_str(name);
		printf(", \"current\": ");
		hc ? json_str(cur) : (void)printf("null");
		printf(", \"old\": ");
		ho ? json_str(old) : (void)printf("null");
		putchar('}');
	}
	printf("], \"alive\": [");
	for (int i = 0, k = 0; i < h->nprocs; i++)
		if (live_pid(h, &h->procs[i])) {
			printf("%s", k++ ? ", " : "");
			json_str(h->procs[i].name);
		}
	printf("]}\n");
}

static const char *const result_names[] = { "ok", "error", "exit", "restart_emulator", "hang" };

static void commands(struct host *h)
{
	char line[4096], msg[512];
	while (fgets(line, sizeof(line), stdin)) {
		char vsn[64], *script = NULL;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "install %63s", vsn) == 1 && (script = strchr(line + 8, ' '))) {
			/* one libdir, the application's at the release installed */
			struct hotrt_libdir lib = { "app", vsn, h->moddir };
			char *res = NULL;
			int rc = hotrt_install(h->rt, script + 1, &lib, 1, &res);
			if (rc < 0)
				printf("result invalid %s\n", hotrt_errmsg(h->rt, msg, sizeof(msg)));
			else
				printf("result %s %s\n", result_names[rc], res ? res : "");
			free(res);
		} else if (!strcmp(line, "permanent")) {
			printf("permanent %s\n", hotrt_make_permanent(h->rt) ? "hang" : "ok");
		} else if (!strncmp(line, "sleep ", 6)) {
			nap_ms(atol(line + 6));
			printf("slept\n");
		} else if (!strncmp(line, "report", 6)) {
			report(h, line + 6);
		} else if (!strcmp(line, "quit")) {
			return;
		} else {
			printf("error unknown command\n");
		}
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	static struct host h;
	const char *err = NULL;
	char msg[256];
	struct hotrt_options opt = {
		.suspend_timeout_ms = 150, .force_suspend_timeout = 1, .resume_attempt_ms = 150,
		.purge_timeout_ms = 3000, .sample_timeout_ms = 1000, .shutdown_ms = 1000,
	};

	if (argc != 3) {
		fprintf(stderr, "usage: hc_host MODDIR SCENARIO\n");
		return 2;
	}
	h.moddir = argv[1];
	read_scenario(&h, argv[2]);
	if (pipe(h.pipe) || hotrt_new(&h.rt, &opt, &err))
		die("%s", err ? err : "pipe failed");
	setup(&h);
	if (hotrt_control_start(h.rt, NULL, NULL, 0))
		die("%s", hotrt_errmsg(h.rt, msg, sizeof(msg)));
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	commands(&h);
	hotrt_control_stop(h.rt);
	close(h.pipe[1]);  /* readers see the end of the pipe */
	fflush(stdout);
	_exit(0);  /* hotrt_free would wait for pollers; the scenario is over */
}
