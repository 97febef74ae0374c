#!/usr/bin/env python3
"""Table-driven bad-input test of the hotplan binary (DESIGN.md §5, §9).

Usage: run.py [--target NAME=COMMAND]... [--tree NAME=DIR]...
              HOTPLAN CASES.tsv WORKDIR [NAME-REGEX]

Each case of CASES.tsv (tab-separated; '#' starts a comment line) is

    name  exit  regex  where  out  input  command

  exit     the documented exit status (2 bad input, 3 C that does not parse,
           0 for inputs that must be accepted); 'A|B' accepts either
  regex    what standard error must contain (Python re.search)
  where    for a case that fails, the file whose position the message must
           give: standard error must hold 'FILE:LINE:COLUMN: ' (FILE as
           written here, after the start of a line, a space, a quote or a
           '/'); or 'nopos: REASON' where the input has no position to give
           (a missing file, a bad flag, a folder); '-' for a case that must
           succeed (exit 0 only)
  out      'keep': the command names @OUT@ as its output (-o, or --sarif /
           --junit for check), a file holding known content before the run,
           which a failed run must leave byte-identical and a successful one
           must replace; or 'none: REASON' when the case names its own
           output (for example an -o that cannot be written)
  input    '-' (none), or NAME=EXPR: the file NAME (under the work folder;
           may contain '/') is written with the bytes of the Python
           expression EXPR, which may use text(F) (a work file as str),
           work (the work folder), fixtures (tests/badinput/fixtures), and
           the modules json and re; or NAME@SIZE: a sparse file of SIZE bytes
  command  hotplan's arguments, split like a shell does, where @OUT@ is the
           output file above and @FIX@ the fixtures folder; a trailing
           '< FILE' feeds FILE on standard input; leading VAR=VALUE words
           set hotplan's environment, as in a shell; a leading
           @UNPRIVILEGED@ runs hotplan as user and group 65534 (nobody),
           through setpriv, so that it may not trace the targets (run.py
           must run as root for that)

Live processes (hotplan snapshot, --pid): @PID:NAME@ in a command is the
process id of a target started for the case from the command that
'--target NAME=COMMAND' gives (split like a shell does); run.py waits for
the target to print a line 'ready' (the test programs of tests/snapshot
do, once their threads are in place), and @PID@ in the case's regex is that
process id. @PID:NAME:killed-when-stopped@ also kills the target (SIGKILL)
as soon as every one of its threads is in ptrace-stop (/proc state 't')
while hotplan runs: a process that exits during the snapshot. A target
is killed and reaped after its case, whatever happened (and with
PR_SET_PDEATHSIG, should run.py itself die); before that, it must not have
been left stopped by hotplan (no thread in state t or T, within 2 s). A
case that names killed-when-stopped fails if the target was never seen
stopped. '--tree NAME=DIR' adds NAME.facts (hotplan analyze DIR) to the
fixtures of the work folder, so cases can name the facts of a target.

Before the cases, the fixtures are built in WORKDIR: t1.facts and t2.facts
(hotplan analyze of fixtures/t1 and fixtures/t2), t1-t2.script and
t1-t2.appup (hotplan plan), so cases can name them.

Each case runs with TMPDIR, XDG_CACHE_HOME and HOME set to fresh empty
folders of its own (outside the work folder). A case passes when hotplan
exits with the status (not a signal, within the time limit), standard error
matches, gives the position 'where' asks for and holds no sanitizer report,
and: when the run failed, standard output is empty, @OUT@ is byte-identical
to before and no file appeared in the work folder; whatever the status, no
'.hotplan-tmp-' file is left beside the outputs, TMPDIR is empty again, and
every entry of the analysis cache under XDG_CACHE_HOME or HOME is whole (its
header, dependency lines and facts JSON complete) with no temporary entry
beside it. Every failure is printed; the exit status is 1 if any case
failed, 2 on a setup error or a malformed table.
"""
import ctypes
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

# seconds per case (sanitizer builds are slow); the selftest shortens it
TIME_LIMIT = int(os.environ.get("BADINPUT_TIME_LIMIT", "300"))
READY_LIMIT = 60  # seconds for a target to print 'ready'
NOBODY = 65534
PREVIOUS = b"previous output, must survive a failed run\n"


def listing(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for f in files + dirs:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def run(hotplan, args, cwd, env=None):
    stdin = subprocess.DEVNULL
    prefix = []
    env = dict(env if env is not None else os.environ)
    while args and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", args[0]):  # VAR=VALUE
        name, value = args[0].split("=", 1)
        env[name] = value
        args = args[1:]
    if args and args[0] == "@UNPRIVILEGED@":
        prefix = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
                  "--inh-caps=-all"]
        args = args[1:]
    if "<" in args:  # "... < FILE": FILE is standard input
        i = args.index("<")
        stdin = open(os.path.join(cwd, args[i + 1]), "rb")
        args = args[:i] + args[i + 2:]
    try:
        return subprocess.run(prefix + [hotplan] + args, cwd=cwd, stdin=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIME_LIMIT, env=env)
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()


