/*
 * cmd_check.c - 'hotplan check'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan check: this build has no check stage yet\n");
	return 2;
}
