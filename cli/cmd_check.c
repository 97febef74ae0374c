/*
 * cmd_check.c - 'hotplan check OLD NEW': the pre-deploy gate. Analyzes both
 * trees (through the per-unit cache), plans, simulates, applies the policy
 * (output/check.c) and reports: text on standard output, and SARIF and
 * JUnit files on request.
 *
 * Invariant: the exit status is the verdict (0 allowed, 1 forbidden, 2 bad
 * usage or input, 3 a unit failed to parse), and the reports say the same
 * thing as the status; report files are written whole or not at all.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "facts.h"
#include "fileio.h"
#include "output.h"
#include "tree.h"

#ifndef HOTPLAN_VERSION
#define HOTPLAN_VERSION "0.0.0"
#endif

static void check_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan check OLD NEW [--runtime RUNTIME | --pid PID] [--config FILE] [--max-killed N]\n"
		"                     [--purge auto|soft|brutal] [--until install|permanent]\n"
		"                     [--sarif FILE] [--junit FILE] [--against PLANFILE]\n"
		"                     [--cache DIR | --no-cache] [-j N]\n"
		"\n"
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
		"built, in the cache), a folder of .c files, or a facts file.\n"
		"\n"
		"options:\n"
		"  --runtime RUNTIME   simulate on this hotplan-runtime file (default: one\n"
		"                      process per entry point of OLD, in its current code)\n"
		"  --pid PID[,PID...]  simulate on a snapshot of these running processes of\n"
		"                      OLD (what 'hotplan snapshot' writes; each is paused\n"
		"                      only while its stacks are read)\n"
		"  --config FILE       hotplan.config: analysis settings, and the defaults of\n"
		"                      {max_killed, N} and {purge, M}\n"
		"  --max-killed N      processes the upgrade may kill (default 0)\n"
		"  --purge METHOD      brutal (default, as 'hotplan plan' and OTP): processes\n"
		"                      in old code are killed when it is purged; soft: a load\n"
		"                      never kills, old code in use lingers; auto: soft, unless\n"
		"                      the old code of a module is held only by processes that\n"
		"                      their supervisors restart within their intensity (each\n"
		"                      choice is explained); {purge, M} in the config changes\n"
		"                      the default\n"
		"  --until WHEN        simulate up to the install, or up to make_permanent\n"
		"                      (default permanent: brutal purges kill there)\n"
		"  --sarif FILE        write a SARIF 2.1.0 report (rules with help, results in\n"
		"                      the C sources, stable fingerprints)\n"
		"  --junit FILE        write a JUnit XML report (a test case per rule and per\n"
		"                      process)\n"
		"  --against PLANFILE  fail when this committed plan (the script as\n"
		"                      'hotplan plan' writes it) differs from the fresh one,\n"
		"                      and show the difference\n"
		"  --cache DIR         per-unit analysis cache, and CMake folders configured\n"
		"                      in DIR/cmake/ (default: $XDG_CACHE_HOME/hotplan,\n"
		"                      else $HOME/.cache/hotplan, else ./.hotplan-cache)\n"
		"  --no-cache          analyze without a cache (CMake folders are configured\n"
		"                      in a temporary folder)\n"
		"  -j, --jobs N        parsing threads (default: the number of cores)\n"
		"  -h, --help          show this help\n"
		"\n"
		"exit status: 0 the policy allows the upgrade; 1 it forbids it; 2 bad usage\n"
		"or bad input; 3 a translation unit failed to parse. SARIF and JUnit files\n"
		"are written in every case but 2.\n");
}

static int write_reports(const struct report *r, const char *sarif, const char *junit,
			 struct errbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	int rc = 0;
	if (sarif) {
		report_write(r, "sarif", 0, &out);
		rc = hp_write_file(sarif, out.buf, out.len, err);
	}
	if (!rc && junit) {
		sb_reset(&out);
		report_write(r, "junit", 0, &out);
		rc = hp_write_file(junit, out.buf, out.len, err);
	}
	sb_release(&out);
	return rc;
}

static int has_parse_failure(const struct report *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].rule == check_rule_info(CHECK_PARSE_FAILURE))
			return 1;
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "pid", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'c' },
		{ "max-killed", required_argument, NULL, 'k' },
		{ "purge", required_argument, NULL, 'p' },
		{ "until", required_argument, NULL, 'u' },
		{ "sarif", required_argument, NULL, 's' },
		{ "junit", required_argument, NULL, 'J' },
		{ "against", required_argument, NULL, 'a' },
		{ "cache", required_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *sarif = NULL, *junit = NULL, *against_file = NULL;
	const char *purge = NULL, *cache = NULL, *pids = NULL;
	char *snap_path = NULL;
	unsigned long max_killed = 0, jobs = 0;
	int c, rc = 0, max_given = 0, no_cache = 0;
	struct upgrade_options uo;
	struct check_options co;
	struct check_policy policy = { 0, POLICY_PURGE_SOFT, NULL };
	struct cli_tree_opts to;
	struct errbuf err = { "", 0 };
	struct facts *old = NULL, *new = NULL;
	struct upgrade *up = NULL;
	struct report report;
	struct strbuf text = STRBUF_INIT;
	char *against = NULL, *cache_alloc = NULL, *srcroot = NULL;
	size_t against_len = 0;
	struct arena scratch;
	struct hp_config cfg;
	struct cli_identity id;

	memset(&uo, 0, sizeof uo);
	memset(&id, 0, sizeof id);
	memset(&cfg, 0, sizeof cfg);
	memset(&co, 0, sizeof co);
	memset(&to, 0, sizeof to);
	arena_init(&scratch);
	uo.until_permanent = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			uo.runtime_path = optarg;
			break;
		case 'P':
			pids = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'k':
			if (cli_parse_uint(optarg, 1000000000, &max_killed))
				return cli_usage_error("check", "--max-killed needs a number, not '%s'", optarg);
			max_given = 1;
			break;
		case 'p':
			if (strcmp(optarg, "auto") && strcmp(optarg, "soft") && strcmp(optarg, "brutal"))
				return cli_usage_error("check", "--purge must be auto, soft or brutal, not '%s'",
						       optarg);
			purge = optarg;
			break;
		case 'u':
			if (!strcmp(optarg, "install"))
				uo.until_permanent = 0;
			else if (!strcmp(optarg, "permanent"))
				uo.until_permanent = 1;
			else
				return cli_usage_error("check", "--until must be install or permanent, not '%s'",
						       optarg);
			break;
		case 's':
			sarif = optarg;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'a':
			against_file = optarg;
			break;
		case 'C':
			cache = optarg;
			break;
		case 'N':
			no_cache = 1;
			break;
		case 'j':
			if (cli_parse_uint(optarg, 1024, &jobs))
				return cli_usage_error("check", "-j needs a number, not '%s'", optarg);
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("check", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("check", "expected two trees, OLD and NEW");
	if (pids && uo.runtime_path)
		return cli_usage_error("check", "give --runtime or --pid, not both");
	if (cache && no_cache)
		return cli_usage_error("check", "--cache and --no-cache contradict each other");

	if (check_policy_read(config, &policy, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	if (!max_given)
		max_killed = policy.max_killed > 0 ? (unsigned long)policy.max_killed : 0;
	if (!purge)
		uo.purge = policy.purge == POLICY_PURGE_AUTO ? UPGRADE_PURGE_AUTO :
			   policy.purge == POLICY_PURGE_BRUTAL ? UPGRADE_PURGE_BRUTAL : UPGRADE_PURGE_SOFT;
	else
		uo.purge = !strcmp(purge, "auto") ? UPGRADE_PURGE_AUTO :
			   !strcmp(purge, "brutal") ? UPGRADE_PURGE_BRUTAL : UPGRADE_PURGE_SOFT;
	uo.app = policy.app;
	if (against_file && hp_read_file(against_file, &against, &against_len, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}

	to.jobs = (unsigned)jobs;
	to.config_file = config;
	to.progress = -1;
	if (!no_cache)
		to.cache_dir = cache ? cache : (cache_alloc = check_default_cache_dir());
	to.no_cache = no_cache;
	int lrc = cli_load_tree(argv[optind], &to, &old, &err);
	if (!lrc)
		lrc = cli_load_tree_srcroot(argv[optind + 1], &to, &new, &srcroot, &err);
	if (lrc == HP_EPARSE) {
		/* The units' errors are on stderr already; the reports say so too. */
		check_report_parse_failure(&scratch, err.msg, HOTPLAN_VERSION, &report);
		report.old_root = argv[optind];
		report.new_root = argv[optind + 1];
		report_write(&report, "text", out_color_wanted(stdout), &text);
		fwrite(text.buf, 1, text.len, stdout);
		if (write_reports(&report, sarif, junit, &err))
			rc = cli_fail("check", &err);
		else
			rc = 3;
		goto out;
	}
	if (lrc) {
		rc = cli_fail("check", &err);
		goto out;
	}

	/* the application and versions as 'hotplan plan' takes them, so that
	 * --against compares like with like */
	config_init(&cfg);
	if (config && config_read_file(&cfg, config, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	cli_identity_init(&id, NULL, NULL, NULL, &cfg, argv[optind], old, argv[optind + 1], new);
	uo.app = id.app;
	uo.vsn = id.vsn;
	uo.from_vsn = id.from_vsn;
	if (pids && cli_snapshot_runtime_file("check", pids, old, config, id.app, &snap_path, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	if (pids)
		uo.runtime_path = snap_path;
	if (upgrade_run(&up, old, new, &uo, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	co.max_killed = max_killed;
	co.against_file = against_file;
	co.against = against_file ? (against ? against : "") : NULL;
	co.against_len = against_len;
	co.tool_version = HOTPLAN_VERSION;
	if (check_report_build(up, &co, &report, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	if (!report.srcroot)
		report.srcroot = srcroot;
	report_write(&report, "text", out_color_wanted(stdout), &text);
	fwrite(text.buf, 1, text.len, stdout);
	fflush(stdout);
	if (write_reports(&report, sarif, junit, &err)) {
		rc = cli_fail("check", &err);
		goto out;
	}
	rc = has_parse_failure(&report) ? 3 : report.forbidden ? 1 : 0;
out:
	cli_snapshot_runtime_file_remove(&snap_path);
	upgrade_free(up);
	facts_free(old);
	facts_free(new);
	free(against);
	free(cache_alloc);
	free(srcroot);
	check_policy_release(&policy);
	cli_identity_release(&id);
	config_release(&cfg);
	sb_release(&text);
	arena_release(&scratch);
	return rc;
}
