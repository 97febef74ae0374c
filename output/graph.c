/*
 * graph.c - the module dependency graph as DOT text, with the plan drawn on
 * it (graph_to_dot).
 *
 * The graph is built in four steps: gather the modules of OLD and NEW into
 * one table sorted by name; gather edges (NEW's, or OLD's alone, plus OLD's
 * edges of removed modules) into index pairs sorted by (from, to); choose
 * the visible modules (all, or the --focus neighbourhood by breadth-first
 * search over edges in both directions); find strongly connected components
 * among the visible modules (planner/depgraph.c). Then the DOT is printed;
 * modules are clustered by the programs linking them when the facts hold
 * several programs (print_program_clusters), else by folder on request.
 *
 * Invariant: every table is indexed in module-name order and every loop
 * walks it in that order, so the DOT text (and so graphviz's layout) is the
 * same for the same inputs. Every string printed goes through out_escape().
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "depgraph.h"
#include "graph_int.h"

struct gnode {
	const char *name;
	const struct module *old, *new;
	const struct graph_note *note;
	char *folder;       /* heap; "" for the root */
	int visible;
	int scc;            /* cycle number (1-based) or 0 */
	unsigned dist;      /* BFS distance from focus */
};

struct gedge {
	size_t from, to;
	unsigned kinds;
	unsigned count;
	int removed;        /* an edge of a removed module (from OLD) */
};

struct gctx {
	const struct graph_spec *spec;
	VEC(struct gnode) nodes;
	VEC(struct gedge) edges;
	struct strmap byname;  /* name -> index + 1 */
	size_t ncycles;
	/* adjacency: successors out_adj[out_start[v] .. out_start[v+1]) (edge i
	 * sorted by from, so out_adj[i] is edge i's target), and predecessors
	 * in_adj[in_start[v] .. in_start[v+1]) */
	size_t *out_start, *out_adj;
	size_t *in_start, *in_adj;
};

/* ---- modules --------------------------------------------------------------- */

static size_t node_index(const struct gctx *g, const char *name)
{
	void *v = strmap_get(&g->byname, name);
	return v ? (size_t)(uintptr_t)v - 1 : (size_t)-1;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct gnode *)a)->name, ((const struct gnode *)b)->name);
}

/* Directory part of path, or "" */
static char *dir_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
}

/* Strips the folder prefix common to every module so clusters read
 * "proto", "lib", not "/home/me/src/proto". */
static void folders_relative(struct gctx *g)
{
	size_t common = (size_t)-1;
	const char *first = NULL;
	for (size_t i = 0; i < g->nodes.n; i++) {
		const char *f = g->nodes.items[i].folder;
		if (!first) {
			first = f;
			common = strlen(f);
			continue;
		}
		size_t k = 0;
		while (k < common && f[k] && f[k] == first[k])
			k++;
		common = k;
	}
	if (!first || common == 0)
		return;
	/* cut at a folder boundary: first[0..blen) must be a whole folder of
	 * every module's folder; a cut to an earlier '/' of first keeps that
	 * true for the folders already checked, so one pass is enough */
	char *base = xstrndup(first, common);
	size_t blen = strlen(base);
	for (size_t i = 0; i < g->nodes.n && blen > 0; i++) {
		const char *f = g->nodes.items[i].folder;
		while (blen > 0 && f[blen] != '\0' && f[blen] != '/') {
			while (blen > 0 && base[blen - 1] != '/')
				blen--;
			if (blen > 0)
				blen--;  /* drop the '/' itself */
		}
	}
	for (size_t i = 0; i < g->nodes.n; i++) {
		char *f = g->nodes.items[i].folder;
		const char *rest = f + blen;
		if (*rest == '/')
			rest++;
		char *nf = xstrdup(rest);
		free(f);
		g->nodes.items[i].folder = nf;
	}
	free(base);
}

static void add_modules(struct gctx *g, const struct facts *f, int is_new)
{
	for (size_t i = 0; i < f->nmodules; i++) {
		const struct module *m = &f->modules[i];
		size_t k = node_index(g, m->name);
		if (k == (size_t)-1) {
			struct gnode n = { 0 };
			n.name = m->name;
			n.folder = dir_of(m->nfiles ? m->files[0] : NULL);
			VEC_PUSH(&g->nodes, n);
			k = g->nodes.n - 1;
			strmap_put(&g->byname, m->name, (void *)(uintptr_t)(k + 1));
		}
		if (is_new)
			g->nodes.items[k].new = m;
		else
			g->nodes.items[k].old = m;
	}
}

