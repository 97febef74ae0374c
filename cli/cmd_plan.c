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
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "facts.h"
#include "plan.h"
#include "term.h"
#include "tree.h"
#include "upgrade.h"

static void plan_epilogue(FILE *fp)
{
	fprintf(fp,
		"Findings of the checks beyond OTP's are printed to standard error in the\n"
		"erlang and relup formats, and are part of the json and text output; they\n"
		"do not change the exit status ('hotplan check' applies a policy):\n");
	for (int r = 0; r < RULE__COUNT; r++) {
		const struct rule_info *info = rule_info((enum hp_rule)r);
		if (info->origin == RULE_PLANNER)
			fprintf(fp, "  %s %-7s %s\n", info->id, severity_name(info->severity),
				info->name);
	}
	fprintf(fp,
		"\n"
		"exit status: 0 planned; 2 bad usage or bad input (or the translation\n"
		"refused the appup); 3 analysis incomplete.\n");
}

enum plan_format { FMT_ERLANG, FMT_RELUP, FMT_JSON, FMT_TEXT };

static const struct opt_command plan_cmd = {
	"plan", "OLD NEW",
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
	"a facts file, through the tree it recorded.\n",
	NULL,
	plan_epilogue,
};

static const struct opt_word purge_words[] = {
	{ "soft", 0, "soft_purge: refuse the script if old code is in use" },
	{ "brutal", 0, "PrePurge and PostPurge brutal_purge (default, as OTP)" },
	{ "auto", 0, "per module, as 'hotplan check --purge auto' chooses: soft, unless "
	  "simulating the script (on the runtime built from OLD; from NEW for the downgrade) "
	  "shows the old code is held only by processes their supervisors restart within "
	  "their intensity; then brutal" },
	{ NULL, 0, NULL },
};

static const struct opt_word format_words[] = {
	{ "erlang", FMT_ERLANG, "the upgrade script, one term per line ending with '.' "
	  "(default); --down: the downgrade script; --appup: the appup {Vsn, [{FromVsn, "
	  "Up}], [{FromVsn, Down}]}" },
	{ "relup", FMT_RELUP, "a relup {Vsn, [{FromVsn, [], UpScript}], [{FromVsn, [], "
	  "DownScript}]} for the release handler" },
	{ "json", FMT_JSON, "{\"format\": \"hotplan-plan\", ...}: decisions with their "
	  "reasons, the appup, both scripts, the findings" },
	{ "text", FMT_TEXT, "every decision explained: what changed, why this instruction, "
	  "its Deps, its purge; the upgrade script step by step with why; findings; appup "
	  "and scripts" },
	{ NULL, 0, NULL },
};

/* What the command line says; values not given keep the defaults below. */
struct plan_args {
	struct cli_tree_args tree;
	const char *output, *purge, *app, *vsn, *from_vsn;
	int fmt, appup, down;
	const char *program;   /* --program NAME, or NULL */
};

