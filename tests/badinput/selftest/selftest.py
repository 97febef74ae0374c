#!/usr/bin/env python3
"""Self-test of tests/badinput/run.py: runs it on cases.tsv here with
fake_hotplan.py, which breaks one promise per case, and checks that run.py
reports each as failing for the right reason and passes the control case.

Usage: selftest.py WORKDIR"""
import os
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
}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    p = subprocess.run([sys.executable, os.path.join(HERE, "..", "run.py"),
                        os.path.join(HERE, "fake_hotplan.py"), os.path.join(HERE, "cases.tsv"),
                        sys.argv[1]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
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
    if not blocks.get("control", "").startswith("ok   "):
        bad.append("run.py did not pass the control case")
    if p.returncode != 1:
        bad.append("run.py exited %d, not 1" % p.returncode)
    for b in bad:
        print("selftest: %s" % b)
    if bad:
        print(report)
        return 1
    print("selftest: run.py caught all %d broken promises" % len(EXPECT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
