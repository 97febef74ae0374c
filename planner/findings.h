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
 * Findings that say one thing together are tied to a group: the HP105
 * findings of the plan's upgrade script whose two modules are in one
 * strongly connected component of the dependency graph (in a cycle every
 * load order leaves such a window) belong to that component's struct
 * finding_cycle, which check reports once (upgrade/assess.c).
 *
 * Invariant: after findings_sort() the list is ordered by (rule id, module,
 * symbol, message), so outputs are deterministic whatever order the checks
 * ran in; a finding's cycle number stays with it.
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
	size_t cycle;            /* 0, or 1 + the index of its struct finding_cycle */
};

/*
 * A dependency cycle (a strongly connected component of more than one module,
 * edges of the version the script installs) whose loads leave a window: the
 * script loads some members before members they reference.
 */
struct finding_cycle {
	const char *const *modules; size_t nmodules;  /* in name order */
	size_t first, last;   /* 1-based script positions of the first and the
			       * last load of a member */
	size_t nloads;        /* load instructions from first to last, both counted */
	size_t nfindings;     /* findings of the list tied to it */
};

/* A list of findings; strings are in its own arena, so the list outlives the
 * facts it was computed from. Zeroed storage is a valid empty list. */
struct findings {
	struct arena arena;
	struct finding *items;
	size_t n, alloc;
	struct finding_cycle *cycles;  /* in the order they were added */
	size_t ncycles, cycles_alloc;
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

/*
 * Adds a cycle (modules copied into the list's arena and sorted by name)
 * with no findings yet; returns its number for struct finding.cycle (1 +
 * its index). Tie a finding to it with findings_tie().
 */
size_t findings_add_cycle(struct findings *fs, const char *const *modules, size_t n,
			  size_t first, size_t last, size_t nloads);
/* Ties the finding added last to cycle (a number findings_add_cycle()
 * returned). */
void findings_tie(struct findings *fs, size_t cycle);

/* Sorts into the canonical order of the invariant above. */
void findings_sort(struct findings *fs);

/* How many findings of rule the list holds. */
size_t findings_count(const struct findings *fs, enum hp_rule rule);

/*
 * One line per finding, as compilers print them:
 *   "file:line:col: warning: message [HP105 load-out-of-dependency-order]\n"
 * (without a position when loc.file is NULL), except that the findings of
 * one dependency cycle (struct finding.cycle) share one line, at the first
 * one's position, naming the cycle's modules, its window and how many
 * references it holds. prefix, if not NULL, starts each line (e.g.
 * "hotplan plan: ").
 */
void findings_write_text(const struct findings *fs, const char *prefix, struct strbuf *out);

/*
 * The head of a dependency cycle's message, shared by plan's warning and
 * check's finding: "the upgrade script loads the N modules of a dependency
 * cycle ('a', ...) over a window of K loads, #F to #L: ... (R references
 * loaded out of order" -- the caller closes the parenthesis.
 */
void findings_cycle_text(struct strbuf *out, const struct finding_cycle *cy);

/*
 * A JSON array of objects {"rule","name","severity","module","symbol",
 * "message","file","line","column"} at the given indent (spaces) for the
 * lines inside the array; the caller writes what comes before "[".
 */
void findings_write_json(const struct findings *fs, int indent, struct strbuf *out);

#endif
