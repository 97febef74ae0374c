/*
 * tree.h - the one loader every command uses for TREE, OLD and NEW
 * (DESIGN.md §5): a folder holding compile_commands.json, a
 * compile_commands.json file, a folder of .c files, or a facts file; "-"
 * reads facts or a compilation database from standard input.
 *
 * Invariant: a facts file is taken as it is (never re-analyzed), and a tree
 * gives exactly what 'hotplan analyze' would write for it, so every command
 * sees the same facts for the same TREE.
 */
#ifndef HOTPLAN_CLI_TREE_H
#define HOTPLAN_CLI_TREE_H

#include "config.h"
#include "facts.h"
#include "util.h"

struct cli_tree_opts {
	unsigned jobs;               /* parsing threads; 0: number of cores */
	const char *cache_dir;       /* per-unit facts cache; NULL: none */
	int keep_going;              /* units that fail to parse are marked incomplete */
	const struct hp_config *cfg; /* NULL: config_file, else the defaults */
	const char *config_file;     /* hotplan.config to read when cfg is NULL */
	int progress;                /* 1 always, 0 never, -1 when stderr is a terminal */
};

/*
 * Loads arg as facts: reads a facts file as is, or analyzes a tree. opts
 * may be NULL (defaults). Returns 0 with *out owned by the caller
 * (facts_free), or HP_E* with err set (exit status: hp_exit_status()).
 */
int cli_load_tree_opts(const char *arg, const struct cli_tree_opts *opts, struct facts **out,
		       struct errbuf *err);

/* The same with only a config file (NULL: defaults) and default options. */
int cli_load_tree_config(const char *arg, const char *config_file, struct facts **out,
			 struct errbuf *err);

/* cli_load_tree(arg, opts_or_config_file, out, err): either form. */
#define cli_load_tree(arg, o, out, err) _Generic((o), \
	const char *: cli_load_tree_config, \
	char *: cli_load_tree_config, \
	default: cli_load_tree_opts)((arg), (o), (out), (err))

#endif
