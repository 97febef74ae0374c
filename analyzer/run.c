/*
 * run.c - analyzer_run(): units of a tree through the cache and a pool of
 * parsing threads, then merged.
 *
 * Threads: each worker serves one walker_job (one libclang index) and takes
 * the next unit index under a mutex; results land in a slot per unit, so the
 * merge sees them in unit order whatever the scheduling. Cache lookups run
 * first, on the calling thread, and parse nothing.
 *
 * Stack: libclang parses on a helper thread of 8 MiB unless
 * LIBCLANG_NOTHREADS is set, and a long expression (a + a + ... 50,000
 * times) overflows it, killing the process. So the analyzer sets
 * LIBCLANG_NOTHREADS before any thread starts and parses on its own threads,
 * each with a WORKER_STACK stack (address space: pages are touched only
 * as deep as the recursion goes).
 */
#include "analyzer_int.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORKER_STACK ((size_t)1 << 30)

struct pool {
	const struct unit_list *ul;
	const struct analyzer_opts *opts;
	const struct hp_config *cfg;
	struct unit_result *results;   /* one per unit */
	const size_t *todo;            /* unit indices to parse */
	size_t ntodo;
	size_t next;                   /* next index into todo */
	size_t done, total;            /* progress */
	const uint64_t *keys;
	int stop;                      /* a unit failed and keep_going is off */
	pthread_mutex_t mu;
};

static void progress(struct pool *p)
{
	if (p->opts->progress)
		fprintf(stderr, "\ranalyzing %zu/%zu units", p->done, p->total);
}

/* Gives a unit's facts its compile flags, copied into the facts' arena
 * (the walk records only their hash); facts that list them are kept. */
static void facts_set_flags(struct facts *f, const struct unit *u)
{
	for (size_t k = 0; k < f->nmodules; k++) {
		struct module *m = &f->modules[k];
		if (m->has_flags)
			continue;
		m->flags = u->nflags ? arena_alloc(&f->arena, u->nflags * sizeof(*m->flags)) : NULL;
		for (size_t i = 0; i < u->nflags; i++)
			m->flags[i] = arena_strdup(&f->arena, u->flags[i]);
		m->nflags = u->nflags;
		m->has_flags = 1;
	}
}

static int pool_next(void *ctx, size_t *unit)
{
	struct pool *p = ctx;
	int more;
	pthread_mutex_lock(&p->mu);
	more = !p->stop && p->next < p->ntodo;
	if (more)
		*unit = p->todo[p->next++];
	pthread_mutex_unlock(&p->mu);
	return more;
}

static void pool_done(void *ctx, size_t i)
{
	struct pool *p = ctx;
	struct unit_result *res = &p->results[i];
	if (res->facts)
		facts_set_flags(res->facts, &p->ul->units[i]);
	if (p->opts->cache_dir && !res->failed && res->facts)
		cache_store(p->opts->cache_dir, p->keys[i], res->facts, res->deps, res->ndeps);
	pthread_mutex_lock(&p->mu);
	p->done++;
	progress(p);
	if (res->failed && !p->opts->keep_going)
		p->stop = 1;
	pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct walker_job job = { p->ul, p->cfg, p->opts->keep_going, p->opts->cache_dir != NULL,
				  p->results, pool_next, pool_done, p };
	walker_serve(&job);
	return NULL;
}

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < 1024 ? (unsigned)n : 1;
}

static int make_dirs(const char *dir, struct errbuf *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);
	if (n >= sizeof(buf))
		return hp_error(err, HP_EUSAGE, "cache folder name too long");
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			struct stat st;
			if (stat(buf, &st) != 0 && mkdir(buf, 0777) != 0)
				return hp_error(err, HP_EIO, "cannot create cache folder '%s'", buf);
			buf[i] = c;
		}
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return hp_error(err, HP_EIO, "cache '%s' is not a folder", dir);
	return 0;
}

static int find_unit(const struct unit_list *ul, const char *file, size_t *out, struct errbuf *err)
{
	char resolved[PATH_MAX];
	if (!realpath(file, resolved))
		return hp_error(err, HP_EUSAGE, "cannot open '%s'", file);
	for (size_t i = 0; i < ul->n; i++) {
		if (!strcmp(ul->units[i].path, resolved)) {
			*out = i;
			return 0;
		}
	}
	return hp_error(err, HP_EUSAGE, "'%s' is not a unit of '%s'", file, ul->tree);
}

