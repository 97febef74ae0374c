#!/usr/bin/env python3
"""A stand-in for a live target of the bad-input table (selftest.py names
it with run.py's --target): appends its pid to the file named by its
argument, prints 'ready' and sleeps until SIGKILL. It ignores SIGTERM and
undoes the parent-death signal run.py gives it, so only run.py's own stop
ends it: selftest.py then finds any target run.py left running."""
import ctypes
import os
import signal
import sys
import time


def main():
    ctypes.CDLL(None).prctl(1, 0)  # PR_SET_PDEATHSIG: none
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with open(sys.argv[1], "a") as fp:
        fp.write("%d\n" % os.getpid())
    print("ready", flush=True)
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
