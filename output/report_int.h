/*
 * report_int.h - the interface between report_write() and its drivers
 * (text, SARIF, JUnit): one table entry per driver, called in a fixed order
 *   begin; process (each, in runtime order); rule (each rule of the report,
 *   in id order, with its findings, possibly none); end.
 * Drivers write only through out and escape only through out_escape().
 */
#ifndef HOTPLAN_REPORT_INT_H
#define HOTPLAN_REPORT_INT_H

#include "output.h"

struct report_ctx {
	const struct report *r;
	struct strbuf *out;
	int color;         /* flags & REPORT_COLOR */
	int verbose;       /* flags & REPORT_VERBOSE */
	size_t nresults;   /* SARIF: results written so far; text: findings shown
			    * (a group counts once) */
	size_t nfailures;  /* JUnit */
	size_t nquiet;     /* text: untouched processes not listed */
	int quiet_said;    /* text: their count was printed */
};

struct report_driver {
	const char *name;
	void (*begin)(struct report_ctx *c);
	void (*process)(struct report_ctx *c, const struct report_process *p);
	void (*rule)(struct report_ctx *c, size_t rule_index, const struct report_finding *f,
		     size_t n);
	void (*end)(struct report_ctx *c);
};

extern const struct report_driver report_text_driver;
extern const struct report_driver report_sarif_driver;
extern const struct report_driver report_junit_driver;

/* Findings of rule forbidden by the policy, and killed processes. */
size_t report_forbidden_count(const struct report *r);
size_t report_killed_count(const struct report *r);

#endif
