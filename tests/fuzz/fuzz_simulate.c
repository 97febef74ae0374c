/*
 * fuzz_simulate.c - libFuzzer target for 'hotplan simulate': the script
 * reader (term_consult + script_decode, model/instr.h) and the release
 * handler executor (simulator/sim.h) on a runtime.
 *
 * The input is a script, optionally followed by a line "%%runtime" and a
 * runtime JSON; without one, a small built-in runtime is used (supervised
 * and unsupervised processes in old and current code, an unpurged module).
 * The first byte picks the options (--until, race_new).
 *
 * Checks beyond "no crash, no leak, no UB, no hang": a refused script has a
 * message; the JSON rendering of every prediction is valid JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instr.h"
#include "json.h"
#include "runtime.h"
#include "sim.h"
#include "term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char builtin_runtime[] =
	"{\"format\": \"hotplan-runtime\", \"version\": 1,\n"
	" \"modules\": [{\"name\": \"a\", \"current\": 2, \"old\": 1},\n"
	"   {\"name\": \"b\", \"current\": 1, \"old\": null},\n"
	"   {\"name\": \"c\", \"current\": \"v1\", \"old\": null}],\n"
	" \"supervisors\": [{\"name\": \"top\", \"parent\": null, \"intensity\": 1, \"period\": 5},\n"
	"   {\"name\": \"sub\", \"parent\": \"top\", \"intensity\": 0, \"period\": 1}],\n"
	" \"processes\": [\n"
	"  {\"pid\": \"<0.1.0>\", \"frames\": [{\"module\": \"a\", \"version\": \"old\"}], \"next_call\": \"local\",\n"
	"   \"sys\": true, \"modules\": [\"a\"], \"supervisor\": \"sub\", \"restart\": \"permanent\"},\n"
	"  {\"pid\": \"<0.2.0>\", \"frames\": [{\"module\": \"b\", \"version\": \"current\"}, {\"module\": \"a\", \"version\": \"current\"}],\n"
	"   \"next_call\": \"qualified\", \"sys\": true, \"modules\": [\"b\"], \"supervisor\": \"top\", \"restart\": \"transient\",\n"
	"   \"funs\": [{\"module\": \"c\", \"version\": \"current\"}]},\n"
	"  {\"pid\": \"<0.3.0>\", \"frames\": [{\"module\": \"c\", \"version\": \"current\"}], \"next_call\": \"blocked\", \"sys\": false}],\n"
	" \"unpurged\": [{\"module\": \"a\", \"purge\": \"brutal_purge\"}]}\n";

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_simulate: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%runtime\n";
	struct sim_options opt = { .until = SIM_UNTIL_INSTALL };
	struct arena a;
	struct errbuf err;
	struct term **terms;
	struct script sc;
	struct runtime *rt = NULL;
	size_t n;

	if (size > 0) {
		opt.until = (data[0] & 1) ? SIM_UNTIL_PERMANENT : SIM_UNTIL_INSTALL;
		opt.race_new = (data[0] >> 1) & 1;
		data++;
		size--;
	}
	const char *text = (const char *)data;
	size_t script_len = size;
	const char *rt_text = builtin_runtime;
	size_t rt_len = sizeof(builtin_runtime) - 1;
	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (!memcmp(text + i, sep, sizeof(sep) - 1)) {
			script_len = i;
			rt_text = text + i + sizeof(sep) - 1;
			rt_len = size - i - (sizeof(sep) - 1);
			break;
		}
	}

	arena_init(&a);
	memset(&err, 0, sizeof(err));
	if (term_consult(&a, "fuzz.script", text, script_len, &terms, &n, &err) ||
	    script_decode(&a, "fuzz.script", terms, n, &sc, &err)) {
		if (!err.msg[0])
			broken("script refused without a message", "");
		arena_release(&a);
		return 0;
	}
	if (runtime_read_json("fuzz.json", rt_text, rt_len, &rt, &err)) {
		if (rt_text == builtin_runtime)
			broken("the built-in runtime does not read", err.msg);
		arena_release(&a);
		return 0;
	}

	struct sim_report rep;
	struct strbuf out = STRBUF_INIT;
	struct json_doc doc;
	sim_run(rt, &sc, 1, &opt, &rep);
	sim_write_text(&rep, &out);
	sb_reset(&out);
	sim_write_json(&rep, &out);
	if (json_doc_parse(&doc, "outcome.json", out.buf, out.len, &err))
		broken("the JSON outcome is not JSON", err.msg);
	json_doc_release(&doc);
	sb_release(&out);
	sim_report_release(&rep);
	runtime_free(rt);
	arena_release(&a);
	return 0;
}
