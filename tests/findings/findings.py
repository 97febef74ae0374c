#!/usr/bin/env python3
"""findings.py - findings a user can act on, end to end: 'hotplan check' on
generated folders of .c files (OLD and NEW), its text report, its SARIF
(validated against the OASIS schema) and its JUnit XML.

Usage: findings.py CASE HOTPLAN SCHEMA WORK_DIR

Cases:
  cycle      20 modules a..t form one dependency cycle (each calls the next,
             t calls a, and chords back two), all changed; a thread loops in
             h, a thread outside the cycle (w, unchanged) calls into it, one
             (x) never reaches it, and z (changed) calls into the cycle from
             outside. The text report has exactly one HP105 finding, naming
             the 20 modules, the window (first and last load of the cycle
             and the loads between, read from 'hotplan plan') and the
             processes that could run the cycle's code (from the sources:
             the threads whose module reaches the cycle by calls); --verbose
             changes nothing there. SARIF and JUnit have every reference
             loaded out of order: the (user, dependency) pairs computed from
             the generated sources and the load order equal the pairs of
             the SARIF results, one result each.
  cap        NEW removes the functions of lib that the unchanged modules
             alpha (5), other (2) and user (10) call: the text shows, module
             by module, at most 3 HP101 findings, then "and N more
             (--verbose)" with N the rest (alpha 2, user 7; none for other);
             --verbose shows all 17 and no such line; SARIF and JUnit have
             all 17 whatever the option.
  noprocess  a tree without any thread: the text says so under Processes
             and not again under Findings, and SARIF and JUnit carry it as
             the note HP108 (no-process-found), with its help text.
Every case runs the check twice and expects byte-identical reports.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "output"))
import check_report  # noqa: E402

HOTPLAN = SCHEMA = WORK = None


def fail(msg):
    print("findings: FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def hotplan(*args):
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
    env["NO_COLOR"] = "1"
    r = subprocess.run([HOTPLAN] + list(args), capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr


def write_tree(d, files):
    os.makedirs(d)
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)


def run_check(old, new, *extra):
    """Runs check twice; returns (status, text, SARIF log, JUnit suites)."""
    outs = []
    for run in ("1", "2"):
        sarif = os.path.join(WORK, f"out{run}.sarif")
        junit = os.path.join(WORK, f"out{run}.xml")
        rc, out, err = hotplan("check", old, new, "--sarif", sarif, "--junit", junit, *extra)
        check(rc in (0, 1), f"check exited {rc}:\n{out}{err}")
        with open(sarif, "rb") as f, open(junit, "rb") as g:
            outs.append((rc, out, f.read(), g.read()))
    check(outs[0] == outs[1], "two runs of the same check differ")
    log = check_report.check_sarif(SCHEMA, os.path.join(WORK, "out1.sarif"))
    suites = check_report.check_junit(os.path.join(WORK, "out1.xml"))
    return outs[0][0], outs[0][1], log, suites


def section(text, rule_id):
    """The lines of the text report under the header of rule_id, up to its
    'what to do', and the count the header gives."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^  (HP\d+) \S+ \((\d+)\): ", line)
        if m and m.group(1) == rule_id:
            body = []
            for l in lines[i + 1:]:
                if l.startswith("    what to do: "):
                    break
                body.append(l)
            return int(m.group(2)), body
    return None, []


def findings_of(body):
    """The findings of a section: each starts with '    LEVEL: ', its
    continuation lines are joined."""
    out = []
    for l in body:
        if re.match(r"^    (error|warning|note): ", l):
            out.append(l.strip())
        elif l.startswith("      ") and out:
            out[-1] += " " + l.strip()
    return out


def results(log, rule_id):
    return [r for r in log["runs"][0]["results"] if r["ruleId"] == rule_id]


def junit_lines(suites, case):
    msg, text = suites["hotplan.findings"][case]
    return [l for l in text.split("\n") if re.search(r"(^|: )(error|warning|note): ", l)]


# ---- one dependency cycle ----------------------------------------------------------

CYCLE = [chr(ord("a") + i) for i in range(20)]


