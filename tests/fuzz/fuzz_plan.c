/*
 * fuzz_plan.c - libFuzzer target for what 'hotplan diff' and 'hotplan plan'
 * do with two facts that read: diff_compute(), plan_build() (classify,
 * order, translate both ways, findings) and every writer.
 *
 * The input is the OLD facts JSON, optionally followed by a line "%%new"
 * and the NEW facts JSON; without one, NEW is OLD. Inputs whose facts do
 * not read are dropped (fuzz_facts covers the reader).
 *
 * Checks beyond "no crash, no leak, no UB, no hang": plan_build() either
 * succeeds or says why; the Erlang scripts and appup it writes read back
 * with the term reader (what 'hotplan simulate' and file:consult/1 do), and
 * its JSON and the diff's JSON are valid JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "facts.h"
#include "json.h"
#include "plan.h"
#include "term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_plan: %s: %s\n", what, detail);
	abort();
}

static void check_json(const struct strbuf *sb, const char *what)
{
	struct json_doc doc;
	struct errbuf err;
	if (json_doc_parse(&doc, what, sb->buf, sb->len, &err))
		broken("a JSON output is not JSON", err.msg);
	json_doc_release(&doc);
}

static void check_terms(const struct strbuf *sb, const char *what)
{
	struct arena a;
	struct errbuf err;
	struct term **terms;
	size_t n;
	arena_init(&a);
	if (term_consult(&a, what, sb->buf, sb->len, &terms, &n, &err))
		broken("an Erlang output does not read back", err.msg);
	arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%new\n";
	const char *text = (const char *)data;
	size_t old_len = size;
	const char *new_text = NULL;
	size_t new_len = 0;
	struct facts *old = NULL, *new = NULL;
	struct errbuf err;

	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (!memcmp(text + i, sep, sizeof(sep) - 1)) {
			old_len = i;
			new_text = text + i + sizeof(sep) - 1;
			new_len = size - i - (sizeof(sep) - 1);
			break;
		}
	}
	if (facts_read_json("old.json", text, old_len, &old, &err))
		return 0;
	if (new_text && facts_read_json("new.json", new_text, new_len, &new, &err)) {
		facts_free(old);
		return 0;
	}

	const struct facts *nf = new ? new : old;
	struct strbuf out = STRBUF_INIT;
	struct diff d;
	diff_compute(&d, old, nf);
	diff_write_text(&d, &out);
	sb_reset(&out);
	diff_write_json(&d, &out);
	check_json(&out, "diff.json");
	diff_release(&d);

	struct plan_options opt;
	struct plan p;
	plan_options_init(&opt);
	if (plan_build(&p, old, nf, &opt, &err) == 0) {
		static const enum plan_erlang_what whats[] = { PLAN_OUT_UP, PLAN_OUT_DOWN, PLAN_OUT_APPUP };
		for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++) {
			sb_reset(&out);
			plan_write_erlang(&p, whats[i], &out);
			check_terms(&out, "plan.script");
		}
		sb_reset(&out);
		plan_write_relup(&p, &out);
		check_terms(&out, "plan.relup");
		sb_reset(&out);
		plan_write_json(&p, &out);
		check_json(&out, "plan.json");
		sb_reset(&out);
		plan_write_text(&p, &out);
		plan_release(&p);
	} else if (!err.msg[0]) {
		broken("plan refused without a message", "");
	}
	sb_release(&out);
	facts_free(new);
	facts_free(old);
	return 0;
}
