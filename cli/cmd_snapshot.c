/*
 * cmd_snapshot.c - 'hotplan snapshot PID... (--facts FACTS | TREE)': the
 * runtime of live processes (snapshot/snapshot.h), as hotplan-runtime JSON
 * or text; and the --pid of check and simulate, which take the same
 * snapshot and go on with the usual pipeline.
 *
 * Test hook: the environment variable HOTPLAN_SNAPSHOT_TEST_PAUSE_MS=N keeps
 * the target stopped N more milliseconds (at most 60,000), so that
 * tests/snapshot can signal or kill hotplan while the target is paused and
 * check that it always runs again. It is not part of the interface and is
 * never needed in real use.
 *
 * Exit status: 0 done; 2 bad usage, or a target that cannot be read (with
 * what to do about it); 3 a unit of TREE failed to parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "facts.h"
#include "fileio.h"
#include "parse-options.h"
#include "runtime.h"
#ifdef HOTPLAN_HAVE_SNAPSHOT
#include "snapshot.h"
#endif
#include "tree.h"

#define MAX_PIDS 1024

static const struct opt_command snapshot_cmd = {
	"snapshot", "PID... [TREE]",
	"Reads the threads of running processes and writes the hotplan-runtime that\n"
	"'hotplan simulate --runtime' and 'hotplan check --runtime' read: one process\n"
	"per thread started at an entry point of the tree, with the modules on its\n"
	"stack (innermost first) and its next call (blocked when it waits in a\n"
	"blocking call, else what the facts say of its loop). Several PIDs make one\n"
	"runtime. Each process is stopped only while its stacks are read (the pause\n"
	"is reported) and is always resumed, also when hotplan is interrupted or\n"
	"killed. 'check --pid' and 'simulate --pid' take the same snapshot.\n"
	"\n"
	"TREE is the source of the running program: a folder holding\n"
	"compile_commands.json, such a file, a CMake source folder, a folder of .c\n"
	"files, or a facts file. Frames are mapped to its modules through DWARF (build\n"
	"with -g; separate debug files are found by build-id), else through the\n"
	"symbol table.\n",
	"exit status: 0 done; 2 bad usage, or a process that cannot be read (no such\n"
	"process, ptrace not permitted, no DWARF and no symbols, not the program of\n"
	"the facts, exited meanwhile); 3 a unit of TREE failed to parse.\n",
	NULL,
};

static const struct opt_word format_words[] = {
	{ "json", 0, NULL },
	{ "text", 1, NULL },
	{ NULL, 0, NULL },
};

static int parse_pid(const char *s, long *out)
{
	unsigned long v;
	if (cli_parse_uint(s, 0x7fffffffUL, &v) || v == 0)
		return -1;
	*out = (long)v;
	return 0;
}

#ifndef HOTPLAN_HAVE_SNAPSHOT
/* Built without libdw (HOTPLAN_WITH_LIBDW): no snapshot library. The
 * command line is parsed as usual, then refused with this (exit 2). */
#define NO_SNAPSHOT "this hotplan was built without libdw and takes no snapshots " \
	"('hotplan snapshot', --pid): build it where libdw is installed (Debian: " \
	"libdw-dev), or give check and simulate a --runtime file"

int cli_snapshot_runtime(const char *cmd, const char *pids, const struct facts *f,
			 const struct hp_config *cfg, const char *app, struct runtime **rt,
			 struct errbuf *err)
{
	*rt = NULL;
	return hp_error(err, HP_EUSAGE, NO_SNAPSHOT);
}
#else
static unsigned test_pause_ms(void)
{
	const char *s = getenv("HOTPLAN_SNAPSHOT_TEST_PAUSE_MS");
	unsigned long v;
	if (!s || cli_parse_uint(s, 60000, &v))
		return 0;
	return (unsigned)v;
}

/* Prints where each target paused, as a note on standard error. */
static void note_pauses(const char *cmd, const struct snapshot *s)
{
	for (size_t i = 0; i < s->npauses; i++)
		fprintf(stderr, "hotplan %s: process %ld paused %.3f ms (%zu threads)\n", cmd,
			s->pauses[i].pid, s->pauses[i].paused_ms, s->pauses[i].nthreads);
}

int cli_snapshot_runtime(const char *cmd, const char *pids, const struct facts *f,
			 const struct hp_config *cfg, const char *app, struct runtime **rt,
			 struct errbuf *err)
{
	long list[MAX_PIDS];
	size_t n = 0;
	struct hp_config defaults;
	struct snapshot *s = NULL;
	char *copy = xstrdup(pids), *save = NULL;
	int rc = 0;

