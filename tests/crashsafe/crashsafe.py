#!/usr/bin/env python3
"""Crash safety of hotplan's outputs (DESIGN.md §5, §9; model/fileio.h).

Usage: crashsafe.py HOTPLAN FIXTURES WORKDIR TEST

  FIXTURES  a folder with the C trees t1/ and t2/ (tests/badinput/fixtures)
  TEST      atomic | interrupt | cache

atomic     every command that takes an output file (-o, --sarif, --junit)
           replaces it by renaming a finished temporary file: a hard link
           to the previous file keeps the previous bytes, the new file is
           complete, and no temporary file is left.
interrupt  'hotplan translate' of a large appup writing over an existing
           file is stopped by SIGINT, SIGTERM and SIGKILL while its
           temporary file is being written: the previous file stays
           byte-identical; after SIGINT and SIGTERM no temporary file
           remains and the process died of that signal; after SIGKILL at
           most the temporary file remains (fileio.h says so).
cache      'hotplan analyze --cache': an entry truncated, emptied or with
           one byte flipped is detected, rebuilt to the same bytes, and the
           facts are identical to a cold run; a run killed (SIGKILL) while
           writing entries leaves no output, and the next run gives the
           facts of a cold run and one entry per unit.

Exit status 0 if the test passed, 1 if not, 2 on a setup error.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

PREVIOUS = b"previous output: must survive\n"
TMP_PREFIX = ".hotplan-tmp-"


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(hotplan, args, cwd, ok=(0,)):
    p = subprocess.run([hotplan] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    if p.returncode not in ok:
        raise Failure("'hotplan %s' exited %d: %s" % (" ".join(args), p.returncode,
                                                      p.stderr.decode(errors="replace")[:800]))
    return p


def temps(folder):
    return sorted(f for f in os.listdir(folder) if f.startswith(TMP_PREFIX))


def read(path):
    with open(path, "rb") as fp:
        return fp.read()


def write(path, data):
    with open(path, "wb") as fp:
        fp.write(data)


def fixtures_facts(hotplan, fixtures, work):
    run(hotplan, ["analyze", os.path.join(fixtures, "t1"), "-o", "t1.facts"], work)
    run(hotplan, ["analyze", os.path.join(fixtures, "t2"), "-o", "t2.facts"], work)
    run(hotplan, ["plan", "t1.facts", "t2.facts", "-o", "t1-t2.script"], work)
    run(hotplan, ["plan", "t1.facts", "t2.facts", "--appup", "-o", "t1-t2.appup"], work)
    t1 = os.path.join(fixtures, "t1")
    run(hotplan, ["analyze", t1, "--tu", os.path.join(t1, "a.c"), "-o", "a.unit"], work)
    run(hotplan, ["analyze", t1, "--tu", os.path.join(t1, "b.c"), "-o", "b.unit"], work)


def test_atomic(hotplan, fixtures, work):
    fixtures_facts(hotplan, fixtures, work)
    t1 = os.path.join(fixtures, "t1")
    commands = [
        (["analyze", t1, "-o", "@OUT@"], (0,)),
        (["merge", "a.unit", "b.unit", "-o", "@OUT@"], (0,)),
        (["diff", "t1.facts", "t2.facts", "-o", "@OUT@"], (0,)),
        (["plan", "t1.facts", "t2.facts", "-o", "@OUT@"], (0,)),
        (["translate", "t1-t2.appup", "-o", "@OUT@"], (0,)),
        (["simulate", "t1-t2.script", "--facts", "t1.facts", "-o", "@OUT@"], (0, 1)),
        (["graph", "t1.facts", "-T", "dot", "-o", "@OUT@"], (0,)),
        (["check", "t1.facts", "t2.facts", "--sarif", "@OUT@"], (0, 1)),
        (["check", "t1.facts", "t2.facts", "--junit", "@OUT@"], (0, 1)),
    ]
    failures = 0
    for args, ok in commands:
        name = "out-%s-%d" % (args[0], commands.index((args, ok)))
        out = os.path.join(work, name)
        link = out + ".link"
        write(out, PREVIOUS)
        os.link(out, link)
        real = [a.replace("@OUT@", name) for a in args]
        try:
            run(hotplan, real, work, ok)
            new = read(out)
            check(new != PREVIOUS and len(new) > 0, "the output was not written")
            check(read(link) == PREVIOUS,
                  "the previous file was rewritten in place, not replaced by a rename")
            check(os.stat(out).st_ino != os.stat(link).st_ino, "same inode after the run")
            check(not temps(work), "temporary files left: %s" % temps(work))
            print("ok   %s" % " ".join(args))
        except Failure as e:
            failures += 1
            print("FAIL hotplan %s: %s" % (" ".join(args), e))
        os.remove(link)
    return failures


def big_appup(path, size):
    with open(path, "w") as fp:
        fp.write('[{apply, {m, f, ["')
        chunk = "x" * (1 << 20)
        for _ in range(size >> 20):
            fp.write(chunk)
        fp.write('"]}}].\n')


def interrupt_once(hotplan, work, sig, size):
    """Returns None if the write could not be caught in progress, else a
    list of problems."""
    out = os.path.join(work, "script.out")
    write(out, PREVIOUS)
    for f in temps(work):
        os.remove(os.path.join(work, f))
    p = subprocess.Popen([hotplan, "translate", "big.appup", "-o", "script.out"], cwd=work,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mine = TMP_PREFIX + "%d-" % p.pid
    caught = None
    deadline = time.time() + 300
    while p.poll() is None and time.time() < deadline:
        found = [f for f in os.listdir(work) if f.startswith(mine)]
        if found:
            try:
                if os.path.getsize(os.path.join(work, found[0])) > 0:
                    caught = found[0]
                    break
            except FileNotFoundError:
                pass
        time.sleep(0.0005)
    if caught is None:
        p.kill()
        p.wait()
        return None
    os.kill(p.pid, sig)
    p.wait(timeout=60)
    problems = []
    if read(out) != PREVIOUS:
        problems.append("the previous output was changed")
    left = temps(work)
    if sig == signal.SIGKILL:
        if any(not f.startswith(mine) for f in left):
            problems.append("unexpected files: %s" % left)
        for f in left:
            os.remove(os.path.join(work, f))
    else:
        if left:
            problems.append("temporary file left after %s: %s" % (signal.Signals(sig).name, left))
        if p.returncode != -sig:
            problems.append("exit %d, expected death by %s" % (p.returncode, signal.Signals(sig).name))
    return problems


def test_interrupt(hotplan, fixtures, work):
    failures = 0
    size = int(os.environ.get("HOTPLAN_CRASHSAFE_MB", "32")) << 20
    big_appup(os.path.join(work, "big.appup"), size)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        name = signal.Signals(sig).name
        problems = None
        for _attempt in range(4):
            problems = interrupt_once(hotplan, work, sig, size)
            if problems is not None:
                break
        if problems is None:
            failures += 1
            print("FAIL %s: the write finished before it could be interrupted "
                  "(raise HOTPLAN_CRASHSAFE_MB)" % name)
        elif problems:
            failures += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            print("ok   %s mid-write: previous output intact" % name)
    return failures


def test_cache(hotplan, fixtures, work):
    t1 = os.path.join(fixtures, "t1")
    cache = os.path.join(work, "cache")
    run(hotplan, ["analyze", t1, "-o", "cold.facts"], work)
    run(hotplan, ["analyze", t1, "--cache", cache, "-o", "first.facts"], work)
    check(read(os.path.join(work, "first.facts")) == read(os.path.join(work, "cold.facts")),
          "facts with --cache differ from a cold run")
    entries = sorted(os.listdir(cache))
    check(entries, "--cache wrote no entry")
    originals = {e: read(os.path.join(cache, e)) for e in entries}
    damages = [
        ("truncated", lambda b: b[:len(b) // 2]),
        ("emptied", lambda b: b""),
        ("flipped", lambda b: b[:-10] + bytes([b[-10] ^ 0x20]) + b[-9:]),
    ]
    failures = 0
    for what, damage in damages:
        for e in entries:
            write(os.path.join(cache, e), damage(originals[e]))
        try:
            run(hotplan, ["analyze", t1, "--cache", cache, "-o", "again.facts"], work)
            check(read(os.path.join(work, "again.facts")) == read(os.path.join(work, "cold.facts")),
                  "facts differ after a %s cache entry" % what)
            for e in entries:
                check(read(os.path.join(cache, e)) == originals[e],
                      "%s entry %s was not rebuilt" % (what, e))
            print("ok   %s cache entries: detected, rebuilt, same facts" % what)
        except Failure as ex:
            failures += 1
            print("FAIL %s cache entries: %s" % (what, ex))
    return failures


def cache_kill_once(hotplan, work, n):
    """Returns None if analyze finished before the kill, else a list of
    problems."""
    tree = os.path.join(work, "tree%d" % n)
    os.makedirs(tree)
    for i in range(n):
        with open(os.path.join(tree, "u%03d.c" % i), "w") as fp:
            fp.write("int f%d(int x);\nint g%d(int x) { return f%d(x) + %d; }\n"
                     % (i, i, (i + 1) % n, i))
    cache = os.path.join(work, "cache%d" % n)
    killed = os.path.join(work, "tree%d-killed.facts" % n)
    run(hotplan, ["analyze", tree, "-o", "tree-cold.facts"], work)
    cold = read(os.path.join(work, "tree-cold.facts"))
    p = subprocess.Popen([hotplan, "analyze", tree, "-j", "1", "--cache", cache, "-o", killed],
                         cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while p.poll() is None and time.time() < deadline:
        if os.path.isdir(cache) and len(os.listdir(cache)) >= n // 4:
            break
        time.sleep(0.001)
    p.send_signal(signal.SIGKILL)
    p.wait()
    if p.returncode != -signal.SIGKILL:
        return None
    problems = []
    if os.path.exists(killed):
        problems.append("a killed analyze left its output")
    run(hotplan, ["analyze", tree, "--cache", cache, "-o", "tree-again.facts"], work)
    if read(os.path.join(work, "tree-again.facts")) != cold:
        problems.append("facts after a killed cached run differ from a cold run")
    # SIGKILL can land between an entry's write and its rename: the killed
    # run's own temporary entry (KEY.facts.tmp-PID) may stay, never a
    # temporary of the finished run, and never counts as an entry.
    killed_tmp = ".tmp-%d" % p.pid
    stray = [e for e in os.listdir(cache) if ".tmp-" in e and not e.endswith(killed_tmp)]
    if stray:
        problems.append("temporary cache entries not from the killed run: %s" % ", ".join(stray))
    entries = [e for e in os.listdir(cache)
               if not e.startswith(TMP_PREFIX) and ".tmp-" not in e]
    if len(entries) != n:
        problems.append("%d cache entries for %d units" % (len(entries), n))
    return problems


def test_cache_kill(hotplan, fixtures, work):
    """SIGKILL while 'analyze --cache' writes entries, then run again."""
    for n in (80, 320, 1280):
        problems = cache_kill_once(hotplan, work, n)
        if problems is None:
            continue
        if problems:
            print("FAIL cache kill: %s" % "; ".join(problems))
            return 1
        print("ok   SIGKILL during 'analyze --cache': the next run gives the cold facts")
        return 0
    print("FAIL cache kill: analyze always finished before it could be killed")
    return 1


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ("atomic", "interrupt", "cache"):
        sys.stderr.write("usage: crashsafe.py HOTPLAN FIXTURES WORKDIR atomic|interrupt|cache\n")
        return 2
    hotplan = os.path.abspath(sys.argv[1])
    fixtures = os.path.abspath(sys.argv[2])
    work = os.path.abspath(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    test = {"atomic": test_atomic, "interrupt": test_interrupt, "cache": test_cache}[sys.argv[4]]
    try:
        failures = test(hotplan, fixtures, work)
    except Failure as e:
        print("crashsafe: setup failed: %s" % e)
        return 2
    if sys.argv[4] == "cache":
        try:
            failures += test_cache_kill(hotplan, fixtures, work)
        except Failure as e:
            failures += 1
            print("FAIL cache kill: %s" % e)
    print("crashsafe %s: %s" % (sys.argv[4], "failed" if failures else "passed"))
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
