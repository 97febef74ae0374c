/*
 * analyzer.h - the libclang front end: a C tree in, facts out (DESIGN.md §3,
 * §4.1, §10).
 *
 * A tree is a folder holding compile_commands.json, a compile_commands.json
 * file, or a folder of .c files (searched recursively, sorted, analyzed with
 * "-I<folder>"). Each translation unit is parsed once, walked once, and
 * disposed of at once; what it yields is a per-unit facts value (facts->unit
 * set: refs not yet resolved to modules, entries still in the spawning
 * module). analyzer_merge() turns per-unit facts into the facts of the
 * tree; analyzer_run() is parse-all-then-merge, so the facts of a tree and
 * the merge of its per-unit facts (analyze --tu, hotplan merge) are equal.
 *
 * Determinism: the result depends only on the inputs, never on the number
 * of jobs, thread scheduling, or whether a unit came from the cache.
 *
 * What counts as defined where (so that the facts agree with what nm says
 * of the objects; tests/analyzer/check_nm.py checks it on the sample):
 *  - exports: definitions with external linkage that emit a symbol: plain
 *    and weak functions, initialized and tentative variables, a C99 inline
 *    function in the unit that declares it extern;
 *  - locals: static definitions of the main file; static (inline) functions
 *    of headers only when the unit uses them; C99 inline definitions that
 *    emit nothing (a call to one is a reference to the module exporting it);
 *  - refs: to symbols the unit does not emit; those that no module exports
 *    (libc, ...) are dropped by the merge. Qualified refs come from string
 *    literals passed to lookup functions: hot_lookup("m", "f") names f.
 *  - module names are stored unquoted ("net/conn"); Erlang writers quote them.
 *
 * No libclang type appears here; only the analyzer's .c files include <clang-c/Index.h>.
 */
#ifndef HOTPLAN_ANALYZER_H
#define HOTPLAN_ANALYZER_H

#include <stddef.h>
#include "config.h"
#include "facts.h"
#include "util.h"

struct analyzer_opts {
	const struct hp_config *cfg; /* NULL: defaults */
	unsigned jobs;               /* parallel parsers; 0: number of cores */
	const char *cache_dir;       /* reuse per-unit facts from here; NULL: none */
	int keep_going;              /* a unit that fails to parse: mark, go on */
	int progress;                /* "analyzing N/M units" on stderr */
	const char *only_unit;       /* analyze this source file only (--tu) */
};

/*
 * Analyzes the tree named by tree (as given on the command line; it becomes
 * facts->root). On success *out holds the facts (per-unit facts of
 * opts->only_unit when it is set), owned by the caller (facts_free).
 *
 * Returns 0; HP_EUSAGE/HP_EINPUT/HP_EIO (exit 2) for an unreadable tree, a
 * malformed compile database, or a file it names that does not exist, with
 * a message naming the database and the file; HP_EPARSE (exit 3) when a
 * unit fails to parse and keep_going is off: its diagnostics, each
 * "file:line:column: error: ...", were printed to stderr. With keep_going
 * such modules are marked incomplete and their errors are in facts->diags.
 */
int analyzer_run(const char *tree, const struct analyzer_opts *opts,
		 struct facts **out, struct errbuf *err);

/*
 * Merges per-unit facts (each with ->unit set) into the facts of a tree:
 * groups units by module name, resolves refs to the modules exporting
 * their symbols (one ref per module when several export it, marked
 * ambiguous, with a diagnostic), moves entries to the module defining their
 * start routine, computes module hashes, and, when several modules define
 * a function main, infers the programs (facts.h: one per such module, made
 * of the modules its refs reach; a symbol several modules define resolves
 * to the definer inside the program, else to the one that defines no main
 * and shares the most leading folders with the main module; a tie takes
 * none, with a note). The inputs are not modified;
 * *out is new. Returns 0 or HP_EINPUT when an input is not per-unit facts.
 */
int analyzer_merge(struct facts *const *units, size_t n, struct facts **out,
		   struct errbuf *err);

/* Whether path looks like a C source file the analyzer would take (".c"). */
int analyzer_is_c_file(const char *path);

#endif