def cycle_sources(bump):
    """The generated tree: returns {file: text}."""
    files = {}
    for i, m in enumerate(CYCLE):
        refs = [CYCLE[(i + 1) % 20]] + ([CYCLE[i - 2]] if i >= 2 else [])
        src = "".join(f"int {r}_f(int n);\n" for r in refs)
        src += f"\nint {m}_f(int n)\n{{\n    if (n <= 0)\n        return {bump};\n"
        src += "".join(f"    n += {r}_f(n - 1);\n" for r in refs)
        src += "    return n;\n}\n"
        if m == "h":
            src = "#include <pthread.h>\n" + src + thread("h", "h_f(3);")
        files[m + ".c"] = src
    # outside the cycle: z (changed) calls into it; w's thread calls z; x's
    # thread calls only y
    files["z.c"] = f"int a_f(int n);\n\nint z_f(int n)\n{{\n    return a_f(n) + {bump};\n}}\n"
    files["w.c"] = ("#include <pthread.h>\nint z_f(int n);\n" + thread("w", "z_f(2);"))
    files["y.c"] = "int y_f(int n)\n{\n    return n + 1;\n}\n"
    files["x.c"] = ("#include <pthread.h>\nint y_f(int n);\n" + thread("x", "y_f(2);"))
    return files


def thread(m, body):
    return (f"\nstatic void *{m}_loop(void *arg)\n{{\n    (void)arg;\n    for (;;)\n"
            f"        {body}\n    return 0;\n}}\n\nint {m}_start(void)\n{{\n    pthread_t t;\n"
            f"    return pthread_create(&t, 0, {m}_loop, 0);\n}}\n")


def calls_in(tree):
    """module -> the modules whose functions it calls, read back from the
    generated sources (a call is NAME_f( in a function body)."""
    out = {}
    for name in sorted(os.listdir(tree)):
        if not name.endswith(".c"):
            continue
        m = name[:-2]
        with open(os.path.join(tree, name)) as f:
            text = f.read()
        bodies = "".join(re.findall(r"\n\{\n(.*?)\n\}", text, re.S))
        out[m] = {c for c in re.findall(r"\b([a-z])_f\(", bodies) if c != m}
    return out


