/*
 * cmd_translate.c - 'hotplan translate'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_translate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan translate: this build has no translate stage yet\n");
	return 2;
}
