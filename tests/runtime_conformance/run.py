#!/usr/bin/env python3
"""run.py - the C conformance suite: generated scenarios (gen.py) run live
on libhotrt (hc_host) and predicted by 'hotplan snapshot' of the live host
plus 'hotplan simulate' of the same scripts; the two must agree.

For each seed: gen.py writes the scenario; hc_host loads the setup
versions, starts the processes and says "ready PID"; 'hotplan snapshot PID'
(the host answers 'procs' on its control socket) gives the runtime, and
'hotplan simulate' of the scripts on it the prediction. Then the host
installs each script (hotrt_install), makes it permanent when the scenario
says so, and reports its events, module versions and live processes. What
is compared, exactly: each upgrade's result and returned term; who was
killed (and why), restarted (in which version), suspended, dropped,
code-changed and resumed, and supervisors that gave up, at which
instruction (make_permanent as its own place); the final current and old
version of every module; the processes alive at the end. When the
simulator reports a race, the run may match its alternative run instead;
such scenarios are counted apart and named.

Prints one line per scenario, then "K/N scenarios agree". Exit 0 when all
agree (counting the race matches).

--mutant swap_killed reads every predicted 'killed' as not killed (and so
whoever the prediction says was killed and not restarted as alive): the
scenarios where a kill is predicted must then disagree; it exits 0 when
every one of them does, and there is at least one.

usage: run.py --hotplan H --host HOST --mods DIR --tree TREE --work DIR
              --seeds FIRST LAST [--jobs N] [--mutant swap_killed]
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULT = {"ok": "ok", "error": "error", "exit": "EXIT", "hang": "hang",
          "restart_emulator": "restart_emulator", "invalid": "invalid"}
# Runtime event kinds and the simulator's words for them.
KINDS = {"killed": "killed", "exited": "killed", "restarted": "restarted",
         "suspended": "suspended", "dropped": "dropped", "code_change": "code_change",
         "resumed": "resumed", "sup_down": "supervisor_down", "stopped": "stopped",
         "started": "started"}


def observed_events(report, nscripts, results):
    """The host's events as comparable tuples, each at (upgrade, place):
    place is the instruction index, or "permanent" for make_permanent."""
    out = []
    last = -1
    for e in report["events"]:
        kind = KINDS.get(e["kind"])
        if e["script"] >= 0:
            last = e["script"]
        if kind is None:
            continue
        if e["script"] >= 0:
            where = (e["script"], e["instr"])
        elif last >= 0:
            where = (last, "permanent")
        else:
            continue  # the setup
        detail = ""
        if kind == "killed":
            detail = "killed" if e["kind"] == "killed" else e["detail"]
        elif kind in ("restarted", "started"):
            detail = e["detail"]
        out.append((where, kind, e["name"], detail))
    return sorted(out, key=repr)


def proc_name(name):
    """The host's name of a process: the snapshot names it "M:ENTRY [NAME]"."""
    if name and name.endswith("]") and " [" in name:
        return name[name.rindex(" [") + 2:-1]
    return name


def predicted_events(run, mutant):
    out = []
    for e in run["events"]:
        kind = e["event"]
        if kind in ("application_down", "node_down"):
            # libhotrt's supervisors are no applications: a top one that
            # gives up stops its children, never the program (README).
            continue
        if kind == "step_race":
            continue  # says a race is there: the run has no such event
        if mutant == "swap_killed" and kind == "killed":
            continue
        where = (e["upgrade"], "permanent" if e["op"] == "make_permanent" else e["instr"])
        name = e.get("supervisor") if kind == "supervisor_down" else proc_name(e.get("name"))
        detail = ""
        if kind == "killed":
            detail = e["reason"]
        elif kind in ("restarted", "started"):
            detail = str(e.get("version"))
        out.append((where, kind, name, detail))
    return sorted(out, key=repr)


def predicted_alive(run, procs, mutant):
    alive = set(procs)
    for e in run["events"]:
        if e["event"] == "killed" and mutant != "swap_killed":
            alive.discard(proc_name(e["name"]))
        elif e["event"] in ("restarted", "started"):
            alive.add(proc_name(e["name"]))
    return sorted(alive)


def expectation(run, meta, mutant):
    ups = [(u["result"], u["returned"]) for u in run["upgrades"]]
    mods = {m["name"]: (m["current"], m["old"]) for m in run["modules"]
            if m["name"] in meta["modules"]}
    return {"results": ups, "events": predicted_events(run, mutant), "modules": mods,
            "alive": predicted_alive(run, meta["procs"], mutant)}


def host_cmd(proc, line):
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().rstrip("\n")


