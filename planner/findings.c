/*
 * findings.c - the rule table and the findings list (findings.h).
 *
 * Invariant: rules[] is indexed by enum finding_rule and has exactly
 * FINDING_RULE_COUNT entries (checked at compile time); ids and names are
 * unique and never change.
 */
#include "findings.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

/* ORDER FINDING_RULES: one entry per enum finding_rule, in enum order. */
static const struct finding_rule_info rules[] = {
	[HP101_REMOVED_EXPORT_REFERENCED] = {
		"HP101", "removed-export-referenced", SEV_ERROR,
		"an export removed by the upgrade is still referenced by a module that is not upgraded",
		"The new version no longer exports this symbol (it was deleted, made "
		"static, or its module was removed), but a module that the upgrade "
		"leaves unchanged still refers to it. After the upgrade that module "
		"keeps calling or reading a symbol that no longer exists. Keep the "
		"export, or change the referencing module in the same release so "
		"that it is upgraded with it.",
	},
	[HP102_STATE_CHANGE_WITHOUT_TRANSFORMER] = {
		"HP102", "state-change-without-transformer", SEV_ERROR,
		"a state layout changed but the new version has no state transformer",
		"The layout of a state type of the module (fields, types, sizes or "
		"offsets) differs between the versions, and the new version exports "
		"no state transformer (the config pattern, default *_code_change). "
		"Nothing converts the running state: the new code will read the old "
		"bytes with the new layout. Add a transformer, or keep the layout.",
	},
	[HP103_MIXED_PROCESS_CYCLE] = {
		"HP103", "mixed-process-cycle", SEV_WARNING,
		"a dependency cycle among upgraded modules mixes modules with processes and modules without",
		"Upgraded modules that depend on each other in a cycle are loaded in "
		"appup order, so no order loads every dependency first. When the "
		"cycle mixes modules whose processes are suspended with modules "
		"loaded while their callers run, code outside the suspended "
		"processes can run a half-upgraded cycle. Break the cycle or make "
		"the upgrade of its members independent of their order.",
	},
	[HP104_CODE_CHANGE_NOT_SUSPENDED] = {
		"HP104", "code-change-not-suspended", SEV_WARNING,
		"code_change of a module that the script never suspends",
		"The release handler calls the state transformer only for processes "
		"that the same script suspended; a code_change of a module never "
		"suspended is silently skipped (OTP's own check for this never "
		"fires). The state is not converted. Suspend the module first (use "
		"an update instruction).",
	},
	[HP105_LOAD_OUT_OF_DEPENDENCY_ORDER] = {
		"HP105", "load-out-of-dependency-order", SEV_WARNING,
		"an upgrade script loads a module before a module it depends on",
		"The new version of the module refers to another module loaded by "
		"the same upgrade script, but that module is loaded later: between "
		"the two loads the new code runs against the old version of its "
		"dependency. This happens in dependency cycles and in hand-written "
		"scripts. Only upgrade scripts are checked: a downgrade loads "
		"dependent modules first on purpose, undoing the upgrade in reverse.",
	},
	[HP106_CHANGED_SIGNATURE_REFERENCED] = {
		"HP106", "changed-signature-referenced", SEV_ERROR,
		"an export changed its type but a module that is not upgraded still refers to it",
		"The symbol's type (its signature, or a variable's type) changed, "
		"but a module that the upgrade leaves unchanged was compiled against "
		"the old type and keeps using it after the upgrade: arguments and "
		"results no longer agree. Upgrade the referencing module in the same "
		"release, or keep the old signature.",
	},
	[HP107_TRANSFORMER_NEVER_CALLED] = {
		"HP107", "transformer-never-called", SEV_ERROR,
		"a state changed and the module has a state transformer, but no process of its own to suspend",
		"The release handler calls a state transformer (code_change) only for "
		"the processes it suspended, and it suspends the processes whose "
		"callback module is the module: threads started at an entry point "
		"of this module. This module has none, so it is loaded with "
		"load_module and its transformer never runs: the state in its "
		"globals keeps the old layout. Start the threads that use this "
		"state in this module, or convert the state another way.",
	},
};

_Static_assert(HP_ARRAY_SIZE(rules) == FINDING_RULE_COUNT,
	       "one rules[] entry per enum finding_rule");

const struct finding_rule_info *finding_rule_info(enum finding_rule rule)
{
	if ((unsigned)rule >= FINDING_RULE_COUNT)
		return NULL;
	return &rules[rule];
}

int finding_rule_lookup(const char *id_or_name, enum finding_rule *out)
{
	for (size_t i = 0; i < FINDING_RULE_COUNT; i++) {
		if (!strcmp(rules[i].id, id_or_name) || !strcmp(rules[i].name, id_or_name)) {
			*out = (enum finding_rule)i;
			return 0;
		}
	}
	return -1;
}

const char *finding_severity_name(enum finding_severity sev)
{
	switch (sev) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	case SEV_NOTE: return "note";
	}
	return "note";
}

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
	arena_release(&fs->arena);
	memset(fs, 0, sizeof(*fs));
}

void findings_add(struct findings *fs, enum finding_rule rule, const char *module,
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
	f->severity = rules[rule].severity;
	f->module = module ? arena_strdup(&fs->arena, module) : NULL;
	f->symbol = symbol ? arena_strdup(&fs->arena, symbol) : NULL;
	f->message = arena_strdup(&fs->arena, sb.buf);
	if (loc) {
		f->loc = *loc;
		f->loc.file = loc->file ? arena_strdup(&fs->arena, loc->file) : NULL;
	}
	sb_release(&sb);
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

size_t findings_count(const struct findings *fs, enum finding_rule rule)
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

void findings_write_text(const struct findings *fs, const char *prefix, struct strbuf *out)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->items[i];
		if (prefix)
			sb_adds(out, prefix);
		write_loc_prefix(out, &f->loc);
		sb_addf(out, "%s: %s [%s %s]\n", finding_severity_name(f->severity),
			f->message, rules[f->rule].id, rules[f->rule].name);
	}
}

static void indent_to(struct strbuf *out, int n)
{
	for (int i = 0; i < n; i++)
		sb_addc(out, ' ');
}

void findings_write_json(const struct findings *fs, int indent, struct strbuf *out)
{
	if (!fs->n) {
		sb_adds(out, "[]");
		return;
	}
	sb_adds(out, "[\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->items[i];
		indent_to(out, indent);
		sb_adds(out, "{\"rule\": ");
		json_put_string(out, rules[f->rule].id);
		sb_adds(out, ", \"name\": ");
		json_put_string(out, rules[f->rule].name);
		sb_adds(out, ", \"severity\": ");
		json_put_string(out, finding_severity_name(f->severity));
		sb_adds(out, ", \"module\": ");
		json_put_string(out, f->module);
		sb_adds(out, ", \"symbol\": ");
		json_put_string(out, f->symbol);
		sb_adds(out, ", \"message\": ");
		json_put_string(out, f->message);
		sb_adds(out, ", \"file\": ");
		json_put_string(out, f->loc.file);
		sb_addf(out, ", \"line\": %u, \"column\": %u}%s\n", f->loc.line, f->loc.col,
			i + 1 < fs->n ? "," : "");
	}
	indent_to(out, indent >= 2 ? indent - 2 : 0);
	sb_addc(out, ']');
}
