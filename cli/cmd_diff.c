/*
 * cmd_diff.c - 'hotplan diff OLD NEW': what changed between two trees, module
 * by module and symbol by symbol (planner/diff.h).
 *
 * Invariant: the report is written whole or not at all; bad input gives a
 * positioned message on standard error, exit 2, and no output.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "facts.h"
#include "tree.h"

static const struct opt_command diff_cmd = {
	"diff", "OLD NEW",
	"Compares two versions of a C tree module by module: modules added, removed,\n"
	"changed (per symbol and kind of change: body, signature, linkage, visibility,\n"
	"added, removed, initializer, state-layout, flags, other) and unchanged; exports\n"
	"added, removed and changed in signature; state layouts changed. What\n"
	"changed is decided on the parsed program (semantic hashes), not on text.\n"
	"Everything is sorted by name.\n"
	"\n"
	"OLD and NEW are each a folder holding compile_commands.json, a\n"
	"compile_commands.json file, a folder of .c files, or a facts file\n"
	"('hotplan analyze -o').\n",
	"exit status: 0 done; 2 bad usage or bad input; 3 analysis incomplete.\n",
	NULL,
};

static const struct opt_word diff_formats[] = {
	{ "text", 0, "a report for people (default)" },
	{ "json", 1, "{\"format\": \"hotplan-diff\", \"version\": 1, \"summary\", \"modules\" "
	  "(every module not unchanged, with its symbols and states), \"unchanged\", "
	  "\"exports\", \"state_layouts_changed\"}" },
	{ NULL, 0, NULL },
};

int cmd_diff(int argc, char **argv)
{
	const char *output = NULL;
	int json = 0, rc = 0;
	struct cli_tree_args tree = CLI_TREE_ARGS_INIT;
	struct cli_tree_opts to;
	struct errbuf err = { "", 0 };
	struct facts *old = NULL, *new = NULL;
	struct diff d;
	struct strbuf sb = STRBUF_INIT;
	struct opt opts[] = {
		OPT_ENUM(0, "format", &json, NULL, diff_formats, NULL),
		OPT_STRING('o', "output", &output, "FILE",
			   "write to FILE (atomically) instead of standard output"),
		OPT_TREE(&tree, CLI_CONFIG_HELP, CLI_CACHE_HELP_NONE),
		OPT_END(),
	};
	int i = opt_parse(&diff_cmd, opts, argc, argv, &rc);
	if (i < 0)
		return rc;
	if (argc - i != 2)
		return cli_usage_error("diff", "expected two trees, OLD and NEW");
	if (cli_tree_args_opts("diff", &tree, 0, &to))
		return 2;

	if (cli_load_tree(argv[i], &to, &old, &err) || cli_load_tree(argv[i + 1], &to, &new, &err)) {
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
