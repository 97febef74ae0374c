/*
 * dwfl.c - unwinding and describing addresses with elfutils' libdwfl, the
 * library eu-stack is built on. The only file of hotplan that includes
 * elfutils headers (DESIGN.md §2).
 *
 * The work is split around the pause: unwinder_open() reports the target's
 * modules (from /proc/PID/maps) and loads every unwind table before any
 * thread is stopped; unwinder_stack() only reads registers and stack memory
 * of a thread the caller stopped (libdwfl attached with
 * assume_ptrace_stopped, so it never attaches or detaches by itself); and
 * unwinder_describe() reads DWARF and symbols after the threads run again.
 *
 * Per object (Dwfl_Module), what describe needs is computed once and kept
 * in the module's userdata slot: whether it has DWARF, and without DWARF a
 * table of its function symbols with the STT_FILE each local one follows.
 */
#include "snapshot_int.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fsym {
	uint64_t lo, hi;       /* [lo, hi): the function's bytes, biased */
	const char *name;
	const char *file;      /* STT_FILE before it (locals only), or NULL */
	int local;
};

struct objinfo {
	int has_dwarf;
	int has_names;         /* STT_FILE symbols: a real .symtab */
	int names_tree;        /* one of its STT_FILE names is a file of the facts */
	int is_exe;
	struct fsym *syms;     /* sorted by lo (no DWARF only) */
	size_t nsyms;
};

struct unwinder {
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;
	char *debuginfo_path;  /* callbacks.debuginfo_path points here */
	long pid;
	char exe[PATH_MAX];
	const struct module_map *mm;
	struct arena arena;    /* objinfo and symbol names */
	VEC(struct objinfo *) infos;
	pc_vec *pcs;           /* the stack being collected */
	size_t depth;
	/* A thread whose registers could not be read (the process is dying)
	 * leaves libdwfl 0.188 believing it is still attached, and the next
	 * thread would trip its assertion: no thread is read after that. */
	int broken;
};

static int prime_module(Dwfl_Module *mod, void **userdata, const char *name,
			Dwarf_Addr start, void *arg)
{
	Dwarf_Addr bias;
	(void)userdata; (void)name; (void)start; (void)arg;
	/* Load what unwinding reads, so the pause does not pay for it. */
	if (!dwfl_module_eh_cfi(mod, &bias))
		(void)dwfl_module_dwarf_cfi(mod, &bias);
	return DWARF_CB_OK;
}

int unwinder_open(struct unwinder **out, long pid, const char *debuginfo_path,
		  const struct module_map *mm, struct errbuf *err)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));
	char link[64];
	ssize_t n;
	int rc;

	*out = NULL;
	u->pid = pid;
	u->mm = mm;
	arena_init(&u->arena);
	u->debuginfo_path = xstrdup(debuginfo_path ? debuginfo_path : "+:.debug:/usr/lib/debug");
	u->callbacks.find_elf = dwfl_linux_proc_find_elf;
	u->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	u->callbacks.debuginfo_path = &u->debuginfo_path;
	snprintf(link, sizeof(link), "/proc/%ld/exe", pid);
	n = readlink(link, u->exe, sizeof(u->exe) - 1);
	u->exe[n > 0 ? n : 0] = '\0';
	u->dwfl = dwfl_begin(&u->callbacks);
	if (!u->dwfl) {
		unwinder_close(u);
		return hp_error(err, HP_EUSAGE, "cannot start libdwfl: %s", dwfl_errmsg(-1));
	}
	dwfl_report_begin(u->dwfl);
	rc = dwfl_linux_proc_report(u->dwfl, (pid_t)pid);
	dwfl_report_end(u->dwfl, NULL, NULL);
	if (rc) {
		const char *why = rc > 0 ? strerror(rc) : dwfl_errmsg(-1);
		unwinder_close(u);
		if (rc == ENOENT || rc == ESRCH)
			return hp_error(err, HP_EUSAGE, "no process '%ld'; check the PID with 'ps'", pid);
		if (rc == EACCES || rc == EPERM)
			return snapshot_permission_error(err, pid, rc);
		return hp_error(err, HP_EUSAGE, "cannot read the modules of process '%ld': %s", pid, why);
	}
	dwfl_getmodules(u->dwfl, prime_module, u, 0);
	rc = dwfl_linux_proc_attach(u->dwfl, (pid_t)pid, true);
	if (rc) {
		const char *why = rc > 0 ? strerror(rc) : dwfl_errmsg(-1);
		unwinder_close(u);
		return hp_error(err, HP_EUSAGE, "cannot prepare to unwind process '%ld': %s", pid, why);
	}
	*out = u;
	return 0;
}

