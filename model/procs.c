/*
 * procs.c - the Modules list of each process and the reverse index from a
 * module to the processes that name it (see procs.h for the rule).
 */
#include "procs.h"

#include <stdlib.h>
#include <string.h>

struct procs_list {
	const struct proc_ref **items;
	size_t n, alloc;
};

size_t procs_entry_modules(struct arena *a, const struct module *m,
			   const struct entry *e, const char ***out)
{
	VEC(const char *) v = {0};
	VEC_PUSH(&v, m->name);
	if (e->next_call == NEXT_QUALIFIED) {
		for (size_t i = 0; i < m->nrefs; i++)
			if ((m->refs[i].kind & REF_QUALIFIED) && strcmp(m->refs[i].module, m->name))
				VEC_PUSH(&v, m->refs[i].module);
		if (v.n > 2)
			qsort(v.items + 1, v.n - 1, sizeof(*v.items), hp_strcmp_ptr);
	}
	size_t n = 0;
	for (size_t i = 0; i < v.n; i++)
		if (i < 2 || strcmp(v.items[i], v.items[n - 1]))
			v.items[n++] = v.items[i];
	*out = arena_memdup(a, v.items, n * sizeof(*v.items));
	VEC_RELEASE(&v);
	return n;
}

void procs_index_init(struct procs_index *ix, const struct facts *f)
{
	memset(ix, 0, sizeof(*ix));
	arena_init(&ix->arena);
	strmap_init(&ix->by_module);
	size_t total = 0;
	for (size_t i = 0; i < f->nmodules; i++)
		total += f->modules[i].nentries;
	ix->procs = total ? arena_alloc(&ix->arena, total * sizeof(*ix->procs)) : NULL;
	for (size_t i = 0; i < f->nmodules; i++) {
		const struct module *m = &f->modules[i];
		for (size_t k = 0; k < m->nentries; k++) {
			struct proc_ref *p = &ix->procs[ix->nprocs++];
			p->module = m;
			p->entry = &m->entries[k];
			p->nmodules = procs_entry_modules(&ix->arena, m, p->entry, &p->modules);
			for (size_t j = 0; j < p->nmodules; j++) {
				struct procs_list *l = strmap_get(&ix->by_module, p->modules[j]);
				if (!l) {
					l = arena_zalloc(&ix->arena, sizeof(*l));
					strmap_put(&ix->by_module, p->modules[j], l);
				}
				VEC_PUSH(l, p);
			}
		}
	}
}

void procs_index_release(struct procs_index *ix)
{
	for (size_t i = 0; i < ix->by_module.cap; i++) {
		if (ix->by_module.slots && ix->by_module.slots[i].key) {
			struct procs_list *l = ix->by_module.slots[i].value;
			free(l->items);
		}
	}
	strmap_release(&ix->by_module);
	arena_release(&ix->arena);
	memset(ix, 0, sizeof(*ix));
}

const struct proc_ref *const *procs_of_module(const struct procs_index *ix,
					      const char *module, size_t *n)
{
	struct procs_list *l = strmap_get(&ix->by_module, module);
	*n = l ? l->n : 0;
	return l ? (const struct proc_ref *const *)l->items : NULL;
}
