#!/usr/bin/env python3
"""gen_cases.py - random appups for the conformance suite (fixed seed).

usage: gen_cases.py OUTDIR [COUNT] [SEED]

Writes COUNT case files (default 600) in the input format of
'hotplan translate'. Each case has random dependency graphs (chains,
diamonds, cycles, random DAG edges), every high-level instruction form,
low-level instructions, several scripts, a mode (up, dn, or none: both),
and about a quarter inject one fault that OTP refuses with a known Reason.
Nothing here knows the expected output: conformance.escript asks OTP.

Rules that keep OTP's own output well defined (SEMANTICS.md §2.6):
modules that applications add are never named in another instruction's
dependencies, and a no_such_module fault leaves exactly one module out of
every application.
"""
import os
import random
import sys

PURGES = ["brutal_purge", "soft_purge"]


def atom(s):
    return s


def erl_list(xs):
    return "[" + ", ".join(xs) + "]"


def string(s):
    return '"' + s + '"'


class Case:
    def __init__(self, rng, idx):
        self.rng = rng
        self.idx = idx
        self.mods = []          # modules with a dependency instruction
        self.deps = {}          # module -> list of deps
        self.kind = {}          # module -> instruction kind

    # ---- dependency graphs -------------------------------------------
    def graph(self, n):
        r = self.rng
        mods = ["m%d_%d" % (self.idx, i) for i in range(n)]
        r.shuffle(mods)
        deps = {m: [] for m in mods}
        shape = r.choice(["chain", "diamond", "cycle", "dag", "mixed", "none", "forest"])
        if shape == "chain":
            for a, b in zip(mods, mods[1:]):
                deps[a].append(b)
        elif shape == "diamond":
            for i in range(0, n - 3, 3):
                top, l, rr, bot = mods[i], mods[i + 1], mods[i + 2], mods[i + 3]
                deps[top] += [l, rr]
                deps[l].append(bot)
                deps[rr].append(bot)
        elif shape == "cycle":
            k = r.randint(min(2, n), n)
            for i in range(k):
                deps[mods[i]].append(mods[(i + 1) % k])
            for i in range(k, n):
                deps[mods[i]].append(r.choice(mods[:i]))
        elif shape in ("dag", "mixed"):
            for i in range(n):
                for j in range(i + 1, n):
                    if r.random() < 2.0 / n:
                        deps[mods[i]].append(mods[j])
            if shape == "mixed":
                for _ in range(r.randint(1, 3)):
                    a, b = r.choice(mods), r.choice(mods)
                    deps[a].append(b)
        elif shape == "forest":
            for i in range(1, n):
                if r.random() < 0.6:
                    deps[mods[i]].append(mods[r.randrange(0, i)])
        for m in mods:
            r.shuffle(deps[m])
        self.mods = mods
        self.deps = deps

    # ---- instruction forms ----------------------------------------------
    def dep_instr(self, m):
        r = self.rng
        d = erl_list(self.deps[m])
        nodeps = not self.deps[m]
        kind = r.choice(["load", "load", "update", "update", "update", "add", "delete"])
        self.kind[m] = kind
        pre, post = r.choice(PURGES), r.choice(PURGES)
        if kind == "load":
            forms = ["{load_module, %s, %s}" % (m, d),
                     "{load_module, %s, %s, %s, %s}" % (m, pre, post, d)]
            if nodeps:
                forms.append("{load_module, %s}" % m)
            return r.choice(forms)
        if kind == "add":
            forms = ["{add_module, %s, %s}" % (m, d)]
            if nodeps:
                forms.append("{add_module, %s}" % m)
            return r.choice(forms)
        if kind == "delete":
            forms = ["{delete_module, %s, %s}" % (m, d)]
            if nodeps:
                forms.append("{delete_module, %s}" % m)
            return r.choice(forms)
        change = r.choice(["soft", "{advanced, []}", "{advanced, {x, %d}}" % r.randint(0, 9)])
        tmo = r.choice(["default", "infinity", str(r.randint(1, 9000))])
        mtype = r.choice(["static", "dynamic"])
        forms = ["{update, %s, %s}" % (m, d),
                 "{update, %s, %s, %s}" % (m, change, d),
                 "{update, %s, %s, %s, %s, %s}" % (m, change, pre, post, d),
                 "{update, %s, %s, %s, %s, %s, %s}" % (m, tmo, change, pre, post, d),
                 "{update, %s, %s, %s, %s, %s, %s, %s}" % (m, mtype, tmo, change, pre, post, d)]
        if nodeps:
            forms += ["{update, %s}" % m, "{update, %s, %s}" % (m, change),
                      "{update, %s, supervisor}" % m]
        return r.choice(forms)


