/*
 * report_text.c - the check report for people on a terminal: what the
 * upgrade does, what happens to each process, each finding with what to do
 * about it, and the verdict. Short: one line per process and per finding,
 * the help of a rule once under its findings; findings of one group (the
 * references loaded out of order in one dependency cycle) once, by the
 * group's message; of the other findings of a rule at most
 * REPORT_TEXT_PER_MODULE per module, then "and N more (--verbose)". The
 * counts (a rule's, the verdict's) are of the findings as shown, a group
 * counting once; SARIF and JUnit list every finding.
 *
 * Invariant: colour codes appear only when the caller asked for colour
 * (out_color_wanted decides: a terminal, and NO_COLOR unset); the words
 * carry the meaning without them.
 */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"

static void paint(struct report_ctx *c, const char *code, const char *text)
{
	if (c->color)
		sb_adds(c->out, code);
	sb_adds(c->out, text);
	if (c->color)
		sb_adds(c->out, C_RESET);
}

static void put_loc(struct strbuf *sb, const struct loc *l)
{
	if (!l->file)
		return;
	sb_adds(sb, l->file);
	if (l->line)
		sb_addf(sb, ":%u", l->line);
	if (l->line && l->col)
		sb_addf(sb, ":%u", l->col);
}

/* Appends text wrapped at about 76 columns, starting at column col (what
 * is already on the line); continuation lines start after indent spaces. */
static void put_wrapped_at(struct strbuf *sb, size_t col, size_t indent, const char *text)
{
	const char *p = text;
	size_t start = col;
	while (*p) {
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wl = (size_t)(p - w);
		if (col > start && col + 1 + wl > 76) {
			sb_addc(sb, '\n');
			for (size_t i = 0; i < indent; i++)
				sb_addc(sb, ' ');
			col = start = indent;
		} else if (col > start) {
			sb_addc(sb, ' ');
			col++;
		}
		sb_add(sb, w, wl);
		col += wl;
		while (*p == ' ')
			p++;
	}
	sb_addc(sb, '\n');
}

/* Appends text wrapped at about 76 columns: the first line after first,
 * the others after as many spaces. */
static void put_wrapped(struct strbuf *sb, const char *first, const char *text)
{
	sb_adds(sb, first);
	put_wrapped_at(sb, strlen(first), strlen(first), text);
}

static void text_begin(struct report_ctx *c)
{
	const struct report *r = c->r;
	struct strbuf *sb = c->out;
	struct strbuf line = STRBUF_INIT;
	sb_addf(&line, "hotplan check: %s -> %s", r->old_root ? r->old_root : "old",
		r->new_root ? r->new_root : "new");
	paint(c, C_BOLD, line.buf);
	sb_addc(sb, '\n');
	sb_release(&line);
	if (r->nsteps) {
		sb_adds(sb, "\n");
		paint(c, C_BOLD, "The upgrade");
		sb_addc(sb, '\n');
		for (size_t i = 0; i < r->nsteps; i++)
			sb_addf(sb, "  %s\n", r->steps[i]);
	}
	for (size_t i = 0; i < r->npurge_notes; i++) {
		const char *n = r->purge_notes[i];
		if (!strncmp(n, "- ", 2))
			put_wrapped(sb, "    - ", n + 2);
		else
			put_wrapped(sb, "  ", n);
	}
	if (r->nprocs) {
		sb_addf(sb, "\n");
		struct strbuf h = STRBUF_INIT;
		sb_addf(&h, "Processes (%zu, %zu killed)", r->nprocs, report_killed_count(r));
		paint(c, C_BOLD, h.buf);
		sb_addc(sb, '\n');
		sb_release(&h);
	} else if (r->no_process) {
		sb_adds(sb, "\n");
		paint(c, C_BOLD, "Processes (none found)");
		sb_addc(sb, '\n');
		put_wrapped(sb, "  ", r->no_process);
	}
}

/* Processes the upgrade leaves alone are counted, not listed, once there
 * are more than this many: a runtime can hold a million. */
#define TEXT_QUIET_LIMIT 20

static void text_process(struct report_ctx *c, const struct report_process *p)
{
	struct strbuf *sb = c->out;
	if (!p->touched && !p->killed && c->r->nprocs > TEXT_QUIET_LIMIT) {
		c->nquiet++;
		return;
	}
	sb_adds(sb, "  ");
	if (p->killed)
		paint(c, C_RED, "killed ");
	else
		paint(c, C_GREEN, "ok     ");
	sb_addf(sb, " %s %s", p->name, p->pid ? p->pid : "");
	if (p->what)
		sb_addf(sb, ": %s", p->what);
	if (p->loc.file) {
		sb_adds(sb, " (");
		put_loc(sb, &p->loc);
		sb_adds(sb, ")");
	}
	sb_addc(sb, '\n');
}

/* After the process list: how many were left out. */
static void say_quiet(struct report_ctx *c)
{
	if (c->quiet_said)
		return;
	c->quiet_said = 1;
	if (c->nquiet)
		sb_addf(c->out, "  (%zu other process%s not touched by the upgrade)\n", c->nquiet,
			c->nquiet == 1 ? "" : "es");
}

