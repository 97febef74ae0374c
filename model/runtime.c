/*
 * runtime.c - the runtime model: interning, the validating JSON reader and
 * the canonical writer (DESIGN.md §4.3).
 *
 * Reading is two passes over the cJSON tree: modules and supervisors first
 * (so every later reference can be resolved), then processes and the
 * unpurged list, converted straight into the compact arrays of struct
 * runtime. The tree is freed before returning. Positions are computed only
 * for the one node an error names (json_error), so the common path runs at
 * cJSON's speed.
 *
 * Invariant: on success every index stored in the runtime is in range, and
 * every check listed in runtime.h holds; on failure nothing is returned.
 */
#include "runtime.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "jsonw.h"

struct runtime *runtime_new(void)
{
	struct runtime *rt = xcalloc(1, sizeof(*rt));
	arena_init(&rt->arena);
	strmap_init(&rt->module_index);
	strmap_init(&rt->version_index);
	rt->suspend_timeout = -1;
	return rt;
}

void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	strmap_release(&rt->module_index);
	strmap_release(&rt->version_index);
	VEC_RELEASE(&rt->versions);
	VEC_RELEASE(&rt->modules);
	VEC_RELEASE(&rt->supervisors);
	VEC_RELEASE(&rt->processes);
	VEC_RELEASE(&rt->frames);
	VEC_RELEASE(&rt->funs);
	VEC_RELEASE(&rt->modrefs);
	VEC_RELEASE(&rt->unpurged);
	arena_release(&rt->arena);
	free(rt);
}

uint32_t runtime_module(struct runtime *rt, const char *name)
{
	void *v;
	if (strmap_lookup(&rt->module_index, name, &v))
		return (uint32_t)((uintptr_t)v - 1);
	struct rt_module m = { arena_strdup(&rt->arena, name), RT_NONE, RT_NONE };
	VEC_PUSH(&rt->modules, m);
	strmap_put(&rt->module_index, m.name, (void *)(uintptr_t)rt->modules.n);
	return (uint32_t)(rt->modules.n - 1);
}

int32_t runtime_find_module(const struct runtime *rt, const char *name)
{
	void *v;
	if (strmap_lookup(&rt->module_index, name, &v))
		return (int32_t)((uintptr_t)v - 1);
	return -1;
}

int32_t runtime_find_supervisor(const struct runtime *rt, const char *name)
{
	for (size_t i = 0; i < rt->supervisors.n; i++)
		if (!strcmp(rt->supervisors.items[i].name, name))
			return (int32_t)i;
	return -1;
}

/* Versions are keyed by kind and text: "i42" or "s1.0.3". */
static int32_t version_intern(struct runtime *rt, int is_int, const char *text)
{
	size_t n = strlen(text);
	char small[64];
	char *key = n + 2 <= sizeof(small) ? small : xmalloc(n + 2);
	key[0] = is_int ? 'i' : 's';
	memcpy(key + 1, text, n + 1);
	void *v;
	int32_t idx;
	if (strmap_lookup(&rt->version_index, key, &v)) {
		idx = (int32_t)((uintptr_t)v - 1);
	} else {
		char *k = arena_strdup(&rt->arena, key);
		struct rt_version ver = { k + 1, is_int };
		VEC_PUSH(&rt->versions, ver);
		idx = (int32_t)(rt->versions.n - 1);
		strmap_put(&rt->version_index, k, (void *)(uintptr_t)(idx + 1));
	}
	if (key != small)
		free(key);
	return idx;
}

int32_t runtime_version_int(struct runtime *rt, long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return version_intern(rt, 1, buf);
}

int32_t runtime_version_str(struct runtime *rt, const char *s)
{
	return version_intern(rt, 0, s);
}

const char *runtime_restart_name(enum rt_restart r)
{
	static const char *const names[] = { "permanent", "transient", "temporary" };
	return (unsigned)r < 3 ? names[r] : "?";
}

const char *runtime_app_type_name(enum rt_app_type t)
{
	static const char *const names[] = { "permanent", "transient", "temporary" };
	return (unsigned)t < 3 ? names[t] : "?";
}

/* ---- reading -------------------------------------------------------------- */

/* Set of pids (indices into rt->processes), open addressing: strmap's
 * generality costs too much at 10^6 entries. */
struct pidset {
	uint32_t *slots;   /* process index + 1, 0 empty */
	size_t cap, n;
};


static void pidset_release(struct pidset *ps)
{
	free(ps->slots);
	memset(ps, 0, sizeof(*ps));
}

/* Adds process idx (whose pid is already stored); 1 if the pid was there. */
static int pidset_add(struct pidset *ps, const struct runtime *rt, uint32_t idx)
{
	if (2 * (ps->n + 1) > ps->cap) {
		size_t ncap = ps->cap ? ps->cap * 2 : 1024;
		uint32_t *ns = xcalloc(ncap, sizeof(uint32_t));
		for (size_t i = 0; i < ps->cap; i++) {
			uint32_t v = ps->slots[i];
			if (!v)
				continue;
			size_t h = (size_t)hp_hash_str(rt->processes.items[v - 1].pid) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = v;
		}
		free(ps->slots);
		ps->slots = ns;
		ps->cap = ncap;
	}
	const char *pid = rt->processes.items[idx].pid;
	size_t h = (size_t)hp_hash_str(pid) & (ps->cap - 1);
	while (ps->slots[h]) {
		if (!strcmp(rt->processes.items[ps->slots[h] - 1].pid, pid))
			return 1;
		h = (h + 1) & (ps->cap - 1);
	}
	ps->slots[h] = idx + 1;
	ps->n++;
	return 0;
}