	*rt = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_PIDS)
			rc = hp_error(err, HP_EUSAGE, "more than %d processes given", MAX_PIDS);
		else if (parse_pid(tok, &list[n++]))
			rc = hp_error(err, HP_EUSAGE, "--pid needs process ids, not '%s'", tok);
	}
	free(copy);
	if (!rc && !n)
		rc = hp_error(err, HP_EUSAGE, "--pid needs process ids, not '%s'", pids);
	config_init(&defaults);
	if (!cfg)
		cfg = &defaults;
	if (!rc) {
		struct snapshot_options so = { f, cfg, list, n, NULL, app ? app : cfg->app, NULL,
					       test_pause_ms() };
		rc = snapshot_take(&so, &s, err);
	}
	if (!rc) {
		note_pauses(cmd, s);
		*rt = s->rt;
		s->rt = NULL;
	}
	snapshot_free(s);
	config_release(&defaults);
	return rc;
}
#endif

struct snap_args {
	long pids[MAX_PIDS];
	size_t npids;
	const char *tree, *facts, *out, *config, *vsn, *app, *debug_dir;
	int text;
};

static int parse_args(int argc, char **argv, struct snap_args *a)
{
	struct opt opts[] = {
		{ .type = OPT_T_STRING, .long_name = "facts", .argh = "FACTS",
		  .help = "the tree's facts (or any TREE), instead of TREE",
		  .value = OPT_PTR(const char *, &a->facts) },
		OPT_STRING('o', "output", &a->out, "FILE", "write there instead of standard output"),
		OPT_ENUM(0, "format", &a->text, NULL, format_words, "json (default) or text"),
		OPT_STRING(0, "config", &a->config, "FILE", "hotplan.config: module groups and "
			   "blocking calls"),
		OPT_STRING(0, "vsn", &a->vsn, "V", "the version every frame runs (default 1, as "
			   "the runtime built from facts)"),
		OPT_STRING(0, "app", &a->app, "NAME", "application name, for the supervisor "
			   "(default: the config's {app, ...}, else app)"),
		OPT_STRING(0, "debug-dir", &a->debug_dir, "DIR", "also look for separate debug "
			   "files under DIR (DIR/.build-id/xx/rest.debug)"),
		OPT_END(),
	};
	int status, first = opt_parse(&snapshot_cmd, opts, argc, argv, &status);
	if (first < 0)
		return status;
	for (int i = first; i < argc; i++) {
		long pid;
		if (!parse_pid(argv[i], &pid)) {
			if (a->npids == MAX_PIDS)
				return cli_usage_error("snapshot", "more than %d processes given", MAX_PIDS);
			a->pids[a->npids++] = pid;
		} else if (!a->tree && !a->facts) {
			a->tree = argv[i];
		} else {
			return cli_usage_error("snapshot", "'%s' is not a process id, and the tree is "
					       "given already", argv[i]);
		}
	}
	if (!a->npids)
		return cli_usage_error("snapshot", "no PID given");
	if (!a->tree && !a->facts)
		return cli_usage_error("snapshot", "give the program's tree: --facts FACTS or TREE");
	return -1;
}

#ifndef HOTPLAN_HAVE_SNAPSHOT
int cmd_snapshot(int argc, char **argv)
{
	struct snap_args *a = xcalloc(1, sizeof(*a));
	int rc = parse_args(argc, argv, a);
	free(a);
	if (rc >= 0)
		return rc;
	fprintf(stderr, "hotplan snapshot: error: %s\n", NO_SNAPSHOT);
	return 2;
}
#else
int cmd_snapshot(int argc, char **argv)
{
	struct snap_args *a = xcalloc(1, sizeof(*a));
	struct hp_config cfg;
	struct facts *f = NULL;
	struct snapshot *s = NULL;
	struct errbuf err = { "", 0 };
	struct strbuf sb = STRBUF_INIT;
	int rc = parse_args(argc, argv, a);

	config_init(&cfg);
	if (rc >= 0)
		goto out;
	rc = 0;
	if (a->config && config_read_file(&cfg, a->config, &err)) {
		rc = cli_fail("snapshot", &err);
		goto out;
	}
	struct cli_tree_opts to = { .progress = -1, .cfg = &cfg };
	int lrc = cli_load_tree(a->facts ? a->facts : a->tree, &to, &f, &err);
	if (lrc) {
		rc = cli_fail("snapshot", &err);
		goto out;
	}
	char *dbg = NULL;
	if (a->debug_dir) {
		dbg = xmalloc(strlen(a->debug_dir) + 32);
		sprintf(dbg, "+:.debug:/usr/lib/debug:%s", a->debug_dir);
	}
	struct snapshot_options so = { f, &cfg, a->pids, a->npids, a->vsn,
				       a->app ? a->app : cfg.app, dbg, test_pause_ms() };
	rc = snapshot_take(&so, &s, &err);
	free(dbg);
	if (rc) {
		rc = cli_fail("snapshot", &err);
		goto out;
	}
	if (a->text)
		snapshot_write_text(s, &sb);
	else
		snapshot_write_json(s, &sb);
	if (!a->text)
		note_pauses("snapshot", s);
	if (cli_emit(a->out, &sb, &err))
		rc = cli_fail("snapshot", &err);
out:
	sb_release(&sb);
	snapshot_free(s);
	facts_free(f);
	config_release(&cfg);
	free(a);
	return rc;
}
#endif
