/* acceptor.h - TCP front end: one request line per text line. */
#ifndef ACCEPTOR_H
#define ACCEPTOR_H

#include <pthread.h>
#include <stdatomic.h>

struct acceptor {
    int lfd;                /* listening socket */
    unsigned short port;    /* bound port (useful when 0 was asked) */
    atomic_int stop;
    pthread_t tid;
};

/* Binds 127.0.0.1:PORT (0 = any free port) and starts the acceptor thread.
 * Returns 0, or -1 with errno set. */
int acceptor_start(struct acceptor *a, unsigned short port);
void acceptor_stop(struct acceptor *a);
void *acceptor_main(void *arg);  /* thread entry point; ARG is the acceptor */

#endif
