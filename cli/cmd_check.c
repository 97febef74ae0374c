/*
 * cmd_check.c - 'hotplan check OLD NEW': the pre-deploy gate. Analyzes both
 * trees (through the per-unit cache), plans, simulates, applies the policy
 * (upgrade/assess.c) and reports: text on standard output, and SARIF and
 * JUnit files on request.
 *
 * Invariant: the exit status is the verdict (0 allowed, 1 forbidden, 2 bad
 * usage or input, 3 a unit failed to parse), and the reports say the same
 * thing as the status; report files are written whole or not at all.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "facts.h"
#include "fileio.h"
#include "output.h"
#include "runtime.h"
#include "tree.h"
#include "upgrade.h"

#ifndef HOTPLAN_VERSION
#define HOTPLAN_VERSION "0.0.0"
#endif

static const struct opt_command check_cmd = {
	"check", "OLD NEW",
	"A pre-deploy gate: analyzes both trees, plans the upgrade from OLD to NEW,\n"
	"simulates its script on the running system, and applies a policy that\n"
	"forbids:\n"
	"  - more processes killed than --max-killed (HP301);\n"
	"  - an upgrade the release handler refuses or aborts (HP302);\n"
	"  - a translation unit that fails to parse (HP303, exit 3);\n"
	"  - a committed plan (--against) that differs from the fresh one (HP304);\n"
	"  - a removed export still referenced, or a retyped one (HP101, HP106);\n"
	"  - a state layout change without a state transformer (HP102), or with\n"
	"    one that never runs (HP107);\n"
	"  - a dependency cycle through process modules (HP103);\n"
	"  - any other planner finding of severity error.\n"
	"The planner's other findings (HP104, HP105) are reported as warnings.\n"
	"The report says what the upgrade does, what happens to each process, and\n"
	"what to do about each finding; in colour on a terminal unless NO_COLOR is set.\n"
	"\n"
	"OLD and NEW are each a folder holding compile_commands.json, a\n"
	"compile_commands.json file, a CMake source folder (configured, never\n"
	"built, in the cache), a folder of .c files, or a facts file.\n",
	"exit status: 0 the policy allows the upgrade; 1 it forbids it; 2 bad usage\n"
	"or bad input; 3 a translation unit failed to parse. SARIF and JUnit files\n"
	"are written in every case but 2.\n",
	NULL,
};

static const struct opt_word purge_words[] = {
	{ "auto", 0, NULL },
	{ "soft", 0, NULL },
	{ "brutal", 0, NULL },
	{ NULL, 0, NULL },
};

static const struct opt_word until_words[] = {
	{ "install", 0, NULL },
	{ "permanent", 1, NULL },
	{ NULL, 0, NULL },
};

/* What the command line says; values not given keep the defaults below. */
struct check_args {
	struct cli_tree_args tree;
	const char *runtime, *pids, *sarif, *junit, *against;
	const char *purge;         /* a word of purge_words, or NULL */
	unsigned long max_killed;  /* ULONG_MAX: not given */
	int until_permanent;
	int verbose;               /* text: every finding, none summed up */
	const char *program;       /* --program NAME, or NULL */
};

/* Parses argv into *a; returns the index of OLD, or -1 with *status set. */
static int check_parse(int argc, char **argv, struct check_args *a, int *status)
{
	struct opt opts[] = {
		{ .type = OPT_T_STRING, .long_name = "runtime", .argh = "RUNTIME",
		  .help = "simulate on this hotplan-runtime file (default: one process per entry "
			  "point of OLD, in its current code)",
		  .value = OPT_PTR(const char *, &a->runtime), .flags = OPT_OR_NEXT },
		OPT_STRING(0, "pid", &a->pids, "PID[,PID...]", "simulate on a snapshot of these "
			   "running processes of OLD (what 'hotplan snapshot' writes; each is "
			   "paused only while its stacks are read)"),
		OPT_UINT(0, "max-killed", &a->max_killed, "N", 0, 1000000000,
			 "processes the upgrade may kill (default 0)"),
		OPT_WORD(0, "purge", &a->purge, NULL, purge_words, "brutal (default, as 'hotplan "
			 "plan' and OTP): processes in old code are killed when it is purged; soft: "
			 "a load never kills, old code in use lingers; auto: soft, unless the old "
			 "code of a module is held only by processes that their supervisors restart "
			 "within their intensity (each choice is explained); {purge, M} in the "
			 "config changes the default"),
		OPT_ENUM(0, "until", &a->until_permanent, NULL, until_words, "simulate up to the "
			 "install, or up to make_permanent (default permanent: brutal purges kill "
			 "there)"),
		OPT_STRING(0, "sarif", &a->sarif, "FILE", "write a SARIF 2.1.0 report (rules with "
			   "help, results in the C sources, stable fingerprints)"),
		OPT_FLAG(0, "verbose", &a->verbose, "list every finding in the text report (by "
			 "default at most " OPT_STR(REPORT_TEXT_PER_MODULE) " of one rule per module, "
			 "then 'and N more'); SARIF and JUnit always have them all"),
		OPT_STRING(0, "junit", &a->junit, "FILE", "write a JUnit XML report (a test case "
			   "per rule and per process)"),
		OPT_STRING(0, "against", &a->against, "PLANFILE", "fail when this committed plan "
			   "(the script as 'hotplan plan' writes it) differs from the fresh one, and "
			   "show the difference"),
		OPT_STRING(0, "program", &a->program, "NAME", "check this program of trees that "
			   "build several (CMake's executables, else one per module defining main; "
			   "without it each is checked in turn, the exit status the worst)"),
		OPT_TREE(&a->tree, "hotplan.config: analysis settings, and the defaults of "
			 "{max_killed, N} and {purge, M}", CLI_CACHE_HELP_DEFAULT),
		OPT_END(),
	};
	int first = opt_parse(&check_cmd, opts, argc, argv, status);
	if (first < 0)
		return -1;
	if (argc - first != 2)
		*status = cli_usage_error("check", "expected two trees, OLD and NEW");
	else if (a->pids && a->runtime)
		*status = cli_usage_error("check", "give --runtime or --pid, not both");
	return *status ? -1 : first;
}

