#!/usr/bin/env python3
"""gen_scenarios.py - random conformance scenarios for 'hotplan simulate'.

Writes one .scn file per seed (format: scenarios/README) into OUTDIR:
modules loaded in one to three versions, supervisors (a top one, sometimes
a child supervisor), processes of every kind (local, qualified, blocked;
sys or not; supervised or not, permanent/transient/temporary; with a return
address in another module; holding funs), then two or three upgrades in a
row (load_object_code, suspend/code_change/resume, loads with soft and
brutal pre- and post-purges, purges, a remove of a module no process runs,
a module new in the upgrade), until install or permanent. Funs are made on
modules the upgrades load again and again, so that funs outlive two
upgrades (purged, then called: badfun; or held by a blocked process, which
never calls them); a blocked process may even start with a fun of a version
already purged.

Deterministic: the same seed gives the same bytes (random.Random(seed), no
clock, no hash order).

What it avoids, because the VM itself does not fix the outcome or the
scenario format cannot state it:
  - a process with a frame in a version older than its module's old one at
    the start (the setup's own loads would kill it; qualified processes take
    their first step only after them), and a looping holder of a fun
    purged at the start (it would die during the setup);
  - two children of one supervisor killed by one purge past its restart
    intensity (which one the supervisor restarts first is a race): a
    supervisor is either lax (intensity 1000) or has one worker and no
    child supervisor (only a lax top supervisor gets a child supervisor);
  - a restart inside a load's pre-purge: its version is a race
    (SEMANTICS.md §4.7), and with two such races (two children killed by
    one load, or one child in two upgrades) the VM can take one each way,
    with consequences in later instructions that neither of hotplan's two
    predictions (every raced restart in the previous version, or every one
    in the new) describes. A module a supervised process has a frame in
    is therefore purged right before each of its loads, so the load kills
    nobody (kills by purge and make_permanent are not races); scenarios
    46 and 01 cover the race itself. Also at most one supervised process
    per module;
  - removing a module a process runs, restarts in or makes funs of (a
    restart would loop on undef);
  - suspending a process that ignores suspend, except rarely (each costs
    the 5 s resume attempt on the VM).

usage: gen_scenarios.py OUTDIR FIRST_SEED LAST_SEED
Prints one line with the counts of what the scenarios contain.
"""
import os
import random
import sys


def fmt_list(xs):
    return "[" + ", ".join(xs) + "]"


