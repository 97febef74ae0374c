/*
 * escape.c - the one place where text is escaped for JSON, DOT and XML, and
 * the terminal colour decision.
 *
 * Invariant: out_escape() never emits a byte sequence that would end the
 * surrounding string (JSON/DOT quotes) or open markup (XML), whatever the
 * input; UTF-8 sequences pass through unchanged.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"

static void escape_dot(struct strbuf *sb, const unsigned char *p)
{
	for (; *p; p++) {
		switch (*p) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		default:
			/* Other control characters have no meaning in a label. */
			if (*p < 0x20 || *p == 0x7f)
				sb_addc(sb, ' ');
			else
				sb_addc(sb, *p);
		}
	}
}

static void escape_xml(struct strbuf *sb, const unsigned char *p)
{
	for (; *p; p++) {
		switch (*p) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&apos;"); break;
		case '\t': case '\n': case '\r':
			sb_addc(sb, *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_addc(sb, '?');
			else
				sb_addc(sb, *p);
		}
	}
}

void out_escape(struct strbuf *sb, const char *s, enum out_esc how)
{
	if (!s)
		return;
	switch (how) {
	case OUT_ESC_JSON:
		jsonw_escape(sb, s, strlen(s));
		break;
	case OUT_ESC_DOT:
		escape_dot(sb, (const unsigned char *)s);
		break;
	case OUT_ESC_XML:
		escape_xml(sb, (const unsigned char *)s);
		break;
	}
}

int out_color_wanted(FILE *fp)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return 0;
	return isatty(fileno(fp));
}
