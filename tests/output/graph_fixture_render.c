/*
 * graph_fixture_render.c - writes the fixture graph (graph_fixture.h) with
 * its plan to DIR/plan.{svg,png,pdf,dot} and the single tree to
 * DIR/tree.svg, for check_graph.py to read back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "graph_fixture.h"

static int render(struct graph_renderer *r, const struct graph_spec *spec, const char *format,
		  const char *path)
{
	struct strbuf dot = STRBUF_INIT, out = STRBUF_INIT;
	struct errbuf err = { { 0 }, 0 };
	int rc = graph_to_dot(spec, &dot, &err);
	if (!rc)
		rc = graph_renderer_render(r, dot.buf, format, &out, &err);
	if (!rc)
		rc = fileio_write(path, out.buf, out.len, &err);
	if (rc)
		fprintf(stderr, "graph_fixture_render: %s\n", err.msg);
	sb_release(&dot);
	sb_release(&out);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: graph_fixture_render DIR\n");
		return 2;
	}
	struct fixture fx;
	fixture_init(&fx);
	struct graph_spec plan = fixture_spec(&fx, 1), tree = fixture_spec(&fx, 0);
	static const char *const formats[] = { "svg", "png", "pdf", "dot" };
	char path[4096];
	struct graph_renderer *r = graph_renderer_new();
	int rc = 0;
	for (int i = 0; i < 4 && !rc; i++) {
		snprintf(path, sizeof path, "%s/plan.%s", argv[1], formats[i]);
		rc = render(r, &plan, formats[i], path);
	}
	snprintf(path, sizeof path, "%s/tree.svg", argv[1]);
	if (!rc)
		rc = render(r, &tree, "svg", path);
	graph_renderer_free(r);
	return rc ? 1 : 0;
}
