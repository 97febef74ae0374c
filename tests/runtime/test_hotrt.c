/*
 * test_hotrt.c - libhotrt on real shared objects: counter.1.so and
 * counter.2.so (mods/counter.c built twice by hotrt_add_module), caller.1.so
 * calling counter directly. What a user of the runtime sees is asserted:
 * the values the code returns, which version each process runs, who ended
 * and why, the release handler's result as Erlang text, and whether the
 * old code is still mapped (/proc/self/maps, the kernel's word).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hotrt.h"
#include "mods/testmod.h"

#ifndef HOTRT_TEST_MODDIR
#error "HOTRT_TEST_MODDIR: the folder of the test modules"
#endif

static char *mod_path(const char *name, const char *vsn)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s.%s.so", HOTRT_TEST_MODDIR, name, vsn);
	return buf;
}

static struct hotrt *new_rt(long purge_timeout_ms)
{
	struct hotrt_options o = {
		.suspend_timeout_ms = 500, .resume_attempt_ms = 100,
		.purge_timeout_ms = purge_timeout_ms,
		/* generous: a loaded machine may delay the answer (a late
		 * answer makes the process count as in every instance) */
		.sample_timeout_ms = 3000,
		.shutdown_ms = 1000,
	};
	struct hotrt *rt = NULL;
	assert_int_equal(hotrt_new(&rt, &o, NULL), 0);
	return rt;
}

static void load(struct hotrt *rt, const char *name, const char *vsn)
{
	char msg[1024];
	int rc = hotrt_load(rt, name, vsn, mod_path(name, vsn));
	if (rc)
		fail_msg("load %s %s: %s", name, vsn, hotrt_errmsg(rt, msg, sizeof(msg)));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Waits up to 5 s for *v to reach want. */
static int wait_eq(atomic_int *v, int want)
{
	for (int i = 0; i < 1000; i++) {
		if (atomic_load(v) == want)
			return 1;
		sleep_ms(5);
	}
	return 0;
}

/* Waits up to 5 s for the laps to reach want. */
static int wait_laps_to(struct tm_arg *a, int want)
{
	for (int i = 0; i < 1000; i++) {
		if (atomic_load(&a->laps) >= want)
			return 1;
		sleep_ms(5);
	}
	return 0;
}

static int wait_laps(struct tm_arg *a, int more)
{
	return wait_laps_to(a, atomic_load(&a->laps) + more);
}

static int wait_ended(struct hotrt *rt, hotrt_pid pid, struct hotrt_proc_info *info)
{
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(hotrt_proc_info(rt, pid, info), 0);
		if (info->status == HOTRT_ENDED)
			return 1;
		sleep_ms(5);
	}
	return 0;
}

/* Whether a file named name is mapped in this process now. */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int found = 0;
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

static hotrt_pid spawn(struct hotrt *rt, const char *entry, struct tm_arg *a,
		       struct hotrt_sup *sup, int sys)
{
	struct hotrt_spawn s = {
		.module = "counter", .entry = entry, .arg = a, .sys = sys, .sup = sup,
		.restart = HOTRT_PERMANENT,
	};
	hotrt_pid pid = 0;
	int laps = atomic_load(&a->laps);
	assert_int_equal(hotrt_spawn(rt, &s, &pid), 0);
	assert_true(wait_laps_to(a, laps + 1));
	return pid;
}

static void free_rt(struct hotrt *rt)
{
	assert_int_equal(hotrt_free(rt), 0);
}

/* ---- the qualified call and the remote call ------------------------------ */

