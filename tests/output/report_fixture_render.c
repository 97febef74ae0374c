/*
 * report_fixture_render.c - writes the fixture's check report
 * (graph_fixture.h) as DIR/report.sarif, DIR/report.xml (JUnit),
 * DIR/report.txt and DIR/report-color.txt, for check_report.py to read back.
 */
#include <stdio.h>

#include "fileio.h"
#include "graph_fixture.h"

static int emit(const struct report *r, const char *driver, int color, const char *dir,
		const char *name)
{
	struct strbuf out = STRBUF_INIT;
	struct errbuf err = { { 0 }, 0 };
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = report_write(r, driver, color, &out);
	if (!rc)
		rc = fileio_write(path, out.buf, out.len, &err);
	if (rc)
		fprintf(stderr, "report_fixture_render: %s failed: %s\n", name, err.msg);
	sb_release(&out);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: report_fixture_render DIR\n");
		return 2;
	}
	struct fixture fx;
	fixture_init(&fx);
	if (emit(&fx.report, "sarif", 0, argv[1], "report.sarif") ||
	    emit(&fx.report, "junit", 0, argv[1], "report.xml") ||
	    emit(&fx.report, "text", 0, argv[1], "report.txt") ||
	    emit(&fx.report, "text", 1, argv[1], "report-color.txt"))
		return 1;
	return 0;
}
