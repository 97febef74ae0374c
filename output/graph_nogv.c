/*
 * graph_nogv.c - the graph renderer of a hotplan built without graphviz
 * (HOTPLAN_WITH_GRAPHVIZ, top CMakeLists.txt), in place of graph_gv.c: the
 * same functions of output.h. DOT is hotplan's own text and is handed back
 * as graph_gv.c hands it back; svg, png and pdf are refused with what to do.
 *
 * Invariant: the formats known and their file extensions are graph.c's
 * one table (graph_int.h), as for graph_gv.c, so a command line means the
 * same thing to both builds; only the pictures are missing.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/* Holds nothing: there is no graphviz context to keep. */
struct graph_renderer {
	int unused;
};

struct graph_renderer *graph_renderer_new(void)
{
	return xcalloc(1, sizeof(struct graph_renderer));
}

void graph_renderer_free(struct graph_renderer *r)
{
	free(r);
}

int graph_renderer_render(struct graph_renderer *r, const char *dot, const char *format,
			  struct strbuf *out, struct errbuf *err)
{
	const struct graph_format *f = graph_format_find(format);
	(void)r;
	if (!f)
		return hp_error(err, HP_EUSAGE, "unknown graph format '%s' (svg, png, pdf or dot)",
				format ? format : "");
	if (strcmp(f->name, "dot"))
		return hp_error(err, HP_EUSAGE, "this hotplan was built without graphviz: use -T dot "
				"(then, where graphviz is installed: dot -T%s)", f->name);
	sb_adds(out, dot);
	return 0;
}

int graph_render(const char *dot, const char *format, struct strbuf *out, struct errbuf *err)
{
	struct graph_renderer *r = graph_renderer_new();
	int rc = graph_renderer_render(r, dot, format, out, err);
	graph_renderer_free(r);
	return rc;
}