static void index_nodes(struct gctx *g)
{
	qsort(g->nodes.items, g->nodes.n, sizeof(struct gnode), cmp_node);
	strmap_release(&g->byname);
	strmap_init(&g->byname);
	for (size_t i = 0; i < g->nodes.n; i++)
		strmap_put(&g->byname, g->nodes.items[i].name, (void *)(uintptr_t)(i + 1));
}

/* ---- edges ----------------------------------------------------------------- */

static int cmp_edge(const void *a, const void *b)
{
	const struct gedge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->removed - y->removed;
}

static void add_edges(struct gctx *g, const struct facts *f, int only_removed)
{
	for (size_t i = 0; i < f->nedges; i++) {
		const struct edge *e = &f->edges[i];
		size_t a = node_index(g, e->from), b = node_index(g, e->to);
		if (a == (size_t)-1 || b == (size_t)-1 || a == b)
			continue;
		if (only_removed && g->nodes.items[a].new && g->nodes.items[b].new)
			continue;
		struct gedge ge = { a, b, e->kinds, e->count, only_removed };
		VEC_PUSH(&g->edges, ge);
	}
}

static void build_adjacency(struct gctx *g)
{
	size_t n = g->nodes.n;
	g->out_start = xcalloc(n + 1, sizeof(size_t));
	g->out_adj = xcalloc(g->edges.n ? g->edges.n : 1, sizeof(size_t));
	for (size_t i = 0; i < g->edges.n; i++)
		g->out_start[g->edges.items[i].from + 1]++;
	for (size_t i = 0; i < n; i++)
		g->out_start[i + 1] += g->out_start[i];
	/* edges are sorted by from, so they fill in order */
	for (size_t i = 0; i < g->edges.n; i++)
		g->out_adj[i] = g->edges.items[i].to;

	g->in_start = xcalloc(n + 1, sizeof(size_t));
	g->in_adj = xcalloc(g->edges.n ? g->edges.n : 1, sizeof(size_t));
	size_t *fill = xcalloc(n + 1, sizeof(size_t));
	for (size_t i = 0; i < g->edges.n; i++)
		g->in_start[g->edges.items[i].to + 1]++;
	for (size_t i = 0; i < n; i++)
		g->in_start[i + 1] += g->in_start[i];
	for (size_t i = 0; i < g->edges.n; i++) {
		size_t t = g->edges.items[i].to;
		g->in_adj[g->in_start[t] + fill[t]++] = g->edges.items[i].from;
	}
	free(fill);
}

/* ---- focus ------------------------------------------------------------------- */