def case_cycle():
    old, new = os.path.join(WORK, "old"), os.path.join(WORK, "new")
    write_tree(old, cycle_sources(0))
    write_tree(new, cycle_sources(1))
    rc, text, log, suites = run_check(old, new)

    # what the tree holds, from its sources and the script 'hotplan plan'
    # writes: the load order, and the references loaded before their target
    rcp, script, err = hotplan("plan", old, new)
    check(rcp == 0, f"plan: {err}")
    instrs = [l for l in script.split("\n") if l.strip()]
    pos = {}
    for k, ins in enumerate(instrs):
        m = re.match(r"^\{load,\{(\w+),", ins)
        if m:
            pos.setdefault(m.group(1), k + 1)
    calls = calls_in(new)
    want_pairs = sorted((u, d) for u in CYCLE for d in calls[u]
                        if d in CYCLE and pos[u] < pos[d])
    check(len(want_pairs) >= 10, f"the generated tree should load many references early: {want_pairs}")
    first = min(pos[m] for m in CYCLE)
    last = max(pos[m] for m in CYCLE)
    nloads = sum(1 for k in range(first, last + 1) if instrs[k - 1].startswith("{load,"))
    # threads whose module reaches the cycle through calls
    reach = set(CYCLE)
    while True:
        more = {m for m, c in calls.items() if m not in reach and c & reach}
        if not more:
            break
        reach |= more
    want_procs = sorted(f"{m}:{m}_loop" for m in calls if m in reach and f"{m}_loop" in
                        open(os.path.join(old, m + ".c")).read())
    check(want_procs == ["h:h_loop", "w:w_loop"], f"the generator changed: {want_procs}")
    # plan's warnings: one HP105 line for the cycle, with its window; the
    # JSON keeps every reference
    hp105 = [l for l in err.splitlines() if "[HP105 " in l]
    check(len(hp105) == 1 and f"over a window of {nloads} loads, #{first} to #{last}" in hp105[0]
          and f"{len(want_pairs)} references" in hp105[0], f"plan's HP105 warnings:\n{err}")
    rcj, pj, errj = hotplan("plan", old, new, "--format", "json")
    refs = [f for f in json.loads(pj)["findings"] if f["rule"] == "HP105"]
    check(rcj == 0 and len(refs) == len(want_pairs), f"plan --format json: {len(refs)} HP105")

    # the text: one HP105 finding, for the cycle
    count, body = section(text, "HP105")
    fs = findings_of(body)
    check(count == 1 and len(fs) == 1, f"HP105 in the text: ({count}) {len(fs)} findings:\n{text}")
    f = fs[0]
    named = re.search(r"the (\d+) modules of a dependency cycle \(([^)]*)\)", f)
    check(named and int(named.group(1)) == 20 and
          named.group(2).split(", ") == [f"'{m}'" for m in CYCLE], f"the cycle's modules: {f}")
    window = re.search(r"over a window of (\d+) loads, #(\d+) to #(\d+)", f)
    check(window and tuple(int(x) for x in window.groups()) == (nloads, first, last),
          f"the window: want {nloads} loads #{first} to #{last}: {f}")
    check(f"({len(want_pairs)} references loaded out of order" in f, f"reference count: {f}")
    procs = re.search(r"(\d+) process(?:es)? could run code of the cycle in the window: (.*?);", f)
    check(procs and int(procs.group(1)) == len(want_procs) and
          sorted(p.split(" ")[0] for p in procs.group(2).split(", ")) == want_procs,
          f"the processes: want {want_procs}: {f}")
    check("x:x_loop" not in f and "suspend them for the window" in f and "or accept" in f,
          f"what to do: {f}")
    # --verbose lists every finding but a cycle stays one
    _, vtext, _, _ = run_check(old, new, "--verbose")
    count, body = section(vtext, "HP105")
    check(count == 1 and findings_of(body) == fs, f"--verbose HP105:\n{vtext}")

    # SARIF and JUnit: every reference loaded out of order, once
    res = results(log, "HP105")
    got = []
    for r in res:
        m = re.match(r"the upgrade script loads '(\w+)' before '(\w+)'", r["message"]["text"])
        check(m, f"SARIF HP105 message: {r['message']['text']}")
        got.append(m.groups())
    check(sorted(got) == want_pairs, f"SARIF HP105 results {sorted(got)}, the tree holds {want_pairs}")
    flat = re.sub(r"^(warning|error|note): ", "", f)
    check(all(r.get("properties", {}).get("hotplan/group") == flat for r in res),
          "every SARIF HP105 result carries the cycle's message")
    lines = junit_lines(suites, "HP105 load-out-of-dependency-order")
    check(len(lines) == len(want_pairs), f"JUnit HP105 lines {len(lines)}, want {len(want_pairs)}")
    print(f"findings: cycle ok ({len(want_pairs)} references, window of {nloads} loads "
          f"#{first}-#{last}, processes {want_procs})")

    # h with a state transformer: the script updates h, so it suspends h's
    # thread before the loads and resumes it after; the cycle's finding
    # names only w's thread and counts h's as suspended over the window
    shutil.rmtree(old)
    shutil.rmtree(new)
    cc = "\nint h_code_change(void *state, void *extra)\n{\n    (void)state;\n    (void)extra;\n    return 0;\n}\n"
    for d, bump in ((old, 0), (new, 1)):
        files = cycle_sources(bump)
        files["h.c"] += cc
        write_tree(d, files)
    rc, text, log, suites = run_check(old, new)
    steps = dict(re.findall(r"^  \S+ (\w): load at #(\d+) ", text, re.M))
    first = min(int(steps[m]) for m in CYCLE)
    last = max(int(steps[m]) for m in CYCLE)
    held = re.search(r"^  ok +h:h_loop \S+: suspended at #(\d+) .*; resumed at #(\d+) ", text, re.M)
    check(held and int(held.group(1)) < first and int(held.group(2)) > last,
          f"h's thread is not held over the window #{first}-#{last}:\n{text}")
    count, body = section(text, "HP105")
    fs = findings_of(body)
    check(count == 1 and len(fs) == 1, f"HP105 with h updated:\n{text}")
    procs = re.search(r"(\d+) process(?:es)? could run code of the cycle in the window: (.*?);", fs[0])
    check(procs and procs.group(1) == "1" and procs.group(2).split(" ")[0] == "w:w_loop" and
          "(1 more is suspended over the whole window)" in fs[0], f"processes with h held: {fs[0]}")
    print("findings: cycle ok (h updated: its thread is held over the window, w's is named)")


# ---- the cap of the text report -----------------------------------------------------

# module -> the functions of lib it calls (all removed in NEW)
CAP_CALLS = {"alpha": range(10, 15), "other": range(15, 17), "user": range(0, 10)}


def cap_sources(removed):
    lib = "".join(f"int lib_{i}(int n)\n{{\n    return n + {i};\n}}\n\n"
                  for i in range(17) if i not in removed)
    lib += "int lib_keep(int n)\n{\n    return n;\n}\n"
    files = {"lib.c": lib}
    for m, funcs in CAP_CALLS.items():
        src = "".join(f"int lib_{i}(int n);\n" for i in funcs)
        src += f"\nint {m}_f(int n)\n{{\n" + "".join(f"    n += lib_{i}(n);\n" for i in funcs)
        files[m + ".c"] = src + "    return n;\n}\n"
    return files


