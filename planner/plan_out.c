/*
 * plan_out.c - the plan's outputs: Erlang terms (script, downgrade script,
 * appup), relup, JSON and the explained text (plan.h).
 *
 * Invariant: every writer reads the plan only, in its stored order
 * (decisions in appup order, scripts as translated, findings sorted), so
 * the same plan always gives the same bytes.
 */
#include "plan.h"

#include <jsonw.h>
#include <stdint.h>
#include <string.h>

static void write_terms_dot(struct strbuf *out, const struct term *list)
{
	for (size_t i = 0; i < list->u.seq.n; i++)
		term_write_dot(out, list->u.seq.items[i]);
}

void plan_write_erlang(const struct plan *p, enum plan_erlang_what what, struct strbuf *out)
{
	switch (what) {
	case PLAN_OUT_UP:
		write_terms_dot(out, p->up_script);
		break;
	case PLAN_OUT_DOWN:
		write_terms_dot(out, p->down_script);
		break;
	case PLAN_OUT_APPUP:
		term_write_dot(out, p->appup);
		break;
	}
}

void plan_write_relup(const struct plan *p, struct strbuf *out)
{
	/* The relup lives only as long as this call: build it in a scratch arena. */
	struct arena a;
	arena_init(&a);
	struct term *descr = term_nil(&a);
	struct term *relup = term_tuplev(&a, 3, term_string(&a, p->opt.vsn),
		term_listv(&a, 1, term_tuplev(&a, 3, term_string(&a, p->opt.from_vsn), descr,
					      p->up_script)),
		term_listv(&a, 1, term_tuplev(&a, 3, term_string(&a, p->opt.from_vsn), descr,
					      p->down_script)));
	term_write_dot(out, relup);
	arena_release(&a);
}

/* The plan's purge option as a user gave it. */
static const char *purge_option(const struct plan *p)
{
	return p->opt.purge == PURGE_AUTO ? "auto" : purge_method_name(p->opt.purge);
}

/* ---- JSON ------------------------------------------------------------------- */

/* A script: one instruction per line. */
static void json_script(struct jsonw *w, const struct term *list)
{
	jsonw_array(w, JSONW_LINES);
	for (size_t i = 0; i < list->u.seq.n; i++)
		term_write_json(jsonw_value(w), list->u.seq.items[i]);
	jsonw_end(w);
}

static void json_dep(struct jsonw *w, const struct plan_dep *dep)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "module"); jsonw_string(w, dep->module);
	jsonw_key(w, "old"); jsonw_bool(w, dep->versions & PLAN_DEP_OLD);
	jsonw_key(w, "new"); jsonw_bool(w, dep->versions & PLAN_DEP_NEW);
	jsonw_key(w, "kinds");
	jsonw_array(w, JSONW_INLINE);
	for (unsigned bit = 0; bit < 4; bit++)
		if (dep->kinds & (1u << bit))
			jsonw_string(w, ref_kind_name(1u << bit));
	jsonw_end(w);
	jsonw_end(w);
}

/* One decision: an object on a few lines, each wrapped under its first key. */
static void json_decision(struct jsonw *w, const struct plan_decision *dc)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "module"); jsonw_string(w, dc->module);
	jsonw_key(w, "instruction"); jsonw_string(w, plan_kind_name(dc->kind));
	jsonw_key(w, "status"); jsonw_string(w, mod_status_name(dc->diff->status));
	jsonw_key(w, "changes");
	jsonw_array(w, JSONW_INLINE);
	for (unsigned bit = 0; bit < CHG_KIND_COUNT; bit++)
		if (dc->diff->changes & (1u << bit))
			jsonw_string(w, change_kind_name(1u << bit));
	jsonw_end(w);
	jsonw_wrap(w);
	jsonw_key(w, "deps");
	jsonw_array(w, JSONW_INLINE);
	for (size_t k = 0; k < dc->ndeps; k++)
		json_dep(w, &dc->deps[k]);
	jsonw_end(w);
	jsonw_wrap(w);
	jsonw_key(w, "up"); term_write_json(jsonw_value(w), dc->up);
	jsonw_wrap(w);
	jsonw_key(w, "down"); term_write_json(jsonw_value(w), dc->down);
	jsonw_wrap(w);
	jsonw_key(w, "why"); jsonw_string(w, dc->why);
	jsonw_wrap(w);
	jsonw_key(w, "up_purge"); jsonw_string(w, purge_method_name(dc->up_purge));
	jsonw_key(w, "down_purge"); jsonw_string(w, purge_method_name(dc->down_purge));
	jsonw_wrap(w);
	jsonw_key(w, "purge"); jsonw_string(w, dc->purge_why);
	jsonw_end(w);
}

