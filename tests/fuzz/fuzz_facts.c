/*
 * fuzz_facts.c - libFuzzer target for the facts JSON reader
 * (facts_read_json, model/facts.h).
 *
 * Checks beyond "no crash, no leak, no UB":
 *  - a failure is HP_EINPUT/HP_ELIMIT with a message naming the file;
 *  - on success the writer's promise holds: what facts_write_json() prints
 *    reads back, and writing that again gives the same bytes
 *    (write(read(write(f))) == write(f), facts.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_facts: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf err;
	struct facts *f = NULL, *back = NULL;
	memset(&err, 0, sizeof(err));
	int rc = facts_read_json("fuzz.json", (const char *)data, size, &f, &err);
	if (rc) {
		if (rc != HP_EINPUT && rc != HP_ELIMIT)
			broken("unexpected status", err.msg);
		if (strncmp(err.msg, "fuzz.json:", 10) != 0)
			broken("failure without the file name", err.msg);
		facts_free(f);
		return 0;
	}
	(void)facts_sniff((const char *)data, size);

	struct strbuf w1 = STRBUF_INIT, w2 = STRBUF_INIT;
	facts_write_json(f, &w1);
	if (facts_read_json("written.json", w1.buf, w1.len, &back, &err))
		broken("written facts do not read back", err.msg);
	facts_write_json(back, &w2);
	if (w1.len != w2.len || memcmp(w1.buf, w2.buf, w1.len) != 0)
		broken("facts written twice differ", w1.buf);
	if (!facts_sniff(w1.buf, w1.len))
		broken("written facts are not recognized as facts", w1.buf);
	sb_release(&w1);
	sb_release(&w2);
	facts_free(back);
	facts_free(f);
	return 0;
}
