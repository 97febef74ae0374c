#!/usr/bin/env python3
"""tests/programs: hotplan on a tree that builds three programs.

run.py CASE HOTPLAN TREE WORKDIR

The tree (tree/) builds 'server', 'client' and 'bench', all linking the
static library 'shared' (lib/proto.c, lib/store.c). The server spawns the
acceptor and the store's flusher (a routine of the library), bench spawns
bench_worker; client and server each define a global 'helper'
(client/util.c, server/util.c), client and bench a static 'usage'. NEW
changes the flusher's loop (store), the server's helper and bench's worker.

Cases:
  check_one           check --program server/bench: only that program's
                      processes and modules, in the text and the SARIF report
  check_each          check without --program: one section per program,
                      exit status the worst
  plan_refuses        plan without --program (and with an unknown one):
                      exit 2 listing the programs, nothing on stdout; plan
                      and simulate --program server: the runtime holds the
                      server's processes only
  infer_equals_cmake  the programs inferred from compile_commands.json are
                      CMake's targets read through its file API (the source
                      folder and the build folder), as 'hotplan graph'
                      clusters them and as the facts list them
  old_facts           facts without programs are one program, as before
  bad_facts           a program naming a module the facts lack: exit 2 with
                      file:line:column
"""
import json
import os
import re
import shutil
import subprocess
import sys

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def run(hp, *args, code=None):
    p = subprocess.run([hp] + list(args), capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR="1"))
    if code is not None and p.returncode != code:
        FAILS.append("hotplan %s: exit %d, expected %d\n%s%s" % (
            " ".join(args), p.returncode, code, p.stdout, p.stderr))
        print(FAILS[-1])
    return p


def trees(tree, work):
    """OLD and NEW copies of the tree."""
    old, new = os.path.join(work, "v1"), os.path.join(work, "v2")
    for d in (old, new):
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(tree, d)

    def edit(path, a, b):
        p = os.path.join(new, path)
        with open(p) as fp:
            s = fp.read()
        assert a in s, (path, a)
        with open(p, "w") as fp:
            fp.write(s.replace(a, b))
    edit("lib/store.c", "table[0]++;", "table[0] += 2;")
    edit("server/util.c", "return x * 2;", "return x * 3;")
    edit("bench/bench.c", "store_get(c)));", "store_get(c) + 1));")
    return old, new


def cache_args(work):
    return ["--cache", os.path.join(work, "cache")]


def case_check_one(hp, tree, work):
    old, new = trees(tree, work)
    sarif = os.path.join(work, "server.sarif")
    p = run(hp, "check", "--program", "server", old, new, "--sarif", sarif, *cache_args(work), code=1)
    out = p.stdout
    check("server:acceptor" in out and "store:store_flusher" in out,
          "server's processes in its report:\n" + out)
    check("bench_worker" not in out, "no thread of bench in the server's report:\n" + out)
    check("load_module server/util" in out and "load_module store" in out,
          "the server's changed modules:\n" + out)
    check(not re.search(r"\bbench\b", out) and "client" not in out,
          "no module of bench or client in the server's report:\n" + out)
    with open(sarif) as fp:
        doc = json.load(fp)
    text = json.dumps(doc)
    results = doc["runs"][0]["results"]
    check(len(results) == 1 and "store:store_flusher" in results[0]["message"]["text"],
          "SARIF: one result, the flusher killed: %s" % [r["message"]["text"] for r in results])
    check("bench_worker" not in text and "bench/bench.c" not in text,
          "SARIF names nothing of bench")

    p = run(hp, "check", "--program", "bench", old, new, *cache_args(work), code=1)
    out = p.stdout
    check("bench:bench_worker" in out, "bench's worker in its report:\n" + out)
    check("store_flusher" not in out and "acceptor" not in out,
          "the flusher is spawned by the server only: not in bench's report:\n" + out)
    check("server/util" not in out, "no server module in bench's report:\n" + out)

    p = run(hp, "check", "--program", "client", old, new, *cache_args(work), code=0)
    check("0 processes killed" in p.stdout, "client runs no thread:\n" + p.stdout)