static void test_lookup_follows_load(void **state)
{
	struct hotrt *rt = new_rt(1000);
	char vsn[16];
	load(rt, "counter", "1");
	int (*v)(void) = (int (*)(void))hotrt_lookup(rt, "counter", "counter_version");
	assert_non_null(v);
	assert_int_equal(v(), 1);
	load(rt, "counter", "2");
	int (*v2)(void) = (int (*)(void))hotrt_lookup(rt, "counter", "counter_version");
	assert_int_equal(v2(), 2);
	assert_int_equal(v(), 1);  /* a held pointer stays in its version */
	assert_int_equal(hotrt_version(rt, "counter", 0, vsn, sizeof(vsn)), 0);
	assert_string_equal(vsn, "2");
	assert_int_equal(hotrt_version(rt, "counter", 1, vsn, sizeof(vsn)), 0);
	assert_string_equal(vsn, "1");
	assert_null(hotrt_lookup(rt, "counter", "no_such_function"));
	assert_null(hotrt_lookup(rt, "nomodule", "counter_version"));
	free_rt(rt);
}

static void test_remote_call_rebound(void **state)
{
	struct hotrt *rt = new_rt(1000);
	load(rt, "counter", "1");
	load(rt, "caller", "1");
	int (*remote)(void) = (int (*)(void))hotrt_lookup(rt, "caller", "caller_remote");
	assert_int_equal(remote(), 1);
	load(rt, "counter", "2");
	assert_int_equal(remote(), 2);
	/* A third load purges counter.1: it is unmapped, the call goes on. */
	load(rt, "counter", "1");
	assert_int_equal(remote(), 1);
	free_rt(rt);
}

/* The remote call of a module loaded before its callee is undef until the
 * callee loads, then follows every load, and is undef again after a
 * delete: the slots of a name are rebound when its exporter changes. */
static void test_remote_call_load_order_delete(void **state)
{
	struct hotrt *rt = new_rt(1000);
	struct tm_arg a = {0};
	struct hotrt_proc_info info;
	load(rt, "caller", "1");
	struct hotrt_spawn s = { .module = "caller", .entry = "caller_loop", .arg = &a };
	hotrt_pid pid = 0;
	assert_int_equal(hotrt_spawn(rt, &s, &pid), 0);
	assert_true(wait_ended(rt, pid, &info));
	assert_string_equal(info.reason, "undef");
	assert_int_equal(atomic_load(&a.laps), 0);
	load(rt, "counter", "1");
	assert_int_equal(hotrt_spawn(rt, &s, &pid), 0);
	assert_true(wait_laps_to(&a, 1));
	assert_int_equal(atomic_load(&a.version), 1);
	load(rt, "counter", "2");
	assert_true(wait_eq(&a.version, 2));
	assert_int_equal(hotrt_purge(rt, "counter", NULL), 0);
	assert_int_equal(hotrt_delete(rt, "counter"), 1);
	assert_true(wait_ended(rt, pid, &info));
	assert_string_equal(info.reason, "undef");
	free_rt(rt);
}

static void test_load_errors(void **state)
{
	struct hotrt *rt = new_rt(1000);
	char msg[1024];
	assert_int_equal(hotrt_load(rt, "counter", "9", "/nonexistent/counter.9.so"), HOTRT_ELOAD);
	hotrt_errmsg(rt, msg, sizeof(msg));
	assert_non_null(strstr(msg, "cannot load '/nonexistent/counter.9.so'"));
	assert_int_equal(hotrt_soft_purge(rt, "counter"), 1);
	assert_int_equal(hotrt_delete(rt, "counter"), 0);  /* never loaded */
	free_rt(rt);
}

/* ---- processes and purges -------------------------------------------------- */