# ---- live targets ------------------------------------------------------------

PID_WORD = re.compile(r"@PID:([A-Za-z0-9_.-]+)(:killed-when-stopped)?@")


def thread_states(pid):
    """The /proc state letter of every thread of pid ({} when it is gone)."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except (FileNotFoundError, ProcessLookupError):
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as fp:
                out[tid] = fp.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def die_with_parent():
    """In the target, before exec: SIGKILL when run.py dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Target:
    """A live process for one case: started, watched, and always reaped."""

    def __init__(self, name, argv, killed_when_stopped):
        self.name = name
        self.killed_when_stopped = killed_when_stopped
        self.seen_stopped = False
        self.quit = threading.Event()
        self.watcher = None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.pid = self.proc.pid
        if not self._ready():
            self.stop()
            raise RuntimeError("target '%s' (%s) did not print 'ready' within %d s"
                               % (name, " ".join(argv), READY_LIMIT))
        if killed_when_stopped:
            self.watcher = threading.Thread(target=self._watch, daemon=True)
            self.watcher.start()

    def _ready(self):
        end = time.time() + READY_LIMIT
        buf = b""
        fd = self.proc.stdout.fileno()
        while time.time() < end:
            if select.select([fd], [], [], 0.1)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    return False
                buf += chunk
                if re.search(rb"(?m)^ready$", buf):
                    return True
        return False

    def _watch(self):
        while not self.quit.is_set():
            st = thread_states(self.pid)
            if st and all(x == "t" for x in st.values()):
                self.seen_stopped = True
                self.proc.send_signal(signal.SIGKILL)
                return
            time.sleep(0.005)

    def problems(self):
        """What is wrong with the target once hotplan has finished."""
        self.quit.set()
        if self.watcher:
            self.watcher.join()
        if self.killed_when_stopped:
            if not self.seen_stopped:
                return ["the target '%s' was never seen stopped, so not killed" % self.name]
            return []
        end = time.time() + 2.0
        while True:
            st = thread_states(self.pid)
            stopped = sorted(t for t, x in st.items() if x in "tT")
            if not stopped or time.time() > end:
                break
            time.sleep(0.02)
        if stopped:
            return ["hotplan left the target '%s' stopped (threads %s in state t or T)"
                    % (self.name, ", ".join(stopped[:5]))]
        if not st or self.proc.poll() is not None:
            return ["the target '%s' is gone after hotplan ran" % self.name]
        return []

    def stop(self):
        """Kills and reaps the target; never raises."""
        self.quit.set()
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        self.proc.stdout.close()


def start_targets(command, targets):
    """Starts the targets the command names; returns (command with their
    pids, the Target objects)."""
    started = []
    try:
        for m in PID_WORD.finditer(command):
            if m.group(1) not in targets:
                raise RuntimeError("no --target '%s' given" % m.group(1))
            started.append(Target(m.group(1), targets[m.group(1)], bool(m.group(2))))
    except BaseException:
        for t in started:
            t.stop()
        raise
    it = iter(started)
    return PID_WORD.sub(lambda m: str(next(it).pid), command), started


