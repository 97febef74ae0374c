/*
 * module.c - module instances: opening a NAME.VSN.so, its executable
 * ranges, its import slots and their binding, and the code server's
 * operations (load_binary, purge, soft_purge, delete) on current and old.
 *
 * Invariant: every import slot of every mapped instance that names a
 * function some module exports holds that function's address in the
 * exporting module's current instance, or the undef trap when that module
 * has no current instance; slots of other imports (libc, ...) are left to
 * the dynamic linker. rebind_changed() restores it after every change of a
 * current instance, through the name index (rt->names): only the slots
 * naming a function the changed instances export are rewritten.
 */
#define _GNU_SOURCE
#include "hotrt_int.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HR_R_JUMP_SLOT R_X86_64_JUMP_SLOT
#elif defined(__aarch64__)
#define HR_R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#else
#error "hotrt binds imports on x86_64 and aarch64 only"
#endif

struct hr_module *hr_module_find(struct hotrt *rt, const char *name)
{
	for (size_t i = 0; i < rt->modules.n; i++)
		if (!strcmp(rt->modules.items[i]->name, name))
			return rt->modules.items[i];
	return NULL;
}

struct hr_module *hr_module_get(struct hotrt *rt, const char *name)
{
	struct hr_module *m = hr_module_find(rt, name);
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->name = xstrdup(name);
		m->idx = rt->modules.n;
		VEC_PUSH(&rt->modules, m);
	}
	return m;
}

/* ---- ranges ---------------------------------------------------------------- */

struct range_query {
	struct hr_inst *in;
	ElfW(Addr) base;
	int found;
};

static int range_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct range_query *q = data;
	if (info->dlpi_addr != q->base || q->found)
		return 0;
	q->found = 1;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
		    q->in->nranges < HOTRT_MAX_RANGES) {
			q->in->lo[q->in->nranges] = lo;
			q->in->hi[q->in->nranges++] = hi;
		} else if (ph->p_type == PT_GNU_RELRO) {
			q->in->relro_lo = lo;
			q->in->relro_hi = hi;
		}
	}
	return 1;
}

int hr_inst_has(const struct hr_inst *in, uintptr_t a)
{
	for (int i = 0; i < in->nranges; i++)
		if (a >= in->lo[i] && a < in->hi[i])
			return 1;
	return 0;
}

/* ---- import slots ---------------------------------------------------------- */

static uintptr_t dyn_ptr(uintptr_t base, ElfW(Addr) p)
{
	/* glibc relocates some d_ptr values in place, not all: an unrelocated
	 * one is an offset below the load address. */
	return p < base ? base + p : p;
}

/* Finds the function imports of in: JUMP_SLOT relocations of undefined
 * symbols. */
static void find_slots(struct hr_inst *in)
{
	struct link_map *lm = in->lm;
	uintptr_t base = lm->l_addr;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	uintptr_t jmprel = 0;
	size_t pltrelsz = 0;
	int rela = 1;
	for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB: symtab = (const ElfW(Sym) *)dyn_ptr(base, d->d_un.d_ptr); break;
		case DT_STRTAB: strtab = (const char *)dyn_ptr(base, d->d_un.d_ptr); break;
		case DT_JMPREL: jmprel = dyn_ptr(base, d->d_un.d_ptr); break;
		case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
		case DT_PLTREL: rela = d->d_un.d_val == DT_RELA; break;
		}
	}
	if (!symtab || !strtab || !jmprel || !rela)
		return;
	size_t n = pltrelsz / sizeof(ElfW(Rela));
	in->slots = xcalloc(n ? n : 1, sizeof(*in->slots));
	for (size_t i = 0; i < n; i++) {
		const ElfW(Rela) *r = (const ElfW(Rela) *)jmprel + i;
		if (ELF64_R_TYPE(r->r_info) != HR_R_JUMP_SLOT)
			continue;
		const ElfW(Sym) *s = &symtab[ELF64_R_SYM(r->r_info)];
		if (s->st_shndx != SHN_UNDEF || !s->st_name)
			continue;
		struct hr_slot *sl = &in->slots[in->nslots++];
		sl->addr = (void **)(base + r->r_offset);
		sl->name = strtab + s->st_name;
		/* Resolvable by the dynamic linker (libc, the module's own
		 * dependencies): not an import of ours unless a module exports it. */
		sl->ours = 0;
	}
}

