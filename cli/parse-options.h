/*
 * parse-options.h - declarative command-line options, after git's
 * parse-options: one table per command drives the parsing (getopt_long),
 * the usage line, the "options:" section of --help, and the messages for
 * bad values ("hotplan check: --purge must be auto, soft or brutal, not
 * 'x'", exit 2, "Try 'hotplan check --help'.").
 *
 * Each entry says the option's short and long name, the name of its
 * argument, its help, and where its value goes, typed: a string, a number
 * with its bounds, one word of a list (an enum), or a flag. The table is a
 * local array of the command (its values point at the command's own
 * variables: no globals), ended by OPT_END().
 *
 * How to add a command (cli/cmd_NAME.c):
 *
 *   static const struct opt_command name_cmd = {
 *           "name", "OPERANDS",
 *           "The paragraphs of --help before \"options:\".\n",
 *           "exit status: 0 ...; 2 bad usage or bad input.\n",
 *           NULL,
 *   };
 *
 *   int cmd_name(int argc, char **argv)
 *   {
 *           const char *output = NULL;
 *           unsigned long pid = 0;
 *           struct cli_tree_args tree = CLI_TREE_ARGS_INIT;  (tree.h)
 *           struct opt opts[] = {
 *                   OPT_STRING('o', "output", &output, "FILE", "write to FILE"),
 *                   OPT_UINT(0, "pid", &pid, "PID", 1, 4194304, "the process"),
 *                   OPT_TREE(&tree, CLI_CONFIG_HELP, CLI_CACHE_HELP_NONE),
 *                   OPT_END(),
 *           };
 *           int status, i = opt_parse(&name_cmd, opts, argc, argv, &status);
 *           if (i < 0)
 *                   return status;
 *           ... argv[i] .. argv[argc - 1] are the operands ...
 *   }
 *
 * then declare cmd_name() in cli.h and list it in main.c's commands[].
 * -h/--help is added by opt_parse(); tests/check/check_help.py reads the
 * OPT_* entries of every cli/cmd_*.c and checks that --help lists each.
 *
 * Invariant: what is parsed, what the usage line shows and what --help
 * lists come from the same table, so they cannot disagree.
 */
#ifndef HOTPLAN_CLI_PARSE_OPTIONS_H
#define HOTPLAN_CLI_PARSE_OPTIONS_H

#include <stdio.h>

enum opt_type {
	OPT_T_END,
	OPT_T_FLAG,    /* no argument: *(int *)value = 1 */
	OPT_T_STRING,  /* *(const char **)value = the argument (points into argv) */
	OPT_T_UINT,    /* *(unsigned long *)value = a decimal number in [min, max] */
	OPT_T_ENUM,    /* *(int *)value = the value of the word given */
	OPT_T_WORD,    /* *(const char **)value = the word given, as the table spells it */
};

/* One word an OPT_ENUM accepts; a list of them ends with { NULL }. */
struct opt_word {
	const char *word;
	int value;
	const char *help;  /* non-NULL: --help gives the word a line of its own */
};

enum opt_flags {
	OPT_OR_NEXT = 1 << 0,  /* the usage line shows "[this | next]" */
};

struct opt {
	enum opt_type type;
	int short_name;                /* 'o', or 0 */
	const char *long_name;         /* "output", or NULL */
	const char *argh;              /* "FILE"; NULL for an enum or word: its words */
	const char *help;              /* word-wrapped by --help */
	void *value;                   /* where the value goes (see enum opt_type) */
	unsigned long min, max;        /* OPT_T_UINT */
	const struct opt_word *words;  /* OPT_T_ENUM, OPT_T_WORD */
	unsigned flags;                /* enum opt_flags */
};

/* The pointer p, which must have type T * (a compile error otherwise). */
#define OPT_PTR(T, p) ((void *)(1 ? (p) : (T *)0))
#define OPT_STR_(x) #x
#define OPT_STR(x) OPT_STR_(x)  /* a macro's value as a string literal */

#define OPT_FLAG(s, l, v, h) \
	{ .type = OPT_T_FLAG, .short_name = (s), .long_name = (l), .help = (h), \
	  .value = OPT_PTR(int, v) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPT_T_STRING, .short_name = (s), .long_name = (l), .argh = (a), \
	  .help = (h), .value = OPT_PTR(const char *, v) }
#define OPT_UINT(s, l, v, a, lo, hi, h) \
	{ .type = OPT_T_UINT, .short_name = (s), .long_name = (l), .argh = (a), \
	  .help = (h), .value = OPT_PTR(unsigned long, v), .min = (lo), .max = (hi) }
#define OPT_ENUM(s, l, v, a, w, h) \
	{ .type = OPT_T_ENUM, .short_name = (s), .long_name = (l), .argh = (a), \
	  .help = (h), .value = OPT_PTR(int, v), .words = (w) }
#define OPT_WORD(s, l, v, a, w, h) \
	{ .type = OPT_T_WORD, .short_name = (s), .long_name = (l), .argh = (a), \
	  .help = (h), .value = OPT_PTR(const char *, v), .words = (w) }
#define OPT_END() { .type = OPT_T_END }

/* What --help says around the options. */
struct opt_command {
	const char *name;      /* "check" */
	const char *operands;  /* "OLD NEW": the usage line, before the options */
	const char *prose;     /* the paragraphs between the usage and "options:" */
	const char *epilogue;  /* after the options ("exit status: ..."), or NULL */
	void (*epilogue_fn)(FILE *fp);  /* printed after epilogue, or NULL */
};

/*
 * Parses the options of argv[1..argc) by the table opts (argv[0] is the
 * command's name), permuting the operands to the end as getopt_long does.
 * Returns the index in argv of the first operand; or -1 with *status set:
 * 0 after --help (printed on stdout), 2 after bad usage (the message and
 * "Try 'hotplan NAME --help'." on stderr). Values of options not given are
 * left as the caller set them; an option given twice keeps the last value.
 */
int opt_parse(const struct opt_command *cmd, const struct opt *opts, int argc, char **argv,
	      int *status);

/* The whole --help: usage line, prose, options, epilogue. */
void opt_print_help(const struct opt_command *cmd, const struct opt *opts, FILE *fp);

#endif
