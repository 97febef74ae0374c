#!/usr/bin/env python3
"""run_e2e.py - end-to-end tests of 'hotplan check' and 'hotplan graph' on
the callsrv sample and on variants of it.

Usage: run_e2e.py CASE HOTPLAN SOURCE_DIR SCHEMA WORK_DIR

Each variant copies samples/callsrv/v1 twice (OLD and NEW), edits NEW so
that exactly one policy finding fires, configures both copies with CMake
(each exports compile_commands.json) and runs the check. The tests assert
what a user sees: the exit status, the text report, the SARIF file
(validated against the OASIS schema) and the JUnit file (parsed back).
"""
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "output"))
import check_graph  # noqa: E402
import check_report  # noqa: E402

HOTPLAN = SRC = SCHEMA = WORK = None


def fail(msg):
    print("run_e2e: FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def configure(src, build):
    r = subprocess.run(["cmake", "-S", src, "-B", build], capture_output=True, text=True)
    check(r.returncode == 0, f"cmake {src}: {r.stderr}")
    check(os.path.exists(os.path.join(build, "compile_commands.json")), "no compile_commands.json")
    return build


def copy_sample(version, name):
    dst = os.path.join(WORK, name)
    shutil.copytree(os.path.join(SRC, "samples", "callsrv", version), dst)
    return dst


def edit(path, old, new, count=1):
    with open(path) as f:
        text = f.read()
    check(text.count(old) >= 1, f"{path}: cannot find {old!r} to edit")
    with open(path, "w") as f:
        f.write(text.replace(old, new, count))


def hotplan(*args, env_extra=None):
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
    env.pop("NO_COLOR", None)
    if env_extra:
        env.update(env_extra)
    r = subprocess.run([HOTPLAN] + list(args), capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr


def on_terminal(args, env_extra):
    """Runs hotplan with its standard output on a pseudo-terminal; returns
    (exit status, what it printed)."""
    import pty
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
    env.pop("NO_COLOR", None)
    env.update(env_extra)
    master, slave = pty.openpty()
    p = subprocess.Popen([HOTPLAN] + args, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.wait(), b"".join(chunks).decode("utf-8", "replace")


def variant(edit_new, edit_both=None):
    """OLD = v1, NEW = v1 edited by edit_new(src_dir) (both first edited by
    edit_both, if given); both configured."""
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    old = copy_sample("v1", "old")
    new = copy_sample("v1", "new")
    if edit_both:
        edit_both(old)
        edit_both(new)
    edit_new(new)
    return configure(old, os.path.join(WORK, "old-build")), configure(new, os.path.join(WORK, "new-build"))


def run_check(old, new, *extra):
    sarif = os.path.join(WORK, "out.sarif")
    junit = os.path.join(WORK, "out.xml")
    for p in (sarif, junit):
        if os.path.exists(p):
            os.remove(p)
    rc, out, err = hotplan("check", old, new, "--sarif", sarif, "--junit", junit, *extra)
    # every report names the running system it simulated, once, and never
    # prints a missing string (a NULL through %s) anywhere
    if rc in (0, 1):
        running = [l for l in out.splitlines() if l.strip().startswith("the running system:")]
        check(len(running) == 1, "the report names the running system %d times:\n%s"
              % (len(running), "\n".join(running)))
    check("(null)" not in out, "the report prints '(null)':\n" + out)
    return rc, out, err, sarif, junit


def rule_ids(sarif):
    log = check_report.check_sarif(SCHEMA, sarif)
    return log, [r["ruleId"] for r in log["runs"][0]["results"]]


def junit_failures(junit):
    j = check_report.check_junit(junit)
    return {suite: sorted(n for n, (msg, _) in cases.items() if msg is not None)
            for suite, cases in j.items()}, j


# ---- the variants -------------------------------------------------------------

def log_body(d):
    edit(os.path.join(d, "src/lib/log.c"), '"callsrv: %s: %s:%d: "', '"callsrv[%d]: %s: %s:%d: ", 1')


def case_clean():
    old, new = variant(log_body)
    rc, out, err, sarif, junit = run_check(old, new)
    check(rc == 0, f"clean upgrade: exit {rc}\n{out}{err}")
    check("load_module log: load at #3 (brutal_purge), changed: body" in out, f"steps:\n{out}")
    check("Processes (3, 0 killed)" in out, "process summary")
    check(re.search(r"^OK: the policy allows this upgrade \(0 processes killed, at most 0 allowed; 0 findings\)$",
                    out, re.M), f"verdict:\n{out}")
    check("\033[" not in out, "colour on a pipe")
    log, ids = rule_ids(sarif)
    check(ids == [], f"clean SARIF has results {ids}")
    fails, j = junit_failures(junit)
    check(fails == {"hotplan.processes": [], "hotplan.findings": []}, f"JUnit failures {fails}")
    check(len(j["hotplan.processes"]) == 3 and "HP301 process-killed" in j["hotplan.findings"],
          "JUnit cases")
    # the analysis went through the cache ($XDG_CACHE_HOME/hotplan); --no-cache
    # and --cache DIR are obeyed
    cached = os.path.join(WORK, "cache", "hotplan")
    check(os.path.isdir(cached) and len(os.listdir(cached)) > 0, "no cache under $XDG_CACHE_HOME")
    other = os.path.join(WORK, "other-cache")
    rc, _, _, _, _ = run_check(old, new, "--cache", other)
    check(rc == 0 and len(os.listdir(other)) > 0, "--cache DIR not used")
    shutil.rmtree(cached)
    rc, _, _, _, _ = run_check(old, new, "--no-cache")
    check(rc == 0 and not os.path.exists(cached), "--no-cache wrote a cache")
    # the same inputs give the same bytes
    with open(sarif, "rb") as f:
        first = f.read()
    rc2, out2, _, _, _ = run_check(old, new)
    with open(sarif, "rb") as f:
        check(f.read() == first and out2 == out, "second run differs")
    # NO_COLOR and a pipe: no colour; a committed plan that matches passes
    plan = os.path.join(WORK, "committed.script")
    rc, _, err = hotplan("plan", old, new, "-o", plan)
    check(rc == 0, f"hotplan plan failed: {err}")
    rc, out, err, _, _ = run_check(old, new, "--against", plan)
    check(rc == 0, f"--against the plan 'hotplan plan' wrote with the same defaults: exit {rc}\n{out}{err}")


def case_killed():
    def worker_body(d):
        edit(os.path.join(d, "src/core/worker.c"), "g_worker.jobs_done++;", "g_worker.jobs_done += 1u;")
    old, new = variant(worker_body)
    rc, out, err, sarif, junit = run_check(old, new, "--purge", "brutal")
    check(rc == 1, f"kill: exit {rc}\n{out}{err}")
    check(re.search(r"^  killed  worker:worker_main <0\.\d+\.0>: killed at make_permanent, running old code of worker",
                    out, re.M), f"killed process line:\n{out}")
    # hotrt_spawn is a spawner hotplan knows: the report does not send the
    # user to hotplan.config for it
    check("hotplan.config" not in out, f"a built-in spawner named as the config's:\n{out}")
    check("HP301 process-killed (1)" in out and "what to do: A process still runs old code" in out,
          "HP301 with its help")
    check("FORBIDDEN: 1 finding the policy forbids; 1 process killed (at most 0 allowed)" in out, "verdict")
    log, ids = rule_ids(sarif)
    check(ids == ["HP301"], f"SARIF results {ids}")
    res = log["runs"][0]["results"][0]
    loc = res["locations"][0]["physicalLocation"]
    check(loc["artifactLocation"] == {"uri": "core/worker.c", "uriBaseId": "SRCROOT"}, f"location {loc}")
    with open(os.path.join(WORK, "new", "src/core/worker.c")) as f:
        line = f.read().split("\n")[loc["region"]["startLine"] - 1]
    check("worker_main" in line, f"the location is not the entry point: {line!r}")
    root = log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
    check(root == "file://" + os.path.realpath(os.path.join(WORK, "new", "src")) + "/", f"SRCROOT {root}")
    fails, j = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP301 process-killed"], f"JUnit findings {fails}")
    check(len(fails["hotplan.processes"]) == 1 and fails["hotplan.processes"][0].startswith("worker:worker_main"),
          f"JUnit processes {fails}")
    # one kill tolerated: allowed
    rc, out, err, sarif, _ = run_check(old, new, "--purge", "brutal", "--max-killed", "1")
    check(rc == 0, f"--max-killed 1: exit {rc}\n{out}")
    log, ids = rule_ids(sarif)
    check(ids == ["HP301"] and log["runs"][0]["results"][0]["level"] == "warning",
          "the tolerated kill is still reported, as a warning")
    check("    warning: core/worker.c:" in out, f"tolerated kill in the text:\n{out}")
    # the default is brutal, as 'hotplan plan' and OTP
    rc, out, _, _, _ = run_check(old, new)
    check(rc == 1 and "HP301 process-killed (1)" in out, f"default purge:\n{out}")
    # soft purge: nobody is killed, the worker lingers
    rc, out, _, _, _ = run_check(old, new, "--purge", "soft")
    check(rc == 0 and "it stays in the old code of worker" in out, f"soft purge:\n{out}")
    # auto: the worker has no supervisor, so auto keeps soft and says why
    rc, out, _, _, _ = run_check(old, new, "--purge", "auto")
    check(rc == 0, f"auto: exit {rc}")
    check("worker: soft_purge, its old code is held by worker:worker_main" in out.replace("\n      ", " "),
          f"auto explanation:\n{out}")


def case_auto_brutal():
    """purge auto picks brutal when a supervisor restarts the holders."""
    def worker_body(d):
        edit(os.path.join(d, "src/core/worker.c"), "g_worker.jobs_done++;", "g_worker.jobs_done += 1u;")
    old, new = variant(worker_body)
    runtime = os.path.join(WORK, "runtime.json")

    def write_runtime(intensity, workers):
        with open(runtime, "w") as f:
            json.dump({
                "format": "hotplan-runtime", "version": 1,
                "modules": [{"name": "worker", "current": 1, "old": None}],
                "supervisors": [{"name": "app_sup", "parent": None, "intensity": intensity,
                                 "period": 5}],
                "processes": [{"pid": f"<0.5{i}.0>", "name": "worker:worker_main",
                               "frames": [{"module": "worker", "version": "current"}],
                               "next_call": "local", "sys": False, "supervisor": "app_sup",
                               "restart": "permanent", "modules": ["worker"]}
                              for i in range(workers)][:1] + [
                              {"pid": f"<0.6{i}.0>", "name": f"worker:extra{i}",
                               "frames": [{"module": "worker", "version": "current"}],
                               "next_call": "local", "sys": False, "supervisor": "app_sup",
                               "restart": "permanent", "modules": ["worker"]}
                              for i in range(workers - 1)],
                "unpurged": [],
            }, f)
    write_runtime(1, 1)
    rc, out, err, sarif, junit = run_check(old, new, "--purge", "auto", "--max-killed", "1",
                                           "--runtime", runtime)
    flat = re.sub(r"\n\s+", " ", out)
    check("worker: brutal_purge, its old code is held only by worker:worker_main, which is "
          "restarted within the supervisor's intensity" in flat, f"auto explanation:\n{out}")
    check("restarted by its supervisor in version" in out, f"restart shown:\n{out}")
    check(rc == 0, f"auto within --max-killed 1: exit {rc}\n{out}{err}")
    rc, out, _, _, _ = run_check(old, new, "--purge", "auto", "--runtime", runtime)
    check(rc == 1 and "HP301 process-killed" in out, f"auto, no kill allowed: exit {rc}")
    # two holders and intensity 1: the supervisor would give up, so soft
    write_runtime(1, 2)
    rc, out, err, _, _ = run_check(old, new, "--purge", "auto", "--max-killed", "2",
                                   "--runtime", runtime)
    flat = re.sub(r"\n\s+", " ", out)
    check("worker: soft_purge, its old code is held by worker:worker_main, worker:extra0, which a "
          "brutal purge would kill and its supervisor would give up" in flat, f"auto, sup gives up:\n{out}")
    check(rc == 0 and "Processes (2, 0 killed)" in out, f"soft keeps both alive: exit {rc}\n{out}")


def case_auto_gives_up():
    """purge auto keeps soft when every holder would be restarted but the
    kills together exceed the intensity: two holders under worker_sup
    (intensity 1, so one kill alone is restarted), whose parent restarts
    worker_sup and with it both holders; worker_sup has still given up."""
    def worker_body(d):
        edit(os.path.join(d, "src/core/worker.c"), "g_worker.jobs_done++;", "g_worker.jobs_done += 1u;")
    old, new = variant(worker_body)
    runtime = os.path.join(WORK, "runtime.json")

    def proc(pid, name, sup):
        return {"pid": pid, "name": name, "frames": [{"module": "worker", "version": "current"}],
                "next_call": "local", "sys": False, "supervisor": sup,
                "restart": "permanent", "modules": ["worker"]}

    def write_runtime(holders):
        with open(runtime, "w") as f:
            json.dump({
                "format": "hotplan-runtime", "version": 1,
                "modules": [{"name": "worker", "current": 1, "old": None}],
                "supervisors": [{"name": "app_sup", "parent": None, "intensity": 10, "period": 5},
                                {"name": "worker_sup", "parent": "app_sup", "intensity": 1,
                                 "period": 5}],
                "processes": [proc("<0.50.0>", "worker:worker_main", "worker_sup"),
                              proc("<0.60.0>", "worker:extra0", "worker_sup")][:holders],
                "unpurged": [],
            }, f)
    # Each holder alone: restarted within worker_sup's intensity, so brutal.
    write_runtime(1)
    rc, out, err, _, _ = run_check(old, new, "--purge", "auto", "--max-killed", "5",
                                   "--runtime", runtime)
    flat = re.sub(r"\n\s+", " ", out)
    check(rc == 0 and "worker: brutal_purge, its old code is held only by worker:worker_main, "
          "which is restarted within the supervisor's intensity" in flat,
          f"auto, one holder: exit {rc}\n{out}{err}")
    # Both: brutal would kill both; worker_sup gives up; app_sup restarts it
    # and both holders (each killed holder is restarted) - still soft.
    write_runtime(2)
    rc, out, err, _, _ = run_check(old, new, "--purge", "brutal", "--max-killed", "5",
                                   "--runtime", runtime)
    lines = {name: [ln for ln in out.splitlines() if ln.startswith("  killed  " + name + " ")]
             for name in ("worker:worker_main", "worker:extra0")}
    check(rc == 0 and all(len(v) == 1 and "restarted by its supervisor" in v[0] for v in lines.values()),
          f"brutal, two holders: each is restarted:\n{out}{err}")
    check("(shutdown)" in lines["worker:worker_main"][0],
          f"brutal, two holders: worker_sup gives up (shuts its child down):\n{out}")
    rc, out, err, sarif, junit = run_check(old, new, "--purge", "auto", "--max-killed", "5",
                                           "--runtime", runtime)
    flat = re.sub(r"\n\s+", " ", out)
    check("worker: soft_purge, its old code is held by worker:worker_main, worker:extra0, which a "
          "brutal purge would kill and its supervisor would give up" in flat,
          f"auto, together past the intensity:\n{out}{err}")
    check(rc == 0 and "Processes (2, 0 killed)" in out, f"auto keeps both alive: exit {rc}\n{out}")
    log, ids = rule_ids(sarif)
    check("HP301" not in ids, f"SARIF reports a kill: {ids}")


def case_state():
    def worker_state(d):
        edit(os.path.join(d, "src/core/worker.c"), "    unsigned long cdr_bytes;\n",
             "    unsigned long cdr_bytes;\n    unsigned long jobs_failed;\n")
    old, new = variant(worker_state)
    rc, out, err, sarif, junit = run_check(old, new, "--purge", "soft")
    check(rc == 1, f"state change: exit {rc}\n{out}{err}")
    check("HP102 state-change-without-transformer (1)" in out, f"HP102:\n{out}")
    check("error: core/worker.c:" in out and "'struct worker_state'" in out, "HP102 location")
    log, ids = rule_ids(sarif)
    check(ids == ["HP102"], f"SARIF results {ids}")
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    check(loc["artifactLocation"]["uri"] == "core/worker.c", f"HP102 location {loc}")
    with open(os.path.join(WORK, "new", "src/core/worker.c")) as f:
        line = f.read().split("\n")[loc["region"]["startLine"] - 1]
    check("struct worker_state" in line, f"not located at the changed struct: {line!r}")
    fails, _ = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP102 state-change-without-transformer"], f"JUnit {fails}")


def case_removed_export():
    def drop_upper(d):
        p = os.path.join(d, "src/lib/strutil.c")
        with open(p) as f:
            text = f.read()
        i = text.index("void str_upper(char *s)")
        j = text.index("\n}\n", i) + 3
        with open(p, "w") as f:
            f.write(text[:i] + text[j:])
    old, new = variant(drop_upper)
    rc, out, err, sarif, junit = run_check(old, new)
    check(rc == 1, f"removed export: exit {rc}\n{out}{err}")
    check("HP101 removed-export-referenced (1)" in out and "'str_upper'" in out, f"HP101:\n{out}")
    log, ids = rule_ids(sarif)
    check(ids == ["HP101"], f"SARIF results {ids}")
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    check(loc["artifactLocation"]["uri"] == "net/acceptor.c", f"caller location {loc}")
    fails, _ = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP101 removed-export-referenced"], f"JUnit {fails}")


def case_cycle():
    def cycle(d):
        edit(os.path.join(d, "src/lib/buf.c"), '#include "buf.h"\n', '#include "buf.h"\n#include "worker.h"\n')
        edit(os.path.join(d, "src/lib/buf.c"), "void buf_reset(struct buf *b)\n{\n",
             "void buf_reset(struct buf *b)\n{\n    (void)worker_jobs_done();\n")
        # worker gets a state transformer: its processes are suspended
        # (update), while buf is loaded under its callers (load_module)
        edit(os.path.join(d, "src/core/worker.c"), "void worker_stop(void)\n",
             "int worker_code_change(void *state, void *extra)\n{\n    (void)state;\n"
             "    (void)extra;\n    return 0;\n}\n\nvoid worker_stop(void)\n")
    old, new = variant(cycle)
    rc, out, err, sarif, junit = run_check(old, new, "--purge", "soft")
    check(rc == 1, f"cycle: exit {rc}\n{out}{err}")
    check("HP103 mixed-process-cycle (1)" in out, f"HP103:\n{out}")
    log, ids = rule_ids(sarif)
    # a cycle also loads one module before another it needs: a warning
    check(ids == ["HP103", "HP105"], f"SARIF results {ids}")
    levels = [r["level"] for r in log["runs"][0]["results"]]
    check(levels == ["error", "warning"], f"levels {levels}")
    fails, j = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP103 mixed-process-cycle"], f"JUnit {fails}")
    check("warning:" in j["hotplan.findings"]["HP105 load-out-of-dependency-order"][1],
          "the warning is in the passing case's output")
    # and the graph draws that cycle
    svg = os.path.join(WORK, "cycle.svg")
    rc, _, err = hotplan("graph", old, new, "-o", svg)
    check(rc == 0, f"graph: {err}")
    _, objs = check_graph.svg_objects(svg)
    labels = sorted(check_graph.texts(c[1])[0] for i, c in objs.items() if i.startswith("cycle:"))
    check(labels == ["cycle 1: buf worker", "cycle 2: dialog session"], f"cycle clusters {labels}")


def case_refused():
    old, new = variant(log_body)
    runtime = os.path.join(WORK, "runtime.json")
    with open(runtime, "w") as f:
        json.dump({
            "format": "hotplan-runtime", "version": 1,
            "modules": [{"name": "log", "current": 2, "old": 1},
                        {"name": "buf", "current": 1, "old": None}],
            "supervisors": [],
            "processes": [{"pid": "<0.90.0>", "name": "flusher",
                           "frames": [{"module": "log", "version": "old"}],
                           "next_call": "local", "sys": False}] +
                         [{"pid": f"<0.{200 + i}.0>", "name": f"idle{i}",
                           "frames": [{"module": "buf", "version": "current"}],
                           "next_call": "blocked", "sys": False} for i in range(25)],
            "unpurged": [{"module": "log", "method": "soft_purge"}],
        }, f)
    rc, out, err, sarif, junit = run_check(old, new, "--runtime", runtime, "--purge", "soft")
    check(rc == 1, f"refused: exit {rc}\n{out}{err}")
    check("HP302 upgrade-refused (1)" in out and "{error,{old_processes,log}}" in out, f"HP302:\n{out}")
    log, ids = rule_ids(sarif)
    check(ids == ["HP302"], f"SARIF results {ids}")
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    check(loc["artifactLocation"]["uri"] == "lib/log.c", f"refusal located at the module {loc}")
    fails, j = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP302 upgrade-refused"], f"JUnit {fails}")
    check(len(j["hotplan.processes"]) == 26 and "flusher <0.90.0>" in j["hotplan.processes"],
          "every process of the runtime has a test case")
    # the text lists the processes something happens to, and counts the rest
    check("  (25 other processes not touched by the upgrade)" in out and "idle3" not in out,
          f"quiet processes:\n{out}")
    check("ok      flusher <0.90.0>: runs the old code of log, so the release handler refuses" in out,
          f"the process that blocks the upgrade:\n{out}")


def case_parse_failure():
    def broken(d):
        edit(os.path.join(d, "src/lib/log.c"), "void cs_log_write(", "void cs_log_write(((")
    old, new = variant(broken)
    rc, out, err, sarif, junit = run_check(old, new)
    check(rc == 3, f"parse failure: exit {rc}\n{out}{err}")
    check("log.c" in err, f"the parse error is shown: {err}")
    check("HP303 parse-failure (1)" in out, f"HP303:\n{out}")
    check(out.startswith(f"hotplan check: {old} -> {new}\n"), f"header:\n{out}")
    log, ids = rule_ids(sarif)
    check(ids == ["HP303"], f"SARIF results {ids}")
    fails, _ = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP303 parse-failure"], f"JUnit {fails}")


def case_against():
    old, new = variant(log_body)
    plan = os.path.join(WORK, "committed.script")
    rc, _, err = hotplan("plan", old, new, "-o", plan)
    check(rc == 0, f"plan: {err}")
    with open(plan) as f:
        lines = f.read().split("\n")
    # a reviewer's plan with purges changed by hand
    with open(plan, "w") as f:
        f.write("\n".join(l.replace("brutal_purge", "soft_purge") for l in lines))
    rc, out, err, sarif, junit = run_check(old, new, "--against", plan)
    check(rc == 1, f"against: exit {rc}\n{out}{err}")
    check("HP304 plan-differs (1)" in out, f"HP304:\n{out}")
    check("- #3 {load,{log,soft_purge,soft_purge}}." in out and
          "+ #3 {load,{log,brutal_purge,brutal_purge}}." in out, f"difference:\n{out}")
    log, ids = rule_ids(sarif)
    check(ids == ["HP304"], f"SARIF results {ids}")
    fails, _ = junit_failures(junit)
    check(fails["hotplan.findings"] == ["HP304 plan-differs"], f"JUnit {fails}")
    # a committed plan that does not parse is bad input
    with open(plan, "w") as f:
        f.write("{load, {log\n")
    rc, out, err, _, _ = run_check(old, new, "--against", plan)
    check(rc == 2 and "committed.script:" in err, f"bad plan: exit {rc} {err}")


def case_sample():
    """The sample upgrade v1 -> v2 as written, and its picture."""
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    old = configure(os.path.join(SRC, "samples/callsrv/v1"), os.path.join(WORK, "v1"))
    new = configure(os.path.join(SRC, "samples/callsrv/v2"), os.path.join(WORK, "v2"))
    rc, out, err, sarif, junit = run_check(old, new)
    check(rc == 1, f"sample: exit {rc}\n{out}{err}")
    for want in ("HP101 removed-export-referenced", "HP102 state-change-without-transformer",
                 "delete_module legacy_auth", "add_module metrics", "FORBIDDEN"):
        check(want in out, f"sample report lacks {want!r}:\n{out}")
    log, ids = rule_ids(sarif)
    check("HP101" in ids and "HP102" in ids, f"sample SARIF {ids}")
    fails, _ = junit_failures(junit)
    check("HP101 removed-export-referenced" in fails["hotplan.findings"], f"JUnit {fails}")
    # byte-identical reports from run to run (fingerprints included)
    with open(sarif, "rb") as f:
        first_sarif = f.read()
    with open(junit, "rb") as f:
        first_junit = f.read()
    rc2, out2, _, _, _ = run_check(old, new)
    with open(sarif, "rb") as f, open(junit, "rb") as g:
        check(rc2 == rc and out2 == out and f.read() == first_sarif and g.read() == first_junit,
              "a second run of the sample differs")
    # on a terminal: colour, unless NO_COLOR is set
    rc2, out2 = on_terminal(["check", old, new], {})
    check(rc2 == 1 and "\033[1mhotplan check:" in out2 and "\033[31m" in out2,
          f"no colour on a terminal: {out2[:200]!r}")
    rc2, out2 = on_terminal(["check", old, new], {"NO_COLOR": "1"})
    check(rc2 == 1 and "\033[" not in out2 and "FORBIDDEN" in out2, "NO_COLOR on a terminal")

    # the picture of the tree and of the upgrade
    svg = os.path.join(WORK, "v1.svg")
    rc, _, err = hotplan("graph", old, "-o", svg)
    check(rc == 0, f"graph v1: {err}")
    _, objs = check_graph.svg_objects(svg)
    mods = check_graph.nodes(objs)
    check(mods == {"acceptor", "boot", "buf", "calltab", "dialog", "legacy_auth", "log", "main",
                   "registrar", "server", "session", "sip", "strutil", "worker"}, f"v1 modules {sorted(mods)}")
    edges = check_graph.edges(objs)
    check("session->dialog" in edges and "dialog->session" in edges, "the session/dialog cycle")
    check(any("qualified" in k for k in edges.values()), "a qualified edge (hotrt_lookup)")
    check_graph.check_edge_styles(objs, "v1.svg")
    check(len(check_graph.shapes(objs["mod:worker"][1])) == 2, "process module double border")
    check("cycle: modules that depend on each other" in check_graph.legend_rows(objs), "legend")

    png = os.path.join(WORK, "upgrade.png")
    rc, _, err = hotplan("graph", old, new, "-o", png, "--purge", "brutal")
    check(rc == 0, f"graph v1 v2: {err}")
    w, h = check_graph.check_png(png, 400, 200)
    svg2 = os.path.join(WORK, "upgrade.svg")
    rc, _, err = hotplan("graph", old, new, "-T", "svg", "-o", svg2, "--purge", "brutal")
    _, objs = check_graph.svg_objects(svg2)
    check(check_graph.node_fill(objs, "metrics") == "#b7e4a7", "metrics added (green)")
    check(check_graph.node_fill(objs, "legacy_auth") == "#f2a7a7", "legacy_auth removed (red)")
    check(check_graph.node_fill(objs, "worker") == "#f7c57f", "worker state change (orange)")
    lab = check_graph.texts(objs["mod:worker"][1])
    check(lab[0] == "worker" and re.match(r"#\d+ load \(brutal_purge\)", lab[1]), f"worker label {lab}")
    check("proc:worker:worker_main" in objs, "the killed worker is drawn")
    check(check_graph.texts(objs["proc:worker:worker_main"][1]) ==
          ["worker:worker_main", "killed at", "make_permanent"],
          f"kill label {check_graph.texts(objs['proc:worker:worker_main'][1])}")
    check("process predicted killed" in check_graph.legend_rows(objs), "plan legend")
    # without --purge the picture shows what check predicts: the same defaults
    svg3 = os.path.join(WORK, "default.svg")
    rc, _, err = hotplan("graph", old, new, "-o", svg3)
    _, objs3 = check_graph.svg_objects(svg3)
    check(rc == 0 and "proc:worker:worker_main" in objs3, "default purge of graph is check's")
    rc, _, err = hotplan("graph", old, new, "-o", svg3, "--purge", "soft")
    _, objs3 = check_graph.svg_objects(svg3)
    check(not any(i.startswith("proc:") for i in objs3), "soft purge: nobody drawn killed")

    # focus: the neighbourhood of sip at depth 1
    foc = os.path.join(WORK, "focus.svg")
    rc, _, err = hotplan("graph", old, "--focus", "sip", "--depth", "1", "-o", foc)
    check(rc == 0, f"focus: {err}")
    _, objs = check_graph.svg_objects(foc)
    got = check_graph.nodes(objs)
    check("sip" in got and "worker" not in got and len(got) < len(mods), f"focus nodes {sorted(got)}")
    rc, _, err = hotplan("graph", old, "--focus", "nosuch")
    check(rc == 2 and "no module 'nosuch'" in err, f"unknown focus: {rc} {err}")
    # DOT on stdout, folders on request
    rc, out, err = hotplan("graph", old, "-T", "dot", "--cluster", "folder")
    check(rc == 0 and out.startswith('digraph "hotplan"') and 'label="proto"' in out, "DOT with folders")
    rc, _, err = hotplan("graph", old, "-o", os.path.join(WORK, "x.jpeg"))
    check(rc == 2 and "cannot tell the format" in err, "unknown extension")
    check(not os.path.exists(os.path.join(WORK, "x.jpeg")), "nothing written on error")


def case_many():
    """A folder of .c files as TREE; an upgrade of 40 modules is summed up."""
    shutil.rmtree(WORK, ignore_errors=True)
    for side, bump in (("old", 0), ("new", 1)):
        d = os.path.join(WORK, side)
        os.makedirs(d)
        for i in range(40):
            with open(os.path.join(d, f"m{i:02d}.c"), "w") as f:
                f.write(f"int m{i:02d}_value(void)\n{{\n    return {i + bump};\n}}\n")
    rc, out, err, sarif, junit = run_check(os.path.join(WORK, "old"), os.path.join(WORK, "new"))
    check(rc == 0, f"many: exit {rc}\n{out}{err}")
    check("modules: 0 added, 0 removed, 40 changed, 0 unchanged" in out, f"summary:\n{out}")
    check("  load_module m24: load at" in out and "m25" not in out.split("... and")[0],
          f"first 25 modules listed:\n{out}")
    check("  ... and 15 more modules ('hotplan plan --format text' explains each)" in out,
          f"the rest summed up:\n{out}")
    log, ids = rule_ids(sarif)
    # no thread in these files: the note that no process was found (HP108)
    check(ids == ["HP108"], f"SARIF {ids}")


CASES = {
    "clean": case_clean, "killed": case_killed, "auto_brutal": case_auto_brutal,
    "auto_gives_up": case_auto_gives_up, "state": case_state,
    "removed_export": case_removed_export, "cycle": case_cycle, "refused": case_refused,
    "parse_failure": case_parse_failure, "against": case_against, "sample": case_sample,
    "many": case_many,
}


def main(argv):
    global HOTPLAN, SRC, SCHEMA, WORK
    if len(argv) != 6 or argv[1] not in CASES:
        print(__doc__)
        return 2
    _, case, HOTPLAN, SRC, SCHEMA, WORK = argv
    # copies of the sample find libhotrt in this tree (samples/callsrv/v1/CMakeLists.txt)
    os.environ["HOTPLAN_SOURCE_DIR"] = SRC
    WORK = os.path.join(WORK, case)
    CASES[case]()
    print(f"run_e2e: {case} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
