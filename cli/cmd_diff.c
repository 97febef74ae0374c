/*
 * cmd_diff.c - 'hotplan diff'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan diff: this build has no diff stage yet\n");
	return 2;
}
