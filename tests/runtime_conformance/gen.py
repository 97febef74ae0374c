#!/usr/bin/env python3
"""gen.py - random scenarios for the C conformance suite (run.py).

A scenario is the host's description (host.c: modules and their setup
versions, supervisors, processes) and one low-level script per upgrade.
Processes of every kind: a local loop; a qualified loop (through the
lookup); blocked in hotrt_receive, read or poll; a return address into a
module (M_via_N waits in N); a holder of a function pointer; sys or not;
supervised or not, permanent, transient or temporary, under a lax or a
strict supervisor. Two or three upgrades follow (load_object_code,
suspend/code_change/resume, loads with soft and brutal pre- and
post-purges, purges, a new module, a remove of an idle module), until
install or permanent.

Deterministic: the same seed gives the same bytes (random.Random(seed)).

What it avoids, and why (runtime/README.md's table of differences):
  - a process in a setup version its own setup purges (it would die
    before the snapshot);
  - a restart inside a load's pre-purge (a race, SEMANTICS.md 4.7): a
    module a supervised process has a frame in is purged right before its
    load, as in tests/simulator/gen_scenarios.py; at most one supervised
    process per module, and a strict supervisor has one worker;
  - a purge in the same upgrade after the load of a module a qualified
    loop runs: a C loop takes its step when it next asks the lookup, not
    between two instructions, so which of the two comes first is a race
    the model has no rule for;
  - a looping holder of a function pointer: a C pointer into purged code
    crashes the whole program (OTP: badfun in that process), and the stack
    does not show the pointer, so holders here block and never call it;
  - removing a module a process runs or holds a pointer into.

usage: gen.py OUTDIR SEED  -> OUTDIR/scenario.txt, OUTDIR/upgrade_K.script,
                              OUTDIR/meta.json
"""
import json
import os
import random
import sys

BASE = ["m1", "m2", "m3", "m4"]
KINDS = ["local", "qual", "recv", "read", "poll", "hold", "via"]


def fmt_list(xs):
    return "[" + ", ".join(xs) + "]"


