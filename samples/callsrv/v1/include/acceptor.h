/* acceptor.h - TCP front end: one request line per text line. */
#ifndef ACCEPTOR_H
#define ACCEPTOR_H

#include "hotrt.h"

/* Binds 127.0.0.1:PORT (0 = any free port) and starts the acceptor process
 * under SUP. Returns the bound port, or -1 with errno set. */
int acceptor_start(struct hotrt *rt, struct hotrt_sup *sup, unsigned short port);
/* The process returns within 100 ms; the socket is closed when it does. */
void acceptor_stop(void);
int acceptor_main(struct hotrt_proc *self, void *arg);  /* process entry; ARG unused */

#endif
