/*
 * graph_nogv.c - the graph renderer of a hotplan built without graphviz
 * (HOTPLAN_WITH_GRAPHVIZ, top CMakeLists.txt), in place of graph_gv.c: the
 * same functions of output.h. DOT is hotplan's own text and is handed back
 * as graph_gv.c hands it back; svg, png and pdf are refused with what to do.
 *
 * Invariant: the formats known, their file extensions and the answer for
 * dot are graph_gv.c's (keep the two tables in step), so a command line
 * means the same thing to both builds; only the pictures are missing.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

static const struct graph_format {
	const char *name;     /* as given to -T */
	int picture;          /* rendered by graphviz: refused here */
	const char *ext1, *ext2;
} graph_formats[] = {
	{ "svg", 1, ".svg", NULL },
	{ "png", 1, ".png", NULL },
	{ "pdf", 1, ".pdf", NULL },
	{ "dot", 0, ".dot", ".gv" },
};

static const struct graph_format *format_find(const char *name)
{
	for (size_t i = 0; name && i < HP_ARRAY_SIZE(graph_formats); i++)
		if (!strcmp(graph_formats[i].name, name))
			return &graph_formats[i];
	return NULL;
}

int graph_format_known(const char *format)
{
	return format_find(format) != NULL;
}

const char *graph_format_from_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (!dot || strchr(dot, '/'))
		return NULL;
	for (size_t i = 0; i < HP_ARRAY_SIZE(graph_formats); i++) {
		const struct graph_format *f = &graph_formats[i];
		if (!strcmp(dot, f->ext1) || (f->ext2 && !strcmp(dot, f->ext2)))
			return f->name;
	}
	return NULL;
}

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
	const struct graph_format *f = format_find(format);
	(void)r;
	if (!f)
		return hp_error(err, HP_EUSAGE, "unknown graph format '%s' (svg, png, pdf or dot)",
				format ? format : "");
	if (f->picture)
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
