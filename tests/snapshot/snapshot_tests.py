#!/usr/bin/env python3
"""snapshot_tests.py - hotplan snapshot on real processes (issue 12).

    snapshot_tests.py HOTPLAN SRC WORK THREADS CASE

HOTPLAN is the binary, SRC the source tree, WORK a work folder shared by
the cases, THREADS the test program of tests/snapshot/threads built with -g.
CASE is one of:

  setup     configure samples/callsrv v1 and v2 with -g into WORK, build v1,
            analyze v1 (the other cases need it: a ctest fixture)
  e2e       start callsrv v1 for real (--port N, a free port), snapshot it:
            threads, entry functions, modules on the stacks and next_call are
            exactly samples/callsrv/expected-processes.txt; the upgrade
            simulated on the snapshot reads as the facts-based golden
            (tests/simulator/golden/callsrv.permanent.txt) with the pids
            named by entry; 'check v1 v2 --pid' gives the verdict of
            'check v1 v2'; the server answers a request afterwards
  threads   1,000 threads in mixed states (looping, blocked in read, blocked
            in a condition variable, deep recursion): every one is found and
            classified as the program says it is
  safety    SIGINT, SIGTERM and SIGKILL of hotplan while the target is paused
            (HOTPLAN_SNAPSHOT_TEST_PAUSE_MS): no output file, the target's
            threads are not stopped (/proc state not t or T), and it serves
  bad       exit 2 and a message that says what to do: no such process,
            ptrace not permitted, no DWARF and no symbols, the wrong program,
            a process that exits during the snapshot; and the ways that work
            without DWARF: the symbol table, a debug file found by build-id
            (tests/badinput/cases.tsv has the bad cases as rows as well)
  versioned a module loaded in versions as mod.VSN.so (the runtime library's
            naming) with threads sitting in each: every frame in mod.VSN.so
            is at version VSN (an integer, or a string such as "1.10"),
            whatever --vsn says, the newest version is current and the other
            old; three versions mapped is refused with exit 2. The program
            (snapshot_versioned) and its versioned-mods/ folder are beside
            THREADS in the build folder.

Nothing is skipped: a machine that refuses ptrace fails these tests with
hotplan's message, which says why.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HOTPLAN, SRC, WORK, THREADS = (None,) * 4
FAILURES = []
PAUSE_ENV = "HOTPLAN_SNAPSHOT_TEST_PAUSE_MS"


def fail(msg):
    FAILURES.append(msg)
    print("FAIL " + msg)


def ok(msg):
    print("ok   " + msg)


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


def run(args, env=None, **kw):
    e = dict(os.environ)
    e.pop(PAUSE_ENV, None)
    if env:
        e.update(env)
    return subprocess.run(args, cwd=WORK, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=e, timeout=300, **kw)


def hotplan(*args, env=None):
    return run([HOTPLAN] + list(args), env=env)


# ---- processes -------------------------------------------------------------

def states(pid):
    """The /proc state letter of every thread of pid ({} when it is gone)."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                out[int(tid)] = f.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def wait_until(cond, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """callsrv v1 -v --port N, on a free port (retried if it was taken)."""

    def __init__(self):
        for _ in range(5):
            self.port = free_port()
            self.log = os.path.join(WORK, "callsrv-%d.log" % self.port)
            self.err = open(self.log, "w")
            self.proc = subprocess.Popen([os.path.join(WORK, "v1", "callsrv"), "-v", "--port",
                                          str(self.port)], stderr=self.err,
                                         stdout=subprocess.DEVNULL)
            if wait_until(lambda: "listening on" in self.text() or self.proc.poll() is not None):
                if "listening on" in self.text():
                    wait_until(lambda: len(states(self.proc.pid)) >= 4)
                    return
            self.stop()
        raise SystemExit("snapshot_tests: callsrv did not start listening:\n" + self.text())

    @property
    def pid(self):
        return self.proc.pid

    def text(self):
        with open(self.log) as f:
            return f.read()

    def answered(self, call_id):
        """Sends an INVITE; True when the server logs its answer."""
        before = self.text().count("INVITE -> ")
        line = "INVITE call=%s from=alice@example.org to=bob@example.org\n" % call_id
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                s.sendall(line.encode())
        except OSError as e:
            print("     request: %s" % e)
            return False
        return wait_until(lambda: self.text().count("INVITE -> ") > before, 5.0)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()


def running(pid):
    st = states(pid)
    return bool(st) and not any(s in "tT" for s in st.values())


# ---- setup -----------------------------------------------------------------

def case_setup():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    for v in ("v1", "v2"):
        p = run(["cmake", "-S", os.path.join(SRC, "samples", "callsrv", v), "-B", v,
                 "-DCMAKE_C_FLAGS=-g"])
        if p.returncode:
            fail("cmake of callsrv %s: %s" % (v, p.stdout + p.stderr))
            return
    p = run(["cmake", "--build", "v1"])
    if not check(p.returncode == 0, "callsrv v1 builds with -g"):
        print(p.stdout + p.stderr)
        return
    p = hotplan("analyze", "v1", "-o", "v1.facts")
    check(p.returncode == 0, "hotplan analyze v1") or print(p.stderr)
    p = hotplan("plan", "v1.facts", "v2", "-o", "upgrade.script")
    check(p.returncode == 0, "hotplan plan v1 v2") or print(p.stderr)


# ---- e2e -------------------------------------------------------------------

def expected_processes():
    """expected-processes.txt as a live snapshot sees it: the server, whose
    loop the facts call qualified (it calls sip and registrar through
    hotrt_lookup), sits in hotrt_receive (pthread_cond_timedwait) between two
    requests, so on its stack it is blocked."""
    rows = []
    with open(os.path.join(SRC, "samples", "callsrv", "expected-processes.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            entry, module, next_call, _ = line.rstrip("\n").split("\t")
            if entry == "server_main":
                next_call = "blocked"
            rows.append((entry, module, next_call))
    return sorted(rows)


def process_rows(rt):
    """(entry, modules on the stack, next_call) of each process of a runtime."""
    rows = []
    for p in rt["processes"]:
        m = re.match(r"^(\w+):(\w+) \[[^\]]*\]$", p["name"])
        entry = m.group(2) if m else p["name"]
        mods = "+".join(sorted({f["module"] for f in p["frames"]}))
        rows.append((entry, mods, p["next_call"]))
    return sorted(rows)


def snapshot_json(pid, *more, env=None):
    p = hotplan("snapshot", str(pid), *more, "-o", "snap.json", env=env)
    if p.returncode != 0:
        fail("hotplan snapshot %d exits 0 (got %d): %s" % (pid, p.returncode, p.stderr.strip()))
        return None
    with open(os.path.join(WORK, "snap.json")) as f:
        return json.load(f)


def normalize_sim(text):
    """Names each process by its entry: <0.N.0> (m:f) and PID.TID (m:f [comm])."""
    text = re.sub(r"<0\.\d+\.0> \((\w+:\w+)\)", r"\1", text)
    text = re.sub(r"\b\d+\.\d+ \((\w+:\w+) \[[^\]]*\]\)", r"\1", text)
    # a snapshot reads versions from the module files (sip.1.0.so): "1.0" and
    # "2.0" are the facts' 1 (old tree) and 2 (new tree)
    return re.sub(r'"([12])\.0"', r"\1", text)


def verdict(text):
    """The killed processes of a check report, by entry, and the last line."""
    killed = sorted(re.findall(r"^\s+killed\s+(\w+:\w+)\b[^:]*:\s*(killed at [^,]*)", text, re.M))
    last = [l for l in text.splitlines() if l.startswith(("FORBIDDEN", "ALLOWED"))]
    return killed, last


def case_e2e():
    srv = Server()
    try:
        rt = snapshot_json(srv.pid, "--facts", "v1.facts")
        if rt is None:
            return
        want = expected_processes()
        got = process_rows(rt)
        check(got == want, "snapshot of callsrv: threads, entries, stack modules and next_call "
              "are expected-processes.txt") or print("     got  %s\n     want %s" % (got, want))
        tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % srv.pid))
        pids = sorted([int(p["pid"].split(".")[1]) for p in rt["processes"]] +
                      [int(t["thread"].split(".")[1]) for t in rt["snapshot"]["left_out"]])
        check(pids == tids, "every thread of the server is a process or left out with a reason")
        main_thread = "%d.%d" % (srv.pid, srv.pid)
        check([t["thread"] for t in rt["snapshot"]["left_out"]][:1] == [main_thread] and
              all(t["why"] == "no frame in the tree's modules"
                  for t in rt["snapshot"]["left_out"] if t["thread"] != main_thread),
              "only the main thread and libhotrt's own threads are left out") \
            or print(rt["snapshot"]["left_out"])
        check(0 < rt["paused_ms"] < 5000, "the pause is measured: %.3f ms" % rt["paused_ms"])
        check(all(p["pid"].startswith("%d." % srv.pid) for p in rt["processes"]),
              "pids are PID.TID")
        # the TREE form gives the same runtime
        p = hotplan("snapshot", str(srv.pid), "v1", "-o", "snap-tree.json")
        if check(p.returncode == 0, "hotplan snapshot PID TREE") and True:
            with open(os.path.join(WORK, "snap-tree.json")) as f:
                check(process_rows(json.load(f)) == want, "... finds the same processes")
        # --vsn names the version every frame runs
        p = hotplan("snapshot", str(srv.pid), "--facts", "v1.facts", "--vsn", "1.0",
                    "-o", "snap-vsn.json")
        if check(p.returncode == 0, "hotplan snapshot --vsn 1.0"):
            with open(os.path.join(WORK, "snap-vsn.json")) as f:
                rv = json.load(f)
            check({m["current"] for m in rv["modules"]} == {"1.0"} and
                  {f["version"] for p in rv["processes"] for f in p["frames"]} == {"1.0"},
                  "... every module and frame is at version \"1.0\"")
        # the upgrade simulated on the snapshot reads as the facts-based golden
        p = hotplan("simulate", "upgrade.script", "--runtime", "snap.json", "--until", "permanent")
        ours = normalize_sim(p.stdout + "exit status %d\n" % p.returncode)
        with open(os.path.join(SRC, "tests", "simulator", "golden", "callsrv.permanent.txt")) as f:
            golden = normalize_sim(f.read())
        # callsrv serves libhotrt's control socket: its 'procs' says the
        # worker is a transient child of callsrv_sup (the facts alone do
        # not), so the live prediction restarts it, as libhotrt does
        kill = "  make_permanent: killed worker:worker_main: killed, running old code of worker\n"
        golden = golden.replace(kill, kill + "  make_permanent: restarted worker:worker_main "
                                "in worker version 2\n")
        check(ours == golden, "simulate on the snapshot == tests/simulator/golden/"
              "callsrv.permanent.txt (pids named by entry)") or print(ours)
        # simulate --pid: the same, without a runtime file in between
        p = hotplan("simulate", "upgrade.script", "--facts", "v1.facts", "--pid", str(srv.pid),
                    "--until", "permanent")
        ours = normalize_sim(p.stdout + "exit status %d\n" % p.returncode)
        check(ours == golden, "simulate --pid == the golden (pids named by entry)") or print(ours)
        # check --pid: the verdict of the facts-based check
        live = hotplan("check", "v1", "v2", "--pid", str(srv.pid), "--no-cache")
        facts = hotplan("check", "v1", "v2", "--no-cache")
        check(live.returncode == facts.returncode == 1,
              "check --pid exits as check on facts (%d, %d)" % (live.returncode, facts.returncode))
        check(verdict(live.stdout) == verdict(facts.stdout)
              and verdict(live.stdout)[0] == [("worker:worker_main", "killed at make_permanent")],
              "check --pid kills what the facts-based check kills: the worker at make_permanent") \
            or print("     live %s\n     facts %s" % (verdict(live.stdout), verdict(facts.stdout)))
        check("paused" in live.stderr, "check --pid reports the pause: %s" % live.stderr.strip())
        check(running(srv.pid), "the server is running, not stopped")
        check(srv.answered("after-snapshot"), "the server answers a request after the snapshots")
    finally:
        srv.stop()


# ---- threads ---------------------------------------------------------------

def start_threads(n, binary=None, depth=100):
    proc = subprocess.Popen([binary or THREADS, str(n), str(depth)], stdout=subprocess.PIPE,
                            text=True)
    kinds = {}
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc, kinds
        tid, kind = line.split()
        kinds[int(tid)] = kind
    raise SystemExit("snapshot_tests: the threads program ended before 'ready'")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# what each kind of thread must become: (entry, modules on the stack, next_call)
KINDS = {
    "looping": ("loop_main", "looper", "local"),
    "reader": ("reader_main", "reader", "blocked"),
    "waiter": ("waiter_main", "waiter", "blocked"),
    "deep": ("deep_main", "deep+looper", "local"),
}


def classify_threads(rt, pid, kinds, what):
    """Every thread found, each as its kind says; returns True when so."""
    got = {}
    for p in rt["processes"]:
        entry = re.match(r"^\w+:(\w+)", p["name"]).group(1)
        mods = "+".join(sorted({f["module"] for f in p["frames"]}))
        got[int(p["pid"].split(".")[1])] = (entry, mods, p["next_call"])
    want = {tid: KINDS[k] for tid, k in kinds.items()}
    bad = [(tid, got.get(tid), want[tid]) for tid in sorted(want) if got.get(tid) != want[tid]]
    extra = sorted(set(got) - set(want))
    good = check(not bad and not extra, "%s: all %d threads found and classified"
                 % (what, len(want)))
    if not good:
        print("     %d wrong, %d unexpected; first: %s" % (len(bad), len(extra), bad[:3]))
    return good


def case_threads():
    n = 1000
    proc, kinds = start_threads(n)
    try:
        check(len(kinds) == n, "the program started %d threads" % n)
        analyze_threads()
        rt = snapshot_json(proc.pid, "--facts", "threads.facts")
        if rt is None:
            return
        classify_threads(rt, proc.pid, kinds, "1,000 threads")
        deep = [p for p in rt["processes"] if p["name"].startswith("deep:")]
        check(deep and all(len(p["frames"]) == 2 for p in deep),
              "deep recursion: 100 frames of 'deep' fold into one frame under 'looper'")
        check(rt["snapshot"]["targets"][0]["threads"] == n + 1, "1,001 threads read (main too)")
        print("     paused %.3f ms for %d threads" % (rt["paused_ms"], n + 1))
        check(running(proc.pid), "the program runs again, not stopped")
    finally:
        stop(proc)


def analyze_threads():
    if not os.path.exists(os.path.join(WORK, "threads.facts")):
        p = hotplan("analyze", os.path.join(SRC, "tests", "snapshot", "threads"),
                    "-o", "threads.facts")
        if p.returncode:
            raise SystemExit("snapshot_tests: analyze of tests/snapshot/threads: " + p.stderr)


# ---- safety ----------------------------------------------------------------

def paused_run(target_pid, sig, out):
    """Runs a snapshot that stays paused 3 s, sends sig to hotplan once every
    thread of the target is stopped, and returns (hotplan's status, whether
    the target was seen paused)."""
    env = dict(os.environ)
    env[PAUSE_ENV] = "3000"
    h = subprocess.Popen([HOTPLAN, "snapshot", str(target_pid), "--facts", "v1.facts",
                          "-o", out], cwd=WORK, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    seen = wait_until(lambda: (lambda st: st and all(s == "t" for s in st.values()))(
        states(target_pid)), 10.0)
    h.send_signal(sig)
    try:
        h.wait(10)
    except subprocess.TimeoutExpired:
        h.kill()
        h.wait()
    return h.returncode, seen


def case_safety():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        name = signal.Signals(sig).name
        srv = Server()
        try:
            out = os.path.join(WORK, "never-%s.json" % name)
            status, seen = paused_run(srv.pid, sig, out)
            check(seen, "%s: the target was seen paused (every thread in state t)" % name)
            check(status == -sig, "%s: hotplan dies of it (status %s)" % (name, status))
            check(not os.path.exists(out) and not [f for f in os.listdir(WORK)
                                                   if f.startswith(".hotplan-tmp-")],
                  "%s: no output file, no temporary file left" % name)
            check(wait_until(lambda: running(srv.pid), 2.0),
                  "%s: the target runs again (no thread in state t or T): %s"
                  % (name, "".join(sorted(set(states(srv.pid).values())))))
            check(srv.answered("after-" + name), "%s: the target answers a request" % name)
        finally:
            srv.stop()


# ---- bad cases -------------------------------------------------------------

def expect_bad(what, p, pattern):
    good = p.returncode == 2 and re.search(pattern, p.stderr) and not p.stdout
    check(good, "%s: exit 2 and /%s/" % (what, pattern))
    if not good:
        print("     exit %d, stderr: %s" % (p.returncode, p.stderr.strip()))


def build_threads(name, *flags, strip=False):
    out = os.path.join(WORK, name)
    src = os.path.join(SRC, "tests", "snapshot", "threads")
    files = sorted(os.path.join(src, f) for f in os.listdir(src) if f.endswith(".c"))
    p = run(["cc", "-O0", "-pthread", "-o", out] + list(flags) + files)
    if p.returncode:
        raise SystemExit("snapshot_tests: cc: " + p.stderr)
    if strip:
        run(["strip", "--strip-all", out])
    return out


def case_bad():
    analyze_threads()
    with open("/proc/sys/kernel/pid_max") as f:
        nopid = int(f.read())
    expect_bad("no such process", hotplan("snapshot", str(nopid), "--facts", "v1.facts"),
               r"no process '%d'; check the PID with 'ps'" % nopid)

    srv = Server()
    try:
        # ptrace not permitted: an unprivileged user may not trace root's server
        p = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", HOTPLAN,
                 "snapshot", str(srv.pid), "--facts", os.path.join(WORK, "v1.facts")])
        expect_bad("ptrace not permitted", p,
                   r"cannot attach to process '%d'.*ptrace_scope.*CAP_SYS_PTRACE" % srv.pid)
        check(running(srv.pid) and srv.answered("after-refusal"),
              "... and the server still serves")
    finally:
        srv.stop()

    # a process that exits (is killed) while it is paused
    proc, _ = start_threads(8)
    env = dict(os.environ)
    env[PAUSE_ENV] = "2000"
    h = subprocess.Popen([HOTPLAN, "snapshot", str(proc.pid), "--facts", "threads.facts",
                          "-o", "exited.json"], cwd=WORK, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    wait_until(lambda: (lambda st: st and all(s == "t" for s in st.values()))(states(proc.pid)))
    proc.kill()
    out, err = h.communicate(timeout=30)
    proc.wait()
    expect_bad("process exits during the snapshot",
               subprocess.CompletedProcess(h.args, h.returncode, out, err),
               r"process '%d' exited during the snapshot" % proc.pid)
    check(not os.path.exists(os.path.join(WORK, "exited.json")), "... and writes no output")

    # the wrong program: callsrv's facts for the threads program
    proc, _ = start_threads(8)
    try:
        expect_bad("the wrong program", hotplan("snapshot", str(proc.pid), "--facts", "v1.facts"),
                   r"no frame of process '%d' is in a module of the facts.*is it the program"
                   % proc.pid)
    finally:
        stop(proc)

    # no DWARF and no symbols: stripped, no debug file anywhere
    stripped = build_threads("threads-stripped", "-g", "-Wl,--build-id", strip=True)
    proc, _ = start_threads(8, stripped)
    try:
        expect_bad("no DWARF and no symbols",
                   hotplan("snapshot", str(proc.pid), "--facts", "threads.facts"),
                   r"has no DWARF and no symbols: build with -g, or install the debug package")
    finally:
        stop(proc)

    # a separate debug file found by build-id makes the stripped one readable
    dbg = build_threads("threads-dbg", "-g", "-Wl,--build-id")
    note = run(["readelf", "-n", dbg]).stdout
    bid = re.search(r"Build ID: ([0-9a-f]+)", note).group(1)
    ddir = os.path.join(WORK, "debug", ".build-id", bid[:2])
    os.makedirs(ddir, exist_ok=True)
    run(["objcopy", "--only-keep-debug", dbg, os.path.join(ddir, bid[2:] + ".debug")])
    shutil.copy(dbg, stripped)
    run(["strip", "--strip-all", stripped])
    proc, kinds = start_threads(40, stripped)
    try:
        rt = snapshot_json(proc.pid, "--facts", "threads.facts", "--debug-dir",
                           os.path.join(WORK, "debug"))
        if rt:
            classify_threads(rt, proc.pid, kinds, "stripped, debug file by build-id")
    finally:
        stop(proc)

    # without DWARF, the symbol table and the facts' function locations
    nodwarf = build_threads("threads-nodwarf")
    proc, kinds = start_threads(40, nodwarf)
    try:
        rt = snapshot_json(proc.pid, "--facts", "threads.facts")
        if rt:
            classify_threads(rt, proc.pid, kinds, "no DWARF, symbol table")
    finally:
        stop(proc)


# ---- versioned -------------------------------------------------------------

def start_versioned(*vsns):
    """The versioned runner on versioned-mods/ with those versions: (proc,
    {tid: label}) once every thread sits in its loop."""
    bindir = os.path.dirname(THREADS)
    proc = subprocess.Popen([os.path.join(bindir, "snapshot_versioned"),
                             os.path.join(bindir, "versioned-mods")] + list(vsns),
                            stdout=subprocess.PIPE, text=True)
    labels = {}
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc, labels
        tid, label = line.split()
        labels[int(tid)] = label
    raise SystemExit("snapshot_tests: the versioned program ended before 'ready'")


def frame_versions(rt):
    """{tid: [(module, version), ...] innermost first} of every process."""
    return {int(p["pid"].split(".")[1]): [(f["module"], f["version"]) for f in p["frames"]]
            for p in rt["processes"]}


def module_versions(rt):
    return {m["name"]: (m["current"], m["old"]) for m in rt["modules"]}


def expect_versions(rt, labels, typed, runner_vsn, what):
    """Each thread's frames: the versions its label names, innermost first
    (typed makes the JSON value of a version), then runner at runner_vsn."""
    want = {tid: [("mod", typed(v)) for v in reversed(label.split("+"))] + [("runner", runner_vsn)]
            for tid, label in labels.items()}
    got = frame_versions(rt)
    check(got == want, "%s: every frame in mod.VSN.so is at VSN, runner at %r" % (what, runner_vsn)) \
        or print("     got  %s\n     want %s" % (got, want))


def case_versioned():
    tree = os.path.join(SRC, "tests", "snapshot", "versioned")
    if not os.path.exists(os.path.join(WORK, "versioned.facts")):
        p = hotplan("analyze", tree, "-o", "versioned.facts")
        if not check(p.returncode == 0, "hotplan analyze tests/snapshot/versioned"):
            print(p.stderr)
            return
    proc, labels = start_versioned("1", "2")
    try:
        check(sorted(labels.values()) == ["1", "2", "2+1"], "threads in mod.1.so, mod.2.so, both")
        rt = snapshot_json(proc.pid, "--facts", "versioned.facts")
        if rt:
            expect_versions(rt, labels, int, 1, "versions 1 and 2")
            check(module_versions(rt) == {"mod": (2, 1), "runner": (1, None)},
                  "mod: current 2, old 1; runner: current 1, no old") \
                or print("     %s" % module_versions(rt))
        rt = snapshot_json(proc.pid, "--facts", "versioned.facts", "--vsn", "7")
        if rt:
            expect_versions(rt, labels, int, 7, "--vsn 7")
            check(module_versions(rt) == {"mod": (2, 1), "runner": (7, None)},
                  "--vsn 7: mod keeps its mapped versions 2 and 1, runner is at 7") \
                or print("     %s" % module_versions(rt))
        p = hotplan("snapshot", str(proc.pid), "--facts", "versioned.facts", "--format", "text")
        check(p.returncode == 0 and "mod.2.so" in p.stdout and "mod.1.so" in p.stdout,
              "the text names the objects mod.1.so and mod.2.so") or print(p.stdout + p.stderr)
    finally:
        stop(proc)
    # string versions, ordered part by part: "1.10" is newer than "1.9"
    proc, labels = start_versioned("1.10", "1.9")
    try:
        rt = snapshot_json(proc.pid, "--facts", "versioned.facts")
        if rt:
            expect_versions(rt, labels, str, 1, "versions \"1.9\" and \"1.10\"")
            check(module_versions(rt)["mod"] == ("1.10", "1.9"),
                  "mod: current \"1.10\", old \"1.9\" (not strcmp's order)") \
                or print("     %s" % module_versions(rt))
    finally:
        stop(proc)
    # a module has at most two versions
    proc, labels = start_versioned("1", "2", "3")
    try:
        p = hotplan("snapshot", str(proc.pid), "--facts", "versioned.facts", "-o", "three.json")
        expect_bad("three versions mapped", p,
                   r"module 'mod' has 3 versions mapped \('mod\.1\.so', 'mod\.2\.so', "
                   r"'mod\.3\.so'\), but a module has at most two")
        check(not os.path.exists(os.path.join(WORK, "three.json")), "... and writes no output")
        check(running(proc.pid), "... and the program runs on")
    finally:
        stop(proc)


def main():
    global HOTPLAN, SRC, WORK, THREADS
    if len(sys.argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    HOTPLAN, SRC, WORK, THREADS, case = sys.argv[1:]
    HOTPLAN, SRC, WORK, THREADS = map(os.path.abspath, (HOTPLAN, SRC, WORK, THREADS))
    cases = {"setup": case_setup, "e2e": case_e2e, "threads": case_threads,
             "safety": case_safety, "bad": case_bad, "versioned": case_versioned}
    if case not in cases:
        sys.stderr.write("snapshot_tests: unknown case '%s'\n" % case)
        return 2
    if case != "setup" and not os.path.exists(os.path.join(WORK, "v1.facts")):
        sys.stderr.write("snapshot_tests: run the setup case first (%s has no v1.facts)\n" % WORK)
        return 2
    cases[case]()
    print("snapshot %s: %d failed" % (case, len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
