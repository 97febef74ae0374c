/*
 * main.c - the consumer program: loads hello 1, starts a process in it,
 * upgrades to hello 2 with hotrt_load, and checks that the lookup and the
 * process both reach version 2. Prints what it saw; exit 0 if all agree.
 */
#include <stdio.h>
#include <time.h>
#include <hotrt.h>

int main(void)
{
	struct hotrt *rt;
	char msg[512];
	volatile int seen = 0;
	if (hotrt_new(&rt, NULL, NULL))
		return 1;
	if (hotrt_load(rt, "hello", "1", MODDIR "/hello.1.so")) {
		fprintf(stderr, "%s\n", hotrt_errmsg(rt, msg, sizeof(msg)));
		return 1;
	}
	struct hotrt_spawn s = { .module = "hello", .entry = "hello_main", .arg = (void *)&seen };
	hotrt_pid pid;
	if (hotrt_spawn(rt, &s, &pid) || hotrt_load(rt, "hello", "2", MODDIR "/hello.2.so"))
		return 1;
	int (*v)(void) = (int (*)(void))hotrt_lookup(rt, "hello", "hello_version");
	for (int i = 0; i < 2000 && seen != 2; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	int lookup = v ? v() : -1;
	printf("lookup: %d, process: %d\n", lookup, seen);
	hotrt_send(rt, pid, msg);
	return hotrt_free(rt) || lookup != 2 || seen != 2;
}
