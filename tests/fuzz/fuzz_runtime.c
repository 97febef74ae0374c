/*
 * fuzz_runtime.c - libFuzzer target for the runtime JSON reader
 * (runtime_read_json, model/runtime.h).
 *
 * Checks beyond "no crash, no leak, no UB":
 *  - a failure is HP_EINPUT/HP_ELIMIT with a message naming the file;
 *  - what the reader accepts satisfies the invariants runtime_validate()
 *    checks (no unknown module, no supervisor cycle, ...);
 *  - the canonical writer's output reads back and writes the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_runtime: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf err;
	struct runtime *rt = NULL, *back = NULL;
	memset(&err, 0, sizeof(err));
	int rc = runtime_read_json("fuzz.json", (const char *)data, size, &rt, &err);
	if (rc) {
		if (rc != HP_EINPUT && rc != HP_ELIMIT)
			broken("unexpected status", err.msg);
		if (strncmp(err.msg, "fuzz.json:", 10) != 0)
			broken("failure without the file name", err.msg);
		return 0;
	}
	if (runtime_validate(rt, &err))
		broken("the reader accepted a runtime that does not validate", err.msg);

	struct strbuf w1 = STRBUF_INIT, w2 = STRBUF_INIT;
	runtime_write_json(rt, &w1);
	if (runtime_read_json("written.json", w1.buf, w1.len, &back, &err))
		broken("written runtime does not read back", err.msg);
	runtime_write_json(back, &w2);
	if (w1.len != w2.len || memcmp(w1.buf, w2.buf, w1.len) != 0)
		broken("runtime written twice differs", w1.buf);
	sb_release(&w1);
	sb_release(&w2);
	runtime_free(back);
	runtime_free(rt);
	return 0;
}
