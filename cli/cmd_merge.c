/*
 * cmd_merge.c - 'hotplan merge': per-unit facts (analyze --tu) into the
 * facts of the tree, equal to what 'hotplan analyze' of the tree writes
 * (DESIGN.md §10).
 *
 * Invariant: every input is read and checked before anything is written,
 * and the output is written whole or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "cli.h"
#include "parse-options.h"

static const struct opt_command merge_cmd = {
	"merge", "FACTS...",
	"Merges per-unit facts written by 'hotplan analyze --tu FILE TREE' into the\n"
	"facts of the tree: the same facts 'hotplan analyze TREE' writes. Units may\n"
	"come in any order; '-' reads one of them from standard input.\n",
	"exit status: 0 done; 2 bad usage or bad input.\n",
	NULL,
};

int cmd_merge(int argc, char **argv)
{
	struct errbuf err = { .status = 0 };
	const char *output = "-";
	struct facts **units = NULL, *f = NULL;
	size_t n = 0;
	int status = 0;
	struct opt opts[] = {
		OPT_STRING('o', "output", &output, "FACTS",
			   "write the facts to FACTS (atomically) instead of standard output"),
		OPT_END(),
	};
	int first = opt_parse(&merge_cmd, opts, argc, argv, &status);
	if (first < 0)
		return status;
	if (first >= argc)
		return cli_usage_error("merge", "missing FACTS");
	units = xcalloc((size_t)(argc - first), sizeof(*units));
	for (int i = first; i < argc; i++) {
		if (facts_read_file(argv[i], &units[n], &err) < 0) {
			status = cli_fail("merge", &err);
			goto out;
		}
		if (!units[n++]->unit) {
			hp_error(&err, HP_EINPUT, "%s: not per-unit facts (made by 'hotplan analyze --tu')",
				 argv[i]);
			status = cli_fail("merge", &err);
			goto out;
		}
	}
	if (analyzer_merge(units, n, &f, &err) < 0) {
		status = cli_fail("merge", &err);
		goto out;
	}
	struct strbuf sb = STRBUF_INIT;
	facts_write_json(f, &sb);
	if (cli_emit(output, &sb, &err) < 0)
		status = cli_fail("merge", &err);
	sb_release(&sb);
out:
	for (size_t i = 0; i < n; i++)
		facts_free(units[i]);
	free(units);
	facts_free(f);
	return status;
}
