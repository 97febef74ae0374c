/*
 * sarif.c - the check report as SARIF 2.1.0 (one run): the tool with its
 * rules (id, name, short and full description, help text, default level),
 * and one result per finding, located in the C sources (the entry point of
 * a killed process, the changed struct, the caller of a removed export);
 * a finding of a group (a reference a dependency cycle loads out of order)
 * carries the group's message, which the text report shows instead, in
 * properties["hotplan/group"].
 *
 * Invariants: the JSON goes through model/jsonw in a fixed key order with
 * 2-space indentation (so every string through its one escaper); the
 * driver's callbacks share one document: begin leaves the results array
 * open, rule and end resume it (sarif_resume); a
 * result's partialFingerprints["hotplan/v1"] hashes what identifies the
 * finding (rule, module, symbol, message, and its rank among identical
 * ones), never a time, a path prefix or a run number, so it is the same
 * from run to run.
 */
#include "report_int.h"

#include <string.h>

#include "jsonw.h"

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
static void put_artifact(struct report_ctx *c, struct jsonw *w, const char *file)
{
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
	jsonw_key(w, "artifactLocation");
	jsonw_object(w, JSONW_LINES);
	jsonw_key(w, "uri"); jsonw_string(w, uri.buf);
	if (relative) {
		jsonw_key(w, "uriBaseId");
		jsonw_string(w, "SRCROOT");
	}
	jsonw_end(w);
	sb_release(&uri);
}

/* "key": { "text": text } */
static void text_object(struct jsonw *w, const char *key, const char *text)
{
	jsonw_key(w, key);
	jsonw_object(w, JSONW_SPACED);
	jsonw_key(w, "text"); jsonw_string(w, text);
	jsonw_end(w);
}

static void put_rule(struct jsonw *w, const struct rule_info *rule)
{
	jsonw_object(w, JSONW_LINES);
	jsonw_key(w, "id"); jsonw_string(w, rule->id);
	jsonw_key(w, "name"); jsonw_string(w, rule->name);
	text_object(w, "shortDescription", rule->summary);
	text_object(w, "fullDescription", rule->help);
	text_object(w, "help", rule->help);
	jsonw_key(w, "defaultConfiguration");
	jsonw_object(w, JSONW_SPACED);
	jsonw_key(w, "level"); jsonw_string(w, sarif_level(rule->severity));
	jsonw_end(w);
	jsonw_end(w);
}

/* The members of the run before "results" (one run of this tool). */
static size_t sarif_run_members(const struct report *r)
{
	return r->srcroot && r->srcroot[0] == '/' ? 2 : 1;
}

/*
 * Enters the open results array of the document begin wrote: the root
 * object ($schema, version, runs), the runs array (one run), the run
 * (tool, originalUriBaseIds when there is a source root, results) and the
 * results written so far.
 */
static void sarif_resume(struct report_ctx *c, struct jsonw *w)
{
	jsonw_init(w, c->out, 0);
	jsonw_resume(w, JSONW_LINES, 1, 3);
	jsonw_resume(w, JSONW_LINES, 0, 1);
	jsonw_resume(w, JSONW_LINES, 1, sarif_run_members(c->r) + 1);
	jsonw_resume(w, JSONW_LINES, 0, c->nresults);
}

static void sarif_begin(struct report_ctx *c)
{
	const struct report *r = c->r;
	struct jsonw w;
	jsonw_init(&w, c->out, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "$schema"); jsonw_string(&w, "https://json.schemastore.org/sarif-2.1.0.json");
	jsonw_key(&w, "version"); jsonw_string(&w, "2.1.0");
	jsonw_key(&w, "runs");
	jsonw_array(&w, JSONW_LINES);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "tool");
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "driver");
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "name"); jsonw_string(&w, "hotplan");
	jsonw_key(&w, "version"); jsonw_string(&w, r->tool_version ? r->tool_version : "0");
	jsonw_key(&w, "rules");
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < r->nrules; i++)
		put_rule(&w, r->rules[i]);
	jsonw_end(&w);
	jsonw_end(&w); /* driver */
	jsonw_end(&w); /* tool */
	if (sarif_run_members(r) > 1) {
		struct strbuf u = STRBUF_INIT;
		sb_adds(&u, "file://");
		put_uri_path(&u, r->srcroot);
		if (u.buf[u.len - 1] != '/')
			sb_addc(&u, '/');
		jsonw_key(&w, "originalUriBaseIds");
		jsonw_object(&w, JSONW_LINES);
		jsonw_key(&w, "SRCROOT");
		jsonw_object(&w, JSONW_SPACED);
		jsonw_key(&w, "uri"); jsonw_string(&w, u.buf);
		jsonw_end(&w);
		jsonw_end(&w);
		sb_release(&u);
	}
	jsonw_key(&w, "results");
	jsonw_array(&w, JSONW_LINES);
	/* left open: sarif_rule and sarif_end resume it */
}

