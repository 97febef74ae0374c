/* server.h - the framework: one process dispatching to callback modules. */
#ifndef SERVER_H
#define SERVER_H

#include "hotrt.h"

/* The server process's entry (hotrt_spawn, sys = 1); ARG is unused. It
 * waits in hotrt_receive() for requests, so it answers suspend, code change
 * and resume between two of them, and returns after server_stop() once no
 * request came for 100 ms. */
int server_main(struct hotrt_proc *self, void *arg);

/* Sends one request line (copied) to the server process. The reply line
 * goes to REPLY_FD (duplicated here; -1: none). Returns 0, or -1 when the
 * server is not running. */
int server_post(const char *line, int reply_fd);

void server_stop(void);

unsigned long server_handled(void);       /* requests answered */
unsigned long server_status_count(int status_class); /* 2, 4 or 5 */

#endif
