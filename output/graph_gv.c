/*
 * graph_gv.c - lays out and renders DOT text with graphviz's libraries
 * (gvc, cgraph) inside this process; hotplan never runs the dot program.
 *
 * Invariant: every graphviz object made for one rendering (graph, layout,
 * render buffer) is freed before the function returns, on every path; the
 * context lives in a struct graph_renderer; the caller's buffer receives
 * either the whole rendering or nothing.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

/*
 * Cairo stamps a PDF with the time it was made ("/CreationDate
 * (D:20261121114006Z)"). Outputs must be the same for the same inputs, so
 * each such date is overwritten in place with the epoch; the length does not
 * change, so the PDF's cross-reference offsets stay right.
 */
static void pdf_drop_dates(char *data, size_t len)
{
	static const char key[] = "Date (D:";
	const size_t klen = sizeof key - 1;
	for (size_t i = 0; i + klen < len; i++) {
		if (memcmp(data + i, key, klen))
			continue;
		static const char epoch[] = "19700101000000";
		size_t j = i + klen;
		for (size_t k = 0; k < sizeof epoch - 1 && j < len && data[j] >= '0' && data[j] <= '9';
		     k++, j++)
			data[j] = epoch[k];
		i = j;
	}
}

/*
 * Reading DOT from memory with our own disciplines, because the defaults
 * make the output vary from run to run: cgraph's default ID discipline uses
 * the address of a name's interned string as the ID of a named object, and
 * subgraphs are kept (and so rendered) in ID order. Ours declines to map
 * names, so cgraph gives every object an anonymous ID from the counter below
 * (in creation order, that is in the order of the DOT text) and keeps the
 * name in its internal map.
 */
struct gv_reader {
	const char *text;
	size_t len, pos;
};

/* Hands the lexer one line at a time (as graphviz's own memory reader). */
static int gv_read(void *chan, char *buf, int bufsize)
{
	struct gv_reader *r = chan;
	int n = 0;
	if (bufsize <= 0)
		return 0;
	while (n < bufsize - 1 && r->pos < r->len) {
		char c = r->text[r->pos++];
		buf[n++] = c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return n;
}

struct gv_ids {
	IDTYPE next;   /* odd: anonymous IDs are odd in cgraph */
};

static void *gv_id_open(Agraph_t *g, Agdisc_t *disc)
{
	(void)g;
	(void)disc;
	struct gv_ids *ids = xmalloc(sizeof *ids);
	ids->next = 1;
	return ids;
}

static long gv_id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	struct gv_ids *ids = state;
	(void)objtype;
	if (str || !createflag)
		return 0;
	*id = ids->next;
	ids->next += 2;
	return 1;
}

static long gv_id_alloc(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
	return 0;
}

static void gv_id_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *gv_id_print(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
	return NULL;
}

static void gv_id_close(void *state)
{
	free(state);
}

static void gv_id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

/* The disciplines a graph read by gv_read_graph() points at: they must live
 * until the graph is closed, so the caller keeps this on its stack. */
struct gv_session {
	Agiddisc_t id;
	Agiodisc_t io;
	Agdisc_t disc;
	struct gv_reader reader;
};

static Agraph_t *gv_read_graph(struct gv_session *s, const char *dot)
{
	Agiddisc_t id = { gv_id_open, gv_id_map, gv_id_alloc, gv_id_free,
			  gv_id_print, gv_id_close, gv_id_register };
	Agiodisc_t io = { gv_read, AgIoDisc.putstr, AgIoDisc.flush };
	s->id = id;
	s->io = io;
	s->disc.mem = &AgMemDisc;
	s->disc.id = &s->id;
	s->disc.io = &s->io;
	s->reader.text = dot;
	s->reader.len = strlen(dot);
	s->reader.pos = 0;
	return agread(&s->reader, &s->disc);
}

struct graph_renderer {
	GVC_t *gvc;
};

struct graph_renderer *graph_renderer_new(void)
{
	struct graph_renderer *r = xcalloc(1, sizeof *r);
	r->gvc = gvContext();
	return r;
}

void graph_renderer_free(struct graph_renderer *r)
{
	if (!r)
		return;
	if (r->gvc)
		gvFreeContext(r->gvc);
	free(r);
}

int graph_renderer_render(struct graph_renderer *r, const char *dot, const char *format,
			  struct strbuf *out, struct errbuf *err)
{
	const struct graph_format *f = graph_format_find(format);
	if (!f)
		return hp_error(err, HP_EUSAGE, "unknown graph format '%s' (svg, png, pdf or dot)",
				format ? format : "");
	if (!strcmp(f->name, "dot")) {
		/* Graphviz's own DOT writer orders subgraphs by address, which
		 * changes from run to run: hand back hotplan's DOT, unlaid. */
		sb_adds(out, dot);
		return 0;
	}
	int rc = 0;
	GVC_t *gvc = r->gvc;
	Agraph_t *g = NULL;
	char *data = NULL;
	unsigned int len = 0;
	int laid_out = 0;
	struct gv_session session;

	if (!gvc) {
		rc = hp_error(err, HP_EIO, "cannot start graphviz");
		goto out;
	}
	g = gv_read_graph(&session, dot);
	if (!g) {
		rc = hp_error(err, HP_EINPUT, "graphviz cannot read the graph");
		goto out;
	}
	if (gvLayout(gvc, g, "dot") != 0) {
		rc = hp_error(err, HP_EINPUT, "graphviz cannot lay out the graph");
		goto out;
	}
	laid_out = 1;
	if (gvRenderData(gvc, g, f->renderer, &data, &len) != 0 || !data) {
		rc = hp_error(err, HP_EIO, "graphviz cannot render '%s' (is its plugin installed?)",
			      f->name);
		goto out;
	}
	if (!strcmp(f->name, "pdf"))
		pdf_drop_dates(data, len);
	sb_add(out, data, len);
out:
	if (data)
		gvFreeRenderData(data);
	if (laid_out)
		gvFreeLayout(gvc, g);
	if (g)
		agclose(g);
	return rc;
}

int graph_render(const char *dot, const char *format, struct strbuf *out, struct errbuf *err)
{
	struct graph_renderer *r = graph_renderer_new();
	int rc = graph_renderer_render(r, dot, format, out, err);
	graph_renderer_free(r);
	return rc;
}
