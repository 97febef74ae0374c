/*
 * sarif.c - the check report as SARIF 2.1.0 (one run): the tool with its
 * rules (id, name, short and full description, help text, default level),
 * and one result per finding, located in the C sources (the entry point of
 * a killed process, the changed struct, the caller of a removed export).
 *
 * Invariants: the JSON is written by hand in a fixed key order with
 * 2-space indentation and every string goes through out_escape(); a
 * result's partialFingerprints["hotplan/v1"] hashes what identifies the
 * finding (rule, module, symbol, message, and its rank among identical
 * ones), never a time, a path prefix or a run number, so it is the same
 * from run to run.
 */
#include "report_int.h"

#include <string.h>

static void indent(struct strbuf *sb, int n)
{
	for (int i = 0; i < n; i++)
		sb_adds(sb, "  ");
}

static void jstr(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	out_escape(sb, s, OUT_ESC_JSON);
	sb_addc(sb, '"');
}

static const char *sarif_level(enum severity s)
{
	return severity_name(s); /* SARIF's levels are the same words */
}

/* Percent-encodes a path for a URI; '/' stays. */
static void put_uri_path(struct strbuf *sb, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
		unsigned char ch = *s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("/-._~", ch))
			sb_addc(sb, ch);
		else
			sb_addf(sb, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
}

/* The artifact location of file: relative to SRCROOT when under srcroot or
 * relative (facts paths are relative to the tree's source root), else an
 * absolute file: URI, else (no srcroot) a relative reference. */
static void put_artifact(struct report_ctx *c, const char *file, int ind)
{
	struct strbuf *sb = c->out;
	const char *root = c->r->srcroot;
	size_t rl = root ? strlen(root) : 0;
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	struct strbuf uri = STRBUF_INIT;
	int relative = 0;
	if (root && rl && !strncmp(file, root, rl) && file[rl] == '/') {
		put_uri_path(&uri, file + rl + 1);
		relative = 1;
	} else if (root && file[0] != '/') {
		/* facts keep paths relative to the tree's source root */
		put_uri_path(&uri, file);
		relative = 1;
	} else if (file[0] == '/') {
		sb_adds(&uri, "file://");
		put_uri_path(&uri, file);
	} else {
		put_uri_path(&uri, file);
	}
	indent(sb, ind);
	sb_adds(sb, "\"artifactLocation\": {\n");
	indent(sb, ind + 1);
	sb_adds(sb, "\"uri\": ");
	jstr(sb, uri.buf);
	if (relative) {
		sb_adds(sb, ",\n");
		indent(sb, ind + 1);
		sb_adds(sb, "\"uriBaseId\": \"SRCROOT\"");
	}
	sb_adds(sb, "\n");
	indent(sb, ind);
	sb_adds(sb, "}");
	sb_release(&uri);
}

static void text_object(struct strbuf *sb, int ind, const char *key, const char *text, int comma)
{
	indent(sb, ind);
	sb_addf(sb, "\"%s\": { \"text\": ", key);
	jstr(sb, text);
	sb_addf(sb, " }%s\n", comma ? "," : "");
}

static void sarif_begin(struct report_ctx *c)
{
	const struct report *r = c->r;
	struct strbuf *sb = c->out;
	sb_adds(sb, "{\n"
		"  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
		"  \"version\": \"2.1.0\",\n"
		"  \"runs\": [\n"
		"    {\n"
		"      \"tool\": {\n"
		"        \"driver\": {\n"
		"          \"name\": \"hotplan\",\n");
	indent(sb, 5);
	sb_adds(sb, "\"version\": ");
	jstr(sb, r->tool_version ? r->tool_version : "0");
	sb_adds(sb, ",\n");
	indent(sb, 5);
	sb_adds(sb, "\"rules\": [");
	for (size_t i = 0; i < r->nrules; i++) {
		const struct rule_info *rule = r->rules[i];
		sb_adds(sb, i ? ",\n" : "\n");
		indent(sb, 6);
		sb_adds(sb, "{\n");
		indent(sb, 7);
		sb_adds(sb, "\"id\": ");
		jstr(sb, rule->id);
		sb_adds(sb, ",\n");
		indent(sb, 7);
		sb_adds(sb, "\"name\": ");
		jstr(sb, rule->name);
		sb_adds(sb, ",\n");
		text_object(sb, 7, "shortDescription", rule->summary, 1);
		text_object(sb, 7, "fullDescription", rule->help, 1);
		text_object(sb, 7, "help", rule->help, 1);
		indent(sb, 7);
		sb_addf(sb, "\"defaultConfiguration\": { \"level\": \"%s\" }\n", sarif_level(rule->severity));
		indent(sb, 6);
		sb_adds(sb, "}");
	}
	sb_adds(sb, r->nrules ? "\n" : "");
	if (r->nrules)
		indent(sb, 5);
	sb_adds(sb, "]\n        }\n      },\n");
	if (r->srcroot && r->srcroot[0] == '/') {
		sb_adds(sb, "      \"originalUriBaseIds\": {\n"
			"        \"SRCROOT\": { \"uri\": ");
		struct strbuf u = STRBUF_INIT;
		sb_adds(&u, "file://");
		put_uri_path(&u, r->srcroot);
		if (u.buf[u.len - 1] != '/')
			sb_addc(&u, '/');
		jstr(sb, u.buf);
		sb_release(&u);
		sb_adds(sb, " }\n      },\n");
	}
	sb_adds(sb, "      \"results\": [");
}

