#!/usr/bin/env python3
"""tree_options.py CASE HOTPLAN WORK - the tree options every analyzing
command shares, and the source root the facts record.

source_root  'hotplan analyze' records in the facts the folder their relative
             paths are relative to: the folder common to the .c files, as the
             file system resolves it (os.path.realpath); merge of --tu units
             records the same. 'hotplan check --sarif' on facts files, on the
             folders themselves and on facts written before the field existed:
             SRCROOT is that folder, every result's location is a file that
             exists under it; without the field, no SRCROOT (as before); a
             relative source_root is refused with its position, exit 2.
keep_going   --keep-going on check reports every unit that does not parse,
             positioned, with the rest of the report, exit 3; on plan and
             diff the command goes on (exit 0) and says which module is
             incomplete; without it the first failure stops them (exit 3).
cache        --cache DIR on plan and diff fills DIR with per-unit facts and a
             second run gives the same output; -j 1 the same again;
             --no-cache writes nothing there.
"""
import json
import os
import shutil
import subprocess
import sys

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def run(hp, *args, code=None):
    p = subprocess.run([hp] + list(args), capture_output=True, text=True)
    if code is not None:
        check(p.returncode == code, "%s: exit %d, wanted %d\n%s" % (" ".join(args), p.returncode,
                                                                     code, p.stderr))
    return p


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_trees(work, broken=True):
    """OLD and NEW, plain folders of .c files in src/x and src/y; NEW's b.c
    does not parse when broken."""
    old, new = os.path.join(work, "old"), os.path.join(work, "new")
    for t in (old, new):
        shutil.rmtree(t, ignore_errors=True)
    write(os.path.join(old, "src", "x", "a.c"), "int a(void) { return 1; }\n")
    write(os.path.join(old, "src", "y", "b.c"), "int b(void) { return 2; }\n")
    write(os.path.join(new, "src", "x", "a.c"), "int a(void) { return 3; }\n")
    write(os.path.join(new, "src", "y", "b.c"),
          "int b(void) { return 2 +; }\n" if broken else "int b(void) { return 4; }\n")
    return old, new


def c_folder(tree):
    """The folder common to the tree's .c files, resolved by the file system."""
    dirs = []
    for d, _, files in os.walk(tree):
        if any(f.endswith(".c") for f in files):
            dirs.append(os.path.realpath(d))
    return os.path.commonpath(dirs)


def sarif_root_and_files(path):
    with open(path) as f:
        doc = json.load(f)
    run_ = doc["runs"][0]
    base = run_.get("originalUriBaseIds", {}).get("SRCROOT", {}).get("uri")
    files = []
    for r in run_["results"]:
        for loc in r.get("locations", []):
            art = loc["physicalLocation"]["artifactLocation"]
            files.append((art.get("uriBaseId"), art["uri"]))
    return base, files


def case_source_root(hp, work):
    old, new = make_trees(work)
    of, nf = os.path.join(work, "old.facts"), os.path.join(work, "new.facts")
    run(hp, "analyze", old, "-o", of, code=0)
    run(hp, "analyze", new, "--keep-going", "-o", nf, code=0)
    with open(nf) as f:
        facts = json.load(f)
    want = c_folder(new)
    check(facts.get("source_root") == want,
          "facts source_root %r, the .c files' folder is %r" % (facts.get("source_root"), want))

    # merge of per-unit facts records the same folder
    units = []
    for rel in ("src/x/a.c",):
        u = os.path.join(work, "unit-%d.facts" % len(units))
        run(hp, "analyze", old, "--tu", os.path.join(old, rel), "-o", u, code=0)
        units.append(u)
    merged = json.loads(run(hp, "merge", *units, code=0).stdout)
    check(merged.get("source_root") == c_folder(old),
          "merge's source_root %r, wanted %r" % (merged.get("source_root"), c_folder(old)))

    def sarif_of(old_arg, new_arg, name, code):
        out = os.path.join(work, name)
        run(hp, "check", old_arg, new_arg, "--no-cache", "--keep-going", "--sarif", out, code=code)
        return sarif_root_and_files(out)

    for label, o, n in (("facts files", of, nf), ("folders", old, new)):
        base, files = sarif_of(o, n, "check-%s.sarif" % label.replace(" ", "-"), 3)
        check(base == "file://" + want + "/", "%s: SRCROOT %r, wanted %r" % (label, base, want))
        check(files, "%s: the report has located results" % label)
        for bid, uri in files:
            check(bid == "SRCROOT" and os.path.isfile(os.path.join(want, uri)),
                  "%s: location %r (base %r) is not a file under %s" % (label, uri, bid, want))

    # facts written before source_root existed: no SRCROOT, as before
    del facts["source_root"]
    legacy = os.path.join(work, "legacy.facts")
    with open(legacy, "w") as f:
        json.dump(facts, f, indent=2)
    base, files = sarif_of(of, legacy, "legacy.sarif", 3)
    check(base is None, "older facts: SRCROOT %r, wanted none" % base)
    check(files and all(bid is None for bid, _ in files), "older facts: relative locations")

    # a relative source_root is refused where it stands
    text = open(nf).read().replace('"source_root": "/', '"source_root": "', 1)
    bad = os.path.join(work, "bad.facts")
    with open(bad, "w") as f:
        f.write(text)
    line = next(i for i, l in enumerate(text.split("\n"), 1) if '"source_root"' in l)
    p = run(hp, "check", of, bad, "--no-cache", code=2)
    check("bad.facts:%d:" % line in p.stderr and "'source_root' must be an absolute folder"
          in p.stderr, "relative source_root: %s" % p.stderr)