static void test_local_loop_killed_by_purge(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	struct hotrt_proc_info info;
	load(rt, "counter", "1");
	hotrt_pid pid = spawn(rt, "counter_local_loop", &a, NULL, 0);
	load(rt, "counter", "2");
	assert_true(wait_laps(&a, 3));
	assert_int_equal(atomic_load(&a.version), 1);       /* it lingers */
	assert_int_equal(hotrt_proc_in(rt, pid, "counter", 1), 1);
	assert_int_equal(hotrt_proc_in(rt, pid, "counter", 0), 0);
	assert_int_equal(hotrt_soft_purge(rt, "counter"), 0);
	assert_true(mapped("counter.1.so"));
	int killed = 0;
	assert_int_equal(hotrt_purge(rt, "counter", &killed), 0);
	assert_int_equal(killed, 1);
	assert_true(wait_ended(rt, pid, &info));
	assert_string_equal(info.reason, "killed");
	assert_false(mapped("counter.1.so"));
	assert_true(mapped("counter.2.so"));
	/* Nothing old left: purge again kills nobody. */
	assert_int_equal(hotrt_purge(rt, "counter", &killed), 0);
	assert_int_equal(killed, 0);
	free_rt(rt);
}

static void test_qualified_loop_moves(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	struct hotrt_proc_info info;
	load(rt, "counter", "1");
	hotrt_pid pid = spawn(rt, "counter_qual_loop", &a, NULL, 0);
	assert_int_equal(atomic_load(&a.version), 1);
	load(rt, "counter", "2");
	assert_true(wait_eq(&a.version, 2));
	assert_true(wait_laps(&a, 2));
	assert_int_equal(hotrt_proc_in(rt, pid, "counter", 1), 0);
	assert_int_equal(hotrt_soft_purge(rt, "counter"), 1);
	assert_false(mapped("counter.1.so"));
	assert_int_equal(hotrt_proc_info(rt, pid, &info), 0);
	assert_int_equal(info.status, HOTRT_ALIVE);
	free_rt(rt);
}

static void test_remote_caller_not_in_old(void **state)
{
	/* caller's loop calls counter directly: after the load it reaches v2
	 * and no frame of it stays in counter.1, so the soft purge succeeds. */
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	load(rt, "counter", "1");
	load(rt, "caller", "1");
	struct hotrt_spawn s = { .module = "caller", .entry = "caller_loop", .arg = &a };
	hotrt_pid pid;
	assert_int_equal(hotrt_spawn(rt, &s, &pid), 0);
	assert_true(wait_eq(&a.version, 1));
	load(rt, "counter", "2");
	assert_true(wait_eq(&a.version, 2));
	assert_int_equal(hotrt_soft_purge(rt, "counter"), 1);
	assert_int_equal(hotrt_proc_in(rt, pid, "caller", 0), 1);
	free_rt(rt);
}

static void test_purge_hang_keeps_code(void **state)
{
	struct hotrt *rt = new_rt(300);
	struct tm_arg a = {0};
	struct hotrt_proc_info info;
	char msg[1024];
	load(rt, "counter", "1");
	int (*v1)(void) = (int (*)(void))hotrt_lookup(rt, "counter", "counter_version");
	hotrt_pid pid = spawn(rt, "counter_busy", &a, NULL, 0);
	load(rt, "counter", "2");
	int killed = 0;
	assert_int_equal(hotrt_purge(rt, "counter", &killed), HOTRT_EHANG);
	hotrt_errmsg(rt, msg, sizeof(msg));
	assert_non_null(strstr(msg, "purge of 'counter' hangs: 'counter:counter_busy' did not end"));
	assert_true(mapped("counter.1.so"));
	assert_int_equal(v1(), 1);                 /* still callable */
	char vsn[16];
	assert_int_equal(hotrt_version(rt, "counter", 1, vsn, sizeof(vsn)), 0);
	assert_string_equal(vsn, "1");
	assert_int_equal(hotrt_proc_info(rt, pid, &info), 0);
	assert_int_equal(info.status, HOTRT_ALIVE);
	atomic_store(&a.stop, 1);
	assert_true(wait_ended(rt, pid, &info));
	assert_int_equal(hotrt_purge(rt, "counter", &killed), 0);
	assert_false(mapped("counter.1.so"));
	free_rt(rt);
}

/* ---- supervisors -------------------------------------------------------------- */

