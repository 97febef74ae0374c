#!/usr/bin/env python3
"""diff_expected.py - what 'hotplan diff --format json' reports for a sample
must be exactly the change its author wrote down in expected-changes.txt.

usage: diff_expected.py HOTPLAN SAMPLE_DIR WORK_DIR

Configures SAMPLE_DIR/v1 and v2 with cmake (for compile_commands.json), runs
'hotplan diff v1 v2 --format json' on the two trees, and turns the report
into the lines of expected-changes.txt:
  module M added|removed|changed|unchanged
  symbol M S body|signature|linkage|visibility|added|removed|initializer
  state M TAG         (a state type of a module in both versions re-laid out)
  flags M added|removed FLAG   (one line per compile flag the diff names;
                                "flags M unlisted" when it cannot name them)
Every symbol of an added or removed module is an added or removed symbol.
"""
import json
import os
import subprocess
import sys

SYMBOL_KINDS = ("body", "signature", "linkage", "visibility", "added", "removed",
                "initializer")


def tag_of(name):
    for p in ("struct ", "union "):
        if name.startswith(p):
            return name[len(p):]
    return name


def lines_of(report):
    lines = set()
    for name in report["unchanged"]:
        lines.add(("module", name, "unchanged"))
    for m in report["modules"]:
        name = m["name"]
        lines.add(("module", name, m["status"]))
        if "flags" in m["changes"]:
            flags = m["flags"]
            if not flags["listed"]:
                lines.add(("flags", name, "unlisted"))
            for how in ("added", "removed"):
                for flag in flags[how]:
                    lines.add(("flags", name, how, flag))
        for s in m["symbols"]:
            for kind in s["changes"]:
                if kind in SYMBOL_KINDS:
                    lines.add(("symbol", name, s["name"], kind))
        if m["status"] == "changed":
            for t in m["states"]:
                if "state-layout" in t["changes"]:
                    lines.add(("state", name, tag_of(t["name"])))
    return lines


def expected(path):
    lines = set()
    with open(path) as fp:
        for raw in fp:
            raw = raw.rstrip("\n")
            if raw.strip() and not raw.lstrip().startswith("#"):
                lines.add(tuple(raw.split("\t")))
    return lines


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    hotplan, sample, work = (os.path.abspath(a) for a in sys.argv[1:4])
    os.makedirs(work, exist_ok=True)
    for v in ("v1", "v2"):
        subprocess.run(["cmake", "-S", os.path.join(sample, v), "-B", os.path.join(work, v)],
                       check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([hotplan, "diff", "v1", "v2", "--format", "json"], cwd=work,
                         check=True, stdout=subprocess.PIPE).stdout
    got = lines_of(json.loads(out))
    want = expected(os.path.join(sample, "expected-changes.txt"))
    for line in sorted(want - got):
        print("missing:    " + "\t".join(line))
    for line in sorted(got - want):
        print("unexpected: " + "\t".join(line))
    ok = got == want
    print("%d change lines, %s" % (len(got), "as the author wrote" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