/* The number of dynamic symbols, from DT_HASH or DT_GNU_HASH (the ELF
 * header does not say it). */
static size_t dynsym_count(uintptr_t hash, uintptr_t gnu_hash)
{
	if (hash)
		return ((const uint32_t *)hash)[1];  /* nchain */
	if (!gnu_hash)
		return 0;
	const uint32_t *h = (const uint32_t *)gnu_hash;
	uint32_t nbuckets = h[0], symoffset = h[1], bloom = h[2];
	const uint32_t *buckets = h + 4 + bloom * (sizeof(ElfW(Addr)) / 4);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t last = 0;
	for (uint32_t i = 0; i < nbuckets; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < symoffset)
		return symoffset;
	while (!(chain[last - symoffset] & 1))
		last++;
	return (size_t)last + 1;
}

/* Finds the functions in defines for others: its exports. */
static void find_exports(struct hr_inst *in)
{
	struct link_map *lm = in->lm;
	uintptr_t base = lm->l_addr, hash = 0, gnu_hash = 0;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB: symtab = (const ElfW(Sym) *)dyn_ptr(base, d->d_un.d_ptr); break;
		case DT_STRTAB: strtab = (const char *)dyn_ptr(base, d->d_un.d_ptr); break;
		case DT_HASH: hash = dyn_ptr(base, d->d_un.d_ptr); break;
		case DT_GNU_HASH: gnu_hash = dyn_ptr(base, d->d_un.d_ptr); break;
		}
	}
	size_t n = symtab && strtab ? dynsym_count(hash, gnu_hash) : 0;
	in->exports = xcalloc(n ? n : 1, sizeof(*in->exports));
	for (size_t i = 0; i < n; i++) {
		const ElfW(Sym) *s = &symtab[i];
		int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);
		if (s->st_shndx == SHN_UNDEF || !s->st_name ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    (bind != STB_GLOBAL && bind != STB_WEAK) ||
		    ELF64_ST_VISIBILITY(s->st_other) != STV_DEFAULT)
			continue;
		in->exports[in->nexports++] = strtab + s->st_name;
	}
}

void *hr_inst_sym(struct hr_inst *in, const char *symbol)
{
	void *p = dlsym(in->handle, symbol);
	if (!p)
		return NULL;
	/* dlsym also searches the object's dependencies: only its own count. */
	Dl_info info;
	void *lm = NULL;
	if (!dladdr1(p, &info, &lm, RTLD_DL_LINKMAP) || lm != in->lm)
		return NULL;
	return p;
}

/* Called through an import slot whose module has no current instance. */
static void undef_trap(void)
{
	hr_undef_exit();
}

static void slot_write(struct hr_inst *in, struct hr_slot *sl, void *value)
{
	uintptr_t a = (uintptr_t)sl->addr;
	int relro = a >= in->relro_lo && a < in->relro_hi;
	long page = sysconf(_SC_PAGESIZE);
	void *pg = (void *)(a & ~(uintptr_t)(page - 1));
	if (relro && mprotect(pg, (size_t)page, PROT_READ | PROT_WRITE))
		hp_die("hotrt: cannot unprotect the import slot of '%s': %s", sl->name,
		       strerror(errno));
	__atomic_store_n(sl->addr, value, __ATOMIC_RELEASE);
	if (relro)
		mprotect(pg, (size_t)page, PROT_READ);
}

static void bind_slot(struct hotrt *rt, struct hr_module *owner, struct hr_inst *in,
		      struct hr_slot *sl)
{
	struct hr_name *nm = strmap_get(&rt->names, sl->name);
	void *target = NULL;
	int exporter = 0;
	for (size_t k = 0; nm && k < nm->exporters.n && !target; k++) {
		struct hr_module *m = nm->exporters.items[k];
		if (m == owner)
			continue;
		if (m->cur)
			target = hr_inst_sym(m->cur, sl->name);
		if (!target && m->old && hr_inst_sym(m->old, sl->name))
			exporter = 1;
	}
	if (target) {
		sl->ours = 1;
		slot_write(in, sl, target);
	} else if (sl->ours || exporter ||
		   (!dlsym(in->handle, sl->name) && !dlsym(RTLD_DEFAULT, sl->name))) {
		/* A module's export with no current instance, or a symbol
		 * nobody defines: undef. */
		sl->ours = 1;
		slot_write(in, sl, (void *)undef_trap);
	}
}

