#!/usr/bin/env python3
"""check_changes.py - the changes between the two versions of a sample, as
the analyzer's facts show them, must be exactly the sample author's
expected-changes.txt.

usage: check_changes.py HOTPLAN SAMPLE_DIR WORK_DIR

Builds the compile database of SAMPLE_DIR/v1 and v2 with cmake (configure
only), analyzes both, and derives the change lines of expected-changes.txt:
  module M added|removed|changed|unchanged  (changed: module hash or flags)
  symbol M S body|signature|linkage|visibility|added|removed|initializer
  state M TAG                               (layout hash of a state type)
  flags M added|removed FLAG                (the flags lists, as multisets,
                                             when the flags hash differs)
"""
import collections
import json
import os
import shutil
import subprocess
import sys


def facts_of(hotplan, src, work, tag):
    build = os.path.join(work, "build-" + tag)
    shutil.rmtree(build, ignore_errors=True)
    subprocess.run(["cmake", "-S", src, "-B", build], check=True,
                   stdout=subprocess.DEVNULL)
    out = os.path.join(work, tag + ".facts.json")
    subprocess.run([hotplan, "analyze", build, "-o", out], check=True)
    with open(out) as fp:
        return json.load(fp)


def symbols(m):
    out = {}
    for s in m["exports"] + m["locals"]:
        out.setdefault(s["name"], s)
    return out


def tag_of(name):
    for p in ("struct ", "union "):
        if name.startswith(p):
            return name[len(p):]
    return name


def flag_lines(name, a, b):
    if "flags" not in a or "flags" not in b:
        return {("flags", name, "unlisted")}
    before, after = collections.Counter(a["flags"]), collections.Counter(b["flags"])
    return ({("flags", name, "added", f) for f in after - before} |
            {("flags", name, "removed", f) for f in before - after})


def changes(old, new):
    lines = set()
    om = {m["name"]: m for m in old["modules"]}
    nm = {m["name"]: m for m in new["modules"]}
    for name in sorted(set(om) | set(nm)):
        if name not in nm:
            lines.add(("module", name, "removed"))
            for s in symbols(om[name]):
                lines.add(("symbol", name, s, "removed"))
            continue
        if name not in om:
            lines.add(("module", name, "added"))
            for s in symbols(nm[name]):
                lines.add(("symbol", name, s, "added"))
            continue
        a, b = om[name], nm[name]
        changed = a["hash"] != b["hash"] or a["flags_hash"] != b["flags_hash"]
        lines.add(("module", name, "changed" if changed else "unchanged"))
        if a["flags_hash"] != b["flags_hash"]:
            lines |= flag_lines(name, a, b)
        sa, sb = symbols(a), symbols(b)
        for s in set(sa) | set(sb):
            if s not in sb:
                lines.add(("symbol", name, s, "removed"))
            elif s not in sa:
                lines.add(("symbol", name, s, "added"))
            else:
                x, y = sa[s], sb[s]
                if x["linkage"] != y["linkage"]:
                    lines.add(("symbol", name, s, "linkage"))
                if x["visibility"] != y["visibility"]:
                    lines.add(("symbol", name, s, "visibility"))
                if x["sig_hash"] != y["sig_hash"]:
                    lines.add(("symbol", name, s, "signature"))
                if x["hash"] != y["hash"]:
                    kind = "body" if y["kind"] == "function" else "initializer"
                    lines.add(("symbol", name, s, kind))
        ta = {tag_of(t["name"]): t for t in a["states"]}
        tb = {tag_of(t["name"]): t for t in b["states"]}
        for t in set(ta) & set(tb):
            if ta[t]["layout_hash"] != tb[t]["layout_hash"]:
                lines.add(("state", name, t))
    return lines


def expected(path):
    lines = set()
    with open(path) as fp:
        for raw in fp:
            raw = raw.rstrip("\n")
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            lines.add(tuple(raw.split("\t")))
    return lines


def main():
    hotplan, sample, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    old = facts_of(hotplan, os.path.join(sample, "v1"), work, "v1")
    new = facts_of(hotplan, os.path.join(sample, "v2"), work, "v2")
    got = changes(old, new)
    want = expected(os.path.join(sample, "expected-changes.txt"))
    ok = True
    for line in sorted(want - got):
        print("missing:    " + "\t".join(line))
        ok = False
    for line in sorted(got - want):
        print("unexpected: " + "\t".join(line))
        ok = False
    print("%d change lines, %s" % (len(got), "as expected" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