struct reader {
	struct json_doc d;   /* the document being converted */
	struct runtime *rt;
	struct pidset pids;
	struct strmap sups;  /* name -> index + 1 */
	/* Object mode (the fast path): d is one process object of the file;
	 * positions are shifted by where that object starts. */
	int object_mode;
	const char *full;       /* the whole file */
	size_t base_off;        /* offset of d.text in full */
	size_t base_line_off;   /* offset in full of the line holding base_off */
	unsigned base_line;     /* that line's number */
};

/* json_error with the position mapped back into the whole file. */
static int rt_error(const struct reader *r, const cJSON *node, const char *fmt, ...) HP_PRINTF(3, 4);
static int rt_error(const struct reader *r, const cJSON *node, const char *fmt, ...)
{
	char msg[768];
	unsigned line = 0, col = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node)
		json_locate(&r->d, node, &line, &col);
	if (r->object_mode && line) {
		if (line == 1) {
			unsigned l0, c0;
			json_offset_pos(r->full + r->base_line_off, r->base_off - r->base_line_off,
					r->base_off - r->base_line_off, &l0, &c0);
			col += c0 - 1;
		}
		line += r->base_line - 1;
	}
	return hp_error_at(r->d.err, HP_EINPUT, r->d.file, line, col, "%s", msg);
}

/* A version id as written in "modules": integer, string or null. */
static int read_version_id(struct reader *r, const cJSON *obj, const char *key, int32_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = RT_NONE;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;
		if (x != floor(x) || fabs(x) > 9e15)
			return rt_error(r, v, "version must be an integer or a string");
		*out = runtime_version_int(r->rt, (long long)x);
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "current") || !strcmp(v->valuestring, "old") ||
		    !v->valuestring[0])
			return rt_error(r, v, "'%s' is not a version id", v->valuestring);
		*out = runtime_version_str(r->rt, v->valuestring);
		return 0;
	}
	return rt_error(r, v, "'%s' must be an integer, a string or null", key);
}

static int read_modules(struct reader *r, const cJSON *arr)
{
	const cJSON *m;
	int lim = json_check_count(&r->d, arr, "modules", RT_MAX_MODULES);
	if (lim)
		return lim;
	cJSON_ArrayForEach(m, arr) {
		const char *name;
		int rc;
		if (!cJSON_IsObject(m))
			return rt_error(r, m, "a module must be an object");
		if ((rc = json_get_string(&r->d, m, "name", 1, &name)))
			return rc;
		if (!*name)
			return rt_error(r, m, "empty module name");
		if (runtime_find_module(r->rt, name) >= 0)
			return rt_error(r, m, "duplicate module '%s'", name);
		uint32_t idx = runtime_module(r->rt, name);
		int32_t cur, old;
		if ((rc = read_version_id(r, m, "current", &cur)) ||
		    (rc = read_version_id(r, m, "old", &old)))
			return rc;
		if (cur != RT_NONE && cur == old)
			return rt_error(r, m, "module '%s' has the same current and old version", name);
		r->rt->modules.items[idx].cur = cur;
		r->rt->modules.items[idx].old = old;
	}
	return 0;
}

static int read_app_type(struct reader *r, const cJSON *obj, const char *key, int *out)
{
	const char *s;
	int rc = json_get_string(&r->d, obj, key, 0, &s);
	if (rc)
		return rc > 0 ? 0 : rc;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(s, runtime_app_type_name((enum rt_app_type)i))) {
			*out = i;
			return 0;
		}
	}
	return rt_error(r, cJSON_GetObjectItemCaseSensitive(obj, key),
			  "'%s' must be permanent, transient or temporary", key);
}

/*
 * A supervisor that is its own ancestor, or -1. Linear: each supervisor is
 * walked once; walk[v] is the number of the walk that first reached v, so a
 * walk that meets its own mark has gone round a cycle, and one that meets an
 * earlier walk's mark has joined a chain already known to end. Parents must
 * be in range.
 */
int32_t runtime_sup_cycle(const struct runtime *rt)
{
	size_t n = rt->supervisors.n;
	uint32_t *walk = xcalloc(n ? n : 1, sizeof(*walk));
	int32_t found = -1;
	for (size_t i = 0; i < n && found < 0; i++) {
		uint32_t id = (uint32_t)i + 1;
		int32_t p = (int32_t)i;
		while (p != RT_NONE && !walk[p]) {
			walk[p] = id;
			p = rt->supervisors.items[p].parent;
		}
		if (p != RT_NONE && walk[p] == id)
			found = p;
	}
	free(walk);
	return found;
}

