/*
 * depgraph.h - a directed graph over vertices 0..n-1 with the three walks the
 * planner needs: weakly connected components, strongly connected components,
 * and a deterministic topological order of the condensation.
 *
 * Usage:
 *   struct depgraph g;
 *   depgraph_init(&g, n);
 *   depgraph_add_edge(&g, u, v);          (any number, duplicates and self loops allowed)
 *   size_t ncomp = depgraph_wcc(&g, comp);     comp[v] for every v
 *   size_t nscc  = depgraph_scc(&g, scc);      scc[v] for every v
 *   depgraph_condensation_order(&g, scc, nscc, rank, order);
 *   depgraph_release(&g);
 *
 * Invariants: results depend only on the vertices, the edges (as a set) and
 * the caller's ranks, never on hash order or insertion order of edges, so
 * output built from them is byte-identical between runs. Every walk is
 * iterative: a chain of a million vertices does not overflow the stack.
 * Memory is O(n + e); every function is O(n + e), except
 * depgraph_condensation_order, which is O((n + e) log n).
 */
#ifndef HOTPLAN_DEPGRAPH_H
#define HOTPLAN_DEPGRAPH_H

#include <stddef.h>
#include "util.h"

struct depgraph_edge {
	size_t from, to;
};

struct depgraph {
	size_t n;                      /* vertices are 0..n-1 */
	VEC(struct depgraph_edge) edges;  /* as added */
	size_t *off;                   /* CSR successors, built on demand: */
	size_t *adj;                   /* succ of v are adj[off[v]..off[v+1]) */
	int built;
};

/* Fills g with n vertices and no edges. */
void depgraph_init(struct depgraph *g, size_t n);
/* Frees the contents; g may be re-initialised. A no-op on zeroed storage. */
void depgraph_release(struct depgraph *g);
/* Adds the edge from -> to; both must be < n. */
void depgraph_add_edge(struct depgraph *g, size_t from, size_t to);

/*
 * Weakly connected components (edges taken without direction). Writes
 * comp[v] for every vertex and returns the number of components. Components
 * are numbered in the order of their smallest vertex: comp[0] == 0, and a
 * component containing a smaller vertex has a smaller number.
 */
size_t depgraph_wcc(struct depgraph *g, size_t *comp);

/*
 * Strongly connected components (Tarjan). Writes scc[v] for every vertex
 * and returns their number. Numbering: in the order of each component's
 * smallest vertex, as depgraph_wcc.
 */
size_t depgraph_scc(struct depgraph *g, size_t *scc);

/*
 * A topological order of the condensation (the graph of the SCCs): order[]
 * receives the nscc component numbers such that for every edge u -> v with
 * scc[u] != scc[v], scc[u] comes before scc[v]. Among components that could
 * come next, the one whose smallest rank[v] over its vertices is smallest is
 * taken first (rank: one value per vertex, e.g. the position of the vertex's
 * name in sorted order, so ties are broken by name).
 */
void depgraph_condensation_order(struct depgraph *g, const size_t *scc, size_t nscc,
			      const size_t *rank, size_t *order);

#endif
