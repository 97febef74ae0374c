/*
 * snapshot_int.h - the parts of snapshot/ that share nothing with the rest
 * of hotplan: stopping and resuming threads (stop.c), unwinding and
 * describing addresses with libdwfl (dwfl.c, the only file that includes
 * elfutils headers), and mapping what DWARF or symbols say to modules of
 * the facts (map.c). No elfutils type appears here.
 */
#ifndef HOTPLAN_SNAPSHOT_INT_H
#define HOTPLAN_SNAPSHOT_INT_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "snapshot.h"

/* ---- stop.c: the target's threads, stopped and resumed ----------------- */

struct stop_thread {
	long tid;
	int resume_sig;   /* a signal caught in a signal-delivery-stop, re-sent on detach */
};

/*
 * The threads of one process stopped by PTRACE_SEIZE + PTRACE_INTERRUPT.
 * While it holds threads, SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked
 * in hotplan (saved holds the mask to restore).
 */
struct stop_set {
	long pid;
	VEC(struct stop_thread) threads;   /* sorted by tid */
	sigset_t saved;
	int blocked;
	struct timespec t0;                /* the first PTRACE_INTERRUPT */
	double paused_ms;                  /* set by stop_resume() */
};

/* Stops every thread of pid (threads created meanwhile included). Returns
 * 0, or HP_EUSAGE with a message; on failure nothing is left stopped and
 * the signal mask is restored. */
int stop_all(struct stop_set *s, long pid, struct errbuf *err);
/* Detaches every thread (each resumes; a caught signal is re-sent), then
 * restores the signal mask, so that a SIGINT or SIGTERM received meanwhile
 * is delivered now. Measures paused_ms. Safe to call twice. */
void stop_resume(struct stop_set *s);
void stop_release(struct stop_set *s);

/* The message for a refused ptrace or /proc read (errno e): what to do. */
int snapshot_permission_error(struct errbuf *err, long pid, int e);
/* The state letter of /proc/PID/stat ('R', 'S', 't', 'Z', ...), or 0 when
 * the process is gone. */
int proc_state(long pid);
/* /proc/PID/task/TID/comm without its newline, in a; "?" when unreadable. */
const char *proc_comm(struct arena *a, long pid, long tid);

/* ---- dwfl.c: libdwfl ---------------------------------------------------- */

struct unwinder;

/* Reports the modules of pid, loads their unwind tables and prepares to
 * unwind threads the caller has stopped. 0, or HP_EUSAGE with a message. */
struct module_map;
int unwinder_open(struct unwinder **out, long pid, const char *debuginfo_path,
		  const struct module_map *mm, struct errbuf *err);
void unwinder_close(struct unwinder *u);

/* Appends the frame addresses of the stopped thread tid to *pcs, innermost
 * first (return addresses minus one, so each names the call). Returns the
 * number appended; *why is set (static text) when the unwinding stopped on
 * an error before the outermost frame, NULL otherwise. */
typedef VEC(uint64_t) pc_vec;
size_t unwinder_stack(struct unwinder *u, long tid, pc_vec *pcs, const char **why);

/* What the binary says of one address (after the threads are resumed). */
struct pc_info {
	const char *object;    /* the ELF file, or NULL when no module maps pc */
	const char *function;  /* DWARF subprogram or symbol name, or NULL */
	const char *cu_file;   /* the DWARF compile unit's source file (absolute
				* when the unit names its folder), or NULL */
	const char *sym_file;  /* without DWARF: the STT_FILE of a local symbol */
	int sym_local;         /* the symbol is local (static) */
	int object_has_names;  /* the object has a symbol table with file names */
	int object_names_tree; /* ... and one of them is a file of the facts */
	int object_has_dwarf;
	int object_is_exe;     /* the process's executable */
};
/* Strings are copied into a. */
void unwinder_describe(struct unwinder *u, uint64_t pc, struct arena *a, struct pc_info *out);
/* Whether the executable has DWARF or a symbol table (not only .dynsym). */
int unwinder_exe_has_names(struct unwinder *u);
const char *unwinder_exe(struct unwinder *u);
/* Calls fn with the file name of every object mapped in the target (as
 * /proc/PID/maps names it), in address order. */
void unwinder_objects(struct unwinder *u, void (*fn)(const char *object, void *arg), void *arg);

/* ---- map.c: source files and symbols to facts modules ------------------- */

struct module_map;

struct module_map *module_map_new(const struct facts *f, const struct hp_config *cfg);
void module_map_free(struct module_map *m);
/* The facts module of a frame: by its compile unit's file, else by its
 * symbol (only in an object whose symbol table names a file of the facts),
 * or NULL when the frame is outside the tree. */
const char *module_map_frame(struct module_map *m, const struct pc_info *pi);
/* When object's file name is NAME.VSN.so and NAME a module of the facts:
 * that module's name, with *vsn set to VSN (copied into a); else NULL and
 * *vsn NULL. */
const char *module_map_versioned(const struct module_map *m, const char *object,
				 struct arena *a, const char **vsn);
/* Whether basename is the file name of some file of the facts. */
int module_map_knows_basename(const struct module_map *m, const char *basename);

/* ---- control.c: the runtime's own table of processes ------------------- */

/* One 'proc' line of the control socket's 'procs' answer. */
struct control_proc {
	long tid, id;
	const char *module, *entry;
	const char *sup;          /* NULL: not supervised */
	enum rt_restart restart;
	int sys;
	const char *name;
};

/* One 'sup' line: a one_for_one supervisor. */
struct control_sup {
	const char *name, *parent;  /* parent NULL: a top supervisor */
	long intensity, period_ms;
};

struct control_table {
	int answered;             /* the target answered 'procs' */
	const char *path;
	VEC(struct control_proc) procs;
	VEC(struct control_sup) sups;
};

/* Asks /tmp/hotrt.PID.sock for 'procs' (strings copied into a). Returns 0
 * with ct->answered 0 when there is no socket or nobody listens on it, 0
 * with the table, or HP_EUSAGE/HP_EINPUT when the answer is cut or
 * malformed. */
int control_ask(struct control_table *ct, long pid, struct arena *a, struct errbuf *err);
/* The process of thread tid, or NULL. */
const struct control_proc *control_find(const struct control_table *ct, long tid);
void control_release(struct control_table *ct);

#endif