static int read_supervisors(struct reader *r, const cJSON *arr)
{
	const cJSON *s;
	VEC(const cJSON *) nodes = {0};
	VEC(const char *) parents = {0};
	int rc = json_check_count(&r->d, arr, "supervisors", RT_MAX_SUPERVISORS);
	if (rc)
		return rc;
	cJSON_ArrayForEach(s, arr) {
		struct rt_supervisor sup = { NULL, RT_NONE, RT_DEFAULT_INTENSITY, RT_DEFAULT_PERIOD,
					     NULL, RT_APP_PERMANENT };
		const char *name, *parent = NULL, *app = NULL;
		long long intensity = RT_DEFAULT_INTENSITY, period = RT_DEFAULT_PERIOD;
		int type = RT_APP_PERMANENT;
		if (!cJSON_IsObject(s)) {
			rc = rt_error(r, s, "a supervisor must be an object");
			goto out;
		}
		if ((rc = json_get_string(&r->d, s, "name", 1, &name)) ||
		    (rc = json_get_string_or_null(&r->d, s, "parent", 0, &parent)) < 0 ||
		    (rc = json_get_int(&r->d, s, "intensity", 0, 0, 1000000, &intensity)) < 0 ||
		    (rc = json_get_int(&r->d, s, "period", 0, 1, 1000000000, &period)) < 0 ||
		    (rc = json_get_string(&r->d, s, "application", 0, &app)) < 0 ||
		    (rc = read_app_type(r, s, "type", &type)) < 0)
			goto out;
		rc = 0;
		if (strmap_get(&r->sups, name)) {
			rc = rt_error(r, s, "duplicate supervisor '%s'", name);
			goto out;
		}
		sup.name = arena_strdup(&r->rt->arena, name);
		sup.intensity = (uint32_t)intensity;
		sup.period = (uint32_t)period;
		sup.app = arena_strdup(&r->rt->arena, app ? app : name);
		sup.app_type = (enum rt_app_type)type;
		VEC_PUSH(&r->rt->supervisors, sup);
		strmap_put(&r->sups, sup.name, (void *)(uintptr_t)r->rt->supervisors.n);
		VEC_PUSH(&nodes, s);
		VEC_PUSH(&parents, parent);
	}
	for (size_t i = 0; i < parents.n; i++) {
		if (!parents.items[i])
			continue;
		void *v = strmap_get(&r->sups, parents.items[i]);
		if (!v) {
			rc = rt_error(r, cJSON_GetObjectItemCaseSensitive(nodes.items[i], "parent"),
					"unknown supervisor '%s'", parents.items[i]);
			goto out;
		}
		r->rt->supervisors.items[i].parent = (int32_t)((uintptr_t)v - 1);
	}
	{
		int32_t c = runtime_sup_cycle(r->rt);
		if (c >= 0) {
			rc = rt_error(r, nodes.items[c], "supervisor '%s' is its own ancestor (a cycle)",
					r->rt->supervisors.items[c].name);
			goto out;
		}
	}
out:
	VEC_RELEASE(&nodes);
	VEC_RELEASE(&parents);
	return rc;
}

static int module_ref(struct reader *r, const cJSON *v, uint32_t *out)
{
	if (!cJSON_IsString(v))
		return rt_error(r, v, "a module name must be a string");
	int32_t m = runtime_find_module(r->rt, v->valuestring);
	if (m < 0)
		return rt_error(r, v, "unknown module '%s'", v->valuestring);
	*out = (uint32_t)m;
	return 0;
}

/*
 * {"module": M, "version": "current"|"old"|id}. A frame's version must exist
 * now (current or old). A fun's may also be an id of a version already
 * purged: a fun does not keep its code alive (SEMANTICS.md §1), so a process
 * can hold one two upgrades after its version was current; calling it
 * raises badfun. Such an id is interned.
 */
static int read_frame(struct reader *r, const cJSON *f, int fun, struct rt_frame *out)
{
	const cJSON *mv = NULL, *vv = NULL, *c;
	if (!cJSON_IsObject(f))
		return rt_error(r, f, "a frame must be an object {\"module\", \"version\"}");
	for (c = f->child; c; c = c->next) {
		if (!strcmp(c->string, "module"))
			mv = c;
		else if (!strcmp(c->string, "version"))
			vv = c;
	}
	if (!mv)
		return rt_error(r, f, "missing 'module' in object");
	int rc = module_ref(r, mv, &out->module);
	if (rc)
		return rc;
	const struct rt_module *m = &r->rt->modules.items[out->module];
	int32_t v;
	if (!vv || (cJSON_IsString(vv) && !strcmp(vv->valuestring, "current"))) {
		v = m->cur;
		if (v == RT_NONE)
			return rt_error(r, vv ? vv : f, "module '%s' has no current version", m->name);
	} else if (cJSON_IsString(vv) && !strcmp(vv->valuestring, "old")) {
		v = m->old;
		if (v == RT_NONE)
			return rt_error(r, vv, "module '%s' has no old version", m->name);
	} else if (cJSON_IsString(vv) && fun) {
		if (!vv->valuestring[0])
			return rt_error(r, vv, "'' is not a version id");
		v = runtime_version_str(r->rt, vv->valuestring);
	} else if (cJSON_IsString(vv)) {
		/* the index key is 's' and the text; a long version id (the
		 * writer spells out "current" as the id itself) needs the heap */
		char small[256];
		size_t n = strlen(vv->valuestring);
		char *key = n + 2 <= sizeof(small) ? small : xmalloc(n + 2);
		void *p;
		key[0] = 's';
		memcpy(key + 1, vv->valuestring, n + 1);
		v = strmap_lookup(&r->rt->version_index, key, &p) ? (int32_t)((uintptr_t)p - 1)
								 : RT_NONE;
		if (key != small)
			free(key);
	} else if (cJSON_IsNumber(vv) && vv->valuedouble == floor(vv->valuedouble) &&
		   fabs(vv->valuedouble) < 9e15 && fun) {
		v = runtime_version_int(r->rt, (long long)vv->valuedouble);
	} else if (cJSON_IsNumber(vv) && vv->valuedouble == floor(vv->valuedouble) &&
		   fabs(vv->valuedouble) < 9e15) {
		char small[40];
		snprintf(small, sizeof(small), "i%lld", (long long)vv->valuedouble);
		void *p;
		v = strmap_lookup(&r->rt->version_index, small, &p) ? (int32_t)((uintptr_t)p - 1) : RT_NONE;
	} else {
		return rt_error(r, vv, "a version must be \"current\", \"old\", an integer or a string");
	}
	if (!fun && (v == RT_NONE || (v != m->cur && v != m->old))) {
		char *txt = cJSON_PrintUnformatted(vv);
		rt_error(r, vv, "version %s of module '%s' is neither its current nor its old version",
			   txt ? txt : "?", m->name);
		free(txt);
		return HP_EINPUT;
	}
	out->version = v;
	return 0;
}

