/*
 * translate_input.c - the input of 'hotplan translate' (DESIGN.md §4.2):
 * the terms of a file turned into a struct translate_input.
 *
 * Accepted terms, in any order:
 *   [Instr]                      an instruction list (a script)
 *   {script, [Instr]}            the same
 *   {mode, up | dn}
 *   {apps, [AppSpec]}            the target release (Appls)
 *   {pre_apps, [AppSpec]}        the source release (PreAppls)
 *   {Vsn, [{UpFrom, [Instr]}], [{DownTo, [Instr]}]}   a real .appup
 * where AppSpec is {Name, Vsn, [Mod]} or {Name, Vsn, [Mod], StartType}.
 *
 * Invariants: everything that is wrong names file:line:column and leaves
 * *in untouched; nothing here decides what translate_scripts would refuse
 * (bad instructions are its job, so that the Reason is OTP's).
 */
#include "translate.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int in_error(struct errbuf *err, const char *file, const struct term *at,
		    const char *fmt, const char *what) HP_PRINTF(4, 0);

/* An input error at the position of at; fmt has one %s, for what. */
static int in_error(struct errbuf *err, const char *file, const struct term *at,
		    const char *fmt, const char *what)
{
	char msg[512];
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
	snprintf(msg, sizeof(msg), fmt, what);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
	return hp_error_at(err, HP_EINPUT, file, at ? at->line : 0, at ? at->col : 0, "%s", msg);
}

static const char *const start_types[] = { "permanent", "transient", "temporary", "load", "none" };

/* Reads [AppSpec] into an arena array. */
static int read_apps(struct arena *a, const char *file, const struct term *l,
		     struct app_spec **out, size_t *nout, struct errbuf *err)
{
	if (l->type != TERM_LIST || l->u.seq.tail)
		return in_error(err, file, l, "%s", "expected a list of {Name, Vsn, [Mod]} or {Name, Vsn, [Mod], StartType}");
	size_t n = l->u.seq.n;
	struct app_spec *apps = arena_zalloc(a, (n ? n : 1) * sizeof(*apps));
	for (size_t k = 0; k < n; k++) {
		const struct term *s = l->u.seq.items[k];
		if (!term_is_tuple(s, 3) && !term_is_tuple(s, 4))
			return in_error(err, file, s, "%s", "expected {Name, Vsn, [Mod]} or {Name, Vsn, [Mod], StartType}");
		const struct term *name = term_elem(s, 0), *vsn = term_elem(s, 1), *mods = term_elem(s, 2);
		if (name->type != TERM_ATOM)
			return in_error(err, file, name, "%s", "application name must be an atom");
		const char *v = term_charlist(a, vsn);
		if (!v)
			return in_error(err, file, vsn, "%s", "application version must be a string");
		if (mods->type == TERM_STRING && mods->u.str.len == 0) {
			apps[k].mods = NULL;
		} else if (mods->type != TERM_LIST || mods->u.seq.tail) {
			return in_error(err, file, mods, "%s", "application modules must be a list of atoms");
		} else {
			apps[k].mods = arena_alloc(a, (mods->u.seq.n ? mods->u.seq.n : 1) * sizeof(char *));
			for (size_t j = 0; j < mods->u.seq.n; j++) {
				const struct term *m = mods->u.seq.items[j];
				if (m->type != TERM_ATOM)
					return in_error(err, file, m, "%s", "a module must be an atom");
				apps[k].mods[j] = m->u.atom;
			}
			apps[k].nmods = mods->u.seq.n;
		}
		apps[k].name = name->u.atom;
		apps[k].vsn = v;
		if (s->u.seq.n == 4) {
			const struct term *ty = term_elem(s, 3);
			for (size_t j = 0; j < HP_ARRAY_SIZE(start_types) && ty->type == TERM_ATOM; j++)
				if (!strcmp(ty->u.atom, start_types[j]))
					apps[k].type = ty->u.atom;
			if (!apps[k].type)
				return in_error(err, file, ty, "%s", "start type must be permanent, transient, temporary, load or none");
		}
	}
	*out = apps;
	*nout = n;
	return 0;
}

