/*
 * sim_facts.c - the runtime of an old tree built from its facts when no
 * snapshot is given (DESIGN.md §4.3).
 *
 * Invariant: the result passes runtime_validate(): every module of the
 * facts is loaded at version 1 with no old code, so every frame is current;
 * processes come in facts order (modules by name, entries by function).
 *
 * A process's child spec Modules list is its module plus the callback
 * modules it dispatches to through the export table (model/procs.h). It
 * answers sys messages and is supervised when one of those modules has a
 * state transformer: that is a process {suspend, [M]} can reach.
 */
#include "sim.h"

#include <string.h>

#include "procs.h"

struct runtime *sim_runtime_from_facts(const struct facts *f, const char *app_name)
{
	struct runtime *rt = runtime_new();
	int32_t v1 = runtime_version_int(rt, 1);
	int32_t sup = RT_NONE;
	for (size_t i = 0; i < f->nmodules; i++) {
		uint32_t m = runtime_module(rt, f->modules[i].name);
		rt->modules.items[m].cur = v1;
	}
	for (size_t i = 0; i < f->nmodules; i++) {
		const struct module *mod = &f->modules[i];
		uint32_t m = (uint32_t)runtime_find_module(rt, mod->name);
		for (size_t e = 0; e < mod->nentries; e++) {
			struct rt_process p;
			memset(&p, 0, sizeof(p));
			p.pid = arena_printf(&rt->arena, "<0.%zu.0>", rt->processes.n + 100);
			p.name = arena_printf(&rt->arena, "%s:%s", mod->name, mod->entries[e].function);
			p.frames = (uint32_t)rt->frames.n;
			p.nframes = 1;
			struct rt_frame fr = { m, v1 };
			VEC_PUSH(&rt->frames, fr);
			p.funs = (uint32_t)rt->funs.n;
			p.mods = (uint32_t)rt->modrefs.n;
			p.next = (uint8_t)mod->entries[e].next_call;
			p.restart = RT_PERMANENT;
			p.supervisor = RT_NONE;
			const char **mods;
			size_t nmods = procs_entry_modules(&rt->arena, mod, &mod->entries[e], &mods);
			int has_transformer = 0;
			for (size_t k = 0; k < nmods; k++) {
				const struct module *cm = facts_module(f, mods[k]);
				if (cm && cm->transformer)
					has_transformer = 1;
			}
			if (has_transformer) {
				if (sup == RT_NONE) {
					struct rt_supervisor s = {
						arena_printf(&rt->arena, "%s_sup", app_name ? app_name : "app"),
						RT_NONE, RT_DEFAULT_INTENSITY, RT_DEFAULT_PERIOD,
						arena_strdup(&rt->arena, app_name ? app_name : "app"),
						RT_APP_PERMANENT,
					};
					VEC_PUSH(&rt->supervisors, s);
					sup = (int32_t)(rt->supervisors.n - 1);
				}
				p.sys = 1;
				p.supervisor = sup;
				p.has_mods = 1;
				for (size_t k = 0; k < nmods; k++) {
					int32_t cm = runtime_find_module(rt, mods[k]);
					if (cm < 0)
						continue;
					uint32_t mi = (uint32_t)cm;
					VEC_PUSH(&rt->modrefs, mi);
					p.nmods++;
				}
			}
			VEC_PUSH(&rt->processes, p);
		}
	}
	return rt;
}
