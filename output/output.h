/*
 * output.h - renderers only: they turn results into bytes for people and
 * tools, and compute nothing of the upgrade. Escaping (JSON, DOT, XML), the
 * terminal style, the module graph (DOT, rendered in-process with graphviz
 * to SVG/PNG/PDF) and the report drivers (text, SARIF 2.1.0, JUnit XML).
 * What they draw and report - the plan's annotations, the simulation's
 * kills, the findings and the verdict - comes ready-made from
 * upgrade/upgrade.h; nothing here plans or simulates.
 *
 * Invariants:
 *  - Every string that reaches a JSON, DOT or XML output goes through
 *    out_escape(); no driver escapes on its own.
 *  - Outputs are deterministic: the same inputs give byte-identical bytes
 *    (modules, edges, findings and processes are emitted in name order; no
 *    timestamps, no hash-order iteration).
 *  - Nothing here writes files: functions append to a struct strbuf, and the
 *    caller writes it atomically (model/fileio.h).
 *  - Only output/graph*.c include graphviz headers; no graphviz type appears
 *    here.
 */
#ifndef HOTPLAN_OUTPUT_H
#define HOTPLAN_OUTPUT_H

#include <stdio.h>
#include "facts.h"
#include "upgrade.h"
#include "util.h"

/* ---- escaping ------------------------------------------------------------ */

enum out_esc {
	OUT_ESC_JSON, /* body of a JSON string: \" \\ \n \r \t \u00XX */
	OUT_ESC_DOT,  /* body of a DOT "quoted string": \" \\ and \n for newline */
	OUT_ESC_XML,  /* XML text or attribute value (also DOT HTML-like labels):
		       * &amp; &lt; &gt; &quot; &apos;, and control characters
		       * that XML 1.0 forbids replaced by '?' */
};

/* Appends s escaped for the given syntax (no surrounding quotes). s NULL
 * appends nothing. */
void out_escape(struct strbuf *sb, const char *s, enum out_esc how);

/* ---- terminal style ------------------------------------------------------- */

/* Colour for a text report: on when fp is a terminal and the environment
 * variable NO_COLOR is unset or empty (https://no-color.org). */
int out_color_wanted(FILE *fp);

/* ---- the module graph ----------------------------------------------------- */


enum graph_cluster {
	GRAPH_CLUSTER_AUTO,   /* by folder when more than GRAPH_FOLDER_THRESHOLD
			       * modules are drawn */
	GRAPH_CLUSTER_FOLDER,
	GRAPH_CLUSTER_NONE,
};
#define GRAPH_FOLDER_THRESHOLD 24

struct graph_spec {
	const struct facts *old;  /* required: the tree (or OLD) */
	const struct facts *new;  /* NULL: draw old alone, no plan */
	const struct graph_note *notes; size_t nnotes;
	const struct graph_kill *kills; size_t nkills;
	const char *focus;        /* NULL: every module */
	unsigned depth;           /* with focus: neighbours within depth edges */
	enum graph_cluster cluster;
};

/*
 * Builds the DOT text of the graph:
 *  - modules are nodes (id "mod:NAME"), double-bordered when they start
 *    processes, filled by kind of change, labelled with load order, action
 *    and purge method when notes say so;
 *  - one edge per (from, to) pair (id "edge:FROM->TO", class = its kinds),
 *    styled by its strongest kind: qualified bold blue, call solid, address
 *    dashed, data dotted; edges of removed modules are grey;
 *  - strongly connected components of more than one module are drawn in a
 *    cluster "cluster_cycle_N" (N in order of their smallest member);
 *  - modules are clustered by folder ("cluster_dir_N") as spec->cluster says;
 *  - killed processes are octagons (id "proc:NAME") tied to their module;
 *  - a legend cluster "cluster_legend" explains colours and styles.
 * With NEW, the modules are the union of both trees and edges are NEW's,
 * plus OLD's edges of removed modules. Returns 0, or HP_EUSAGE when
 * spec->focus names no module.
 */
int graph_to_dot(const struct graph_spec *spec, struct strbuf *dot, struct errbuf *err);

/*
 * Lays out DOT text with graphviz's "dot" engine in this process and renders
 * it in format ("svg", "png" or "pdf"), appending the bytes to out; format
 * "dot" appends the DOT text itself, unlaid (graphviz's own DOT writer
 * orders subgraphs differently from run to run). PDF creation dates are set
 * to the epoch, so every format is byte-identical for the same input.
 * Returns 0, HP_EUSAGE for an unknown format, or HP_EINPUT when graphviz
 * rejects the text.
 */
int graph_render(const char *dot, const char *format, struct strbuf *out, struct errbuf *err);

/*
 * A graphviz context kept for several renderings. Needed by a process that
 * renders more than once: graphviz 2.42's pango text layout caches a font
 * name that points into the previous context, so freeing a context and
 * making another reads freed memory. graph_render() makes and frees one;
 * call it at most once per process, or use a renderer.
 */
struct graph_renderer;
struct graph_renderer *graph_renderer_new(void);
void graph_renderer_free(struct graph_renderer *r);
int graph_renderer_render(struct graph_renderer *r, const char *dot, const char *format,
			  struct strbuf *out, struct errbuf *err);

/* Whether format is one graph_render() knows. */
int graph_format_known(const char *format);
/* The format implied by a file name's extension (".svg", ".png", ".pdf",
 * ".dot", ".gv"), or NULL. */
const char *graph_format_from_path(const char *path);

/* ---- rendering the report ----------------------------------------------------- */

/* How the text report is written (bits of report_write()'s flags; the
 * other drivers ignore them). */
enum report_flags {
	REPORT_COLOR = 1,    /* ANSI colours (out_color_wanted() says when) */
	REPORT_VERBOSE = 2,  /* every finding: no "and N more (--verbose)" */
};

/*
 * Renders the report with one driver: "text" (for a terminal: the findings
 * of one group once, and at most REPORT_TEXT_PER_MODULE other findings of
 * one rule per module, then "and N more (--verbose)", unless flags has
 * REPORT_VERBOSE; REPORT_COLOR adds ANSI colours), "sarif" (SARIF 2.1.0,
 * one run, rules with help text, one result per finding located in the C
 * sources, partialFingerprints stable from run to run) or "junit" (JUnit
 * XML: one test case per rule, listing every finding, and one per process,
 * failing for forbidden findings and killed processes). Returns 0, or
 * HP_EUSAGE for an unknown driver name.
 */
#define REPORT_TEXT_PER_MODULE 3
int report_write(const struct report *r, const char *driver, int flags, struct strbuf *out);

#endif
