/*
 * fuzz_compdb.c - libFuzzer target for the analyzer's compilation database
 * handling (units_load, analyzer/analyzer_int.h): hotplan's own check of the
 * JSON with positions, libclang's reading of the same file, and the
 * rewriting of each compile command into libclang arguments and a flags
 * hash. Nothing is parsed as C: that is libclang's job, not a reader's.
 *
 * Each input is written as compile_commands.json into a scratch folder that
 * also holds a.c, b.c and sub/c.c, so commands can name files that exist
 * (and files that do not). The folder is made once per process, becomes the
 * working directory (so "directory": "." in a seed means it), is kept in a
 * static (a fuzz target has no context to hang it on), and is removed at
 * exit.
 *
 * Checks beyond "no crash, no leak, no UB": a failure has a message; a
 * success yields at least one unit, each with a path, a relative path, a
 * module name and an argument vector without NULL entries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer_int.h"
#include "fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_compdb: %s: %s\n", what, detail);
	abort();
}

static void put(const char *rel, const char *text)
{
	struct errbuf err;
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	if (fileio_write(path, text, strlen(text), &err))
		broken("cannot set up the scratch folder", err.msg);
}

static void cleanup(void)
{
	static const char *const files[] = { "compile_commands.json", "a.c", "b.c", "sub/c.c", "sub" };
	char path[128];
	if (chdir("/") != 0)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, files[i]);
		remove(path);
	}
	rmdir(scratch);
}

static void setup(void)
{
	char sub[96];
	snprintf(scratch, sizeof(scratch), "/tmp/hotplan-fuzz-compdb-%ld", (long)getpid());
	snprintf(sub, sizeof(sub), "%s/sub", scratch);
	if ((mkdir(scratch, 0755) && access(scratch, W_OK)) || (mkdir(sub, 0755) && access(sub, W_OK)))
		broken("cannot create the scratch folder", scratch);
	put("a.c", "int a(void) { return 1; }\n");
	put("b.c", "int b(void) { return 2; }\n");
	put("sub/c.c", "int c(void) { return 3; }\n");
	if (chdir(scratch) != 0)
		broken("cannot enter the scratch folder", scratch);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit_list ul;
	struct errbuf err;
	char db[128];

	if (!scratch[0])
		setup();
	snprintf(db, sizeof(db), "%s/compile_commands.json", scratch);
	if (fileio_write(db, data, size, &err))
		broken("cannot write the database", err.msg);
	memset(&err, 0, sizeof(err));
	int rc = units_load(&ul, scratch, NULL, &err);
	if (rc) {
		if (!err.msg[0])
			broken("failure without a message", "");
		return 0;
	}
	if (ul.n == 0)
		broken("success without units", scratch);
	for (size_t i = 0; i < ul.n; i++) {
		const struct unit *u = &ul.units[i];
		if (!u->path || !u->rel || !u->module || !u->args)
			broken("a unit lacks a field", u->path ? u->path : "(no path)");
		for (size_t k = 0; k < u->nargs; k++)
			if (!u->args[k])
				broken("a NULL argument", u->path);
	}
	units_release(&ul);
	return 0;
}
