/*
 * cmd_analyze.c - 'hotplan analyze'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_analyze(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan analyze: this build has no analyze stage yet\n");
	return 2;
}
