/*
 * reader.c - threads blocked in read() on a pipe that nobody writes.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "kinds.h"

static int pipe_fds[2];

void reader_init(void)
{
	if (pipe(pipe_fds) != 0)
		_exit(1);
}

void *reader_main(void *arg)
{
	char c;
	announce(arg);
	while (read(pipe_fds[0], &c, 1) > 0)
		;
	return NULL;
}