static int read_frames(struct reader *r, const cJSON *arr, int funs, uint32_t *off, uint32_t *n)
{
	if (!cJSON_IsArray(arr))
		return rt_error(r, arr, "'%s' must be an array", funs ? "funs" : "frames");
	void *vec = funs ? (void *)&r->rt->funs : (void *)&r->rt->frames;
	VEC(struct rt_frame) *fv = vec;
	*off = (uint32_t)fv->n;
	const cJSON *f;
	cJSON_ArrayForEach(f, arr) {
		struct rt_frame fr;
		int rc = read_frame(r, f, funs, &fr);
		if (rc)
			return rc;
		VEC_PUSH(fv, fr);
	}
	*n = (uint32_t)(fv->n - *off);
	return 0;
}

static int enum_of(struct reader *r, const cJSON *v, const char *key,
		   const char *(*namefn)(int), int count, uint8_t *out)
{
	if (!cJSON_IsString(v))
		return rt_error(r, v, "'%s' must be a string", key);
	for (int i = 0; i < count; i++) {
		if (!strcmp(v->valuestring, namefn(i))) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return rt_error(r, v, "bad '%s' value '%s'", key, v->valuestring);
}

static const char *next_name_i(int i) { return next_call_name((enum next_call)i); }
static const char *restart_name_i(int i) { return runtime_restart_name((enum rt_restart)i); }

static int read_process(struct reader *r, const cJSON *p)
{
	struct rt_process pr;
	const cJSON *c, *pidv = NULL, *modsv = NULL, *supv = NULL, *framesv = NULL;
	int rc;
	memset(&pr, 0, sizeof(pr));
	pr.supervisor = RT_NONE;
	if (r->rt->processes.n >= RT_MAX_PROCESSES) {
		unsigned line, col;
		json_locate(&r->d, p, &line, &col);
		return hp_error_at(r->d.err, HP_ELIMIT, r->d.file, line, col,
				   "more than the limit of %d processes", RT_MAX_PROCESSES);
	}
	pr.restart = RT_PERMANENT;
	pr.next = NEXT_LOCAL;
	if (!cJSON_IsObject(p))
		return rt_error(r, p, "a process must be an object");
	for (c = p->child; c; c = c->next) {
		const char *k = c->string;
		if (!strcmp(k, "pid")) {
			pidv = c;
		} else if (!strcmp(k, "name")) {
			if (!cJSON_IsString(c))
				return rt_error(r, c, "'name' must be a string");
			pr.name = arena_strdup(&r->rt->arena, c->valuestring);
		} else if (!strcmp(k, "frames")) {
			framesv = c;
			if ((rc = read_frames(r, c, 0, &pr.frames, &pr.nframes)))
				return rc;
		} else if (!strcmp(k, "funs")) {
			if ((rc = read_frames(r, c, 1, &pr.funs, &pr.nfuns)))
				return rc;
		} else if (!strcmp(k, "next_call")) {
			if ((rc = enum_of(r, c, k, next_name_i, 3, &pr.next)))
				return rc;
		} else if (!strcmp(k, "restart")) {
			if ((rc = enum_of(r, c, k, restart_name_i, 3, &pr.restart)))
				return rc;
		} else if (!strcmp(k, "sys")) {
			if (!cJSON_IsBool(c))
				return rt_error(r, c, "'sys' must be true or false");
			pr.sys = cJSON_IsTrue(c) ? 1 : 0;
		} else if (!strcmp(k, "modules")) {
			if (cJSON_IsNull(c))
				continue;
			if (!cJSON_IsArray(c))
				return rt_error(r, c, "'modules' must be an array of module names");
			modsv = c;
			pr.has_mods = 1;
			pr.mods = (uint32_t)r->rt->modrefs.n;
			const cJSON *m;
			cJSON_ArrayForEach(m, c) {
				uint32_t mi;
				if ((rc = module_ref(r, m, &mi)))
					return rc;
				VEC_PUSH(&r->rt->modrefs, mi);
			}
			pr.nmods = (uint32_t)(r->rt->modrefs.n - pr.mods);
		} else if (!strcmp(k, "supervisor")) {
			if (cJSON_IsNull(c))
				continue;
			if (!cJSON_IsString(c))
				return rt_error(r, c, "'supervisor' must be a string or null");
			void *v = strmap_get(&r->sups, c->valuestring);
			if (!v)
				return rt_error(r, c, "unknown supervisor '%s'", c->valuestring);
			pr.supervisor = (int32_t)((uintptr_t)v - 1);
			supv = c;
		}
	}
	(void)supv;
	if (!framesv)
		return rt_error(r, p, "missing 'frames' in object");
	if (!pidv)
		return rt_error(r, p, "missing 'pid' in object");
	if (cJSON_IsString(pidv)) {
		if (!pidv->valuestring[0])
			return rt_error(r, pidv, "empty pid");
		pr.pid = arena_strdup(&r->rt->arena, pidv->valuestring);
	} else if (cJSON_IsNumber(pidv) && pidv->valuedouble == floor(pidv->valuedouble) &&
		   pidv->valuedouble >= 0 && pidv->valuedouble < 9e15) {
		pr.pid = arena_printf(&r->rt->arena, "%lld", (long long)pidv->valuedouble);
	} else {
		return rt_error(r, pidv, "'pid' must be a string or a non-negative integer");
	}
	if (!pr.name)
		pr.name = pr.pid;
	if (modsv && pr.supervisor == RT_NONE)
		return rt_error(r, modsv, "'modules' is the child spec of a supervised process: it needs a 'supervisor'");
	VEC_PUSH(&r->rt->processes, pr);
	if (pidset_add(&r->pids, r->rt, (uint32_t)(r->rt->processes.n - 1))) {
		r->rt->processes.n--;
		return rt_error(r, pidv, "duplicate pid '%s'", pr.pid);
	}
	return 0;
}

static int read_unpurged(struct reader *r, const cJSON *arr)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, arr) {
		struct rt_unpurged up;
		const char *method;
		int rc;
		if (!cJSON_IsObject(u))
			return rt_error(r, u, "an unpurged entry must be an object {\"module\", \"method\"}");
		const cJSON *mv = cJSON_GetObjectItemCaseSensitive(u, "module");
		if (!mv)
			return rt_error(r, u, "missing 'module' in object");
		if ((rc = module_ref(r, mv, &up.module)))
			return rc;
		/* "method" is canonical; "purge" is read too (the fuzz corpora
		 * and hand-written snapshots use it). */
		const char *key = cJSON_GetObjectItemCaseSensitive(u, "method") ? "method" :
				  cJSON_GetObjectItemCaseSensitive(u, "purge") ? "purge" : "method";
		if ((rc = json_get_string(&r->d, u, key, 1, &method)))
			return rc;
		if (!strcmp(method, "soft_purge"))
			up.method = PURGE_SOFT;
		else if (!strcmp(method, "brutal_purge"))
			up.method = PURGE_BRUTAL;
		else
			return rt_error(r, cJSON_GetObjectItemCaseSensitive(u, key),
					  "'%s' must be soft_purge or brutal_purge", key);
		VEC_PUSH(&r->rt->unpurged, up);
	}
	return 0;
}

