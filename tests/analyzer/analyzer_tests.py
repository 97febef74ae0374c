#!/usr/bin/env python3
"""analyzer_tests.py - end-to-end tests of 'hotplan analyze' and
'hotplan merge' on the fixtures beside this file.

usage: analyzer_tests.py HOTPLAN CASE [WORK_DIR]

Each case runs the real binary on a fixture and checks what a user sees:
the facts written, the exit status, the messages.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def run(hp, *args, code=0, stdin=None):
    p = subprocess.run([hp] + list(args), capture_output=True, text=True, input=stdin)
    if code is not None and p.returncode != code:
        raise Fail("hotplan %s: exit %d, wanted %d\nstdout: %s\nstderr: %s"
                   % (" ".join(args), p.returncode, code, p.stdout[-2000:], p.stderr[-2000:]))
    return p


def analyze(hp, tree, *extra, code=0):
    p = run(hp, "analyze", tree, *extra, code=code)
    return json.loads(p.stdout) if code == 0 else p


def mod(facts, name):
    for m in facts["modules"]:
        if m["name"] == name:
            return m
    raise Fail("no module '%s' in %s" % (name, [m["name"] for m in facts["modules"]]))


def names(syms):
    return sorted(s["name"] for s in syms)


def sym(m, name):
    for s in m["exports"] + m["locals"]:
        if s["name"] == name:
            return s
    raise Fail("no symbol '%s' in module %s" % (name, m["name"]))


def edges(facts):
    return {(e["from"], e["to"]): e for e in facts["edges"]}


def fixture(name):
    return os.path.join(FIX, name)


# ---- cases ------------------------------------------------------------------

def case_static_extern(hp, work):
    f = analyze(hp, fixture("static_extern"))
    a = mod(f, "a")
    check(names(a["exports"]) == ["counter", "get_hidden", "pub"], "exports of a: %s" % names(a["exports"]))
    check(names(a["locals"]) == ["hidden_counter", "priv"], "locals of a: %s" % names(a["locals"]))
    check(sym(a, "priv")["linkage"] == "internal" and sym(a, "pub")["linkage"] == "external", "linkage")
    check(sym(a, "pub")["signature"] == "int (int)", "signature of pub")
    e = edges(f)
    check(set(e) == {("b", "a")} and e[("b", "a")]["kinds"] == ["call"], "edges: %s" % f["edges"])
    r = mod(f, "b")["refs"][0]
    check(r["symbol"] == "pub" and r["from"] == "use" and r["kind"] == "call", "ref: %s" % r)
    check(r["loc"]["file"] == "b.c" and r["loc"]["line"] == 2, "ref location: %s" % r["loc"])


def case_decls_only(hp, work):
    f = analyze(hp, fixture("decls_only"))
    u = mod(f, "user")
    check(names(u["exports"]) == ["user"], "declarations are not definitions: %s" % names(u["exports"]))
    check(u["locals"] == [] and u["refs"] == [] and f["edges"] == [], "nothing else")


def case_variables(hp, work):
    f = analyze(hp, fixture("variables"))
    v = mod(f, "vars")
    check(names(v["exports"]) == ["bump", "initialized", "ro", "tentative"],
          "exports: %s" % names(v["exports"]))
    check(names(v["locals"]) == ["file_static"], "locals: %s" % names(v["locals"]))
    check(sym(v, "initialized")["kind"] == "variable", "kind")
    check(sym(v, "initialized")["hash"] != "0000000000000000", "initializer hashed")
    check(sym(v, "tentative")["hash"] == "0000000000000000", "no initializer, no hash")
    r = {(x["symbol"], x["kind"]) for x in mod(f, "reader")["refs"]}
    check(r == {("initialized", "data"), ("ro", "data"), ("tentative", "address")}, "refs: %s" % r)
    check(edges(f)[("reader", "vars")]["kinds"] == ["address", "data"], "edge kinds")


def case_address_taken(hp, work):
    f = analyze(hp, fixture("address_taken"))
    t = mod(f, "table")
    r = sorted((x["symbol"], x["kind"], x["from"]) for x in t["refs"])
    check(r == [("on_ping", "address", "handlers"), ("on_ping", "address", "pick"),
                ("on_pong", "address", "handlers"), ("on_pong", "address", "pick")], "refs: %s" % r)
    check(edges(f)[("table", "handlers")]["kinds"] == ["address"], "edge")


def case_macro_calls(hp, work):
    f = analyze(hp, fixture("macro_calls"))
    r = mod(f, "app")["refs"]
    check([(x["symbol"], x["kind"], x["from"]) for x in r] == [("log_write", "call", "app")],
          "a call through a macro is a call: %s" % r)
    check(r[0]["loc"]["line"] == 4, "located at the macro's use")


def case_expr_shapes(hp, work):
    # the kind of each reference, whatever the shape of the expression that
    # names the function (which references exist is check_nm.py's job)
    f = analyze(hp, fixture("expr_shapes"))
    got = sorted((x["from"], x["symbol"], x["kind"]) for x in mod(f, "user")["refs"])
    want = sorted([("shapes", s, "call") for s in (
        "paren_call", "paren_deep", "paren_star", "paren_amp", "cond_yes", "cond_no", "cond_live",
        "comma_note", "comma_call", "cast_call", "cast_long", "gen_int", "gen_same_int",
        "assign_call")] + [("shapes", "cast_addr", "address"), ("table", "init_table", "address")] +
        [("inits", s, "address") for s in ("init_local", "init_static", "init_member", "init_compound")])
    check(got == want, "refs of user: %s" % got)
    got = sorted((x["from"], x["symbol"], x["kind"]) for x in mod(f, "macro_user")["refs"])
    want = sorted([("via_macros", s, "call") for s in (
        "mac_paren", "mac_cond_a", "mac_cond_b", "mac_gen_int", "mac_comma", "mac_cast")] +
        [("via_macros", "mac_addr", "address"), ("via_same_name", "clamp", "address"),
         ("via_same_name", "clamp", "call"), ("via_same_name", "clamp_fast", "call"),
         ("via_same_name", "scale", "call")])
    check(got == want, "refs of macro_user: %s" % got)
    r = {(x["symbol"], x["kind"]): x["loc"] for x in mod(f, "user")["refs"]}
    check(r[("paren_call", "call")] == {"file": "user.c", "line": 21, "col": 11},
          "located at the name: %s" % r[("paren_call", "call")])
    # a call through a shape is a direct call: a loop waiting in (poll)(...)
    # is blocked, one calling (c ? f : g)(x) is not a call through a pointer
    d = os.path.join(work, "loops")
    os.makedirs(d)
    with open(os.path.join(d, "srv.c"), "w") as fp:
        fp.write("#include <poll.h>\n#include <pthread.h>\nint step(int);\nint stop(int);\n"
                 "static void *waiting(void *a) { for (;;) (poll)(0, 0, -1); return a; }\n"
                 "static void *working(void *a) { for (int i = 0;; i++) (i ? step : stop)(i); return a; }\n"
                 "void start(void) { pthread_t t; pthread_create(&t, 0, waiting, 0);"
                 " pthread_create(&t, 0, working, 0); }\n")
    with open(os.path.join(d, "step.c"), "w") as fp:
        fp.write("int step(int x) { return x; }\nint stop(int x) { return -x; }\n")
    e = {x["function"]: x["next_call"] for x in mod(analyze(hp, d), "srv")["entries"]}
    check(e == {"waiting": "blocked", "working": "local"}, "entries: %s" % e)


def case_inline_headers(hp, work):
    f = analyze(hp, fixture("inline_headers"))
    u, ut = mod(f, "user"), mod(f, "util")
    check(names(ut["exports"]) == ["twice"], "the extern inline declaration exports: %s" % names(ut["exports"]))
    check(names(u["exports"]) == ["user"], "user exports: %s" % names(u["exports"]))
    # used header functions are locals of the user; unused ones are not reported
    check(names(u["locals"]) == ["sq", "twice"], "user locals: %s" % names(u["locals"]))
    check(sym(u, "sq")["inline"] and sym(u, "sq")["loc"]["file"] == "util.h", "sq is inline, in util.h")
    check(sym(u, "twice")["linkage"] == "external" and sym(u, "twice")["inline"], "twice is a C99 inline")
    r = [(x["symbol"], x["kind"]) for x in u["refs"]]
    check(r == [("twice", "call")], "a C99 inline call goes to the emitting module: %s" % r)
    check(set(edges(f)) == {("user", "util")}, "edges: %s" % f["edges"])


def case_visibility(hp, work):
    f = analyze(hp, fixture("visibility"))
    v = mod(f, "vis")
    got = {s["name"]: s["visibility"] for s in v["exports"]}
    check(got == {"vis_hidden": "hidden", "vis_protected": "protected", "vis_default": "default"},
          "visibility: %s" % got)


def case_multi_main(hp, work):
    f = analyze(hp, fixture("multi_main"))
    check([m["name"] for m in f["modules"]] == ["tool1", "tool2", "tool3"], "modules")
    for m in ("tool1", "tool2", "tool3"):
        check("main" in names(mod(f, m)["exports"]), "main exported by %s" % m)
    d = [x for x in f["diagnostics"] if "'main'" in x["message"]]
    check(len(d) == 1 and d[0]["severity"] == "warning", "one warning for main: %s" % f["diagnostics"])
    check("3 modules: tool1, tool2, tool3" in d[0]["message"], d[0]["message"])
    check(f["edges"] == [], "nobody calls main: no edge")


def case_ambiguous(hp, work):
    # a symbol defined in several modules and referenced: one edge to each
    d = os.path.join(work, "amb")
    shutil.copytree(fixture("multi_main"), d)
    with open(os.path.join(d, "runner.c"), "w") as fp:
        fp.write("int main(void);\nint run(void) { return main(); }\n")
    f = analyze(hp, d)
    e = edges(f)
    check({k for k in e if k[0] == "runner"} == {("runner", "tool1"), ("runner", "tool2"), ("runner", "tool3")},
          "edges: %s" % f["edges"])
    check(all(e[("runner", t)]["ambiguous"] for t in ("tool1", "tool2", "tool3")), "marked ambiguous")


def case_parse_error(hp, work):
    p = analyze(hp, fixture("parse_error"), code=3)
    check("bad.c:2:33: error: expected expression" in p.stderr, "positioned error: %s" % p.stderr)
    check(p.stdout == "", "no facts on stdout")
    out = os.path.join(work, "facts.json")
    with open(out, "w") as fp:
        fp.write("previous\n")
    run(hp, "analyze", fixture("parse_error"), "-o", out, code=3)
    with open(out) as fp:
        check(fp.read() == "previous\n", "output untouched on failure")
    p = run(hp, "analyze", fixture("parse_error"), "--keep-going")
    check("warning: 'bad.c' does not parse; module 'bad' marked incomplete" in p.stderr, p.stderr)
    f = json.loads(p.stdout)
    check(mod(f, "bad")["incomplete"] and not mod(f, "good")["incomplete"], "bad marked incomplete")
    d = [x for x in f["diagnostics"] if x["severity"] == "error"]
    check(len(d) == 1 and d[0]["module"] == "bad" and d[0]["loc"] == {"file": "bad.c", "line": 2, "col": 33},
          "diagnostic recorded: %s" % d)


def case_hash_stability(hp, work):
    a = analyze(hp, fixture("hash/a"))
    b = analyze(hp, fixture("hash/b"))
    ha = {s["name"]: s["hash"] for s in mod(a, "h")["exports"] + mod(a, "h")["locals"]}
    hb = {s["name"]: s["hash"] for s in mod(b, "h")["exports"] + mod(b, "h")["locals"]}
    check(ha == hb, "whitespace, comments, moved lines, __LINE__/__FILE__: %s vs %s" % (ha, hb))
    check(mod(a, "h")["hash"] == mod(b, "h")["hash"], "module hash equal")
    # a literal change, written or through a macro, is a change
    c = os.path.join(work, "c")
    os.makedirs(c)
    with open(os.path.join(FIX, "hash/a/h.c")) as fp:
        text = fp.read()
    with open(os.path.join(c, "h.c"), "w") as fp:
        fp.write(text.replace("* 0 + 1;", "* 0 + 2;").replace("LIMIT 10", "LIMIT 11"))
    hc = {s["name"]: s["hash"] for s in mod(analyze(hp, c), "h")["exports"]}
    check(hc["f"] != ha["f"], "literal change in f")
    check(hc["limit"] != ha["limit"], "macro value change in limit")
    check(hc["name"] == ha["name"], "name untouched")
    check(hc["h"] == ha["h"], "h untouched")
    # what the compiler sees changes behind the same text: a typedef, a size
    for n, (old, new) in enumerate((("typedef int count_t;", "typedef long count_t;"),
                                    ("struct rec { int a; };", "struct rec { int a; int b; };"))):
        e = os.path.join(work, "e%d" % n)
        os.makedirs(e)
        with open(os.path.join(e, "h.c"), "w") as fp:
            fp.write(text.replace(old, new))
        he = {s["name"]: s["hash"] for s in mod(analyze(hp, e), "h")["exports"]}
        check(he["h"] != ha["h"] and he["f"] == ha["f"], "%s changes h only" % new)


def case_threads(hp, work):
    f = analyze(hp, fixture("threads"), "--config", os.path.join(fixture("threads"), "hotplan.config"))
    got = sorted((m["name"], e["function"], e["next_call"], e["spawner"], e["spawn_module"], e["spawned_in"])
                 for m in f["modules"] for e in m["entries"])
    check(got == [("srv", "blocked_main", "blocked", "pthread_create", "srv", "start"),
                  ("srv", "qualified_main", "qualified", "pthread_create", "srv", "start"),
                  ("work", "local_main", "local", "my_spawn", "srv", "start")], "entries: %s" % got)
    b = mod(f, "srv")["blocking"]
    check([(x["function"], x["callee"]) for x in b] == [("blocked_main", "poll")], "blocking: %s" % b)
    q = [x for x in mod(f, "srv")["refs"] if x["kind"] == "qualified"]
    check([(x["symbol"], x["module"]) for x in q] == [("work_step", "work")], "qualified ref: %s" % q)
    # without the config, my_spawn is not a spawner
    f2 = analyze(hp, fixture("threads"))
    check(mod(f2, "work")["entries"] == [], "config decides spawners")


def read_expected(path):
    """The tab-separated lines of a hand-written expected list, '#' comments out."""
    with open(path) as fp:
        return sorted(tuple(line.rstrip("\n").split("\t")) for line in fp
                      if line.strip() and not line.lstrip().startswith("#"))


def case_fork(hp, work):
    """The children of fork() that loop are processes; the list is the
    fixture's hand-written expected-entries.txt."""
    f = analyze(hp, fixture("fork"))
    got = sorted((e["function"], m["name"], e["next_call"], e["spawner"], e["spawned_in"])
                 for m in f["modules"] for e in m["entries"])
    want = read_expected(os.path.join(fixture("fork"), "expected-entries.txt"))
    check(got == want, "entries:\n  got  %s\n  want %s" % (got, want))
    check(all(e["spawn_module"] == "master" for m in f["modules"] for e in m["entries"]),
          "spawn modules")
    notes = [d["message"] for d in f.get("diagnostics", []) if "start routine" in d["message"]]
    check(notes == [], "a candidate without a loop gave notes: %s" % notes)


