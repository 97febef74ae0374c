/*
 * config.c - reading hotplan.config (see config.h for the keys).
 *
 * Invariant: after config_init() or a config_read_*() call, cfg is complete
 * and self-consistent: every list holds at least the built-ins, strings live
 * in cfg->arena, and nothing refers to the parsed terms (which live in a
 * scratch arena released before returning).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "term.h"

static const struct config_spawn builtin_spawn[] = {
	{ "pthread_create", 3 },
	{ "thrd_create", 2 },
};

static const char *const builtin_lookup[] = { "dlsym", "hot_lookup", "hotrt_lookup" };

/*
 * Spawn functions that take a spec structure instead of a routine: the
 * argument (1-based) points at a struct whose .module and .entry fields are
 * string literals naming the entry, as libhotrt's
 * hotrt_spawn(rt, &(struct hotrt_spawn){ .module = "M", .entry = "f" }, &pid).
 */
static const struct config_spawn builtin_spawn_spec[] = {
	{ "hotrt_spawn", 2 },
};

/* Calls that wait for the outside world or another thread to send
 * something: the "receive" of a C process. Locks and sleeps are not in it.
 * Nor is libhotrt's hotrt_receive(): a sys process waits there between two
 * requests and its loop calls its callback modules through hotrt_lookup();
 * taken as blocking, the loop would no longer be qualified and the
 * process would lose its callback modules (procs.h), so suspend would not
 * reach it. */
static const char *const builtin_blocking[] = {
	"accept", "accept4", "cnd_timedwait", "cnd_wait", "epoll_pwait", "epoll_wait",
	"mq_receive", "mq_timedreceive", "msgrcv", "pause", "poll", "ppoll", "pselect",
	"pthread_cond_timedwait", "pthread_cond_wait", "pthread_join", "read", "readv",
	"recv", "recvfrom", "recvmmsg", "recvmsg", "select", "sem_timedwait", "sem_wait",
	"sigtimedwait", "sigwait", "sigwaitinfo", "thrd_join", "wait", "waitpid",
};


void config_init(struct hp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	arena_init(&cfg->arena);
	cfg->app = "app";
	cfg->transformer = "*_code_change";
	cfg->purge = PURGE_BRUTAL;   /* OTP's default for load and remove */
	cfg->spawn = arena_memdup(&cfg->arena, builtin_spawn, sizeof(builtin_spawn));
	cfg->nspawn = HP_ARRAY_SIZE(builtin_spawn);
	cfg->lookup = arena_memdup(&cfg->arena, builtin_lookup, sizeof(builtin_lookup));
	cfg->nlookup = HP_ARRAY_SIZE(builtin_lookup);
	cfg->blocking = arena_memdup(&cfg->arena, builtin_blocking, sizeof(builtin_blocking));
	cfg->nblocking = HP_ARRAY_SIZE(builtin_blocking);
}

void config_release(struct hp_config *cfg)
{
	if (!cfg)
		return;
	arena_release(&cfg->arena);
	memset(cfg, 0, sizeof(*cfg));
}

const char *config_purge_name(enum purge_method purge)
{
	return purge_option_name(purge);
}

/* ---- reading ---------------------------------------------------------------- */

struct cread {
	struct hp_config *cfg;
	const char *file;
	struct errbuf *err;
};

static int bad(struct cread *c, const struct term *t, const char *fmt, ...) HP_PRINTF(3, 4);

static int bad(struct cread *c, const struct term *t, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hp_error_at(c->err, HP_EINPUT, c->file, t->line, t->col, "%s", msg);
}

/* An atom, or a string, as an arena copy. */
static const char *name_of(struct cread *c, const struct term *t)
{
	if (t->type == TERM_ATOM)
		return arena_strdup(&c->cfg->arena, t->u.atom);
	if (t->type == TERM_STRING || term_is_charlist(t))
		return term_charlist(&c->cfg->arena, t);
	return NULL;
}

/* Appends the names of list t to a built-in list (*items, *n). */
static int read_names(struct cread *c, const char *key, const struct term *t,
		      const char ***items, size_t *n)
{
	if (!term_is_list(t) || t->type == TERM_STRING)
		return bad(c, t, "'%s' must be a list of atoms", key);
	size_t add = term_list_len(t);
	const char **v = arena_alloc(&c->cfg->arena, (*n + add + 1) * sizeof(*v));
	memcpy(v, *items, *n * sizeof(*v));
	for (size_t i = 0; i < add; i++) {
		const struct term *e = term_elem(t, i);
		if (e->type != TERM_ATOM)
			return bad(c, e, "'%s' must be a list of atoms", key);
		v[*n + i] = arena_strdup(&c->cfg->arena, e->u.atom);
	}
	*items = v;
	*n += add;
	return 0;
}