static int read_doc(struct reader *r)
{
	const cJSON *root = r->d.root, *arr, *opts;
	const char *format;
	long long version, st;
	int rc;
	if (!cJSON_IsObject(root))
		return rt_error(r, root, "a runtime must be a JSON object");
	if ((rc = json_get_string(&r->d, root, "format", 1, &format)))
		return rc;
	if (strcmp(format, RUNTIME_FORMAT))
		return rt_error(r, cJSON_GetObjectItemCaseSensitive(root, "format"),
				  "format is '%s', expected '%s'", format, RUNTIME_FORMAT);
	if ((rc = json_get_int(&r->d, root, "version", 1, 0, 1000000, &version)))
		return rc;
	if (version != RUNTIME_VERSION)
		return rt_error(r, cJSON_GetObjectItemCaseSensitive(root, "version"),
				  "unsupported runtime version %lld (this hotplan reads %d)",
				  version, RUNTIME_VERSION);
	if ((rc = json_get_object(&r->d, root, "options", 0, &opts)) < 0)
		return rc;
	if (rc == 0) {
		if ((rc = json_get_int(&r->d, opts, "suspend_timeout", 0, 0, 1LL << 40, &st)) < 0)
			return rc;
		if (rc == 0)
			r->rt->suspend_timeout = (long)st;
	}
	if ((rc = json_get_array(&r->d, root, "modules", 1, &arr)) || (rc = read_modules(r, arr)))
		return rc;
	if ((rc = json_get_array(&r->d, root, "supervisors", 0, &arr)) < 0)
		return rc;
	if (rc == 0 && (rc = read_supervisors(r, arr)))
		return rc;
	if ((rc = json_get_array(&r->d, root, "processes", 1, &arr)))
		return rc;
	const cJSON *p;
	cJSON_ArrayForEach(p, arr)
		if ((rc = read_process(r, p)))
			return rc;
	if ((rc = json_get_array(&r->d, root, "unpurged", 0, &arr)) < 0)
		return rc;
	if (rc == 0 && (rc = read_unpurged(r, arr)))
		return rc;
	return 0;
}