void unwinder_close(struct unwinder *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	for (size_t i = 0; i < u->infos.n; i++)
		free(u->infos.items[i]->syms);
	VEC_RELEASE(&u->infos);
	arena_release(&u->arena);
	free(u->debuginfo_path);
	free(u);
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct unwinder *u = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (!activation && pc > 0)
		pc--;   /* a return address: the call is the byte before */
	VEC_PUSH(u->pcs, (uint64_t)pc);
	if (++u->depth >= SNAPSHOT_MAX_FRAMES)
		return DWARF_CB_ABORT;
	return DWARF_CB_OK;
}

size_t unwinder_stack(struct unwinder *u, long tid, pc_vec *pcs, const char **why)
{
	size_t before = pcs->n;
	u->pcs = pcs;
	u->depth = 0;
	*why = NULL;
	if (u->broken) {
		*why = "not read: an earlier thread's registers could not be read";
		return 0;
	}
	if (dwfl_getthread_frames(u->dwfl, (pid_t)tid, frame_cb, u) != 0) {
		if (u->depth >= SNAPSHOT_MAX_FRAMES)
			*why = "deeper than the frame limit";
		else if (dwfl_errno() != 0)
			*why = dwfl_errmsg(-1);
		else
			*why = "unwinding failed";
		if (pcs->n == before)
			u->broken = 1;
	}
	u->pcs = NULL;
	return pcs->n - before;
}

static int fsym_cmp(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The function symbols of an object without DWARF, each local one with the
 * STT_FILE that opens its group (the symbol table's order). */
static void load_syms(struct unwinder *u, Dwfl_Module *mod, struct objinfo *oi)
{
	int n = dwfl_module_getsymtab(mod);
	const char *file = NULL;
	VEC(struct fsym) v = {0};
	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		Elf *elf;
		Dwarf_Addr bias;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, &elf, &bias);
		if (!name)
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_FILE) {
			const char *base = strrchr(name, '/');
			base = base ? base + 1 : name;
			file = arena_strdup(&u->arena, name);
			oi->has_names = 1;
			if (u->mm && module_map_knows_basename(u->mm, base))
				oi->names_tree = 1;
			continue;
		}
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_size == 0 || !*name)
			continue;
		int local = GELF_ST_BIND(sym.st_info) == STB_LOCAL;
		struct fsym f = { addr, addr + sym.st_size, arena_strdup(&u->arena, name),
				  local ? file : NULL, local };
		VEC_PUSH(&v, f);
	}
	if (v.n > 1)
		qsort(v.items, v.n, sizeof(*v.items), fsym_cmp);
	oi->syms = v.items;
	oi->nsyms = v.n;
}

static struct objinfo *objinfo_of(struct unwinder *u, Dwfl_Module *mod, const char **mainfile)
{
	void **userdata;
	const char *name = dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, mainfile, NULL);
	if (*userdata)
		return *userdata;
	struct objinfo *oi = arena_zalloc(&u->arena, sizeof(*oi));
	Dwarf_Addr bias;
	oi->has_dwarf = dwfl_module_getdwarf(mod, &bias) != NULL;
	oi->is_exe = name && u->exe[0] && !strcmp(name, u->exe);
	load_syms(u, mod, oi);
	if (oi->has_dwarf) {
		free(oi->syms);  /* DWARF answers; the names set above stay */
		oi->syms = NULL;
		oi->nsyms = 0;
	}
	VEC_PUSH(&u->infos, oi);
	*userdata = oi;
	if (!*mainfile)
		*mainfile = name;
	return oi;
}