def case_hotrt(hp, work):
    """A program on libhotrt, with no config: hotrt_spawn's spec (compound
    literal, variable, positional) starts the processes of the fixture's
    hand-written expected-entries.txt, and hotrt_lookup(rt, "srv",
    "srv_start") is a qualified reference to srv's srv_start. The fixture
    includes the real runtime/hotrt.h, so it is configured with cmake first."""
    build = os.path.join(work, "build")
    p = subprocess.run(["cmake", "-S", fixture("hotrt"), "-B", build],
                       capture_output=True, text=True)
    check(p.returncode == 0, "cmake of the fixture: %s" % (p.stdout + p.stderr)[-2000:])
    f = analyze(hp, build)
    got = sorted((e["function"], m["name"], e["next_call"], e["spawner"], e["spawned_in"])
                 for m in f["modules"] for e in m["entries"])
    want = read_expected(os.path.join(fixture("hotrt"), "expected-entries.txt"))
    check(got == want, "entries:\n  got  %s\n  want %s" % (got, want))
    check(all(e["spawn_module"] == "boot" for m in f["modules"] for e in m["entries"]),
          "spawn modules")
    q = sorted((x["symbol"], x["module"], x["from"]) for x in mod(f, "boot")["refs"]
               if x["kind"] == "qualified")
    check(q == [("srv_start", "srv", "boot")], "qualified refs: %s" % q)
    check(set(edges(f)) >= {("boot", "srv")}, "edge boot -> srv: %s" % edges(f))
    # hotrt_receive is the safe point, not a blocking call (config.c says why)
    b = [(x["function"], x["callee"]) for x in mod(f, "srv")["blocking"]]
    check(b == [], "blocking: %s" % b)
    check(f.get("diagnostics", []) == [], "diagnostics: %s" % f.get("diagnostics"))