class Scenario:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.stats = {}

    def count(self, key, n=1):
        self.stats[key] = self.stats.get(key, 0) + n

    def modules(self):
        r = self.r
        n = r.randint(2, 4)
        self.mods = ["m%d" % i for i in range(1, n + 1)]
        self.top = {m: r.choice([1, 1, 2, 2, 3]) for m in self.mods}

    def supervisors(self):
        r = self.r
        self.sups = []  # (name, parent or None, intensity)
        if r.random() < 0.15:
            return
        strict_top = r.random() < 0.25
        self.sups.append(("top", None, r.choice([1, 2]) if strict_top else 1000))
        if not strict_top and r.random() < 0.4:
            self.sups.append(("sub", "top", r.choice([1, 1000])))
        self.count("supervisors", len(self.sups))

    def lowest(self, m):
        """The oldest version of m a frame may be in at the start."""
        return max(1, self.top[m] - 1)

    def process(self, i):
        r = self.r
        m = r.choice(self.mods)
        nxt = r.choice(["local", "qualified", "blocked"])
        v = r.randint(self.lowest(m), self.top[m])
        o = {"module": m, "vsn": v, "next": nxt}
        stack = None
        if r.random() < 0.25:
            n = r.choice(self.mods)
            # N:wait is entered at the start, in N's version of that time;
            # even a qualified wait moves on only at the first step, after
            # the setup's last load: that version must not be purged by it.
            if min(v, self.top[n]) >= self.lowest(n):
                stack = n
                o["stack"] = [n]
                self.count("stacks")
        funs = []
        for f in self.mods:
            if r.random() < 0.3:
                fv = min(v, self.top[f])
                if nxt == "blocked" or fv >= self.lowest(f):
                    funs.append(f)
                    if fv < self.lowest(f):
                        self.count("funs_purged_at_start")
        if funs:
            o["funs"] = funs
            self.count("fun_holders")
        o["sys"] = r.random() < 0.5
        o["stack_"] = stack
        self.procs.append(("p%d" % i, o))
        self.count(nxt)
        if o["sys"]:
            self.count("sys")

    def supervise(self):
        """Puts processes under supervisors; strict ones get one worker."""
        r = self.r
        taken = {}
        held = set()  # modules a supervised process has a frame in
        for name, o in self.procs:
            free = [s for s, _, inten in self.sups if inten == 1000 or s not in taken]
            frames = {o["module"]} | set(o.get("stack", []))
            if not free or frames & held or r.random() < 0.3:
                continue
            held |= frames
            s = r.choice(free)
            taken[s] = name
            o["sup"] = s
            o["restart"] = r.choice(["permanent", "permanent", "transient", "temporary"])
            if r.random() < 0.2:
                o["modules"] = sorted({o["module"], r.choice(self.mods)})
            self.count("supervised")

    def deaf(self, o):
        return o.get("sup") and (not o["sys"] or o.get("stack_"))

    def frames_in(self, m):
        return [o for _, o in self.procs
                if o["module"] == m or o.get("stack_") == m]

    def upgrade(self, k, last):
        r = self.r
        app_vsn = '"%d"' % (k + 2)
        loads = r.sample(self.mods, r.choice([1, 1, 2]))
        # Favour the modules funs are made of: funs outlive upgrades.
        fun_mods = sorted({f for _, o in self.procs for f in o.get("funs", [])})
        if fun_mods and r.random() < 0.6:
            f = r.choice(fun_mods)
            if f not in loads:
                loads.append(f)
        new_mod = None
        if r.random() < 0.1:
            new_mod = "n%d" % (k + 1)
            self.count("new_modules")
        remove = None
        if last and r.random() < 0.25:
            idle = [m for m in self.mods if not self.frames_in(m) and m not in loads
                    and not any(m in o.get("funs", []) for _, o in self.procs)]
            if idle:
                remove = r.choice(idle)
                self.count("removes")
        obj = loads + ([new_mod] if new_mod else [])
        instrs = ["{load_object_code, {app, %s, %s}}" % (app_vsn, fmt_list(obj)),
                  "point_of_no_return"]
        susp = []
        for m in loads:
            users = [o for _, o in self.procs if o.get("sup") and m in o.get("modules", [o["module"]])]
            if users and r.random() < 0.5:
                if any(self.deaf(o) for o in users) and r.random() < 0.85:
                    continue
                susp.append(m)
        if susp:
            instrs.append("{suspend, %s}" % fmt_list(susp))
            self.count("suspends")
        for m in loads:
            if any(o.get("sup") for o in self.frames_in(m)):
                # Purged first, the load itself kills nobody: a restart
                # inside a load is a race (below).
                instrs.append("{purge, [%s]}" % m)
                self.count("purges_before_load")
            pre = r.choice(["brutal_purge", "brutal_purge", "soft_purge"])
            post = r.choice(["brutal_purge", "soft_purge"])
            instrs.append("{load, {%s, %s, %s}}" % (m, pre, post))
            self.count(pre + "_pre")
            self.count(post + "_post")
        if new_mod:
            instrs.append("{load, {%s, brutal_purge, brutal_purge}}" % new_mod)
        if susp:
            if r.random() < 0.7:
                instrs.append("{code_change, %s}" % fmt_list(["{%s, []}" % m for m in susp]))
            instrs.append("{resume, %s}" % fmt_list(list(reversed(susp))))
        if r.random() < 0.35:
            purged = r.choice(loads)
            instrs.append("{purge, [%s]}" % purged)
            self.count("purges")
        if remove:
            instrs.append("{remove, {%s, brutal_purge, %s}}"
                          % (remove, r.choice(["brutal_purge", "soft_purge"])))
            instrs.append("{purge, [%s]}" % remove)
        for m in loads:
            self.loaded[m] = self.loaded.get(m, 0) + 1
        return "{upgrade, [" + ",\n           ".join(instrs) + "]}."

    def text(self):
        r = self.r
        self.modules()
        self.supervisors()
        self.procs = []
        for i in range(1, r.randint(2, 6) + 1):
            self.process(i)
        self.supervise()
        self.loaded = {}
        nup = r.choice([2, 3, 3])
        ups = [self.upgrade(k, k == nup - 1) for k in range(nup)]
        until = r.choice(["install", "permanent"])
        self.count("until_" + until)
        self.count("upgrades", nup)
        # Funs whose module the upgrades load twice or more: they outlive
        # two upgrades (their version is purged on the way).
        if any(self.loaded.get(f, 0) >= 2 for _, o in self.procs for f in o.get("funs", [])):
            self.count("funs_outlive_two_upgrades")
        lines = ["%% Generated by gen_scenarios.py, seed %d." % self.seed,
                 "{modules, %s}." % fmt_list("{%s, %d}" % (m, self.top[m]) for m in self.mods)]
        for s, parent, inten in self.sups:
            p = "parent => %s, " % parent if parent else ""
            lines.append("{sup, %s, #{%sintensity => %d, period => 5}}." % (s, p, inten))
        for name, o in self.procs:
            keys = ["module => %s" % o["module"], "vsn => %d" % o["vsn"], "next => %s" % o["next"],
                    "sys => %s" % ("true" if o["sys"] else "false")]
            if o.get("sup"):
                keys.append("sup => %s" % o["sup"])
                keys.append("restart => %s" % o["restart"])
                if "modules" in o:
                    keys.append("modules => %s" % fmt_list(o["modules"]))
            if o.get("stack"):
                keys.append("stack => %s" % fmt_list(o["stack"]))
            if o.get("funs"):
                keys.append("funs => %s" % fmt_list(o["funs"]))
            lines.append("{proc, %s, #{%s}}." % (name, ", ".join(keys)))
        lines.extend(ups)
        lines.append("{until, %s}." % until)
        return "\n".join(lines) + "\n"


