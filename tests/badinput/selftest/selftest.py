#!/usr/bin/env python3
"""Self-test of tests/badinput/run.py: runs it on cases.tsv here with
fake_hotplan.py, which breaks one promise per case, and checks that run.py
reports each as failing for the right reason and passes the control cases.
The target-* cases run fake_target.py as a live target; each appends its
pid to a file, and every one must be gone once run.py has finished, the
cases that failed included (survivors are reported, then killed).

Usage: selftest.py WORKDIR"""
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECT = {
    "touch-out": "the output file was changed by a failed run",
    "tmp-beside": "files left behind: .hotplan-tmp-1-abc",
    "tmp-dir": "left under TMPDIR: hotplan-db-abc",
    "half-cache": "half-written cache entry hotplan/0123456789abcdef.facts",
    "no-position": "standard error gives no position 'in.appup:LINE:COLUMN: '",
    "ok-no-write": "a successful run did not write the output file",
    "target-left-stopped": "hotplan left the target 'sleeper' stopped",
    "target-hang": "no answer within 3 s (a hang)",
    "target-no-stop": "the target 'sleeper' was never seen stopped, so not killed",
}
CONTROLS = ("control", "target-control")
TARGET_CASES = 4


def survivors(pidfile):
    """The targets still alive (then killed), and how many were started."""
    pids = []
    if os.path.exists(pidfile):
        with open(pidfile) as fp:
            pids = [int(x) for x in fp.read().split()]
    alive = []
    for pid in pids:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as fp:
                if b"fake_target.py" not in fp.read():
                    continue
            with open("/proc/%d/stat" % pid) as fp:
                if fp.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except (FileNotFoundError, ProcessLookupError):
            continue
        alive.append(pid)
        os.kill(pid, signal.SIGKILL)
    return alive, len(pids)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    os.makedirs(sys.argv[1], exist_ok=True)
    pidfile = os.path.join(os.path.abspath(sys.argv[1]), "target-pids")
    if os.path.exists(pidfile):
        os.remove(pidfile)
    env = dict(os.environ, BADINPUT_TIME_LIMIT="3")
    target = "sleeper=%s %s %s" % (sys.executable, os.path.join(HERE, "fake_target.py"), pidfile)
    p = subprocess.run([sys.executable, os.path.join(HERE, "..", "run.py"), "--target", target,
                        os.path.join(HERE, "fake_hotplan.py"), os.path.join(HERE, "cases.tsv"),
                        os.path.join(sys.argv[1], "run")], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True, env=env)
    report = p.stdout
    blocks = {}
    for chunk in ("\n" + report).split("\n")[1:]:
        if chunk.startswith(("FAIL ", "ok   ")):
            name = chunk[5:].split(" ")[0]
            blocks[name] = chunk
        elif blocks and chunk.startswith("     "):
            blocks[name] += "\n" + chunk
    bad = []
    for name, why in EXPECT.items():
        b = blocks.get(name, "")
        if not b.startswith("FAIL ") or why not in b:
            bad.append("run.py did not report '%s' with '%s'" % (name, why))
    for name in CONTROLS:
        if not blocks.get(name, "").startswith("ok   "):
            bad.append("run.py did not pass the control case '%s'" % name)
    alive, started = survivors(pidfile)
    if started != TARGET_CASES:
        bad.append("%d targets started, not %d" % (started, TARGET_CASES))
    if alive:
        bad.append("run.py left targets running: %s" % ", ".join(map(str, alive)))
    if p.returncode != 1:
        bad.append("run.py exited %d, not 1" % p.returncode)
    for b in bad:
        print("selftest: %s" % b)
    if bad:
        print(report)
        return 1
    print("selftest: run.py caught all %d broken promises and left no target running"
          % len(EXPECT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