/* The entry of name in the index, created empty. */
static struct hr_name *name_get(struct hotrt *rt, const char *name)
{
	struct hr_name *nm = strmap_get(&rt->names, name);
	if (!nm) {
		nm = xcalloc(1, sizeof(*nm));
		nm->name = xstrdup(name);
		strmap_put(&rt->names, nm->name, nm);
	}
	return nm;
}

/* Puts in (becoming m's current instance) into the index: m as an exporter
 * of its functions (kept in the order of rt->modules, the order the
 * exporter is chosen in), its slots as importers. */
static void index_inst(struct hotrt *rt, struct hr_module *m, struct hr_inst *in)
{
	for (size_t i = 0; i < in->nexports; i++) {
		struct hr_name *nm = name_get(rt, in->exports[i]);
		size_t at = nm->exporters.n;
		int known = 0;
		for (size_t k = 0; k < nm->exporters.n && !known; k++) {
			known = nm->exporters.items[k] == m;
			if (at == nm->exporters.n && nm->exporters.items[k]->idx > m->idx)
				at = k;
		}
		if (known)
			continue;
		VEC_PUSH(&nm->exporters, m);
		memmove(nm->exporters.items + at + 1, nm->exporters.items + at,
			(nm->exporters.n - 1 - at) * sizeof(m));
		nm->exporters.items[at] = m;
	}
	for (size_t i = 0; i < in->nslots; i++) {
		struct hr_slotref r = { in, m, i };
		VEC_PUSH(&name_get(rt, in->slots[i].name)->importers, r);
	}
	in->indexed = 1;
}

void hr_inst_unindex(struct hotrt *rt, struct hr_inst *in)
{
	if (!in || !in->indexed)
		return;
	for (size_t i = 0; i < in->nslots; i++) {
		struct hr_name *nm = strmap_get(&rt->names, in->slots[i].name);
		for (size_t k = 0; nm && k < nm->importers.n; k++) {
			if (nm->importers.items[k].in == in && nm->importers.items[k].slot == i) {
				nm->importers.items[k] = nm->importers.items[--nm->importers.n];
				break;
			}
		}
	}
	in->indexed = 0;
}

void hr_names_release(struct hotrt *rt)
{
	for (size_t i = 0; i < rt->names.cap; i++) {
		struct hr_name *nm = rt->names.slots[i].key ? rt->names.slots[i].value : NULL;
		if (!nm)
			continue;
		VEC_RELEASE(&nm->exporters);
		VEC_RELEASE(&nm->importers);
		free(nm->name);
		free(nm);
	}
	strmap_release(&rt->names);
}

/* Rebinds every slot that imports a function in exports. */
static void rebind_exports(struct hotrt *rt, const struct hr_inst *in)
{
	for (size_t i = 0; in && i < in->nexports; i++) {
		struct hr_name *nm = strmap_get(&rt->names, in->exports[i]);
		for (size_t k = 0; nm && k < nm->importers.n; k++) {
			struct hr_slotref r = nm->importers.items[k];
			bind_slot(rt, r.owner, r.in, &r.in->slots[r.slot]);
		}
	}
}

/*
 * m's current instance changed from prev to m->cur (either may be NULL):
 * the slots of the functions either exports are rebound, and all of a new
 * instance's own slots are bound. Costs what the change touches, not the
 * number of modules.
 */
static void rebind_changed(struct hotrt *rt, struct hr_module *m, struct hr_inst *prev)
{
	if (m->cur && !m->cur->indexed) {
		index_inst(rt, m, m->cur);
		for (size_t i = 0; i < m->cur->nslots; i++)
			bind_slot(rt, m, m->cur, &m->cur->slots[i]);
	}
	rebind_exports(rt, m->cur);
	rebind_exports(rt, prev);
}

