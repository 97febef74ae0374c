/*
 * snapshot.h - the runtime of a live C process, read from its thread stacks
 * (DESIGN.md §11): the C counterpart of livepatch's per-task stack check.
 *
 * snapshot_take() stops the threads of each target process, unwinds every
 * stack with elfutils' libdwfl, resumes the threads, and only then maps each
 * program counter to a module of the facts: through DWARF (compile unit ->
 * source file -> the facts module holding that file, so {modules, ...}
 * groups are honoured), through the ELF symbol table and the facts'
 * function locations when the binary has no DWARF, and through separate
 * debug files found by build-id or debuglink.
 *
 * What a thread becomes (one process of the runtime, DESIGN.md §4.3):
 *  - pid "PID.TID"; name "MODULE:ENTRY [COMM]" (COMM from
 *    /proc/PID/task/TID/comm);
 *  - frames: the frames in the tree's modules, innermost first, adjacent
 *    frames of one module folded into one; frames outside the tree (libc,
 *    the dynamic loader) are left out of frames;
 *  - next_call: blocked when a frame inward of the innermost tree frame
 *    (or that frame itself) is a blocking call (the config's list, built-ins
 *    included, and the callees of the facts' blocking loops); otherwise what
 *    the facts say of its entry's loop: qualified or local (a loop that
 *    blocks but is between two waits makes direct calls: local);
 *  - Modules list, sys, supervisor and restart as the runtime built from
 *    facts gives that entry point (model/procs.h).
 * Versions: a frame runs the version --vsn names (snapshot_options.vsn),
 * except a frame in a shared object named NAME.VSN.so (the runtime
 * library's naming, runtime/cmake/HotrtModule.cmake) where NAME is a module
 * of the facts: that frame is module NAME at version VSN (an integer when
 * VSN is digits, else a string). Such a module's versions are the ones
 * mapped in the targets: the newest current, the other old (versions
 * compare part by part, digit runs as numbers: "1.10" is newer than "1.9").
 * A module has at most two versions (SEMANTICS.md §1), so three or more
 * mapped is an error, as is a frame of that module outside its versioned
 * objects at a --vsn version that is neither of the two.
 * A thread is a process when its outermost tree frame is an entry point of
 * the facts (DESIGN.md §3: "a thread started at an entry point"). Others
 * are kept in the snapshot's thread list with the reason they are left
 * out: the main thread (started by the C runtime at main), threads with no
 * frame in the tree (a library's helper threads), threads started at a
 * function the facts do not know as an entry point.
 *
 * A program on libhotrt (runtime/) answers 'procs' on its control socket
 * /tmp/hotrt.PID.sock (control.c asks it before the target is stopped).
 * Then that answer, not the facts' entry points, says which thread is a
 * process: "MODULE:ENTRY [NAME]" with the table's name; sys, restart type
 * and one_for_one supervisor (with
 * intensity and period, rounded up to seconds; a top one is a temporary
 * application's, as a libhotrt supervisor that gives up never stops the
 * program); other threads are left out. Frames, versions and blocking
 * still come from the stack; the next call and the Modules list from the
 * facts' entry point when they know it, else from what they say of the
 * entry function's loops, and [MODULE]. A module of the facts with no
 * NAME.VSN.so mapped and no frame in such a program is not loaded (no
 * current version).
 * Safety (the first requirement): threads are stopped with PTRACE_SEIZE and
 * PTRACE_INTERRUPT, never with SIGSTOP, so the kernel's detach of a dead
 * tracer resumes them even when hotplan is SIGKILLed; SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT are blocked while threads are stopped and delivered
 * once they are resumed; every error path resumes the target before it
 * returns. Only the unwinding happens while the target is stopped: module
 * lists and unwind tables are loaded before, symbols and DWARF read after.
 */
#ifndef HOTPLAN_SNAPSHOT_H
#define HOTPLAN_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "facts.h"
#include "runtime.h"
#include "util.h"

