/*
 * depgraph.c - weakly and strongly connected components and a ranked
 * topological order of the condensation (see depgraph.h).
 *
 * Successors are kept in compressed rows (off/adj) built once, on the first
 * walk after the last depgraph_add_edge. Tarjan's algorithm runs with an
 * explicit stack of (vertex, next successor) frames instead of recursion.
 * Component numbers are renumbered by smallest vertex so that they never
 * depend on the order in which edges were added.
 */
#include "depgraph.h"

#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

void depgraph_init(struct depgraph *g, size_t n)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
}

void depgraph_release(struct depgraph *g)
{
	VEC_RELEASE(&g->edges);
	free(g->off);
	free(g->adj);
	memset(g, 0, sizeof(*g));
}

void depgraph_add_edge(struct depgraph *g, size_t from, size_t to)
{
	struct depgraph_edge e = { from, to };
	VEC_PUSH(&g->edges, e);
	g->built = 0;
}

/* Builds the successor rows from the edge list. */
static void graph_build(struct depgraph *g)
{
	if (g->built)
		return;
	free(g->off);
	free(g->adj);
	g->off = xcalloc(g->n + 1, sizeof(size_t));
	g->adj = xmalloc((g->edges.n ? g->edges.n : 1) * sizeof(size_t));
	for (size_t i = 0; i < g->edges.n; i++)
		g->off[g->edges.items[i].from + 1]++;
	for (size_t v = 0; v < g->n; v++)
		g->off[v + 1] += g->off[v];
	size_t *fill = xmalloc((g->n + 1) * sizeof(size_t));
	memcpy(fill, g->off, (g->n + 1) * sizeof(size_t));
	for (size_t i = 0; i < g->edges.n; i++)
		g->adj[fill[g->edges.items[i].from]++] = g->edges.items[i].to;
	free(fill);
	g->built = 1;
}

static size_t uf_find(size_t *parent, size_t v)
{
	while (parent[v] != v) {
		parent[v] = parent[parent[v]];
		v = parent[v];
	}
	return v;
}

/* Renumbers raw[v] so that numbers follow the smallest vertex of each class. */
static size_t renumber(size_t n, size_t nraw, size_t *raw)
{
	size_t *map = xmalloc((nraw ? nraw : 1) * sizeof(size_t));
	size_t next = 0;
	for (size_t i = 0; i < nraw; i++)
		map[i] = NONE;
	for (size_t v = 0; v < n; v++) {
		if (map[raw[v]] == NONE)
			map[raw[v]] = next++;
		raw[v] = map[raw[v]];
	}
	free(map);
	return next;
}

size_t depgraph_wcc(struct depgraph *g, size_t *comp)
{
	size_t *parent = xmalloc((g->n ? g->n : 1) * sizeof(size_t));
	for (size_t v = 0; v < g->n; v++)
		parent[v] = v;
	for (size_t i = 0; i < g->edges.n; i++) {
		size_t a = uf_find(parent, g->edges.items[i].from);
		size_t b = uf_find(parent, g->edges.items[i].to);
		if (a != b)
			parent[a < b ? b : a] = a < b ? a : b;
	}
	for (size_t v = 0; v < g->n; v++)
		comp[v] = uf_find(parent, v);
	free(parent);
	return renumber(g->n, g->n, comp);
}

