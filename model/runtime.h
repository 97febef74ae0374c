/*
 * runtime.h - the modeled VM at the moment before an upgrade (DESIGN.md
 * §4.3, SEMANTICS.md §5): modules with their current and old versions,
 * supervisors, processes with their frames, and the release handler's
 * unpurged list; its validating JSON reader and canonical writer.
 *
 * Compact by design (10^6 processes must fit and load fast): names are
 * interned, modules and versions are indices, and the frames, funs and
 * Modules lists of every process live in three shared arrays addressed by
 * (offset, count).
 *
 * Invariants of a struct runtime returned by the reader:
 *  - module, supervisor and pid names are unique; modules keep file order;
 *  - every frame and fun names a known module; a frame's version is that
 *    module's current or old version (RT_NONE never appears in a frame); a
 *    fun's may also be a version already purged (funs do not keep code
 *    alive, SEMANTICS.md §1): a dead fun, whose call raises badfun;
 *  - supervisor parents form a forest (no cycle); every process's supervisor
 *    exists; a process with a Modules list has a supervisor;
 *  - version ids are unique per (kind, text): the integer 2 and the string
 *    "2" are different versions.
 * Every string lives in the runtime's arena; runtime_free() releases all.
 */
#ifndef HOTPLAN_RUNTIME_H
#define HOTPLAN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include "facts.h"
#include "instr.h"
#include "util.h"

struct jsonw;

#define RUNTIME_FORMAT "hotplan-runtime"
#define RUNTIME_VERSION 1
/* Limits of a runtime file (DESIGN.md §8 plans for 10,000 modules and
 * 1,000,000 processes); beyond them the reader refuses with a message. */
#define RT_MAX_MODULES 1000000
#define RT_MAX_SUPERVISORS 1000000
#define RT_MAX_PROCESSES 10000000
#define RT_NONE (-1)

/* Defaults of OTP's supervisor and sys. */
#define RT_DEFAULT_INTENSITY 1
#define RT_DEFAULT_PERIOD 5          /* seconds */
#define RT_DEFAULT_SUSPEND_TIMEOUT 5000 /* ms, sys:suspend/1 */

struct rt_version {
	const char *text;  /* decimal digits for an integer version */
	int is_int;
};

struct rt_module {
	const char *name;
	int32_t cur, old;  /* version indices or RT_NONE */
};

enum rt_app_type { RT_APP_PERMANENT, RT_APP_TRANSIENT, RT_APP_TEMPORARY };

struct rt_supervisor {
	const char *name;
	int32_t parent;        /* supervisor index or RT_NONE for a top supervisor */
	uint32_t intensity;    /* restarts allowed ... */
	uint32_t period;       /* ... within this many seconds */
	const char *app;       /* top supervisors: the application (default: the name) */
	enum rt_app_type app_type; /* how the application was started */
};

enum rt_restart { RT_PERMANENT, RT_TRANSIENT, RT_TEMPORARY };

struct rt_frame {
	uint32_t module;
	int32_t version;
};

struct rt_process {
	const char *pid;
	const char *name;      /* defaults to the pid */
	uint32_t frames, nframes; /* runtime.frames[frames .. frames+nframes), innermost first */
	uint32_t funs, nfuns;  /* runtime.funs[...]: funs it holds */
	uint32_t mods, nmods;  /* runtime.modrefs[...]: the child spec's Modules */
	int32_t supervisor;    /* RT_NONE outside any supervision tree */
	uint8_t next;          /* enum next_call (facts.h) */
	uint8_t restart;       /* enum rt_restart */
	uint8_t sys;           /* answers suspend, code_change, resume */
	uint8_t has_mods;      /* a Modules list was given */
};

struct rt_unpurged {
	uint32_t module;
	enum purge_method method;
};

struct runtime {
	struct arena arena;
	struct strmap module_index;   /* name -> index + 1 */
	struct strmap version_index;  /* kind+text key -> index + 1 */
	VEC(struct rt_version) versions;
	VEC(struct rt_module) modules;
	VEC(struct rt_supervisor) supervisors;
	VEC(struct rt_process) processes;
	VEC(struct rt_frame) frames;
	VEC(struct rt_frame) funs;
	VEC(uint32_t) modrefs;
	VEC(struct rt_unpurged) unpurged;
	long suspend_timeout;  /* ms: the suspend_timeout option of eval_script, or -1 */
};

struct runtime *runtime_new(void);
void runtime_free(struct runtime *rt);

/* Interning. runtime_module() adds an unknown name (copied) and returns its
 * index; runtime_find_module() returns -1 when absent. */
uint32_t runtime_module(struct runtime *rt, const char *name);
int32_t runtime_find_module(const struct runtime *rt, const char *name);
/* A supervisor that is its own ancestor, or -1 (linear time; parents must be
 * in range). */
int32_t runtime_sup_cycle(const struct runtime *rt);
/* The version index of an integer or string version, added if new. */
int32_t runtime_version_int(struct runtime *rt, long long v);
int32_t runtime_version_str(struct runtime *rt, const char *s);
int32_t runtime_find_supervisor(const struct runtime *rt, const char *name);

/*
 * Reads runtime JSON. Unknown fields are ignored. An unpurged entry is
 * {"module": M, "method": soft_purge|brutal_purge} ("purge" is accepted
 * for "method"). Rejected with
 * "file:line:column: ..." and HP_EINPUT: wrong types, a wrong format or
 * version, duplicate names or pids, a frame, fun, Modules entry or unpurged
 * entry naming an unknown module, a frame in a version that is neither the
 * module's current nor its old one ("current"/"old" naming none, for funs
 * too), an unknown or cyclic supervisor. A fun given by an explicit version
 * id may name a purged version.
 * The JSON tree is freed before returning; *out owns compact copies.
 */
int runtime_read_json(const char *file, const char *json, size_t len,
		      struct runtime **out, struct errbuf *err);
int runtime_read_file(const char *path, struct runtime **out, struct errbuf *err);

/* Checks the invariants above on a runtime built in C; 0 or HP_EINPUT. */
int runtime_validate(const struct runtime *rt, struct errbuf *err);

/* Canonical JSON: fixed key order, 2-space indent, explicit version ids. */
void runtime_write_json(const struct runtime *rt, struct strbuf *out);
/* Appends a version as JSON: an integer, a string, or null for RT_NONE. */
void runtime_put_version(const struct runtime *rt, struct jsonw *w, int32_t v);

const char *runtime_restart_name(enum rt_restart r);
const char *runtime_app_type_name(enum rt_app_type t);

#endif