/* The most threads one snapshot reads (across all its processes) and the
 * deepest stack it unwinds; beyond them it refuses with a message. */
#define SNAPSHOT_MAX_THREADS 100000
#define SNAPSHOT_MAX_FRAMES 100000

struct snapshot_options {
	const struct facts *facts;      /* the tree the targets run (must outlive the snapshot) */
	const struct hp_config *config; /* blocking calls and groups; NULL: the defaults */
	const long *pids;               /* the target processes: one runtime for all */
	size_t npids;
	const char *vsn;      /* version of every frame: digits make an integer
			       * version; NULL: 1, as the runtime built from facts */
	const char *app;      /* application name, for the supervisor (NULL: "app") */
	const char *debuginfo_path; /* folders searched for separate debug files
				     * (":"-separated, elfutils syntax); NULL: the default */
	/* Tests only: stay stopped this many milliseconds after every thread is
	 * stopped, so that a test can signal or kill hotplan while the target
	 * is paused (cli: HOTPLAN_SNAPSHOT_TEST_PAUSE_MS). 0 in real use. */
	unsigned test_pause_ms;
};

/* One frame of one thread, as unwound (innermost first). */
struct snapshot_frame {
	uint64_t pc;           /* the frame's address (a return address minus one) */
	const char *function;  /* symbol or DWARF name, or NULL when unknown */
	const char *object;    /* the ELF file holding the code, or NULL */
	const char *module;    /* the facts module, or NULL: outside the tree */
	const char *vsn;       /* VSN of an object NAME.VSN.so, or NULL: --vsn */
};

struct snapshot_thread {
	long pid, tid;
	const char *comm;
	struct snapshot_frame *frames;
	size_t nframes;
	const char *entry;     /* the outermost tree frame's function, or NULL */
	const char *blocked_in;/* the blocking call it sits in, or NULL */
	const char *left_out;  /* why it is no process, or NULL */
	int32_t process;       /* index in rt->processes, or -1 when left out */
};

struct snapshot_pause {
	long pid;
	double paused_ms;      /* from the first thread stopped to the last resumed */
	size_t nthreads;
};

struct snapshot {
	struct arena arena;
	struct runtime *rt;    /* owned; validated (runtime_validate) */
	struct snapshot_thread *threads; /* by pid, then tid */
	size_t nthreads;
	struct snapshot_pause *pauses;   /* one per target, in the order given */
	size_t npauses;
	double paused_ms;      /* the longest pause of one target */
	double total_ms;       /* the whole snapshot, mapping included */
};

/*
 * Takes the snapshot. Returns 0 with *out set (free with snapshot_free), or
 * HP_EUSAGE/HP_EINPUT with a message that says what to do: no such process;
 * ptrace not permitted (names /proc/sys/kernel/yama/ptrace_scope and
 * CAP_SYS_PTRACE); a binary with neither DWARF nor symbols ("build with -g,
 * or install the debug package"); no frame in any module of the facts (the
 * wrong program); a process that exits during the snapshot; three or more
 * versions of one module mapped. Every target is
 * running again when it returns, whatever it returns.
 */
int snapshot_take(const struct snapshot_options *opt, struct snapshot **out,
		  struct errbuf *err);
void snapshot_free(struct snapshot *s);

/* The hotplan-runtime JSON of s->rt (runtime_write_json), with "paused_ms"
 * and a "snapshot" object (targets, pauses, threads left out and why) that
 * runtime readers ignore. Only the pause figures vary between two
 * snapshots of the same unchanged process. */
void snapshot_write_json(const struct snapshot *s, struct strbuf *out);
/* For people: each thread, what it became, its frames with functions. */
void snapshot_write_text(const struct snapshot *s, struct strbuf *out);

/* Whether name, as an unwinder reports it (glibc's "__GI___poll",
 * "__libc_read", "___pthread_cond_wait", ...), is one of the n names of
 * list (plain "poll", "read", "pthread_cond_wait"). */
int snapshot_name_matches(const char *name, const char *const *list, size_t n);

#endif
