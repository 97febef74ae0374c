/*
 * cmd_translate.c - 'hotplan translate': a high-level appup (or instruction
 * lists) to the low-level release-handler script, as OTP's
 * systools_rc:translate_scripts/4 (planner/translate.h).
 *
 * Invariant: the script is written whole or not at all; on a refused
 * translation nothing reaches standard output or -o, and standard error
 * carries the position, a message, and OTP's Reason as an Erlang term on a
 * line of its own ("hotplan translate: reason: {undef_module,b}").
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "parse-options.h"
#include "term.h"
#include "translate.h"

static const struct opt_command translate_cmd = {
	"translate", "APPUP",
	"Translates high-level appup instructions into the low-level script of the\n"
	"release handler exactly as OTP's systools_rc:translate_scripts/4 does\n"
	"(ties between equally valid orders are broken by module name).\n"
	"\n"
	"APPUP ('-' for standard input) holds Erlang terms, each ending with '.':\n"
	"  [Instr, ...]            an instruction list; several lists are merged and\n"
	"                          split at their point_of_no_return as OTP does\n"
	"  {script, [Instr, ...]}  the same\n"
	"  {mode, up | dn}         the direction (default up)\n"
	"  {apps, [{App, Vsn, [Mod, ...]}]}      the target release (OTP's Appls);\n"
	"                          a fourth element gives the start type\n"
	"                          (permanent, transient, temporary, load, none)\n"
	"  {pre_apps, [{App, Vsn, [Mod, ...]}]}  the source release (PreAppls;\n"
	"                          default: none)\n"
	"or a real .appup: {Vsn, [{UpFrom, Instrs}], [{DownTo, Instrs}]}.\n"
	"Without {apps, ...} the release has one application 'app', version \"1.0\",\n"
	"owning every module the instructions name.\n",
	"exit status: 0 translated; 2 bad usage, bad input, or translation refused.\n"
	"A refused translation prints OTP's Reason (the term of\n"
	"{error, systools_rc, Reason}) on a line 'hotplan translate: reason: TERM'.\n",
	NULL,
};

static const struct opt_word mode_words[] = {
	{ "up", TR_UP, NULL },
	{ "dn", TR_DN, NULL },
	{ NULL, 0, NULL },
};

static const struct opt_word format_words[] = {
	{ "erlang", 0, "one instruction per line, each ending with '.', readable by "
	  "file:consult/1 (default)" },
	{ "json", 1, "a JSON array of instructions, mapping terms as:\n"
	  "atom -> \"name\"; integer -> number; tuple -> [elements]; list -> {\"list\": "
	  "[elements]} (an improper list also has \"tail\"); printable string -> "
	  "{\"string\": \"text\"}; float -> {\"float\": number}; binary -> {\"binary\": "
	  "[bytes]}; map -> {\"map\": [[key, value], ...]}" },
	{ NULL, 0, NULL },
};

int cmd_translate(int argc, char **argv)
{
	const char *from = NULL, *output = NULL;
	int mode = -1, json = 0, rc;
	struct arena a;
	struct errbuf err = { "", 0 };
	struct term **terms, *script, *reason = NULL;
	size_t nterms;
	struct translate_input in;
	struct strbuf sb = STRBUF_INIT;
	struct opt opts[] = {
		OPT_ENUM(0, "mode", &mode, NULL, mode_words, "direction; overrides {mode, ...}; for "
			 "an .appup, up takes an UpFrom entry and dn a DownTo entry"),
		OPT_STRING(0, "from", &from, "VSN", "the .appup entry whose version is VSN (a "
			   "string, or a binary regular expression in the appup); default: the "
			   "first entry"),
		OPT_ENUM(0, "format", &json, NULL, format_words, NULL),
		OPT_STRING('o', "output", &output, "FILE", "write the script to FILE (atomically) "
			   "instead of standard output"),
		OPT_END(),
	};
	int first = opt_parse(&translate_cmd, opts, argc, argv, &rc);
	if (first < 0)
		return rc;
	if (argc - first != 1)
		return cli_usage_error("translate", "expected one APPUP file");
	const char *file = argv[first];

	arena_init(&a);
	if ((rc = term_consult_file(&a, file, &terms, &nterms, &err)) ||
	    (rc = translate_read_input(&a, file, terms, nterms, from, mode, &in, &err))) {
		rc = cli_fail("translate", &err);
		goto out;
	}
	if ((rc = translate_scripts(&a, &in, &script, &reason, &err))) {
		rc = cli_fail("translate", &err);
		if (reason) {
			term_write(&sb, reason);
			fprintf(stderr, "hotplan translate: reason: %s\n", sb.buf);
		}
		goto out;
	}
	if (json) {
		sb_adds(&sb, "[");
		for (size_t i = 0; i < script->u.seq.n; i++) {
			sb_adds(&sb, i ? ",\n  " : "\n  ");
			term_write_json(&sb, script->u.seq.items[i]);
		}
		sb_adds(&sb, "\n]\n");
	} else {
		for (size_t i = 0; i < script->u.seq.n; i++)
			term_write_dot(&sb, script->u.seq.items[i]);
	}
	rc = cli_emit(output, &sb, &err) ? cli_fail("translate", &err) : 0;
out:
	sb_release(&sb);
	arena_release(&a);
	return rc;
}