static int write_reports(const struct report *r, const char *sarif, const char *junit,
			 struct errbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	int rc = 0;
	if (sarif) {
		report_write(r, "sarif", 0, &out);
		rc = fileio_write(sarif, out.buf, out.len, err);
	}
	if (!rc && junit) {
		sb_reset(&out);
		report_write(r, "junit", 0, &out);
		rc = fileio_write(junit, out.buf, out.len, err);
	}
	sb_release(&out);
	return rc;
}

static int has_parse_failure(const struct report *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].rule == rule_info(HP303_PARSE_FAILURE))
			return 1;
	return 0;
}

/* How bad an exit status is: 0, then 1 (forbidden), 3 (incomplete), 2. */
static int status_rank(int rc)
{
	return rc == 2 ? 3 : rc == 3 ? 2 : rc;
}

/* What one check needs besides the trees: the options, the config, the
 * committed plan (--against) and the trees' names as given. */
struct check_env {
	const struct check_args *a;
	const struct hp_config *cfg;
	const struct upgrade_options *uo;
	unsigned long max_killed;
	const char *against;
	size_t against_len;
	const char *old_arg, *new_arg;
};

/*
 * Checks the program name (NULL: the trees as they are) of the loaded
 * trees: prints the text report, writes SARIF and JUnit, and returns the
 * exit status. The trees are not changed, so each program of a tree is
 * checked from one analysis.
 */