static void test_supervisor_restarts_in_current(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	struct hotrt_proc_info info;
	load(rt, "counter", "1");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "sup", 1, 60000);
	hotrt_pid pid = spawn(rt, "counter_local_loop", &a, sup, 0);
	load(rt, "counter", "2");
	int killed = 0;
	assert_int_equal(hotrt_purge(rt, "counter", &killed), 0);
	assert_int_equal(killed, 1);
	assert_true(wait_ended(rt, pid, &info));
	assert_string_equal(info.reason, "killed");
	assert_true(wait_eq(&a.version, 2));        /* restarted in the current version */
	hotrt_pid pid2 = hotrt_sup_child(rt, sup, "counter:counter_local_loop");
	assert_true(pid2 > pid);
	assert_int_equal(hotrt_proc_in(rt, pid2, "counter", 0), 1);
	/* A second death within the period is past intensity 1. */
	assert_int_equal(hotrt_kill(rt, pid2), 0);
	for (int i = 0; i < 1000 && hotrt_sup_alive(rt, sup); i++)
		sleep_ms(5);
	assert_false(hotrt_sup_alive(rt, sup));
	assert_int_equal(hotrt_sup_child(rt, sup, "counter:counter_local_loop"), 0);
	int restarted = 0, down = 0;
	for (size_t i = 0; i < hotrt_event_count(rt); i++) {
		struct hotrt_event e;
		hotrt_event_get(rt, i, &e);
		restarted += e.kind == HOTRT_EV_RESTARTED;
		down += e.kind == HOTRT_EV_SUP_DOWN;
	}
	assert_int_equal(restarted, 1);
	assert_int_equal(down, 1);
	free_rt(rt);
}

/* ---- the release handler ---------------------------------------------------- */

static char *write_script(const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "/tmp/hotrt-test-%d.script", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Installs script text; returns the result text (freed by the caller). */
static char *install(struct hotrt *rt, const char *text, int want_kind)
{
	struct hotrt_libdir libs[] = { { "app", "2", HOTRT_TEST_MODDIR } };
	char *res = NULL;
	char *path = write_script(text);
	int kind = hotrt_install(rt, path, libs, 1, &res);
	unlink(path);
	assert_int_equal(kind, want_kind);
	return res;
}

static void expect_install(struct hotrt *rt, const char *text, int want_kind, const char *want)
{
	char *res = install(rt, text, want_kind);
	assert_string_equal(res, want);
	free(res);
}

#define UPGRADE_SYS \
	"{load_object_code,{app,\"2\",[counter]}}.\n" \
	"point_of_no_return.\n" \
	"{suspend,[counter]}.\n" \
	"{load,{counter,brutal_purge,brutal_purge}}.\n" \
	"{code_change,up,[{counter,%s}]}.\n" \
	"{resume,[counter]}.\n"

static void test_suspend_code_change_resume(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	load(rt, "counter", "1");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "sup", 1, 5000);
	hotrt_pid pid = spawn(rt, "counter_server", &a, sup, 1);
	assert_int_equal(atomic_load(&a.state), 7);
	char script[1024];
	snprintf(script, sizeof(script), UPGRADE_SYS, "[]");
	expect_install(rt, script, HOTRT_RES_OK, "{ok,[]}");
	assert_true(wait_eq(&a.version, 2));
	assert_true(wait_laps(&a, 1));          /* a whole lap in v2 */
	assert_int_equal(atomic_load(&a.state), 701);   /* 7 * 100 + (Vsn == "1") */
	assert_int_equal(hotrt_sup_child(rt, sup, "counter:counter_server"), pid);
	/* suspended, code-changed and resumed, each at its instruction */
	const int want[][2] = { { HOTRT_EV_SUSPENDED, 2 }, { HOTRT_EV_CODE_CHANGE, 4 },
				{ HOTRT_EV_RESUMED, 5 } };
	size_t k = 0;
	for (size_t i = 0; i < hotrt_event_count(rt); i++) {
		struct hotrt_event e;
		hotrt_event_get(rt, i, &e);
		if (e.kind != HOTRT_EV_SUSPENDED && e.kind != HOTRT_EV_CODE_CHANGE &&
		    e.kind != HOTRT_EV_RESUMED)
			continue;
		assert_true(k < 3);
		assert_int_equal(e.kind, want[k][0]);
		assert_int_equal(e.instr, want[k][1]);
		assert_int_equal(e.pid, pid);
		k++;
	}
	assert_int_equal(k, 3);
	/* The old code was not in use while suspended: soft-purged at once. */
	assert_false(mapped("counter.1.so"));
	free_rt(rt);
}

