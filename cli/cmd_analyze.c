/*
 * cmd_analyze.c - 'hotplan analyze': the facts of a C tree (DESIGN.md §4.1),
 * or with --tu the per-unit facts of one translation unit, for
 * 'hotplan merge' (DESIGN.md §10).
 *
 * Invariant: the output is written whole or not at all, and is
 * byte-identical for the same inputs whatever -j and the cache.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"

static void analyze_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan analyze TREE [-o FACTS] [-j N] [--cache DIR] [--keep-going]\n"
		"                            [--config FILE] [--tu FILE]\n"
		"\n"
		"Extracts the facts of a C tree with libclang: modules, exported and local\n"
		"symbols with semantic hashes, references between modules, threads and\n"
		"their loops, state types and transformers.\n"
		"\n"
		"TREE is a folder holding compile_commands.json, a compile_commands.json\n"
		"file ('-' for standard input), or a folder of .c files (searched\n"
		"recursively and analyzed with -I<folder>).\n"
		"\n"
		"options:\n"
		"  -o, --output FACTS  write the facts to FACTS (atomically) instead of\n"
		"                      standard output\n"
		"  -j, --jobs N        parse N units at a time (default: number of cores)\n"
		"      --cache DIR     keep per-unit facts in DIR and reuse them while the\n"
		"                      unit, the files it includes and its flags are unchanged\n"
		"      --keep-going    a unit that does not parse is marked incomplete and\n"
		"                      its errors go to the facts' diagnostics (exit 0)\n"
		"      --config FILE   hotplan.config (spawn, lookup and blocking functions,\n"
		"                      transformer pattern, module grouping)\n"
		"      --tu FILE       analyze only the unit FILE of TREE and write its\n"
		"                      per-unit facts, for 'hotplan merge'\n"
		"  -h, --help          show this help\n"
		"\n"
		"exit status: 0 done; 2 bad usage or bad input; 3 a unit does not parse\n"
		"(its errors are printed as file:line:column: error: ...).\n");
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "cache", required_argument, NULL, 'C' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "tu", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct analyzer_opts ao = { 0 };
	struct hp_config cfg;
	struct errbuf err = { .status = 0 };
	const char *output = "-", *config_file = NULL;
	struct facts *f = NULL;
	int c, status;
	unsigned long n;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:kh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'j':
			if (cli_parse_uint(optarg, 1024, &n) < 0 || n == 0)
				return cli_usage_error("analyze", "'-j' needs a number from 1 to 1024, not '%s'",
						       optarg);
			ao.jobs = (unsigned)n;
			break;
		case 'C':
			ao.cache_dir = optarg;
			break;
		case 'k':
			ao.keep_going = 1;
			break;
		case 'c':
			config_file = optarg;
			break;
		case 't':
			ao.only_unit = optarg;
			break;
		case 'h':
			analyze_usage(stdout);
			return 0;
		default:
			return cli_usage_error("analyze", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("analyze", optind < argc ? "too many arguments"
								 : "missing TREE");
	config_init(&cfg);
	if (config_file && config_read_file(&cfg, config_file, &err) < 0) {
		status = cli_fail("analyze", &err);
		goto out;
	}
	ao.cfg = &cfg;
	ao.progress = isatty(2);
	if (analyzer_run(argv[optind], &ao, &f, &err) < 0) {
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
