/*
 * test_util.c - containers and helpers of model/util.h and model/fileio.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

static void test_strbuf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	assert_string_equal(sb.buf, "");
	sb_adds(&sb, "abc");
	sb_addc(&sb, '-');
	sb_addf(&sb, "%d:%s", 42, "x");
	assert_string_equal(sb.buf, "abc-42:x");
	assert_int_equal(sb.len, 8);
	for (int i = 0; i < 10000; i++)
		sb_addc(&sb, 'z');
	assert_int_equal(sb.len, 10008);
	assert_int_equal(sb.buf[sb.len], '\0');
	sb_reset(&sb);
	size_t len;
	char *p = sb_detach(&sb, &len);
	assert_int_equal(len, strlen(p));
	assert_string_equal(sb.buf, "");
	free(p);
	sb_release(&sb);
	sb_release(&sb); /* twice is a no-op */
}

static void test_arena(void **state)
{
	struct arena a;
	(void)state;
	arena_init(&a);
	char *prev = NULL;
	for (int i = 0; i < 100000; i++) {
		char *s = arena_printf(&a, "item-%d", i);
		assert_non_null(s);
		if (prev)
			assert_ptr_not_equal(prev, s);
		prev = s;
		assert_int_equal(((uintptr_t)arena_alloc(&a, 3)) % _Alignof(max_align_t), 0);
	}
	char *big = arena_zalloc(&a, 1 << 20);
	assert_int_equal(big[(1 << 20) - 1], 0);
	assert_string_equal(prev, "item-99999");
	assert_null(arena_memdup(&a, "x", 0));
	arena_release(&a);
	arena_release(&a);
}

static void test_vec(void **state)
{
	VEC(int) v = {0};
	(void)state;
	for (int i = 0; i < 1000; i++)
		VEC_PUSH(&v, i * 2);
	assert_int_equal(v.n, 1000);
	assert_int_equal(v.items[999], 1998);
	VEC_RELEASE(&v);
	assert_null(v.items);
	assert_int_equal(v.n, 0);
}

static void test_strmap(void **state)
{
	struct strmap m;
	struct arena a;
	(void)state;
	strmap_init(&m);
	arena_init(&a);
	assert_null(strmap_get(&m, "absent"));
	for (long i = 0; i < 50000; i++)
		assert_null(strmap_put(&m, arena_printf(&a, "k%ld", i), (void *)(i + 1)));
	assert_int_equal(m.n, 50000);
	for (long i = 0; i < 50000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "k%ld", i);
		assert_ptr_equal(strmap_get(&m, key), (void *)(i + 1));
	}
	assert_ptr_equal(strmap_put(&m, "k7", (void *)99), (void *)8);
	assert_ptr_equal(strmap_get(&m, "k7"), (void *)99);
	assert_int_equal(m.n, 50000);
	void *v = (void *)1;
	assert_int_equal(strmap_lookup(&m, "nope", &v), 0);
	assert_ptr_equal(v, (void *)1);
	strmap_release(&m);
	arena_release(&a);
}

static void test_hash_and_glob(void **state)
{
	char hex[17];
	uint64_t back;
	(void)state;
	uint64_t h = hp_hash_str("hotplan");
	assert_true(h == hp_hash64("hotplan", 7, 0));
	assert_true(h != hp_hash_str("hotplaN"));
	hp_hash_hex(h, hex);
	assert_int_equal(strlen(hex), 16);
	assert_int_equal(hp_hash_parse(hex, &back), 0);
	assert_true(back == h);
	assert_int_equal(hp_hash_parse("xyz", &back), -1);
	assert_int_equal(hp_hash_parse("0123456789abcdef0", &back), -1);
	assert_true(hp_glob_match("*_code_change", "sip_code_change"));
	assert_false(hp_glob_match("*_code_change", "sip_code_changes"));
	assert_true(hp_glob_match("a?c*", "abcdef"));
	assert_true(hp_glob_match("*", ""));
	assert_false(hp_glob_match("?", ""));
}

static void test_errbuf(void **state)
{
	struct errbuf err;
	(void)state;
	assert_int_equal(hp_error_at(&err, HP_EINPUT, "f.json", 3, 7, "bad '%s'", "x"), HP_EINPUT);
	assert_string_equal(err.msg, "f.json:3:7: bad 'x'");
	hp_error_at(&err, HP_EIO, "f", 0, 0, "gone");
	assert_string_equal(err.msg, "f: gone");
	assert_int_equal(hp_exit_status(HP_EINPUT), 2);
	assert_int_equal(hp_exit_status(HP_EPARSE), 3);
}

static void test_atomic_write(void **state)
{
	char dir[] = "/tmp/hotplan-test-XXXXXX";
	char path[256], *data;
	size_t len;
	struct errbuf err;
	struct fileio of;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	assert_int_equal(fileio_write(path, "first\n", 6, &err), 0);
	assert_int_equal(fileio_read(path, &data, &len, &err), 0);
	assert_string_equal(data, "first\n");
	free(data);

	/* an aborted write leaves the old contents and no temporary file */
	assert_int_equal(fileio_open(&of, path, &err), 0);
	fputs("half", of.fp);
	fileio_abort(&of);
	assert_int_equal(fileio_read(path, &data, &len, &err), 0);
	assert_string_equal(data, "first\n");
	free(data);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);

	/* missing file and directory errors name the file */
	assert_int_equal(fileio_read("/nonexistent/x", &data, &len, &err), HP_EIO);
	assert_non_null(strstr(err.msg, "'/nonexistent/x'"));
	assert_int_equal(fileio_read(dir, &data, &len, &err), HP_EIO);
	assert_non_null(strstr(err.msg, "is a directory"));
	snprintf(path, sizeof(path), "%s/missing-dir/out.txt", dir);
	assert_int_equal(fileio_write(path, "x", 1, &err), HP_EIO);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_vec),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_hash_and_glob),
		cmocka_unit_test(test_errbuf),
		cmocka_unit_test(test_atomic_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
