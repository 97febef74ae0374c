#!/usr/bin/env python3
"""source_trees.py - hotplan on source folders, as a user points it at them.

Usage: source_trees.py CASE HOTPLAN SOURCE_DIR WORK_DIR

Cases (each asserts what a user sees: exit status, standard output and
error, the files written or not written):
  verdict     'hotplan check' on samples/callsrv/v1 and v2, the CMake source
              folders, gives the verdict it gives on the folders the demo
              configures (same exit status, same findings, same processes
              killed); the configure happens once, in the cache folder named
              on stderr, never in the source folder; --cache DIR and
              --no-cache (a temporary folder, removed) give the same verdict
  reconfigure a changed CMakeLists.txt is configured again; the plan title
              follows project(NAME VERSION ...)
  errors      a Makefile folder, a failing configure, no cmake on PATH, a
              CMake build folder without compile_commands.json: exit 2, a
              message saying what to do, nothing written
  guess       a folder of .c files without build system: -I for every folder
              holding headers, said on stderr; the plan is titled with the
              folder's name made an atom, which the real OTP reads back
  title       plan titles from source folders, build folders and facts
              files; --app/--vsn/--from-vsn and the config override them;
              check --against the plan of the same trees finds no difference
  simulate    'simulate --facts' takes any TREE: a source folder, a build
              folder and a facts file give the same prediction
No test writes into the user's cache: XDG_CACHE_HOME is in WORK_DIR.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

HOTPLAN = SRC = WORK = None


def fail(msg):
    print("source_trees: FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def env_with(extra=None):
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(WORK, "xdg")
    env["NO_COLOR"] = "1"
    env.pop("CMAKE_GENERATOR", None)
    if extra:
        env.update(extra)
    return env


def hotplan(*args, env_extra=None, cwd=None):
    r = subprocess.run([HOTPLAN] + list(args), capture_output=True, text=True,
                       env=env_with(env_extra), cwd=cwd)
    return r.returncode, r.stdout, r.stderr


def sample(v):
    return os.path.join(SRC, "samples", "callsrv", v)


def configure(src, build):
    r = subprocess.run(["cmake", "-S", src, "-B", build], capture_output=True, text=True)
    check(r.returncode == 0, f"cmake {src}: {r.stderr}")
    return build


def snapshot(folder):
    """Every entry under folder with its size and modification time."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            out[os.path.relpath(p, folder)] = (st.st_size, st.st_mtime_ns)
    return out


def normalized(text, old, new):
    """The check report with the names of the trees taken out."""
    return text.replace(old, "OLD").replace(new, "NEW")


CONFIGURED = re.compile(r"^hotplan: (configured|reusing the configuration of) '([^']*)' with "
                        r"cmake in '([^']*)' \(configure only, nothing built\)$", re.M)


def configured_lines(err):
    return [(m.group(1), m.group(2), m.group(3)) for m in CONFIGURED.finditer(err)]


def check_run(old, new, *extra, env_extra=None):
    sarif = os.path.join(WORK, "out.sarif")
    junit = os.path.join(WORK, "out.xml")
    for p in (sarif, junit):
        if os.path.exists(p):
            os.unlink(p)
    rc, out, err = hotplan("check", old, new, "--sarif", sarif, "--junit", junit, *extra,
                           env_extra=env_extra)
    reports = []
    for p in (sarif, junit):
        if os.path.exists(p):
            with open(p) as f:
                reports.append(f.read())
    return rc, normalized(out, old, new), err, reports


