#!/usr/bin/env python3
"""check_processes.py - the threads the analyzer finds in each version of a
sample must be exactly the sample author's expected-processes.txt.

usage: check_processes.py HOTPLAN SAMPLE_DIR WORK_DIR

expected-processes.txt lines (tab-separated, '#' comments):
  ENTRY_FUNCTION MODULE local|qualified|blocked SPAWNED_IN_FUNCTION
and they hold for every version folder (v1, v2) of the sample.
"""
import json
import os
import shutil
import subprocess
import sys


def main():
    hotplan, sample, work = sys.argv[1:4]
    want = set()
    with open(os.path.join(sample, "expected-processes.txt")) as fp:
        for line in fp:
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                want.add(tuple(line.split("\t")))
    ok = True
    for v in sorted(d for d in os.listdir(sample) if d.startswith("v")):
        build = os.path.join(work, "build-" + v)
        shutil.rmtree(build, ignore_errors=True)
        subprocess.run(["cmake", "-S", os.path.join(sample, v), "-B", build], check=True,
                       stdout=subprocess.DEVNULL)
        facts = json.loads(subprocess.run([hotplan, "analyze", build], check=True,
                                          capture_output=True, text=True).stdout)
        got = {(e["function"], m["name"], e["next_call"], e["spawned_in"])
               for m in facts["modules"] for e in m["entries"]}
        for line in sorted(want - got):
            print("%s missing:    %s" % (v, "\t".join(line)))
            ok = False
        for line in sorted(got - want):
            print("%s unexpected: %s" % (v, "\t".join(line)))
            ok = False
        print("%s: %d threads" % (v, len(got)))
    print("as expected" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
