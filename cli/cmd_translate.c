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
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "term.h"
#include "translate.h"

static void translate_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hotplan translate APPUP [--mode up|dn] [--from VSN] [--format erlang|json] [-o FILE]\n"
		"\n"
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
		"owning every module the instructions name.\n"
		"\n"
		"options:\n"
		"  --mode up|dn        direction; overrides {mode, ...}; for an .appup, up\n"
		"                      takes an UpFrom entry and dn a DownTo entry\n"
		"  --from VSN          the .appup entry whose version is VSN (a string, or a\n"
		"                      binary regular expression in the appup); default: the\n"
		"                      first entry\n"
		"  --format erlang     one instruction per line, each ending with '.',\n"
		"                      readable by file:consult/1 (default)\n"
		"  --format json       a JSON array of instructions, mapping terms as:\n"
		"                      atom -> \"name\"; integer -> number; tuple -> [elements];\n"
		"                      list -> {\"list\": [elements]} (an improper list also\n"
		"                      has \"tail\"); printable string -> {\"string\": \"text\"};\n"
		"                      float -> {\"float\": number}; binary -> {\"binary\":\n"
		"                      [bytes]}; map -> {\"map\": [[key, value], ...]}\n"
		"  -o, --output FILE   write the script to FILE (atomically) instead of\n"
		"                      standard output\n"
		"  -h, --help          show this help\n"
		"\n"
		"exit status: 0 translated; 2 bad usage, bad input, or translation refused.\n"
		"A refused translation prints OTP's Reason (the term of\n"
		"{error, systools_rc, Reason}) on a line 'hotplan translate: reason: TERM'.\n");
}

/* Whether a list of integers reads as text (then JSON gets a string). */
static int json_printable(const struct term *t)
{
	if (t->type != TERM_LIST || t->u.seq.tail || !t->u.seq.n)
		return 0;
	for (size_t i = 0; i < t->u.seq.n; i++) {
		const struct term *e = t->u.seq.items[i];
		if (e->type != TERM_INT)
			return 0;
		int64_t c = e->u.i;
		if (!((c >= 0x20 && c < 0x7f) || (c >= 0xA0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF)) ||
		      c == '\n' || c == '\t' || c == '\r'))
			return 0;
	}
	return 1;
}

/* Appends n bytes of UTF-8 text as the body of a JSON string: quotes,
 * backslashes and control characters (NUL included) escaped. */
static void json_text(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_addf(sb, "\\u%04x", c);
		else
			sb_addc(sb, (int)c);
	}
}

/* Appends code point c as the body of a JSON string. */
static void json_code(struct strbuf *sb, uint32_t c)
{
	char buf[4];
	size_t n;
	if (c < 0x80) {
		buf[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		buf[0] = (char)(0xC0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		buf[0] = (char)(0xE0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		buf[0] = (char)(0xF0 | (c >> 18));
		buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		buf[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	json_text(sb, buf, n);
}

/* Appends t in the JSON mapping documented in --help. */
static void json_term(struct strbuf *sb, const struct term *t)
{
	switch (t->type) {
	case TERM_ATOM:
		sb_addc(sb, '"');
		json_text(sb, t->u.atom, strlen(t->u.atom));
		sb_addc(sb, '"');
		break;
	case TERM_INT:
		sb_addf(sb, "%lld", (long long)t->u.i);
		break;
	case TERM_FLOAT:
		sb_addf(sb, "{\"float\": %.17g}", t->u.f);
		break;
	case TERM_STRING:
		if (!t->u.str.len) {
			sb_adds(sb, "{\"list\": []}");
			break;
		}
		sb_adds(sb, "{\"string\": \"");
		json_text(sb, t->u.str.s, t->u.str.len);
		sb_adds(sb, "\"}");
		break;
	case TERM_BINARY:
		sb_adds(sb, "{\"binary\": [");
		for (size_t i = 0; i < t->u.str.len; i++)
			sb_addf(sb, "%s%u", i ? ", " : "", (unsigned char)t->u.str.s[i]);
		sb_adds(sb, "]}");
		break;
	case TERM_TUPLE:
		sb_addc(sb, '[');
		for (size_t i = 0; i < t->u.seq.n; i++) {
			if (i)
				sb_adds(sb, ", ");
			json_term(sb, t->u.seq.items[i]);
		}
		sb_addc(sb, ']');
		break;
	case TERM_LIST:
		if (json_printable(t)) {
			sb_adds(sb, "{\"string\": \"");
			for (size_t i = 0; i < t->u.seq.n; i++)
				json_code(sb, (uint32_t)t->u.seq.items[i]->u.i);
			sb_adds(sb, "\"}");
			break;
		}
		sb_adds(sb, "{\"list\": [");
		for (size_t i = 0; i < t->u.seq.n; i++) {
			if (i)
				sb_adds(sb, ", ");
			json_term(sb, t->u.seq.items[i]);
		}
		sb_addc(sb, ']');
		if (t->u.seq.tail) {
			sb_adds(sb, ", \"tail\": ");
			json_term(sb, t->u.seq.tail);
		}
		sb_addc(sb, '}');
		break;
	case TERM_MAP:
		sb_adds(sb, "{\"map\": [");
		for (size_t i = 0; i + 1 < t->u.seq.n; i += 2) {
			if (i)
				sb_adds(sb, ", ");
			sb_addc(sb, '[');
			json_term(sb, t->u.seq.items[i]);
			sb_adds(sb, ", ");
			json_term(sb, t->u.seq.items[i + 1]);
			sb_addc(sb, ']');
		}
		sb_adds(sb, "]}");
		break;
	}
}

int cmd_translate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *output = NULL;
	int mode = -1, json = 0, c, rc;
	struct arena a;
	struct errbuf err = { "", 0 };
	struct term **terms, *script, *reason = NULL;
	size_t nterms;
	struct translate_input in;
	struct strbuf sb = STRBUF_INIT;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "up"))
				mode = TR_UP;
			else if (!strcmp(optarg, "dn"))
				mode = TR_DN;
			else
				return cli_usage_error("translate", "--mode must be up or dn, not '%s'", optarg);
			break;
		case 'f':
			from = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "erlang"))
				return cli_usage_error("translate", "--format must be erlang or json, not '%s'", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			translate_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("translate", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("translate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("translate", "expected one APPUP file");
	const char *file = argv[optind];

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
			json_term(&sb, script->u.seq.items[i]);
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