static void sarif_process(struct report_ctx *c, const struct report_process *p)
{
	(void)c;
	(void)p; /* killed processes are reported as HP301 findings */
}

static void put_fingerprint(struct jsonw *w, const struct report_finding *f, size_t rank)
{
	struct strbuf key = STRBUF_INIT;
	char hex[17];
	sb_addf(&key, "%s|%s|%s|%s|%zu", f->rule->id, f->module ? f->module : "",
		f->symbol ? f->symbol : "", f->message ? f->message : "", rank);
	hp_hash_hex(hp_hash64(key.buf, key.len, 0), hex);
	jsonw_key(w, "partialFingerprints");
	jsonw_object(w, JSONW_SPACED);
	jsonw_key(w, "hotplan/v1"); jsonw_string(w, hex);
	jsonw_end(w);
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

/* "locations": [{physicalLocation, logicalLocations}] of a finding that
 * has a file or a module. */
static void put_locations(struct report_ctx *c, struct jsonw *w, const struct report_finding *f)
{
	jsonw_key(w, "locations");
	jsonw_array(w, JSONW_LINES);
	jsonw_object(w, JSONW_LINES);
	if (f->loc.file) {
		jsonw_key(w, "physicalLocation");
		jsonw_object(w, JSONW_LINES);
		put_artifact(c, w, f->loc.file);
		if (f->loc.line) {
			jsonw_key(w, "region");
			jsonw_object(w, JSONW_SPACED);
			jsonw_key(w, "startLine"); jsonw_uint(w, f->loc.line);
			if (f->loc.col) {
				jsonw_key(w, "startColumn");
				jsonw_uint(w, f->loc.col);
			}
			jsonw_end(w);
		}
		jsonw_end(w);
	}
	if (f->module) {
		struct strbuf fq = STRBUF_INIT;
		sb_adds(&fq, f->module);
		if (f->symbol)
			sb_addf(&fq, ":%s", f->symbol);
		jsonw_key(w, "logicalLocations");
		jsonw_array(w, JSONW_SPACED);
		jsonw_object(w, JSONW_SPACED);
		jsonw_key(w, "name"); jsonw_string(w, f->symbol ? f->symbol : f->module);
		jsonw_key(w, "fullyQualifiedName"); jsonw_string(w, fq.buf);
		jsonw_key(w, "kind"); jsonw_string(w, logical_kind(f->symbol));
		jsonw_end(w);
		jsonw_end(w);
		sb_release(&fq);
	}
	jsonw_end(w);
	jsonw_end(w);
}

static void sarif_rule(struct report_ctx *c, size_t k, const struct report_finding *f, size_t n)
{
	struct jsonw w;
	sarif_resume(c, &w);
	size_t rank = 0;
	for (size_t i = 0; i < n; i++) {
		rank = (i > 0 && same_identity(&f[i], &f[i - 1])) ? rank + 1 : 0;
		jsonw_object(&w, JSONW_LINES);
		jsonw_key(&w, "ruleId"); jsonw_string(&w, f[i].rule->id);
		jsonw_key(&w, "ruleIndex"); jsonw_uint(&w, k);
		jsonw_key(&w, "level");
		jsonw_string(&w, f[i].forbidden ? "error" : sarif_level(f[i].severity));
		jsonw_key(&w, "message");
		jsonw_object(&w, JSONW_SPACED);
		jsonw_key(&w, "text"); jsonw_string(&w, f[i].message ? f[i].message : f[i].rule->summary);
		jsonw_end(&w);
		if (f[i].loc.file || f[i].module)
			put_locations(c, &w, &f[i]);
		put_fingerprint(&w, &f[i], rank);
		if (f[i].group) {
			/* what the text report says once for the whole group */
			jsonw_key(&w, "properties");
			jsonw_object(&w, JSONW_LINES);
			jsonw_key(&w, "hotplan/group"); jsonw_string(&w, f[i].group->message);
			jsonw_end(&w);
		}
		jsonw_end(&w);
		c->nresults++;
	}
}

static void sarif_end(struct report_ctx *c)
{
	struct jsonw w;
	sarif_resume(c, &w);
	while (w.depth)
		jsonw_end(&w);
	sb_addc(c->out, '\n');
}

const struct report_driver report_sarif_driver = {
	"sarif", sarif_begin, sarif_process, sarif_rule, sarif_end,
};
