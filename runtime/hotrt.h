/*
 * hotrt.h - the hot-loading runtime for C programs: module versions as
 * shared objects, the qualified call, processes with a safe point,
 * supervisors, and a release handler that runs hotplan's low-level scripts
 * (DESIGN.md §12, SEMANTICS.md §1, §3, §5). The one public header of
 * libhotrt.
 *
 * The code model (what a script means for a C program that links this):
 *  - A module has at most two instances, current and old, each a shared
 *    object NAME.VSN.so (built by hotrt_add_module() in CMake) opened with
 *    dlopen(RTLD_LAZY | RTLD_LOCAL). Loading the same file twice gives two
 *    instances (the second is read through a memfd copy).
 *  - The qualified call M:f() is hotrt_lookup(rt, "M", "f"): the address of
 *    f in M's current instance at the moment of the call.
 *  - The local call is any call inside one shared object: it stays in its
 *    instance (modules are linked -Bsymbolic, so even a call to an exported
 *    function of the same module stays local).
 *  - The remote call: a direct C call from module A to a function B exports
 *    is Erlang's M:f(). Module objects are linked lazily (-z lazy), so such a
 *    call goes through A's PLT; the runtime writes the GOT slot of every
 *    import that a module exports with the address in that module's current
 *    instance, and rewrites the slots of every loaded instance (current and
 *    old) on each load and delete. A call to a module with no current
 *    instance ends the calling process with reason undef. Only calls are
 *    imports: taking the address of another module's function or reading its
 *    data directly fails at load (use hotrt_lookup()).
 *  - A process is a thread started by hotrt_spawn() that runs an entry
 *    function of a module, entered through a qualified call. It is in a
 *    version when a frame of its stack (a return address, or the interrupted
 *    instruction) lies in that instance's executable segments
 *    (dl_iterate_phdr). Frames are taken with backtrace() at the safe point
 *    (hotrt_receive()), and by a signal (SIGRTMIN + 3 by default) for a
 *    process that is not at one; one that does not answer the signal within
 *    the sample timeout is taken to be in every instance (it may be).
 *  - purge(M) kills every process in M's old instance: each ends at its next
 *    safe point or cancellation point (pthread_cancel, deferred); the old
 *    instance is unmapped (dlclose) only when every one has ended. If one
 *    has not ended within the purge timeout the purge fails with
 *    HOTRT_EHANG and the old instance stays mapped and callable.
 *  - A held function pointer into an instance that a purge unmaps is not
 *    known to the purge (as Erlang funs are not): calling it afterwards is a
 *    crash (Erlang raises badfun). This is the one place C is harsher.
 *  - Processes answering system messages (sys = 1) handle suspend, code
 *    change and resume inside hotrt_receive(). A suspended process waits in
 *    the runtime; its innermost module frame (the function that called
 *    hotrt_receive()) does not count while it is suspended, and on resume it
 *    does not return there: it continues through a qualified call, entering
 *    the current version of its entry function again (OTP's
 *    system_continue). Its state survives in hotrt_state(). So a sys process
 *    calls hotrt_receive() from its entry function, as a gen_server's loop
 *    does. Processes with sys = 0 never answer: suspend waits its timeout
 *    and the resume attempt, then drops them.
 *  - An entry function returning HOTRT_CONTINUE is entered again in the
 *    current version (the qualified loop, ?MODULE:loop()); a loop inside
 *    the entry is the local loop.
 *
 * Threads: every function may be called from any thread; the runtime holds
 * one lock around its tables and never calls module code with it held.
 * hotrt_receive(), hotrt_state() and hotrt_set_state() are for the process
 * itself only.
 *
 * Errors: functions returning int give 0 or a negative HOTRT_E* code; the
 * message (git style: lower case, subject quoted) of the last failure on a
 * runtime is hotrt_errmsg()'s.
 */
#ifndef HOTRT_H
#define HOTRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HOTRT_API __attribute__((visibility("default")))
#else
#define HOTRT_API
#endif

enum hotrt_status {
	HOTRT_OK = 0,
	HOTRT_EINVAL = -1,   /* bad argument or malformed script (file:line:column) */
	HOTRT_ENOENT = -2,   /* no such module, file, symbol or process */
	HOTRT_ELOAD = -3,    /* dlopen failed (the message has dlerror's text) */
	HOTRT_ENOTPURGED = -4, /* the module has current and old code */
	HOTRT_EHANG = -5,    /* a killed process did not end within the timeout */
	HOTRT_ESYS = -6,     /* a system call failed */
};

