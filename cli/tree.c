/*
 * tree.c - cli_load_tree(): facts from whatever names a tree.
 *
 * Invariant: a facts file is recognized by its contents (facts_sniff), not
 * its name, so a compile_commands.json is never mistaken for facts and the
 * reverse; standard input is read once and kept.
 */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "fileio.h"

static int analyze(const char *tree, const struct cli_tree_opts *o, struct facts **out,
		   struct errbuf *err)
{
	struct hp_config cfg;
	struct analyzer_opts ao = { 0 };
	int rc = 0, own_cfg = 0;
	if (o && o->cfg) {
		ao.cfg = o->cfg;
	} else if (o && o->config_file) {
		config_init(&cfg);
		own_cfg = 1;
		if ((rc = config_read_file(&cfg, o->config_file, err)) < 0)
			goto out;
		ao.cfg = &cfg;
	}
	if (o) {
		ao.jobs = o->jobs;
		ao.cache_dir = o->cache_dir;
		ao.keep_going = o->keep_going;
		ao.progress = o->progress < 0 ? isatty(2) : o->progress;
	}
	rc = analyzer_run(tree, &ao, out, err);
out:
	if (own_cfg)
		config_release(&cfg);
	return rc;
}

/* Standard input that is not facts: a compilation database. */
static int analyze_stdin_db(const char *data, size_t len, const struct cli_tree_opts *o,
			    struct facts **out, struct errbuf *err)
{
	char tmpl[] = "/tmp/hotplan-stdin-XXXXXX";
	if (!mkdtemp(tmpl))
		return hp_error(err, HP_EIO, "cannot create a temporary folder: %s", strerror(errno));
	struct strbuf path = STRBUF_INIT;
	sb_addf(&path, "%s/compile_commands.json", tmpl);
	int rc = hp_write_file(path.buf, data, len, err);
	if (rc == 0)
		rc = analyze(path.buf, o, out, err);
	if (rc == 0) {
		/* the tree is standard input, not the temporary copy */
		(*out)->root = "-";
	} else if (!strncmp(err->msg, path.buf, path.len)) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "<stdin>%s", err->msg + path.len);
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	unlink(path.buf);
	rmdir(tmpl);
	sb_release(&path);
	return rc;
}

int cli_load_tree_config(const char *arg, const char *config_file, struct facts **out,
			 struct errbuf *err)
{
	struct cli_tree_opts o = { .config_file = config_file, .progress = -1 };
	return cli_load_tree_opts(arg, &o, out, err);
}

int cli_load_tree_opts(const char *arg, const struct cli_tree_opts *opts, struct facts **out,
		       struct errbuf *err)
{
	struct stat st;
	if (!strcmp(arg, "-")) {
		char *data;
		size_t len;
		int rc = hp_read_file("-", &data, &len, err);
		if (rc < 0)
			return rc;
		if (facts_sniff(data, len))
			rc = facts_read_json("<stdin>", data, len, out, err);
		else
			rc = analyze_stdin_db(data, len, opts, out, err);
		free(data);
		return rc;
	}
	if (stat(arg, &st) != 0)
		return hp_error(err, HP_EIO, "cannot open '%s': %s", arg, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		char head[4096];
		FILE *fp = fopen(arg, "rb");
		if (!fp)
			return hp_error(err, HP_EIO, "cannot open '%s': %s", arg, strerror(errno));
		size_t n = fread(head, 1, sizeof(head), fp);
		fclose(fp);
		if (facts_sniff(head, n))
			return facts_read_file(arg, out, err);
	}
	return analyze(arg, opts, out, err);
}
