/* client.c - the command-line client of the server. */
#include <stdio.h>
#include "shared.h"

int helper(int x);

static int usage(void)
{
	fputs("usage: client KEY\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	char buf[32];
	if (argc != 2)
		return usage();
	proto_encode(buf, sizeof(buf), helper(store_get(argv[1][0])));
	puts(buf);
	return 0;
}