static void test_code_change_failure_after_ponr(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	load(rt, "counter", "1");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "sup", 1, 5000);
	spawn(rt, "counter_server", &a, sup, 1);
	char script[1024];
	snprintf(script, sizeof(script), UPGRADE_SYS, "fail");
	expect_install(rt, script, HOTRT_RES_EXIT,
		       "{'EXIT',{code_change_failed,'counter:counter_server',counter,\"1\",{error,refused}}}");
	free_rt(rt);
}

static int count_events(struct hotrt *rt, enum hotrt_event_kind kind, const char *name)
{
	int n = 0;
	for (size_t i = 0; i < hotrt_event_count(rt); i++) {
		struct hotrt_event e;
		hotrt_event_get(rt, i, &e);
		n += e.kind == kind && (!name || !strcmp(e.name, name));
	}
	return n;
}

static hotrt_pid spawn_id(struct hotrt *rt, const char *entry, struct tm_arg *a,
			  struct hotrt_sup *sup, int sys, const char *id)
{
	struct hotrt_spawn s = {
		.module = "counter", .entry = entry, .arg = a, .sys = sys, .sup = sup,
		.id = id, .name = id, .restart = HOTRT_PERMANENT,
	};
	hotrt_pid pid = 0;
	int laps = atomic_load(&a->laps);
	assert_int_equal(hotrt_spawn(rt, &s, &pid), 0);
	assert_true(wait_laps_to(a, laps + 1));
	return pid;
}

/*
 * code_change runs one process at a time and stops at the first failure:
 * of three servers the first is changed, the second refuses (state 13), the
 * third is never asked. The failure leaves them suspended; a second script
 * suspends (they answer at once) and resumes them, and each shows the state
 * it kept.
 */
static void test_code_change_stops_at_failure(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0}, b = {0}, c = {0};
	atomic_store(&b.init, 13);
	load(rt, "counter", "1");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "sup", 1, 5000);
	spawn_id(rt, "counter_server", &a, sup, 1, "a");
	spawn_id(rt, "counter_server", &b, sup, 1, "b");
	spawn_id(rt, "counter_server", &c, sup, 1, "c");
	char script[1024];
	snprintf(script, sizeof(script), UPGRADE_SYS, "[]");
	expect_install(rt, script, HOTRT_RES_EXIT,
		       "{'EXIT',{code_change_failed,b,counter,\"1\",{error,refused}}}");
	assert_int_equal(count_events(rt, HOTRT_EV_CODE_CHANGE, NULL), 1);
	assert_int_equal(count_events(rt, HOTRT_EV_CODE_CHANGE, "a"), 1);
	expect_install(rt, "point_of_no_return.\n{suspend,[counter]}.\n{resume,[counter]}.\n",
		       HOTRT_RES_OK, "{ok,[]}");
	assert_true(wait_laps(&a, 1) && wait_laps(&b, 1) && wait_laps(&c, 1));
	assert_int_equal(atomic_load(&a.state), 701);
	assert_int_equal(atomic_load(&b.state), 13);
	assert_int_equal(atomic_load(&c.state), 7);
	free_rt(rt);
}

#define UPGRADE_PLAIN(pre, post) \
	"{load_object_code,{app,\"2\",[counter]}}.\n" \
	"point_of_no_return.\n" \
	"{load,{counter," pre "," post "}}.\n"

