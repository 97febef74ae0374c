/*
 * cmd_simulate.c - 'hotplan simulate'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_simulate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan simulate: this build has no simulate stage yet\n");
	return 2;
}
