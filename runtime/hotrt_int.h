/*
 * hotrt_int.h - what the files of runtime/ share: the runtime's tables and
 * the helpers that work on them.
 *
 * Locking: rt->lock guards every table below (modules, instances, processes,
 * supervisors, events, unpurged list). rt->changed is broadcast whenever a
 * process ends, answers a request or a supervisor acts; waiters re-check
 * their condition; rt->reap wakes the reaper alone (a process ended, stop,
 * the end of an install). Module code is never called with rt->lock held, and the
 * runtime's own code runs with cancellation disabled, so a cancelled process
 * never ends with the lock held.
 */
#ifndef HOTRT_INT_H
#define HOTRT_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "hotrt.h"
#include "util.h"

#define HOTRT_MAX_FRAMES 64
#define HOTRT_MAX_RANGES 4

/* One import slot of an instance: a GOT entry of an undefined function. */
struct hr_slot {
	void **addr;
	const char *name;  /* in the instance's dynamic string table */
	int ours;          /* bound by the runtime at least once */
};

/* One import slot of a mapped instance, as the name index holds it. */
struct hr_slotref {
	struct hr_inst *in;
	struct hr_module *owner;
	size_t slot;
};

/* A function name: the modules that export it and the import slots that
 * name it, so a load rebinds only the slots of the names it changes. */
struct hr_name {
	char *name;
	VEC(struct hr_module *) exporters; /* an instance of each exported it;
					    * in the order of rt->modules */
	VEC(struct hr_slotref) importers;  /* slots of instances current or old */
};

/* A loaded module version: one dlopen'ed object. */
struct hr_inst {
	void *handle;
	void *lm;          /* its struct link_map */
	char *vsn, *path;
	int memfd;         /* >= 0 when read through a copy */
	uintptr_t lo[HOTRT_MAX_RANGES], hi[HOTRT_MAX_RANGES]; /* executable segments */
	int nranges;
	uintptr_t relro_lo, relro_hi;
	struct hr_slot *slots;
	size_t nslots;
	const char **exports;  /* its defined functions (dynamic string table) */
	size_t nexports;
	int indexed;           /* its slots are in rt->names */
};

struct hr_module {
	char *name;
	size_t idx;            /* its place in rt->modules */
	struct hr_inst *cur, *old;
	int ever_loaded;
};

enum hr_jump { JUMP_NONE, JUMP_KILL, JUMP_RESUME, JUMP_UNDEF };

struct hotrt_proc {
	struct hotrt *rt;
	hotrt_pid pid;
	pthread_t thread;
	pid_t tid;                 /* the thread's Linux tid (gettid), set when it starts */
	char *name, *module, *entry, *id;
	char **mods;
	size_t nmods;
	void *arg;
	int sys;
	enum hotrt_restart restart;
	struct hotrt_sup *sup;
	void *state;
	jmp_buf base;

	/* under rt->lock */
	int started, ended, handled, joined;
	struct hr_inst *entry_inst;  /* the instance of the entry call running
				      * now (its frame is on the stack), or NULL */
	void *entry_fn;            /* the entry to call next, resolved by the
				    * spawner in the then current instance */
	const char *reason;        /* why it ended (static string) */
	int kill_req;              /* end at the next safe point */
	int stopped;               /* ended by the script's stop: not restarted */
	const char *kill_reason;
	int suspend_req, suspended, resume_req;
	int cc_req;                /* run code_change: cc_fn(state, cc_vsn, cc_extra) */
	hotrt_code_change cc_fn;
	const char *cc_vsn, *cc_extra, *cc_error;
	int cc_done;
	struct hotrt_proc *cc_next; /* asked by this one once its code_change
				     * succeeded: one instruction's processes
				     * run theirs in turn, without a round trip */
	int in_receive;            /* blocked in hotrt_receive: frames are valid */
	void *frames[HOTRT_MAX_FRAMES];
	int nframes;
	VEC(void *) mailbox;
	pthread_cond_t wake;

	/* the sampling signal's answer (written by the handler, atomically:
	 * a late answer may overlap the next request's read) */
	_Atomic(uintptr_t) sig_frames[HOTRT_MAX_FRAMES];
	atomic_int sig_nframes;
	sem_t sig_done;
};

struct hotrt_sup {
	char *name;
	int intensity;
	long period_ms;
	int alive;
	VEC(int64_t) restarts;     /* monotonic ms of recent restarts */
	struct hotrt_sup *parent;  /* NULL: a top supervisor */
	enum hotrt_restart restart;/* as a child of parent */
	VEC(struct hotrt_sup *) subs;       /* its supervisor children */
	VEC(struct hotrt_proc *) children;  /* the last process of each child id */
	int restart_pending;       /* down; its parent starts it again once
				    * every process under it has ended */
};

struct hr_unpurged {
	char *module;
	int brutal;
};

struct hotrt {
	struct hotrt_options opt;
	pthread_mutex_t lock;
	pthread_mutex_t errlock;          /* guards errmsg only */
	pthread_cond_t changed;
	char errmsg[1024];