class Scenario:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed

    def lowest(self, m):
        return max(1, self.top[m] - 1)

    def setup(self):
        r = self.r
        self.mods = BASE[:r.randint(2, 4)]
        self.top = {m: r.choice([1, 1, 2, 2, 3]) for m in self.mods}
        self.sups = []
        if r.random() < 0.85:
            strict = r.random() < 0.3
            self.sups.append(("top", r.choice([1, 2]) if strict else 1000))
        self.procs = []
        for i in range(1, r.randint(2, 6) + 1):
            self.process("p%d" % i)
        self.supervise()

    def process(self, name):
        r = self.r
        m = r.choice(self.mods)
        kind = r.choice(KINDS)
        v = r.randint(self.lowest(m), self.top[m])
        o = {"name": name, "module": m, "kind": kind, "vsn": v, "entry": kind,
             "sys": 0, "wait_blocked": 0, "fun": "-", "frames": {m}}
        if kind in ("local", "qual", "recv", "hold"):
            o["sys"] = r.randint(0, 1)
        if kind == "via":
            ns = [n for n in self.mods if n != m and min(v, self.top[n]) >= self.lowest(n)]
            if not ns:
                kind = o["kind"] = o["entry"] = "local"
            else:
                n = r.choice(ns)
                o["entry"] = "via_" + n
                o["wait_blocked"] = r.randint(0, 1)
                o["frames"] = {m, n}
        if kind == "hold":
            o["fun"] = r.choice(self.mods)
        self.procs.append(o)

    def supervise(self):
        r = self.r
        taken, held = set(), set()
        for o in self.procs:
            free = [s for s, inten in self.sups if inten == 1000 or s not in taken]
            if not free or o["frames"] & held or r.random() < 0.3:
                continue
            held |= o["frames"]
            s = r.choice(free)
            taken.add(s)
            o["sup"] = s
            o["restart"] = r.choice(["permanent", "permanent", "transient", "temporary"])

    def upgrade(self, k, last):
        r = self.r
        vsn = "u%d" % (k + 1)
        loads = r.sample(self.mods, r.choice([1, 1, 2]))
        new_mod = "n%d" % (k + 1) if r.random() < 0.15 else None
        remove = None
        if last and r.random() < 0.25:
            idle = [m for m in self.mods if m not in loads and
                    not any(m in o["frames"] or o["fun"] == m for o in self.procs)]
            if idle:
                remove = r.choice(idle)
        instrs = ["{load_object_code, {app, \"%s\", %s}}"
                  % (vsn, fmt_list(loads + ([new_mod] if new_mod else []))),
                  "point_of_no_return"]
        susp = [m for m in loads
                if any(o.get("sup") and o["module"] == m for o in self.procs) and r.random() < 0.5]
        if susp:
            instrs.append("{suspend, %s}" % fmt_list(susp))
        for m in loads:
            if any(o.get("sup") and m in o["frames"] for o in self.procs):
                instrs.append("{purge, [%s]}" % m)
            pre = r.choice(["brutal_purge", "brutal_purge", "soft_purge"])
            post = r.choice(["brutal_purge", "soft_purge"])
            instrs.append("{load, {%s, %s, %s}}" % (m, pre, post))
        if new_mod:
            instrs.append("{load, {%s, brutal_purge, brutal_purge}}" % new_mod)
            self.new_mods.append(new_mod)
        if susp:
            if r.random() < 0.7:
                instrs.append("{code_change, %s}" % fmt_list(["{%s, []}" % m for m in susp]))
            instrs.append("{resume, %s}" % fmt_list(list(reversed(susp))))
        qual_mods = {o["module"] for o in self.procs if o["kind"] == "qual"}
        purgeable = [m for m in loads if m not in qual_mods]
        if purgeable and r.random() < 0.35:
            instrs.append("{purge, [%s]}" % r.choice(purgeable))
        if remove:
            instrs.append("{remove, {%s, brutal_purge, %s}}"
                          % (remove, r.choice(["brutal_purge", "soft_purge"])))
            instrs.append("{purge, [%s]}" % remove)
        return "\n".join(i + "." for i in instrs) + "\n"

    def write(self, out):
        self.setup()
        r = self.r
        self.new_mods = []
        nup = r.choice([2, 3, 3])
        ups = [self.upgrade(k, k == nup - 1) for k in range(nup)]
        until = r.choice(["install", "permanent"])
        lines = ["# gen.py seed %d" % self.seed]
        for m in self.mods:
            lines.append("mod %s %s" % (m, " ".join("s%d" % i for i in range(1, self.top[m] + 1))))
        for s, inten in self.sups:
            lines.append("sup %s %d 3600000" % (s, inten))
        for o in self.procs:
            lines.append("proc %s %s %s %d %s %s s%d %d %s" % (
                o["name"], o["module"], o["entry"], o["sys"], o.get("sup", "-"),
                o.get("restart", "-"), o["vsn"], o["wait_blocked"], o["fun"]))
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "scenario.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        for k, text in enumerate(ups):
            with open(os.path.join(out, "upgrade_%d.script" % k), "w") as f:
                f.write("%% gen.py seed %d, upgrade %d\n" % (self.seed, k) + text)
        kinds = sorted({o["kind"] + ("+sys" if o["sys"] else "") +
                        ("+sup" if o.get("sup") else "") for o in self.procs})
        meta = {"seed": self.seed, "until": until, "upgrades": nup,
                "modules": self.mods + self.new_mods,
                "procs": [o["name"] for o in self.procs], "kinds": kinds}
        with open(os.path.join(out, "meta.json"), "w") as f:
            json.dump(meta, f, sort_keys=True)
        return meta


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen.py OUTDIR SEED\n")
        return 2
    Scenario(int(argv[2])).write(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