def run_live(args, wd, meta):
    """Starts the host, snapshots it, predicts, installs; returns (prediction
    JSON, observed dict) or raises RuntimeError with what went wrong."""
    host = subprocess.Popen([args.host, args.mods, os.path.join(wd, "scenario.txt")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=open(os.path.join(wd, "host.err"), "w"), text=True)
    try:
        ready = host.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "ready":
            raise RuntimeError("the host did not start: %s"
                               % open(os.path.join(wd, "host.err")).read().strip())
        snap = os.path.join(wd, "runtime.json")
        p = subprocess.run([args.hotplan, "snapshot", ready[1], "--facts", args.facts,
                            "--config", os.path.join(args.tree, "hotplan.config"),
                            "-o", snap], capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError("snapshot failed: " + p.stderr.strip())
        scripts = [os.path.join(wd, "upgrade_%d.script" % k) for k in range(meta["upgrades"])]
        p = subprocess.run([args.hotplan, "simulate"] + scripts +
                           ["--runtime", snap, "--until", meta["until"], "--format", "json",
                            "-o", os.path.join(wd, "prediction.json")],
                           capture_output=True, text=True)
        if p.returncode not in (0, 1):
            raise RuntimeError("simulate failed: " + p.stderr.strip())
        pred = json.load(open(os.path.join(wd, "prediction.json")))
        results = []
        for k, s in enumerate(scripts):
            words = host_cmd(host, "install u%d %s" % (k + 1, s)).split(" ", 2)
            results.append((RESULT.get(words[1], words[1]), words[2] if len(words) > 2 else ""))
            host_cmd(host, "sleep 30")  # qualified loops take their step
            if results[-1][0] in ("EXIT", "restart_emulator", "hang", "invalid"):
                break  # the node restarts (or waits): later upgrades are not run
            if results[-1][0] == "ok" and meta["until"] == "permanent":
                host_cmd(host, "permanent")
                host_cmd(host, "sleep 30")
        report = json.loads(host_cmd(host, "report " + " ".join(meta["modules"])))
        host_cmd(host, "quit")
    finally:
        try:
            host.stdin.close()
        except OSError:
            pass
        try:
            host.wait(timeout=10)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()
    obs = {"results": results,
           "events": observed_events(report, len(scripts), results),
           "modules": {m["name"]: (m["current"], m["old"]) for m in report["modules"]},
           "alive": sorted(report["alive"])}
    with open(os.path.join(wd, "observed.json"), "w") as f:
        json.dump(obs, f, indent=1, sort_keys=True)
    return pred, obs


def fill_results(exp, obs):
    """Upgrades after a failed one are not run on the host: the prediction
    says not_run for them."""
    exp["results"] = [r for r in exp["results"] if r[0] != "not_run"]


def diff(exp, obs):
    out = []
    for key in ("results", "events", "modules", "alive"):
        e, o = exp[key], obs[key]
        if key == "modules":
            e = {k: [v[0], v[1]] for k, v in e.items()}
            o = {k: [v[0], v[1]] for k, v in o.items()}
        if key == "events":
            e = [list(x) for x in e]
            o = [list(x) for x in json.loads(json.dumps(o))]
            e = json.loads(json.dumps(e))
        if key == "results":
            e = [list(x) for x in e]
            o = [list(x) for x in o]
        if e != o:
            if key == "events":
                out.append("events: predicted only %s; observed only %s"
                           % ([x for x in e if x not in o], [x for x in o if x not in e]))
            else:
                out.append("%s: predicted %s, observed %s" % (key, e, o))
    return out


def one(args, seed):
    wd = os.path.join(args.work, "s%04d" % seed)
    shutil.rmtree(wd, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), wd, str(seed)], check=True)
    meta = json.load(open(os.path.join(wd, "meta.json")))
    try:
        pred, obs = run_live(args, wd, meta)
    except (RuntimeError, ValueError, OSError) as e:
        return seed, "error", str(e), meta, False
    exp = expectation(pred, meta, args.mutant)
    fill_results(exp, obs)
    d = diff(exp, obs)
    killed = any(e["event"] == "killed" for e in pred["events"])
    if not d:
        return seed, "agree", "", meta, killed
    alt = pred.get("alternative")
    if alt and (pred.get("race") or pred.get("order_race") or pred.get("step_races")):
        exp2 = expectation(alt, meta, args.mutant)
        fill_results(exp2, obs)
        if not diff(exp2, obs):
            return seed, "race", "matches the alternative of a race the simulator reports", meta, killed
    return seed, "differ", "; ".join(d), meta, killed


def main():
    ap = argparse.ArgumentParser()
    for a in ("--hotplan", "--host", "--mods", "--tree", "--work"):
        ap.add_argument(a, required=True)
    ap.add_argument("--seeds", nargs=2, type=int, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--mutant", choices=["swap_killed"])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    args.facts = os.path.join(args.work, "tree.facts")
    p = subprocess.run([args.hotplan, "analyze", args.tree, "--config",
                        os.path.join(args.tree, "hotplan.config"), "-o", args.facts],
                       capture_output=True, text=True)
    if p.returncode:
        print("run.py: analyzing '%s' failed: %s" % (args.tree, p.stderr.strip()))
        return 1
    seeds = range(args.seeds[0], args.seeds[1] + 1)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        outcomes = list(ex.map(lambda s: one(args, s), seeds))
    agree = races = 0
    bad_mutant = []
    kinds = set()
    for seed, status, why, meta, killed in outcomes:
        kinds.update(meta["kinds"])
        print("seed %4d %-7s %s%s" % (seed, status, ", ".join(meta["kinds"]),
                                      (": " + why) if why else ""))
        agree += status == "agree"
        races += status == "race"
        if args.mutant and killed and status != "differ":
            bad_mutant.append(seed)
    n = len(outcomes)
    print("process kinds seen: %s" % ", ".join(sorted(kinds)))
    if races:
        print("%d scenarios match a race the simulator reports: %s" % (
            races, " ".join(str(s) for s, st, *_ in outcomes if st == "race")))
    print("%d/%d scenarios agree" % (agree + races, n))
    if args.mutant:
        nkilled = sum(1 for o in outcomes if o[4])
        ok = not bad_mutant and nkilled > 0
        print("mutant %s: %d scenarios predict a kill; %s" % (
            args.mutant, nkilled, "every one of them disagrees" if ok else
            "these agree all the same: %s" % " ".join(map(str, bad_mutant))))
        return 0 if ok else 1
    return 0 if agree + races == n else 1


if __name__ == "__main__":
    sys.exit(main())