void plan_write_json(const struct plan *p, struct strbuf *out)
{
	const struct diff *d = &p->diff;
	struct jsonw w;
	jsonw_init(&w, out, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "format"); jsonw_string(&w, "hotplan-plan");
	jsonw_key(&w, "version"); jsonw_int(&w, 1);
	jsonw_key(&w, "app"); jsonw_string(&w, p->opt.app);
	jsonw_key(&w, "vsn"); jsonw_string(&w, p->opt.vsn);
	jsonw_key(&w, "from_vsn"); jsonw_string(&w, p->opt.from_vsn);
	jsonw_key(&w, "purge"); jsonw_string(&w, purge_option(p));
	jsonw_key(&w, "old"); jsonw_string(&w, p->old->root);
	jsonw_key(&w, "new"); jsonw_string(&w, p->new->root);
	diff_write_summary(d, &w);
	jsonw_key(&w, "decisions");
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < p->ndecisions; i++)
		json_decision(&w, &p->decisions[i]);
	jsonw_end(&w);
	jsonw_key(&w, "appup"); term_write_json(jsonw_value(&w), p->appup);
	jsonw_key(&w, "up"); json_script(&w, p->up_script);
	jsonw_key(&w, "down"); json_script(&w, p->down_script);
	jsonw_key(&w, "findings"); findings_write_json(&p->findings, 4, jsonw_value(&w));
	jsonw_end(&w);
	sb_addc(out, '\n');
}

/* ---- text ------------------------------------------------------------------- */

/* Wraps text at 76 columns with the given indent. */
static void wrap(struct strbuf *out, const char *text, const char *indent)
{
	size_t ind = strlen(indent), col = 0;
	const char *s = text;
	while (*s) {
		const char *w = s;
		while (*w && *w != ' ')
			w++;
		size_t len = (size_t)(w - s);
		if (col == 0) {
			sb_adds(out, indent);
			col = ind;
		} else if (col + 1 + len > 76) {
			sb_addc(out, '\n');
			sb_adds(out, indent);
			col = ind;
		} else {
			sb_addc(out, ' ');
			col++;
		}
		sb_add(out, s, len);
		col += len;
		s = w;
		while (*s == ' ')
			s++;
	}
	if (col)
		sb_addc(out, '\n');
}

static const char *step_module(const struct term *in, const char *tag)
{
	if (!term_is_tagged(in, tag, 2) || !term_is_tuple(in->u.seq.items[1], 3))
		return NULL;
	const struct term *m = in->u.seq.items[1]->u.seq.items[0];
	return m->type == TERM_ATOM ? m->u.atom : NULL;
}

/* Fills pos with module -> 1 + position of its first load or remove. */
static void step_index(const struct term *script, struct strmap *pos)
{
	for (size_t i = 0; i < script->u.seq.n; i++) {
		const char *m = step_module(script->u.seq.items[i], "load");
		if (!m)
			m = step_module(script->u.seq.items[i], "remove");
		if (m && !strmap_get(pos, m))
			strmap_put(pos, m, (void *)(uintptr_t)(i + 1));
	}
}

/* Position of the first load or remove of module, or SIZE_MAX. */
static size_t step_of(const struct strmap *pos, const char *module)
{
	uintptr_t v = (uintptr_t)strmap_get(pos, module);
	return v ? (size_t)v - 1 : (size_t)-1;
}

/*
 * Appends why the step at position i comes after (before_i) or before
 * (!before_i) the loads of the decision's deps: users of a deleted module go
 * first (PLAN_DEP_USER); dependencies are loaded first; a dependency loaded
 * later means a cycle, where OTP keeps appup order.
 */