def case_cap():
    old, new = os.path.join(WORK, "old"), os.path.join(WORK, "new")
    write_tree(old, cap_sources(set()))
    write_tree(new, cap_sources(set(range(17))))
    # what the tree holds: per module, the functions it calls that NEW lacks
    calls = {}
    with open(os.path.join(new, "lib.c")) as f:
        defined = set(re.findall(r"^int (lib_\w+)\(", f.read(), re.M))
    for m in CAP_CALLS:
        with open(os.path.join(old, m + ".c")) as f:
            calls[m] = set(re.findall(r"\b(lib_\w+)\(n\)", f.read())) - defined
    total = sum(len(c) for c in calls.values())
    check([len(calls[m]) for m in sorted(calls)] == [5, 2, 10], f"generator: {calls}")

    rc, text, log, suites = run_check(old, new)
    check(rc == 1, f"removed exports are forbidden: exit {rc}")
    count, body = section(text, "HP101")
    check(count == total, f"the header counts every finding: ({count})\n{text}")
    # by module (sorted): at most 3 findings, then how many more
    want = []
    for m in sorted(calls):
        want += [m] * min(3, len(calls[m]))
        if len(calls[m]) > 3:
            want.append(f"and {len(calls[m]) - 3} more (--verbose)")
    fs = findings_of(body)
    got = []
    k = 0
    for l in body:
        if "more (--verbose)" in l:
            check(l.startswith("    and "), f"the more line: {l!r}")
            got.append(l.strip())
        elif re.match(r"^    error: ", l):
            got.append(re.search(r"'(\w+)' still references", fs[k]).group(1))
            k += 1
    check(got == want, f"shown {got}, want {want}:\n{text}")

    rc, vtext, vlog, vsuites = run_check(old, new, "--verbose")
    count, body = section(vtext, "HP101")
    fs = findings_of(body)
    check(count == total and len(fs) == total and not any("more (--verbose)" in l for l in body),
          f"--verbose shows all:\n{vtext}")
    for m, funcs in calls.items():
        shown = {re.search(r"'(lib_\d+)'", f).group(1) for f in fs if f"'{m}' still" in f}
        check(shown == funcs, f"--verbose findings of {m}: {sorted(shown)}, want {sorted(funcs)}")
    for lg, st in ((log, suites), (vlog, vsuites)):
        res = results(lg, "HP101")
        check(len(res) == total, f"SARIF HP101 results {len(res)}, want {total}")
        check(len(junit_lines(st, "HP101 removed-export-referenced")) == total, "JUnit HP101 lines")
    check(log == vlog, "--verbose changed the SARIF")
    print(f"findings: cap ok (shown {got}; {total} with --verbose, in SARIF and JUnit)")


# ---- no process found ---------------------------------------------------------------

def case_noprocess():
    old, new = os.path.join(WORK, "old"), os.path.join(WORK, "new")
    for d, v in ((old, 1), (new, 2)):
        write_tree(d, {"m.c": f"int m_f(void)\n{{\n    return {v};\n}}\n"})
    rc, text, log, suites = run_check(old, new)
    check(rc == 0, f"exit {rc}\n{text}")
    check("Processes (none found)" in text and "{spawn, [{my_spawn, N}]}" in text.replace("\n  ", " ")
          and "--pid" in text, f"the text says no process was found:\n{text}")
    check("HP108" not in text and "Findings" not in text,
          f"the text says it once, under Processes:\n{text}")
    check(re.search(r"^OK: .*\(no process found, 0 processes killed, at most 0 allowed; 0 findings\)$",
                    text, re.M), f"verdict:\n{text}")
    res = results(log, "HP108")
    check(len(res) == 1 and res[0]["level"] == "note" and len(log["runs"][0]["results"]) == 1,
          f"SARIF results {[r['ruleId'] for r in log['runs'][0]['results']]}")
    check("{spawn, [{my_spawn, N}]}" in res[0]["message"]["text"], "SARIF HP108 message")
    rule = [r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "HP108"]
    check(rule and rule[0]["name"] == "no-process-found" and
          rule[0]["defaultConfiguration"]["level"] == "note" and "--pid" in rule[0]["help"]["text"],
          f"SARIF rule HP108: {rule}")
    msg, out = suites["hotplan.findings"]["HP108 no-process-found"]
    check(msg is None and "note: hotplan found no thread start" in out, f"JUnit HP108: {msg} {out!r}")
    print("findings: noprocess ok")


CASES = {"cycle": case_cycle, "cap": case_cap, "noprocess": case_noprocess}


def main(argv):
    global HOTPLAN, SCHEMA, WORK
    if len(argv) != 5 or argv[1] not in CASES:
        print(__doc__)
        return 2
    _, case, HOTPLAN, SCHEMA, WORK = argv
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    CASES[case]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
