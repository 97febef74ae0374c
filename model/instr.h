/*
 * instr.h - the low-level instruction set of OTP's release handler
 * (SEMANTICS.md §3.1): the enum, the name table and the decoding of script
 * terms into struct instr.
 *
 * The set is defined once, in instr.def; everything here is expanded from it.
 * Decoding checks the operand shape of every instruction (what eval/2 would
 * match) and reports a malformed one with file:line:column; it does not
 * check the order of instructions (the simulator reproduces what OTP does
 * with a misplaced one, the planner's checks report it).
 *
 * Invariant: a decoded struct instr points only into the arena it was
 * decoded with and into the terms it came from; for every shape naming
 * modules, mods/nmods hold them in script order (load and remove: one).
 */
#ifndef HOTPLAN_INSTR_H
#define HOTPLAN_INSTR_H

#include <stddef.h>
#include "term.h"
#include "util.h"

/* Operand shapes. */
enum instr_shape {
	SHAPE_NONE,          /* a bare atom: point_of_no_return */
	SHAPE_APP_VSN_MODS,  /* {load_object_code, {App, Vsn, [Mod]}} */
	SHAPE_MOD_PRE_POST,  /* {load, {Mod, PrePurge, PostPurge}} */
	SHAPE_MODS,          /* {purge, [Mod]} */
	SHAPE_MODS_TIMEOUT,  /* {suspend, [Mod | {Mod, Timeout}]} */
	SHAPE_CODE_CHANGE,   /* {code_change, [{Mod, Extra}]} | {code_change, up|down, [{Mod, Extra}]} */
	SHAPE_SYNC_NODES,    /* {sync_nodes, Id, [Node] | {M, F, A}} */
	SHAPE_MFA,           /* {apply, {M, F, A}} */
};

/*
 * Flags. Only what something reads is defined: release_handler_1 refuses an
 * instruction with INSTR_F_BEFORE_ONLY after point_of_no_return with
 * {illegal_instruction_after_point_of_no_return, Instr} (the simulator
 * reproduces it; tests/model/test_instr.c asks OTP which ones).
 */
enum {
	INSTR_F_BEFORE_ONLY = 1, /* illegal after point_of_no_return */
};

enum instr_op {
#define INSTR(id, name, shape, flags) INSTR_##id,
#include "instr.def"
#undef INSTR
	INSTR__COUNT
};

/*
 * Purge: the one vocabulary of purge methods in hotplan. PURGE_SOFT and
 * PURGE_BRUTAL are the PrePurge/PostPurge of a load or remove instruction;
 * PURGE_AUTO is only a user's choice (--purge auto, {purge, auto}) that
 * upgrade/ resolves into soft or brutal per module. Invariant: a decoded
 * or written instruction never carries PURGE_AUTO (instr_decode() cannot
 * yield it; purge_method_name(), through which every instruction's purge
 * atom is written, asserts it).
 */
enum purge_method { PURGE_SOFT, PURGE_BRUTAL, PURGE_AUTO };
enum cc_mode { CC_UP, CC_DOWN };

/* Timeouts of {suspend, [{Mod, Timeout}]}. */
#define INSTR_TIMEOUT_DEFAULT (-1L)
#define INSTR_TIMEOUT_INFINITY (-2L)

struct instr_mod {
	const char *name;
	long timeout;              /* suspend: ms, or INSTR_TIMEOUT_* */
	const struct term *extra;  /* code_change: Extra; NULL otherwise */
};

struct instr {
	enum instr_op op;
	unsigned line, col;        /* where the instruction starts */
	const struct term *term;   /* the instruction as written */
	struct instr_mod *mods;    /* modules named, in order */
	size_t nmods;
	const char *app, *vsn;     /* load_object_code */
	enum purge_method pre, post; /* load, remove */
	enum cc_mode mode;         /* code_change */
	const char *m, *f;         /* apply */
	const struct term *args;   /* apply: the argument list */
};

/* A script: the instructions of one upgrade, in order. */
struct script {
	const char *file;
	struct instr *instrs;
	size_t n;
};

const char *instr_name(enum instr_op op);
enum instr_shape instr_shape_of(enum instr_op op);
unsigned instr_flags(enum instr_op op);
/* Finds the instruction named name; returns 0 or -1. */
int instr_lookup(const char *name, enum instr_op *op);
/* The instruction atom of p: "soft_purge" or "brutal_purge"; p is not
 * PURGE_AUTO. */
const char *purge_method_name(enum purge_method p);
/* The option word of p: "soft", "brutal" or "auto". */
const char *purge_option_name(enum purge_method p);
/* The method an option word names; returns 0 and sets *out, or -1. */
int purge_option_lookup(const char *word, enum purge_method *out);

/*
 * Decodes one instruction term. Returns 0, or HP_EINPUT with
 * "file:line:column: ..." in err for an unknown or malformed instruction.
 */
int instr_decode(struct arena *a, const char *file, const struct term *t,
		 struct instr *out, struct errbuf *err);

/*
 * Decodes the terms of a script file. Accepted: one instruction per term
 * (what 'hotplan plan' writes), a single term that is the list of
 * instructions, or a relup {Vsn, [{UpFrom, Descr, Instrs} | _], Down}
 * (its first up script).
 */
int script_decode(struct arena *a, const char *file, struct term **terms, size_t n,
		  struct script *out, struct errbuf *err);
/* Reads path ("-" is standard input) and decodes it. */
int script_read_file(struct arena *a, const char *path, struct script *out,
		     struct errbuf *err);

#endif
