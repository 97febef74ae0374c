/*
 * test_procs.c - the Modules list of processes (model/procs.h): a thread
 * that dispatches through the export table is the process of its callback
 * modules; a local loop is the process of its own module only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "facts.h"
#include "procs.h"

static const char facts_json[] =
	"{\"format\": \"hotplan-facts\", \"version\": 1, \"root\": \"t\", \"modules\": [\n"
	" {\"name\": \"server\", \"files\": [\"server.c\"], \"refs\": [\n"
	"   {\"symbol\": \"sip_handle\", \"module\": \"sip\", \"kind\": \"qualified\", \"from\": \"server_main\"},\n"
	"   {\"symbol\": \"reg_handle\", \"module\": \"reg\", \"kind\": \"qualified\", \"from\": \"server_main\"},\n"
	"   {\"symbol\": \"sip_code_change\", \"module\": \"sip\", \"kind\": \"qualified\", \"from\": \"server_cc\"},\n"
	"   {\"symbol\": \"log_line\", \"module\": \"log\", \"kind\": \"call\", \"from\": \"server_main\"}],\n"
	"  \"entries\": [{\"function\": \"server_main\", \"spawner\": \"pthread_create\", \"spawn_module\": \"main\",\n"
	"                \"spawned_in\": \"main\", \"next_call\": \"qualified\", \"blocking\": null}]},\n"
	" {\"name\": \"worker\", \"files\": [\"worker.c\"], \"refs\": [\n"
	"   {\"symbol\": \"sip_handle\", \"module\": \"sip\", \"kind\": \"qualified\", \"from\": \"helper\"}],\n"
	"  \"entries\": [{\"function\": \"worker_main\", \"spawner\": \"pthread_create\", \"spawn_module\": \"main\",\n"
	"                \"spawned_in\": \"main\", \"next_call\": \"local\", \"blocking\": null}]},\n"
	" {\"name\": \"sip\", \"files\": [\"sip.c\"], \"transformer\": \"sip_code_change\"},\n"
	" {\"name\": \"reg\", \"files\": [\"reg.c\"]},\n"
	" {\"name\": \"log\", \"files\": [\"log.c\"]}\n"
	"], \"edges\": [], \"diagnostics\": []}\n";

static void test_modules_lists(void **state)
{
	struct facts *f = NULL;
	struct errbuf err;
	struct procs_index ix;
	size_t n;
	(void)state;
	if (facts_read_json("t.facts", facts_json, sizeof(facts_json) - 1, &f, &err))
		fail_msg("%s", err.msg);
	procs_index_init(&ix, f);
	assert_int_equal(ix.nprocs, 2);

	/* facts order: server before worker */
	const struct proc_ref *server = &ix.procs[0], *worker = &ix.procs[1];
	assert_string_equal(server->entry->function, "server_main");
	assert_int_equal(server->nmodules, 3);
	assert_string_equal(server->modules[0], "server");
	assert_string_equal(server->modules[1], "reg");
	assert_string_equal(server->modules[2], "sip");
	assert_int_equal(worker->nmodules, 1);
	assert_string_equal(worker->modules[0], "worker");

	const struct proc_ref *const *p = procs_of_module(&ix, "sip", &n);
	assert_int_equal(n, 1);
	assert_ptr_equal(p[0], server);
	procs_of_module(&ix, "server", &n);
	assert_int_equal(n, 1);
	procs_of_module(&ix, "worker", &n);
	assert_int_equal(n, 1);
	assert_null(procs_of_module(&ix, "log", &n));
	assert_int_equal(n, 0);
	procs_index_release(&ix);
	facts_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modules_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