def case_grouping(hp, work):
    f = analyze(hp, fixture("grouping"), "--config", os.path.join(fixture("grouping"), "hotplan.config"))
    check([m["name"] for m in f["modules"]] == ["app", "sip"], "modules: %s" % [m["name"] for m in f["modules"]])
    s = mod(f, "sip")
    check(s["files"] == ["sip.c", "sip_parse.c"], "files: %s" % s["files"])
    check(s["refs"] == [], "calls inside a module are not refs")
    check(set(edges(f)) == {("app", "sip")}, "edges")


def case_clash(hp, work):
    f = analyze(hp, fixture("clash"))
    check([m["name"] for m in f["modules"]] == ["db/conn", "net/conn"], "names: %s" % [m["name"] for m in f["modules"]])
    check(set(edges(f)) == {("db/conn", "net/conn")}, "edges")


def case_states(hp, work):
    f = analyze(hp, fixture("states"))
    m = mod(f, "st")
    check(m["transformer"] == "st_code_change", "transformer: %s" % m["transformer"])
    got = {s["name"]: s["layout"] for s in m["states"]}
    check(sorted(got) == ["conn_t", "struct inner", "struct node", "struct param_state"],
          "state types: %s" % sorted(got))
    check(got["struct inner"] == "short a@0; long b@8; size 16", got["struct inner"])
    check(got["struct node"] == "struct node * next@0; union (unnamed union) u@8; "
          "unsigned int flag:3@96b; size 16", got["struct node"])
    # moved lines do not move layouts; a field change does
    d = os.path.join(work, "moved")
    os.makedirs(d)
    with open(os.path.join(FIX, "states", "st.c")) as fp:
        text = fp.read()
    with open(os.path.join(d, "st.c"), "w") as fp:
        fp.write("\n\n/* moved */\n\n" + text)
    moved = {s["name"]: s["layout_hash"] for s in mod(analyze(hp, d), "st")["states"]}
    check(moved == {s["name"]: s["layout_hash"] for s in m["states"]}, "moved lines, same layouts")
    with open(os.path.join(d, "st.c"), "w") as fp:
        fp.write(text.replace("struct inner { short a; long b; };", "struct inner { int a; long b; };"))
    changed = {s["name"]: s["layout_hash"] for s in mod(analyze(hp, d), "st")["states"]}
    old = {s["name"]: s["layout_hash"] for s in m["states"]}
    check(changed["struct inner"] != old["struct inner"] and changed["struct node"] == old["struct node"],
          "a field type change shows in that layout only")


