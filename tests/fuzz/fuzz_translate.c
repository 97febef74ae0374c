/*
 * fuzz_translate.c - libFuzzer target for 'hotplan translate' input: the
 * term reader, translate_read_input() and translate_scripts()
 * (planner/translate.h), as cmd_translate.c chains them.
 *
 * The first byte picks the options (--mode, --from), the rest is the file.
 * Checks beyond "no crash, no leak, no UB, no hang": a refused translation
 * has a message and OTP's Reason term; a translated script is a proper
 * list that term_write() prints and the reader reads back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_translate: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const froms[] = { NULL, "1.0", "2.0", "" };
	struct arena a;
	struct errbuf err;
	struct term **terms = NULL, *script = NULL, *reason = NULL;
	struct translate_input in;
	size_t n = 0;
	int mode = -1;
	const char *from = NULL;

	if (size > 0) {
		mode = (data[0] & 3) == 3 ? -1 : (data[0] & 1) ? TR_DN : TR_UP;
		from = froms[(data[0] >> 2) & 3];
		data++;
		size--;
	}
	arena_init(&a);
	memset(&err, 0, sizeof(err));
	memset(&in, 0, sizeof(in));
	int rc = term_consult(&a, "fuzz.appup", (const char *)data, size, &terms, &n, &err);
	if (!rc)
		rc = translate_read_input(&a, "fuzz.appup", terms, n, from, mode, &in, &err);
	if (rc) {
		if (!err.msg[0])
			broken("input refused without a message", "");
		arena_release(&a);
		return 0;
	}
	rc = translate_scripts(&a, &in, &script, &reason, &err);
	if (rc) {
		if (!err.msg[0])
			broken("translation refused without a message", "");
		if (!reason)
			broken("translation refused without a Reason term", err.msg);
		arena_release(&a);
		return 0;
	}
	if (!script || script->type != TERM_LIST || script->u.seq.tail)
		broken("translation is not a proper list", "");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < script->u.seq.n; i++)
		term_write_dot(&sb, script->u.seq.items[i]);
	struct term **back;
	size_t nback;
	if (term_consult(&a, "script", sb.buf, sb.len, &back, &nback, &err) || nback != script->u.seq.n)
		broken("the written script does not read back", err.msg);
	sb_release(&sb);
	arena_release(&a);
	return 0;
}