/* Parses argv into *a; returns the index of OLD, or -1 with *status set. */
static int plan_parse(int argc, char **argv, struct plan_args *a, int *status)
{
	struct opt opts[] = {
		OPT_WORD(0, "purge", &a->purge, NULL, purge_words, NULL),
		OPT_ENUM(0, "format", &a->fmt, NULL, format_words, NULL),
		{ .type = OPT_T_FLAG, .long_name = "appup", .value = OPT_PTR(int, &a->appup),
		  .help = "with --format erlang: print the appup", .flags = OPT_OR_NEXT },
		OPT_FLAG(0, "down", &a->down, "with --format erlang: print the downgrade script"),
		OPT_STRING('o', "output", &a->output, "FILE",
			   "write to FILE (atomically) instead of standard output"),
		OPT_TREE(&a->tree, "hotplan.config: {app, A}, {vsn, V}, {old_vsn, V}, {purge, P} "
			 "and the analysis settings", CLI_CACHE_HELP_NONE),
		OPT_STRING(0, "app", &a->app, "NAME", "the application (default: config, else the "
			   "name in NEW's CMake project(), else NEW's folder name, made an atom: "
			   "lower case, other characters than a-z, 0-9, _ become _)"),
		OPT_STRING(0, "vsn", &a->vsn, "V", "the new version (default: config, else the "
			   "VERSION of NEW's CMake project(), else \"2.0\")"),
		OPT_STRING(0, "program", &a->program, "NAME", "plan this program of trees that "
			   "build several (CMake's executables, else one per module defining main; "
			   "required then)"),
		OPT_STRING(0, "from-vsn", &a->from_vsn, "V", "the old version (default: config "
			   "old_vsn, else the VERSION of OLD's CMake project(), else \"1.0\"; the "
			   "trees' versions are taken only when they differ)"),
		OPT_END(),
	};
	int first = opt_parse(&plan_cmd, opts, argc, argv, status);
	if (first < 0)
		return -1;
	if (argc - first != 2)
		*status = cli_usage_error("plan", "expected two trees, OLD and NEW");
	else if (a->appup && a->down)
		*status = cli_usage_error("plan", "--appup and --down exclude each other");
	else if ((a->appup || a->down) && a->fmt != FMT_ERLANG)
		*status = cli_usage_error("plan", "--appup and --down select what --format erlang "
					  "prints; relup, json and text always hold both directions");
	else if (a->app && !*a->app)
		*status = cli_usage_error("plan", "--app needs a non-empty name");
	return *status ? -1 : first;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_args a = { CLI_TREE_ARGS_INIT, NULL, NULL, NULL, NULL, NULL, FMT_ERLANG, 0, 0,
			       NULL };
	struct plan_options opt;
	int rc = 0;
	struct errbuf err = { "", 0 };
	struct hp_config cfg;
	struct cli_tree_opts topts;
	struct facts *old = NULL, *new = NULL, *old_all = NULL, *new_all = NULL;
	struct plan p;
	struct strbuf sb = STRBUF_INIT;
	struct arena auto_arena;
	struct plan first;
	struct cli_identity id;

	int trees = plan_parse(argc, argv, &a, &rc);
	if (trees < 0 || cli_tree_args_opts("plan", &a.tree, 0, &topts))
		return trees < 0 ? rc : 2;
	const char *output = a.output, *config = a.tree.config, *purge = a.purge;
	int fmt = a.fmt, appup = a.appup, down = a.down;
	memset(&id, 0, sizeof(id));
	plan_options_init(&opt);
	opt.app = a.app;
	opt.vsn = a.vsn;
	opt.from_vsn = a.from_vsn;
	arena_init(&auto_arena);
	memset(&first, 0, sizeof(first));

	config_init(&cfg);
	if (config && config_read_file(&cfg, config, &err)) {
		rc = cli_fail("plan", &err);
		goto out_cfg;
	}
	/* the option word was checked: it names a method */
	if (!purge || purge_option_lookup(purge, &opt.purge))
		opt.purge = cfg.purge;

	topts.cfg = &cfg;
	if (cli_load_tree_opts(argv[trees], &topts, &old, &err) ||
	    cli_load_tree_opts(argv[trees + 1], &topts, &new, &err) ||
	    (!a.program && (cli_one_program(old, &err) || cli_one_program(new, &err))) ||
	    cli_select_program(&old, &old_all, a.program, &err) ||
	    cli_select_program(&new, &new_all, a.program, &err)) {
		rc = cli_fail("plan", &err);
		goto out;
	}
	cli_identity_init(&id, opt.app, opt.vsn, opt.from_vsn, &cfg, argv[trees], old,
			  argv[trees + 1], new);
	opt.app = id.app;
	opt.vsn = id.vsn;
	opt.from_vsn = id.from_vsn;
	if (opt.purge == PURGE_AUTO ? upgrade_plan_auto(&p, &first, old, new, &opt, &auto_arena, &err) :
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
	facts_free(old_all);
	facts_free(new_all);
	cli_identity_release(&id);
out_cfg:
	config_release(&cfg);
	arena_release(&auto_arena);
	return rc;
}
