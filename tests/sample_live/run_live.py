#!/usr/bin/env python3
"""run_live.py - callsrv v1, running and serving, upgraded live to v2 by the
script of 'hotplan plan', and what happened compared with what hotplan
predicted (issue 13).

usage: run_live.py HOTPLAN SRC WORK

  1. builds samples/callsrv v1 and v2 (with -g) into WORK, analyzes v1 and
     writes the plan v1 -> v2 (WORK/upgrade.script);
  2. starts v1 (--libdir 2.0=WORK/v2) and a client that sends requests
     without pause, one connection each, until the end;
  3. 'hotplan snapshot PID' of the running program, and 'hotplan simulate'
     of the script on that snapshot up to make_permanent: the prediction;
  4. 'hotplan apply --pid PID SCRIPT --events --make-permanent': the
     observation, from the program's own release handler;
  5. compares them field by field: the returned term; who was suspended,
     code-changed and resumed, for which module, at which instruction; who
     was killed, at which instruction, for what reason, and restarted in
     which version; the final current and old version of every module of
     the program;
  6. checks that the processes the runtime started (module, entry) are the
     analyzer's (hotrt_spawn read with no config), and the requests: every one got exactly one reply, each reply names
     the shared object that computed it as the dynamic linker saw it at that
     moment (dladdr, so the code was mapped), replies read before the
     upgrade began come from 1.0, requests sent after it ended are answered
     by 2.0, and some requests were sent while it ran;
  7. breaks the comparison on purpose: each of a few changes to the
     prediction (the term, an instruction, a victim, a version) must make it
     report a difference.

Processes are matched by their thread: the snapshot names a process
PID.TID, the program's control socket ('procs') gives each process's tid
and runtime id, and the events name the runtime id. Exit 0 when everything
agrees, 1 otherwise, with every difference printed.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

HOTPLAN = SRC = WORK = None
FAILS = []


def check(cond, what):
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        FAILS.append(what)
    return cond


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, cwd=WORK, **kw)


def hotplan(*args):
    return run([HOTPLAN] + list(args))


def must(p, what):
    if p.returncode != 0:
        sys.exit("run_live: %s failed (exit %d):\n%s%s" % (what, p.returncode, p.stdout[-3000:],
                                                          p.stderr[-3000:]))
    return p


# ---- the program and its control socket -------------------------------------

def control(path, line, body=b""):
    """One request on the control socket; the reply's lines without the final ok."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    s.sendall(line.encode() + b"\n" + body)
    out = b""
    while not re.search(rb"(^|\n)(ok|error [^\n]*)\n$", out):
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    lines = out.decode().splitlines()
    if not lines or lines[-1] != "ok":
        sys.exit("run_live: control '%s': %s" % (line, lines[-1:] or "no reply"))
    return lines[:-1]


def procs(path):
    """(tid -> (id, name), module -> (current, old)) from 'procs'."""
    tids, mods = {}, {}
    for l in control(path, "procs"):
        f = l.split(" ")
        if f[0] == "proc":
            tids[int(f[1])] = (int(f[2]), f[8], f[3], f[4])
        elif f[0] == "module":
            mods[f[1]] = (None if f[2] == "-" else f[2], None if f[3] == "-" else f[3])
    return tids, mods


