#!/usr/bin/env python3
"""Table-driven bad-input test of the hotplan binary (DESIGN.md §5, §9).

Usage: run.py HOTPLAN CASES.tsv WORKDIR [NAME-REGEX]

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
           '< FILE' feeds FILE on standard input

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
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

TIME_LIMIT = 300  # seconds per case; sanitizer builds are slow
PREVIOUS = b"previous output, must survive a failed run\n"


def listing(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for f in files + dirs:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def run(hotplan, args, cwd, env=None):
    stdin = subprocess.DEVNULL
    if "<" in args:  # "... < FILE": FILE is standard input
        i = args.index("<")
        stdin = open(os.path.join(cwd, args[i + 1]), "rb")
        args = args[:i] + args[i + 2:]
    try:
        return subprocess.run([hotplan] + args, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIME_LIMIT, env=env)
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()


def setup(hotplan, work, fixtures):
    steps = [
        ["analyze", os.path.join(fixtures, "t1"), "-o", "t1.facts"],
        ["analyze", os.path.join(fixtures, "t2"), "-o", "t2.facts"],
        ["plan", "t1.facts", "t2.facts", "-o", "t1-t2.script"],
        ["plan", "t1.facts", "t2.facts", "--appup", "-o", "t1-t2.appup"],
    ]
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


def run_case(hotplan, work, scratch, fixtures, case):
    """Runs one case; returns (problems, the finished process or None)."""
    lineno, name, status, regex, where, outcol, spec, command = case
    problems = []
    make_input(spec, work, fixtures)
    out = os.path.join(work, "out-" + name)
    with open(out, "wb") as fp:
        fp.write(PREVIOUS)
    args = [a.replace("@OUT@", out).replace("@FIX@", fixtures) for a in shlex.split(command)]
    env = fresh_env(scratch)
    before = listing(work)
    try:
        p = run(hotplan, args, work, env)
    except subprocess.TimeoutExpired:
        problems.append("no answer within %d s (a hang)" % TIME_LIMIT)
        p = None
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


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    hotplan = os.path.abspath(sys.argv[1])
    table = os.path.abspath(sys.argv[2])
    top = os.path.abspath(sys.argv[3])
    only = re.compile(sys.argv[4]) if len(sys.argv) == 5 else None
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
    setup(hotplan, work, fixtures)

    failed = 0
    ran = 0
    for case in cases:
        lineno, name, command = case[0], case[1], case[7]
        if only and not only.search(name):
            continue
        ran += 1
        problems, p = run_case(hotplan, work, scratch, fixtures, case)
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
