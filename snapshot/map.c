/*
 * map.c - which module of the facts a frame's code belongs to.
 *
 * With DWARF, a frame's compile unit names its source file, usually as an
 * absolute path of the machine that built it, while the facts name files
 * relative to their tree ("net/acceptor.c"). A unit file matches a facts
 * file when the facts path is a trailing run of whole components of it; the
 * longest such match wins, so "proto/sip.c" beats "sip.c". The facts
 * already group files into modules ({modules, ...} of the config at
 * analysis time); the config's groups are asked as well, for a grouped file
 * the facts do not list.
 *
 * Without DWARF, the symbol table answers in an object whose STT_FILE
 * entries name files of the facts (an object of the tree built without -g):
 * a local symbol belongs to the module holding a function of that name
 * defined in a file of that base name; a global one to the module exporting
 * it. Objects without such names (libc, the dynamic loader) are outside the
 * tree, whatever their symbols are called.
 *
 * Results are cached by unit file, so a snapshot of 1,000 threads maps each
 * distinct file once.
 *
 * A module version loaded as a shared object is named NAME.VSN.so (the
 * runtime library's hotrt_add_module): whatever its DWARF says, code in
 * such an object is module NAME at version VSN when NAME is a module of the
 * facts. VSN may hold dots ("1.0.2"); NAME is the longest leading run of
 * dot-separated parts that names a module of the facts.
 */
#include "snapshot_int.h"

#include <stdlib.h>
#include <string.h>

struct module_map {
	const struct facts *facts;
	const struct hp_config *cfg;
	struct arena arena;
	struct strmap basenames;   /* file base name -> (void *)1 */
	struct strmap by_unit;     /* unit file -> module name, or &none */
	struct strmap exports;     /* exported function -> module, or &none if ambiguous */
};

static const char none[] = "";

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

struct module_map *module_map_new(const struct facts *f, const struct hp_config *cfg)
{
	struct module_map *m = xcalloc(1, sizeof(*m));
	m->facts = f;
	m->cfg = cfg;
	arena_init(&m->arena);
	strmap_init(&m->basenames);
	strmap_init(&m->by_unit);
	strmap_init(&m->exports);
	for (size_t i = 0; i < f->nmodules; i++) {
		const struct module *mod = &f->modules[i];
		for (size_t k = 0; k < mod->nfiles; k++)
			strmap_put(&m->basenames, base_of(mod->files[k]), (void *)1);
		for (size_t k = 0; k < mod->nexports; k++) {
			const struct symbol *s = &mod->exports[k];
			if (s->kind != SYM_FUNCTION)
				continue;
			const char *had = strmap_get(&m->exports, s->name);
			strmap_put(&m->exports, s->name,
				   (void *)(had && strcmp(had, mod->name) ? none : mod->name));
		}
	}
	return m;
}

void module_map_free(struct module_map *m)
{
	if (!m)
		return;
	strmap_release(&m->basenames);
	strmap_release(&m->by_unit);
	strmap_release(&m->exports);
	arena_release(&m->arena);
	free(m);
}

int module_map_knows_basename(const struct module_map *m, const char *basename)
{
	return strmap_get(&m->basenames, basename) != NULL;
}

/* How many trailing path components of rel match the end of path (0 when
 * rel is not a whole-component suffix of path). */
static size_t suffix_match(const char *path, const char *rel)
{
	size_t lp = strlen(path), lr = strlen(rel);
	while (lr > 2 && rel[0] == '.' && rel[1] == '/') {
		rel += 2;
		lr -= 2;
	}
	if (lr == 0 || lr > lp || strcmp(path + lp - lr, rel))
		return 0;
	if (lr < lp && path[lp - lr - 1] != '/')
		return 0;
	size_t n = 1;
	for (size_t i = 0; i < lr; i++)
		n += rel[i] == '/';
	return n;
}

static const char *module_of_file(struct module_map *m, const char *path)
{
	void *hit;
	if (strmap_lookup(&m->by_unit, path, &hit))
		return hit == none ? NULL : hit;
	const char *best = NULL;
	size_t best_n = 0;
	int tie = 0;
	if (module_map_knows_basename(m, base_of(path))) {
		for (size_t i = 0; i < m->facts->nmodules; i++) {
			const struct module *mod = &m->facts->modules[i];
			for (size_t k = 0; k < mod->nfiles; k++) {
				size_t n = suffix_match(path, mod->files[k]);
				if (n > best_n) {
					best_n = n;
					best = mod->name;
					tie = 0;
				} else if (n && n == best_n && strcmp(best, mod->name)) {
					tie = 1;
				}
			}
		}
	}
	if (tie)
		best = NULL;
	/* A file of a {modules, ...} group that the facts do not list: ask
	 * the config with each trailing run of components. */
	for (const char *p = path; !best && m->cfg && p; p = strchr(p + 1, '/')) {
		const char *rel = *p == '/' ? p + 1 : p;
		const char *g = config_group_of(m->cfg, rel);
		if (g && facts_module(m->facts, g))
			best = facts_module(m->facts, g)->name;
	}
	strmap_put(&m->by_unit, arena_strdup(&m->arena, path), (void *)(best ? best : none));
	return best;
}

/* A local function of that name defined in a file of that base name. */
static const char *module_of_local(const struct module_map *m, const char *name, const char *file)
{
	const char *base = file ? base_of(file) : NULL;
	const char *found = NULL;
	for (size_t i = 0; i < m->facts->nmodules; i++) {
		const struct module *mod = &m->facts->modules[i];
		const struct symbol *s = module_local(mod, name);
		if (!s)
			s = module_export(mod, name);
		if (!s || s->kind != SYM_FUNCTION)
			continue;
		if (base && s->loc.file && strcmp(base_of(s->loc.file), base))
			continue;
		if (found)
			return NULL;  /* ambiguous: leave it out rather than guess */
		found = mod->name;
	}
	return found;
}

const char *module_map_frame(struct module_map *m, const struct pc_info *pi)
{
	if (!pi->object)
		return NULL;
	if (pi->cu_file)
		return module_of_file(m, pi->cu_file);
	if (pi->object_has_dwarf || !pi->object_names_tree || !pi->function)
		return NULL;
	if (pi->sym_local)
		return module_of_local(m, pi->function, pi->sym_file);
	const char *mod = strmap_get(&m->exports, pi->function);
	return mod && mod != none ? mod : NULL;
}

const char *module_map_versioned(const struct module_map *m, const char *object,
				 struct arena *a, const char **vsn)
{
	const char *base = object ? base_of(object) : "";
	size_t n = strlen(base);
	char name[256];

	*vsn = NULL;
	if (n < 6 || n - 3 >= sizeof(name) || strcmp(base + n - 3, ".so"))
		return NULL;
	n -= 3;  /* NAME.VSN */
	for (size_t dot = n - 1; dot > 0; dot--) {
		if (base[dot] != '.' || dot + 1 == n)
			continue;
		memcpy(name, base, dot);
		name[dot] = '\0';
		const struct module *mod = facts_module(m->facts, name);
		if (mod) {
			*vsn = arena_printf(a, "%.*s", (int)(n - dot - 1), base + dot + 1);
			return mod->name;
		}
	}
	return NULL;
}