# Seeds whose VM outcome depends on wall-clock time, left out until the
# generator avoids their shape. Seed 28: a permanent child is restarted in
# one upgrade and killed again early in the next; whether the two restarts
# fall within its supervisor's period (5 s) depends on how fast the VM ran
# the scenario, while the model's clock decides it one way. It agreed in
# most runs and disagreed in two (one under ASan) on 2026-12-06.
TIMING_DEPENDENT = {28}


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: gen_scenarios.py OUTDIR FIRST_SEED LAST_SEED\n")
        return 2
    out, first, last = argv[1], int(argv[2]), int(argv[3])
    os.makedirs(out, exist_ok=True)
    totals = {}
    skipped = [sd for sd in range(first, last + 1) if sd in TIMING_DEPENDENT]
    for seed in range(first, last + 1):
        if seed in TIMING_DEPENDENT:
            continue
        sc = Scenario(seed)
        with open(os.path.join(out, "gen_%05d.scn" % seed), "w", encoding="utf-8") as f:
            f.write(sc.text())
        for k, v in sc.stats.items():
            totals[k] = totals.get(k, 0) + v
    print("gen_scenarios: %d scenarios (seeds %d..%d%s): %s"
          % (last - first + 1 - len(skipped), first, last,
             ", left out as timing-dependent: %s" % " ".join(map(str, skipped)) if skipped else "",
             ", ".join("%s %d" % (k, totals[k]) for k in sorted(totals))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
