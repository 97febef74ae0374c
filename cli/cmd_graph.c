/*
 * cmd_graph.c - 'hotplan graph'. Placeholder until its stage lands: it refuses to
 * run rather than pretend.
 */
#include <stdio.h>
#include "cli.h"

int cmd_graph(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hotplan graph: this build has no graph stage yet\n");
	return 2;
}
