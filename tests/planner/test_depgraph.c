/*
 * test_depgraph.c - planner/depgraph.h through its public functions: weakly
 * and strongly connected components and the ranked topological order of
 * the condensation, on small graphs whose answers are written out, on a
 * chain of a million vertices (the walks are iterative), and on the module
 * graph of the planner's synthetic code base (fixture.h, fx_synthetic, with
 * one edge in ten also reversed, for cycles), where the components are
 * checked against reachability computed the slow way, and the order against
 * every edge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "depgraph.h"
#include "fixture.h"

/* ---- small graphs, answers written out --------------------------------------- */

struct small_case {
	const char *name;
	size_t n;
	size_t edges[8][2];
	size_t nedges;
	size_t rank[6];         /* ranks of the vertices (condensation order) */
	size_t wcc[6];          /* expected component numbers */
	size_t scc[6];
	size_t order[6];        /* expected condensation order */
	size_t ncomp, nscc;
};

static const struct small_case small_cases[] = {
	{ "no vertices", 0, { { 0 } }, 0, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0 },
	{ "one vertex, self loop", 1, { { 0, 0 } }, 1, { 0 }, { 0 }, { 0 }, { 0 }, 1, 1 },
	{ "chain 0->1->2", 3, { { 0, 1 }, { 1, 2 } }, 2, { 0, 1, 2 },
	  { 0, 0, 0 }, { 0, 1, 2 }, { 0, 1, 2 }, 1, 3 },
	{ "chain 2->1->0: the order follows edges, not ranks", 3, { { 2, 1 }, { 1, 0 } }, 2,
	  { 0, 1, 2 }, { 0, 0, 0 }, { 0, 1, 2 }, { 2, 1, 0 }, 1, 3 },
	{ "cycle 1->2->3->1 entered from 0, 4 alone", 5,
	  { { 1, 2 }, { 2, 3 }, { 3, 1 }, { 0, 1 } }, 4, { 1, 2, 3, 4, 0 },
	  { 0, 0, 0, 0, 1 }, { 0, 1, 1, 1, 2 }, { 2, 0, 1 }, 2, 3 },
	{ "independent vertices: ties broken by rank", 3, { { 0 } }, 0, { 2, 0, 1 },
	  { 0, 1, 2 }, { 0, 1, 2 }, { 1, 2, 0 }, 3, 3 },
	{ "two cycles joined by an edge, duplicate edges", 6,
	  { { 5, 4 }, { 4, 5 }, { 4, 5 }, { 0, 1 }, { 1, 0 }, { 1, 4 }, { 2, 3 } }, 7,
	  { 5, 4, 3, 2, 1, 0 }, { 0, 0, 1, 1, 0, 0 }, { 0, 0, 1, 2, 3, 3 }, { 1, 2, 0, 3 }, 2, 4 },
};

/* Runs one case with its edges added in order (reverse 0) or backwards. */
static void check_small(const struct small_case *c, int reverse)
{
	struct depgraph g;
	size_t comp[6], scc[6], order[6];
	depgraph_init(&g, c->n);
	for (size_t k = 0; k < c->nedges; k++) {
		size_t e = reverse ? c->nedges - 1 - k : k;
		depgraph_add_edge(&g, c->edges[e][0], c->edges[e][1]);
	}
	size_t ncomp = depgraph_wcc(&g, comp);
	size_t nscc = depgraph_scc(&g, scc);
	depgraph_condensation_order(&g, scc, nscc, c->rank, order);
	if (ncomp != c->ncomp || nscc != c->nscc)
		fail_msg("%s: %zu components and %zu SCCs, expected %zu and %zu", c->name,
			 ncomp, nscc, c->ncomp, c->nscc);
	for (size_t v = 0; v < c->n; v++) {
		if (comp[v] != c->wcc[v] || scc[v] != c->scc[v])
			fail_msg("%s: vertex %zu in component %zu, SCC %zu; expected %zu, %zu",
				 c->name, v, comp[v], scc[v], c->wcc[v], c->scc[v]);
	}
	for (size_t k = 0; k < nscc; k++) {
		if (order[k] != c->order[k])
			fail_msg("%s: order[%zu] is SCC %zu, expected %zu", c->name, k, order[k],
				 c->order[k]);
	}
	depgraph_release(&g);
}

