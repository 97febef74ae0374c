/*
 * cmd_simulate.c - 'hotplan simulate SCRIPT... [--runtime R | --facts TREE]
 * [--until install|permanent] [--format text|json] [-o FILE]': runs the
 * scripts as successive upgrades on the modeled VM and prints who is
 * killed, suspended and restarted, and what each eval_script returned.
 *
 * Exit status: 0 nobody killed, 1 a process is killed (in the prediction or
 * in the alternative of a race) or the node stops, 2 bad usage or input
 * (nothing is written then), 3 a unit of the --facts tree failed to parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "facts.h"
#include "instr.h"
#include "parse-options.h"
#include "runtime.h"
#include "sim.h"
#include "tree.h"

static const struct opt_command simulate_cmd = {
	"simulate", "SCRIPT...",
	"Runs each low-level script (Erlang terms: one instruction per term, a list,\n"
	"or a relup) as one upgrade after the other, the way OTP's release handler\n"
	"evaluates it, and predicts which processes are killed.\n",
	"exit status: 0 nobody is killed; 1 a process is killed or the node stops;\n"
	"2 bad usage or bad input; 3 the tree of --facts failed to parse.\n",
	NULL,
};

static const struct opt_word until_words[] = {
	{ "install", SIM_UNTIL_INSTALL, NULL },
	{ "permanent", SIM_UNTIL_PERMANENT, NULL },
	{ NULL, 0, NULL },
};

static const struct opt_word format_words[] = {
	{ "text", 0, NULL },
	{ "json", 1, NULL },
	{ NULL, 0, NULL },
};

int cmd_simulate(int argc, char **argv)
{
	const char *runtime_path = NULL, *facts_path = NULL, *out_path = NULL, *app = "app";
	const char *pids = NULL, *program = NULL;
	struct sim_options opt = { .until = SIM_UNTIL_INSTALL };
	int json = 0, until = SIM_UNTIL_INSTALL, status;
	struct opt opts[] = {
		{ .type = OPT_T_STRING, .long_name = "runtime", .argh = "RUNTIME",
		  .help = "the VM before the upgrade (hotplan-runtime JSON)",
		  .value = OPT_PTR(const char *, &runtime_path), .flags = OPT_OR_NEXT },
		OPT_STRING(0, "facts", &facts_path, "TREE", "build the runtime from the facts of "
			   "the old tree: a facts file, or any TREE the other commands take (a "
			   "folder holding compile_commands.json, such a file, a CMake source "
			   "folder, a folder of .c files)"),
		OPT_STRING(0, "pid", &pids, "PID[,PID...]", "with --facts: simulate on a snapshot "
			   "of these running processes of the tree (what 'hotplan snapshot' "
			   "writes) instead of the runtime built from its facts"),
		OPT_STRING(0, "program", &program, "NAME", "with --facts: the runtime of this "
			   "program of a tree that builds several (required then)"),
		OPT_STRING(0, "app", &app, "NAME", "application name for a runtime built from "
			   "facts (app)"),
		OPT_ENUM(0, "until", &until, NULL, until_words, "install (default): stop after "
			 "installing each upgrade; permanent: also make each upgrade permanent "
			 "(brutal post-purges kill then)"),
		OPT_ENUM(0, "format", &json, NULL, format_words, "text (default) or json"),
		OPT_STRING('o', "output", &out_path, "FILE", "write there instead of standard output"),
		OPT_END(),
	};
	int first = opt_parse(&simulate_cmd, opts, argc, argv, &status);
	if (first < 0)
		return status;
	opt.until = (enum sim_until)until;
	if (first >= argc)
		return cli_usage_error("simulate", "no SCRIPT given");
	if (runtime_path && facts_path)
		return cli_usage_error("simulate", "give --runtime or --facts, not both");
	if (pids && !facts_path)
		return cli_usage_error("simulate", "--pid needs --facts TREE, the program's tree");
	if (program && !facts_path)
		return cli_usage_error("simulate", "--program needs --facts TREE");
	if (!runtime_path && !facts_path)
		return cli_usage_error("simulate", "give the runtime before the upgrade: --runtime RUNTIME or --facts TREE");

	struct errbuf err = { {0}, 0 };
	struct arena a;
	struct runtime *rt = NULL;
	struct facts *facts = NULL, *whole = NULL;
	size_t n = (size_t)(argc - first);
	struct script *scripts = xcalloc(n, sizeof(*scripts));
	status = 0;
	arena_init(&a);
	for (size_t i = 0; i < n; i++) {
		if (script_read_file(&a, argv[first + (int)i], &scripts[i], &err)) {
			status = cli_fail("simulate", &err);
			goto out;
		}
	}
	if (runtime_path) {
		if (runtime_read_file(runtime_path, &rt, &err)) {
			status = cli_fail("simulate", &err);
			goto out;
		}
	} else {
		struct cli_tree_opts to = { .progress = -1 };
		if (cli_load_tree(facts_path, &to, &facts, &err) ||
		    (!program && cli_one_program(facts, &err)) ||
		    cli_select_program(&facts, &whole, program, &err)) {
			status = cli_fail("simulate", &err);
			goto out;
		}
		if (!pids)
			rt = sim_runtime_from_facts(facts, app);
		else if (cli_snapshot_runtime("simulate", pids, facts, NULL, app, &rt, &err)) {
			status = cli_fail("simulate", &err);
			goto out;
		}
	}
	struct sim_report rep;
	sim_run(rt, scripts, n, &opt, &rep);
	struct strbuf sb = STRBUF_INIT;
	if (json)
		sim_write_json(&rep, &sb);
	else
		sim_write_text(&rep, &sb);
	const struct sim_outcome *o = sim_outcome(rep.primary);
	status = o->killed || o->node_down;
	if (rep.alternative) {
		o = sim_outcome(rep.alternative);
		status |= o->killed || o->node_down;
	}
	if (cli_emit(out_path, &sb, &err))
		status = cli_fail("simulate", &err);
	sb_release(&sb);
	sim_report_release(&rep);
out:
	runtime_free(rt);
	facts_free(facts);
	facts_free(whole);
	free(scripts);
	arena_release(&a);
	return status;
}
