#!/usr/bin/env python3
"""gen_corpus.py - writes a synthetic C code base for the analyzer benchmark.

usage: gen_corpus.py DIR [UNITS]

DIR receives UNITS (default 240) translation units in a few folders, a
shared header, and compile_commands.json. Each unit looks like a module of
a server: system headers, a state struct, static helpers, exported
functions calling other units, a loop, sometimes a thread. The output is
a function of UNITS only (no randomness), so runs compare.
"""
import json
import os
import sys


def unit(i, n):
    nxt, prv = (i + 1) % n, (i + n - 1) % n
    body = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>",
            "#include <pthread.h>", "#include <poll.h>", '#include "common.h"', ""]
    body.append("struct m%d_state { int id; char name[32]; unsigned long hits[%d]; struct m%d_state *next; };" % (i, 4 + i % 5, i))
    body.append("static struct m%d_state g_state;" % i)
    body.append("int m%d_calls = %d;" % (i, i))
    for k in range(6):
        body.append("static int m%d_helper%d(int x)\n{\n    int acc = x;\n    for (int j = 0; j < x %% 7; j++)\n"
                    "        acc += j * %d + (int)strlen(g_state.name);\n    return acc;\n}" % (i, k, k + 1))
    body.append("int m%d_get(int x);" % nxt)
    body.append("int m%d_get(int x);" % prv)
    body.append("int m%d_get(int x)\n{\n    char buf[64];\n    snprintf(buf, sizeof buf, \"%%d\", x);\n"
                "    g_state.hits[0]++;\n    return m%d_helper0(x) + m%d_helper1(atoi(buf)) + common_util(x);\n}" % (i, i, i))
    body.append("int m%d_work(int x)\n{\n    int s = 0;\n    for (int k = 0; k < x; k++) {\n"
                "        s += m%d_get(k) + m%d_helper2(k) + m%d_helper3(s);\n        m%d_calls++;\n    }\n"
                "    return s + m%d_helper4(x) + m%d_helper5(x) + (x ? m%d_get(x - 1) : 0);\n}" % (i, nxt, i, i, i, i, i, prv))
    if i % 10 == 0:
        body.append("static void *m%d_main(void *arg)\n{\n    struct pollfd p = { 0, POLLIN, 0 };\n"
                    "    for (;;) {\n        if (poll(&p, 1, -1) < 0)\n            break;\n        m%d_work(1);\n    }\n"
                    "    return arg;\n}" % (i, i))
        body.append("int m%d_start(void)\n{\n    pthread_t t;\n    return pthread_create(&t, NULL, m%d_main, NULL);\n}" % (i, i))
    return "\n".join(body) + "\n"


def main():
    out = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 240
    os.makedirs(os.path.join(out, "include"), exist_ok=True)
    with open(os.path.join(out, "include", "common.h"), "w") as fp:
        fp.write("#ifndef COMMON_H\n#define COMMON_H\n#include <stddef.h>\n"
                 "static inline int common_util(int x) { return x * 2 + 1; }\n"
                 "struct common_cfg { int a, b; const char *name; };\n#endif\n")
    db = []
    for i in range(n):
        folder = os.path.join(out, "src", "part%d" % (i % 8))
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "m%03d.c" % i)
        with open(path, "w") as fp:
            fp.write(unit(i, n))
        rel = os.path.relpath(path, out)
        db.append({"directory": out, "file": rel,
                   "arguments": ["cc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Iinclude",
                                 "-O2", "-Wall", "-c", rel, "-o", "obj/m%03d.o" % i]})
    with open(os.path.join(out, "compile_commands.json"), "w") as fp:
        json.dump(db, fp, indent=1)
    print("%d units in %s" % (n, out))


if __name__ == "__main__":
    main()
