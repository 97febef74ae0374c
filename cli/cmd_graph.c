/*
 * cmd_graph.c - 'hotplan graph TREE [NEW]': the module dependency graph,
 * rendered in-process with graphviz (output/output.h); with NEW, the plan
 * and the simulation drawn on it (upgrade/upgrade.h).
 *
 * Invariant: the picture is written whole or not at all (fileio.h); bad
 * usage or input gives a message on standard error, exit 2, and no output.
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
#include "tree.h"
#include "upgrade.h"

static const struct opt_command graph_cmd = {
	"graph", "TREE [NEW]",
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
	"A tree that builds several programs (CMake executables, else one per module\n"
	"defining main) has its modules clustered by the programs linking them: a\n"
	"cluster per program, and one per set of programs sharing modules (\"shared\n"
	"by a, b\"); --program draws one program alone.\n"
	"\n"
	"TREE and NEW are each a folder holding compile_commands.json, a\n"
	"compile_commands.json file, a CMake source folder (configured, never\n"
	"built, in the cache), a folder of .c files, or a facts file.\n",
	"exit status: 0 done; 2 bad usage or bad input; 3 analysis incomplete.\n",
	NULL,
};

static const struct opt_word format_words[] = {
	{ "svg", 0, NULL },
	{ "png", 0, NULL },
	{ "pdf", 0, NULL },
	{ "dot", 0, NULL },
	{ NULL, 0, NULL },
};

static const struct opt_word cluster_words[] = {
	{ "auto", GRAPH_CLUSTER_AUTO, NULL },
	{ "folder", GRAPH_CLUSTER_FOLDER, NULL },
	{ "none", GRAPH_CLUSTER_NONE, NULL },
	{ NULL, 0, NULL },
};

static const struct opt_word purge_words[] = {
	{ "soft", 0, NULL },
	{ "brutal", 0, NULL },
	{ "auto", 0, NULL },
	{ NULL, 0, NULL },
};

/* What the command line says; values not given keep the defaults below. */
struct graph_args {
	struct cli_tree_args tree;
	const char *format, *output, *focus, *runtime;
	const char *purge;     /* a word of purge_words, or NULL */
	const char *program;   /* --program NAME, or NULL */
	unsigned long depth;   /* ULONG_MAX: not given */
	int cluster;
};

/* Parses argv into *a; returns the index of TREE, or -1 with *status set. */
static int graph_parse(int argc, char **argv, struct graph_args *a, int *status)
{
	struct opt opts[] = {
		OPT_WORD('T', "format", &a->format, NULL, format_words, "hotplan's DOT (not laid "
			 "out) or a picture; default: from -o's extension, else svg"),
		OPT_STRING('o', "output", &a->output, "FILE",
			   "write to FILE (atomically) instead of standard output"),
		OPT_STRING(0, "focus", &a->focus, "MODULE", "draw only MODULE and its neighbourhood"),
		OPT_UINT(0, "depth", &a->depth, "N", 0, 1000000, "with --focus: modules within N "
			 "references, either direction (default 1)"),
		OPT_ENUM(0, "cluster", &a->cluster, "HOW", cluster_words, "group modules by "
			 "folder: auto (when more than " OPT_STR(GRAPH_FOLDER_THRESHOLD) " modules "
			 "are drawn; default), folder, or none"),
		OPT_STRING(0, "runtime", &a->runtime, "RUNTIME", "with NEW: simulate on this "
			   "hotplan-runtime file (default: one process per entry point of TREE)"),
		OPT_WORD(0, "purge", &a->purge, "METHOD", purge_words, "with NEW: brutal, soft or "
			 "auto, as 'hotplan check' (default: {purge, M} of the config, else brutal)"),
		OPT_STRING(0, "program", &a->program, "NAME", "draw this program of trees that "
			   "build several (without it, TREE's modules are clustered by program; "
			   "with NEW it is required then)"),
		OPT_TREE(&a->tree, "hotplan.config: the analysis settings, and with NEW the "
			 "default {purge, M}", CLI_CACHE_HELP_DEFAULT),
		OPT_END(),
	};
	int first = opt_parse(&graph_cmd, opts, argc, argv, status);
	if (first < 0)
		return -1;
	int ntrees = argc - first;
	if (ntrees < 1 || ntrees > 2)
		*status = cli_usage_error("graph", "expected TREE, or OLD and NEW");
	else if (a->depth != ULONG_MAX && !a->focus)
		*status = cli_usage_error("graph", "--depth needs --focus MODULE");
	else if (ntrees == 1 && a->runtime)
		*status = cli_usage_error("graph", "--runtime needs NEW: it is for drawing an upgrade");
	return *status ? -1 : first;
}

