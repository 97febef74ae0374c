/*
 * findings.h - what the planner's checks report: a list of findings that
 * plan, check, SARIF and JUnit all read. The rules they are findings of,
 * with their ids, names, severities and help, are model/rules.h's one
 * table (the planner's are HP1xx).
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
#include "rules.h"
#include "util.h"

struct finding {
	enum hp_rule rule;       /* a planner rule (origin RULE_PLANNER) */
	enum severity severity;
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

void findings_init(struct findings *fs);
void findings_release(struct findings *fs);

/*
 * Adds a finding of rule (at the rule's default severity). module, symbol and
 * loc.file are copied into the list's arena; the message is formatted there.
 */
void findings_add(struct findings *fs, enum hp_rule rule, const char *module,
		  const char *symbol, const struct loc *loc, const char *fmt, ...)
	HP_PRINTF(6, 7);

/* Sorts into the canonical order of the invariant above. */
void findings_sort(struct findings *fs);

/* How many findings of rule the list holds. */
size_t findings_count(const struct findings *fs, enum hp_rule rule);

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