def case_verdict():
    build = os.path.join(WORK, "build", "samples")
    old_b = configure(sample("v1"), os.path.join(build, "v1"))
    new_b = configure(sample("v2"), os.path.join(build, "v2"))
    rc_b, out_b, err_b, rep_b = check_run(old_b, new_b)
    check(rc_b == 1, f"check on the build folders exits {rc_b}, expected 1 (the sample is "
          f"forbidden): {err_b}")
    check("killed" in out_b, "the build folders' report kills nobody")

    before = snapshot(os.path.join(SRC, "samples", "callsrv"))
    rc_s, out_s, err_s, rep_s = check_run(sample("v1"), sample("v2"))
    check(rc_s == rc_b, f"check on the source folders exits {rc_s}, on the build folders "
          f"{rc_b}; stderr: {err_s}")
    check(out_s == out_b, "the reports differ (findings or processes):\n--- build\n" + out_b +
          "\n--- source\n" + out_s)
    check(rep_s == rep_b, "the SARIF or JUnit reports differ")
    lines = configured_lines(err_s)
    check([(w, t) for w, t, _ in lines] == [("configured", sample("v1")),
                                            ("configured", sample("v2"))],
          f"stderr does not say both folders were configured: {err_s}")
    cache = os.path.join(WORK, "xdg", "hotplan", "cmake")
    dirs = [d for _, _, d in lines]
    check(dirs[0] != dirs[1], "both trees configured in one folder")
    for d in dirs:
        check(os.path.dirname(d) == cache and re.fullmatch(r"[0-9a-f]{16}", os.path.basename(d)),
              f"configured in '{d}', not in {cache}/<hash>")
        check(os.path.isfile(os.path.join(d, "compile_commands.json")),
              f"no compile_commands.json in {d}")
        objs = glob.glob(os.path.join(d, "**", "*.o"), recursive=True)
        check(not objs and not os.path.exists(os.path.join(d, "callsrv")),
              f"something was built in {d}: {objs}")
    check(snapshot(os.path.join(SRC, "samples", "callsrv")) == before,
          "the configure wrote into the source folders")

    # the second run reuses the configuration and says so
    rc2, out2, err2, _ = check_run(sample("v1"), sample("v2"))
    check(rc2 == rc_b and out2 == out_b, "the second run on the source folders differs")
    check([w for w, _, _ in configured_lines(err2)] == ["reusing the configuration of"] * 2,
          f"the second run did not reuse the configuration: {err2}")

    # --cache DIR holds the configured folders; --no-cache leaves nothing behind
    own = os.path.join(WORK, "own-cache")
    rc3, out3, err3, _ = check_run(sample("v1"), sample("v2"), "--cache", own)
    check(rc3 == rc_b and out3 == out_b, "check --cache DIR differs")
    check(all(os.path.dirname(d) == os.path.join(own, "cmake")
              for _, _, d in configured_lines(err3)) and len(configured_lines(err3)) == 2,
          f"--cache DIR: not configured in DIR/cmake: {err3}")
    tmp = os.path.join(WORK, "tmp")
    os.makedirs(tmp, exist_ok=True)
    rc4, out4, err4, _ = check_run(sample("v1"), sample("v2"), "--no-cache",
                                   env_extra={"TMPDIR": tmp})
    check(rc4 == rc_b and out4 == out_b, f"check --no-cache differs: {err4}")
    check(err4.count("with cmake in a temporary folder (configure only, nothing built)") == 2,
          f"--no-cache: stderr does not say so: {err4}")
    check(os.listdir(tmp) == [], f"--no-cache left {os.listdir(tmp)} in TMPDIR")


def case_reconfigure():
    tree = os.path.join(WORK, "proj")
    shutil.copytree(sample("v1"), tree)
    rc, out, err = hotplan("plan", tree, sample("v2"), "--format", "text")
    check(rc == 0, f"plan exits {rc}: {err}")
    check(out.startswith("plan callsrv 1.0 -> 2.0 "), f"title: {out.splitlines()[0]}")
    lines = configured_lines(err)
    check(len(lines) == 2 and lines[0][:2] == ("configured", tree), f"stderr: {err}")
    dir_ = lines[0][2]
    cml = os.path.join(tree, "CMakeLists.txt")
    with open(cml) as f:
        text = f.read()
    with open(cml, "w") as f:
        f.write(text.replace("project(callsrv VERSION 1.0", "project(CallSrv VERSION 1.5.2"))
    rc, out, err = hotplan("plan", tree, sample("v2"), "--format", "text")
    check(rc == 0, f"plan exits {rc}: {err}")
    lines = configured_lines(err)
    check(lines[0] == ("configured", tree, dir_),
          f"a changed CMakeLists.txt was not configured again in the same folder: {err}")
    check(lines[1][0] == "reusing the configuration of", f"v2 was configured again: {err}")
    check(out.startswith("plan callsrv 1.5.2 -> 2.0 "), f"title: {out.splitlines()[0]}")
    with open(os.path.join(dir_, "CMakeCache.txt")) as f:
        check("CMAKE_PROJECT_VERSION:STATIC=1.5.2" in f.read(), "the cache folder was not "
              "configured again")