def case_keep_going(hp, work):
    old, new = make_trees(work)
    p = run(hp, "check", old, new, "--no-cache", code=3)
    check("b.c:1:25" not in p.stdout, "without --keep-going check stops at the failure")
    sarif = os.path.join(work, "kg.sarif")
    p = run(hp, "check", old, new, "--no-cache", "--keep-going", "--sarif", sarif, code=3)
    check("error: y/b.c:1:25: expected expression" in p.stdout,
          "check --keep-going: positioned parse error\n" + p.stdout)
    check("load_module a" in p.stdout, "check --keep-going: the rest of the report\n" + p.stdout)
    check("marked incomplete" in p.stderr, "check --keep-going: warning\n" + p.stderr)
    run(hp, "plan", old, new, "--no-cache", code=3)
    p = run(hp, "plan", old, new, "--no-cache", "--keep-going", code=0)
    check("{load,{a,brutal_purge,brutal_purge}}." in p.stdout and "marked incomplete" in p.stderr,
          "plan --keep-going\n" + p.stdout + p.stderr)
    p = run(hp, "diff", old, new, "--no-cache", "--keep-going", code=0)
    check("marked incomplete" in p.stderr, "diff --keep-going\n" + p.stderr)


def case_cache(hp, work):
    old, new = make_trees(work, broken=False)
    for cmd in ("plan", "diff"):
        cache = os.path.join(work, cmd + "-cache")
        shutil.rmtree(cache, ignore_errors=True)
        first = run(hp, cmd, old, new, "--cache", cache, code=0).stdout
        entries = [f for _, _, fs in os.walk(cache) for f in fs]
        check(len(entries) >= 4, "%s --cache: %d files in the cache" % (cmd, len(entries)))
        check(run(hp, cmd, old, new, "--cache", cache, code=0).stdout == first,
              "%s: the cached run differs" % cmd)
        check(run(hp, cmd, old, new, "--cache", cache, "-j", "1", code=0).stdout == first,
              "%s -j 1 differs" % cmd)
        empty = os.path.join(work, cmd + "-none")
        shutil.rmtree(empty, ignore_errors=True)
        os.makedirs(empty)
        env_out = subprocess.run([hp, cmd, old, new, "--no-cache"], capture_output=True,
                                 text=True, env=dict(os.environ, XDG_CACHE_HOME=empty))
        check(env_out.returncode == 0 and env_out.stdout == first and not os.listdir(empty),
              "%s --no-cache: %s, cache %r" % (cmd, env_out.returncode, os.listdir(empty)))


def main(argv):
    if len(argv) != 4:
        print(__doc__)
        return 2
    case, hp, work = argv[1], os.path.abspath(argv[2]), os.path.join(os.path.abspath(argv[3]),
                                                                       argv[1])
    fn = globals().get("case_" + case)
    if not fn:
        print("unknown case '%s'" % case)
        return 2
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    fn(hp, work)
    print("%s: %s" % (case, "%d check(s) failed" % len(FAILS) if FAILS else "all checks passed"))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