static int read_spawn(struct cread *c, const struct term *t)
{
	struct hp_config *cfg = c->cfg;
	if (!term_is_list(t) || t->type == TERM_STRING)
		return bad(c, t, "'%s' must be a list of {Function, Argument}", "spawn");
	size_t add = term_list_len(t);
	struct config_spawn *v = arena_alloc(&cfg->arena, (cfg->nspawn + add + 1) * sizeof(*v));
	memcpy(v, cfg->spawn, cfg->nspawn * sizeof(*v));
	for (size_t i = 0; i < add; i++) {
		const struct term *e = term_elem(t, i);
		if (!term_is_tuple(e, 2) || term_elem(e, 0)->type != TERM_ATOM ||
		    term_elem(e, 1)->type != TERM_INT || term_elem(e, 1)->u.i < 1 ||
		    term_elem(e, 1)->u.i > 64)
			return bad(c, e, "'%s' entries must be {Function, Argument} with Argument in 1..64",
				   "spawn");
		v[cfg->nspawn + i].name = arena_strdup(&cfg->arena, term_elem(e, 0)->u.atom);
		v[cfg->nspawn + i].arg = (unsigned)term_elem(e, 1)->u.i;
	}
	cfg->spawn = v;
	cfg->nspawn += add;
	return 0;
}

static int read_modules(struct cread *c, const struct term *t)
{
	struct hp_config *cfg = c->cfg;
	if (!term_is_list(t) || t->type == TERM_STRING)
		return bad(c, t, "'%s' must be a list of {Module, [File]}", "modules");
	size_t n = term_list_len(t);
	cfg->modules = arena_zalloc(&cfg->arena, (n + 1) * sizeof(*cfg->modules));
	/* nmodules counts only whole groups, so a failed read leaves valid ones */
	cfg->nmodules = 0;
	for (size_t i = 0; i < n; i++) {
		const struct term *e = term_elem(t, i);
		struct config_group *g = &cfg->modules[i];
		if (!term_is_tuple(e, 2) || term_elem(e, 0)->type != TERM_ATOM ||
		    !term_is_list(term_elem(e, 1)) || term_elem(e, 1)->type == TERM_STRING)
			return bad(c, e, "'%s' entries must be {Module, [File]}", "modules");
		g->name = arena_strdup(&cfg->arena, term_elem(e, 0)->u.atom);
		const struct term *files = term_elem(e, 1);
		size_t nfiles = term_list_len(files);
		g->files = arena_alloc(&cfg->arena, (nfiles + 1) * sizeof(*g->files));
		for (size_t k = 0; k < nfiles; k++) {
			const struct term *ft = term_elem(files, k);
			const char *s = term_is_charlist(ft) && ft->type != TERM_LIST
					? term_charlist(&cfg->arena, ft) : NULL;
			if (!s || !*s)
				return bad(c, ft, "'%s' files must be non-empty strings", "modules");
			g->files[k] = s;
		}
		g->nfiles = nfiles;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(cfg->modules[k].name, g->name))
				return bad(c, e, "module '%s' is grouped twice", g->name);
		cfg->nmodules = i + 1;
	}
	return 0;
}

static int read_string_value(struct cread *c, const char *key, const struct term *v,
			     const char **out)
{
	if (v->type != TERM_STRING && !(v->type == TERM_LIST && term_is_charlist(v)))
		return bad(c, v, "'%s' must be a string", key);
	*out = term_charlist(&c->cfg->arena, v);
	return 0;
}

static const char *const known_keys[] = {
	"app", "vsn", "old_vsn", "modules", "spawn", "lookup", "blocking",
	"transformer", "purge", "max_killed",
};

static int read_term(struct cread *c, const struct term *t, unsigned *seen)
{
	struct hp_config *cfg = c->cfg;
	if (!term_is_tuple(t, 2) || term_elem(t, 0)->type != TERM_ATOM)
		return hp_error_at(c->err, HP_EINPUT, c->file, t->line, t->col,
				   "expected {Key, Value}");
	const char *key = term_elem(t, 0)->u.atom;
	const struct term *v = term_elem(t, 1);
	unsigned k;
	for (k = 0; k < HP_ARRAY_SIZE(known_keys); k++)
		if (!strcmp(key, known_keys[k]))
			break;
	if (k == HP_ARRAY_SIZE(known_keys))
		return bad(c, t, "unknown key '%s'", key);
	if (*seen & (1u << k))
		return bad(c, t, "key '%s' given twice", key);
	*seen |= 1u << k;
	switch (k) {
	case 0:
		if (!(cfg->app = v->type == TERM_ATOM ? name_of(c, v) : NULL))
			return bad(c, v, "'%s' must be an atom", key);
		return 0;
	case 1:
		return read_string_value(c, key, v, &cfg->vsn);
	case 2:
		return read_string_value(c, key, v, &cfg->old_vsn);
	case 3:
		return read_modules(c, v);
	case 4:
		return read_spawn(c, v);
	case 5:
		return read_names(c, key, v, &cfg->lookup, &cfg->nlookup);
	case 6:
		return read_names(c, key, v, &cfg->blocking, &cfg->nblocking);
	case 7:
		if (read_string_value(c, key, v, &cfg->transformer) < 0)
			return HP_EINPUT;
		if (!*cfg->transformer)
			return bad(c, v, "'%s' must not be empty", key);
		return 0;
	case 8:
		if (term_is_atom(v, NULL) && !purge_option_lookup(v->u.atom, &cfg->purge))
			return 0;
		return bad(c, v, "'%s' must be soft, brutal or auto", key);
	default:
		if (v->type != TERM_INT || v->u.i < 0 || v->u.i > 1000000000)
			return bad(c, v, "'%s' must be a non-negative integer", key);
		cfg->max_killed = (long)v->u.i;
		return 0;
	}
}