typedef int32_t hotrt_pid; /* 1, 2, ...; a restart makes a new pid */

struct hotrt;
struct hotrt_proc;
struct hotrt_sup;

struct hotrt_options {
	long suspend_timeout_ms;  /* sys:suspend's timeout when the script names
				   * none; < 0: 5000. Also overrides the script's
				   * when force_suspend_timeout is set */
	int force_suspend_timeout;
	long resume_attempt_ms;   /* catch sys:resume after a failed suspend; < 0: 5000 */
	long purge_timeout_ms;    /* how long a purge waits for killed processes; < 0: 5000 */
	long sample_timeout_ms;   /* how long a running process may take to answer
				   * the sampling signal; < 0: 1000 */
	long shutdown_ms;         /* a child's shutdown time (stop, supervisor
				   * shutdown) before it is killed; < 0: 5000 */
	int sample_signal;        /* 0: SIGRTMIN + 3 */
	long soft_purge_interval_ms; /* install_release's timer: how often the
				      * stored unpurged list is soft-purged;
				      * <= 0: 10000 (OTP's 10 s) */
};

/* Creates a runtime. Returns 0 or HOTRT_ESYS (the message goes to *errmsg,
 * a static string, when errmsg is not NULL). */
HOTRT_API int hotrt_new(struct hotrt **out, const struct hotrt_options *opt,
			const char **errmsg);
/*
 * Ends every process (kill, then waits up to the purge timeout), unmaps
 * every instance and frees rt. Returns 0, or HOTRT_EHANG when a process did
 * not end: then its thread is left running and rt's memory and code are
 * leaked on purpose, never freed under it.
 */
HOTRT_API int hotrt_free(struct hotrt *rt);
/* The message of the last failure on rt, copied into buf (never NULL). */
HOTRT_API const char *hotrt_errmsg(struct hotrt *rt, char *buf, size_t size);

/* ---- modules ----------------------------------------------------------- */

/*
 * code:load_binary(M): if M has a current instance, purge M first (kills,
 * may fail with HOTRT_EHANG, then nothing changed), then old := current,
 * current := the object at path with version vsn. If M has none, an old
 * instance is kept. Imports of every instance are rebound.
 */
HOTRT_API int hotrt_load(struct hotrt *rt, const char *module, const char *vsn,
			 const char *path);
/* The qualified call: f of M's current instance, or NULL (no current
 * instance, or no such symbol). */
HOTRT_API void *hotrt_lookup(struct hotrt *rt, const char *module, const char *symbol);
/*
 * code:purge(M): kills the processes in M's old instance, waits for them to
 * end, unmaps it. *killed (may be NULL) is set to 1 iff somebody was
 * killed. HOTRT_EHANG: somebody did not end; the instance stays mapped.
 */
HOTRT_API int hotrt_purge(struct hotrt *rt, const char *module, int *killed);
/* code:soft_purge(M): 1 if M has no old instance or it was unmapped, 0 if a
 * process is in it (nothing changes), or a negative error. */
HOTRT_API int hotrt_soft_purge(struct hotrt *rt, const char *module);
/* code:delete(M): 1 if current became old, 0 if M has old code or was never
 * loaded. Never kills. */
HOTRT_API int hotrt_delete(struct hotrt *rt, const char *module);
/* The version of M's current (which 0) or old (which 1) instance, copied
 * into buf; returns 0, or HOTRT_ENOENT when there is none. */
HOTRT_API int hotrt_version(struct hotrt *rt, const char *module, int which,
			    char *buf, size_t size);

/* ---- supervisors and processes ----------------------------------------- */

enum hotrt_restart { HOTRT_PERMANENT, HOTRT_TRANSIENT, HOTRT_TEMPORARY };

/* What an entry function returns. */
enum {
	HOTRT_NORMAL = 0,    /* the process ends, reason normal */
	HOTRT_CONTINUE = 1,  /* enter the current version of the entry again */
	HOTRT_FAILED = 2,    /* the process ends, reason error */
};

typedef int (*hotrt_entry)(struct hotrt_proc *self, void *arg);

/*
 * A one_for_one supervisor: more than intensity restarts within period_ms
 * make it terminate its children (shutdown) and stop restarting. It is not
 * a thread of its own: the runtime's reaper thread does its work.
 */
HOTRT_API struct hotrt_sup *hotrt_sup_new(struct hotrt *rt, const char *name,
					  int intensity, long period_ms);