/* Whether the version term v (a string, or a binary regular expression as
 * in OTP appups) matches the requested version. */
static int vsn_matches(struct arena *a, const struct term *v, const char *want)
{
	const char *s = term_charlist(a, v);
	if (s)
		return !strcmp(s, want);
	if (v->type == TERM_BINARY) {
		regex_t re;
		char *pat = arena_printf(a, "^(%.*s)$", (int)v->u.str.len, v->u.str.s);
		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB))
			return 0;
		int ok = !regexec(&re, want, 0, NULL, 0);
		regfree(&re);
		return ok;
	}
	return 0;
}

/* Picks the instruction list of an .appup term for mode and from_vsn. */
static int read_appup(struct arena *a, const char *file, const struct term *t, int mode,
		      const char *from_vsn, struct term **script, struct errbuf *err)
{
	const struct term *side = term_elem(t, mode == TR_UP ? 1 : 2);
	if (side->type != TERM_LIST || side->u.seq.tail)
		return in_error(err, file, side, "%s", "expected a list of {Vsn, [Instr]} in the appup");
	for (size_t k = 0; k < side->u.seq.n; k++) {
		const struct term *e = side->u.seq.items[k];
		if (!term_is_tuple(e, 2) || !(term_is_charlist(term_elem(e, 0)) || term_elem(e, 0)->type == TERM_BINARY))
			return in_error(err, file, e, "%s", "expected {Vsn, [Instr]} in the appup");
		if (!from_vsn || vsn_matches(a, term_elem(e, 0), from_vsn)) {
			*script = term_elem(e, 1);
			return 0;
		}
	}
	if (!side->u.seq.n)
		return in_error(err, file, side, "%s", mode == TR_UP ? "the appup has no upgrade entry"
								      : "the appup has no downgrade entry");
	return hp_error_at(err, HP_EINPUT, file, side->line, side->col,
			   "no %s entry of the appup matches version '%s'",
			   mode == TR_UP ? "upgrade" : "downgrade", from_vsn);
}

typedef VEC(const char *) namevec;

/* Adds name to the default application's modules if it is new. */
static void default_mod(struct arena *a, struct strmap *seen, const struct term *m,
			namevec *mods)
{
	(void)a;
	if (m && m->type == TERM_ATOM && !strmap_get(seen, m->u.atom)) {
		strmap_put(seen, m->u.atom, (void *)m);
		VEC_PUSH(mods, m->u.atom);
	}
}

/* The modules instruction i (or, for a list, its instructions) names, by
 * translate_instr_flags(). */
static void default_mods_of(struct arena *a, struct strmap *seen, const struct term *i,
			    namevec *mods)
{
	if (i->type == TERM_LIST) {
		for (size_t k = 0; k < i->u.seq.n; k++)
			default_mods_of(a, seen, i->u.seq.items[k], mods);
		return;
	}
	if (i->type != TERM_TUPLE || i->u.seq.n < 2 || i->u.seq.items[0]->type != TERM_ATOM)
		return;
	unsigned flags = translate_instr_flags(i->u.seq.items[0]->u.atom);
	if (flags & TR_F_MODULE)
		default_mod(a, seen, i->u.seq.items[1], mods);
	if ((flags & TR_F_MODULE_IN_TUPLE) && term_is_tuple(i->u.seq.items[1], 3))
		default_mod(a, seen, term_elem(i->u.seq.items[1], 0), mods);
}