/* One finding line: "    warning: file:line:col: message", wrapped. */
static void put_finding(struct report_ctx *c, const struct rule_info *rule,
			const struct report_finding *f, const char *message, int located)
{
	struct strbuf *sb = c->out;
	const char *lvl = f->forbidden ? "error" : severity_name(f->severity);
	struct strbuf line = STRBUF_INIT;
	sb_adds(sb, "    ");
	paint(c, f->forbidden || f->severity == SEV_ERROR ? C_RED : C_YELLOW, lvl);
	sb_adds(sb, ": ");
	if (located && f->loc.file) {
		put_loc(&line, &f->loc);
		sb_adds(&line, ": ");
	}
	sb_adds(&line, message ? message : rule->summary);
	put_wrapped_at(sb, 4 + strlen(lvl) + 2, 6, line.buf);
	sb_release(&line);
}

/* The groups met so far among a rule's findings: few (one per cycle), so
 * a list. */
typedef VEC(const struct report_group *) group_vec;

/* Whether g is new to seen (then it is added). */
static int group_first(group_vec *seen, const struct report_group *g)
{
	for (size_t j = 0; j < seen->n; j++)
		if (seen->items[j] == g)
			return 0;
	VEC_PUSH(seen, g);
	return 1;
}

/*
 * The findings of one rule as people read them: a group's once (its
 * message, no location: it stands for all its findings), and of the others
 * at most REPORT_TEXT_PER_MODULE per module (they come sorted by module),
 * then "and N more (--verbose)"; every one with c->verbose. Returns how many
 * findings the text counts (a group once).
 */
static size_t put_findings(struct report_ctx *c, const struct rule_info *rule,
			   const struct report_finding *f, size_t n)
{
	size_t shown = 0, in_module = 0, hidden = 0;
	const char *module = NULL;
	group_vec seen = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (f[i].group) {
			if (group_first(&seen, f[i].group)) {
				put_finding(c, rule, &f[i], f[i].group->message, 0);
				shown++;
			}
			continue;
		}
		shown++;
		if (i == 0 || !hp_streq(f[i].module, module)) {
			if (hidden)
				sb_addf(c->out, "    and %zu more (--verbose)\n", hidden);
			module = f[i].module;
			in_module = hidden = 0;
		}
		if (!c->verbose && in_module >= REPORT_TEXT_PER_MODULE) {
			hidden++;
			continue;
		}
		in_module++;
		put_finding(c, rule, &f[i], f[i].message, 1);
	}
	if (hidden)
		sb_addf(c->out, "    and %zu more (--verbose)\n", hidden);
	VEC_RELEASE(&seen);
	return shown;
}

static void text_rule(struct report_ctx *c, size_t k, const struct report_finding *f, size_t n)
{
	struct strbuf *sb = c->out;
	const struct rule_info *rule = c->r->rules[k];
	say_quiet(c);
	/* that no process was found is said under Processes (r->no_process);
	 * its finding carries the same words for SARIF and JUnit */
	if (!n || rule == rule_info(HP108_NO_PROCESS_FOUND))
		return;
	if (!c->nresults) {
		sb_adds(sb, "\n");
		paint(c, C_BOLD, "Findings");
		sb_addc(sb, '\n');
	}
	size_t ngroups = 0, ngrouped = 0;
	group_vec seen = { 0 };
	for (size_t i = 0; i < n; i++) {
		ngrouped += f[i].group != NULL;
		ngroups += f[i].group && group_first(&seen, f[i].group);
	}
	VEC_RELEASE(&seen);
	struct strbuf h = STRBUF_INIT;
	sb_addf(&h, "%s %s", rule->id, rule->name);
	sb_adds(sb, "  ");
	paint(c, C_BOLD, h.buf);
	sb_addf(sb, " (%zu): %s\n", n - ngrouped + ngroups, rule->summary);
	sb_release(&h);
	c->nresults += put_findings(c, rule, f, n);
	if (c->color)
		sb_adds(sb, C_DIM);
	put_wrapped(sb, "    what to do: ", rule->help);
	if (c->color) {
		/* the reset goes before the final newline */
		sb->len--;
		sb->buf[sb->len] = '\0';
		sb_adds(sb, C_RESET "\n");
	}
}

static void text_end(struct report_ctx *c)
{
	const struct report *r = c->r;
	struct strbuf *sb = c->out;
	say_quiet(c);
	if (r->against_diff) {
		sb_adds(sb, "\n");
		paint(c, C_BOLD, "Difference from the committed plan");
		sb_addc(sb, '\n');
		sb_adds(sb, r->against_diff);
		if (r->against_diff[0] && r->against_diff[strlen(r->against_diff) - 1] != '\n')
			sb_addc(sb, '\n');
	}
	sb_adds(sb, "\n");
	size_t killed = report_killed_count(r), forbidden = report_forbidden_count(r);
	if (r->forbidden) {
		paint(c, C_RED C_BOLD, "FORBIDDEN");
		sb_addf(sb, ": %zu finding%s the policy forbids", forbidden, forbidden == 1 ? "" : "s");
		if (killed)
			sb_addf(sb, "; %zu process%s killed (at most %zu allowed)", killed,
				killed == 1 ? "" : "es", r->max_killed);
		sb_adds(sb, "\n");
	} else {
		paint(c, C_GREEN C_BOLD, "OK");
		sb_addf(sb, ": the policy allows this upgrade (%s%zu process%s killed, at most %zu allowed",
			r->no_process ? "no process found, " : "", killed, killed == 1 ? "" : "es",
			r->max_killed);
		sb_addf(sb, "; %zu finding%s)\n", c->nresults, c->nresults == 1 ? "" : "s");
	}
}

const struct report_driver report_text_driver = {
	"text", text_begin, text_process, text_rule, text_end,
};
