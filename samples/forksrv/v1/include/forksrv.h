/* forksrv.h - the modules of forksrv: a master that forks workers, each of
 * which answers text lines on the master's listening socket. */
#ifndef FORKSRV_H
#define FORKSRV_H

#include <stddef.h>
#include <sys/types.h>

/* worker.c: accepts connections on lfd and answers them, until SIGTERM. */
void worker_main(int lfd);

/* proto.c: the reply to one request line, in out (NUL-terminated). */
size_t proto_reply(const char *line, char *out, size_t n);

/* spawn.c: forks a child that runs fn(arg) and exits; the child's pid, or
 * -1. The master's own way to start a process, as nginx has its own. */
pid_t spawn_worker(int arg, void (*fn)(int));

#endif
