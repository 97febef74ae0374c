/*
 * waiter.c - threads blocked in pthread_cond_wait() on a condition that
 * nobody signals.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "kinds.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

void *waiter_main(void *arg)
{
	announce(arg);
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return NULL;
}