static void list_deps(struct strbuf *sb, const struct plan_decision *d,
		      const struct strmap *pos, size_t i, int before_i)
{
	for (int user = 0; user < 2; user++) {
		size_t n = 0, total = 0;
		for (size_t k = 0; k < d->ndeps; k++) {
			size_t s = step_of(pos, d->deps[k].module);
			int is_user = (d->deps[k].versions & PLAN_DEP_USER) != 0;
			if (is_user == user && s != (size_t)-1 && (before_i ? s < i : s > i))
				total++;
		}
		if (!total)
			continue;
		sb_adds(sb, sb->len && sb->buf[sb->len - 1] == ')' ? "; " : ", ");
		sb_adds(sb, before_i ? "after" : "before");
		struct strbuf names = STRBUF_INIT;
		for (size_t k = 0; k < d->ndeps; k++) {
			size_t s = step_of(pos, d->deps[k].module);
			int is_user = (d->deps[k].versions & PLAN_DEP_USER) != 0;
			if (is_user == user && s != (size_t)-1 && (before_i ? s < i : s > i))
				sb_addf(&names, "%s%s", n++ ? ", " : "", d->deps[k].module);
		}
		if (user)
			sb_addf(sb, " %s, which used it", names.buf);
		else
			sb_addf(sb, " its %s %s", total > 1 ? "dependencies" : "dependency",
				names.buf);
		sb_release(&names);
		if (user)
			sb_adds(sb, before_i ? " (a deleted module goes after its users)" :
				" (they depend on each other: inside a cycle OTP keeps appup order)");
		else
			sb_adds(sb, before_i ? " (dependencies are loaded first)" :
				" (they depend on each other: inside a cycle OTP keeps appup order)");
	}
}

static void write_atoms(struct strbuf *sb, const struct term *list)
{
	for (size_t k = 0; k < list->u.seq.n; k++) {
		const struct term *e = list->u.seq.items[k];
		if (term_is_tuple(e, (size_t)-1) && e->u.seq.n)
			e = e->u.seq.items[0];
		sb_adds(sb, k ? ", " : "");
		term_write(sb, e);
	}
}

/* One line (or a few) per step of the upgrade script, saying why it is there. */
static void explain_script(const struct plan *p, const struct term *script, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct strmap pos;
	strmap_init(&pos);
	step_index(script, &pos);
	for (size_t i = 0; i < script->u.seq.n; i++) {
		const struct term *in = script->u.seq.items[i];
		const char *m;
		sb_reset(&sb);
		sb_addf(&sb, "%zu. ", i + 1);
		if (term_is_tagged(in, "load_object_code", 2)) {
			sb_adds(&sb, "load_object_code: read the new object code of ");
			const struct term *spec = in->u.seq.items[1];
			if (term_is_tuple(spec, 3))
				write_atoms(&sb, spec->u.seq.items[2]);
			sb_adds(&sb, " before the point of no return, so that a missing file "
				"stops the upgrade before anything changed");
		} else if (term_is_atom(in, "point_of_no_return")) {
			sb_adds(&sb, "point_of_no_return: from here on a failure restarts the "
				"node from the old release");
		} else if (term_is_tagged(in, "suspend", 2)) {
			sb_adds(&sb, "suspend ");
			write_atoms(&sb, in->u.seq.items[1]);
			sb_adds(&sb, ": their processes stop before the loads of their dependency "
				"group and wait, outside their code, until resumed");
		} else if (term_is_tagged(in, "resume", 2)) {
			sb_adds(&sb, "resume ");
			write_atoms(&sb, in->u.seq.items[1]);
			sb_adds(&sb, ": in reverse order of suspension, after the whole group is "
				"loaded");
		} else if (term_is_tagged(in, "code_change", 3)) {
			sb_adds(&sb, "code_change of ");
			write_atoms(&sb, in->u.seq.items[2]);
			sb_adds(&sb, ": the state transformer converts the suspended processes' "
				"state, after the new code is loaded and before they resume");
		} else if ((m = step_module(in, "load")) != NULL ||
			   (m = step_module(in, "remove")) != NULL) {
			int is_load = step_module(in, "load") != NULL;
			const struct plan_decision *d = plan_decision(p, m);
			sb_addf(&sb, "%s %s", is_load ? "load" : "remove", m);
			if (d) {
				size_t before = 0, after = 0;
				for (size_t k = 0; k < d->ndeps; k++) {
					size_t s = step_of(&pos, d->deps[k].module);
					if (s < i)
						before++;
					else if (s != (size_t)-1)
						after++;
				}
				if (before)
					list_deps(&sb, d, &pos, i, 1);
				if (after)
					list_deps(&sb, d, &pos, i, 0);
				if (!before && !after)
					sb_adds(&sb, ": no dependency on another module of the "
						"upgrade constrains its place");
			}
		} else if (term_is_tagged(in, "purge", 2)) {
			sb_adds(&sb, "purge ");
			write_atoms(&sb, in->u.seq.items[1]);
			sb_adds(&sb, ": drop the removed code, killing processes still in it");
		} else {
			term_write(&sb, in);
		}
		wrap(out, sb.buf, "  ");
	}
	strmap_release(&pos);
	sb_release(&sb);
}

