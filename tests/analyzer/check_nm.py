#!/usr/bin/env python3
"""check_nm.py - the toolchain agrees with the analyzer.

usage: check_nm.py HOTPLAN SOURCE_DIR WORK_DIR

Takes the compile_commands.json of SOURCE_DIR (configured with cmake when
it is a CMake project, as the sample is; else written here with one
'cc -std=c11 -c FILE' per .c file, as for an analyzer fixture), compiles
every unit with its own flags from the database, reads the objects with
nm, and checks against 'hotplan analyze':
  - exports per module: the defined global symbols nm lists
    (T D B R C G S, and the weak definitions W V);
  - module edges: A -> B when A's object has an undefined symbol (U, or the
    weak undefined w v) that B's object defines;
  - the symbols behind each edge: A -> B by S for each such symbol S, so a
    reference missed is seen even when another keeps the edge.
How the two agree on the corner cases:
  - static inline functions and C99 inline definitions emit no global
    symbol: nm shows none, the analyzer lists them as locals (a C99 inline
    function is exported by the unit holding its extern declaration, as nm
    shows it);
  - a call to a C99 inline function is an undefined symbol at -O0 (the
    sample builds without -O), and the analyzer records it as a call to the
    module that emits it;
  - a weak undefined reference (w) is a reference like U: when a module
    defines the symbol the edge exists, when none does there is no edge;
  - the analyzer's qualified references (hot_lookup("m", "f")) are calls at
    run time through the export table, invisible to the linker, so they are
    left out of the comparison.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys

DEFINED = set("TDBRCGSWV")
UNDEFINED = set("Uwv")


def database(src, build):
    """The compile database of src, written into build."""
    if os.path.exists(os.path.join(src, "CMakeLists.txt")):
        subprocess.run(["cmake", "-S", src, "-B", build], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(build, "compile_commands.json")) as fp:
            return json.load(fp)
    src = os.path.abspath(src)
    db = [{"directory": src, "file": f, "arguments": ["cc", "-std=c11", "-c", f, "-o", f[:-2] + ".o"]}
          for f in sorted(os.listdir(src)) if f.endswith(".c")]
    if not db:
        sys.exit("no .c file in %s" % src)
    os.makedirs(build)
    with open(os.path.join(build, "compile_commands.json"), "w") as fp:
        json.dump(db, fp, indent=1)
    return db


def main():
    hotplan, src, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    build = os.path.join(work, "build")
    objs = os.path.join(work, "objs")
    os.makedirs(objs)
    db = database(src, build)
    facts_path = os.path.join(work, "facts.json")
    subprocess.run([hotplan, "analyze", build, "-o", facts_path], check=True)
    with open(facts_path) as fp:
        facts = json.load(fp)

    # module of each source file, from the facts' own file lists
    module_of = {}
    for m in facts["modules"]:
        for f in m["files"]:
            module_of[f] = m["name"]

    def module_for(path):
        path = os.path.realpath(path)
        hits = [m for f, m in module_of.items() if path == f or path.endswith("/" + f)]
        if len(hits) != 1:
            sys.exit("cannot tell the module of %s" % path)
        return hits[0]

    nm_exports, nm_undef = {}, {}
    for i, cmd in enumerate(db):
        args = cmd.get("arguments") or shlex.split(cmd["command"])
        out = os.path.join(objs, "%d.o" % i)
        clean, skip = [], False
        for a in args:
            if skip:
                skip = False
                continue
            if a == "-o":
                skip = True
                continue
            if a.startswith("-o") and len(a) > 2:
                continue
            clean.append(a)
        subprocess.run(clean + ["-o", out], cwd=cmd["directory"], check=True)
        src_file = os.path.join(cmd["directory"], cmd["file"])
        mod = module_for(src_file)
        text = subprocess.run(["nm", "-P", out], check=True, capture_output=True,
                              text=True).stdout
        for line in text.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            name, kind = parts[0], parts[1]
            if kind in DEFINED:
                nm_exports.setdefault(mod, set()).add(name)
            elif kind in UNDEFINED:
                nm_undef.setdefault(mod, set()).add(name)

    definer = {}
    for mod, names in nm_exports.items():
        for n in names:
            definer.setdefault(n, set()).add(mod)
    nm_edges, nm_refs = set(), set()
    for mod, names in nm_undef.items():
        for n in names:
            for d in definer.get(n, ()):
                if d != mod:
                    nm_edges.add((mod, d))
                    nm_refs.add((mod, d, n))

    an_exports = {m["name"]: {s["name"] for s in m["exports"]} for m in facts["modules"]}
    an_edges, an_refs = set(), set()
    for m in facts["modules"]:
        for r in m["refs"]:
            if r["kind"] != "qualified":
                an_edges.add((m["name"], r["module"]))
                an_refs.add((m["name"], r["module"], r["symbol"]))

    ok = True
    for mod in sorted(set(an_exports) | set(nm_exports)):
        a, n = an_exports.get(mod, set()), nm_exports.get(mod, set())
        if a != n:
            ok = False
            print("exports of %s: analyzer only %s, nm only %s"
                  % (mod, sorted(a - n), sorted(n - a)))
    for e in sorted(an_edges - nm_edges):
        ok = False
        print("edge %s -> %s: analyzer only" % e)
    for e in sorted(nm_edges - an_edges):
        ok = False
        print("edge %s -> %s: nm only" % e)
    for e in sorted(an_refs - nm_refs):
        ok = False
        print("reference %s -> %s by '%s': analyzer only" % e)
    for e in sorted(nm_refs - an_refs):
        ok = False
        print("reference %s -> %s by '%s': nm only" % e)
    print("%d modules, %d exports, %d edges, %d references: %s" % (
        len(an_exports), sum(len(v) for v in an_exports.values()), len(an_edges), len(an_refs),
        "analyzer and nm agree" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
