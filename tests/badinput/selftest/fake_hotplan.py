#!/usr/bin/env python3
"""A stand-in for the hotplan binary that breaks one promise of the
bad-input table on purpose (selftest.py runs run.py with it): the first
argument after the command names the misbehaviour. It builds the setup
fixtures (any -o) and otherwise fails with exit 2 and a positioned message,
unless the misbehaviour says otherwise. The target-* misbehaviours get the
pid of a live target (fake_target.py) after their name."""
import os
import signal
import sys
import time


def main():
    args = sys.argv[1:]
    out = args[args.index("-o") + 1] if "-o" in args else None
    if args[0] in ("analyze", "plan"):  # the setup steps of run.py
        with open(out, "w") as fp:
            fp.write("fixture\n")
        return 0
    how = args[1]
    err = "hotplan translate: error: in.appup:1:2: bad\n"
    if how == "touch-out":
        with open(out, "a") as fp:
            fp.write("half")
    elif how == "tmp-beside":
        open(os.path.join(os.path.dirname(out), ".hotplan-tmp-1-abc"), "w").close()
    elif how == "tmp-dir":
        os.mkdir(os.path.join(os.environ["TMPDIR"], "hotplan-db-abc"))
    elif how == "half-cache":
        d = os.path.join(os.environ["XDG_CACHE_HOME"], "hotplan")
        os.makedirs(d)
        with open(os.path.join(d, "0123456789abcdef.facts"), "w") as fp:
            fp.write("hotplan-cache 1 0123456789abcdef\n0\n{\"format\": \"hotplan-fa")
    elif how == "no-position":
        err = "hotplan translate: error: in.appup: bad\n"
    elif how == "ok-no-write":
        return 0
    elif how == "target-left-stopped":
        os.kill(int(args[2]), signal.SIGSTOP)
    elif how == "target-hang":
        time.sleep(3600)
    elif how.startswith("target-"):  # target-no-stop, target-control
        err = "hotplan snapshot: error: process '%s' bad\n" % args[2]
    sys.stderr.write(err)
    return 2


if __name__ == "__main__":
    sys.exit(main())