/* The reference path: one cJSON tree for the whole file. */
static int read_slow(const char *file, const char *json, size_t len,
		     struct runtime **out, struct errbuf *err)
{
	struct reader r;
	memset(&r, 0, sizeof(r));
	int rc = json_doc_parse(&r.d, file, json, len, err);
	if (rc)
		return rc;
	r.rt = runtime_new();
	strmap_init(&r.sups);
	rc = read_doc(&r);
	pidset_release(&r.pids);
	strmap_release(&r.sups);
	json_doc_release(&r.d);
	if (rc) {
		runtime_free(r.rt);
		return rc;
	}
	*out = r.rt;
	return 0;
}

/* ---- the fast path ---------------------------------------------------------
 *
 * The processes array holds almost all of a large file. Its objects are
 * parsed one at a time (cJSON, through json_doc_parse) and converted and
 * freed at once, so the tree of the whole file is never built: memory stays
 * small and malloc reuses the same chunks. The rest of the file is parsed
 * as a skeleton in which the processes array is blanked out with the same
 * line breaks and columns, so every position stays that of the file. Any
 * shape the scanner does not expect (and any malformed object) sends the
 * whole file down read_slow(), which gives the exact message.
 */

static int is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static size_t skip_ws(const char *t, size_t i, size_t n)
{
	while (i < n && is_ws(t[i]))
		i++;
	return i;
}

/* At a '"': the offset after the closing quote, or n. */
static size_t skip_string(const char *t, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return n;
}