/*
 * A supervisor of supervisors: a one_for_one supervisor started as a child
 * of parent (NULL: a top supervisor, as hotrt_sup_new), with restart its
 * restart type under parent. Past its intensity it terminates its children
 * (sub-supervisors first, reason shutdown) and is a failed child of parent:
 * parent counts a restart and, within its own intensity, starts it again
 * once all those processes have ended, with all its children and
 * sub-supervisors, in the versions current then; past its intensity, parent
 * goes down the same way. A top supervisor going down stays down.
 */
HOTRT_API struct hotrt_sup *hotrt_sup_new_child(struct hotrt *rt, struct hotrt_sup *parent,
						const char *name, int intensity,
						long period_ms, enum hotrt_restart restart);
/* Whether sup is still up (not past its intensity). */
HOTRT_API int hotrt_sup_alive(struct hotrt *rt, struct hotrt_sup *sup);
/* The pid of sup's child id now, or 0 if it has none alive. */
HOTRT_API hotrt_pid hotrt_sup_child(struct hotrt *rt, struct hotrt_sup *sup, const char *id);

struct hotrt_spawn {
	const char *module;   /* the entry's module */
	const char *entry;    /* an exported function: hotrt_entry */
	void *arg;            /* given to every entry of this process and its restarts */
	const char *name;     /* for events; NULL: module:entry */
	int sys;              /* answers suspend, code_change and resume */
	struct hotrt_sup *sup;/* NULL: not supervised (invisible to suspend) */
	const char *id;       /* child id under sup (default: name) */
	enum hotrt_restart restart;
	const char *const *modules; /* the child's Modules; NULL: { module } */
	size_t nmodules;
};

/* Starts a process in the current version of module; returns once its
 * thread runs (it then has its tid and is listed by the control socket's
 * procs, so a snapshot right after it sees the process). */
HOTRT_API int hotrt_spawn(struct hotrt *rt, const struct hotrt_spawn *spec,
			  hotrt_pid *pid);

/* Return values of hotrt_receive(). */
enum { HOTRT_MESSAGE = 1, HOTRT_TIMEOUT = 0 };

/*
 * The safe point, the C receive: waits up to timeout_ms (< 0: forever) for
 * a message. System messages (suspend, code_change, resume) and a kill are
 * handled inside and never returned: a kill ends the process here, a
 * resume re-enters the current entry (see the top of this file).
 */
HOTRT_API int hotrt_receive(struct hotrt_proc *self, long timeout_ms, void **msg);
/* Queues msg for pid; HOTRT_ENOENT if pid is not alive. */
HOTRT_API int hotrt_send(struct hotrt *rt, hotrt_pid pid, void *msg);
/* The process's state: what code_change transforms. */
HOTRT_API void *hotrt_state(struct hotrt_proc *self);
HOTRT_API void hotrt_set_state(struct hotrt_proc *self, void *state);
HOTRT_API hotrt_pid hotrt_self(struct hotrt_proc *self);
HOTRT_API struct hotrt *hotrt_of(struct hotrt_proc *self);

/*
 * The state transformer a sys process's module M exports as M_code_change:
 * called in the process, in M's current instance, while it is suspended.
 * vsn is the old version for an upgrade ("1") or {down,NewVsn} for a
 * downgrade ("{down,2}"); extra is the Extra term as Erlang text. Returns the new state; on failure sets *error to
 * a static Erlang term text and the upgrade fails with code_change_failed.
 */
typedef void *(*hotrt_code_change)(void *state, const char *vsn, const char *extra,
				   const char **error);

enum hotrt_proc_status { HOTRT_ALIVE, HOTRT_SUSPENDED, HOTRT_ENDED };

struct hotrt_proc_info {
	enum hotrt_proc_status status;
	char reason[32];    /* ENDED: normal, killed, shutdown, undef, error */
	char name[128];
};

HOTRT_API int hotrt_proc_info(struct hotrt *rt, hotrt_pid pid, struct hotrt_proc_info *out);
/* Whether pid is now in M's current (which 0) or old (which 1) instance:
 * 1, 0, or a negative error. Samples its frames now. */
HOTRT_API int hotrt_proc_in(struct hotrt *rt, hotrt_pid pid, const char *module, int which);
/* Kills pid (reason killed); it ends at its next safe point or cancellation
 * point. Waits up to the purge timeout: HOTRT_EHANG if it did not end. */
HOTRT_API int hotrt_kill(struct hotrt *rt, hotrt_pid pid);

/* ---- the release handler ------------------------------------------------ */

