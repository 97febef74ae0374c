/*
 * translate.h - high-level appup instructions -> low-level release-handler
 * script, exactly as OTP's systools_rc:translate_scripts/4 does
 * (SEMANTICS.md §2 is the specification).
 *
 * Everything is Erlang terms (model/term.h) in the caller's arena. Where OTP
 * leaves an order open (SEMANTICS.md §2.6, ties between topological orders),
 * ties are broken by module name, so output is deterministic.
 */
#ifndef HOTPLAN_TRANSLATE_H
#define HOTPLAN_TRANSLATE_H

#include "term.h"
#include "util.h"

enum tr_mode { TR_UP, TR_DN };

/* An application of a release: OTP's #application{} as far as
 * translate_scripts uses it. */
struct app_spec {
	const char *name;
	const char *vsn;
	const char **mods;   /* modules, in the .app file's order */
	size_t nmods;
	const char *type;    /* start type (permanent, transient, temporary,
			      * load, none), or NULL for the default */
};

struct translate_input {
	enum tr_mode mode;
	struct term **scripts;   /* each a proper list of high-level instructions */
	size_t nscripts;
	struct app_spec *apps;   /* Appls: the target release (for dn, the older one) */
	size_t napps;
	struct app_spec *pre_apps; /* PreAppls */
	size_t npre_apps;
	const char *file;        /* where the scripts were read, for error
				  * positions; NULL when they were built */
};

/*
 * Translates. On success returns 0 and *out is a proper TERM_LIST of
 * low-level instructions. On failure returns HP_EINPUT, *reason is the term
 * OTP would return as Reason in {error, systools_rc, Reason} (for example
 * {undef_module, m}), and err->msg is a readable message that includes the
 * reason and, when the offending instruction came from a file, its
 * file:line:column.
 *
 * Every term of *out and *reason lives in a; terms of the input that pass
 * through unchanged are shared, not copied. Apart from OTP's reasons there
 * is one of hotplan's own: {improper_list, L} for an improper list where
 * OTP iterates (OTP's translator crashes there instead of answering).
 * Cost: O((n + e) log n) for n instructions and e dependencies (OTP's own
 * translator is cubic in the size of a dependency component).
 */
int translate_scripts(struct arena *a, const struct translate_input *in,
		      struct term **out, struct term **reason, struct errbuf *err);

/*
 * What the table of high-level appup instructions (translate.c, the one
 * place that knows them) says about an instruction tag:
 *   TR_F_MODULE           {Tag, Mod, ...} loads, updates, adds or deletes
 *                         Mod (update, load_module, add_module,
 *                         delete_module: the dependency graph's vertices)
 *   TR_F_MODULE_IN_TUPLE  {Tag, {Mod, _, _}} names Mod (load, remove)
 * translate_instr_flags() returns them for tag; 0 for a tag that is no
 * instruction, or names no module.
 */
enum { TR_F_MODULE = 1, TR_F_MODULE_IN_TUPLE = 2 };
unsigned translate_instr_flags(const char *tag);

/*
 * Builds a translate_input from the terms of a translate input file
 * (DESIGN.md §4.2): one or more instruction lists (each a list, or
 * {script, [Instr]}), an optional {mode, up|dn}, {apps, [...]},
 * {pre_apps, [...]}, in any order; or a real .appup term
 * {Vsn, [{UpFrom, Instrs}], [{DownTo, Instrs}]}, from which from_vsn (NULL:
 * the only or first entry) picks the entry of the mode's side. mode_override
 * is -1 or an enum tr_mode. Errors name file:line:column.
 */
int translate_read_input(struct arena *a, const char *file, struct term **terms,
			 size_t nterms, const char *from_vsn, int mode_override,
			 struct translate_input *in, struct errbuf *err);

#endif
