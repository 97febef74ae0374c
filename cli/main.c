/*
 * main.c - the hotplan binary: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"

#ifndef HOTPLAN_VERSION
#define HOTPLAN_VERSION "0.0.0"
#endif

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "analyze", cmd_analyze, "extract facts (modules, symbols, edges, processes) from a C tree" },
	{ "merge", cmd_merge, "merge per-unit facts (analyze --tu) into the facts of a tree" },
	{ "diff", cmd_diff, "what changed between two trees, module by module" },
	{ "plan", cmd_plan, "the upgrade script (and appup, downgrade) from OLD to NEW" },
	{ "translate", cmd_translate, "translate a high-level appup into a low-level script, as OTP's systools_rc" },
	{ "simulate", cmd_simulate, "run scripts on a model of the VM and predict who is killed" },
	{ "graph", cmd_graph, "draw the module dependency graph, with the plan on it" },
	{ "check", cmd_check, "pre-deploy gate: analyze, plan, simulate and apply a policy" },
	{ "snapshot", cmd_snapshot, "the runtime of live processes, read from their thread stacks" },
	{ "apply", cmd_apply, "install a script in a running program through libhotrt's control socket" },
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan COMMAND [ARGS...]\n"
		"       hotplan --version | --help | help COMMAND\n"
		"\n"
		"Plans hot code upgrades of C systems the way Erlang/OTP's release handler\n"
		"does, and predicts which running processes an upgrade would kill.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < HP_ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp,
		"\n"
		"TREE, OLD and NEW are a folder holding compile_commands.json, a\n"
		"compile_commands.json file, a folder of .c files, or a facts file.\n"
		"'hotplan COMMAND --help' describes a command.\n"
		"\n"
		"exit status: 0 done; 1 the check (or simulation) found what its policy\n"
		"forbids; 2 bad usage or bad input; 3 analysis incomplete.\n");
}

int main(int argc, char **argv)
{
	fileio_install_signal_cleanup();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("hotplan %s\n", HOTPLAN_VERSION);
		return 0;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		name = argv[2];
		for (size_t i = 0; i < HP_ARRAY_SIZE(commands); i++) {
			if (!strcmp(commands[i].name, name)) {
				char *av[] = { argv[2], (char *)"--help", NULL };
				return commands[i].fn(2, av);
			}
		}
		fprintf(stderr, "hotplan: '%s' is not a hotplan command; see 'hotplan --help'\n", name);
		return 2;
	}
	for (size_t i = 0; i < HP_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hotplan: '%s' is not a hotplan command; see 'hotplan --help'\n", name);
	return 2;
}
