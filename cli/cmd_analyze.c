/*
 * cmd_analyze.c - 'hotplan analyze': the facts of a C tree (DESIGN.md §4.1),
 * or with --tu the per-unit facts of one translation unit, for
 * 'hotplan merge' (DESIGN.md §10).
 *
 * Invariant: the output is written whole or not at all, and is
 * byte-identical for the same inputs whatever -j and the cache.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "tree.h"

static const struct opt_command analyze_cmd = {
	"analyze", "TREE",
	"Extracts the facts of a C tree with libclang: modules, exported and local\n"
	"symbols with semantic hashes, references between modules, threads and\n"
	"their loops, state types and transformers.\n"
	"\n"
	"TREE is a folder holding compile_commands.json, a compile_commands.json\n"
	"file ('-' for standard input), or a folder of .c files (searched\n"
	"recursively and analyzed with -I<folder>). The facts list the programs the\n"
	"tree builds: a CMake build folder's executables (CMake's file API; the\n"
	"folder is configured again, never built, when it has no reply yet), else\n"
	"one per module that defines main.\n",
	"exit status: 0 done; 2 bad usage or bad input; 3 a unit does not parse\n"
	"(its errors are printed as file:line:column: error: ...).\n",
	NULL,
};

int cmd_analyze(int argc, char **argv)
{
	struct analyzer_opts ao = { 0 };
	struct cli_tree_args tree = CLI_TREE_ARGS_INIT;
	struct cli_tree_opts to;
	struct hp_config cfg;
	struct errbuf err = { .status = 0 };
	const char *output = "-";
	struct facts *f = NULL;
	int status;
	struct opt opts[] = {
		OPT_STRING('o', "output", &output, "FACTS",
			   "write the facts to FACTS (atomically) instead of standard output"),
		OPT_TREE(&tree, CLI_CONFIG_HELP, "keep per-unit facts in DIR and reuse them while "
			 "the unit, the files it includes and its flags are unchanged (default: "
			 "no cache)"),
		OPT_STRING(0, "tu", &ao.only_unit, "FILE", "analyze only the unit FILE of TREE "
			   "and write its per-unit facts, for 'hotplan merge'"),
		OPT_END(),
	};
	int i = opt_parse(&analyze_cmd, opts, argc, argv, &status);
	if (i < 0)
		return status;
	if (i + 1 != argc)
		return cli_usage_error("analyze", i < argc ? "too many arguments" : "missing TREE");
	if (cli_tree_args_opts("analyze", &tree, 0, &to))
		return 2;
	ao.jobs = to.jobs;
	ao.cache_dir = to.cache_dir;
	ao.keep_going = to.keep_going;
	const char *config_file = tree.config;
	config_init(&cfg);
	if (config_file && config_read_file(&cfg, config_file, &err) < 0) {
		status = cli_fail("analyze", &err);
		goto out;
	}
	ao.cfg = &cfg;
	ao.progress = isatty(2);
	if (analyzer_run(argv[i], &ao, &f, &err) < 0 ||
	    (!ao.only_unit && cli_tree_programs(argv[i], f, &err))) {
		status = cli_fail("analyze", &err);
		goto out;
	}
	struct strbuf sb = STRBUF_INIT;
	facts_write_json(f, &sb);
	status = cli_emit(output, &sb, &err) < 0 ? cli_fail("analyze", &err) : 0;
	sb_release(&sb);
out:
	facts_free(f);
	config_release(&cfg);
	return status;
}