def gen_case(rng, idx):
    c = Case(rng, idx)
    r = rng
    n = r.randint(1, 14)
    c.graph(n)
    # applications: modules spread over 1..3 apps; some listed twice
    napps = r.randint(1, 3)
    apps = [("app%d" % k, "%d.%d" % (r.randint(1, 3), r.randint(0, 9)), []) for k in range(napps)]
    others = ["x%d_%d" % (idx, k) for k in range(r.randint(0, 3))]
    for m in c.mods + others:
        apps[r.randrange(napps)][2].append(m)
        if r.random() < 0.1:
            apps[r.randrange(napps)][2].append(m)
    instrs = [c.dep_instr(m) for m in c.mods]
    r.shuffle(instrs)
    lowlevel = []
    pre_apps = []
    # applications added, removed, restarted (their modules never appear in deps)
    if r.random() < 0.3:
        t = r.choice(["", ", permanent", ", transient", ", temporary", ", load", ", none"])
        name = "newapp%d" % idx
        apps.append((name, "1.0", ["na%d_%d" % (idx, k) for k in range(r.randint(0, 3))]))
        lowlevel.append("{add_application, %s%s}" % (name, t))
    if r.random() < 0.2:
        name = "oldapp%d" % idx
        pre_apps.append((name, "0.1", ["oa%d_%d" % (idx, k) for k in range(r.randint(0, 3))]))
        lowlevel.append("{remove_application, %s}" % name)
    if r.random() < 0.2:
        name = "rapp%d" % idx
        typ = r.choice([None, "permanent", "load", "none", "temporary"])
        pre_apps.append((name, "1", ["ro%d_%d" % (idx, k) for k in range(r.randint(0, 3))]))
        apps.append((name, "2", ["rn%d_%d" % (idx, k) for k in range(r.randint(0, 3))], typ))
        lowlevel.append("{restart_application, %s}" % name)
    if r.random() < 0.3:
        lowlevel.append("{apply, {%s, f, [%d]}}" % (r.choice(["io", "m", "sup"]), r.randint(0, 9)))
    if r.random() < 0.2:
        ms = [r.choice(c.mods)] + ["p%d" % idx]
        lowlevel += ["{suspend, %s}" % erl_list(ms), "{resume, %s}" % erl_list(ms[::-1])]
    if r.random() < 0.15:
        lowlevel += ["{stop, [s%d]}" % idx, "{start, [s%d]}" % idx]
    if r.random() < 0.1:
        lowlevel.append("{purge, [%s]}" % r.choice(c.mods))
    if r.random() < 0.1:
        lowlevel.append("{sync_nodes, id%d, [a@h, b@h]}" % idx)
    if r.random() < 0.1:
        lowlevel.append("restart_emulator")
    if r.random() < 0.08:
        lowlevel.append("restart_new_emulator")
    if r.random() < 0.08:
        lowlevel.append(r.choice(["restart", "reboot"]))
    if r.random() < 0.15 and others:
        o = others[0]
        app = [a for a in apps if o in a[2]][0]
        lowlevel += ["{load_object_code, {%s, %s, [%s]}}" % (app[0], string(app[1]), o),
                     "{load, {%s, %s, %s}}" % (o, r.choice(PURGES), r.choice(PURGES))]
    for ins in lowlevel:
        instrs.insert(r.randint(0, len(instrs)), ins)

    # split into scripts, some with a before part
    nscripts = r.randint(1, 4)
    cuts = sorted(r.sample(range(len(instrs) + 1), min(nscripts - 1, len(instrs) + 1))) if nscripts > 1 else []
    scripts, prev = [], 0
    for cut in cuts + [len(instrs)]:
        scripts.append(instrs[prev:cut])
        prev = cut
    for s in scripts:
        if r.random() < 0.3:
            before = []
            if r.random() < 0.5:
                before.append("{apply, {pre, check, []}}")
            if r.random() < 0.5 and apps[0][2]:
                before.append("{load_object_code, {%s, %s, %s}}" % (
                    apps[0][0], string(apps[0][1]), erl_list(r.sample(apps[0][2], min(2, len(apps[0][2]))))))
            s[:0] = before + ["point_of_no_return"]

    faults = ["undef", "muldef", "bad_op_before", "too_many", "susp", "resumed", "start",
              "stop", "no_object_code", "no_such_module", "no_such_app", "removed_present",
              "conflict", "syntax"]
    def inject(fault):
        s = r.choice(scripts)
        if fault == "undef":
            s.append("{load_module, u%d, [ghost%d]}" % (idx, idx))
            apps[0][2].append("u%d" % idx)
        elif fault == "muldef":
            s.append("{load_module, %s}" % r.choice(c.mods))
        elif fault == "bad_op_before":
            s[:0] = ["{update, %s}" % r.choice(c.mods), "point_of_no_return"]
        elif fault == "too_many":
            s[:0] = ["point_of_no_return"]
            s.append("point_of_no_return")
        elif fault == "susp":
            s.append("{suspend, [z%d, {y%d, 10}]}" % (idx, idx))
        elif fault == "resumed":
            s.append("{resume, [z%d]}" % idx)
        elif fault == "start":
            s.append("{start, [z%d, w%d]}" % (idx, idx))
        elif fault == "stop":
            s.append("{stop, [z%d]}" % idx)
        elif fault == "no_object_code":
            s.append("{load, {z%d, brutal_purge, brutal_purge}}" % idx)
        elif fault == "no_such_module":
            victim = [m for m in c.mods if c.kind[m] != "delete"]
            if victim:
                v = r.choice(victim)
                for a in apps:
                    while v in a[2]:
                        a[2].remove(v)
        elif fault == "no_such_app":
            s.append(r.choice(["{add_application, ghostapp}", "{remove_application, ghostapp}",
                               "{restart_application, ghostapp}"]))
        elif fault == "removed_present":
            s.append("{remove_application, %s}" % apps[0][0])
        elif fault == "conflict":
            s.insert(0, "{load_object_code, {%s, \"9.%d\", [%s]}}" % (apps[0][0], idx, r.choice(c.mods)))
        elif fault == "syntax":
            s.insert(r.randint(0, len(s)), r.choice([
                "{update, q, soft, [\"notatom\"]}", "{update, q, {fancy}}", "{update, q, shared, default, soft, brutal_purge, brutal_purge, []}",
                "{load_module, q, nice_purge, brutal_purge, []}", "{purge, q}", "{apply, {m, f, notalist}}",
                "{sync_nodes, i, [1]}", "{add_application, 7}", "{add_application, a, sometimes}",
                "{apply, {m, 3, []}}", "{load_object_code, {1, \"1\", []}}", "{load_object_code, {a, vsn, []}}",
                "{update, q, -1, soft, brutal_purge, brutal_purge, []}", "{code_change, sideways, []}",
                "{code_change, [nope]}", "{frob}", "mnesia_backup", "42", "{load, {q, x, y}}"]))

    fault = None
    roll = r.random()
    if roll < 0.27:
        fault = r.choice(faults)
        inject(fault)
    elif roll < 0.37:
        # several faults at once: OTP's order of checks decides the Reason
        # (no_such_module is left out: with two modules missing, which one
        # OTP names depends on its tie order)
        fault = r.sample([f for f in faults if f != "no_such_module"], r.randint(2, 3))
        for f in fault:
            inject(f)
    mode = r.choice(["up", "dn", None])
    lines = ["%% generated case %d (seeded; fault: %s)" % (idx, fault)]
    lines.append("{apps, %s}." % erl_list([
        "{%s, %s, %s%s}" % (a[0], string(a[1]), erl_list(a[2]),
                             (", " + a[3]) if len(a) > 3 and a[3] else "") for a in apps]))
    if pre_apps:
        lines.append("{pre_apps, %s}." % erl_list(["{%s, %s, %s}" % (a[0], string(a[1]), erl_list(a[2]))
                                                   for a in pre_apps]))
    if mode:
        lines.append("{mode, %s}." % mode)
    for s in scripts:
        if r.random() < 0.2:
            lines.append("{script, %s}." % erl_list(s))
        else:
            lines.append("%s." % erl_list(s))
    return "\n".join(lines) + "\n"


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261121
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "gen%04d.terms" % i), "w") as f:
            f.write(gen_case(rng, i))


if __name__ == "__main__":
    main()
