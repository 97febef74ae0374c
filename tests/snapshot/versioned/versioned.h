/*
 * versioned.h - what the runner and every version of the module share: the
 * argument of mod_serve(), the function each version NAME.VSN.so exports.
 */
#ifndef VERSIONED_H
#define VERSIONED_H

#include <stdatomic.h>

struct serve_arg {
	void *(*next)(void *);  /* another version's mod_serve to call, or NULL */
	void *next_arg;
	atomic_int *arrived;    /* counted once the thread sits in its loop */
};

void *mod_serve(void *arg);

#endif
