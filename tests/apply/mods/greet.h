/*
 * greet.h - the request the apply test program sends to the greeter
 * server (the server writes its answer and posts done), and the
 * functions greeter exports.
 */
#ifndef GREET_H
#define GREET_H

#include <semaphore.h>

struct greet_req {
	sem_t done;
	char answer[128];
};

struct hotrt_proc;
int greeter_version(void);
int greeter_server(struct hotrt_proc *self, void *arg);
int greeter_ticker(struct hotrt_proc *self, void *arg);
int greeter_busy(struct hotrt_proc *self, void *arg);
void *greeter_code_change(void *state, const char *vsn, const char *extra,
			  const char **error);

#endif