static void test_small_graphs(void **state)
{
	(void)state;
	for (size_t k = 0; k < HP_ARRAY_SIZE(small_cases); k++) {
		check_small(&small_cases[k], 0);
		check_small(&small_cases[k], 1);
	}
}

/* Release of zeroed storage is a no-op; a released graph can be reused. */
static void test_release_and_reuse(void **state)
{
	struct depgraph g;
	size_t scc[2];
	(void)state;
	memset(&g, 0, sizeof(g));
	depgraph_release(&g);
	depgraph_init(&g, 2);
	depgraph_add_edge(&g, 0, 1);
	depgraph_add_edge(&g, 1, 0);
	assert_int_equal(depgraph_scc(&g, scc), 1);
	depgraph_release(&g);
	depgraph_init(&g, 2);
	assert_int_equal(depgraph_scc(&g, scc), 2);
	/* an edge added after a walk is seen by the next walk */
	depgraph_add_edge(&g, 0, 1);
	depgraph_add_edge(&g, 1, 0);
	assert_int_equal(depgraph_scc(&g, scc), 1);
	depgraph_release(&g);
}

/* A chain of a million vertices: recursion would overflow the stack. */
static void test_long_chain(void **state)
{
	size_t n = 1000000;
	struct depgraph g;
	size_t *scc = malloc(n * sizeof(size_t)), *rank = malloc(n * sizeof(size_t));
	size_t *order = malloc(n * sizeof(size_t));
	(void)state;
	depgraph_init(&g, n);
	for (size_t v = 0; v + 1 < n; v++) {
		depgraph_add_edge(&g, v, v + 1);
		rank[v] = n - v; /* ranks against the edges: edges must win */
	}
	rank[n - 1] = 0;
	assert_int_equal(depgraph_scc(&g, scc), n);
	depgraph_condensation_order(&g, scc, n, rank, order);
	for (size_t k = 0; k < n; k++)
		if (order[k] != k)
			fail_msg("order[%zu] = %zu", k, order[k]);
	depgraph_add_edge(&g, n - 1, 0);
	assert_int_equal(depgraph_scc(&g, scc), 1);
	assert_int_equal(depgraph_wcc(&g, order), 1);
	depgraph_release(&g);
	free(scc);
	free(rank);
	free(order);
}

/* ---- the synthetic code base, against reachability ---------------------------- */

/* Marks in seen the vertices reachable from s along the rows off/adj. */
static void reach(size_t n, const size_t *off, const size_t *adj, size_t s,
		  unsigned char *seen, size_t *queue)
{
	size_t head = 0, tail = 0;
	memset(seen, 0, n);
	seen[s] = 1;
	queue[tail++] = s;
	while (head < tail) {
		size_t v = queue[head++];
		for (size_t e = off[v]; e < off[v + 1]; e++) {
			if (!seen[adj[e]]) {
				seen[adj[e]] = 1;
				queue[tail++] = adj[e];
			}
		}
	}
}

/* Successor rows of the edges (both directions when undirected). */
static void rows(size_t n, const size_t (*edges)[2], size_t ne, int undirected,
		 size_t **off, size_t **adj)
{
	*off = calloc(n + 1, sizeof(size_t));
	*adj = malloc((2 * ne + 1) * sizeof(size_t));
	for (size_t k = 0; k < ne; k++) {
		(*off)[edges[k][0] + 1]++;
		if (undirected)
			(*off)[edges[k][1] + 1]++;
	}
	for (size_t v = 0; v < n; v++)
		(*off)[v + 1] += (*off)[v];
	size_t *fill = malloc((n + 1) * sizeof(size_t));
	memcpy(fill, *off, (n + 1) * sizeof(size_t));
	for (size_t k = 0; k < ne; k++) {
		(*adj)[fill[edges[k][0]]++] = edges[k][1];
		if (undirected)
			(*adj)[fill[edges[k][1]]++] = edges[k][0];
	}
	free(fill);
}

/*
 * Components the slow way: u and v share an SCC when each reaches the
 * other, a WCC when they are connected ignoring direction; numbered by
 * smallest vertex, as depgraph.h promises.
 */
