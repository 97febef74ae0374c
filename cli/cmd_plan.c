/*
 * cmd_plan.c - 'hotplan plan'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_plan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan plan: this build has no plan stage yet\n");
	return 2;
}
