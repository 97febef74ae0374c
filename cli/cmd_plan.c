/*
 * cmd_plan.c - 'hotplan plan OLD NEW': the upgrade script (and appup,
 * downgrade script, relup) from OLD to NEW, with the reasons of every
 * decision (planner/plan.h).
 *
 * Invariant: the output is written whole or not at all. Findings never change
 * the exit status (the check command applies a policy to them); in the
 * Erlang-term formats they go to standard error as warnings, in json and
 * text they are part of the output.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "facts.h"
#include "plan.h"
#include "term.h"
#include "tree.h"
#include "upgrade.h"

static void plan_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan plan OLD NEW [--purge brutal|soft|auto] [--format erlang|relup|json|text]\n"
		"                    [-o FILE] [--appup | --down] [--config FILE]\n"
		"                    [--app NAME] [--vsn V] [--from-vsn V]\n"
		"\n"
		"Plans the hot upgrade from OLD to NEW as OTP's release handler would run it:\n"
		"each module added, removed or changed gets a high-level appup instruction\n"
		"  add_module / delete_module       module added / removed\n"
		"  {update, M, {advanced, []}, Deps} M has processes and a state transformer,\n"
		"                                    and a state type changed\n"
		"  {update, M, soft, Deps}          processes and a transformer, same state\n"
		"  {load_module, M, Pre, Post, Deps} anything else\n"
		"where Deps are the modules of the upgrade that M references in NEW or\n"
		"referenced in OLD; the appup is then translated into the low-level script\n"
		"exactly as OTP's systools_rc does (dependencies loaded first, suspend in\n"
		"order, resume in reverse; ties broken by module name). The downgrade appup\n"
		"undoes the upgrade (added <-> delete_module, removed <-> add_module, changed:\n"
		"the same instruction) and is translated in mode dn.\n"
		"\n"
		"OLD and NEW are each a folder holding compile_commands.json, a\n"
		"compile_commands.json file, a CMake source folder (configured, never\n"
		"built, in the cache), a folder of .c files, or a facts file. A CMake\n"
		"build folder's CMakeCache.txt names the project as its project() does;\n"
		"a facts file, through the tree it recorded.\n"
		"\n"
		"options:\n"
		"  --purge brutal     PrePurge and PostPurge brutal_purge (default, as OTP)\n"
		"  --purge soft       soft_purge: refuse the script if old code is in use\n"
		"  --purge auto       per module, as 'hotplan check --purge auto' chooses:\n"
		"                     soft, unless simulating the script (on the runtime\n"
		"                     built from OLD; from NEW for the downgrade) shows the\n"
		"                     old code is held only by processes their supervisors\n"
		"                     restart within their intensity; then brutal\n"
		"  --format erlang    the upgrade script, one term per line ending with '.'\n"
		"                     (default); --down: the downgrade script; --appup: the\n"
		"                     appup {Vsn, [{FromVsn, Up}], [{FromVsn, Down}]}\n"
		"  --format relup     a relup {Vsn, [{FromVsn, [], UpScript}],\n"
		"                     [{FromVsn, [], DownScript}]} for the release handler\n"
		"  --format json      {\"format\": \"hotplan-plan\", ...}: decisions with their\n"
		"                     reasons, the appup, both scripts, the findings\n"
		"  --format text      every decision explained: what changed, why this\n"
		"                     instruction, its Deps, its purge; the upgrade script\n"
		"                     step by step with why; findings; appup and scripts\n"
		"  --appup            with --format erlang: print the appup\n"
		"  --down             with --format erlang: print the downgrade script\n"
		"  -o, --output FILE  write to FILE (atomically) instead of standard output\n"
		"  --config FILE      hotplan.config: {app, A}, {vsn, V}, {old_vsn, V},\n"
		"                     {purge, P} and the analysis settings\n"
		"  --app NAME         the application (default: config, else the name in\n"
		"                     NEW's CMake project(), else NEW's folder name, made an\n"
		"                     atom: lower case, other characters than a-z, 0-9, _\n"
		"                     become _)\n"
		"  --vsn V            the new version (default: config, else the VERSION of\n"
		"                     NEW's CMake project(), else \"2.0\")\n"
		"  --from-vsn V       the old version (default: config old_vsn, else the\n"
		"                     VERSION of OLD's CMake project(), else \"1.0\"; the\n"
		"                     trees' versions are taken only when they differ)\n"
		"  -h, --help         show this help\n"
		"\n"
		"Findings of the checks beyond OTP's are printed to standard error in the\n"
		"erlang and relup formats, and are part of the json and text output; they\n"
		"do not change the exit status ('hotplan check' applies a policy):\n");
	for (int r = 0; r < FINDING_RULE_COUNT; r++) {
		const struct finding_rule_info *info = finding_rule_info((enum finding_rule)r);
		fprintf(fp, "  %s %-7s %s\n", info->id, finding_severity_name(info->severity),
			info->name);
	}
	fprintf(fp,
		"\n"
		"exit status: 0 planned; 2 bad usage or bad input (or the translation\n"
		"refused the appup); 3 analysis incomplete.\n");
}

enum plan_format { FMT_ERLANG, FMT_RELUP, FMT_JSON, FMT_TEXT };

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "purge", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "appup", no_argument, NULL, 'a' },
		{ "down", no_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "app", required_argument, NULL, 'A' },
		{ "vsn", required_argument, NULL, 'V' },
		{ "from-vsn", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *config = NULL, *purge = NULL;
	struct plan_options opt;
	enum plan_format fmt = FMT_ERLANG;
	int appup = 0, down = 0, c, rc = 0;
	struct errbuf err = { "", 0 };
	struct hp_config cfg;
	struct cli_tree_opts topts;
	struct facts *old = NULL, *new = NULL;
	struct plan p;
	struct strbuf sb = STRBUF_INIT;
	struct arena auto_arena;
	struct plan first;
	struct cli_identity id;

	memset(&id, 0, sizeof(id));
	plan_options_init(&opt);
	opt.app = opt.vsn = opt.from_vsn = NULL;
	arena_init(&auto_arena);
	memset(&first, 0, sizeof(first));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			purge = optarg;
			if (strcmp(optarg, "soft") && strcmp(optarg, "brutal") && strcmp(optarg, "auto"))
				return cli_usage_error("plan", "--purge must be soft, brutal or auto, "
						       "not '%s'", optarg);
			break;
		case 'F':
			if (!strcmp(optarg, "erlang"))
				fmt = FMT_ERLANG;
			else if (!strcmp(optarg, "relup"))
				fmt = FMT_RELUP;
			else if (!strcmp(optarg, "json"))
				fmt = FMT_JSON;
			else if (!strcmp(optarg, "text"))
				fmt = FMT_TEXT;
			else
				return cli_usage_error("plan", "--format must be erlang, relup, json or "
						       "text, not '%s'", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'a':
			appup = 1;
			break;
		case 'd':
			down = 1;
			break;
		case 'c':
			config = optarg;
			break;
		case 'A':
			opt.app = optarg;
			break;
		case 'V':
			opt.vsn = optarg;
			break;
		case 'f':
			opt.from_vsn = optarg;
			break;
		case 'h':
			plan_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("plan", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("plan", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("plan", "expected two trees, OLD and NEW");
	if (appup && down)
		return cli_usage_error("plan", "--appup and --down exclude each other");
	if ((appup || down) && fmt != FMT_ERLANG)
		return cli_usage_error("plan", "--appup and --down select what --format erlang "
				       "prints; relup, json and text always hold both directions");
	if (opt.app && !*opt.app)
		return cli_usage_error("plan", "--app needs a non-empty name");

	config_init(&cfg);
	if (config && config_read_file(&cfg, config, &err)) {
		rc = cli_fail("plan", &err);
		goto out_cfg;
	}
	if (purge) {
		opt.is_auto = !strcmp(purge, "auto");
		opt.purge = !strcmp(purge, "brutal") ? PLAN_PURGE_BRUTAL : PLAN_PURGE_SOFT;
	} else {
		opt.is_auto = cfg.purge == PURGE_AUTO;
		opt.purge = cfg.purge == PURGE_BRUTAL ? PLAN_PURGE_BRUTAL : PLAN_PURGE_SOFT;
	}

	memset(&topts, 0, sizeof(topts));
	topts.cfg = &cfg;
	topts.progress = -1;
	if (cli_load_tree_opts(argv[optind], &topts, &old, &err) ||
	    cli_load_tree_opts(argv[optind + 1], &topts, &new, &err)) {
		rc = cli_fail("plan", &err);
		goto out;
	}
	cli_identity_init(&id, opt.app, opt.vsn, opt.from_vsn, &cfg, argv[optind], old,
			  argv[optind + 1], new);
	opt.app = id.app;
	opt.vsn = id.vsn;
	opt.from_vsn = id.from_vsn;
	if (opt.is_auto ? upgrade_plan_auto(&p, &first, old, new, &opt, &auto_arena, &err) :
	    plan_build(&p, old, new, &opt, &err)) {
		rc = cli_fail("plan", &err);
		goto out;
	}
	switch (fmt) {
	case FMT_ERLANG:
		plan_write_erlang(&p, appup ? PLAN_OUT_APPUP : down ? PLAN_OUT_DOWN : PLAN_OUT_UP, &sb);
		break;
	case FMT_RELUP:
		plan_write_relup(&p, &sb);
		break;
	case FMT_JSON:
		plan_write_json(&p, &sb);
		break;
	case FMT_TEXT:
		plan_write_text(&p, &sb);
		break;
	}
	if (cli_emit(output, &sb, &err)) {
		rc = cli_fail("plan", &err);
	} else if (fmt == FMT_ERLANG || fmt == FMT_RELUP) {
		struct strbuf w = STRBUF_INIT;
		findings_write_text(&p.findings, "hotplan plan: ", &w);
		fputs(w.buf, stderr);
		sb_release(&w);
	}
	plan_release(&p);
out:
	plan_release(&first);
	sb_release(&sb);
	facts_free(old);
	facts_free(new);
	cli_identity_release(&id);
out_cfg:
	config_release(&cfg);
	arena_release(&auto_arena);
	return rc;
}
