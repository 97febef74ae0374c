/*
 * findings.c - the findings list (findings.h); the rules are model/rules.h's.
 *
 * Invariant: a finding's rule is a row of the rule table and its severity
 * the rule's default; a finding's cycle is 0 or the number of a cycle of
 * the same list, whose nfindings counts the findings tied to it.
 */
#include "findings.h"

#include <assert.h>
#include <jsonw.h>
#include <stdlib.h>
#include <string.h>

void findings_init(struct findings *fs)
{
	memset(fs, 0, sizeof(*fs));
	arena_init(&fs->arena);
}

void findings_release(struct findings *fs)
{
	if (!fs)
		return;
	free(fs->items);
	free(fs->cycles);
	arena_release(&fs->arena);
	memset(fs, 0, sizeof(*fs));
}

void findings_add(struct findings *fs, enum hp_rule rule, const char *module,
		  const char *symbol, const struct loc *loc, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);

	if (fs->n == fs->alloc) {
		fs->alloc = fs->alloc ? fs->alloc * 2 : 16;
		fs->items = xreallocarray(fs->items, fs->alloc, sizeof(*fs->items));
	}
	struct finding *f = &fs->items[fs->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = rule_info(rule)->severity;
	f->module = module ? arena_strdup(&fs->arena, module) : NULL;
	f->symbol = symbol ? arena_strdup(&fs->arena, symbol) : NULL;
	f->message = arena_strdup(&fs->arena, sb.buf);
	if (loc) {
		f->loc = *loc;
		f->loc.file = loc->file ? arena_strdup(&fs->arena, loc->file) : NULL;
	}
	sb_release(&sb);
}

static int cmp_name(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

size_t findings_add_cycle(struct findings *fs, const char *const *modules, size_t n,
			  size_t first, size_t last, size_t nloads)
{
	if (fs->ncycles == fs->cycles_alloc) {
		fs->cycles_alloc = fs->cycles_alloc ? fs->cycles_alloc * 2 : 4;
		fs->cycles = xreallocarray(fs->cycles, fs->cycles_alloc, sizeof(*fs->cycles));
	}
	const char **names = arena_alloc(&fs->arena, (n ? n : 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = arena_strdup(&fs->arena, modules[i]);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	struct finding_cycle *c = &fs->cycles[fs->ncycles++];
	memset(c, 0, sizeof(*c));
	c->modules = names;
	c->nmodules = n;
	c->first = first;
	c->last = last;
	c->nloads = nloads;
	return fs->ncycles;
}

void findings_tie(struct findings *fs, size_t cycle)
{
	assert(fs->n && cycle && cycle <= fs->ncycles);
	fs->items[fs->n - 1].cycle = cycle;
	fs->cycles[cycle - 1].nfindings++;
}

static int cmp_str_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	int c;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if ((c = cmp_str_null(a->module, b->module)))
		return c;
	if ((c = cmp_str_null(a->symbol, b->symbol)))
		return c;
	return strcmp(a->message, b->message);
}

void findings_sort(struct findings *fs)
{
	if (fs->n > 1)
		qsort(fs->items, fs->n, sizeof(*fs->items), cmp_finding);
}

size_t findings_count(const struct findings *fs, enum hp_rule rule)
{
	size_t c = 0;
	for (size_t i = 0; i < fs->n; i++)
		c += fs->items[i].rule == rule;
	return c;
}

static void write_loc_prefix(struct strbuf *out, const struct loc *loc)
{
	if (!loc->file)
		return;
	sb_adds(out, loc->file);
	if (loc->line)
		sb_addf(out, ":%u", loc->line);
	if (loc->line && loc->col)
		sb_addf(out, ":%u", loc->col);
	sb_adds(out, ": ");
}

void findings_cycle_text(struct strbuf *out, const struct finding_cycle *cy)
{
	sb_addf(out, "the upgrade script loads the %zu modules of a dependency cycle (",
		cy->nmodules);
	for (size_t i = 0; i < cy->nmodules; i++)
		sb_addf(out, "%s'%s'", i ? ", " : "", cy->modules[i]);
	sb_addf(out, ") over a window of %zu load%s, #%zu to #%zu: until the last, new code of "
		"the cycle runs against old code of the rest (%zu reference%s loaded out of "
		"order", cy->nloads, cy->nloads == 1 ? "" : "s", cy->first, cy->last,
		cy->nfindings, cy->nfindings == 1 ? "" : "s");
}

void findings_write_text(const struct findings *fs, const char *prefix, struct strbuf *out)
{
	char *shown = fs->ncycles ? xcalloc(fs->ncycles, 1) : NULL;
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->items[i];
		const struct finding_cycle *cy = NULL;
		if (f->cycle && f->cycle <= fs->ncycles) {
			if (shown[f->cycle - 1])
				continue;
			shown[f->cycle - 1] = 1;
			cy = &fs->cycles[f->cycle - 1];
		}
		if (prefix)
			sb_adds(out, prefix);
		write_loc_prefix(out, &f->loc);
		const struct rule_info *r = rule_info(f->rule);
		sb_addf(out, "%s: ", severity_name(f->severity));
		if (cy) {
			/* each reference stays in JSON; 'hotplan check' adds the processes */
			findings_cycle_text(out, cy);
			sb_adds(out, ", each in --format json; 'hotplan check' names the processes "
				"that could run in the window)");
		} else
			sb_adds(out, f->message);
		sb_addf(out, " [%s %s]\n", r->id, r->name);
	}
	free(shown);
}

/* Through model/jsonw: the array opens on a line at indent - 2 spaces. */
void findings_write_json(const struct findings *fs, int indent, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out, indent >= 2 ? (unsigned)(indent - 2) / 2 : 0);
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->items[i];
		jsonw_object(&w, JSONW_INLINE);
		jsonw_key(&w, "rule"); jsonw_string(&w, rule_info(f->rule)->id);
		jsonw_key(&w, "name"); jsonw_string(&w, rule_info(f->rule)->name);
		jsonw_key(&w, "severity"); jsonw_string(&w, severity_name(f->severity));
		jsonw_key(&w, "module"); jsonw_string(&w, f->module);
		jsonw_key(&w, "symbol"); jsonw_string(&w, f->symbol);
		jsonw_key(&w, "message"); jsonw_string(&w, f->message);
		jsonw_key(&w, "file"); jsonw_string(&w, f->loc.file);
		jsonw_key(&w, "line"); jsonw_uint(&w, f->loc.line);
		jsonw_key(&w, "column"); jsonw_uint(&w, f->loc.col);
		jsonw_end(&w);
	}
	jsonw_end(&w);
}
