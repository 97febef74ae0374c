/*
 * diff.h - what changed between two facts, module by module and symbol by
 * symbol (DESIGN.md §6 step 1).
 *
 * A struct diff is computed from two struct facts that must outlive it (it
 * points at their modules, symbols and strings); its own arrays live in its
 * arena, freed by diff_release().
 *
 * Invariants:
 *  - mods holds every module of either version exactly once, sorted by name
 *    (strcmp), whatever its status;
 *  - in a module, syms holds only symbols that changed (by name), states only
 *    state types that changed (by name); both are empty for an unchanged
 *    module;
 *  - a module is MOD_CHANGED iff it is in both versions and its changes mask
 *    is not zero. A changed module's mask is the OR of its symbols' and
 *    states' masks plus CHG_FLAGS (compile flags) and CHG_OTHER (the
 *    module's semantic hash differs but no symbol, state type or flag
 *    explains it, e.g. a type that is no state type changed).
 * What changed is decided on the analyzer's semantic hashes, never on text.
 */
#ifndef HOTPLAN_DIFF_H
#define HOTPLAN_DIFF_H

#include <stddef.h>
#include "facts.h"
#include "util.h"

/* Kinds of change (DESIGN.md §3), one bit each. ORDER CHG_NAMES. */
enum change_kind {
	CHG_BODY = 1u << 0,         /* a function's body */
	CHG_SIGNATURE = 1u << 1,    /* a function's type, or a variable's */
	CHG_LINKAGE = 1u << 2,      /* external <-> static */
	CHG_VISIBILITY = 1u << 3,   /* default, hidden, protected */
	CHG_ADDED = 1u << 4,        /* the symbol, state type or module is new */
	CHG_REMOVED = 1u << 5,      /* ... or gone */
	CHG_INITIALIZER = 1u << 6,  /* a variable's initializer */
	CHG_STATE_LAYOUT = 1u << 7, /* a state type's fields, types, sizes, offsets */
	CHG_FLAGS = 1u << 8,        /* the module's compile flags */
	CHG_OTHER = 1u << 9,        /* module hash differs, nothing above explains it */
};
#define CHG_KIND_COUNT 10

/* "body", "signature", "linkage", "visibility", "added", "removed",
 * "initializer", "state-layout", "flags", "other" for one bit; NULL
 * otherwise. */
const char *change_kind_name(unsigned kind);
/* Appends the names of the bits of mask, in bit order, joined by sep. */
void change_kinds_write(struct strbuf *out, unsigned mask, const char *sep);

struct sym_diff {
	const char *name;
	enum sym_kind kind;         /* the new version's, or the old one's if removed */
	unsigned changes;           /* CHG_BODY ... CHG_INITIALIZER bits; linkage
				     * and visibility are told apart: either,
				     * both or neither */
	const struct symbol *old, *new; /* NULL where absent */
	int old_exported, new_exported; /* exported in that version (0 if absent) */
};

struct state_diff {
	const char *name;           /* "struct conn_state" */
	unsigned changes;           /* CHG_ADDED, CHG_REMOVED or CHG_STATE_LAYOUT */
	const struct state_type *old, *new;
};

enum mod_status { MOD_UNCHANGED, MOD_CHANGED, MOD_ADDED, MOD_REMOVED };

struct mod_diff {
	const char *name;
	enum mod_status status;
	unsigned changes;           /* see the invariants; CHG_ADDED/CHG_REMOVED
				     * alone for a module added or removed */
	const struct module *old, *new; /* NULL where absent */
	struct sym_diff *syms; size_t nsyms;
	struct state_diff *states; size_t nstates;
	/* exports added (incl. static -> external), removed (incl. external ->
	 * static, and every export of a removed module), and kept but changed
	 * in type */
	size_t exports_added, exports_removed, exports_retyped;
	/* With CHG_FLAGS: flags_listed says whether both facts list the
	 * module's flags (facts.h; if not, nothing more can be said than that
	 * they changed); then the flags only the new version has (in its
	 * order) and those only the old one has (in its order), as multisets:
	 * a flag given twice before and once now is removed once. Both are
	 * empty when the same flags only changed places. */
	int flags_listed;
	const char **flags_added;   size_t nflags_added;
	const char **flags_removed; size_t nflags_removed;
};

struct diff {
	struct arena arena;
	const struct facts *old, *new;
	struct mod_diff *mods; size_t nmods;
	size_t nadded, nremoved, nchanged, nunchanged;
};

/*
 * Computes the diff of old -> new into d (caller storage, overwritten). Both
 * facts must satisfy facts.h's invariants (modules, exports, locals and
 * states sorted by name). Linear in the size of both facts. Cannot fail.
 */
void diff_compute(struct diff *d, const struct facts *old, const struct facts *new);
void diff_release(struct diff *d);

/* The module's entry (binary search); NULL if in neither version. */
const struct mod_diff *diff_module(const struct diff *d, const char *name);
/* Whether any state type of the module was added, removed or re-laid out. */
int mod_diff_state_changed(const struct mod_diff *m);
const char *mod_status_name(enum mod_status st); /* "unchanged", "changed", ... */

/*
 * Text for people: a summary line, then added, removed and changed modules
 * (the compile flags added and removed; per symbol: kind of symbol, kinds
 * of change, old -> new signature, linkage, visibility or layout,
 * position), unchanged modules, and the export and state layout
 * summaries. Deterministic.
 */
void diff_write_text(const struct diff *d, struct strbuf *out);
/* JSON {"format":"hotplan-diff","version":1,...}; see diff.c for fields. */
void diff_write_json(const struct diff *d, struct strbuf *out);

/* The "summary" member of that document, {"added": N, "removed": N,
 * "changed": N, "unchanged": N} on one line, written into an object that w
 * has open (plan --format json carries the same member). */
struct jsonw;
void diff_write_summary(const struct diff *d, struct jsonw *w);

#endif
