#!/usr/bin/env python3
"""check_layering.py - the include rules between hotplan's folders.

    check_layering.py ROOT        check the tree at ROOT
    check_layering.py --selftest  check small trees made to break each rule

Reads the #include lines of every .c and .h file under the source folders
(model, analyzer, planner, simulator, snapshot, upgrade, output, cli, runtime) and
asserts:

  - model includes nothing of ours but model headers;
  - analyzer, planner and simulator include only model and their own folder;
  - snapshot includes only model and its own folder;
  - runtime (libhotrt, a library users link) includes of model only the
    script reader and what it needs (term.h, instr.h, util.h, fileio.h:
    libc only, so libhotrt stays free of cJSON and of hotplan's analysis)
    and nothing of any other folder;
  - upgrade includes no analyzer or output header;
  - output includes no libclang, and no analyzer or cli header, and calls
    none of the pipeline (plan_build, sim_run, sim_run_script, purge_auto:
    output/ only renders what upgrade/ computed);
  - only cli includes everything;
  - and, wherever it is, <clang-c/...> only in analyzer (STYLE.md 4), and
    elfutils' headers (<elfutils/...>, <dwarf.h>, <libelf.h>, <gelf.h>)
    only in snapshot (DESIGN.md §2).

A quoted header is owned by the folder that holds a file of that name (the
including file's own folder first). Each violation is printed as
"file:line: includes 'x' (folder): why it may not"; the exit status is 1
if there is any, 0 otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FOLDERS = ["model", "analyzer", "planner", "simulator", "snapshot", "upgrade", "output", "cli",
           "runtime"]

# Which folders' headers each folder may include (its own is always allowed).
ALLOWED = {
    "model": set(),
    "analyzer": {"model"},
    "planner": {"model"},
    "simulator": {"model"},
    "snapshot": {"model"},
    "upgrade": {"model", "planner", "simulator"},
    "output": {"model", "planner", "simulator", "upgrade"},
    "cli": set(FOLDERS),
    "runtime": {"model"},
}

# The model headers runtime/ may include: the script reader (one parser for
# every stage, so the runtime decodes a script exactly as plan writes and
# simulate reads it) and the libc-only helpers it needs.
RUNTIME_MODEL = {"term.h", "instr.h", "util.h", "fileio.h"}

WHY = {
    "model": "model is the bottom layer: it includes only model headers",
    "analyzer": "analyzer, planner and simulator include only model and their own folder",
    "planner": "analyzer, planner and simulator include only model and their own folder",
    "simulator": "analyzer, planner and simulator include only model and their own folder",
    "snapshot": "snapshot includes only model and its own folder",
    "upgrade": "upgrade includes no analyzer or output header",
    "output": "output includes no analyzer or cli header: only cli includes everything",
    "cli": "",
    "runtime": "runtime includes of model only term.h, instr.h, util.h and fileio.h, "
               "and nothing of hotplan's analysis",
}

# Explicit exceptions, "file: header": none today. The brief allows entries
# for output/upgrade.c, output/check.c and output/policy.c until they move
# to upgrade/; they break no rule, so they need none.
ALLOW_LIST = set()

ELFUTILS = ("elfutils/", "dwarf.h", "libelf.h", "gelf.h")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

# output/ renders; the pipeline that plans and simulates lives in upgrade/.
PIPELINE_CALL = re.compile(r'\b(plan_build|sim_run_script|sim_run|purge_auto)\s*\(')


def sources(root):
    """Yields (folder, path relative to root) of every .c/.h file."""
    for folder in FOLDERS:
        top = os.path.join(root, folder)
        if not os.path.isdir(top):
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith((".c", ".h")):
                    yield folder, os.path.relpath(os.path.join(dirpath, name), root)


def owners(root):
    """Maps a file name to the folders holding a file of that name."""
    own = {}
    for folder in FOLDERS:
        top = os.path.join(root, folder)
        if not os.path.isdir(top):
            continue
        for dirpath, _, filenames in os.walk(top):
            for name in filenames:
                own.setdefault(name, set()).add(folder)
    return own


def check(root):
    """Returns the violations of the tree at root, as printable lines."""
    own = owners(root)
    out = []
    for folder, rel in sources(root):
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for num, text in enumerate(lines, 1):
            call = PIPELINE_CALL.search(text) if folder == "output" else None
            if call:
                out.append("%s:%d: calls %s(): output/ only renders; planning and simulating "
                           "are upgrade/'s" % (rel, num, call.group(1)))
            m = INCLUDE.match(text)
            if not m:
                continue
            quote, name = m.group(1), m.group(2)
            where = "%s:%d" % (rel, num)
            if quote == "<":
                if name.startswith("clang-c/") and folder != "analyzer":
                    out.append("%s: includes <%s>: libclang stays in analyzer/ (STYLE.md 4)"
                               % (where, name))
                if name.startswith(ELFUTILS) and folder != "snapshot":
                    out.append("%s: includes <%s>: elfutils stays in snapshot/ (DESIGN.md 2)"
                               % (where, name))
                continue
            base = os.path.basename(name)
            holders = own.get(base, set())
            if os.path.exists(os.path.join(root, os.path.dirname(rel), name)):
                continue  # its own folder
            if not holders:
                out.append("%s: includes '%s', which no source folder holds" % (where, name))
                continue
            if len(holders) > 1:
                out.append("%s: includes '%s', which several folders hold (%s)"
                           % (where, name, ", ".join(sorted(holders))))
                continue
            holder = next(iter(holders))
            if folder == "runtime" and holder == "model" and base not in RUNTIME_MODEL:
                out.append("%s: includes '%s' (%s): %s" % (where, name, holder, WHY[folder]))
                continue
            if holder == folder or holder in ALLOWED[folder]:
                continue
            if "%s: %s" % (rel, name) in ALLOW_LIST:
                continue
            out.append("%s: includes '%s' (%s): %s" % (where, name, holder, WHY[folder]))
    return out


def selftest(script):
    """Each rule, broken in a small tree, must be reported; a clean tree not."""
    cases = [
        ("clean", {"model/util.h": "", "planner/plan.h": '#include "util.h"\n',
                   "output/out.c": '#include "plan.h"\n'}, None),
        ("model", {"model/util.h": '#include "plan.h"\n', "planner/plan.h": ""},
         "model/util.h:1: includes 'plan.h' (planner): model is the bottom layer"),
        ("planner", {"planner/plan.h": "\n#include \"sim.h\"\n", "simulator/sim.h": ""},
         "planner/plan.h:2: includes 'sim.h' (simulator): analyzer, planner and simulator"),
        ("upgrade", {"upgrade/up.c": '#include "output.h"\n', "output/output.h": ""},
         "upgrade/up.c:1: includes 'output.h' (output): upgrade includes no analyzer"),
        ("output", {"output/out.c": '#include "analyzer.h"\n', "analyzer/analyzer.h": ""},
         "output/out.c:1: includes 'analyzer.h' (analyzer): output includes no analyzer"),
        ("pipeline", {"output/out.c": "static int f(void) { return purge_auto(0); }\n"},
         "output/out.c:1: calls purge_auto(): output/ only renders"),
        ("libclang", {"output/out.c": "#include <clang-c/Index.h>\n"},
         "output/out.c:1: includes <clang-c/Index.h>: libclang stays in analyzer/"),
        ("snapshot", {"snapshot/snap.c": '#include "sim.h"\n', "simulator/sim.h": ""},
         "snapshot/snap.c:1: includes 'sim.h' (simulator): snapshot includes only model"),
        ("elfutils", {"cli/main.c": "#include <elfutils/libdwfl.h>\n"},
         "cli/main.c:1: includes <elfutils/libdwfl.h>: elfutils stays in snapshot/"),
        ("gelf", {"model/m.c": "#include <gelf.h>\n"},
         "model/m.c:1: includes <gelf.h>: elfutils stays in snapshot/"),
        ("runtime", {"runtime/rt.c": '#include "term.h"\n#include "sim.h"\n',
                     "model/term.h": "", "simulator/sim.h": ""},
         "runtime/rt.c:2: includes 'sim.h' (simulator): runtime includes of model only"),
        ("runtime-model", {"runtime/rt.c": '#include "facts.h"\n', "model/facts.h": ""},
         "runtime/rt.c:1: includes 'facts.h' (model): runtime includes of model only"),
    ]
    bad = 0
    for name, files, want in cases:
        tmp = tempfile.mkdtemp(prefix="hotplan-layering-")
        try:
            for path, text in files.items():
                os.makedirs(os.path.join(tmp, os.path.dirname(path)), exist_ok=True)
                with open(os.path.join(tmp, path), "w") as f:
                    f.write(text)
            r = subprocess.run([sys.executable, script, tmp], capture_output=True, text=True)
            if want is None:
                ok = r.returncode == 0 and "follow the rules" in r.stdout
            else:
                ok = r.returncode == 1 and want in r.stdout
            print("selftest %s: %s" % (name, "ok" if ok else "FAILED\n" + r.stdout + r.stderr))
            bad += not ok
        finally:
            shutil.rmtree(tmp)
    return 1 if bad else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--selftest":
        return selftest(os.path.abspath(argv[0]))
    if len(argv) != 2:
        sys.stderr.write("usage: check_layering.py ROOT | --selftest\n")
        return 2
    root = argv[1]
    violations = check(root)
    for v in violations:
        print(v)
    present = [f for f in FOLDERS if os.path.isdir(os.path.join(root, f))]
    if not violations:
        print("layering: %d files in %s follow the rules"
              % (sum(1 for _ in sources(root)), ", ".join(present)))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
