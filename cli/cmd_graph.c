/*
 * cmd_graph.c - 'hotplan graph TREE [NEW]': the module dependency graph,
 * rendered in-process with graphviz (output/output.h); with NEW, the plan
 * and the simulation drawn on it (output/upgrade.h).
 *
 * Invariant: the picture is written whole or not at all (fileio.h); bad
 * usage or input gives a message on standard error, exit 2, and no output.
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

static void graph_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan graph TREE [NEW] [-T svg|png|pdf|dot] [-o FILE]\n"
		"                     [--focus MODULE] [--depth N] [--cluster auto|folder|none]\n"
		"                     [--runtime RUNTIME] [--purge soft|brutal|auto] [--config FILE]\n"
		"                     [--cache DIR | --no-cache]\n"
		"\n"
		"Draws the module dependency graph of TREE: modules are boxes (double-bordered\n"
		"when they start processes), edges are references styled by kind (qualified:\n"
		"bold blue, call: solid, address: dashed, data: dotted), modules that depend on\n"
		"each other in a cycle share a red cluster, and a legend explains it all.\n"
		"Graphviz lays the graph out inside hotplan; no 'dot' program is needed.\n"
		"\n"
		"With NEW, the upgrade from TREE to NEW is drawn on it: modules added (green),\n"
		"removed (red, dashed), changed (orange: state layout; purple: exports;\n"
		"yellow: code; blue: compile flags), each labelled with the position of its\n"
		"load or remove in the upgrade script, its instruction and its purge method;\n"
		"and the processes the simulation predicts killed (red octagons, tied to the\n"
		"module whose old code they were running).\n"
		"\n"
		"TREE and NEW are each a folder holding compile_commands.json, a\n"
		"compile_commands.json file, a CMake source folder (configured, never\n"
		"built, in the cache), a folder of .c files, or a facts file.\n"
		"\n"
		"options:\n"
		"  -T, --format FMT      svg, png, pdf or dot (hotplan's DOT, not laid out);\n"
		"                        default: from -o's extension, else svg\n"
		"  -o, --output FILE     write to FILE (atomically) instead of standard output\n"
		"  --focus MODULE        draw only MODULE and its neighbourhood\n"
		"  --depth N             with --focus: modules within N references, either\n"
		"                        direction (default 1)\n"
		"  --cluster HOW         group modules by folder: auto (when more than %d\n"
		"                        modules are drawn; default), folder, or none\n"
		"  --runtime RUNTIME     with NEW: simulate on this hotplan-runtime file\n"
		"                        (default: one process per entry point of TREE)\n"
		"  --purge METHOD        with NEW: brutal, soft or auto, as 'hotplan check'\n"
		"                        (default: {purge, M} of the config, else brutal)\n"
		"  --config FILE         hotplan.config used to analyze trees\n"
		"  --cache DIR           per-unit analysis cache (default: as 'hotplan check')\n"
		"  --no-cache            analyze without a cache (CMake folders are\n"
		"                        configured in a temporary folder)\n"
		"  -h, --help            show this help\n"
		"\n"
		"exit status: 0 done; 2 bad usage or bad input; 3 analysis incomplete.\n",
		GRAPH_FOLDER_THRESHOLD);
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "focus", required_argument, NULL, 'f' },
		{ "depth", required_argument, NULL, 'd' },
		{ "cluster", required_argument, NULL, 'C' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "purge", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'K' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *output = NULL, *config = NULL, *cache = NULL;
	char *cache_alloc = NULL;
	struct cli_tree_opts to;
	struct graph_spec spec;
	struct upgrade_options uo;
	struct upgrade *up = NULL;
	int c, rc = 0, depth_given = 0, purge_given = 0, no_cache = 0;
	unsigned long depth = 1;
	struct errbuf err = { "", 0 };
	struct facts *old = NULL, *new = NULL;
	struct strbuf dot = STRBUF_INIT, out = STRBUF_INIT;
	struct hp_config cfg;
	struct cli_identity id;

	memset(&cfg, 0, sizeof cfg);
	memset(&id, 0, sizeof id);
	memset(&spec, 0, sizeof spec);
	memset(&uo, 0, sizeof uo);
	uo.purge = UPGRADE_PURGE_BRUTAL;
	uo.until_permanent = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hT:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if (!graph_format_known(optarg))
				return cli_usage_error("graph", "-T must be svg, png, pdf or dot, not '%s'",
						       optarg);
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'f':
			spec.focus = optarg;
			break;
		case 'd':
			if (cli_parse_uint(optarg, 1000000, &depth))
				return cli_usage_error("graph", "--depth needs a number, not '%s'", optarg);
			depth_given = 1;
			break;
		case 'C':
			if (!strcmp(optarg, "auto"))
				spec.cluster = GRAPH_CLUSTER_AUTO;
			else if (!strcmp(optarg, "folder"))
				spec.cluster = GRAPH_CLUSTER_FOLDER;
			else if (!strcmp(optarg, "none"))
				spec.cluster = GRAPH_CLUSTER_NONE;
			else
				return cli_usage_error("graph", "--cluster must be auto, folder or none, not '%s'",
						       optarg);
			break;
		case 'r':
			uo.runtime_path = optarg;
			break;
		case 'p':
			purge_given = 1;
			if (!strcmp(optarg, "soft"))
				uo.purge = UPGRADE_PURGE_SOFT;
			else if (!strcmp(optarg, "brutal"))
				uo.purge = UPGRADE_PURGE_BRUTAL;
			else if (!strcmp(optarg, "auto"))
				uo.purge = UPGRADE_PURGE_AUTO;
			else
				return cli_usage_error("graph", "--purge must be soft, brutal or auto, not '%s'",
						       optarg);
			break;
		case 'c':
			config = optarg;
			break;
		case 'K':
			cache = optarg;
			break;
		case 'N':
			no_cache = 1;
			break;
		case 'h':
			graph_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("graph", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("graph", "unknown option '%s'", argv[optind - 1]);
		}
	}
	int ntrees = argc - optind;
	if (ntrees < 1 || ntrees > 2)
		return cli_usage_error("graph", "expected TREE, or OLD and NEW");
	if (cache && no_cache)
		return cli_usage_error("graph", "--cache and --no-cache contradict each other");
	if (depth_given && !spec.focus)
		return cli_usage_error("graph", "--depth needs --focus MODULE");
	if (ntrees == 1 && (uo.runtime_path))
		return cli_usage_error("graph", "--runtime needs NEW: it is for drawing an upgrade");
	if (!format)
		format = graph_format_from_path(output);
	if (!format) {
		if (output && strcmp(output, "-"))
			return cli_usage_error("graph", "cannot tell the format of '%s' from its name; "
					       "use -T svg|png|pdf|dot", output);
		format = "svg";
	}
	spec.depth = (unsigned)depth;
	if (!purge_given && ntrees == 2) {
		struct check_policy policy;
		if (check_policy_read(config, &policy, &err))
			return cli_fail("graph", &err);
		uo.purge = policy.purge == POLICY_PURGE_AUTO ? UPGRADE_PURGE_AUTO :
			   policy.purge == POLICY_PURGE_SOFT ? UPGRADE_PURGE_SOFT : UPGRADE_PURGE_BRUTAL;
		check_policy_release(&policy);
	}

	memset(&to, 0, sizeof to);
	to.config_file = config;
	to.progress = -1;
	if (!no_cache)
		to.cache_dir = cache ? cache : (cache_alloc = check_default_cache_dir());
	to.no_cache = no_cache;
	if (cli_load_tree(argv[optind], &to, &old, &err) ||
	    (ntrees == 2 && cli_load_tree(argv[optind + 1], &to, &new, &err))) {
		rc = cli_fail("graph", &err);
		goto out;
	}
	spec.old = old;
	if (new) {
		spec.new = new;
		/* the application and versions as 'hotplan plan' takes them */
		config_init(&cfg);
		if (config && config_read_file(&cfg, config, &err)) {
			rc = cli_fail("graph", &err);
			goto out;
		}
		cli_identity_init(&id, NULL, NULL, NULL, &cfg, argv[optind], old, argv[optind + 1],
				  new);
		uo.app = id.app;
		uo.vsn = id.vsn;
		uo.from_vsn = id.from_vsn;
		if (upgrade_run(&up, old, new, &uo, &err)) {
			rc = cli_fail("graph", &err);
			goto out;
		}
		struct graph_note *notes;
		struct graph_kill *kills;
		upgrade_graph_notes(up, &notes, &spec.nnotes, &kills, &spec.nkills);
		spec.notes = notes;
		spec.kills = kills;
	}
	if (graph_to_dot(&spec, &dot, &err) || graph_render(dot.buf, format, &out, &err) ||
	    cli_emit(output, &out, &err))
		rc = cli_fail("graph", &err);
out:
	upgrade_free(up);
	cli_identity_release(&id);
	config_release(&cfg);
	free(cache_alloc);
	sb_release(&dot);
	sb_release(&out);
	facts_free(old);
	facts_free(new);
	return rc;
}
