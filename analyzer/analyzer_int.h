/*
 * analyzer_int.h - what the analyzer's files share: the list of units of a
 * tree (units.c), the walk of one unit (walk.c), the per-unit cache
 * (cache.c). Plain C: no libclang types here either, so each file keeps its
 * libclang handles to itself.
 */
#ifndef HOTPLAN_ANALYZER_INT_H
#define HOTPLAN_ANALYZER_INT_H

#include <stddef.h>
#include <stdint.h>
#include "analyzer.h"

/* One translation unit to analyze. Strings live in the unit list's arena. */
struct unit {
	const char *path;     /* absolute, normalized source path */
	const char *rel;      /* path relative to the source root (or absolute) */
	const char *module;   /* module name (stem, clash path, or config group) */
	const char **args;    /* libclang arguments (no compiler, -c, -o, file) */
	size_t nargs;
	uint64_t flags_hash;  /* hash of the flags that matter (DESIGN.md §3) */
	const char **flags;   /* those flags, in command-line order, as hashed
			       * (struct module's flags) */
	size_t nflags;
};

struct unit_list {
	struct arena arena;
	const char *tree;     /* as given */
	const char *db;       /* the compile_commands.json, or NULL */
	const char *src_root; /* common folder of every unit, absolute */
	struct unit *units;   /* sorted by path */
	size_t n;
};

/*
 * Reads the units of a tree (see analyzer.h). Returns 0 or HP_E* with a
 * message; a source file named by the database that does not exist is an
 * error naming the database and the file.
 */
int units_load(struct unit_list *ul, const char *tree, const struct hp_config *cfg,
	       struct errbuf *err);
void units_release(struct unit_list *ul);

/* A path made relative to the source root when it lies under it. */
const char *units_relpath(struct arena *a, const char *src_root, const char *path);

/*
 * The spawner of the entries walk.c records for the child of a fork(): one
 * per function the child's branch calls by name, and, when the branch has
 * a loop of its own, one whose function is the one that forks (function ==
 * spawned_in). They are candidates: analyzer_merge() keeps a called one
 * when its definition has a loop, and the forking function only when no
 * candidate of the same test (same spawned_in and location) is kept.
 */
#define FORK_SPAWNER "fork"

/* The outcome of walking one unit. */
struct unit_result {
	struct facts *facts;     /* per-unit facts, or NULL on a hard failure */
	int failed;              /* error diagnostics were reported */
	struct strbuf errors;    /* "file:line:column: error: ..." lines */
	char **deps;             /* files read (main file and includes), sorted */
	size_t ndeps;
};

/*
 * A parsing thread's work: walker_serve() creates one libclang index, asks
 * next() for unit indices until it returns 0, walks each unit into
 * results[i] (facts, errors, deps; the translation unit is disposed of
 * before the next one is parsed), calls done() after each, and disposes of
 * the index.
 */
struct walker_job {
	const struct unit_list *ul;
	const struct hp_config *cfg;
	int keep_going;
	int want_deps;                /* fill results[i].deps (for the cache) */
	struct unit_result *results;  /* one per unit of ul */
	int (*next)(void *ctx, size_t *unit);
	void (*done)(void *ctx, size_t unit);
	void *ctx;
};
void walker_serve(const struct walker_job *job);

/*
 * Initializes libclang's process-wide state (targets, crash recovery, what
 * its first parse computes once) by parsing a one-line unit from memory.
 * Call on one thread before any walker_serve() runs: ThreadSanitizer shows
 * libclang's first index and first parse racing when two threads start at
 * once, and none after this.
 */
void walker_prepare(void);
void unit_result_release(struct unit_result *res);

/* ---- cache (cache.c) ---- */

/* Per-run memo of file content hashes, so each header is hashed once. */
struct hash_memo {
	struct strmap map;   /* path -> heap uint64_t */
	struct arena arena;
};
void hash_memo_init(struct hash_memo *m);
void hash_memo_release(struct hash_memo *m);

/* The cache key of a unit: its path, flags, module name, the analysis
 * settings of the config, and tool (a hash of the analyzer itself, so a
 * rebuilt hotplan never trusts what an older one stored). */
uint64_t cache_key(const struct unit *u, const struct hp_config *cfg, uint64_t tool);
/* A hash of the running executable (0 if it cannot be read). */
uint64_t cache_tool_hash(void);

/* Loads the unit's facts if the entry exists, is intact and every file it
 * depends on is unchanged; else returns NULL (and the entry is rebuilt). */
struct facts *cache_load(const char *dir, uint64_t key, struct hash_memo *memo);

/* Stores facts with the content hashes of deps; failures are ignored (a
 * cache is an optimization), except that no partial entry is ever left. */
void cache_store(const char *dir, uint64_t key, const struct facts *facts,
		 char *const *deps, size_t ndeps);

/* Content hash of a file; 0 if it cannot be read. */
uint64_t file_content_hash(const char *path);

/* Semantic module hash over sorted symbols and states (after facts_finish). */
void module_compute_hash(struct module *m);

#endif