size_t depgraph_scc(struct depgraph *g, size_t *scc)
{
	size_t n = g->n, idx = 0, nraw = 0;
	graph_build(g);
	size_t *index = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t *low = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t *pos = xmalloc((n ? n : 1) * sizeof(size_t));
	unsigned char *on = xcalloc(n ? n : 1, 1);
	size_t *stack = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t *calls = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t nstack = 0, ncalls = 0;

	for (size_t v = 0; v < n; v++)
		index[v] = NONE;
	for (size_t s = 0; s < n; s++) {
		if (index[s] != NONE)
			continue;
		index[s] = low[s] = idx++;
		pos[s] = g->off[s];
		stack[nstack++] = s;
		on[s] = 1;
		calls[ncalls++] = s;
		while (ncalls) {
			size_t v = calls[ncalls - 1];
			if (pos[v] < g->off[v + 1]) {
				size_t w = g->adj[pos[v]++];
				if (index[w] == NONE) {
					index[w] = low[w] = idx++;
					pos[w] = g->off[w];
					stack[nstack++] = w;
					on[w] = 1;
					calls[ncalls++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			ncalls--;
			if (low[v] == index[v]) {
				size_t w;
				do {
					w = stack[--nstack];
					on[w] = 0;
					scc[w] = nraw;
				} while (w != v);
				nraw++;
			}
			if (ncalls) {
				size_t u = calls[ncalls - 1];
				if (low[v] < low[u])
					low[u] = low[v];
			}
		}
	}
	free(index);
	free(low);
	free(pos);
	free(on);
	free(stack);
	free(calls);
	return renumber(n, nraw, scc);
}

/* A binary min-heap of component numbers ordered by key (then number). */
struct cheap {
	size_t *h, n;
	const size_t *key;
};

static int cheap_less(const struct cheap *q, size_t a, size_t b)
{
	return q->key[a] != q->key[b] ? q->key[a] < q->key[b] : a < b;
}

static void cheap_push(struct cheap *q, size_t c)
{
	size_t i = q->n++;
	q->h[i] = c;
	while (i && cheap_less(q, q->h[i], q->h[(i - 1) / 2])) {
		size_t p = (i - 1) / 2, t = q->h[p];
		q->h[p] = q->h[i];
		q->h[i] = t;
		i = p;
	}
}

static size_t cheap_pop(struct cheap *q)
{
	size_t top = q->h[0], i = 0;
	q->h[0] = q->h[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && cheap_less(q, q->h[l], q->h[m]))
			m = l;
		if (r < q->n && cheap_less(q, q->h[r], q->h[m]))
			m = r;
		if (m == i)
			break;
		size_t t = q->h[m];
		q->h[m] = q->h[i];
		q->h[i] = t;
		i = m;
	}
	return top;
}

void depgraph_condensation_order(struct depgraph *g, const size_t *scc, size_t nscc,
			      const size_t *rank, size_t *order)
{
	size_t n = g->n, k = nscc ? nscc : 1;
	graph_build(g);
	size_t *key = xmalloc(k * sizeof(size_t));
	size_t *indeg = xcalloc(k, sizeof(size_t));
	size_t *first = xcalloc(k + 1, sizeof(size_t));
	size_t *members = xmalloc((n ? n : 1) * sizeof(size_t));
	struct cheap q = { xmalloc(k * sizeof(size_t)), 0, key };

	for (size_t c = 0; c < nscc; c++)
		key[c] = NONE;
	for (size_t v = 0; v < n; v++) {
		if (rank[v] < key[scc[v]])
			key[scc[v]] = rank[v];
		first[scc[v] + 1]++;
	}
	for (size_t c = 0; c < nscc; c++)
		first[c + 1] += first[c];
	{
		size_t *fill = xmalloc(k * sizeof(size_t));
		memcpy(fill, first, k * sizeof(size_t));
		for (size_t v = 0; v < n; v++)
			members[fill[scc[v]]++] = v;
		free(fill);
	}
	for (size_t i = 0; i < g->edges.n; i++) {
		size_t a = scc[g->edges.items[i].from], b = scc[g->edges.items[i].to];
		if (a != b)
			indeg[b]++;
	}
	for (size_t c = 0; c < nscc; c++)
		if (!indeg[c])
			cheap_push(&q, c);
	size_t done = 0;
	while (q.n) {
		size_t c = cheap_pop(&q);
		order[done++] = c;
		for (size_t m = first[c]; m < first[c + 1]; m++) {
			size_t v = members[m];
			for (size_t e = g->off[v]; e < g->off[v + 1]; e++) {
				size_t d = scc[g->adj[e]];
				if (d != c && --indeg[d] == 0)
					cheap_push(&q, d);
			}
		}
	}
	free(key);
	free(indeg);
	free(first);
	free(members);
	free(q.h);
}