/* ---- opening and closing ------------------------------------------------- */

/* A copy of path in a memfd, for a second instance of one file (dlopen
 * would return the first). Returns the fd or -1. */
static int copy_to_memfd(const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int fd = memfd_create("hotrt-module", MFD_CLOEXEC);
	char buf[65536];
	ssize_t n;
	while (fd >= 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			close(fd);
			fd = -1;
		}
	}
	close(in);
	return fd;
}

static int is_open(struct hotrt *rt, void *handle)
{
	for (size_t k = 0; k < rt->modules.n; k++) {
		struct hr_module *m = rt->modules.items[k];
		if ((m->cur && m->cur->handle == handle) || (m->old && m->old->handle == handle))
			return 1;
	}
	return 0;
}

int hr_inst_open(struct hotrt *rt, const char *path, const char *vsn, struct hr_inst **out)
{
	struct hr_inst *in = xcalloc(1, sizeof(*in));
	in->memfd = -1;
	in->handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (in->handle && is_open(rt, in->handle)) {
		dlclose(in->handle);
		in->memfd = copy_to_memfd(path);
		char fdpath[64];
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", in->memfd);
		in->handle = in->memfd >= 0 ? dlopen(fdpath, RTLD_LAZY | RTLD_LOCAL) : NULL;
	}
	if (!in->handle) {
		const char *e = dlerror();
		hr_error(rt, HOTRT_ELOAD, "cannot load '%s': %s", path, e ? e : "memfd copy failed");
		if (in->memfd >= 0)
			close(in->memfd);
		free(in);
		return HOTRT_ELOAD;
	}
	if (dlinfo(in->handle, RTLD_DI_LINKMAP, &in->lm))
		hp_die("hotrt: dlinfo failed on '%s'", path);
	struct range_query q = { in, ((struct link_map *)in->lm)->l_addr, 0 };
	dl_iterate_phdr(range_cb, &q);
	find_slots(in);
	find_exports(in);
	in->vsn = xstrdup(vsn);
	in->path = xstrdup(path);
	*out = in;
	return 0;
}

void hr_inst_close(struct hr_inst *in)
{
	if (!in)
		return;
	dlclose(in->handle);
	if (in->memfd >= 0)
		close(in->memfd);
	free(in->slots);
	free(in->exports);
	free(in->vsn);
	free(in->path);
	free(in);
}

/* ---- the code server --------------------------------------------------------- */

/* Kills the processes in inst (sampled now); *victims gets them. */
static size_t kill_in(struct hotrt *rt, struct hr_inst *inst, struct hotrt_proc ***victims)
{
	hr_sample_all(rt);
	size_t n = 0;
	*victims = xcalloc(rt->procs.n + 1, sizeof(**victims));
	for (size_t i = 0; i < rt->procs.n; i++) {
		struct hotrt_proc *p = rt->procs.items[i];
		if (!p->ended && hr_proc_in_inst(p, inst)) {
			hr_proc_kill_locked(p, "killed");
			(*victims)[n++] = p;
		}
	}
	return n;
}

int hr_purge_locked(struct hotrt *rt, struct hr_module *m, int *killed)
{
	if (killed)
		*killed = 0;
	if (!m || !m->old)
		return 0;
	struct hr_inst *old = m->old;
	struct hotrt_proc **v;
	size_t n = kill_in(rt, old, &v);
	int rc = hr_wait_ended(rt, v, n, hr_now_ms() + rt->opt.purge_timeout_ms);
	if (rc == HOTRT_EHANG) {
		struct strbuf who = STRBUF_INIT;
		for (size_t i = 0; i < n; i++)
			if (!v[i]->ended)
				sb_addf(&who, "%s'%s'", who.len ? ", " : "", v[i]->name);
		hr_event(rt, HOTRT_EV_HANG, 0, 0, m->name, old->vsn);
		hr_error(rt, HOTRT_EHANG, "purge of '%s' hangs: %s did not end within %ld ms; "
			 "its old code stays mapped", m->name, who.buf, rt->opt.purge_timeout_ms);
		sb_release(&who);
		free(v);
		return HOTRT_EHANG;
	}
	free(v);
	/* A process restarted meanwhile runs the current code, never old. */
	if (m->old == old) {
		m->old = NULL;
		hr_event(rt, HOTRT_EV_PURGED, 0, 0, m->name, old->vsn);
		hr_inst_unindex(rt, old);
		hr_inst_close(old);
	}
	if (killed)
		*killed = n > 0;
	return 0;
}