static void select_focus(struct gctx *g, size_t focus, unsigned depth)
{
	size_t n = g->nodes.n;
	size_t *queue = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < n; i++)
		g->nodes.items[i].dist = (unsigned)-1;
	g->nodes.items[focus].dist = 0;
	queue[tail++] = focus;
	while (head < tail) {
		size_t v = queue[head++];
		unsigned d = g->nodes.items[v].dist;
		if (d >= depth)
			continue;
		/* successors, then predecessors */
		for (int dir = 0; dir < 2; dir++) {
			const size_t *start = dir ? g->in_start : g->out_start;
			const size_t *adj = dir ? g->in_adj : g->out_adj;
			for (size_t i = start[v]; i < start[v + 1]; i++) {
				size_t w = adj[i];
				if (g->nodes.items[w].dist == (unsigned)-1) {
					g->nodes.items[w].dist = d + 1;
					queue[tail++] = w;
				}
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		g->nodes.items[i].visible = g->nodes.items[i].dist != (unsigned)-1;
	free(queue);
}

/* ---- strongly connected components (planner/depgraph.h) ---------------------- */

/*
 * Marks the modules of every cycle among the visible modules, following the
 * edges that are not removed ones. Cycles (components of two modules or
 * more) are numbered from 1 in the order of their first module by name:
 * depgraph numbers components by smallest vertex, and vertices are in name
 * order.
 */
static void find_cycles(struct gctx *g)
{
	size_t n = g->nodes.n;
	struct depgraph dg;
	size_t *comp = xmalloc((n ? n : 1) * sizeof(size_t));
	depgraph_init(&dg, n);
	for (size_t i = 0; i < g->edges.n; i++) {
		const struct gedge *e = &g->edges.items[i];
		if (!e->removed && g->nodes.items[e->from].visible && g->nodes.items[e->to].visible)
			depgraph_add_edge(&dg, e->from, e->to);
	}
	size_t ncomp = depgraph_scc(&dg, comp);
	size_t *size = xcalloc(ncomp ? ncomp : 1, sizeof(size_t));
	int *number = xcalloc(ncomp ? ncomp : 1, sizeof(int));
	for (size_t i = 0; i < n; i++)
		size[comp[i]]++;
	for (size_t i = 0; i < n; i++) {
		size_t c = comp[i];
		if (size[c] < 2)
			continue;
		if (!number[c])
			number[c] = (int)++g->ncycles;
		g->nodes.items[i].scc = number[c];
	}
	free(size);
	free(number);
	free(comp);
	depgraph_release(&dg);
}

/* ---- DOT printing ------------------------------------------------------------- */

static void put_q(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	out_escape(sb, s, OUT_ESC_DOT);
	sb_addc(sb, '"');
}

/* Fill colour and name of the strongest change; the legend uses the same
 * table. Order = priority. */
static const struct change_style {
	unsigned bit;
	const char *color;
	const char *name;
} change_styles[] = {
	{ GC_ADDED, "#b7e4a7", "added" },
	{ GC_REMOVED, "#f2a7a7", "removed" },
	{ GC_STATE, "#f7c57f", "state layout changed" },
	{ GC_EXPORTS, "#cdb6ea", "exports changed" },
	{ GC_BODY, "#fbeea0", "code changed" },
	{ GC_FLAGS, "#a9d4ef", "compile flags changed" },
};

static const struct kind_style {
	unsigned bit;
	const char *name;
	const char *attrs;
	const char *legend;
} kind_styles[] = {
	{ REF_QUALIFIED, "qualified", "style=bold, color=\"#1f5fbf\", penwidth=2", "bold blue" },
	{ REF_CALL, "call", "style=solid, color=\"#303030\"", "solid" },
	{ REF_ADDRESS, "address", "style=dashed, color=\"#303030\"", "dashed" },
	{ REF_DATA, "data", "style=dotted, color=\"#303030\"", "dotted" },
};

static const struct change_style *strongest_change(unsigned change)
{
	for (size_t i = 0; i < HP_ARRAY_SIZE(change_styles); i++)
		if (change & change_styles[i].bit)
			return &change_styles[i];
	return NULL;
}

static int module_has_processes(const struct gnode *n)
{
	const struct module *m = n->new ? n->new : n->old;
	return m && m->nentries > 0;
}

static void print_node(struct gctx *g, struct strbuf *sb, const struct gnode *n)
{
	struct strbuf label = STRBUF_INIT, tip = STRBUF_INIT;
	unsigned change = 0;
	if (g->spec->new) {
		change = n->note ? n->note->change : 0;
		if (!n->old)
			change |= GC_ADDED;
		if (!n->new)
			change |= GC_REMOVED;
	}
	sb_adds(&label, n->name);
	if (n->note && (n->note->order || n->note->action || n->note->purge)) {
		sb_addc(&label, '\n');
		if (n->note->order)
			sb_addf(&label, "#%u ", n->note->order);
		if (n->note->action)
			sb_adds(&label, n->note->action);
		if (n->note->purge)
			sb_addf(&label, "%s(%s)", n->note->action ? " " : "", n->note->purge);
	}
	sb_addf(&tip, "module %s", n->name);
	if (*n->folder)
		sb_addf(&tip, " in %s", n->folder);
	for (size_t i = 0; i < HP_ARRAY_SIZE(change_styles); i++)
		if (change & change_styles[i].bit)
			sb_addf(&tip, "; %s", change_styles[i].name);
	if (module_has_processes(n))
		sb_adds(&tip, "; starts processes");

	sb_adds(sb, "    ");
	put_q(sb, n->name);
	sb_adds(sb, " [id=");
	sb_addc(sb, '"');
	sb_adds(sb, "mod:");
	out_escape(sb, n->name, OUT_ESC_DOT);
	sb_adds(sb, "\", label=");
	put_q(sb, label.buf);
	sb_adds(sb, ", tooltip=");
	put_q(sb, tip.buf);
	const struct change_style *cs = strongest_change(change);
	sb_addf(sb, ", fillcolor=\"%s\"", cs ? cs->color : "#ffffff");
	if (change & GC_REMOVED)
		sb_adds(sb, ", style=\"filled,dashed\"");
	if (module_has_processes(n))
		sb_adds(sb, ", peripheries=2");
	sb_adds(sb, "];\n");
	sb_release(&label);
	sb_release(&tip);
}

static void print_edge(struct gctx *g, struct strbuf *sb, const struct gedge *e)
{
	const char *a = g->nodes.items[e->from].name, *b = g->nodes.items[e->to].name;
	const struct kind_style *ks = NULL;
	struct strbuf cls = STRBUF_INIT, tip = STRBUF_INIT;
	sb_addf(&tip, "%s -> %s:", a, b);
	for (size_t i = 0; i < HP_ARRAY_SIZE(kind_styles); i++) {
		if (!(e->kinds & kind_styles[i].bit))
			continue;
		if (!ks)
			ks = &kind_styles[i];
		sb_addf(&cls, "%s%s", cls.len ? " " : "", kind_styles[i].name);
		sb_addf(&tip, " %s", kind_styles[i].name);
	}
	if (!ks)
		ks = &kind_styles[1];
	sb_addf(&tip, " (%u reference%s)", e->count, e->count == 1 ? "" : "s");
	if (e->removed)
		sb_adds(&cls, " removed");
	sb_adds(sb, "  ");
	put_q(sb, a);
	sb_adds(sb, " -> ");
	put_q(sb, b);
	sb_adds(sb, " [id=\"edge:");
	out_escape(sb, a, OUT_ESC_DOT);
	sb_adds(sb, "->");
	out_escape(sb, b, OUT_ESC_DOT);
	sb_adds(sb, "\", class=");
	put_q(sb, cls.buf);
	sb_adds(sb, ", tooltip=");
	put_q(sb, tip.buf);
	sb_adds(sb, ", ");
	if (e->removed)
		sb_adds(sb, "style=dashed, color=\"#a0a0a0\"");
	else
		sb_adds(sb, ks->attrs);
	sb_adds(sb, "];\n");
	sb_release(&cls);
	sb_release(&tip);
}

/* Sorts node indices by (cycle number, name) / (folder, name): the nodes of
 * one cluster are then a run. Names are unique, indices are in name order. */
static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

struct keyed { const char *folder; int scc; size_t idx; };

static int cmp_by_scc(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	if (a->scc != b->scc)
		return a->scc < b->scc ? -1 : 1;
	return cmp_size(a->idx, b->idx);
}

static int cmp_by_folder(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->folder, b->folder);
	return c ? c : cmp_size(a->idx, b->idx);
}

static void print_cycles(struct gctx *g, struct strbuf *sb)
{
	struct keyed *k = xmalloc((g->nodes.n ? g->nodes.n : 1) * sizeof *k);
	size_t n = 0;
	for (size_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.items[i].scc)
			k[n++] = (struct keyed){ NULL, g->nodes.items[i].scc, i };
	if (n)
		qsort(k, n, sizeof *k, cmp_by_scc);
	for (size_t first = 0; first < n;) {
		size_t last = first;
		while (last < n && k[last].scc == k[first].scc)
			last++;
		struct strbuf label = STRBUF_INIT;
		sb_addf(&label, "cycle %d:", k[first].scc);
		for (size_t j = first; j < last; j++)
			sb_addf(&label, " %s", g->nodes.items[k[j].idx].name);
		sb_addf(sb, "  subgraph \"cluster_cycle_%d\" {\n", k[first].scc);
		sb_addf(sb, "    id=\"cycle:%d\"; label=", k[first].scc);
		put_q(sb, label.buf);
		sb_adds(sb, "; style=\"rounded,filled\"; fillcolor=\"#fdeeee\"; color=\"#c04040\";\n");
		for (size_t j = first; j < last; j++)
			print_node(g, sb, &g->nodes.items[k[j].idx]);
		sb_adds(sb, "  }\n");
		sb_release(&label);
		first = last;
	}
	free(k);
}

static int use_folders(struct gctx *g)
{
	size_t visible = 0;
	switch (g->spec->cluster) {
	case GRAPH_CLUSTER_FOLDER:
		return 1;
	case GRAPH_CLUSTER_NONE:
		return 0;
	case GRAPH_CLUSTER_AUTO:
		break;
	}
	for (size_t i = 0; i < g->nodes.n; i++)
		visible += g->nodes.items[i].visible;
	return visible > GRAPH_FOLDER_THRESHOLD;
}

/* The facts whose programs the picture clusters by: NEW's, else TREE's,
 * when they hold several programs; else NULL. */
static const struct facts *program_facts(const struct gctx *g)
{
	const struct facts *f = g->spec->new && g->spec->new->nprograms ? g->spec->new
									 : g->spec->old;
	return f && f->nprograms > 1 ? f : NULL;
}

/* The programs of f linking module name, "a,b" (heap; "" for none). */
static char *programs_of(const struct facts *f, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;
	sb_adds(&sb, "");
	for (size_t i = 0; i < f->nprograms; i++)
		if (program_has_module(&f->programs[i], name))
			sb_addf(&sb, "%s%s", n++ ? "," : "", f->programs[i].name);
	return sb_detach(&sb, NULL);
}

/*
 * Several programs: the visible modules outside cycles clustered by the
 * programs linking them, one cluster per set of programs: "program P" for
 * the modules of P alone, "shared by P, Q" for those P and Q both link (a
 * library shared by several programs gets a cluster of its own), clusters
 * in order of that set's names; modules no program links stay outside.
 */
static void print_program_clusters(struct gctx *g, const struct facts *f, struct strbuf *sb)
{
	struct keyed *k = xmalloc((g->nodes.n ? g->nodes.n : 1) * sizeof *k);
	size_t n = 0;
	for (size_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.items[i].visible && !g->nodes.items[i].scc)
			k[n++] = (struct keyed){ programs_of(f, g->nodes.items[i].name), 0, i };
	if (n)
		qsort(k, n, sizeof *k, cmp_by_folder);
	for (size_t first = 0; first < n;) {
		size_t last = first;
		while (last < n && !strcmp(k[last].folder, k[first].folder))
			last++;
		const char *set = k[first].folder;
		if (*set) {
			struct strbuf label = STRBUF_INIT;
			sb_adds(&label, strchr(set, ',') ? "shared by " : "program ");
			for (const char *c = set; *c; c++)
				sb_adds(&label, *c == ',' ? ", " : (char[]){ *c, 0 });
			sb_adds(sb, "  subgraph \"cluster_program_");
			out_escape(sb, set, OUT_ESC_DOT);
			sb_adds(sb, "\" {\n    id=\"program:");
			out_escape(sb, set, OUT_ESC_DOT);
			sb_adds(sb, "\"; label=");
			put_q(sb, label.buf);
			/* where the programs come from: CMake's targets, or inferred */
			sb_addf(&label, " (programs: %s)", f->programs[0].source);
			sb_adds(sb, "; tooltip=");
			put_q(sb, label.buf);
			sb_adds(sb, "; style=rounded; color=\"#6080b0\";\n");
			sb_release(&label);
		}
		for (size_t j = first; j < last; j++)
			print_node(g, sb, &g->nodes.items[k[j].idx]);
		if (*set)
			sb_adds(sb, "  }\n");
		first = last;
	}
	for (size_t j = 0; j < n; j++)
		free((char *)k[j].folder);
	free(k);
}

static void print_modules(struct gctx *g, struct strbuf *sb)
{
	const struct facts *pf = program_facts(g);
	print_cycles(g, sb);
	if (pf) {
		print_program_clusters(g, pf, sb);
		return;
	}
	if (!use_folders(g)) {
		for (size_t i = 0; i < g->nodes.n; i++)
			if (g->nodes.items[i].visible && !g->nodes.items[i].scc)
				print_node(g, sb, &g->nodes.items[i]);
		return;
	}
	/* the visible, non-cycle modules by folder: each folder is a run */
	struct keyed *k = xmalloc((g->nodes.n ? g->nodes.n : 1) * sizeof *k);
	size_t n = 0, ndir = 0;
	for (size_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.items[i].visible && !g->nodes.items[i].scc)
			k[n++] = (struct keyed){ g->nodes.items[i].folder, 0, i };
	if (n)
		qsort(k, n, sizeof *k, cmp_by_folder);
	for (size_t first = 0; first < n;) {
		size_t last = first;
		while (last < n && !strcmp(k[last].folder, k[first].folder))
			last++;
		const char *dir = k[first].folder;
		ndir++;
		sb_addf(sb, "  subgraph \"cluster_dir_%zu\" {\n    id=\"dir:", ndir);
		out_escape(sb, *dir ? dir : ".", OUT_ESC_DOT);
		sb_adds(sb, "\"; label=");
		put_q(sb, *dir ? dir : ".");
		sb_adds(sb, "; style=rounded; color=\"#9090a0\";\n");
		for (size_t j = first; j < last; j++)
			print_node(g, sb, &g->nodes.items[k[j].idx]);
		sb_adds(sb, "  }\n");
		first = last;
	}
	free(k);
}

static void print_kills(struct gctx *g, struct strbuf *sb)
{
	const struct graph_spec *s = g->spec;
	for (size_t i = 0; i < s->nkills; i++) {
		const struct graph_kill *k = &s->kills[i];
		size_t m = node_index(g, k->module);
		if (m != (size_t)-1 && !g->nodes.items[m].visible)
			continue;
		struct strbuf label = STRBUF_INIT;
		if (k->instr)
			sb_addf(&label, "%s\nkilled at #%u", k->process, k->instr);
		else
			sb_addf(&label, "%s\nkilled at", k->process);
		if (k->instr_text)
			sb_addf(&label, "\n%s", k->instr_text);
		sb_adds(sb, "  \"proc:");
		out_escape(sb, k->process, OUT_ESC_DOT);
		sb_adds(sb, "\" [id=\"proc:");
		out_escape(sb, k->process, OUT_ESC_DOT);
		sb_adds(sb, "\", class=\"killed\", shape=octagon, fillcolor=\"#d03030\", "
			"fontcolor=white, label=");
		put_q(sb, label.buf);
		sb_adds(sb, "];\n");
		if (m != (size_t)-1) {
			sb_adds(sb, "  \"proc:");
			out_escape(sb, k->process, OUT_ESC_DOT);
			sb_adds(sb, "\" -> ");
			put_q(sb, k->module);
			sb_adds(sb, " [id=\"kill:");
			out_escape(sb, k->process, OUT_ESC_DOT);
			sb_adds(sb, "\", class=\"killed\", style=dotted, color=\"#d03030\", "
				"arrowhead=none, label=\"runs old\", fontcolor=\"#d03030\"];\n");
		}
		sb_release(&label);
	}
}

static void legend_row(struct strbuf *sb, const char *cell_attrs, const char *sample,
		       const char *text)
{
	sb_addf(sb, "<tr><td %s>", cell_attrs);
	out_escape(sb, sample, OUT_ESC_XML);
	sb_adds(sb, "</td><td align=\"left\">");
	out_escape(sb, text, OUT_ESC_XML);
	sb_adds(sb, "</td></tr>");
}

static void print_legend(struct gctx *g, struct strbuf *sb)
{
	int plan = g->spec->new != NULL;
	sb_adds(sb, "  subgraph \"cluster_legend\" {\n"
		"    id=\"legend\"; label=\"legend\"; style=rounded; color=\"#9090a0\";\n"
		"    \"legend\" [id=\"legend:table\", shape=plaintext, fillcolor=\"#ffffff\", label=<"
		"<table border=\"0\" cellborder=\"1\" cellspacing=\"2\" cellpadding=\"3\">");
	if (plan) {
		for (size_t i = 0; i < HP_ARRAY_SIZE(change_styles); i++) {
			char attrs[64];
			snprintf(attrs, sizeof attrs, "bgcolor=\"%s\"", change_styles[i].color);
			legend_row(sb, attrs, "module", change_styles[i].name);
		}
		legend_row(sb, "bgcolor=\"#ffffff\"", "module", "unchanged");
		legend_row(sb, "bgcolor=\"#ffffff\"", "#N action (purge)",
			   "load order in the script, instruction, purge method");
		legend_row(sb, "bgcolor=\"#d03030\"", "process", "process predicted killed");
	}
	legend_row(sb, "border=\"3\"", "module", "double border: starts processes");
	for (size_t i = 0; i < HP_ARRAY_SIZE(kind_styles); i++) {
		char text[96];
		snprintf(text, sizeof text, "%s edge: %s", kind_styles[i].name, kind_styles[i].legend);
		legend_row(sb, "", "A -> B", text);
	}
	legend_row(sb, "bgcolor=\"#fdeeee\"", "cluster", "cycle: modules that depend on each other");
	sb_adds(sb, "</table>>];\n  }\n");
}

static void gctx_release(struct gctx *g)
{
	for (size_t i = 0; i < g->nodes.n; i++)
		free(g->nodes.items[i].folder);
	VEC_RELEASE(&g->nodes);
	VEC_RELEASE(&g->edges);
	strmap_release(&g->byname);
	free(g->out_start);
	free(g->out_adj);
	free(g->in_start);
	free(g->in_adj);
}

int graph_to_dot(const struct graph_spec *spec, struct strbuf *dot, struct errbuf *err)
{
	struct gctx g;
	memset(&g, 0, sizeof g);
	g.spec = spec;
	strmap_init(&g.byname);
	add_modules(&g, spec->old, 0);
	if (spec->new)
		add_modules(&g, spec->new, 1);
	index_nodes(&g);
	folders_relative(&g);
	for (size_t i = 0; i < spec->nnotes; i++) {
		size_t k = node_index(&g, spec->notes[i].module);
		if (k != (size_t)-1)
			g.nodes.items[k].note = &spec->notes[i];
	}
	if (spec->new) {
		add_edges(&g, spec->new, 0);
		add_edges(&g, spec->old, 1);
	} else {
		add_edges(&g, spec->old, 0);
	}
	if (g.edges.n)
		qsort(g.edges.items, g.edges.n, sizeof(struct gedge), cmp_edge);
	build_adjacency(&g);

	if (spec->focus) {
		size_t f = node_index(&g, spec->focus);
		if (f == (size_t)-1) {
			gctx_release(&g);
			return hp_error(err, HP_EUSAGE, "no module '%s' in the graph", spec->focus);
		}
		select_focus(&g, f, spec->depth);
	} else {
		for (size_t i = 0; i < g.nodes.n; i++)
			g.nodes.items[i].visible = 1;
	}
	find_cycles(&g);

	sb_adds(dot, "digraph \"hotplan\" {\n"
		"  graph [id=\"hotplan\", charset=\"UTF-8\", rankdir=LR, fontname=\"Helvetica\", "
		"fontsize=11, nodesep=0.3, ranksep=0.6, label=");
	{
		struct strbuf title = STRBUF_INIT;
		if (spec->new)
			sb_addf(&title, "%s -> %s", spec->old->root ? spec->old->root : "old",
				spec->new->root ? spec->new->root : "new");
		else
			sb_adds(&title, spec->old->root ? spec->old->root : "modules");
		if (spec->focus)
			sb_addf(&title, " (around %s, depth %u)", spec->focus, spec->depth);
		put_q(dot, title.buf);
		sb_release(&title);
	}
	sb_adds(dot, ", labelloc=t];\n"
		"  node [shape=box, style=filled, fontname=\"Helvetica\", fontsize=11, "
		"fillcolor=\"#ffffff\"];\n"
		"  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
	print_modules(&g, dot);
	for (size_t i = 0; i < g.edges.n; i++) {
		const struct gedge *e = &g.edges.items[i];
		if (g.nodes.items[e->from].visible && g.nodes.items[e->to].visible)
			print_edge(&g, dot, e);
	}
	print_kills(&g, dot);
	print_legend(&g, dot);
	sb_adds(dot, "}\n");
	gctx_release(&g);
	return 0;
}

/* ---- formats ---------------------------------------------------------------- */

static const struct graph_format graph_formats[] = {
	{ "svg", "svg", ".svg", NULL },
	{ "png", "png", ".png", NULL },
	{ "pdf", "pdf", ".pdf", NULL },
	{ "dot", "dot", ".dot", ".gv" },
};

const struct graph_format *graph_format_find(const char *name)
{
	for (size_t i = 0; name && i < HP_ARRAY_SIZE(graph_formats); i++)
		if (!strcmp(graph_formats[i].name, name))
			return &graph_formats[i];
	return NULL;
}

int graph_format_known(const char *format)
{
	return graph_format_find(format) != NULL;
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