int translate_read_input(struct arena *a, const char *file, struct term **terms,
			 size_t nterms, const char *from_vsn, int mode_override,
			 struct translate_input *in, struct errbuf *err)
{
	VEC(struct term *) scripts = {0};
	const struct term *appup = NULL, *mode_t = NULL, *apps_t = NULL, *pre_t = NULL;
	struct translate_input r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.file = file;
	for (size_t k = 0; k < nterms && !rc; k++) {
		struct term *t = terms[k];
		if (t->type == TERM_LIST || t->type == TERM_STRING) {
			VEC_PUSH(&scripts, t);
		} else if (term_is_tagged(t, "script", 2)) {
			struct term *l = term_elem(t, 1);
			if (l->type != TERM_LIST && l->type != TERM_STRING)
				rc = in_error(err, file, l, "%s", "{script, Instrs} needs a list of instructions");
			else
				VEC_PUSH(&scripts, l);
		} else if (term_is_tagged(t, "mode", 2)) {
			const struct term *m = term_elem(t, 1);
			if (mode_t)
				rc = in_error(err, file, t, "%s", "more than one {mode, ...}");
			else if (!term_is_atom(m, "up") && !term_is_atom(m, "dn"))
				rc = in_error(err, file, m, "%s", "mode must be up or dn");
			mode_t = t;
		} else if (term_is_tagged(t, "apps", 2) || term_is_tagged(t, "pre_apps", 2)) {
			int pre = term_is_tagged(t, "pre_apps", 2);
			if (pre ? pre_t : apps_t)
				rc = in_error(err, file, t, "more than one {%s, ...}", pre ? "pre_apps" : "apps");
			else if (pre)
				rc = read_apps(a, file, term_elem(t, 1), &r.pre_apps, &r.npre_apps, err);
			else
				rc = read_apps(a, file, term_elem(t, 1), &r.apps, &r.napps, err);
			if (pre)
				pre_t = t;
			else
				apps_t = t;
		} else if (term_is_tuple(t, 3) && term_is_charlist(term_elem(t, 0))) {
			if (appup)
				rc = in_error(err, file, t, "%s", "more than one appup term");
			appup = t;
		} else {
			rc = in_error(err, file, t, "%s",
				      "expected an instruction list, {script, Instrs}, {mode, M}, {apps, Specs}, "
				      "{pre_apps, Specs} or an appup {Vsn, Ups, Downs}");
		}
	}
	if (rc)
		goto out;
	if (mode_override >= 0)
		r.mode = (enum tr_mode)mode_override;
	else if (mode_t)
		r.mode = term_is_atom(term_elem(mode_t, 1), "dn") ? TR_DN : TR_UP;
	else
		r.mode = TR_UP;
	if (appup) {
		struct term *s = NULL;
		if (scripts.n) {
			rc = in_error(err, file, scripts.items[0], "%s", "an appup and instruction lists cannot be mixed");
			goto out;
		}
		if ((rc = read_appup(a, file, appup, (int)r.mode, from_vsn, &s, err)))
			goto out;
		VEC_PUSH(&scripts, s);
	} else if (from_vsn) {
		rc = hp_error(err, HP_EUSAGE, "--from needs an appup input ('%s' has none)", file);
		goto out;
	}
	if (!scripts.n) {
		/* where a list was expected: the first term, or 1:1 of an empty input */
		const struct term *at = nterms && terms[0]->line ? terms[0] : NULL;
		rc = hp_error_at(err, HP_EINPUT, file, at ? at->line : 1, at ? at->col : 1,
				 "no instruction list in the input");
		goto out;
	}
	r.nscripts = scripts.n;
	r.scripts = arena_memdup(a, scripts.items, scripts.n * sizeof(*scripts.items));
	if (!apps_t) {
		/* the default release: one application owning every module named */
		struct strmap seen;
		namevec mods = {0};
		strmap_init(&seen);
		for (size_t k = 0; k < r.nscripts; k++)
			default_mods_of(a, &seen, r.scripts[k], &mods);
		r.apps = arena_zalloc(a, sizeof(*r.apps));
		r.napps = 1;
		r.apps[0].name = "app";
		r.apps[0].vsn = "1.0";
		r.apps[0].nmods = mods.n;
		r.apps[0].mods = arena_memdup(a, mods.items, mods.n * sizeof(*mods.items));
		VEC_RELEASE(&mods);
		strmap_release(&seen);
	}
	*in = r;
out:
	VEC_RELEASE(&scripts);
	return rc;
}
