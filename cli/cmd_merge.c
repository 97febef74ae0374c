/*
 * cmd_merge.c - 'hotplan merge'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_merge(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan merge: this build has no merge stage yet\n");
	return 2;
}
