/*
 * cmd_diff.c - 'hotplan diff OLD NEW': what changed between two trees, module
 * by module and symbol by symbol (planner/diff.h).
 *
 * Invariant: the report is written whole or not at all; bad input gives a
 * positioned message on standard error, exit 2, and no output.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "facts.h"
#include "tree.h"

static void diff_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan diff OLD NEW [--format text|json] [-o FILE] [--config FILE]\n"
		"\n"
		"Compares two versions of a C tree module by module: modules added, removed,\n"
		"changed (per symbol and kind of change: body, signature, linkage, visibility,\n"
		"added, removed, initializer, state-layout, flags, other) and unchanged; exports\n"
		"added, removed and changed in signature; state layouts changed. What\n"
		"changed is decided on the parsed program (semantic hashes), not on text.\n"
		"Everything is sorted by name.\n"
		"\n"
		"OLD and NEW are each a folder holding compile_commands.json, a\n"
		"compile_commands.json file, a folder of .c files, or a facts file\n"
		"('hotplan analyze -o').\n"
		"\n"
		"options:\n"
		"  --format text      a report for people (default)\n"
		"  --format json      {\"format\": \"hotplan-diff\", \"version\": 1, \"summary\",\n"
		"                     \"modules\" (every module not unchanged, with its\n"
		"                     symbols and states), \"unchanged\", \"exports\",\n"
		"                     \"state_layouts_changed\"}\n"
		"  -o, --output FILE  write to FILE (atomically) instead of standard output\n"
		"  --config FILE      hotplan.config used to analyze trees\n"
		"  -h, --help         show this help\n"
		"\n"
		"exit status: 0 done; 2 bad usage or bad input; 3 analysis incomplete.\n");
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *config = NULL;
	int json = 0, c, rc = 0;
	struct errbuf err = { "", 0 };
	struct facts *old = NULL, *new = NULL;
	struct diff d;
	struct strbuf sb = STRBUF_INIT;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "text"))
				json = 0;
			else
				return cli_usage_error("diff", "--format must be text or json, not '%s'", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			diff_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("diff", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("diff", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("diff", "expected two trees, OLD and NEW");

	if (cli_load_tree_config(argv[optind], config, &old, &err) ||
	    cli_load_tree_config(argv[optind + 1], config, &new, &err)) {
		rc = cli_fail("diff", &err);
		goto out;
	}
	diff_compute(&d, old, new);
	if (json)
		diff_write_json(&d, &sb);
	else
		diff_write_text(&d, &sb);
	diff_release(&d);
	if (cli_emit(output, &sb, &err))
		rc = cli_fail("diff", &err);
out:
	sb_release(&sb);
	facts_free(old);
	facts_free(new);
	return rc;
}
