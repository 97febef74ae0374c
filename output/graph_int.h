/*
 * graph_int.h - inside output/: the graph formats, one table (graph.c) that
 * both renderers read (graph_gv.c with graphviz, graph_nogv.c without), so
 * -T and file extensions mean the same thing in every build.
 */
#ifndef HOTPLAN_GRAPH_INT_H
#define HOTPLAN_GRAPH_INT_H

struct graph_format {
	const char *name;     /* as given to -T */
	const char *renderer; /* graphviz's device name */
	const char *ext1, *ext2; /* file extensions that imply it */
};

/* The format named name, or NULL (name NULL included). */
const struct graph_format *graph_format_find(const char *name);

#endif
