/* hello.c - a module of the consumer project, in versions 1 and 2. */
#include <hotrt.h>

int hello_version(void);
int hello_main(struct hotrt_proc *self, void *arg);

int hello_version(void)
{
	return HELLO_VSN;
}

/* A qualified loop: reports its version, then enters the current one. */
int hello_main(struct hotrt_proc *self, void *arg)
{
	*(volatile int *)arg = hello_version();
	void *msg;
	if (hotrt_receive(self, 2, &msg) == HOTRT_MESSAGE)
		return HOTRT_NORMAL;
	return HOTRT_CONTINUE;
}
