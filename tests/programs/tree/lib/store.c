/* store.c - a key-value store; its flusher thread runs in the server only. */
#include <unistd.h>
#include "shared.h"

static int table[64];

int store_get(int key)
{
	return table[key & 63];
}

void store_put(int key, int value)
{
	table[key & 63] = value;
}

void *store_flusher(void *arg)
{
	char c;
	(void)arg;
	for (;;) {
		if (read(0, &c, 1) <= 0)
			break;
		table[0]++;
	}
	return 0;
}