def expect_refused(args, what, env_extra=None):
    """Runs hotplan with an output file; expects exit 2, every string of
    what on stderr, and no output file."""
    out = os.path.join(WORK, "refused.svg")
    if os.path.exists(out):
        os.unlink(out)
    rc, stdout, err = hotplan(*args, "-o", out, env_extra=env_extra) if args[0] != "check" \
        else hotplan(*args, "--sarif", out, env_extra=env_extra)
    check(rc == 2, f"{args}: exit {rc}, expected 2; stderr: {err}")
    for w in what:
        check(w in err, f"{args}: stderr lacks {w!r}: {err}")
    check(not os.path.exists(out), f"{args}: wrote {out}")
    check(stdout == "", f"{args}: printed {stdout!r}")
    return err


def case_errors():
    mk = os.path.join(WORK, "mk")
    shutil.copytree(sample("v1"), mk)
    os.unlink(os.path.join(mk, "CMakeLists.txt"))
    with open(os.path.join(mk, "Makefile"), "w") as f:
        f.write("callsrv: $(wildcard src/*/*.c)\n\t$(CC) -Iinclude -o $@ $^\n")
    for cmd in (["check", mk, sample("v2")], ["plan", mk, sample("v2")],
                ["graph", mk], ["simulate", os.path.join(WORK, "none.script"), "--facts", mk]):
        with open(os.path.join(WORK, "none.script"), "w") as f:
            f.write("[].\n")
        expect_refused(cmd, [f"'{mk}/Makefile'", "'bear -- make'", "'compiledb make'",
                             f"then pass '{mk}' again"])

    bad = os.path.join(WORK, "bad")
    shutil.copytree(sample("v1"), bad)
    with open(os.path.join(bad, "CMakeLists.txt"), "a") as f:
        f.write('message(FATAL_ERROR "the toolchain file is missing")\n')
    err = expect_refused(["check", bad, sample("v2")],
                         [f"cmake cannot configure '{bad}/CMakeLists.txt' (exit status 1)",
                          "the toolchain file is missing",
                          "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "cmake.log"])
    check(err.count("\n") <= 12, f"the failure is not cut to its last lines: {err}")
    expect_refused(["plan", bad, sample("v2")], ["the toolchain file is missing"])
    tmp = os.path.join(WORK, "tmp-bad")
    os.makedirs(tmp, exist_ok=True)
    expect_refused(["check", bad, sample("v2"), "--no-cache"], ["the toolchain file is missing"],
                   env_extra={"TMPDIR": tmp})
    check(os.listdir(tmp) == [], f"a failed --no-cache configure left {os.listdir(tmp)}")

    empty = os.path.join(WORK, "empty-path")
    os.makedirs(empty, exist_ok=True)
    expect_refused(["check", sample("v1"), sample("v2"), "--cache", os.path.join(WORK, "c2")],
                   ["cannot run 'cmake' to configure", "install CMake"],
                   env_extra={"PATH": empty})

    b = configure(sample("v1"), os.path.join(WORK, "nodb"))
    os.unlink(os.path.join(b, "compile_commands.json"))
    expect_refused(["plan", b, sample("v2")],
                   [f"'{b}' is a CMake build folder without compile_commands.json",
                    "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"])


def case_guess():
    old = os.path.join(WORK, "guess", "old")
    new = os.path.join(WORK, "guess", "Call-Srv")
    for v, dst in (("v1", old), ("v2", new)):
        shutil.copytree(sample(v), dst)
        os.unlink(os.path.join(dst, "CMakeLists.txt"))
        # the sample's headers and libhotrt's, as a user of the runtime has them
        shutil.copy(os.path.join(SRC, "runtime", "hotrt.h"), os.path.join(dst, "include"))
    rc, out, err = hotplan("check", old, new)
    check(rc == 1, f"check on bare .c folders exits {rc}, expected 1 (forbidden, as the "
          f"sample): {err}")
    check(f"hotplan: '{old}' has no compile_commands.json and no build system: analyzing "
          "its .c files with -I for the 1 folder holding headers (guessed)" in err,
          f"stderr does not say include folders were guessed: {err}")
    check("not found" not in err, f"a header was not found: {err}")

    rc, out, err = hotplan("plan", old, new, "--format", "relup")
    check(rc == 0, f"plan exits {rc}: {err}")
    term = os.path.join(WORK, "guess.relup")
    with open(term, "w") as f:
        f.write(out)
    # the application name must be an atom the release handler reads
    erl = subprocess.run(
        ["erl", "-noshell", "-eval",
         f'{{ok, [{{"2.0", [{{"1.0", [], [{{load_object_code, {{A, V, _}}}} | _]}}], _}}]}} = '
         f'file:consult("{term}"), io:format("~p ~p~n", [A, V]), halt().'],
        capture_output=True, text=True)
    check(erl.returncode == 0, f"OTP cannot read the relup: {erl.stdout}{erl.stderr}")
    check(erl.stdout.strip() == 'call_srv "2.0"', f"OTP reads the app as {erl.stdout!r}")


def case_title():
    old_b = configure(sample("v1"), os.path.join(WORK, "b", "v1"))
    new_b = configure(sample("v2"), os.path.join(WORK, "b", "v2"))
    facts = []
    for tree, name in ((old_b, "old.facts"), (new_b, "new.facts")):
        rc, _, err = hotplan("analyze", tree, "-o", os.path.join(WORK, name))
        check(rc == 0, f"analyze {tree}: {err}")
        facts.append(os.path.join(WORK, name))
    want = "plan callsrv 1.0 -> 2.0 (purge: brutal_purge)"
    for pair in ((sample("v1"), sample("v2")), (old_b, new_b), tuple(facts),
                 (os.path.join(old_b, "compile_commands.json"), new_b)):
        rc, out, err = hotplan("plan", *pair, "--format", "text")
        check(rc == 0, f"plan {pair}: {err}")
        check(out.splitlines()[0] == want, f"plan {pair}: title {out.splitlines()[0]!r}")
    rc, out, err = hotplan("plan", *facts, "--format", "json")
    check('"app": "callsrv"' in out and '"vsn": "2.0"' in out, "json lacks the app")
    rc, out, err = hotplan("plan", old_b, new_b, "--format", "text", "--app", "sip_gw",
                           "--vsn", "3.1", "--from-vsn", "3.0")
    check(out.splitlines()[0] == "plan sip_gw 3.0 -> 3.1 (purge: brutal_purge)",
          f"flags do not override: {out.splitlines()[0]!r}")
    # check plans what plan plans: --against the plan of the same trees holds
    plan_file = os.path.join(WORK, "committed.script")
    rc, _, err = hotplan("plan", sample("v1"), sample("v2"), "-o", plan_file)
    check(rc == 0, f"plan -o: {err}")
    rc, out, err = hotplan("check", sample("v1"), sample("v2"), "--against", plan_file)
    check("HP304" not in out, f"check --against the plan of the same trees differs:\n{out}")
    with open(plan_file) as f:
        check('{load_object_code,{callsrv,"2.0",' in f.read(), "the script's application")
    cfg = os.path.join(WORK, "hotplan.config")
    with open(cfg, "w") as f:
        f.write('{app, gateway}.\n{vsn, "7"}.\n')
    rc, out, err = hotplan("plan", old_b, new_b, "--format", "text", "--config", cfg)
    check(out.splitlines()[0] == "plan gateway 1.0 -> 7 (purge: brutal_purge)",
          f"the config does not override: {out.splitlines()[0]!r}")


def case_simulate():
    build = configure(sample("v1"), os.path.join(WORK, "b1"))
    rc, script, err = hotplan("plan", build, configure(sample("v2"), os.path.join(WORK, "b2")))
    check(rc == 0, f"plan: {err}")
    sp = os.path.join(WORK, "upgrade.script")
    with open(sp, "w") as f:
        f.write(script)
    fp = os.path.join(WORK, "old.facts")
    rc, _, err = hotplan("analyze", build, "-o", fp)
    check(rc == 0, f"analyze: {err}")
    results = []
    for tree in (fp, build, sample("v1")):
        rc, out, err = hotplan("simulate", sp, "--facts", tree, "--until", "permanent")
        check("is a directory" not in err, f"simulate --facts {tree}: {err}")
        results.append((rc, out))
    check(results[0][0] == 1 and "killed" in results[0][1],
          f"the sample's simulation kills nobody: {results[0]}")
    check(results[1] == results[0], "simulate --facts BUILD_FOLDER differs from the facts file")
    check(results[2] == results[0], "simulate --facts SOURCE_FOLDER differs from the facts file")


def main():
    global HOTPLAN, SRC, WORK
    case, HOTPLAN, SRC, work = sys.argv[1:5]
    # copies of the sample find libhotrt in this tree (samples/callsrv/v1/CMakeLists.txt)
    os.environ["HOTPLAN_SOURCE_DIR"] = SRC
    WORK = os.path.join(os.path.abspath(work), case)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    cases = {"verdict": case_verdict, "reconfigure": case_reconfigure, "errors": case_errors,
             "guess": case_guess, "title": case_title, "simulate": case_simulate}
    if case not in cases:
        fail(f"unknown case {case}")
    cases[case]()
    print(f"source_trees: {case}: ok")


if __name__ == "__main__":
    main()
