/*
 * junit.c - the check report as JUnit XML, for CI systems that show test
 * results: a suite "hotplan.findings" with one test case per rule (it fails
 * when the policy forbids one of its findings; other findings of it are in
 * its system-out), and a suite "hotplan.processes" with one test case per
 * process (it fails when the process is killed).
 *
 * Invariant: counts in the suite headers equal the test cases written after
 * them (both come from the same report); all text goes through out_escape().
 */
#include "report_int.h"

#include <string.h>

static void xml(struct strbuf *sb, const char *s)
{
	out_escape(sb, s, OUT_ESC_XML);
}

static size_t failing_rules(const struct report *r)
{
	size_t n = 0;
	for (size_t k = 0; k < r->nrules; k++) {
		for (size_t i = 0; i < r->nfindings; i++) {
			if (r->findings[i].rule == r->rules[k] && r->findings[i].forbidden) {
				n++;
				break;
			}
		}
	}
	return n;
}

static void put_finding_line(struct strbuf *sb, const struct report_finding *f)
{
	struct strbuf line = STRBUF_INIT;
	if (f->loc.file) {
		sb_adds(&line, f->loc.file);
		if (f->loc.line)
			sb_addf(&line, ":%u", f->loc.line);
		if (f->loc.line && f->loc.col)
			sb_addf(&line, ":%u", f->loc.col);
		sb_adds(&line, ": ");
	}
	sb_addf(&line, "%s: %s\n", f->forbidden ? "error" : severity_name(f->severity),
		f->message ? f->message : f->rule->summary);
	xml(sb, line.buf);
	sb_release(&line);
}

static void junit_begin(struct report_ctx *c)
{
	const struct report *r = c->r;
	struct strbuf *sb = c->out;
	size_t rule_fail = failing_rules(r), killed = report_killed_count(r);
	sb_adds(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_addf(sb, "<testsuites name=\"hotplan check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		r->nrules + r->nprocs, rule_fail + killed);
	/* processes first: the walk gives them first */
	sb_addf(sb, "  <testsuite name=\"hotplan.processes\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"0\">\n", r->nprocs, killed);
}

static void junit_process(struct report_ctx *c, const struct report_process *p)
{
	struct strbuf *sb = c->out;
	sb_adds(sb, "    <testcase classname=\"hotplan.processes\" name=\"");
	xml(sb, p->name);
	if (p->pid) {
		sb_addc(sb, ' ');
		xml(sb, p->pid);
	}
	sb_adds(sb, "\"");
	if (p->loc.file) {
		sb_adds(sb, " file=\"");
		xml(sb, p->loc.file);
		sb_addf(sb, "\" line=\"%u\"", p->loc.line);
	}
	if (!p->killed) {
		sb_adds(sb, ">\n      <system-out>");
		xml(sb, p->what ? p->what : "not affected");
		sb_adds(sb, "</system-out>\n    </testcase>\n");
		return;
	}
	sb_adds(sb, ">\n      <failure type=\"killed\" message=\"");
	xml(sb, p->what ? p->what : "killed");
	sb_adds(sb, "\">");
	xml(sb, p->name);
	sb_adds(sb, " is predicted killed by the upgrade: ");
	xml(sb, p->what ? p->what : "killed");
	sb_adds(sb, "</failure>\n    </testcase>\n");
}

static void junit_rule(struct report_ctx *c, size_t k, const struct report_finding *f, size_t n)
{
	const struct report *r = c->r;
	struct strbuf *sb = c->out;
	const struct rule_info *rule = r->rules[k];
	if (k == 0) {
		sb_adds(sb, "  </testsuite>\n");
		sb_addf(sb, "  <testsuite name=\"hotplan.findings\" tests=\"%zu\" failures=\"%zu\" "
			"errors=\"0\" skipped=\"0\">\n", r->nrules, failing_rules(r));
	}
	size_t forbidden = 0;
	for (size_t i = 0; i < n; i++)
		forbidden += f[i].forbidden != 0;
	sb_adds(sb, "    <testcase classname=\"hotplan.findings\" name=\"");
	xml(sb, rule->id);
	sb_addc(sb, ' ');
	xml(sb, rule->name);
	sb_adds(sb, "\">\n");
	if (forbidden) {
		struct strbuf msg = STRBUF_INIT;
		sb_addf(&msg, "%zu finding%s: %s", forbidden, forbidden == 1 ? "" : "s", rule->summary);
		sb_adds(sb, "      <failure type=\"");
		xml(sb, rule->id);
		sb_adds(sb, "\" message=\"");
		xml(sb, msg.buf);
		sb_adds(sb, "\">");
		for (size_t i = 0; i < n; i++)
			if (f[i].forbidden)
				put_finding_line(sb, &f[i]);
		sb_adds(sb, "what to do: ");
		xml(sb, rule->help);
		sb_adds(sb, "</failure>\n");
		sb_release(&msg);
	}
	if (n > forbidden) {
		sb_adds(sb, "      <system-out>");
		for (size_t i = 0; i < n; i++)
			if (!f[i].forbidden)
				put_finding_line(sb, &f[i]);
		sb_adds(sb, "</system-out>\n");
	}
	sb_adds(sb, "    </testcase>\n");
}

static void junit_end(struct report_ctx *c)
{
	struct strbuf *sb = c->out;
	if (c->r->nrules == 0) {
		sb_adds(sb, "  </testsuite>\n");
		sb_adds(sb, "  <testsuite name=\"hotplan.findings\" tests=\"0\" failures=\"0\" "
			"errors=\"0\" skipped=\"0\">\n");
	}
	sb_adds(sb, "  </testsuite>\n</testsuites>\n");
}

const struct report_driver report_junit_driver = {
	"junit", junit_begin, junit_process, junit_rule, junit_end,
};
