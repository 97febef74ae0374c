/*
 * findings.h - what the planner's checks report: one rule table with stable
 * identifiers, and a list of findings that plan, check, SARIF and JUnit all
 * read.
 *
 * A rule has a stable id ("HP101"), a short kebab-case name
 * ("removed-export-referenced"), a default severity, a one-line summary and a
 * help text. Ids never change meaning and are never reused; the planner's
 * rules are HP1xx (the simulator's, when they land, take HP2xx). The table is
 * static const data: finding_rule_info() is the only way to read it.
 *
 * A finding is one occurrence of a rule: module, symbol (or NULL), a message
 * that follows git's rules (lower case, no full stop, subject quoted), and
 * the position in the source that shows the problem (struct loc from
 * facts.h; file NULL when unknown).
 *
 * Invariant: after findings_sort() the list is ordered by (rule id, module,
 * symbol, message), so outputs are deterministic whatever order the checks
 * ran in.
 */
#ifndef HOTPLAN_FINDINGS_H
#define HOTPLAN_FINDINGS_H

#include <stddef.h>
#include "facts.h"
#include "util.h"

/* The rules. ORDER FINDING_RULES: keep in step with the table in findings.c. */
enum finding_rule {
	HP101_REMOVED_EXPORT_REFERENCED,
	HP102_STATE_CHANGE_WITHOUT_TRANSFORMER,
	HP103_MIXED_PROCESS_CYCLE,
	HP104_CODE_CHANGE_NOT_SUSPENDED,
	HP105_LOAD_OUT_OF_DEPENDENCY_ORDER,
	HP106_CHANGED_SIGNATURE_REFERENCED,
	HP107_TRANSFORMER_NEVER_CALLED,
	FINDING_RULE_COUNT
};

enum finding_severity { SEV_ERROR, SEV_WARNING, SEV_NOTE };

struct finding_rule_info {
	const char *id;          /* "HP101" */
	const char *name;        /* "removed-export-referenced" */
	enum finding_severity severity; /* default severity */
	const char *summary;     /* one line, for tables and SARIF shortDescription */
	const char *help;        /* what it means and what to do, a few sentences */
};

struct finding {
	enum finding_rule rule;
	enum finding_severity severity;
	const char *module;      /* the module the finding is about */
	const char *symbol;      /* the symbol, or NULL */
	const char *message;     /* the whole sentence, for people */
	struct loc loc;          /* where to look; file NULL if unknown */
};

/* A list of findings; strings are in its own arena, so the list outlives the
 * facts it was computed from. Zeroed storage is a valid empty list. */
struct findings {
	struct arena arena;
	struct finding *items;
	size_t n, alloc;
};

/* The rule's entry in the static table; never NULL for a valid rule. */
const struct finding_rule_info *finding_rule_info(enum finding_rule rule);
/* Looks a rule up by id ("HP101") or name; returns 0 and sets *out, or -1. */
int finding_rule_lookup(const char *id_or_name, enum finding_rule *out);
const char *finding_severity_name(enum finding_severity sev); /* "error", ... */

void findings_init(struct findings *fs);
void findings_release(struct findings *fs);

/*
 * Adds a finding of rule (at the rule's default severity). module, symbol and
 * loc.file are copied into the list's arena; the message is formatted there.
 */
void findings_add(struct findings *fs, enum finding_rule rule, const char *module,
		  const char *symbol, const struct loc *loc, const char *fmt, ...)
	HP_PRINTF(6, 7);

/* Sorts into the canonical order of the invariant above. */
void findings_sort(struct findings *fs);

/* How many findings of rule the list holds. */
size_t findings_count(const struct findings *fs, enum finding_rule rule);

/*
 * One line per finding, as compilers print them:
 *   "file:line:col: warning: message [HP105 load-out-of-dependency-order]\n"
 * (without a position when loc.file is NULL). prefix, if not NULL, starts
 * each line (e.g. "hotplan plan: ").
 */
void findings_write_text(const struct findings *fs, const char *prefix, struct strbuf *out);

/*
 * A JSON array of objects {"rule","name","severity","module","symbol",
 * "message","file","line","column"} at the given indent (spaces) for the
 * lines inside the array; the caller writes what comes before "[".
 */
void findings_write_json(const struct findings *fs, int indent, struct strbuf *out);

#endif
