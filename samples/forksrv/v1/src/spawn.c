/* spawn.c - spawn_worker(): fork, and run a function in the child. The
 * child calls it through a pointer, so only hotplan.config's
 * {spawn, [{spawn_worker, 2}]} tells hotplan where the child runs. */
#include <unistd.h>

#include "forksrv.h"

pid_t spawn_worker(int arg, void (*fn)(int))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}