void plan_write_text(const struct plan *p, struct strbuf *out)
{
	const struct diff *d = &p->diff;
	sb_addf(out, "plan %s %s -> %s (purge: %s)\n", p->opt.app, p->opt.from_vsn,
		p->opt.vsn, purge_option(p));
	sb_addf(out, "old: %s\nnew: %s\n", p->old->root ? p->old->root : "",
		p->new->root ? p->new->root : "");
	sb_addf(out, "modules: %zu added, %zu removed, %zu changed, %zu unchanged\n",
		d->nadded, d->nremoved, d->nchanged, d->nunchanged);
	struct strbuf pw = STRBUF_INIT;
	if (p->opt.purge == PURGE_AUTO)
		sb_adds(&pw, "purge auto: soft_purge for each load and remove, unless simulating "
			"the script on the runtime shows that the old code is held only by "
			"processes their supervisors restart within their intensity; then "
			"brutal_purge (they are killed and come back in the new code instead of "
			"lingering in the old). Each module's choice is given below.");
	else
		sb_addf(&pw, "purge of every load_module and update: %s",
			plan_purge_explain(p->opt.purge));
	sb_addc(out, '\n');
	wrap(out, pw.buf, "");
	sb_release(&pw);

	sb_adds(out, "\ndecisions (appup order: modules added, then changed, then removed;"
		" by name in each group):\n");
	if (!p->ndecisions)
		sb_adds(out, "  none: nothing changed\n");
	for (size_t i = 0; i < p->ndecisions; i++) {
		const struct plan_decision *dc = &p->decisions[i];
		sb_addf(out, "\n%s: ", dc->module);
		term_write(out, dc->up);
		sb_adds(out, "\n");
		wrap(out, dc->why, "  ");
		struct strbuf tmp = STRBUF_INIT;
		if (dc->kind == PLAN_ADD_MODULE || dc->kind == PLAN_DELETE_MODULE ||
		    p->opt.purge == PURGE_AUTO) {
			sb_adds(&tmp, "purge: ");
			sb_adds(&tmp, dc->purge_why);
			wrap(out, tmp.buf, "  ");
			sb_reset(&tmp);
		}
		sb_adds(&tmp, "downgrade: ");
		term_write(&tmp, dc->down);
		wrap(out, tmp.buf, "  ");
		sb_release(&tmp);
	}

	sb_adds(out, "\nupgrade script, step by step:\n");
	explain_script(p, p->up_script, out);

	sb_addf(out, "\nfindings (%zu):\n", p->findings.n);
	if (!p->findings.n)
		sb_adds(out, "  none\n");
	/* one line per finding, a dependency cycle's in one */
	struct strbuf all = STRBUF_INIT;
	findings_write_text(&p->findings, NULL, &all);
	for (char *l = all.buf, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		*nl = '\0';
		wrap(out, l, "  ");
	}
	sb_release(&all);

	sb_adds(out, "\nappup:\n");
	term_write_dot(out, p->appup);
	sb_adds(out, "\nupgrade script:\n");
	write_terms_dot(out, p->up_script);
	sb_adds(out, "\ndowngrade script:\n");
	write_terms_dot(out, p->down_script);
}