static void test_unpurged_precheck_permanent(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	struct hotrt_proc_info info;
	load(rt, "counter", "1");
	hotrt_pid pid = spawn(rt, "counter_local_loop", &a, NULL, 0);
	/* The local loop lingers in v1: the soft purge after the load fails. */
	expect_install(rt, UPGRADE_PLAIN("soft_purge", "brutal_purge"), HOTRT_RES_OK,
		       "{ok,[{counter,brutal_purge}]}");
	char *u = hotrt_unpurged(rt);
	assert_string_equal(u, "[{counter,brutal_purge}]");
	free(u);
	/* A second upgrade with PrePurge soft_purge is refused before anything runs. */
	expect_install(rt, UPGRADE_PLAIN("soft_purge", "soft_purge"), HOTRT_RES_ERROR,
		       "{error,{old_processes,counter}}");
	assert_int_equal(hotrt_proc_info(rt, pid, &info), 0);
	assert_int_equal(info.status, HOTRT_ALIVE);
	assert_true(mapped("counter.1.so"));
	/* make_permanent purges brutal_purge entries: the loop dies. */
	assert_int_equal(hotrt_make_permanent(rt), 0);
	assert_true(wait_ended(rt, pid, &info));
	assert_string_equal(info.reason, "killed");
	assert_false(mapped("counter.1.so"));
	u = hotrt_unpurged(rt);
	assert_string_equal(u, "[]");
	free(u);
	free_rt(rt);
}

/*
 * top (intensity 1) supervises mid (intensity 0), which supervises a sys
 * server and a local loop. An upgrade suspends and code-changes the server
 * under the nested supervisor; the loop, left in v1, then dies: mid is past
 * its intensity, shuts the server down and is a failed child of top, which
 * starts mid again with both children in v2. A second death takes mid down
 * again, which is top's second restart: top goes down too.
 */
static void test_nested_supervisors(void **state)
{
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0}, b = {0};
	struct hotrt_proc_info info;
	load(rt, "counter", "1");
	struct hotrt_sup *top = hotrt_sup_new(rt, "top", 1, 60000);
	struct hotrt_sup *mid = hotrt_sup_new_child(rt, top, "mid", 0, 60000, HOTRT_PERMANENT);
	hotrt_pid srv = spawn_id(rt, "counter_server", &a, mid, 1, "srv");
	hotrt_pid loop = spawn_id(rt, "counter_local_loop", &b, mid, 0, "loop");
	char script[1024];
	snprintf(script, sizeof(script), UPGRADE_SYS, "[]");
	expect_install(rt, script, HOTRT_RES_OK, "{ok,[{counter,brutal_purge}]}");
	assert_true(wait_eq(&a.version, 2));
	assert_true(wait_laps(&a, 1));
	assert_int_equal(atomic_load(&a.state), 701);  /* code-changed under mid */
	assert_int_equal(count_events(rt, HOTRT_EV_SUSPENDED, "srv"), 1);
	assert_int_equal(atomic_load(&b.version), 1);

	assert_int_equal(hotrt_kill(rt, loop), 0);
	assert_true(wait_eq(&b.version, 2));           /* restarted in v2 by mid's restart */
	assert_true(wait_ended(rt, srv, &info));
	assert_string_equal(info.reason, "shutdown");
	hotrt_pid srv2 = hotrt_sup_child(rt, mid, "srv"), loop2 = hotrt_sup_child(rt, mid, "loop");
	assert_true(srv2 > loop && loop2 > loop);
	assert_true(wait_laps(&a, 1));
	assert_int_equal(atomic_load(&a.state), 7);    /* a fresh start, not resumed */
	assert_int_equal(hotrt_proc_in(rt, srv2, "counter", 0), 1);
	assert_int_equal(hotrt_proc_in(rt, loop2, "counter", 0), 1);
	assert_true(hotrt_sup_alive(rt, mid));
	assert_true(hotrt_sup_alive(rt, top));
	assert_int_equal(count_events(rt, HOTRT_EV_SUP_DOWN, "mid"), 1);
	assert_int_equal(count_events(rt, HOTRT_EV_SUP_RESTARTED, "mid"), 1);

	assert_int_equal(hotrt_kill(rt, loop2), 0);
	for (int i = 0; i < 1000 && hotrt_sup_alive(rt, top); i++)
		sleep_ms(5);
	assert_false(hotrt_sup_alive(rt, top));
	assert_false(hotrt_sup_alive(rt, mid));
	assert_true(wait_ended(rt, srv2, &info));
	assert_string_equal(info.reason, "shutdown");
	assert_int_equal(hotrt_sup_child(rt, mid, "srv"), 0);
	assert_int_equal(count_events(rt, HOTRT_EV_SUP_DOWN, "mid"), 2);
	assert_int_equal(count_events(rt, HOTRT_EV_SUP_DOWN, "top"), 1);
	assert_int_equal(count_events(rt, HOTRT_EV_SUP_RESTARTED, NULL), 1);
	free_rt(rt);
}

