/*
 * report.c - report_write(), which walks a report once and hands each part
 * to the chosen driver.
 *
 * Invariant: the walk order is fixed (processes in runtime order, rules in
 * the report's id order with their findings in sorted order), so every
 * driver's output is deterministic.
 */
#include "report_int.h"

#include <string.h>

size_t report_forbidden_count(const struct report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].forbidden != 0;
	return n;
}

size_t report_killed_count(const struct report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nprocs; i++)
		n += r->procs[i].killed != 0;
	return n;
}

static const struct report_driver *const drivers[] = {
	&report_text_driver,
	&report_sarif_driver,
	&report_junit_driver,
};

int report_write(const struct report *r, const char *driver, int flags, struct strbuf *out)
{
	const struct report_driver *d = NULL;
	for (size_t i = 0; i < HP_ARRAY_SIZE(drivers); i++)
		if (driver && !strcmp(drivers[i]->name, driver))
			d = drivers[i];
	if (!d)
		return HP_EUSAGE;
	struct report_ctx c = { r, out, (flags & REPORT_COLOR) != 0, (flags & REPORT_VERBOSE) != 0,
				0, 0, 0, 0 };
	d->begin(&c);
	for (size_t i = 0; i < r->nprocs; i++)
		d->process(&c, &r->procs[i]);
	/* findings are sorted by rule id: each rule's findings are one run */
	for (size_t k = 0; k < r->nrules; k++) {
		const struct rule_info *rule = r->rules[k];
		size_t first = r->nfindings, n = 0;
		for (size_t i = 0; i < r->nfindings; i++) {
			if (r->findings[i].rule != rule)
				continue;
			if (first == r->nfindings)
				first = i;
			n++;
		}
		d->rule(&c, k, n ? &r->findings[first] : NULL, n);
	}
	d->end(&c);
	return 0;
}