int cmd_graph(int argc, char **argv)
{
	struct graph_args a = { CLI_TREE_ARGS_INIT, NULL, NULL, NULL, NULL, NULL, NULL, ULONG_MAX,
				GRAPH_CLUSTER_AUTO };
	struct cli_tree_opts to;
	struct graph_spec spec;
	struct upgrade_options uo;
	struct upgrade *up = NULL;
	int rc = 0;
	struct errbuf err = { "", 0 };
	struct facts *old = NULL, *new = NULL, *old_all = NULL, *new_all = NULL;
	struct strbuf dot = STRBUF_INIT, out = STRBUF_INIT;
	struct hp_config cfg;
	struct cli_identity id;

	int first = graph_parse(argc, argv, &a, &rc);
	if (first < 0 || cli_tree_args_opts("graph", &a.tree, 1, &to))
		return first < 0 ? rc : 2;
	const char *format = a.format, *output = a.output, *config = a.tree.config;
	int ntrees = argc - first;
	unsigned long depth = a.depth != ULONG_MAX ? a.depth : 1;
	memset(&id, 0, sizeof id);
	memset(&spec, 0, sizeof spec);
	memset(&uo, 0, sizeof uo);
	spec.focus = a.focus;
	spec.cluster = (enum graph_cluster)a.cluster;
	uo.runtime_path = a.runtime;
	uo.until_permanent = 1;
	if (!format)
		format = graph_format_from_path(output);
	if (!format) {
		if (output && strcmp(output, "-"))
			return cli_usage_error("graph", "cannot tell the format of '%s' from its name; "
					       "use -T svg|png|pdf|dot", output);
		format = "svg";
	}
	spec.depth = (unsigned)depth;
	/* hotplan.config, read once: the analysis settings, and with NEW the
	 * default purge, the application and versions */
	config_init(&cfg);
	if (config && config_read_file(&cfg, config, &err)) {
		rc = cli_fail("graph", &err);
		goto out;
	}
	to.cfg = &cfg;
	if (ntrees == 2) {
		struct upgrade_policy policy;
		upgrade_policy_init(&policy, &cfg);
		/* the option word was checked: it names a method */
		if (!a.purge || purge_option_lookup(a.purge, &uo.purge))
			uo.purge = policy.purge;
	}

	if (cli_load_tree(argv[first], &to, &old, &err) ||
	    (ntrees == 2 && cli_load_tree(argv[first + 1], &to, &new, &err)) ||
	    (ntrees == 2 && !a.program && (cli_one_program(old, &err) ||
					   cli_one_program(new, &err))) ||
	    cli_select_program(&old, &old_all, a.program, &err) ||
	    (new && cli_select_program(&new, &new_all, a.program, &err))) {
		rc = cli_fail("graph", &err);
		goto out;
	}
	spec.old = old;
	if (new) {
		spec.new = new;
		/* the application and versions as 'hotplan plan' takes them */
		cli_identity_init(&id, NULL, NULL, NULL, &cfg, argv[first], old, argv[first + 1],
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
	sb_release(&dot);
	sb_release(&out);
	facts_free(old);
	facts_free(new);
	facts_free(old_all);
	facts_free(new_all);
	return rc;
}