def case_check_each(hp, tree, work):
    old, new = trees(tree, work)
    p = run(hp, "check", old, new, *cache_args(work), code=1)
    heads = re.findall(r"^== program (\S+) ==$", p.stdout, re.M)
    check(heads == ["bench", "client", "server"], "one section per program: %s" % heads)
    parts = re.split(r"^== program \S+ ==$", p.stdout, flags=re.M)[1:]
    if len(parts) == 3:
        check("FORBIDDEN" in parts[0] and "bench:bench_worker" in parts[0], "bench forbidden")
        check(parts[1].count("OK: the policy allows") == 1, "client allowed:\n" + parts[1])
        check("FORBIDDEN" in parts[2] and "store:store_flusher" in parts[2] and
              "bench_worker" not in parts[2], "server forbidden, its own processes")
    p = run(hp, "check", old, new, "--sarif", os.path.join(work, "x.sarif"), *cache_args(work), code=2)
    check("bench, client, server" in p.stderr and p.stdout == "" and
          not os.path.exists(os.path.join(work, "x.sarif")),
          "--sarif without --program: refused, names listed, nothing written: " + p.stderr)


def case_plan_refuses(hp, tree, work):
    old, new = trees(tree, work)
    p = run(hp, "plan", old, new, *cache_args(work), code=2)
    check(p.stdout == "", "plan without --program writes nothing")
    check("builds several programs (bench, client, server)" in p.stderr and "--program" in p.stderr,
          "plan without --program names them: " + p.stderr)
    p = run(hp, "plan", "--program", "nosuch", old, new, *cache_args(work), code=2)
    check(p.stdout == "" and "no program 'nosuch'" in p.stderr and "bench, client, server" in p.stderr,
          "an unknown program: the names: " + p.stderr)
    p = run(hp, "plan", "--program", "client", old, new, *cache_args(work), code=0)
    check("{load,{store," in p.stdout.replace(" ", ""),
          "client's plan loads store:\n" + p.stdout)
    check("server/util" not in p.stdout and "bench" not in p.stdout,
          "client's plan holds no module of the others:\n" + p.stdout)
    # the runtime built from facts holds the chosen program's processes only
    script = os.path.join(work, "server.script")
    run(hp, "plan", "--program", "server", old, new, "-o", script, *cache_args(work), code=0)
    p = run(hp, "simulate", script, "--facts", old, "--program", "server", "--until", "permanent",
            code=1)
    check("(store:store_flusher): killed" in p.stdout, "the server's flusher killed:\n" + p.stdout)
    p = run(hp, "simulate", script, "--facts", old, "--program", "bench", "--until", "permanent",
            code=0)
    check("store_flusher" not in p.stdout, "bench runs no flusher:\n" + p.stdout)
    p = run(hp, "simulate", script, "--facts", old, code=2)
    check("bench, client, server" in p.stderr and p.stdout == "", "simulate names them: " + p.stderr)


def graph_programs(dot):
    """{program: modules} and the programs' source, from the clusters of
    'hotplan graph -T dot'."""
    progs, source = {}, set()
    for m in re.finditer(r'subgraph "cluster_program_([^"]+)" \{\n(.*?)\n  \}', dot, re.S):
        names = m.group(1).split(",")
        mods = re.findall(r'id="mod:([^"]+)"', m.group(2))
        source.update(re.findall(r"\(programs: (\w+)\)", m.group(2)))
        for n in names:
            progs.setdefault(n, set()).update(mods)
    return progs, source