class Server:
    def __init__(self):
        self.log_path = os.path.join(WORK, "callsrv.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([os.path.join(WORK, "v1", "callsrv"), "-v", "--port", "0",
                                      "--libdir", "2.0=" + os.path.join(WORK, "v2")],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        self.pid = self.proc.pid
        self.sock = "/tmp/hotrt.%d.sock" % self.pid
        self.port = None
        for _ in range(500):
            with open(self.log_path) as f:
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", f.read())
            if m and os.path.exists(self.sock):
                self.port = int(m.group(1))
                return
            time.sleep(0.01)
        self.stop()
        sys.exit("run_live: callsrv did not start:\n" + open(self.log_path).read()[-2000:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---- the client -----------------------------------------------------------------

REQUESTS = [
    "REGISTER from=alice@example.org token=alice-secret expires=600",
    "OPTIONS",
    "INVITE call=c{n} from=bob@example.org to=alice@example.org",
    "BYE call=c{n}",
]


class Client(threading.Thread):
    """Sends requests until stopped; records (sent, answered, line, replies)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.done, self.log = port, threading.Event(), []

    def one(self, line):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        sent = time.monotonic()
        s.sendall(line.encode() + b"\n")
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            out += d
        s.close()
        self.log.append((sent, time.monotonic(), line, out.decode().splitlines()))

    def run(self):
        n = 0
        while not self.done.is_set():
            n += 1
            line = REQUESTS[n % len(REQUESTS)].format(n=n // len(REQUESTS))
            try:
                self.one(line)
            except OSError as e:          # a request lost: recorded, and the end
                self.log.append((time.monotonic(), time.monotonic(), line, ["lost: %s" % e]))
                return

    def answered(self):
        return len(self.log)


def wait_answered(client, n):
    end = time.monotonic() + 60
    while client.answered() < n and time.monotonic() < end:
        time.sleep(0.01)
    return client.answered() >= n


# ---- prediction and observation, side by side ----------------------------------

# The events compared: the process, the instruction (or make_permanent), and
# the module (suspended, code_change, resumed), the reason (killed) or the
# version restarted in (restarted).
KINDS = ("suspended", "code_change", "resumed", "killed", "restarted")

def predicted(sim, tids):
    """The simulation's outcome in the observation's terms."""
    events = []
    for e in sim["events"]:
        if e["event"] not in KINDS:
            continue
        tid = int(e["pid"].split(".")[1])
        who = "%s#%d" % (tids[tid][1], tids[tid][0]) if tid in tids else e["pid"]
        where = "make_permanent" if e["op"] == "make_permanent" else e["instr"]
        what = {"killed": e["reason"], "restarted": e.get("version")}.get(e["event"], e["module"])
        events.append((e["event"], who, where, what))
    mods = {m["name"]: (m["current"], m["old"]) for m in sim["modules"]}
    return {"returned": sim["upgrades"][0]["returned"], "events": sorted(events, key=str),
            "modules": mods}


def event_log(path, start):
    """The program's events from index start ('events'), as dictionaries."""
    out = []
    for l in control(path, "events %d" % start):
        f = l.split(" ")
        out.append({"kind": f[2], "script": int(f[3]), "instr": int(f[4]), "pid": int(f[5]),
                    "new_pid": int(f[6]), "name": f[7], "detail": f[8]})
    return out


def observed(log, applied, mods):
    """What the program's release handler did, from its event log: the
    install's events (apply's --events must list the same) and
    make_permanent's (outside any script)."""
    events, install = [], []
    for e in log:
        if e["script"] >= 0:
            install.append((e["kind"], e["name"], e["pid"], e["instr"], e["detail"]))
        if e["kind"] not in KINDS:
            continue
        who = "%s#%d" % (e["name"], e["pid"])
        where = "make_permanent" if e["script"] < 0 else e["instr"]
        events.append((e["kind"], who, where, e["detail"]))
    told = [(e["kind"], e["name"], e["pid"], e["instr"], e["detail"]) for e in applied["events"]]
    check(told == install, "apply --events lists the install's events of the program's log") \
        or print("     apply %s\n     log   %s" % (told, install))
    later = [(e["kind"], e["name"], e["pid"], e["detail"]) for e in log if e["script"] < 0]
    told = [(e["kind"], e["name"], e["pid"], e["detail"])
            for e in applied.get("make_permanent_events", [])]
    check(told == later and any(k == "killed" for k, *_ in later),
          "apply --events --make-permanent lists make_permanent's events (a kill among them)") \
        or print("     apply %s\n     log   %s" % (told, later))
    return {"returned": applied["term"], "events": sorted(events, key=str), "modules": mods}


def version(v):
    return None if v is None else str(v)


def compare(pred, obs, added, release):
    """The differences between prediction and observation, as text lines.
    added: the modules the script adds (the snapshot had no version of
    them); release: the script's version, which the program gives them
    (M.Vsn.so). The simulator names such a module's version by its own count
    (1) when the runtime's versions are not all text, and callsrv's are not:
    boot, the executable's own code, has no NAME.VSN.so and is version 1."""
    diffs = []
    if pred["returned"] != obs["returned"]:
        diffs.append("returned: predicted %s, observed %s" % (pred["returned"], obs["returned"]))
    for e in pred["events"]:
        if e not in obs["events"]:
            diffs.append("predicted, not observed: %s" % (e,))
    for e in obs["events"]:
        if e not in pred["events"]:
            diffs.append("observed, not predicted: %s" % (e,))
    for m, (cur, old) in sorted(obs["modules"].items()):
        if m not in pred["modules"]:
            diffs.append("module %s: not in the prediction" % m)
            continue
        pcur, pold = pred["modules"][m]
        if m in added:
            pcur = release if pcur is not None else None
        if (version(pcur), version(pold)) != (cur, old):
            diffs.append("module %s: predicted current %s old %s, observed current %s old %s"
                         % (m, pcur, pold, cur, old))
    return diffs


def mutations(pred):
    """Predictions each broken in one field."""
    def copy():
        return json.loads(json.dumps(pred))
    out = []
    p = copy()
    p["returned"] = "{ok,[]}"
    out.append(("the returned term", p))
    p = copy()
    k, who, where, what = p["events"][0]
    p["events"][0] = [k, who, where + 1 if isinstance(where, int) else 0, what]
    out.append(("an instruction of %s" % k, p))
    p = copy()
    p["events"] = [e for e in p["events"] if e[0] != "killed"]
    out.append(("the victim of make_permanent", p))
    p = copy()
    p["modules"]["sip"] = ["1.0", None]
    out.append(("the version of sip", p))
    return out


# ---- the requests ------------------------------------------------------------------

def check_requests(log, began, ended):
    lost = [(l, r) for _, _, l, r in log if len(r) != 1 or r[0].startswith("lost: ")]
    check(not lost, "every request got exactly one reply (%d requests)" % len(log)) \
        or print("     %s" % lost[:5])
    vias = [(s, a, l, r[0].rsplit(" via=", 1)[-1]) for s, a, l, r in log if len(r) == 1]
    bad = [v for v in vias if not re.fullmatch(r"(sip|registrar)\.(1|2)\.0\.so", v[3])]
    check(not bad, "every reply was computed by a mapped sip or registrar object") \
        or print("     %s" % bad[:5])
    before = [v for v in vias if v[1] < began]
    after = [v for v in vias if v[0] > ended]
    during = [v for v in vias if began <= v[0] <= ended]
    check(before and all(".1.0.so" in v[3] for v in before),
          "the %d replies read before the upgrade began come from 1.0" % len(before))
    check(after and all(".2.0.so" in v[3] for v in after),
          "the %d requests sent after the upgrade ended are answered by 2.0" % len(after))
    check(len(during) > 0, "%d requests were sent while the upgrade ran (%.0f ms)"
          % (len(during), (ended - began) * 1000))


# ---- main ----------------------------------------------------------------------------

def build():
    for v in ("v1", "v2"):
        must(run(["cmake", "-S", os.path.join(SRC, "samples", "callsrv", v), "-B", v,
                  "-DCMAKE_C_FLAGS=-g"]), "cmake of callsrv " + v)
        must(run(["cmake", "--build", v, "-j2"]), "build of callsrv " + v)
    must(hotplan("analyze", "v1", "-o", "v1.facts"), "hotplan analyze v1")
    must(hotplan("plan", "v1.facts", "v2", "-o", "upgrade.script"), "hotplan plan v1 v2")


def script_changes():
    """The modules the script's load_object_code names, and its version."""
    with open(os.path.join(WORK, "upgrade.script")) as f:
        m = re.search(r'\{load_object_code,\{\w+,"([^"]+)",\[([^\]]*)\]\}\}', f.read())
    return m.group(1), m.group(2).split(",")


def live(srv):
    client = Client(srv.port)
    client.start()
    check(wait_answered(client, 20), "the server answers before the upgrade")
    tids, _ = procs(srv.sock)
    # the runtime knows which processes hotrt_spawn started: the analyzer's
    # entries (hotrt_spawn's .module/.entry, with no config) must be those
    with open(os.path.join(WORK, "v1.facts")) as f:
        entries = sorted((m["name"], e["function"]) for m in json.load(f)["modules"]
                         for e in m["entries"])
    running = sorted((t[2], t[3]) for t in tids.values())
    check(entries == running, "the analyzer's processes are the ones the runtime started: %s"
          % running) or print("     facts %s" % entries)
    must(hotplan("snapshot", str(srv.pid), "--facts", "v1.facts", "-o", "snap.json"),
         "hotplan snapshot")
    p = hotplan("simulate", "upgrade.script", "--runtime", "snap.json", "--until",
                "permanent", "--format", "json")
    if p.returncode not in (0, 1):      # 1: the outcome kills somebody
        must(p, "hotplan simulate")
    sim = json.loads(p.stdout)
    with open(os.path.join(WORK, "snap.json")) as f:
        known = {m["name"] for m in json.load(f)["modules"]}
    first = len(event_log(srv.sock, 0))
    began = time.monotonic()
    p = hotplan("apply", "--pid", str(srv.pid), "upgrade.script", "--events",
                "--make-permanent", "--format", "json")
    ended = time.monotonic()
    must(p, "hotplan apply")
    applied = json.loads(p.stdout)
    n = client.answered()
    check(wait_answered(client, n + 20), "the server answers after the upgrade")
    client.done.set()
    client.join(60)
    _, mods = procs(srv.sock)
    log = event_log(srv.sock, first)
    return sim, tids, known, applied, log, mods, client.log, began, ended


def main():
    global HOTPLAN, SRC, WORK
    HOTPLAN, SRC, WORK = sys.argv[1:4]
    os.makedirs(WORK, exist_ok=True)
    build()
    srv = Server()
    try:
        sim, tids, known, applied, events, mods, log, began, ended = live(srv)
    finally:
        srv.stop()
    release, loaded = script_changes()
    added = {m for m in loaded if m not in known}
    pred, obs = predicted(sim, tids), observed(events, applied, mods)
    print("predicted: %s\nobserved:  %s" % (json.dumps(pred), json.dumps(obs)))
    diffs = compare(pred, obs, added, release)
    check(not diffs, "the observed upgrade is the predicted one: returned term, suspended, "
          "code_change, resumed, killed, restarted (process, instruction, module, reason or "
          "version), final versions") or print("\n".join("     " + d for d in diffs))
    check(obs["events"] and obs["returned"].startswith("{ok,"),
          "the upgrade did something: %s, %d events" % (obs["returned"], len(obs["events"])))
    check_requests(log, began, ended)
    for what, broken in mutations(pred):
        check(compare(broken, obs, added, release) != [],
              "a prediction broken in %s is told apart" % what)
    print("sample_live: %d failed" % len(FAILS) if FAILS else "sample_live: ok")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