/* {App, Vsn, Dir}: module M of App at Vsn is the file Dir/M.Vsn.so. */
struct hotrt_libdir {
	const char *app, *vsn, *dir;
};

enum hotrt_result {
	HOTRT_RES_OK,         /* {ok, Unpurged} */
	HOTRT_RES_ERROR,      /* {error, Reason}: nothing was changed */
	HOTRT_RES_EXIT,       /* {'EXIT', Reason}: failed after point_of_no_return */
	HOTRT_RES_RESTART_EMULATOR, /* restart_emulator: the program's to do */
	HOTRT_RES_HANG,       /* a purge or suspend waits for ever: code kept mapped */
};

/*
 * Installs one upgrade: release_handler_1:eval_script with the soft
 * pre-check, then install_release's bookkeeping of the unpurged list
 * (SEMANTICS.md §3, §3.3). The script is a file hotplan plan writes (or a
 * relup). On success returns an enum hotrt_result and sets *result to the
 * returned term as Erlang text ({ok,[{m,brutal_purge}]}, {error,{old_processes,m}},
 * ...; "hang" for HOTRT_RES_HANG), freed by the caller. A script that does
 * not parse returns HOTRT_EINVAL with file:line:column in hotrt_errmsg().
 * restart_new_emulator as the first instruction is refused (HOTRT_EINVAL):
 * a library cannot restart its program.
 */
HOTRT_API int hotrt_install(struct hotrt *rt, const char *script_path,
			    const struct hotrt_libdir *libs, size_t nlibs, char **result);
/*
 * release_handler:make_permanent: purges (killing) every module stored with
 * brutal_purge; soft_purge entries stay. Returns 0 or HOTRT_EHANG.
 */
HOTRT_API int hotrt_make_permanent(struct hotrt *rt);
/* The stored unpurged list as Erlang text ([{m,soft_purge}]), freed by the caller. */
HOTRT_API char *hotrt_unpurged(struct hotrt *rt);

/* ---- what happened ------------------------------------------------------ */

enum hotrt_event_kind {
	HOTRT_EV_KILLED, HOTRT_EV_EXITED, HOTRT_EV_RESTARTED, HOTRT_EV_SUSPENDED,
	HOTRT_EV_DROPPED, HOTRT_EV_CODE_CHANGE, HOTRT_EV_RESUMED, HOTRT_EV_STOPPED,
	HOTRT_EV_STARTED, HOTRT_EV_SUP_DOWN, HOTRT_EV_LOADED, HOTRT_EV_PURGED,
	HOTRT_EV_HANG,
	HOTRT_EV_SUP_RESTARTED, /* a supervisor started again by its parent */
};

struct hotrt_event {
	enum hotrt_event_kind kind;
	hotrt_pid pid;        /* or 0 */
	hotrt_pid new_pid;    /* RESTARTED, STARTED: the new process */
	int script, instr;    /* which install (from 0) and instruction; -1 outside one */
	int64_t time_ns;      /* when (CLOCK_MONOTONIC) */
	char name[128];       /* the process's name, or the supervisor's, or the module */
	char detail[64];      /* reason, module, or version */
};

HOTRT_API size_t hotrt_event_count(struct hotrt *rt);
/* Copies event i; returns 0 or HOTRT_ENOENT. */
HOTRT_API int hotrt_event_get(struct hotrt *rt, size_t i, struct hotrt_event *out);
HOTRT_API const char *hotrt_event_name(enum hotrt_event_kind k);

/* ---- the operator interface --------------------------------------------- */

/*
 * Starts a thread serving the control socket at path (NULL:
 * /tmp/hotrt.<getpid()>.sock), a Unix stream socket of mode 0600, through
 * which 'hotplan apply --pid' lists the processes and installs scripts with
 * the libdirs given here (copied). The protocol is in runtime/README.md. A
 * stale socket file nobody answers on is replaced. Returns 0, HOTRT_EINVAL
 * (already started, path too long) or HOTRT_ESYS.
 */
HOTRT_API int hotrt_control_start(struct hotrt *rt, const char *path,
				  const struct hotrt_libdir *libs, size_t nlibs);
/* The path of rt's control socket, or NULL when none is served. */
HOTRT_API const char *hotrt_control_path(struct hotrt *rt);
/* Stops the control thread (after the request it serves) and unlinks the
 * socket; hotrt_free() does it too. No-op when none is served. */
HOTRT_API void hotrt_control_stop(struct hotrt *rt);

#ifdef __cplusplus
}
#endif
#endif