int analyzer_run(const char *tree, const struct analyzer_opts *opts,
		 struct facts **out, struct errbuf *err)
{
	struct hp_config defcfg;
	struct unit_list ul;
	struct pool p;
	size_t *todo = NULL, first = 0, count;
	uint64_t *keys = NULL;
	int rc;
	config_init(&defcfg);
	memset(&p, 0, sizeof(p));
	const struct hp_config *cfg = opts->cfg ? opts->cfg : &defcfg;
	rc = units_load(&ul, tree, cfg, err);
	if (rc < 0)
		goto out_cfg;
	count = ul.n;
	if (opts->only_unit) {
		if ((rc = find_unit(&ul, opts->only_unit, &first, err)) < 0)
			goto out_units;
		count = 1;
	}
	if (opts->cache_dir && (rc = make_dirs(opts->cache_dir, err)) < 0)
		goto out_units;

	p.ul = &ul;
	p.opts = opts;
	p.cfg = cfg;
	p.results = xcalloc(ul.n + 1, sizeof(*p.results));
	keys = xcalloc(ul.n + 1, sizeof(*keys));
	todo = xcalloc(ul.n + 1, sizeof(*todo));
	p.keys = keys;
	p.total = count;
	pthread_mutex_init(&p.mu, NULL);

	/* the cache: hash files, parse nothing */
	struct hash_memo memo;
	uint64_t tool = opts->cache_dir ? cache_tool_hash() : 0;
	hash_memo_init(&memo);
	for (size_t i = first; i < first + count; i++) {
		if (opts->cache_dir) {
			keys[i] = cache_key(&ul.units[i], cfg, tool);
			p.results[i].facts = cache_load(opts->cache_dir, keys[i], &memo);
			if (p.results[i].facts) {
				facts_set_flags(p.results[i].facts, &ul.units[i]);
				p.done++;
				continue;
			}
		}
		todo[p.ntodo++] = i;
	}
	hash_memo_release(&memo);
	p.todo = todo;

	unsigned jobs = opts->jobs ? opts->jobs : default_jobs();
	if (jobs > p.ntodo)
		jobs = (unsigned)p.ntodo;
	if (jobs) {
		pthread_t *th = xcalloc(jobs, sizeof(*th));
		pthread_attr_t attr;
		unsigned started = 0;
		/* before any thread exists: setenv is not thread-safe, and
		 * neither is libclang's first index */
		setenv("LIBCLANG_NOTHREADS", "1", 0);
		walker_prepare();
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, WORKER_STACK);
		for (unsigned t = 0; t < jobs; t++)
			if (pthread_create(&th[t], &attr, worker, &p) == 0)
				started++;
			else
				break;
		pthread_attr_destroy(&attr);
		if (!started)
			worker(&p);
		for (unsigned t = 0; t < started; t++)
			pthread_join(th[t], NULL);
		free(th);
	}
	if (opts->progress)
		fprintf(stderr, "\r%*s\r", 40, "");

	/* failures: print every failed unit's errors, in unit order */
	size_t nfailed = 0;
	const char *first_failed = NULL;
	for (size_t i = first; i < first + count; i++) {
		if (!p.results[i].failed)
			continue;
		if (!first_failed)
			first_failed = ul.units[i].rel;
		nfailed++;
		if (!opts->keep_going)
			fputs(p.results[i].errors.buf, stderr);
		else
			fprintf(stderr, "hotplan: warning: '%s' does not parse; module '%s' "
				"marked incomplete\n", ul.units[i].rel, ul.units[i].module);
	}
	if (nfailed && !opts->keep_going) {
		rc = hp_error(err, HP_EPARSE, "'%s'%s does not parse", first_failed,
			      nfailed > 1 ? " (and other units)" : "");
		goto out_results;
	}

	if (opts->only_unit) {
		*out = p.results[first].facts;
		p.results[first].facts = NULL;
		rc = 0;
	} else {
		struct facts **fv = xcalloc(ul.n + 1, sizeof(*fv));
		size_t nf = 0;
		for (size_t i = 0; i < ul.n; i++)
			if (p.results[i].facts)
				fv[nf++] = p.results[i].facts;
		rc = analyzer_merge(fv, nf, out, err);
		free(fv);
	}
	/* the folder the facts' relative paths are relative to: recorded here,
	 * not in the cached per-unit facts, whose runs may have had another */
	if (rc == 0)
		(*out)->source_root = arena_strdup(&(*out)->arena, ul.src_root);
out_results:
	for (size_t i = 0; i < ul.n; i++)
		unit_result_release(&p.results[i]);
	free(p.results);
	free(keys);
	free(todo);
	pthread_mutex_destroy(&p.mu);
out_units:
	units_release(&ul);
out_cfg:
	config_release(&defcfg);
	return rc;
}
