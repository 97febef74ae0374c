/*
 * facts.h - what the analyzer knows about one C tree (DESIGN.md §3, §4.1).
 *
 * A struct facts owns everything it points to through its arena; it is built
 * by the analyzer or by facts_read_json(), and freed with facts_free().
 *
 * Invariants after facts_finish() (which the analyzer and the reader call):
 *  - modules are sorted by name, names are unique;
 *  - in each module, exports, locals, refs, entries, blocking, states are
 *    sorted (by name; refs by (module, symbol, kind, from));
 *  - edges are sorted by (from, to) and unique per pair; an edge's kinds is
 *    the OR of the REF_* bits of the refs behind it;
 *  - every string is in the arena, and no pointer is NULL unless documented.
 * So writing the same facts twice gives byte-identical JSON.
 */
#ifndef HOTPLAN_FACTS_H
#define HOTPLAN_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include "rules.h"
#include "util.h"

#define FACTS_FORMAT "hotplan-facts"
#define FACTS_VERSION 1
/* The most modules a facts file may hold (DESIGN.md §8 plans for 100,000). */
#define FACTS_MAX_MODULES 1000000

struct loc {
	const char *file;   /* path as given by the compile database; NULL if unknown */
	unsigned line, col; /* 1-based; 0 if unknown */
};

/*
 * A process: a thread started at an entry point (DESIGN.md §3). What it
 * calls between laps of its loop is the one next-call vocabulary of
 * hotplan: the analyzer's entries and the runtime's processes (runtime.h)
 * both use this enum, and next_call_name() is its one table of words.
 */
enum next_call { NEXT_LOCAL, NEXT_QUALIFIED, NEXT_BLOCKED };

enum sym_kind { SYM_FUNCTION, SYM_VARIABLE };

enum sym_linkage { LINK_EXTERNAL, LINK_INTERNAL };

struct symbol {
	const char *name;
	enum sym_kind kind;
	enum sym_linkage linkage;
	const char *signature;   /* the type as C spells it: "int (const char *)" */
	const char *visibility;  /* "default", "hidden", "protected" */
	int is_inline;           /* defined inline (static inline or C99 inline) */
	uint64_t sig_hash;       /* hash of the canonical type */
	uint64_t hash;           /* semantic hash of the body or initializer (0: none) */
	struct loc loc;          /* the definition */
	/* What the function's loops do between laps (functions only): has_loop
	 * is 0 when it has none; loop_next and loop_blocking (the blocking call,
	 * or NULL) then say what a thread started here would do. The merge
	 * uses them to fill entries whose spawn site is in another module. */
	int has_loop;
	enum next_call loop_next;
	const char *loop_blocking;
};

enum ref_kind {
	REF_CALL = 1,      /* direct call */
	REF_ADDRESS = 2,   /* address taken (function pointer, &var) */
	REF_DATA = 4,      /* read or write of a variable */
	REF_QUALIFIED = 8, /* call through the export table (lookup function) */
};

struct ref {
	const char *symbol;   /* the referenced symbol */
	const char *module;   /* the module that defines it (never this module);
			       * NULL only in per-unit facts: not resolved yet */
	unsigned kind;        /* one REF_* bit */
	int ambiguous;        /* the symbol is defined in several modules */
	const char *from;     /* the function (or variable) of this module that refers */
	struct loc loc;       /* first reference */
};

struct entry {
	const char *function;   /* the start routine, defined in this module */
	const char *spawner;    /* "pthread_create", "thrd_create", or a config one */
	const char *spawn_module; /* the module whose code calls the spawner */
	const char *spawned_in; /* the function that calls the spawner */
	enum next_call next_call; /* what its loop does between laps */
	const char *blocking;   /* the blocking call it waits in, or NULL */
	struct loc loc;         /* the start routine's definition */
};

/* A loop that waits in a blocking call: "a process blocked in receive". */
struct blocking {
	const char *function;   /* the function containing the loop */
	const char *callee;     /* read, recv, accept, poll, pthread_cond_wait, ... */
	struct loc loc;         /* the blocking call */
};

/* A state type: a record reached from the module's globals/statics or from
 * its state transformer's parameters. */
struct state_type {
	const char *name;       /* "struct sip_state" */
	uint64_t layout_hash;   /* fields, types, sizes, offsets */
	const char *layout;     /* human-readable layout, e.g. "int a@0; char b[8]@4; size 12" */
	struct loc loc;
};

