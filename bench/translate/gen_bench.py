#!/usr/bin/env python3
"""gen_bench.py - an appup with N dependent modules, for bench/translate/run.

usage: gen_bench.py N chain|dag|forest OUT [SEED]

chain: m0 -> m1 -> ... -> m(N-1) (each depends on the next);
dag:   each module depends on 1..3 modules with a higher number, chosen at
       random (fixed seed) within a window, so the graph is one large
       component with many ties between topological orders;
forest: the same random DAG cut into components of 20 modules (many
       small components, the shape of a typical release upgrade).
Instructions alternate between forms: update with {advanced, []}, soft
update, load_module; every module belongs to one application.
"""
import random
import sys


def main():
    n, shape, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    names = ["m%d" % i for i in range(n)]
    lines = ['{apps, [{bench, "2.0", [%s]}]}.' % ", ".join(names)]
    instrs = []
    for i, m in enumerate(names):
        if shape == "chain":
            deps = [names[i + 1]] if i + 1 < n else []
        elif shape == "forest":
            hi = min(n, (i // 20 + 1) * 20)
            deps = sorted(set(names[rng.randrange(i + 1, hi)] for _ in range(rng.randint(1, 3)))) if i + 1 < hi else []
        else:
            hi = min(n, i + 50)
            deps = sorted(set(names[rng.randrange(i + 1, hi)] for _ in range(rng.randint(1, 3)))) if i + 1 < n else []
        d = "[" + ", ".join(deps) + "]"
        form = i % 3
        if form == 0:
            instrs.append("{update, %s, {advanced, []}, %s}" % (m, d))
        elif form == 1:
            instrs.append("{update, %s, soft, %s}" % (m, d))
        else:
            instrs.append("{load_module, %s, %s}" % (m, d))
    if shape != "chain":
        rng.shuffle(instrs)
    lines.append("[" + ",\n ".join(instrs) + "].")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