static int check_one(const struct check_env *e, const struct facts *old_all,
		     const struct facts *new_all, const char *name)
{
	struct facts *old1 = NULL, *new1 = NULL;
	const struct facts *old = old_all, *new = new_all;
	struct upgrade_options uo = *e->uo;
	struct assess_options ao;
	struct cli_identity id;
	struct runtime *snap = NULL;
	struct upgrade *up = NULL;
	struct report report;
	struct strbuf text = STRBUF_INIT;
	struct errbuf err = { "", 0 };
	struct arena scratch;
	int rc;
	memset(&id, 0, sizeof id);
	memset(&ao, 0, sizeof ao);
	arena_init(&scratch);
	if (name && (facts_select_program(old_all, name, &old1, &err) ||
		     facts_select_program(new_all, name, &new1, &err))) {
		rc = cli_fail("check", &err);
		goto out;
	}
	if (name) {
		old = old1;
		new = new1;
	}
	/* the application and versions as 'hotplan plan' takes them, so that
	 * --against compares like with like */
	cli_identity_init(&id, NULL, NULL, NULL, e->cfg, e->old_arg, old, e->new_arg, new);
	uo.app = id.app;
	uo.vsn = id.vsn;
	uo.from_vsn = id.from_vsn;
	if (e->a->pids) {
		if (cli_snapshot_runtime("check", e->a->pids, old, e->cfg, id.app, &snap, &err)) {
			rc = cli_fail("check", &err);
			goto out;
		}
		uo.runtime = snap;
		uo.runtime_name = arena_printf(&scratch, "a snapshot of process%s %s",
					       strchr(e->a->pids, ',') ? "es" : "", e->a->pids);
	}
	if (upgrade_run(&up, old, new, &uo, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	ao.max_killed = e->max_killed;
	ao.against_file = e->a->against;
	ao.against = e->a->against ? (e->against ? e->against : "") : NULL;
	ao.against_len = e->against_len;
	ao.tool_version = HOTPLAN_VERSION;
	if (upgrade_assess(up, &ao, &report, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	report_write(&report, "text", (out_color_wanted(stdout) ? REPORT_COLOR : 0) |
		     (e->a->verbose ? REPORT_VERBOSE : 0), &text);
	fwrite(text.buf, 1, text.len, stdout);
	fflush(stdout);
	if (write_reports(&report, e->a->sarif, e->a->junit, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	rc = has_parse_failure(&report) ? 3 : report.forbidden ? 1 : 0;
out:
	upgrade_free(up);
	runtime_free(snap);
	facts_free(old1);
	facts_free(new1);
	cli_identity_release(&id);
	sb_release(&text);
	arena_release(&scratch);
	return rc;
}

/*
 * Trees that build several programs, checked without --program: each
 * program of NEW (of OLD when NEW builds one) in turn, under a line naming
 * it, from the one analysis of each tree. Returns the worst exit status.
 * SARIF and JUnit hold one program's report: they need --program.
 */
static int check_each_program(const struct check_env *e, const struct facts *old,
			      const struct facts *new)
{
	const struct facts *f = new->nprograms > 1 ? new : old;
	int worst = 0;
	if (e->a->sarif || e->a->junit) {
		struct strbuf names = STRBUF_INIT;
		facts_program_names(f, &names);
		cli_usage_error("check", "--sarif and --junit report one program: '%s' builds "
				"several (%s); give --program NAME", f->root, names.buf);
		sb_release(&names);
		return 2;
	}
	for (size_t i = 0; i < f->nprograms; i++) {
		printf("%s== program %s ==\n", i ? "\n" : "", f->programs[i].name);
		fflush(stdout);
		int rc = check_one(e, old, new, f->programs[i].name);
		fflush(stdout);
		if (status_rank(rc) > status_rank(worst))
			worst = rc;
	}
	return worst;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { CLI_TREE_ARGS_INIT, NULL, NULL, NULL, NULL, NULL, NULL,
				ULONG_MAX, 1, 0, NULL };
	unsigned long max_killed;
	int rc = 0;
	struct upgrade_options uo;
	struct upgrade_policy policy;
	struct cli_tree_opts to;
	struct errbuf err = { "", 0 };
	struct facts *old = NULL, *new = NULL;
	struct report report;
	struct strbuf text = STRBUF_INIT;
	char *against = NULL;
	size_t against_len = 0;
	struct arena scratch;
	struct hp_config cfg;

	int first = check_parse(argc, argv, &a, &rc);
	if (first < 0 || cli_tree_args_opts("check", &a.tree, 1, &to))
		return first < 0 ? rc : 2;
	const char *config = a.tree.config, *purge = a.purge, *against_file = a.against;
	memset(&uo, 0, sizeof uo);
	arena_init(&scratch);
	uo.runtime_path = a.runtime;
	uo.until_permanent = a.until_permanent;

	/* hotplan.config, read once: the analysis settings, the policy, and
	 * the application and versions */
	config_init(&cfg);
	if (config && config_read_file(&cfg, config, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	to.cfg = &cfg;
	upgrade_policy_init(&policy, &cfg);
	max_killed = a.max_killed != ULONG_MAX ? a.max_killed :
		     policy.max_killed > 0 ? (unsigned long)policy.max_killed : 0;
	/* the option word was checked: it names a method */
	if (!purge || purge_option_lookup(purge, &uo.purge))
		uo.purge = policy.purge;
	uo.app = policy.app;
	if (against_file && fileio_read(against_file, &against, &against_len, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}

	int lrc = cli_load_tree(argv[first], &to, &old, &err);
	if (!lrc)
		lrc = cli_load_tree(argv[first + 1], &to, &new, &err);
	if (lrc == HP_EPARSE) {
		/* The units' errors are on stderr already; the reports say so too. */
		upgrade_assess_parse_failure(&scratch, err.msg, HOTPLAN_VERSION, &report);
		report.old_root = argv[first];
		report.new_root = argv[first + 1];
		report_write(&report, "text", out_color_wanted(stdout), &text);
		fwrite(text.buf, 1, text.len, stdout);
		if (write_reports(&report, a.sarif, a.junit, &err))
			rc = cli_fail("check", &err);
		else
			rc = 3;
		goto out;
	}
	if (lrc) {
		rc = cli_fail("check", &err);
		goto out;
	}
	struct check_env env = { &a, &cfg, &uo, max_killed, against, against_len,
				 argv[first], argv[first + 1] };
	if (!a.program && (old->nprograms > 1 || new->nprograms > 1))
		rc = check_each_program(&env, old, new);
	else
		rc = check_one(&env, old, new, a.program);
out:
	facts_free(old);
	facts_free(new);
	free(against);
	config_release(&cfg);
	sb_release(&text);
	arena_release(&scratch);
	return rc;
}
