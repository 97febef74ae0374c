/*
 * config.h - hotplan.config (DESIGN.md §4.4): the settings of one system.
 *
 * The file is Erlang terms, one per line like rebar.config, with % comments:
 *
 *   {app, callsrv}.                     application name (atom)
 *   {vsn, "2.0"}.  {old_vsn, "1.0"}.    versions (strings)
 *   {modules, [{sip, ["src/sip.c", "src/sip_parse.c"]}]}.
 *                                       group files (relative to the tree's
 *                                       source root) into one module
 *   {spawn, [{my_spawn, 2}]}.           functions starting a thread, with the
 *                                       1-based argument holding the routine
 *   {lookup, [hot_lookup]}.             calls through the export table
 *   {blocking, [my_wait]}.              calls a process waits in
 *   {transformer, "*_code_change"}.     state transformer name pattern
 *   {purge, soft | brutal | auto}.
 *   {max_killed, N}.                    check policy: kills tolerated
 *
 * spawn, lookup and blocking extend the built-in lists (pthread_create/3,
 * thrd_create/2; dlsym, hot_lookup, hotrt_lookup; read, recv, accept, poll,
 * ...). libhotrt's hotrt_spawn/2 is a built-in spawner of
 * another shape: its argument is a struct hotrt_spawn whose .module and
 * .entry name the entry (config_spawn_spec_arg). Every key
 * may appear once; an unknown key, a repeated key or a value of the wrong
 * shape is an error at the term's file:line:column.
 *
 * A struct hp_config owns its strings through its arena; config_init gives
 * the defaults, so a config without a file is valid.
 */
#ifndef HOTPLAN_CONFIG_H
#define HOTPLAN_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "instr.h"
#include "util.h"

struct config_group {
	const char *name;        /* module name */
	const char **files;      /* source files, as written */
	size_t nfiles;
};

struct config_spawn {
	const char *name;
	unsigned arg;            /* 1-based index of the start routine argument */
};

struct hp_config {
	struct arena arena;
	const char *file;        /* where it was read from, or NULL */
	const char *app;         /* default "app" */
	const char *vsn;         /* NULL when absent */
	const char *old_vsn;     /* NULL when absent */
	struct config_group *modules; size_t nmodules;
	struct config_spawn *spawn;   size_t nspawn;    /* built-ins first */
	const char **lookup;          size_t nlookup;   /* built-ins first */
	const char **blocking;        size_t nblocking; /* built-ins first */
	const char *transformer;      /* default "*_code_change" */
	enum purge_method purge;      /* PURGE_BRUTAL (default, as OTP), PURGE_SOFT, PURGE_AUTO
				       * (soft unless a simulation shows brutal is safe;
				       * DESIGN.md §6) */
	long max_killed;              /* default 0 */
};

/* Fills cfg with the defaults. */
void config_init(struct hp_config *cfg);
void config_release(struct hp_config *cfg);

/*
 * Reads path ("-" for stdin) over the defaults in cfg (which config_init
 * filled). Returns 0, or HP_EIO/HP_EINPUT with "file:line:column: ..." in err;
 * on failure cfg keeps valid (default or partly read) contents.
 */
int config_read_file(struct hp_config *cfg, const char *path, struct errbuf *err);
int config_read_text(struct hp_config *cfg, const char *file, const char *text,
		     size_t len, struct errbuf *err);

/* Lookups used by the analyzer. */
unsigned config_spawn_arg(const struct hp_config *cfg, const char *name); /* 0: not a spawner */
/* Whether name starts a process from a spec structure (hotrt_spawn): the
 * 1-based argument pointing at it, or 0. */
unsigned config_spawn_spec_arg(const struct hp_config *cfg, const char *name);
/* Whether name is a spawner hotplan knows without a config
 * (pthread_create, thrd_create, hotrt_spawn). */
int config_spawn_is_builtin(const char *name);
int config_is_lookup(const struct hp_config *cfg, const char *name);
int config_is_blocking(const struct hp_config *cfg, const char *name);
/* The module a file belongs to by {modules, ...}, or NULL. */
const char *config_group_of(const struct hp_config *cfg, const char *file);

/* A hash of every setting that changes what the analyzer extracts (spawn,
 * lookup, blocking, transformer, modules): part of the cache key. */
uint64_t config_analysis_hash(const struct hp_config *cfg);

/* The word of {purge, P}: purge_option_name(), instr.h. */
const char *config_purge_name(enum purge_method purge);

#endif
