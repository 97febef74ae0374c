#!/usr/bin/env python3
"""Table-driven bad-input test of the hotplan binary (DESIGN.md §5, §9).

Usage: run.py HOTPLAN CASES.tsv WORKDIR [NAME-REGEX]

Each case of CASES.tsv (tab-separated; '#' starts a comment line) is

    name  exit  regex  input  command

  exit     the documented exit status (2 bad input, 3 C that does not parse,
           0 for inputs that must be accepted); 'A|B' accepts either
  regex    what standard error must contain (Python re.search); for input
           errors it names file:line:column
  input    '-' (none), or NAME=EXPR: the file NAME (under the work folder;
           may contain '/') is written with the bytes of the Python
           expression EXPR, which may use text(F) (a work file as str),
           work (the work folder), fixtures (tests/badinput/fixtures), and
           the modules json and re; or NAME@SIZE: a sparse file of SIZE bytes
  command  hotplan's arguments, split like a shell does, where @OUT@ is an
           output file holding known content before the run and @FIX@ the
           fixtures folder; a trailing '< FILE' feeds FILE on standard input

Before the cases, the fixtures are built in WORKDIR: t1.facts and t2.facts
(hotplan analyze of fixtures/t1 and fixtures/t2), t1-t2.script and
t1-t2.appup (hotplan plan), so cases can name them.

A case passes when hotplan exits with the status (not a signal, within the
time limit), standard error matches and holds no sanitizer report, and,
when the run failed, standard output is empty, @OUT@ is byte-identical to
before, and no file appeared in the work folder (no temporary or partial
output left behind). Every failure is
printed; the exit status is 1 if any case failed, 2 on a setup error.
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


def run(hotplan, args, cwd):
    stdin = subprocess.DEVNULL
    if "<" in args:  # "... < FILE": FILE is standard input
        i = args.index("<")
        stdin = open(os.path.join(cwd, args[i + 1]), "rb")
        args = args[:i] + args[i + 2:]
    try:
        return subprocess.run([hotplan] + args, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIME_LIMIT)
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


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as fp:
        for lineno, line in enumerate(fp, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            cols = [c for c in cols if c != ""]
            if len(cols) != 5:
                sys.stderr.write("badinput: %s:%d: expected 5 tab-separated columns, got %d\n"
                                 % (path, lineno, len(cols)))
                sys.exit(2)
            name, status, regex, spec, command = cols
            statuses = tuple(int(x) for x in status.split("|"))
            cases.append((lineno, name, statuses, regex, spec, command))
    return cases


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    hotplan = os.path.abspath(sys.argv[1])
    table = os.path.abspath(sys.argv[2])
    work = os.path.abspath(sys.argv[3])
    only = re.compile(sys.argv[4]) if len(sys.argv) == 5 else None
    fixtures = os.path.join(os.path.dirname(table), "fixtures")

    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    setup(hotplan, work, fixtures)
    cases = read_cases(table)
    names = [c[1] for c in cases]
    if len(set(names)) != len(names):
        sys.stderr.write("badinput: case names must be unique\n")
        return 2

    failed = 0
    ran = 0
    for lineno, name, status, regex, spec, command in cases:
        if only and not only.search(name):
            continue
        ran += 1
        problems = []
        make_input(spec, work, fixtures)
        out = os.path.join(work, "out-" + name)
        with open(out, "wb") as fp:
            fp.write(PREVIOUS)
        args = [a.replace("@OUT@", out).replace("@FIX@", fixtures)
                for a in shlex.split(command)]
        before = listing(work)
        try:
            p = run(hotplan, args, work)
        except subprocess.TimeoutExpired:
            problems.append("no answer within %d s (a hang)" % TIME_LIMIT)
            p = None
        if p is not None:
            err = p.stderr.decode("utf-8", errors="replace")
            if p.returncode < 0:
                problems.append("killed by signal %d" % -p.returncode)
            elif p.returncode not in status:
                problems.append("exit status %d, documented %s"
                                % (p.returncode, "|".join(map(str, status))))
            if not re.search(regex, err):
                problems.append("standard error does not match /%s/" % regex)
            failing = 0 not in status
            if failing and p.stdout:
                problems.append("%d bytes on standard output of a failed run" % len(p.stdout))
            if ("AddressSanitizer" in err or "runtime error:" in err
                                or "LeakSanitizer" in err):
                problems.append("sanitizer report")
        with open(out, "rb") as fp:
            if (p is None or p.returncode != 0) and fp.read() != PREVIOUS:
                problems.append("the output file was changed by a failed run")
        new = sorted(listing(work) - before)
        ok_run = p is not None and p.returncode == 0
        left = [f for f in new if not ok_run or os.path.basename(f).startswith(".hotplan-tmp-")]
        if left:
            problems.append("files left behind: %s" % ", ".join(left))
        for f in new:
            path = os.path.join(work, f)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.exists(path):
                os.remove(path)
        os.remove(out)
        if "@" in spec and "=" not in spec.split("@", 1)[0]:
            os.remove(os.path.join(work, spec.split("@", 1)[0]))  # sparse: big
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