def case_progress(hp, work):
    import pty
    d = many_units(work)
    master, slave = pty.openpty()
    p = subprocess.Popen([hp, "analyze", d, "-j1", "-o", os.path.join(work, "f.json")],
                         stderr=slave, stdout=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    check(p.wait() == 0, "exit 0")
    os.close(master)
    check(b"analyzing 1/12 units" in seen and b"\ranalyzing 12/12 units" in seen, "progress: %r" % seen[:200])
    check(seen.endswith(b"\r"), "the line is cleared at the end: %r" % seen[-60:])
    p = run(hp, "analyze", d, "-o", os.path.join(work, "g.json"))
    check(p.stderr == "", "no progress when stderr is not a terminal")


def case_deep_expression(hp, work):
    # deep recursion in the parser and the walk: no crash, whatever -j. A
    # million terms go past what any stack holds if the walk recursed once
    # per level (it hands deep expressions to libclang's own work list).
    for terms, jobs in ((10 ** 6, "-j1"), (60000, "-j2")):
        d = os.path.join(work, "deep%d" % terms)
        os.makedirs(d)
        with open(os.path.join(d, "deep.c"), "w") as fp:
            fp.write("int g(int);\nint f(int x) { return g(" + "+".join(["x"] * terms) + "); }\n")
        with open(os.path.join(d, "g.c"), "w") as fp:
            fp.write("int g(int x) { return x; }\n")
        f = analyze(hp, d, jobs)
        check([(r["symbol"], r["kind"]) for r in mod(f, "deep")["refs"]] == [("g", "call")], "refs")


def many_units(work, n=12):
    d = os.path.join(work, "many")
    os.makedirs(d)
    for i in range(n):
        with open(os.path.join(d, "u%02d.c" % i), "w") as fp:
            prev = "u%02d_f" % ((i + 1) % n)
            fp.write("int %s(int);\nstatic int s%d;\nint u%02d_f(int x) { for (int i = 0; i < x; i++) s%d += %s(i); return s%d; }\n"
                     % (prev, i, i, i, prev, i))
    return d


def case_jobs(hp, work):
    d = many_units(work)
    one = run(hp, "analyze", d, "-j1").stdout
    two = run(hp, "analyze", d, "-j2").stdout
    four = run(hp, "analyze", d, "-j", "4").stdout
    check(one == two == four, "-j1, -j2, -j4 byte-identical")
    check(len(json.loads(one)["edges"]) == 12, "a ring of 12 edges")


def case_cache(hp, work):
    d = many_units(work)
    cache = os.path.join(work, "cache")
    plain = run(hp, "analyze", d).stdout
    cold = run(hp, "analyze", d, "--cache", cache).stdout
    entries = sorted(os.listdir(cache))
    check(len(entries) == 12, "one entry per unit: %s" % entries)
    warm = run(hp, "analyze", d, "--cache", cache).stdout
    check(plain == cold == warm, "cold == warm == no cache")
    # a damaged entry and a truncated one are rebuilt, not trusted
    with open(os.path.join(cache, entries[0]), "r+b") as fp:
        fp.seek(-40, 2)
        fp.write(b"X")
    with open(os.path.join(cache, entries[1]), "r+b") as fp:
        fp.truncate(100)
    again = run(hp, "analyze", d, "--cache", cache).stdout
    check(again == plain, "damaged entries rebuilt")
    # a change in an included file is seen
    with open(os.path.join(d, "inc.h"), "w") as fp:
        fp.write("#define K 1\n")
    with open(os.path.join(d, "u00.c"), "a") as fp:
        fp.write('#include "inc.h"\nint k(void) { return K; }\n')
    first = json.loads(run(hp, "analyze", d, "--cache", cache).stdout)
    with open(os.path.join(d, "inc.h"), "w") as fp:
        fp.write("#define K 2\n")
    second = json.loads(run(hp, "analyze", d, "--cache", cache).stdout)
    check(sym(mod(first, "u00"), "k")["hash"] != sym(mod(second, "u00"), "k")["hash"],
          "a header change invalidates the entry")
    check(json.loads(run(hp, "analyze", d).stdout) == second, "and agrees with no cache")
    # another build of hotplan does not trust this one's entries
    other = os.path.join(work, "hotplan-other")
    shutil.copy2(hp, other)
    with open(other, "ab") as fp:
        fp.write(b"another build")
    before = len(os.listdir(cache))
    check(run(other, "analyze", d, "--cache", cache).stdout == run(hp, "analyze", d).stdout, "same facts")
    check(len(os.listdir(cache)) == before + 12, "a new entry per unit: %d -> %d" % (before, len(os.listdir(cache))))


def case_tu_merge(hp, work):
    d = fixture("threads")
    cfg = os.path.join(d, "hotplan.config")
    whole = run(hp, "analyze", d, "--config", cfg).stdout
    parts = []
    for name in ("work.c", "srv.c"):
        out = os.path.join(work, name + ".facts")
        run(hp, "analyze", "--tu", os.path.join(d, name), d, "--config", cfg, "-o", out)
        with open(out) as fp:
            check(json.load(fp).get("unit") is True, "per-unit facts are marked")
        parts.append(out)
    merged = run(hp, "merge", *parts).stdout
    check(merged == whole, "merge of --tu facts == analyze of the tree")
    # grouped modules, units given in any order
    g = fixture("grouping")
    gcfg = os.path.join(g, "hotplan.config")
    outs = []
    for name in ("sip_parse.c", "app.c", "sip.c"):
        out = os.path.join(work, "g-" + name + ".facts")
        run(hp, "analyze", "--tu", os.path.join(g, name), g, "--config", gcfg, "-o", out)
        outs.append(out)
    check(run(hp, "merge", *outs).stdout == run(hp, "analyze", g, "--config", gcfg).stdout,
          "merge of grouped units == analyze")
    p = run(hp, "merge", os.path.join(work, "nope.json"), code=2)
    check("nope.json" in p.stderr, "missing input named")
    tree = os.path.join(work, "tree.json")
    with open(tree, "w") as fp:
        fp.write(whole)
    p = run(hp, "merge", tree, code=2)
    check("not per-unit facts" in p.stderr, "tree facts refused: %s" % p.stderr)


def case_compile_db(hp, work):
    d = os.path.join(work, "db")
    os.makedirs(os.path.join(d, "src"))
    with open(os.path.join(d, "src", "x.c"), "w") as fp:
        fp.write("#ifndef FLAG\n#error FLAG missing\n#endif\nint x(void) { return FLAG; }\n")
    db = [{"directory": d, "file": "src/x.c", "arguments": ["cc", "-DFLAG=3", "-c", "src/x.c", "-o", "x.o"]}]
    with open(os.path.join(d, "compile_commands.json"), "w") as fp:
        json.dump(db, fp)
    a = analyze(hp, d)
    b = analyze(hp, os.path.join(d, "compile_commands.json"))
    check(a["modules"] == b["modules"] and names(mod(a, "x")["exports"]) == ["x"],
          "folder and file name the same tree")
    check(a["root"] == d and b["root"] == os.path.join(d, "compile_commands.json"), "root as given")
    with open(os.path.join(d, "compile_commands.json")) as fp:
        c = json.loads(run(hp, "analyze", "-", stdin=fp.read()).stdout)
    check(names(mod(c, "x")["exports"]) == ["x"], "compile db on stdin")
    # flags matter for the flags hash, not the -o path
    db[0]["arguments"] = ["cc", "-DFLAG=3", "-c", "src/x.c", "-o", "elsewhere/y.o", "-MD", "-MF", "y.d"]
    with open(os.path.join(d, "compile_commands.json"), "w") as fp:
        json.dump(db, fp)
    check(analyze(hp, d) == a, "output and dependency flags do not count")
    db[0]["arguments"] = ["cc", "-DFLAG=3", "-O2", "-c", "src/x.c"]
    with open(os.path.join(d, "compile_commands.json"), "w") as fp:
        json.dump(db, fp)
    check(mod(analyze(hp, d), "x")["flags_hash"] != mod(a, "x")["flags_hash"], "-O2 counts")
    # a flag only gcc knows is ignored with a warning, not a parse failure
    db[0]["arguments"] = ["gcc", "-DFLAG=3", "-fconserve-stack", "-c", "src/x.c"]
    with open(os.path.join(d, "compile_commands.json"), "w") as fp:
        json.dump(db, fp)
    g = analyze(hp, d)
    check([(x["severity"], x["message"]) for x in g["diagnostics"]] ==
          [("warning", "flag '-fconserve-stack' ignored: libclang does not know it")], g["diagnostics"])
    # a missing file: exit 2 naming the database and the file
    db.append({"directory": d, "file": "src/gone.c", "command": "cc -c src/gone.c"})
    with open(os.path.join(d, "compile_commands.json"), "w") as fp:
        json.dump(db, fp, indent=1)
    p = analyze(hp, d, code=2)
    check("compile_commands.json:" in p.stderr and "src/gone.c" in p.stderr, p.stderr)
    # malformed: positioned
    with open(os.path.join(d, "compile_commands.json"), "w") as fp:
        fp.write('[\n  {"directory": "/", "file": 3, "command": "cc"}\n]\n')
    p = analyze(hp, d, code=2)
    check("compile_commands.json:2:" in p.stderr and "'file' must be a string" in p.stderr, p.stderr)
    p = run(hp, "analyze", "-", stdin='[{"directory": "/"', code=2)
    check("<stdin>:1:" in p.stderr, "truncated database on stdin: %s" % p.stderr)
    facts = os.path.join(work, "facts.json")
    with open(facts, "w") as fp:
        fp.write(run(hp, "analyze", fixture("static_extern")).stdout)
    p = run(hp, "analyze", facts, code=2)
    check("facts.json:1:1: this is a facts file, not a compilation database" in p.stderr, p.stderr)


def case_bad_config(hp, work):
    cfg = os.path.join(work, "bad.config")
    with open(cfg, "w") as fp:
        fp.write("{app, x}.\n{colour, blue}.\n")
    p = run(hp, "analyze", fixture("static_extern"), "--config", cfg, code=2)
    check("bad.config:2:1: unknown key 'colour'" in p.stderr, p.stderr)


def case_usage(hp, work):
    p = run(hp, "analyze", "--help")
    for flag in ("-o", "-j", "--cache", "--keep-going", "--config", "--tu"):
        check(flag in p.stdout, "help lists " + flag)
    run(hp, "analyze", code=2)
    run(hp, "analyze", fixture("static_extern"), "-j", "0", code=2)
    p = run(hp, "analyze", os.path.join(work, "missing"), code=2)
    check("missing" in p.stderr, p.stderr)


def main():
    hp, case = sys.argv[1], sys.argv[2]
    fn = globals().get("case_" + case)
    if not fn:
        sys.exit("unknown case '%s'" % case)
    work = tempfile.mkdtemp(prefix="hp-analyzer-%s-" % case)
    try:
        fn(os.path.abspath(hp), work)
    except Fail as e:
        print("FAIL %s: %s" % (case, e))
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok %s" % case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