def setup(hotplan, work, fixtures, trees):
    steps = [
        ["analyze", os.path.join(fixtures, "t1"), "-o", "t1.facts"],
        ["analyze", os.path.join(fixtures, "t2"), "-o", "t2.facts"],
        ["plan", "t1.facts", "t2.facts", "-o", "t1-t2.script"],
        ["plan", "t1.facts", "t2.facts", "--appup", "-o", "t1-t2.appup"],
    ] + [["analyze", d, "-o", name + ".facts"] for name, d in sorted(trees.items())]
    for args in steps:
        p = run(hotplan, args, work)
        if p.returncode != 0:
            sys.stderr.write("badinput: setup 'hotplan %s' failed (%d):\n%s\n"
                             % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")))
            sys.exit(2)


def make_input(spec, work, fixtures):
    if spec == "-":
        return None
    if "=" in spec and ("@" not in spec or spec.index("=") < spec.index("@")):
        name, expr = spec.split("=", 1)
        env = {
            "json": json, "re": re, "work": work, "fixtures": fixtures,
            "text": lambda f: open(os.path.join(work, f), encoding="utf-8").read(),
        }
        data = eval(expr, env)  # the table is checked-in test data
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fp:
            fp.write(data)
        return path
    name, size = spec.split("@", 1)
    path = os.path.join(work, name)
    with open(path, "wb") as fp:
        fp.truncate(int(size))
    return path


CACHE_MAGIC = re.compile(rb"hotplan-cache 1 [0-9a-f]{16}\n")


def cache_problems(root):
    """What is half-written in the analysis caches under root: temporary
    entries, and entries (FOLDER/hotplan/KEY.facts) whose header, dependency
    lines or facts JSON is incomplete."""
    problems = []
    for d, dirs, files in os.walk(root):
        for f in files:
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            if ".tmp-" in f or f.startswith(".hotplan-tmp-"):
                problems.append("temporary cache file left: %s" % rel)
            elif os.path.basename(d) == "hotplan" and f.endswith(".facts"):
                data = open(path, "rb").read()
                if not CACHE_MAGIC.match(data):
                    problems.append("cache entry without its header: %s" % rel)
                    continue
                body = data[CACHE_MAGIC.match(data).end():]
                lines = body.split(b"\n")
                try:
                    ndeps = int(lines[0])
                    deps = lines[1:1 + ndeps]
                    if len(deps) != ndeps or not all(re.match(rb"[0-9a-f]{16} .", x) for x in deps):
                        raise ValueError("dependency lines")
                    facts = json.loads(b"\n".join(lines[1 + ndeps:]))
                    if facts.get("format") != "hotplan-facts":
                        raise ValueError("not facts")
                except (ValueError, IndexError) as e:
                    problems.append("half-written cache entry %s (%s)" % (rel, e))
    return problems


def position_problem(where, err):
    """None if err gives the position 'where' asks for, else what is wrong."""
    if where.startswith("nopos:"):
        return None
    pattern = r"(?:^|[\s'/])%s:\d+:\d+: " % re.escape(where)
    if re.search(pattern, err, re.M):
        return None
    return "standard error gives no position '%s:LINE:COLUMN: '" % where


def table_error(path, lineno, msg):
    sys.stderr.write("badinput: %s:%d: %s\n" % (path, lineno, msg))
    sys.exit(2)


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as fp:
        for lineno, line in enumerate(fp, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            cols = [c for c in cols if c != ""]
            if len(cols) != 7:
                table_error(path, lineno, "expected 7 tab-separated columns, got %d" % len(cols))
            name, status, regex, where, out, spec, command = cols
            statuses = tuple(int(x) for x in status.split("|"))
            # nothing silently lax: a failing case names its position or
            # says why it has none, and names @OUT@ or says why not
            if where == "-" and statuses != (0,):
                table_error(path, lineno, "'%s' may fail: give the file of its position, "
                            "or 'nopos: REASON'" % name)
            if where != "-" and statuses == (0,):
                table_error(path, lineno, "'%s' must succeed: its position column is '-'" % name)
            if where.startswith("nopos") and not re.match(r"nopos: \S", where):
                table_error(path, lineno, "'%s': 'nopos: REASON' needs a reason" % name)
            if out == "keep":
                if "@OUT@" not in command:
                    table_error(path, lineno, "'%s' keeps @OUT@ but its command does not name it" % name)
            elif not re.match(r"none: \S", out):
                table_error(path, lineno, "'%s': output column is 'keep' or 'none: REASON'" % name)
            cases.append((lineno, name, statuses, regex, where, out, spec, command))
    return cases


def fresh_env(scratch):
    """A clean TMPDIR, XDG_CACHE_HOME and HOME for one case."""
    shutil.rmtree(scratch, ignore_errors=True)
    env = dict(os.environ)
    for var, sub in (("TMPDIR", "tmp"), ("XDG_CACHE_HOME", "cache"), ("HOME", "home")):
        env[var] = os.path.join(scratch, sub)
        os.makedirs(env[var])
    return env


def run_live(hotplan, command, regex, work, env, targets, problems):
    """Runs hotplan with the targets the command names, which are stopped
    and reaped before it returns. Returns (the finished process or None,
    the regex with @PID@ replaced)."""
    try:
        command, started = start_targets(command, targets)
    except RuntimeError as e:
        problems.append(str(e))
        return None, regex
    try:
        if started:
            regex = regex.replace("@PID@", str(started[0].pid))
        args = shlex.split(command)
        try:
            p = run(hotplan, args, work, env)
        except subprocess.TimeoutExpired:
            problems.append("no answer within %d s (a hang)" % TIME_LIMIT)
            p = None
        for t in started:
            problems += t.problems()
    finally:
        for t in started:
            t.stop()
    return p, regex


def run_case(hotplan, work, scratch, fixtures, case, targets):
    """Runs one case; returns (problems, the finished process or None)."""
    lineno, name, status, regex, where, outcol, spec, command = case
    problems = []
    make_input(spec, work, fixtures)
    out = os.path.join(work, "out-" + name)
    with open(out, "wb") as fp:
        fp.write(PREVIOUS)
    command = " ".join(shlex.quote(a.replace("@OUT@", out).replace("@FIX@", fixtures))
                       for a in shlex.split(command))
    env = fresh_env(scratch)
    before = listing(work)
    p, regex = run_live(hotplan, command, regex, work, env, targets, problems)
    ok_run = p is not None and p.returncode == 0
    if p is not None:
        err = p.stderr.decode("utf-8", errors="replace")
        if p.returncode < 0:
            problems.append("killed by signal %d" % -p.returncode)
        elif p.returncode not in status:
            problems.append("exit status %d, documented %s"
                            % (p.returncode, "|".join(map(str, status))))
        if not re.search(regex, err):
            problems.append("standard error does not match /%s/" % regex)
        if not ok_run:
            if where == "-":
                problems.append("failed, but the table says it must succeed")
            else:
                pos = position_problem(where, err)
                if pos:
                    problems.append(pos)
            if p.stdout:
                problems.append("%d bytes on standard output of a failed run" % len(p.stdout))
        if ("AddressSanitizer" in err or "runtime error:" in err
                or "LeakSanitizer" in err):
            problems.append("sanitizer report")
    with open(out, "rb") as fp:
        kept = fp.read() == PREVIOUS
    if not ok_run and not kept:
        problems.append("the output file was changed by a failed run")
    if ok_run and outcol == "keep" and kept:
        problems.append("a successful run did not write the output file")
    new = sorted(listing(work) - before)
    left = [f for f in new if not ok_run or os.path.basename(f).startswith(".hotplan-tmp-")]
    if left:
        problems.append("files left behind: %s" % ", ".join(left))
    tmp = listing(env["TMPDIR"])
    if tmp:
        problems.append("left under TMPDIR: %s" % ", ".join(sorted(tmp)))
    problems += cache_problems(env["XDG_CACHE_HOME"]) + cache_problems(env["HOME"])
    for f in new:
        path = os.path.join(work, f)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.exists(path):
            os.remove(path)
    os.remove(out)
    if "@" in spec and "=" not in spec.split("@", 1)[0]:
        os.remove(os.path.join(work, spec.split("@", 1)[0]))  # sparse: big
    shutil.rmtree(scratch, ignore_errors=True)
    return problems, p


def named_options(argv):
    """--target NAME=COMMAND and --tree NAME=DIR at the front of argv:
    (targets {NAME: argv}, trees {NAME: DIR}, the rest)."""
    targets, trees = {}, {}
    while len(argv) >= 2 and argv[0] in ("--target", "--tree"):
        name, _, value = argv[1].partition("=")
        if not name or not value:
            raise ValueError("%s wants NAME=VALUE, not '%s'" % (argv[0], argv[1]))
        if argv[0] == "--target":
            targets[name] = shlex.split(value)
        else:
            trees[name] = os.path.abspath(value)
        argv = argv[2:]
    return targets, trees, argv


def main():
    try:
        targets, trees, argv = named_options(sys.argv[1:])
    except ValueError as e:
        sys.stderr.write("badinput: %s\n" % e)
        return 2
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    hotplan = os.path.abspath(argv[0])
    table = os.path.abspath(argv[1])
    top = os.path.abspath(argv[2])
    only = re.compile(argv[3]) if len(argv) == 4 else None
    fixtures = os.path.join(os.path.dirname(table), "fixtures")
    work = os.path.join(top, "work")
    scratch = os.path.join(top, "env")

    shutil.rmtree(top, ignore_errors=True)
    os.makedirs(work)
    cases = read_cases(table)
    names = [c[1] for c in cases]
    if len(set(names)) != len(names):
        sys.stderr.write("badinput: case names must be unique\n")
        return 2
    setup(hotplan, work, fixtures, trees)

    failed = 0
    ran = 0
    for case in cases:
        lineno, name, command = case[0], case[1], case[7]
        if only and not only.search(name):
            continue
        ran += 1
        problems, p = run_case(hotplan, work, scratch, fixtures, case, targets)
        if problems:
            failed += 1
            print("FAIL %s (%s:%d): hotplan %s" % (name, os.path.basename(table), lineno, command))
            for pr in problems:
                print("     %s" % pr)
            if p is not None:
                print("     stderr: %s" % p.stderr.decode("utf-8", errors="replace")[:600].rstrip())
        else:
            print("ok   %s" % name)
    print("badinput: %d cases, %d failed" % (ran, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