/*
 * install_release's timer: a soft_purge PostPurge entry stays listed while
 * a process runs the old code (a soft purge never kills), and the timer
 * drops it once nobody does.
 */
static void test_unpurged_timer(void **state)
{
	struct hotrt_options o = {
		.suspend_timeout_ms = 500, .resume_attempt_ms = 100, .purge_timeout_ms = 2000,
		.sample_timeout_ms = 3000, .shutdown_ms = 1000, .soft_purge_interval_ms = 200,
	};
	struct hotrt *rt = NULL;
	struct hotrt_proc_info info;
	assert_int_equal(hotrt_new(&rt, &o, NULL), 0);
	struct tm_arg a = {0};
	load(rt, "counter", "1");
	hotrt_pid pid = spawn(rt, "counter_local_loop", &a, NULL, 0);
	expect_install(rt, UPGRADE_PLAIN("brutal_purge", "soft_purge"), HOTRT_RES_OK,
		       "{ok,[{counter,soft_purge}]}");
	sleep_ms(700);                                  /* three ticks */
	char *u = hotrt_unpurged(rt);
	assert_string_equal(u, "[{counter,soft_purge}]");
	free(u);
	assert_int_equal(hotrt_proc_info(rt, pid, &info), 0);
	assert_int_equal(info.status, HOTRT_ALIVE);
	assert_true(mapped("counter.1.so"));
	assert_int_equal(hotrt_kill(rt, pid), 0);
	for (int i = 0; i < 400; i++) {
		u = hotrt_unpurged(rt);
		int empty = !strcmp(u, "[]");
		free(u);
		if (empty)
			break;
		sleep_ms(5);
	}
	u = hotrt_unpurged(rt);
	assert_string_equal(u, "[]");
	free(u);
	assert_false(mapped("counter.1.so"));
	assert_int_equal(count_events(rt, HOTRT_EV_PURGED, "counter"), 1);
	free_rt(rt);
}

