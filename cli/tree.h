/*
 * tree.h - the one loader every command uses for TREE, OLD and NEW
 * (DESIGN.md §5): a folder holding compile_commands.json, a
 * compile_commands.json file, a CMake source folder (configured, never
 * built, in the cache: cmake/<hash>), a folder of .c files (with -I for
 * every folder holding headers), or a facts file; "-" reads facts or a
 * compilation database from standard input. A folder with a Makefile and
 * no compile_commands.json is refused (exit 2) with how to record one.
 *
 * Invariant: a facts file is taken as it is (never re-analyzed), and a tree
 * gives exactly what 'hotplan analyze' would write for it, so every command
 * sees the same facts for the same TREE.
 */
#ifndef HOTPLAN_CLI_TREE_H
#define HOTPLAN_CLI_TREE_H

#include "config.h"
#include "facts.h"
#include "parse-options.h"
#include "util.h"

struct cli_tree_opts {
	unsigned jobs;               /* parsing threads; 0: number of cores */
	const char *cache_dir;       /* per-unit facts cache; NULL: none */
	int keep_going;              /* units that fail to parse are marked incomplete */
	const struct hp_config *cfg; /* NULL: config_file, else the defaults */
	const char *config_file;     /* hotplan.config to read when cfg is NULL */
	int progress;                /* 1 always, 0 never, -1 when stderr is a terminal */
	int no_cache;                /* configure CMake folders in a temporary folder,
				      * removed afterwards; else under cache_dir, or
				      * cli_default_cache_dir() when it is NULL */
	int default_cache;           /* cache_dir NULL and not no_cache: the per-unit
				      * cache is cli_default_cache_dir() */
};

/* The analysis cache of check and graph, and of every command's CMake
 * folders, by default (heap, caller frees): $XDG_CACHE_HOME/hotplan, else
 * $HOME/.cache/hotplan (the XDG default), else ./.hotplan-cache when
 * neither variable holds an absolute path. */
char *cli_default_cache_dir(void);

/*
 * The tree options, one group shared by analyze, diff, plan, graph and
 * check: OPT_TREE(&args, config_help, cache_help) in a command's option
 * table (parse-options.h) fills a struct cli_tree_args, and
 * cli_tree_args_opts() turns it into the struct cli_tree_opts above.
 */
struct cli_tree_args {
	const char *config;    /* --config FILE, or NULL */
	const char *cache;     /* --cache DIR, or NULL */
	int no_cache;          /* --no-cache */
	unsigned long jobs;    /* -j N; 0 when not given: the number of cores */
	int keep_going;        /* --keep-going */
};
#define CLI_TREE_ARGS_INIT { NULL, NULL, 0, 0, 0 }

/* --config's help for a command that reads only the analysis settings. */
#define CLI_CONFIG_HELP "hotplan.config: the analysis settings (spawn, lookup and " \
	"blocking functions, transformer pattern, module grouping)"
/* --cache's help where the per-unit cache is off unless given. */
#define CLI_CACHE_HELP_NONE "keep per-unit facts in DIR and reuse them while the unit, " \
	"the files it includes and its flags are unchanged; CMake folders are configured " \
	"in DIR/cmake/ (default: no per-unit cache, CMake folders configured in the " \
	"cache 'hotplan check' uses)"
/* --cache's help where the per-unit cache is on unless --no-cache. */
#define CLI_CACHE_HELP_DEFAULT "per-unit analysis cache, and CMake folders configured " \
	"in DIR/cmake/ (default: $XDG_CACHE_HOME/hotplan, else $HOME/.cache/hotplan, " \
	"else ./.hotplan-cache)"

#define OPT_TREE(t, config_help, cache_help) \
	OPT_STRING(0, "config", &(t)->config, "FILE", config_help), \
	{ .type = OPT_T_STRING, .long_name = "cache", .argh = "DIR", .help = (cache_help), \
	  .value = OPT_PTR(const char *, &(t)->cache), .flags = OPT_OR_NEXT }, \
	OPT_FLAG(0, "no-cache", &(t)->no_cache, "analyze without a per-unit cache (CMake " \
		 "folders are configured in a temporary folder)"), \
	OPT_UINT('j', "jobs", &(t)->jobs, "N", 1, 1024, "parse N units at a time (default: " \
		 "the number of cores)"), \
	OPT_FLAG(0, "keep-going", &(t)->keep_going, "a unit that does not parse is marked " \
		 "incomplete, its errors go to the facts' diagnostics, and the analysis goes on")

