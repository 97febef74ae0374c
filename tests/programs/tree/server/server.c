/* server.c - the server: an acceptor thread and the store's flusher. */
#include <pthread.h>
#include <sys/socket.h>
#include "shared.h"

int helper(int x);

static void *acceptor(void *arg)
{
	int fd = *(int *)arg;
	for (;;) {
		int c = accept(fd, 0, 0);
		if (c < 0)
			break;
		char buf[32];
		store_put(c, proto_encode(buf, sizeof(buf), helper(c)));
	}
	return 0;
}

int main(void)
{
	pthread_t a, f;
	int fd = 3;
	pthread_create(&a, 0, acceptor, &fd);
	pthread_create(&f, 0, store_flusher, 0);
	pthread_join(a, 0);
	return 0;
}
