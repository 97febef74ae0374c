#!/usr/bin/env python3
"""check_help.py HOTPLAN CLI_DIR - every long option a command accepts is
listed in its --help.

For each cli/cmd_NAME.c, reads the long option names from its
'struct option' arrays ({ "name", ...} entries) and checks that
'hotplan NAME --help' exits 0 and mentions each as --name. A command file
without such an array must still answer --help.
"""
import glob
import os
import re
import subprocess
import sys


def options_of(path):
    with open(path) as f:
        src = f.read()
    names = []
    for m in re.finditer(r"struct\s+option\s+\w+\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\};", src, re.S):
        names += re.findall(r'\{\s*"([a-z][a-z0-9-]*)"\s*,', m.group(1))
    return names


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    hotplan, cli = argv[1], argv[2]
    bad = []
    cmds = sorted(glob.glob(os.path.join(cli, "cmd_*.c")))
    if not cmds:
        print("check_help: no cli/cmd_*.c found")
        return 1
    for path in cmds:
        cmd = os.path.basename(path)[4:-2]
        r = subprocess.run([hotplan, cmd, "--help"], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f"'hotplan {cmd} --help' exits {r.returncode}")
            continue
        opts = options_of(path)
        if "help" not in opts and opts:
            bad.append(f"{cmd}: no --help option in its struct option array")
        for o in opts:
            if not re.search(r"(^|[\s\[,|(])--" + re.escape(o) + r"\b", r.stdout):
                bad.append(f"'hotplan {cmd} --help' does not list --{o}")
        print(f"check_help: {cmd}: {len(opts)} options")
    for b in bad:
        print("check_help: FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