static void sarif_process(struct report_ctx *c, const struct report_process *p)
{
	(void)c;
	(void)p; /* killed processes are reported as HP301 findings */
}

static void put_fingerprint(struct strbuf *sb, const struct report_finding *f, size_t rank)
{
	struct strbuf key = STRBUF_INIT;
	char hex[17];
	sb_addf(&key, "%s|%s|%s|%s|%zu", f->rule->id, f->module ? f->module : "",
		f->symbol ? f->symbol : "", f->message ? f->message : "", rank);
	hp_hash_hex(hp_hash64(key.buf, key.len, 0), hex);
	sb_addf(sb, "\"partialFingerprints\": { \"hotplan/v1\": \"%s\" }", hex);
	sb_release(&key);
}

static int same_identity(const struct report_finding *a, const struct report_finding *b)
{
	return hp_streq(a->module, b->module) && hp_streq(a->symbol, b->symbol) &&
	       hp_streq(a->message, b->message);
}

/* SARIF's logicalLocation kind for a finding's symbol. */
static const char *logical_kind(const char *symbol)
{
	if (!symbol)
		return "module";
	if (!strncmp(symbol, "struct ", 7) || !strncmp(symbol, "union ", 6) ||
	    !strncmp(symbol, "enum ", 5))
		return "type";
	return "function";
}

static void sarif_rule(struct report_ctx *c, size_t k, const struct report_finding *f, size_t n)
{
	struct strbuf *sb = c->out;
	size_t rank = 0;
	for (size_t i = 0; i < n; i++) {
		rank = (i > 0 && same_identity(&f[i], &f[i - 1])) ? rank + 1 : 0;
		sb_adds(sb, c->nresults++ ? ",\n" : "\n");
		indent(sb, 4);
		sb_adds(sb, "{\n");
		indent(sb, 5);
		sb_adds(sb, "\"ruleId\": ");
		jstr(sb, f[i].rule->id);
		sb_addf(sb, ",\n");
		indent(sb, 5);
		sb_addf(sb, "\"ruleIndex\": %zu,\n", k);
		indent(sb, 5);
		sb_addf(sb, "\"level\": \"%s\",\n",
			f[i].forbidden ? "error" : sarif_level(f[i].severity));
		indent(sb, 5);
		sb_adds(sb, "\"message\": { \"text\": ");
		jstr(sb, f[i].message ? f[i].message : f[i].rule->summary);
		sb_adds(sb, " },\n");
		if (f[i].loc.file || f[i].module) {
			indent(sb, 5);
			sb_adds(sb, "\"locations\": [\n");
			indent(sb, 6);
			sb_adds(sb, "{\n");
			if (f[i].loc.file) {
				indent(sb, 7);
				sb_adds(sb, "\"physicalLocation\": {\n");
				put_artifact(c, f[i].loc.file, 8);
				if (f[i].loc.line) {
					sb_adds(sb, ",\n");
					indent(sb, 8);
					sb_addf(sb, "\"region\": { \"startLine\": %u", f[i].loc.line);
					if (f[i].loc.col)
						sb_addf(sb, ", \"startColumn\": %u", f[i].loc.col);
					sb_adds(sb, " }");
				}
				sb_adds(sb, "\n");
				indent(sb, 7);
				sb_adds(sb, f[i].module ? "},\n" : "}\n");
			}
			if (f[i].module) {
				struct strbuf fq = STRBUF_INIT;
				sb_adds(&fq, f[i].module);
				if (f[i].symbol)
					sb_addf(&fq, ":%s", f[i].symbol);
				indent(sb, 7);
				sb_adds(sb, "\"logicalLocations\": [ { \"name\": ");
				jstr(sb, f[i].symbol ? f[i].symbol : f[i].module);
				sb_adds(sb, ", \"fullyQualifiedName\": ");
				jstr(sb, fq.buf);
				sb_addf(sb, ", \"kind\": \"%s\" } ]\n", logical_kind(f[i].symbol));
				sb_release(&fq);
			}
			indent(sb, 6);
			sb_adds(sb, "}\n");
			indent(sb, 5);
			sb_adds(sb, "],\n");
		}
		indent(sb, 5);
		put_fingerprint(sb, &f[i], rank);
		sb_adds(sb, "\n");
		indent(sb, 4);
		sb_adds(sb, "}");
	}
}

static void sarif_end(struct report_ctx *c)
{
	struct strbuf *sb = c->out;
	if (c->nresults) {
		sb_adds(sb, "\n");
		indent(sb, 3);
	}
	sb_adds(sb, "]\n    }\n  ]\n}\n");
}

const struct report_driver report_sarif_driver = {
	"sarif", sarif_begin, sarif_process, sarif_rule, sarif_end,
};