struct module {
	const char *name;       /* file stem, or quoted path on a clash (DESIGN.md §3) */
	const char **files;     /* main source files of the module (sorted) */
	size_t nfiles;
	uint64_t hash;          /* semantic hash of the whole module */
	uint64_t flags_hash;    /* hash of the compile flags that matter */
	/* The flags behind flags_hash, in command-line order, one per element
	 * with its value: "-O2", "-DFAST_PATH", "-I../include", "-include
	 * ../cfg.h" (path values relative to the source file's folder, as
	 * hashed). A module grouped from several units lists each unit's flags
	 * in turn, units in file order. has_flags is 0 (and flags NULL) when
	 * the facts do not list them: facts written before the list existed. */
	const char **flags;
	size_t nflags;
	int has_flags;
	int incomplete;         /* failed to parse under --keep-going */
	struct symbol *exports; size_t nexports;
	struct symbol *locals;  size_t nlocals;
	struct ref *refs;       size_t nrefs;
	struct entry *entries;  size_t nentries;
	struct blocking *blocking; size_t nblocking;
	const char *transformer; /* the state transformer's name, or NULL */
	struct state_type *states; size_t nstates;
};

struct edge {
	const char *from, *to;  /* module names */
	unsigned kinds;         /* OR of REF_* */
	unsigned count;         /* number of refs behind it */
	int ambiguous;
};

/*
 * A program the tree builds: an executable, with the modules linked into
 * it (sorted, unique; its libraries' modules included). Known from CMake's
 * file API (source "cmake") or inferred by the analyzer (source "inferred":
 * one program per module defining 'main', made of the modules its
 * references reach). Facts with no programs describe one program made of
 * every module, as facts written before programs existed do.
 */
struct program {
	const char *name;       /* the CMake target, or the module defining main */
	const char *kind;       /* "executable" */
	const char *source;     /* "cmake" or "inferred" */
	const char **modules; size_t nmodules;
};

struct diagnostic {
	enum severity severity; /* rules.h */
	const char *module;     /* or NULL */
	const char *message;
	struct loc loc;
};

struct facts {
	struct arena arena;
	const char *root;       /* the tree as given on the command line */
	/* The absolute folder the modules' relative file paths are relative to
	 * (the analyzer's source root: the folder common to every unit), or
	 * NULL when unknown (facts written before it was recorded). */
	const char *source_root;
	/* Per-unit facts (analyze --tu): refs may have a NULL module (not yet
	 * resolved), and entries sit in the module that spawns them until
	 * merge moves them to the module defining the start routine. */
	int unit;
	struct module *modules; size_t nmodules;
	struct edge *edges;     size_t nedges;
	struct diagnostic *diags; size_t ndiags;
	/* sorted by name, names unique; none: the tree is one program */
	struct program *programs; size_t nprograms;
};

/* ---- lifecycle ---------------------------------------------------------- */

struct facts *facts_new(void);
void facts_free(struct facts *f);

/*
 * Sorts everything into the canonical order of the invariants above and
 * rebuilds edges from the modules' refs. Call after building facts by hand.
 */
void facts_finish(struct facts *f);

/* ---- lookups -------------------------------------------------------------- */

/* Binary search by name (modules are sorted); NULL if absent. */
struct module *facts_module(const struct facts *f, const char *name);
const struct symbol *module_export(const struct module *m, const char *name);
const struct symbol *module_local(const struct module *m, const char *name);

/* ---- programs ------------------------------------------------------------ */

/* The program named name (binary search), or NULL. */
const struct program *facts_program(const struct facts *f, const char *name);
/* Whether program p links module (binary search). */
int program_has_module(const struct program *p, const char *module);

/* The names of f's programs, "a, b, c", appended to sb. */
void facts_program_names(const struct facts *f, struct strbuf *sb);

/*
 * The facts of one program of f: its modules only; their refs to modules
 * outside it dropped (a symbol several modules define resolves to the
 * definer inside the program, ambiguous only when several of them are
 * in it); the entries spawned from outside it dropped (a thread a
 * library routine runs exists only in the programs that spawn it);
 * diagnostics of other modules dropped; edges rebuilt; programs holding
 * only this one. *out points into f (which must outlive it) and is freed
 * with facts_free(). Returns 0, or HP_EUSAGE with err naming f's programs
 * when it has no program called name.
 */
int facts_select_program(const struct facts *f, const char *name, struct facts **out,
			 struct errbuf *err);

/* ---- JSON (DESIGN.md §4.1) ------------------------------------------------ */

/*
 * Writes facts as canonical JSON (keys in a fixed order, 2-space indent,
 * hashes as 16 hex digits). Deterministic.
 */
void facts_write_json(const struct facts *f, struct strbuf *out);

/*
 * Reads facts JSON. Unknown fields are ignored; wrong types, a wrong
 * "format" or an unsupported "version" are rejected with
 * "file:line:column: ..." in err and HP_EINPUT. file names the input in
 * messages.
 */
int facts_read_json(const char *file, const char *json, size_t len,
		    struct facts **out, struct errbuf *err);
int facts_read_file(const char *path, struct facts **out, struct errbuf *err);

/* Whether a file's contents look like facts JSON (to tell a facts file from a
 * compile_commands.json given as TREE). */
int facts_sniff(const char *json, size_t len);

const char *ref_kind_name(unsigned kind);      /* "call", "address", ... */
const char *next_call_name(enum next_call nc); /* "local", ... */

#endif