int config_read_text(struct hp_config *cfg, const char *file, const char *text,
		     size_t len, struct errbuf *err)
{
	struct arena scratch;
	struct term **terms;
	size_t n;
	unsigned seen = 0;
	int rc;
	arena_init(&scratch);
	rc = term_consult(&scratch, file, text, len, &terms, &n, err);
	if (rc == 0) {
		struct cread c = { cfg, file, err };
		cfg->file = arena_strdup(&cfg->arena, file);
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = read_term(&c, terms[i], &seen);
	}
	arena_release(&scratch);
	return rc;
}

int config_read_file(struct hp_config *cfg, const char *path, struct errbuf *err)
{
	char *text;
	size_t len;
	int rc = fileio_read(path, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = config_read_text(cfg, strcmp(path, "-") ? path : "<stdin>", text, len, err);
	free(text);
	return rc;
}

/* ---- lookups -------------------------------------------------------------------- */

unsigned config_spawn_arg(const struct hp_config *cfg, const char *name)
{
	for (size_t i = cfg->nspawn; i-- > 0;)
		if (!strcmp(cfg->spawn[i].name, name))
			return cfg->spawn[i].arg;
	return 0;
}

static int in_list(const char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return 1;
	return 0;
}

int config_spawn_is_builtin(const char *name)
{
	for (size_t i = 0; i < HP_ARRAY_SIZE(builtin_spawn); i++)
		if (!strcmp(builtin_spawn[i].name, name))
			return 1;
	for (size_t i = 0; i < HP_ARRAY_SIZE(builtin_spawn_spec); i++)
		if (!strcmp(builtin_spawn_spec[i].name, name))
			return 1;
	return 0;
}

unsigned config_spawn_spec_arg(const struct hp_config *cfg, const char *name)
{
	(void)cfg;
	for (size_t i = 0; i < HP_ARRAY_SIZE(builtin_spawn_spec); i++)
		if (!strcmp(builtin_spawn_spec[i].name, name))
			return builtin_spawn_spec[i].arg;
	return 0;
}

int config_is_lookup(const struct hp_config *cfg, const char *name)
{
	return in_list(cfg->lookup, cfg->nlookup, name);
}

int config_is_blocking(const struct hp_config *cfg, const char *name)
{
	return in_list(cfg->blocking, cfg->nblocking, name);
}

const char *config_group_of(const struct hp_config *cfg, const char *file)
{
	for (size_t i = 0; i < cfg->nmodules; i++)
		for (size_t k = 0; k < cfg->modules[i].nfiles; k++)
			if (!strcmp(cfg->modules[i].files[k], file))
				return cfg->modules[i].name;
	return NULL;
}

static uint64_t mix(uint64_t h, const char *s)
{
	return hp_hash64(s, strlen(s) + 1, h);
}

uint64_t config_analysis_hash(const struct hp_config *cfg)
{
	uint64_t h = mix(0, cfg->transformer);
	for (size_t i = 0; i < cfg->nspawn; i++) {
		char n[16];
		snprintf(n, sizeof(n), "/%u", cfg->spawn[i].arg);
		h = mix(mix(h, cfg->spawn[i].name), n);
	}
	h = mix(h, "|spawn_spec");
	for (size_t i = 0; i < HP_ARRAY_SIZE(builtin_spawn_spec); i++)
		h = mix(h, builtin_spawn_spec[i].name);
	h = mix(h, "|lookup");
	for (size_t i = 0; i < cfg->nlookup; i++)
		h = mix(h, cfg->lookup[i]);
	h = mix(h, "|blocking");
	for (size_t i = 0; i < cfg->nblocking; i++)
		h = mix(h, cfg->blocking[i]);
	h = mix(h, "|modules");
	for (size_t i = 0; i < cfg->nmodules; i++) {
		h = mix(h, cfg->modules[i].name);
		for (size_t k = 0; k < cfg->modules[i].nfiles; k++)
			h = mix(h, cfg->modules[i].files[k]);
	}
	return h;
}