static const struct fsym *find_sym(const struct objinfo *oi, uint64_t pc)
{
	size_t lo = 0, hi = oi->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (oi->syms[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the last symbol starting at or below pc; nested (aliased) ones too */
	for (size_t i = lo; i-- > 0;) {
		if (oi->syms[i].lo <= pc && pc < oi->syms[i].hi)
			return &oi->syms[i];
		if (lo - i > 8)
			break;
	}
	return NULL;
}

/* The DWARF answer: the compile unit's file and the subprogram around pc. */
static void describe_dwarf(struct unwinder *u, Dwfl_Module *mod, uint64_t pc,
			   struct pc_info *out, struct arena *a)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, &bias);
	(void)u;
	if (!cu)
		return;
	const char *file = dwarf_diename(cu);
	if (file && file[0] != '/') {
		Dwarf_Attribute at;
		const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));
		out->cu_file = dir ? arena_printf(a, "%s/%s", dir, file) : arena_strdup(a, file);
	} else if (file) {
		out->cu_file = arena_strdup(a, file);
	}
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, pc - bias, &scopes);
	for (int i = 0; i < n; i++) {
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			const char *fn = dwarf_diename(&scopes[i]);
			if (fn)
				out->function = arena_strdup(a, fn);
			break;
		}
	}
	free(scopes);
}

void unwinder_describe(struct unwinder *u, uint64_t pc, struct arena *a, struct pc_info *out)
{
	memset(out, 0, sizeof(*out));
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, pc);
	if (!mod)
		return;
	const char *mainfile = NULL;
	struct objinfo *oi = objinfo_of(u, mod, &mainfile);
	out->object = mainfile ? arena_strdup(a, mainfile) : NULL;
	out->object_has_dwarf = oi->has_dwarf;
	out->object_has_names = oi->has_names;
	out->object_names_tree = oi->names_tree;
	out->object_is_exe = oi->is_exe;
	if (oi->has_dwarf)
		describe_dwarf(u, mod, pc, out, a);
	if (!oi->has_dwarf) {
		const struct fsym *f = find_sym(oi, pc);
		if (f) {
			out->function = f->name;
			out->sym_file = f->file;
			out->sym_local = f->local;
		}
	}
	if (!out->function) {
		const char *name = dwfl_module_addrname(mod, pc);
		if (name)
			out->function = arena_strdup(a, name);
	}
}

struct exe_query {
	struct unwinder *u;
	int found, names;
};

static int exe_module(Dwfl_Module *mod, void **userdata, const char *name,
		      Dwarf_Addr start, void *arg)
{
	struct exe_query *q = arg;
	const char *mainfile = NULL;
	(void)userdata; (void)start;
	if (!name || strcmp(name, q->u->exe))
		return DWARF_CB_OK;
	struct objinfo *oi = objinfo_of(q->u, mod, &mainfile);
	q->found = 1;
	q->names = oi->has_dwarf || oi->has_names;
	return DWARF_CB_ABORT;
}

int unwinder_exe_has_names(struct unwinder *u)
{
	struct exe_query q = { u, 0, 0 };
	dwfl_getmodules(u->dwfl, exe_module, &q, 0);
	return !q.found || q.names;
}

const char *unwinder_exe(struct unwinder *u)
{
	return u->exe;
}

struct objects_query {
	void (*fn)(const char *object, void *arg);
	void *arg;
};

static int object_cb(Dwfl_Module *mod, void **userdata, const char *name,
		     Dwarf_Addr start, void *arg)
{
	struct objects_query *q = arg;
	(void)mod; (void)userdata; (void)start;
	if (name)
		q->fn(name, q->arg);
	return DWARF_CB_OK;
}

void unwinder_objects(struct unwinder *u, void (*fn)(const char *object, void *arg), void *arg)
{
	struct objects_query q = { fn, arg };
	dwfl_getmodules(u->dwfl, object_cb, &q, 0);
}
