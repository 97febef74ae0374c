/* proto.c - the request lines a worker answers: PING, ECHO text, PID. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "forksrv.h"

size_t proto_reply(const char *line, char *out, size_t n)
{
	int len;
	if (!strcmp(line, "PING"))
		len = snprintf(out, n, "PONG");
	else if (!strncmp(line, "ECHO ", 5))
		len = snprintf(out, n, "%s", line + 5);
	else if (!strcmp(line, "PID"))
		len = snprintf(out, n, "%ld", (long)getpid());
	else
		len = snprintf(out, n, "ERR unknown request");
	return len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1;
}