def case_infer_equals_cmake(hp, tree, work):
    src = os.path.join(work, "src")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(tree, src)
    build = os.path.join(work, "build")
    shutil.rmtree(build, ignore_errors=True)
    subprocess.run(["cmake", "-S", src, "-B", build], check=True, capture_output=True)
    db = os.path.join(build, "compile_commands.json")

    inferred, isrc = graph_programs(run(hp, "graph", "-T", "dot", db, "--no-cache", code=0).stdout)
    cmake_src, csrc = graph_programs(run(hp, "graph", "-T", "dot", src, "--no-cache", code=0).stdout)
    p = run(hp, "graph", "-T", "dot", build, "--no-cache", code=0)
    cmake_build, bsrc = graph_programs(p.stdout)
    check(isrc == {"inferred"} and csrc == {"cmake"} and bsrc == {"cmake"},
          "sources: %s %s %s" % (isrc, csrc, bsrc))
    want = {"server": {"server", "server/util", "proto", "store"},
            "client": {"client", "client/util", "proto", "store"},
            "bench": {"bench", "proto", "store"}}
    check(cmake_src == want, "CMake's targets: %s" % cmake_src)
    check(inferred == cmake_src, "inferred %s\n  != CMake's %s" % (inferred, cmake_src))
    check(cmake_build == cmake_src, "the build folder's %s != the source folder's" % cmake_build)
    facts = json.loads(run(hp, "analyze", db, "--no-cache", code=0).stdout)
    listed = {p["name"]: set(p["modules"]) for p in facts.get("programs", [])}
    check(listed == inferred, "the facts' programs %s are the graph's" % listed)
    check(all(p["source"] == "inferred" and p["kind"] == "executable" for p in facts["programs"]),
          "inferred executables")
    # analyze of the build folder itself reads CMake's targets, as graph does
    facts = json.loads(run(hp, "analyze", build, "--no-cache", code=0).stdout)
    listed = {p["name"]: set(p["modules"]) for p in facts.get("programs", [])}
    check(listed == cmake_src, "analyze BUILD: the facts' programs %s are CMake's" % listed)
    check(all(p["source"] == "cmake" for p in facts["programs"]), "analyze BUILD: source cmake")


def case_old_facts(hp, tree, work):
    build = os.path.join(work, "build-old")
    shutil.rmtree(build, ignore_errors=True)
    subprocess.run(["cmake", "-S", tree, "-B", build], check=True, capture_output=True)
    facts = json.loads(run(hp, "analyze", os.path.join(build, "compile_commands.json"),
                           "--no-cache", code=0).stdout)
    del facts["programs"]
    path = os.path.join(work, "old.json")
    with open(path, "w") as fp:
        json.dump(facts, fp)
    p = run(hp, "plan", path, path, code=0)
    check(p.stderr == "" or "program" not in p.stderr, "no programs: one program, planned")
    p = run(hp, "plan", "--program", "server", path, path, code=2)
    check("no program 'server'" in p.stderr and "one program" in p.stderr, p.stderr)


def case_bad_facts(hp, tree, work):
    build = os.path.join(work, "build-bad")
    shutil.rmtree(build, ignore_errors=True)
    subprocess.run(["cmake", "-S", tree, "-B", build], check=True, capture_output=True)
    text = run(hp, "analyze", os.path.join(build, "compile_commands.json"), "--no-cache", code=0).stdout
    bad = text.replace('"modules": ["bench", "proto", "store"]', '"modules": ["bench", "nosuch"]')
    check(bad != text, "the fixture edit applies")
    path = os.path.join(work, "bad.json")
    with open(path, "w") as fp:
        fp.write(bad)
    out = os.path.join(work, "bad.out")
    p = run(hp, "plan", "--program", "bench", path, path, "-o", out, code=2)
    check(re.search(r"bad\.json:\d+:\d+: .*program 'bench' names module 'nosuch'", p.stderr),
          "positioned error: " + p.stderr)
    check(not os.path.exists(out), "nothing written")


def main():
    case, hp, tree, work = sys.argv[1:5]
    work = os.path.join(work, case)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    globals()["case_" + case](hp, tree, work)
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        return 1
    print("ok: " + case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