/*
 * Fills *to from the tree options t (and progress -1): the per-unit cache
 * is --cache's, else none with --no-cache, else, when default_cache, the
 * one of cli_default_cache_dir(). Returns 0, or 2 after printing the usage
 * error of --cache with --no-cache.
 */
int cli_tree_args_opts(const char *cmd, const struct cli_tree_args *t, int default_cache,
		       struct cli_tree_opts *to);

/*
 * Loads arg as facts: reads a facts file as is, or analyzes a tree (the
 * facts then record the analyzer's source_root, the folder their paths are
 * relative to, wherever the tree was configured or its database made). opts
 * may be NULL (defaults). Returns 0 with *out owned by the caller
 * (facts_free), or HP_E* with err set (exit status: hp_exit_status()).
 */
int cli_load_tree_opts(const char *arg, const struct cli_tree_opts *opts, struct facts **out,
		       struct errbuf *err);

/*
 * When arg is a CMake build folder, CMake's targets (its file API reply,
 * configured again without building when there is none yet) replace the
 * programs analyzer_run() inferred in f. 0, or HP_E* with err set.
 */
int cli_tree_programs(const char *arg, struct facts *f, struct errbuf *err);

/* The same with only a config file (NULL: defaults) and default options. */
int cli_load_tree_config(const char *arg, const char *config_file, struct facts **out,
			 struct errbuf *err);

/* cli_load_tree(arg, opts_or_config_file, out, err): either form. */
#define cli_load_tree(arg, o, out, err) _Generic((o), \
	const char *: cli_load_tree_config, \
	char *: cli_load_tree_config, \
	default: cli_load_tree_opts)((arg), (o), (out), (err))

/*
 * --program of plan, check, simulate and graph: narrows *f to the facts of
 * its program name (facts_select_program); the facts loaded move to
 * *whole, which the caller frees after *f (both facts_free; *whole NULL
 * when name is NULL and nothing changed). An unknown name gives HP_EUSAGE
 * naming the tree's programs.
 */
int cli_select_program(struct facts **f, struct facts **whole, const char *name,
		       struct errbuf *err);

/* HP_EUSAGE with "'ROOT' builds several programs (a, b): choose one with
 * --program NAME" in err when f holds more than one program; else 0. */
int cli_one_program(const struct facts *f, struct errbuf *err);

/* The application a tree builds, for plan titles and appups. */
struct cli_project {
	char *app;   /* an Erlang atom needing no quotes (heap), or NULL */
	char *vsn;   /* its version as written (heap), or NULL */
};

/*
 * What the tree arg (as given to cli_load_tree; f: what it loaded, whose
 * recorded root is looked at instead when arg was a facts file) says of its
 * application: project(NAME VERSION V ...) of its CMakeLists.txt, else
 * CMAKE_PROJECT_NAME and CMAKE_PROJECT_VERSION of its CMakeCache.txt (a
 * build folder), else the app is the folder's name (a compilation database
 * file: its folder). Names are made atoms: lower case, other characters
 * than a-z, 0-9 and _ become _, and "app_" precedes a name that does not
 * start with a letter ("Call-Srv" -> call_srv). Never fails; release with
 * cli_project_release().
 */
void cli_tree_project(const char *arg, const struct facts *f, struct cli_project *p);
void cli_project_release(struct cli_project *p);

/* The application and versions of an upgrade, as plan, check and graph
 * give them to the planner (so that their scripts are the same). */
struct cli_identity {
	const char *app, *vsn, *from_vsn;  /* point into proj, cfg or the flags */
	struct cli_project proj[2];        /* what OLD and NEW say */
};

/*
 * Each of app, vsn and from_vsn from the first source that has it: the
 * flag (NULL: not given); the config cfg (may be NULL: {app, A} unless it
 * is the default 'app', {vsn, V}, {old_vsn, V}); the trees (the app of
 * NEW, else of OLD; each version from its own tree, unless that makes both
 * versions equal, which says nothing of an upgrade); the defaults app,
 * "2.0" and "1.0". Release with cli_identity_release().
 */
void cli_identity_init(struct cli_identity *id, const char *app, const char *vsn,
		       const char *from_vsn, const struct hp_config *cfg, const char *old_arg,
		       const struct facts *old, const char *new_arg, const struct facts *new);
void cli_identity_release(struct cli_identity *id);

#endif
