/*
 * cli.h - the subcommands of the hotplan binary and their shared helpers.
 *
 * Each subcommand lives in cli/cmd_<name>.c, takes argv as main() does
 * (argv[0] is the subcommand's name), parses its options from a table
 * (parse-options.h, which says how to add a command), and returns the
 * process exit status of DESIGN.md §5:
 *   0 done, nothing to report; 1 the check found what its policy forbids
 *   (or simulate predicted a kill); 2 bad usage or bad input; 3 analysis
 *   incomplete.
 * Every subcommand answers --help on stdout with exit 0, listing every flag.
 */
#ifndef HOTPLAN_CLI_H
#define HOTPLAN_CLI_H

#include "util.h"

struct facts;

int cmd_analyze(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_apply(int argc, char **argv);

/* --pid of check and simulate (cmd_snapshot.c): snapshots the processes of
 * pids ("PID[,PID...]") running the program f describes, with the config
 * the command read (NULL: the defaults), noting each pause on stderr; the
 * runtime is the caller's (runtime_free). 0 or HP_E*. */
struct runtime;
struct hp_config;
int cli_snapshot_runtime(const char *cmd, const char *pids, const struct facts *f,
			 const struct hp_config *cfg, const char *app, struct runtime **rt,
			 struct errbuf *err);

/* Prints "hotplan CMD: MESSAGE" and "Try 'hotplan CMD --help'." to stderr;
 * returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) HP_PRINTF(2, 3);
/* Prints "hotplan CMD: error: <err->msg>" to stderr; returns the exit
 * status for err->status (2 or 3). */
int cli_fail(const char *cmd, const struct errbuf *err);
/* Writes data to path ("-" or NULL: stdout) atomically. 0 or HP_EIO. */
int cli_emit(const char *path, const struct strbuf *data, struct errbuf *err);
/* Parses a non-negative integer option value; returns 0 or -1. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);

#endif