int hr_soft_purge_locked(struct hotrt *rt, struct hr_module *m)
{
	if (!m || !m->old)
		return 1;
	hr_sample_all(rt);
	for (size_t i = 0; i < rt->procs.n; i++) {
		struct hotrt_proc *p = rt->procs.items[i];
		if (!p->ended && hr_proc_in_inst(p, m->old))
			return 0;
	}
	struct hr_inst *old = m->old;
	m->old = NULL;
	hr_event(rt, HOTRT_EV_PURGED, 0, 0, m->name, old->vsn);
	hr_inst_unindex(rt, old);
	hr_inst_close(old);
	return 1;
}

int hr_load_locked(struct hotrt *rt, struct hr_module *m, struct hr_inst *in)
{
	if (m->cur) {
		int rc = hr_purge_locked(rt, m, NULL);
		if (rc < 0)
			return rc;
	}
	struct hr_inst *prev = m->cur;
	if (m->cur) {
		m->old = m->cur;
	}
	m->cur = in;
	m->ever_loaded = 1;
	rebind_changed(rt, m, prev);
	hr_event(rt, HOTRT_EV_LOADED, 0, 0, m->name, in->vsn);
	return 0;
}

int hr_delete_locked(struct hotrt *rt, struct hr_module *m)
{
	if (!m || !m->ever_loaded || m->old)
		return 0;
	if (m->cur) {
		struct hr_inst *prev = m->cur;
		m->old = m->cur;
		m->cur = NULL;
		rebind_changed(rt, m, prev);
	}
	return 1;
}

/* ---- public ---------------------------------------------------------------- */

int hotrt_load(struct hotrt *rt, const char *module, const char *vsn, const char *path)
{
	if (!module || !vsn || !path)
		return hr_error(rt, HOTRT_EINVAL, "hotrt_load: module, version and path are required");
	int cs;
	hr_lock(rt, &cs);
	struct hr_inst *in;
	int rc = hr_inst_open(rt, path, vsn, &in);
	if (!rc) {
		rc = hr_load_locked(rt, hr_module_get(rt, module), in);
		if (rc < 0)
			hr_inst_close(in);
	}
	hr_unlock(rt, cs);
	return rc;
}

void *hotrt_lookup(struct hotrt *rt, const char *module, const char *symbol)
{
	void *p = NULL;
	int cs;
	hr_lock(rt, &cs);
	struct hr_module *m = hr_module_find(rt, module);
	if (m && m->cur)
		p = hr_inst_sym(m->cur, symbol);
	hr_unlock(rt, cs);
	return p;
}

int hotrt_purge(struct hotrt *rt, const char *module, int *killed)
{
	int cs;
	hr_lock(rt, &cs);
	int rc = hr_purge_locked(rt, hr_module_find(rt, module), killed);
	hr_unlock(rt, cs);
	return rc;
}

int hotrt_soft_purge(struct hotrt *rt, const char *module)
{
	int cs;
	hr_lock(rt, &cs);
	int rc = hr_soft_purge_locked(rt, hr_module_find(rt, module));
	hr_unlock(rt, cs);
	return rc;
}

int hotrt_delete(struct hotrt *rt, const char *module)
{
	int cs;
	hr_lock(rt, &cs);
	int rc = hr_delete_locked(rt, hr_module_find(rt, module));
	hr_unlock(rt, cs);
	return rc;
}

int hotrt_version(struct hotrt *rt, const char *module, int which, char *buf, size_t size)
{
	int rc = HOTRT_ENOENT;
	int cs;
	hr_lock(rt, &cs);
	struct hr_module *m = hr_module_find(rt, module);
	struct hr_inst *in = m ? (which ? m->old : m->cur) : NULL;
	if (in) {
		snprintf(buf, size, "%s", in->vsn);
		rc = 0;
	}
	hr_unlock(rt, cs);
	return rc;
}
