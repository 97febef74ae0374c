/*
 * fuzz_term.c - libFuzzer target for the Erlang term reader (model/term.h),
 * the syntax of appups, scripts and hotplan.config.
 *
 * Beyond "no crash, no leak, no UB", it checks the reader's promises:
 *  - a failure always comes with a message and an HP_EINPUT/HP_ELIMIT code;
 *  - what term_write() prints reads back (term_consult) to an equal term,
 *    and compares equal to itself in the standard order.
 * A broken promise aborts, so libFuzzer records the input as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_term: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct errbuf err;
	struct term **terms = NULL;
	size_t n = 0;

	arena_init(&a);
	memset(&err, 0, sizeof(err));
	int rc = term_consult(&a, "fuzz.config", (const char *)data, size, &terms, &n, &err);
	if (rc) {
		if (rc != HP_EINPUT && rc != HP_ELIMIT)
			broken("unexpected status", err.msg);
		if (!err.msg[0] || strncmp(err.msg, "fuzz.config:", 12) != 0)
			broken("failure without a positioned message", err.msg);
		arena_release(&a);
		return 0;
	}

	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		term_write_dot(&sb, terms[i]);

	struct term **back = NULL;
	size_t nback = 0;
	rc = term_consult(&a, "written.config", sb.buf, sb.len, &back, &nback, &err);
	if (rc)
		broken("written terms do not read back", err.msg);
	if (nback != n)
		broken("written terms read back as a different number of terms", sb.buf);
	for (size_t i = 0; i < n; i++) {
		if (!term_equal(terms[i], back[i]))
			broken("written term reads back different", sb.buf);
		if (term_compare(terms[i], back[i]) != 0 || term_compare(terms[i], terms[i]) != 0)
			broken("term does not compare equal to itself", sb.buf);
	}
	sb_release(&sb);
	arena_release(&a);
	return 0;
}
