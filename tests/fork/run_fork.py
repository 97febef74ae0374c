#!/usr/bin/env python3
"""run_fork.py - end-to-end tests of hotplan on a server that forks its
workers: samples/forksrv (v1 -> v2 changes worker.c, the module the
workers loop in).

Usage: run_fork.py CASE HOTPLAN SOURCE_DIR SCHEMA WORK_DIR

Each case configures both versions with CMake (each writes
compile_commands.json), directly or with -DFORKSRV_WRAPPER=ON (the master
starts its workers through its own spawn_worker()), and asserts what a user
sees: the exit status, the text report, the SARIF (validated against the
OASIS schema) and the JUnit file.
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "output"))
import check_report  # noqa: E402

HOTPLAN = SRC = SCHEMA = WORK = SAMPLE = None


def fail(msg):
    print("run_fork: FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def configure(version, wrapper):
    build = os.path.join(WORK, "%s-%s" % (version, "wrapper" if wrapper else "fork"))
    if not os.path.exists(os.path.join(build, "compile_commands.json")):
        r = subprocess.run(["cmake", "-S", os.path.join(SAMPLE, version), "-B", build,
                            "-DFORKSRV_WRAPPER=" + ("ON" if wrapper else "OFF")],
                           capture_output=True, text=True)
        check(r.returncode == 0, "cmake %s: %s" % (version, r.stderr))
    return build


def hotplan(*args):
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")
    env.pop("NO_COLOR", None)
    r = subprocess.run([HOTPLAN] + list(args), capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr


def run_check(old, new, *extra):
    sarif = os.path.join(WORK, "out.sarif")
    junit = os.path.join(WORK, "out.xml")
    for p in (sarif, junit):
        if os.path.exists(p):
            os.remove(p)
    rc, out, err = hotplan("check", old, new, "--sarif", sarif, "--junit", junit, *extra)
    return rc, out, err, sarif, junit


def worker_main_line(version):
    with open(os.path.join(SAMPLE, version, "src", "worker.c")) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("void worker_main("):
                return n
    fail("no worker_main in %s/src/worker.c" % version)


def assert_workers_killed(rc, out, err, sarif, junit):
    """The forked workers run old code of worker: brutal purge kills them at
    make_permanent, and every report says so."""
    check(rc == 1, "exit %d, wanted 1\n%s%s" % (rc, out, err))
    check("Processes (1, 1 killed)" in out, "process summary:\n" + out)
    check(re.search(r"^  killed  worker:worker_main <0\.\d+\.0>: killed at make_permanent, "
                    r"running old code of worker", out, re.M), "killed line:\n" + out)
    check("FORBIDDEN: 1 finding the policy forbids; 1 process killed" in out, "verdict:\n" + out)
    log = check_report.check_sarif(SCHEMA, sarif)
    res = log["runs"][0]["results"]
    check([r["ruleId"] for r in res] == ["HP301"], "SARIF results %s" % [r["ruleId"] for r in res])
    loc = res[0]["locations"][0]["physicalLocation"]
    check(loc["artifactLocation"]["uri"] == "worker.c" and
          loc["region"]["startLine"] == worker_main_line("v2"),
          "SARIF location %s, wanted worker.c:%d" % (loc, worker_main_line("v2")))
    j = check_report.check_junit(junit)
    failed = sorted(n for n, (msg, _) in j["hotplan.processes"].items() if msg is not None)
    check(len(failed) == 1 and failed[0].startswith("worker:worker_main"), "JUnit %s" % failed)


# ---- the cases ------------------------------------------------------------------

def case_selftest():
    """The sample is a real server: both versions, built both ways, serve
    their selftest requests from forked workers."""
    for v in ("v1", "v2"):
        for wrapper in (False, True):
            build = configure(v, wrapper)
            r = subprocess.run(["cmake", "--build", build], capture_output=True, text=True)
            check(r.returncode == 0, "build %s: %s%s" % (build, r.stdout, r.stderr))
            r = subprocess.run([os.path.join(build, "forksrv"), "--selftest"],
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 0 and "selftest ok (2 workers)" in r.stdout,
                  "%s --selftest: exit %d\n%s%s" % (build, r.returncode, r.stdout, r.stderr))


def case_killed():
    """fork() in start_worker, worker_main in the child: check predicts the
    workers' deaths."""
    old, new = configure("v1", False), configure("v2", False)
    assert_workers_killed(*run_check(old, new))
    # soft purge: nobody is killed, the workers linger in the old code
    rc, out, _, _, _ = run_check(old, new, "--purge", "soft")
    check(rc == 0 and "it stays in the old code of worker" in out, "soft purge:\n" + out)


def case_wrapper():
    """The same workers started through spawn_worker(lfd, worker_main):
    hotplan.config's {spawn, [{spawn_worker, 2}]} makes them processes."""
    old, new = configure("v1", True), configure("v2", True)
    rc, out, err, sarif, junit = run_check(old, new, "--config", os.path.join(SAMPLE, "hotplan.config"))
    assert_workers_killed(rc, out, err, sarif, junit)
    check("; started through spawn_worker, a spawn function of hotplan.config (" in out,
          "the report does not say the wrapper's argument was used:\n" + out)
    check("Processes (none found)" not in out, "hint with processes found:\n" + out)


def case_hint():
    """The wrapper without the config: no process is found, and the report
    says so, names the config key and --pid, instead of a silent OK."""
    old, new = configure("v1", True), configure("v2", True)
    rc, out, err, sarif, junit = run_check(old, new)
    check(rc == 0, "exit %d\n%s%s" % (rc, out, err))
    flat = re.sub(r"\n\s+", " ", out)
    check("\nProcesses (none found)\n" in out, "no 'none found' section:\n" + out)
    check("hotplan found no thread start and no forked child that loops in %s" % old in flat,
          "hint:\n" + out)
    check("name it in hotplan.config: {spawn, [{my_spawn, N}]}" in flat and "--pid PID" in flat,
          "the hint names the config key and --pid:\n" + out)
    check(re.search(r"^OK: the policy allows this upgrade \(no process found, 0 processes killed",
                    out, re.M), "verdict:\n" + out)
    # the forking build finds its workers: no hint
    rc, out, _, _, _ = run_check(configure("v1", False), configure("v2", False))
    check(rc == 1 and "none found" not in out and "no process found" not in out,
          "hint although processes were found:\n" + out)


def main():
    global HOTPLAN, SRC, SCHEMA, WORK, SAMPLE
    case, HOTPLAN, SRC, SCHEMA, WORK = sys.argv[1:6]
    SAMPLE = os.path.join(SRC, "samples", "forksrv")
    WORK = os.path.join(WORK, case)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    fn = globals().get("case_" + case)
    if not fn:
        fail("unknown case '%s'" % case)
    fn()
    print("run_fork: ok " + case)


if __name__ == "__main__":
    main()