/* At the start of a value: the offset after it, or n when it is open. */
static size_t skip_value(const char *t, size_t i, size_t n)
{
	if (i >= n)
		return n;
	if (t[i] == '"')
		return skip_string(t, i, n);
	if (t[i] != '{' && t[i] != '[') {
		while (i < n && !is_ws(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']')
			i++;
		return i;
	}
	int depth = 0;
	for (; i < n; i++) {
		char c = t[i];
		if (c == '"') {
			i = skip_string(t, i, n) - 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return n;
}

/* Finds the one top-level "processes" member whose value is an array:
 * offsets of its '[' and ']'. -1 when the file does not have that shape. */
static int find_processes(const char *t, size_t n, size_t *open, size_t *close)
{
	size_t i = skip_ws(t, 0, n);
	int found = 0;
	if (i >= n || t[i] != '{')
		return -1;
	i = skip_ws(t, i + 1, n);
	while (i < n && t[i] == '"') {
		size_t k = i, ke = skip_string(t, i, n);
		i = skip_ws(t, ke, n);
		if (i >= n || t[i] != ':')
			return -1;
		i = skip_ws(t, i + 1, n);
		size_t v = i;
		i = skip_value(t, i, n);
		if (i >= n)
			return -1;
		if (ke - k == 11 && !memcmp(t + k, "\"processes\"", 11)) {
			if (found || t[v] != '[')
				return -1;
			found = 1;
			*open = v;
			*close = i - 1;
		}
		i = skip_ws(t, i, n);
		if (i < n && t[i] == ',')
			i = skip_ws(t, i + 1, n);
		else
			break;
	}
	if (i >= n || t[i] != '}' || !found)
		return -1;
	return 0;
}

/* The file with the processes array's contents blanked out: same lines,
 * same columns after it. */
static char *skeleton(const char *t, size_t n, size_t open, size_t close, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, t, open + 1);
	size_t last = open + 1;
	for (size_t i = open + 1; i < close; i++) {
		if (t[i] == '\n') {
			sb_addc(&sb, '\n');
			last = i + 1;
		}
	}
	for (size_t i = last; i < close; i++)
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			sb_addc(&sb, ' ');
	sb_add(&sb, t + close, n - close);
	return sb_detach(&sb, len);
}

enum { FAST_DONE = 0, FAST_FALLBACK = 1 };

/* Returns FAST_DONE with *out or an error in err, or FAST_FALLBACK. */
static int read_fast(const char *file, const char *t, size_t n,
		     struct runtime **out, struct errbuf *err)
{
	size_t open = 0, close = 0, sklen;
	if (find_processes(t, n, &open, &close) < 0)
		return FAST_FALLBACK;
	struct reader r;
	memset(&r, 0, sizeof(r));
	char *sk = skeleton(t, n, open, close, &sklen);
	int rc = json_doc_parse(&r.d, file, sk, sklen, err);
	if (rc) {
		free(sk);
		return FAST_FALLBACK;
	}
	r.rt = runtime_new();
	strmap_init(&r.sups);
	rc = read_doc(&r);
	json_doc_release(&r.d);
	free(sk);
	if (rc)
		goto out;

	/* Now the process objects, one by one. */
	unsigned line = 1;
	size_t line_off = 0;
	for (const char *p = t; (p = memchr(p, '\n', (size_t)(t + open - p))) != NULL; p++) {
		line++;
		line_off = (size_t)(p - t) + 1;
	}
	size_t i = open + 1;
	int first = 1;
	r.object_mode = 1;
	r.full = t;
	for (;;) {
		for (; i < close && is_ws(t[i]); i++) {
			if (t[i] == '\n') {
				line++;
				line_off = i + 1;
			}
		}
		if (i >= close) {
			if (!first)
				rc = FAST_FALLBACK;  /* a trailing comma */
			break;
		}
		if (t[i] != '{') {
			rc = FAST_FALLBACK;
			break;
		}
		const char *endp = NULL;
		cJSON *obj = cJSON_ParseWithLengthOpts(t + i, close - i, &endp, 0);
		if (!obj || !endp || endp <= t + i || endp > t + close) {
			cJSON_Delete(obj);
			rc = FAST_FALLBACK;
			break;
		}
		size_t end = (size_t)(endp - t);
		/* What json_doc_parse checks beyond cJSON (UTF-8, control
		 * characters) only matters when such a byte is present. */
		unsigned char odd = 0;
		for (size_t k = i; k < end; k++) {
			unsigned char c = (unsigned char)t[k];
			odd |= (unsigned char)(c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r'));
		}
		if (odd) {
			cJSON_Delete(obj);
			if (json_doc_parse(&r.d, file, t + i, end - i, err)) {
				rc = FAST_FALLBACK;
				break;
			}
		} else {
			r.d.file = file;
			r.d.text = t + i;
			r.d.len = end - i;
			r.d.root = obj;
			r.d.err = err;
		}
		r.base_off = i;
		r.base_line = line;
		r.base_line_off = line_off;
		rc = read_process(&r, r.d.root);
		json_doc_release(&r.d);
		if (rc)
			break;
		for (const char *p = t + i; (p = memchr(p, '\n', (size_t)(t + end - p))) != NULL; p++) {
			line++;
			line_off = (size_t)(p - t) + 1;
		}
		first = 0;
		i = end;
		for (; i < close && is_ws(t[i]); i++) {
			if (t[i] == '\n') {
				line++;
				line_off = i + 1;
			}
		}
		if (i >= close)
			break;
		if (t[i] != ',') {
			rc = FAST_FALLBACK;
			break;
		}
		i++;
	}
out:
	pidset_release(&r.pids);
	strmap_release(&r.sups);
	if (rc) {
		runtime_free(r.rt);
		return rc == FAST_FALLBACK ? FAST_FALLBACK : rc;
	}
	*out = r.rt;
	return FAST_DONE;
}

int runtime_read_json(const char *file, const char *json, size_t len,
		      struct runtime **out, struct errbuf *err)
{
	*out = NULL;
	int rc = read_fast(file, json, len, out, err);
	if (rc == FAST_FALLBACK)
		return read_slow(file, json, len, out, err);
	return rc;
}

int runtime_read_file(const char *path, struct runtime **out, struct errbuf *err)
{
	char *data;
	size_t len;
	int rc = fileio_read(path, &data, &len, err);
	if (rc)
		return rc;
	rc = runtime_read_json(strcmp(path, "-") ? path : "<stdin>", data, len, out, err);
	free(data);
	return rc;
}

int runtime_validate(const struct runtime *rt, struct errbuf *err)
{
	size_t nm = rt->modules.n, ns = rt->supervisors.n;
	for (size_t i = 0; i < rt->frames.n + rt->funs.n; i++) {
		int fun = i >= rt->frames.n;
		const struct rt_frame *f = !fun ? &rt->frames.items[i] : &rt->funs.items[i - rt->frames.n];
		if (f->module >= nm)
			return hp_error(err, HP_EINPUT, "a frame names module %u of %zu", f->module, nm);
		const struct rt_module *m = &rt->modules.items[f->module];
		if (f->version < 0 || (size_t)f->version >= rt->versions.n)
			return hp_error(err, HP_EINPUT, "a fun or frame of module '%s' has no version",
					m->name);
		if (!fun && f->version != m->cur && f->version != m->old)
			return hp_error(err, HP_EINPUT,
					"a frame of module '%s' is in a version that is neither current nor old",
					m->name);
	}
	for (size_t i = 0; i < ns; i++) {
		int32_t p = rt->supervisors.items[i].parent;
		if (p != RT_NONE && (p < 0 || (size_t)p >= ns))
			return hp_error(err, HP_EINPUT, "supervisor '%s' has a bad parent",
					rt->supervisors.items[i].name);
	}
	{
		int32_t c = runtime_sup_cycle(rt);
		if (c >= 0)
			return hp_error(err, HP_EINPUT, "supervisor '%s' is its own ancestor (a cycle)",
					rt->supervisors.items[c].name);
	}
	for (size_t i = 0; i < rt->processes.n; i++) {
		const struct rt_process *p = &rt->processes.items[i];
		if (p->supervisor != RT_NONE && (p->supervisor < 0 || (size_t)p->supervisor >= ns))
			return hp_error(err, HP_EINPUT, "process '%s' has an unknown supervisor", p->pid);
		if (p->has_mods && p->supervisor == RT_NONE)
			return hp_error(err, HP_EINPUT, "process '%s' has Modules but no supervisor", p->pid);
		if ((size_t)p->frames + p->nframes > rt->frames.n ||
		    (size_t)p->funs + p->nfuns > rt->funs.n ||
		    (size_t)p->mods + p->nmods > rt->modrefs.n)
			return hp_error(err, HP_EINPUT, "process '%s' has frames out of range", p->pid);
		for (uint32_t k = 0; k < p->nmods; k++)
			if (rt->modrefs.items[p->mods + k] >= nm)
				return hp_error(err, HP_EINPUT, "process '%s' names an unknown module", p->pid);
	}
	return 0;
}

/* ---- writing -------------------------------------------------------------- */

void runtime_put_version(const struct runtime *rt, struct jsonw *w, int32_t v)
{
	if (v == RT_NONE) {
		jsonw_null(w);
		return;
	}
	const struct rt_version *ver = &rt->versions.items[v];
	if (ver->is_int)
		jsonw_raw(w, ver->text);
	else
		jsonw_string(w, ver->text);
}

/* [{"module": M, "version": V}...]; f may be NULL when n is 0. */
static void put_frames(const struct runtime *rt, struct jsonw *w,
		       const struct rt_frame *f, uint32_t n)
{
	jsonw_array(w, JSONW_INLINE);
	for (uint32_t i = 0; i < n; i++) {
		jsonw_object(w, JSONW_INLINE);
		jsonw_key(w, "module"); jsonw_string(w, rt->modules.items[f[i].module].name);
		jsonw_key(w, "version"); runtime_put_version(rt, w, f[i].version);
		jsonw_end(w);
	}
	jsonw_end(w);
}

static void put_supervisor(const struct runtime *rt, struct jsonw *w,
			   const struct rt_supervisor *s)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "name"); jsonw_string(w, s->name);
	jsonw_key(w, "parent");
	jsonw_string(w, s->parent == RT_NONE ? NULL : rt->supervisors.items[s->parent].name);
	jsonw_key(w, "intensity"); jsonw_uint(w, s->intensity);
	jsonw_key(w, "period"); jsonw_uint(w, s->period);
	jsonw_key(w, "application"); jsonw_string(w, s->app);
	jsonw_key(w, "type"); jsonw_string(w, runtime_app_type_name(s->app_type));
	jsonw_end(w);
}

static void put_process(const struct runtime *rt, struct jsonw *w, const struct rt_process *p)
{
	jsonw_object(w, JSONW_INLINE);
	jsonw_key(w, "pid"); jsonw_string(w, p->pid);
	if (p->name != p->pid && strcmp(p->name, p->pid)) {
		jsonw_key(w, "name");
		jsonw_string(w, p->name);
	}
	jsonw_key(w, "frames");
	put_frames(rt, w, p->nframes ? rt->frames.items + p->frames : NULL, p->nframes);
	jsonw_key(w, "next_call"); jsonw_string(w, next_call_name((enum next_call)p->next));
	jsonw_key(w, "sys"); jsonw_bool(w, p->sys);
	if (p->nfuns) {
		jsonw_key(w, "funs");
		put_frames(rt, w, rt->funs.items + p->funs, p->nfuns);
	}
	if (p->supervisor != RT_NONE) {
		jsonw_key(w, "supervisor");
		jsonw_string(w, rt->supervisors.items[p->supervisor].name);
		jsonw_key(w, "restart");
		jsonw_string(w, runtime_restart_name((enum rt_restart)p->restart));
	}
	if (p->has_mods) {
		jsonw_key(w, "modules");
		jsonw_array(w, JSONW_INLINE);
		for (uint32_t k = 0; k < p->nmods; k++)
			jsonw_string(w, rt->modules.items[rt->modrefs.items[p->mods + k]].name);
		jsonw_end(w);
	}
	jsonw_end(w);
}

void runtime_write_json(const struct runtime *rt, struct strbuf *sb)
{
	struct jsonw w;
	jsonw_init(&w, sb, 0);
	jsonw_object(&w, JSONW_LINES);
	jsonw_key(&w, "format"); jsonw_string(&w, RUNTIME_FORMAT);
	jsonw_key(&w, "version"); jsonw_int(&w, RUNTIME_VERSION);
	if (rt->suspend_timeout >= 0) {
		jsonw_key(&w, "options");
		jsonw_object(&w, JSONW_INLINE);
		jsonw_key(&w, "suspend_timeout"); jsonw_int(&w, rt->suspend_timeout);
		jsonw_end(&w);
	}
	jsonw_key(&w, "modules");
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < rt->modules.n; i++) {
		const struct rt_module *m = &rt->modules.items[i];
		jsonw_object(&w, JSONW_INLINE);
		jsonw_key(&w, "name"); jsonw_string(&w, m->name);
		jsonw_key(&w, "current"); runtime_put_version(rt, &w, m->cur);
		jsonw_key(&w, "old"); runtime_put_version(rt, &w, m->old);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_key(&w, "supervisors");
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < rt->supervisors.n; i++)
		put_supervisor(rt, &w, &rt->supervisors.items[i]);
	jsonw_end(&w);
	jsonw_key(&w, "processes");
	jsonw_array(&w, JSONW_LINES);
	for (size_t i = 0; i < rt->processes.n; i++)
		put_process(rt, &w, &rt->processes.items[i]);
	jsonw_end(&w);
	jsonw_key(&w, "unpurged");
	jsonw_array(&w, JSONW_INLINE);
	for (size_t i = 0; i < rt->unpurged.n; i++) {
		jsonw_object(&w, JSONW_INLINE);
		jsonw_key(&w, "module");
		jsonw_string(&w, rt->modules.items[rt->unpurged.items[i].module].name);
		jsonw_key(&w, "method");
		jsonw_string(&w, purge_method_name(rt->unpurged.items[i].method));
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	sb_addc(sb, '\n');
}