static void slow_components(size_t n, const size_t (*edges)[2], size_t ne, size_t *scc,
			    size_t *wcc)
{
	size_t *off, *adj, *uoff, *uadj, *queue = malloc(n * sizeof(size_t));
	unsigned char *fwd = malloc(n * n), *seen = malloc(n);
	size_t next = 0;
	rows(n, edges, ne, 0, &off, &adj);
	rows(n, edges, ne, 1, &uoff, &uadj);
	for (size_t v = 0; v < n; v++)
		reach(n, off, adj, v, fwd + v * n, queue);
	for (size_t v = 0; v < n; v++)
		scc[v] = wcc[v] = (size_t)-1;
	for (size_t v = 0; v < n; v++) {
		if (scc[v] != (size_t)-1)
			continue;
		for (size_t w = v; w < n; w++)
			if (fwd[v * n + w] && fwd[w * n + v])
				scc[w] = next;
		next++;
	}
	next = 0;
	for (size_t v = 0; v < n; v++) {
		if (wcc[v] != (size_t)-1)
			continue;
		reach(n, uoff, uadj, v, seen, queue);
		for (size_t w = v; w < n; w++)
			if (seen[w])
				wcc[w] = next;
		next++;
	}
	free(off);
	free(adj);
	free(uoff);
	free(uadj);
	free(queue);
	free(fwd);
	free(seen);
}

/* Checks the walks on the graph of fx_synthetic(spec, v2); returns the
 * number of weakly connected components. */
static size_t check_synthetic(const struct fx_synth *spec)
{
	struct facts *f = fx_synthetic(spec, 1);
	size_t n = f->nmodules, ne = 0;
	size_t (*edges)[2] = malloc((2 * f->nedges + 1) * sizeof(*edges));
	size_t *scc = malloc(n * sizeof(size_t)), *wcc = malloc(n * sizeof(size_t));
	size_t *want_scc = malloc(n * sizeof(size_t)), *want_wcc = malloc(n * sizeof(size_t));
	size_t *rank = malloc(n * sizeof(size_t)), *order = malloc(n * sizeof(size_t));
	size_t *pos = malloc(n * sizeof(size_t));
	struct depgraph g;

	depgraph_init(&g, n);
	for (size_t k = 0; k < f->nedges; k++) {
		size_t a = (size_t)(facts_module(f, f->edges[k].from) - f->modules);
		size_t b = (size_t)(facts_module(f, f->edges[k].to) - f->modules);
		edges[ne][0] = a;
		edges[ne++][1] = b;
		if (k % 10 == 3) {
			edges[ne][0] = b;
			edges[ne++][1] = a;
		}
	}
	for (size_t k = 0; k < ne; k++)
		depgraph_add_edge(&g, edges[k][0], edges[k][1]);
	for (size_t v = 0; v < n; v++)
		rank[v] = (v * 7919) % n; /* any ranks: the order must respect edges */
	size_t nscc = depgraph_scc(&g, scc);
	size_t ncomp = depgraph_wcc(&g, wcc);
	depgraph_condensation_order(&g, scc, nscc, rank, order);
	slow_components(n, (const size_t (*)[2])edges, ne, want_scc, want_wcc);
	for (size_t v = 0; v < n; v++) {
		if (scc[v] != want_scc[v] || wcc[v] != want_wcc[v])
			fail_msg("module %s: SCC %zu, WCC %zu; reachability says %zu, %zu",
				 f->modules[v].name, scc[v], wcc[v], want_scc[v], want_wcc[v]);
	}
	/* the comparison saw cycles */
	assert_true(nscc < n);
	for (size_t k = 0; k < nscc; k++)
		pos[order[k]] = k;
	for (size_t k = 0; k < ne; k++) {
		size_t a = scc[edges[k][0]], b = scc[edges[k][1]];
		if (a != b && pos[a] >= pos[b])
			fail_msg("edge %s -> %s: SCC %zu comes at %zu, after %zu at %zu",
				 f->modules[edges[k][0]].name, f->modules[edges[k][1]].name,
				 a, pos[a], b, pos[b]);
	}
	depgraph_release(&g);
	facts_free(f);
	free(edges);
	free(scc);
	free(wcc);
	free(want_scc);
	free(want_wcc);
	free(rank);
	free(order);
	free(pos);
	return ncomp;
}

static void test_synthetic_code_base(void **state)
{
	/* about six references per module: one big component */
	struct fx_synth dense = { 1500, 9000, 10 };
	/* one reference per module, some to removed modules: several */
	struct fx_synth sparse = { 1500, 1500, 10 };
	(void)state;
	check_synthetic(&dense);
	assert_true(check_synthetic(&sparse) > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_graphs),
		cmocka_unit_test(test_release_and_reuse),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_synthetic_code_base),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