	VEC(struct hr_module *) modules;
	struct strmap names;              /* function name -> struct hr_name */
	VEC(struct hotrt_proc *) procs;   /* index pid - 1; never freed before rt */
	VEC(struct hotrt_sup *) sups;
	VEC(struct hotrt_event) events;
	VEC(struct hr_unpurged) unpurged; /* install_release's stored list */
	int cur_script, cur_instr;        /* for events: -1 outside an install */
	int nscripts;

	struct hr_control *control;       /* the control socket (control.c), or NULL */

	pthread_t reaper;
	int reaper_stop;
	pthread_cond_t reap;              /* the reaper waits here: a process ended,
					   * stop, or the timer's deadline moved */
	VEC(struct hotrt_proc *) reapq;   /* ended, not yet joined, in order */
	size_t reapq_head;                /* the reaper's next one in reapq */
	int sup_pending;                  /* supervisors with restart_pending */
	int installing;                   /* an install or make_permanent runs:
					   * the timer waits */
	int64_t purge_timer_at;           /* the unpurged list's next soft purge
					   * (hr_now_ms), or -1: no timer */
	int sig;
	struct sigaction old_action;
};

/* ---- runtime.c ---------------------------------------------------------- */

int hr_error(struct hotrt *rt, int status, const char *fmt, ...) HP_PRINTF(3, 4);
void hr_event(struct hotrt *rt, enum hotrt_event_kind k, hotrt_pid pid, hotrt_pid new_pid,
	      const char *name, const char *detail);
int64_t hr_now_ms(void);
/* A condition variable on CLOCK_MONOTONIC, the clock of every deadline. */
void hr_cond_init(pthread_cond_t *c);
/* Waits on rt->changed until deadline (ms, hr_now_ms clock); 0 or ETIMEDOUT. */
int hr_wait_until(struct hotrt *rt, int64_t deadline);

/* ---- module.c (callers hold rt->lock unless said) ----------------------- */

struct hr_module *hr_module_find(struct hotrt *rt, const char *name);
struct hr_module *hr_module_get(struct hotrt *rt, const char *name);
/* Opens path as a new instance (not yet current or old). */
int hr_inst_open(struct hotrt *rt, const char *path, const char *vsn, struct hr_inst **out);
void hr_inst_close(struct hr_inst *in);
/* Takes an instance out of the name index before it is closed. */
void hr_inst_unindex(struct hotrt *rt, struct hr_inst *in);
/* Frees the name index (hotrt_free). */
void hr_names_release(struct hotrt *rt);
/* Whether address a (a return address or pc) lies in instance in. */
int hr_inst_has(const struct hr_inst *in, uintptr_t a);
void *hr_inst_sym(struct hr_inst *in, const char *symbol);
/* purge with rt->lock held (it is released while waiting). */
int hr_purge_locked(struct hotrt *rt, struct hr_module *m, int *killed);
int hr_soft_purge_locked(struct hotrt *rt, struct hr_module *m);
int hr_load_locked(struct hotrt *rt, struct hr_module *m, struct hr_inst *in);
int hr_delete_locked(struct hotrt *rt, struct hr_module *m);

/* ---- release.c ----------------------------------------------------------- */

/* The timer's tick (rt->lock held, by the reaper): soft-purges every stored
 * unpurged entry, drops those that succeed, and sets the next deadline. */
void hr_unpurged_tick_locked(struct hotrt *rt);

/* ---- proc.c --------------------------------------------------------------- */

int hr_signal_init(struct hotrt *rt);
void hr_signal_fini(struct hotrt *rt);
struct hotrt_proc *hr_proc(struct hotrt *rt, hotrt_pid pid);
int hr_proc_spawn_locked(struct hotrt *rt, const struct hotrt_spawn *spec, hotrt_pid *pid);
/*
 * Takes the frames of every live process into frames[]/nframes (rt->lock
 * held; released while signals are answered). A process that does not
 * answer gets nframes = -1: in every instance.
 */
void hr_sample_all(struct hotrt *rt);
/* Whether p (sampled) is in instance in. */
int hr_proc_in_inst(struct hotrt_proc *p, const struct hr_inst *in);
/* Asks p to end (reason); returns at once. */
void hr_proc_kill_locked(struct hotrt_proc *p, const char *reason);
/* Waits until every process in v has ended and its supervisor has acted,
 * until deadline; returns 0 or HOTRT_EHANG. */
int hr_wait_ended(struct hotrt *rt, struct hotrt_proc **v, size_t n, int64_t deadline);
/* The reaper thread: joins ended threads, does the supervisors' work and
 * runs the unpurged list's soft-purge timer. */
void *hr_reaper_main(void *arg);
/* Whether p is alive and supervised by a supervisor still up. */
int hr_proc_supervised(struct hotrt_proc *p);
/* Starts p's child spec again (a new pid) in the current version. */
int hr_respawn_locked(struct hotrt *rt, struct hotrt_proc *p, hotrt_pid *np);
int hr_proc_has_module(struct hotrt_proc *p, const char *module);
/* Ends the calling process with reason undef (a call through an import
 * slot of a module with no current instance); aborts outside a process. */
HP_NORETURN void hr_undef_exit(void);
/* Locking with cancellation disabled (a process may call the runtime). */
void hr_lock(struct hotrt *rt, int *cancel_state);
void hr_unlock(struct hotrt *rt, int cancel_state);

#endif