static void test_script_errors(void **state)
{
	struct hotrt *rt = new_rt(1000);
	load(rt, "counter", "1");
	expect_install(rt, "{apply,{erlang,error,[boom]}}.\npoint_of_no_return.\n",
		       HOTRT_RES_ERROR, "{error,{'EXIT',{boom,'_'}}}");
	expect_install(rt, "point_of_no_return.\n{apply,{erlang,exit,[x]}}.\n",
		       HOTRT_RES_EXIT, "{'EXIT',{'EXIT',x}}");
	expect_install(rt, "{apply,{erlang,throw,[{error,mine}]}}.\n",
		       HOTRT_RES_ERROR, "{error,mine}");
	expect_install(rt, "{load_object_code,{app,\"3\",[counter]}}.\n",
		       HOTRT_RES_ERROR, "{error,{bad_lib_vsn,app,\"2\"}}");
	expect_install(rt, "{load_object_code,{app,\"2\",[nosuch]}}.\n", HOTRT_RES_ERROR,
		       "{error,{no_such_file,\"" HOTRT_TEST_MODDIR "/nosuch.2.so\"}}");
	expect_install(rt, "point_of_no_return.\n{load_object_code,{app,\"2\",[counter]}}.\n",
		       HOTRT_RES_ERROR,
		       "{error,{illegal_instruction_after_point_of_no_return,"
		       "{load_object_code,{app,\"2\",[counter]}}}}");
	expect_install(rt, "point_of_no_return.\n{load,{counter,brutal_purge,brutal_purge}}.\n",
		       HOTRT_RES_EXIT, "{'EXIT',{'EXIT',{{badmatch,false},'_'}}}");
	expect_install(rt, "point_of_no_return.\nrestart_emulator.\n",
		       HOTRT_RES_RESTART_EMULATOR, "restart_emulator");
	/* Nothing of those loaded anything. */
	char vsn[16];
	assert_int_equal(hotrt_version(rt, "counter", 0, vsn, sizeof(vsn)), 0);
	assert_string_equal(vsn, "1");
	assert_int_equal(hotrt_version(rt, "counter", 1, vsn, sizeof(vsn)), HOTRT_ENOENT);
	/* A malformed script: file:line:column, no result. */
	char *res = NULL, msg[1024];
	char *path = write_script("point_of_no_return.\n{load,{counter}}.\n");
	assert_int_equal(hotrt_install(rt, path, NULL, 0, &res), HOTRT_EINVAL);
	hotrt_errmsg(rt, msg, sizeof(msg));
	unlink(path);
	assert_null(res);
	char want[512];
	snprintf(want, sizeof(want), "%s:2:1:", path);
	assert_non_null(strstr(msg, want));
	free_rt(rt);
}

static void test_suspend_drops_non_sys(void **state)
{
	/* A supervised process that does not answer system messages is
	 * dropped after the timeout, keeps running, and lingers in v1. */
	struct hotrt *rt = new_rt(2000);
	struct tm_arg a = {0};
	load(rt, "counter", "1");
	struct hotrt_sup *sup = hotrt_sup_new(rt, "sup", 1, 5000);
	hotrt_pid pid = spawn(rt, "counter_local_loop", &a, sup, 0);
	char script[1024];
	snprintf(script, sizeof(script), UPGRADE_SYS, "[]");
	expect_install(rt, script, HOTRT_RES_OK, "{ok,[{counter,brutal_purge}]}");
	int dropped = 0;
	for (size_t i = 0; i < hotrt_event_count(rt); i++) {
		struct hotrt_event e;
		hotrt_event_get(rt, i, &e);
		dropped += e.kind == HOTRT_EV_DROPPED && e.pid == pid && e.instr == 2;
	}
	assert_int_equal(dropped, 1);
	assert_int_equal(hotrt_proc_in(rt, pid, "counter", 1), 1);
	free_rt(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_follows_load),
		cmocka_unit_test(test_remote_call_rebound),
		cmocka_unit_test(test_remote_call_load_order_delete),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_local_loop_killed_by_purge),
		cmocka_unit_test(test_qualified_loop_moves),
		cmocka_unit_test(test_remote_caller_not_in_old),
		cmocka_unit_test(test_purge_hang_keeps_code),
		cmocka_unit_test(test_supervisor_restarts_in_current),
		cmocka_unit_test(test_suspend_code_change_resume),
		cmocka_unit_test(test_code_change_failure_after_ponr),
		cmocka_unit_test(test_code_change_stops_at_failure),
		cmocka_unit_test(test_unpurged_precheck_permanent),
		cmocka_unit_test(test_script_errors),
		cmocka_unit_test(test_suspend_drops_non_sys),
		cmocka_unit_test(test_nested_supervisors),
		cmocka_unit_test(test_unpurged_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
