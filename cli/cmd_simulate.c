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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "facts.h"
#include "instr.h"
#include "runtime.h"
#include "sim.h"
#include "tree.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan simulate SCRIPT... [--runtime RUNTIME | --facts TREE]\n"
		"                        [--until install|permanent] [--format text|json] [-o FILE]\n"
		"\n"
		"Runs each low-level script (Erlang terms: one instruction per term, a list,\n"
		"or a relup) as one upgrade after the other, the way OTP's release handler\n"
		"evaluates it, and predicts which processes are killed.\n"
		"\n"
		"  --runtime RUNTIME   the VM before the upgrade (hotplan-runtime JSON)\n"
		"  --facts TREE        build the runtime from the facts of the old tree: a\n"
		"                      facts file, or any TREE the other commands take (a\n"
		"                      folder holding compile_commands.json, such a file, a\n"
		"                      CMake source folder, a folder of .c files)\n"
		"  --app NAME          application name for a runtime built from facts (app)\n"
		"  --until WHEN        install (default): stop after installing each upgrade;\n"
		"                      permanent: also make each upgrade permanent (brutal\n"
		"                      post-purges kill then)\n"
		"  --format FORMAT     text (default) or json\n"
		"  -o, --output FILE   write there instead of standard output\n"
		"  -h, --help          show this help\n"
		"\n"
		"exit status: 0 nobody is killed; 1 a process is killed or the node stops;\n"
		"2 bad usage or bad input; 3 the tree of --facts failed to parse.\n");
}

int cmd_simulate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "facts", required_argument, NULL, 'f' },
		{ "app", required_argument, NULL, 'a' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *runtime_path = NULL, *facts_path = NULL, *out_path = NULL, *app = "app";
	struct sim_options opt = { SIM_UNTIL_INSTALL, 0 };
	int json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': runtime_path = optarg; break;
		case 'f': facts_path = optarg; break;
		case 'a': app = optarg; break;
		case 'o': out_path = optarg; break;
		case 'u':
			if (!strcmp(optarg, "install"))
				opt.until = SIM_UNTIL_INSTALL;
			else if (!strcmp(optarg, "permanent"))
				opt.until = SIM_UNTIL_PERMANENT;
			else
				return cli_usage_error("simulate", "--until must be install or permanent, not '%s'", optarg);
			break;
		case 'F':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "text"))
				json = 0;
			else
				return cli_usage_error("simulate", "--format must be text or json, not '%s'", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("simulate", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("simulate", "no SCRIPT given");
	if (runtime_path && facts_path)
		return cli_usage_error("simulate", "give --runtime or --facts, not both");
	if (!runtime_path && !facts_path)
		return cli_usage_error("simulate", "give the runtime before the upgrade: --runtime RUNTIME or --facts TREE");

	struct errbuf err = { {0}, 0 };
	struct arena a;
	struct runtime *rt = NULL;
	struct facts *facts = NULL;
	size_t n = (size_t)(argc - optind);
	struct script *scripts = xcalloc(n, sizeof(*scripts));
	int status = 0;
	arena_init(&a);
	for (size_t i = 0; i < n; i++) {
		if (script_read_file(&a, argv[optind + (int)i], &scripts[i], &err)) {
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
		if (cli_load_tree(facts_path, &to, &facts, &err)) {
			status = cli_fail("simulate", &err);
			goto out;
		}
		rt = sim_runtime_from_facts(facts, app);
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
	free(scripts);
	arena_release(&a);
	return status;
}
