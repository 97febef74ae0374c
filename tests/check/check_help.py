#!/usr/bin/env python3
"""check_help.py HOTPLAN CLI_DIR - every option a command accepts is listed
in its --help, and bad usage is answered from the option table.

For each cli/cmd_NAME.c, reads the options from its source: the entries of
its option table (OPT_FLAG/OPT_STRING/OPT_UINT/OPT_ENUM/OPT_WORD, a
'.long_name =' entry, and OPT_TREE, whose names come from its #define in
cli/tree.h; parse-options.h) or of a 'struct option' array ({ "name", ...}
entries); checks that 'hotplan NAME --help' exits 0 and mentions each long
name as --name and each short name as -x. A command file without options
must still answer --help.

Then checks what a user sees on bad usage: the message the table generates
(words in the table's order, bounds of numbers, the option named as it was
typed), exit status 2, "Try 'hotplan NAME --help'.", and nothing on stdout.
"""
import glob
import os
import re
import subprocess
import sys


TABLE_ENTRY = re.compile(
    r"OPT_(?:FLAG|STRING|UINT|ENUM|WORD)\(\s*('.'|0)\s*,\s*\"([a-z][a-z0-9-]*)\"")
DESIGNATED = re.compile(r"\{\s*\.type\s*=\s*OPT_T_\w+\s*,\s*(?:\.short_name\s*=\s*('.')\s*,\s*)?"
                        r"\.long_name\s*=\s*\"([a-z][a-z0-9-]*)\"")


def table_entries(src):
    """(short, long) of every option table entry in src; short is '' or 'x'."""
    out = []
    for m in TABLE_ENTRY.finditer(src):
        out.append((m.group(1).strip("'") if m.group(1) != "0" else "", m.group(2)))
    for m in DESIGNATED.finditer(src):
        out.append(((m.group(1) or "").strip("'"), m.group(2)))
    return out


def tree_group(cli):
    """The entries of the OPT_TREE group, from its #define in cli/tree.h."""
    with open(os.path.join(cli, "tree.h")) as f:
        src = f.read()
    m = re.search(r"#define OPT_TREE\(.*?\n((?:.*\\\n)*.*\n)", src)
    if not m:
        return None
    return table_entries(m.group(1))


def options_of(path, group):
    """(entries, has_table): the options of a command file."""
    with open(path) as f:
        src = f.read()
    entries = []
    for m in re.finditer(r"struct\s+option\s+\w+\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\};", src, re.S):
        entries += [("", n) for n in re.findall(r'\{\s*"([a-z][a-z0-9-]*)"\s*,', m.group(1))]
    table = table_entries(src)
    if re.search(r"\bOPT_TREE\(", src):
        table += group
    return entries + table, bool(table)


# (command line, exit status, what stderr must hold)
USAGE = [
    (["check", "--purge", "gentle"], 2,
     "hotplan check: --purge must be auto, soft or brutal, not 'gentle'"),
    (["plan", "--purge", "gentle"], 2,
     "hotplan plan: --purge must be soft, brutal or auto, not 'gentle'"),
    (["graph", "-T", "gif"], 2, "hotplan graph: -T must be svg, png, pdf or dot, not 'gif'"),
    (["graph", "--format=gif"], 2,
     "hotplan graph: --format must be svg, png, pdf or dot, not 'gif'"),
    (["check", "--until", "never"], 2,
     "hotplan check: --until must be install or permanent, not 'never'"),
    (["check", "-j", "0"], 2, "hotplan check: -j needs a number from 1 to 1024, not '0'"),
    (["diff", "--jobs", "many"], 2,
     "hotplan diff: --jobs needs a number from 1 to 1024, not 'many'"),
    (["check", "--max-killed", "-1"], 2,
     "hotplan check: --max-killed needs a number from 0 to 1000000000, not '-1'"),
    (["check", "--max-kil", "x"], 2,
     "hotplan check: --max-killed needs a number from 0 to 1000000000, not 'x'"),
    (["analyze", "--keep-going=yes"], 2, "hotplan analyze: option '--keep-going' takes no value"),
    (["translate", "--mode"], 2, "hotplan translate: option '--mode' needs a value"),
    (["plan", "--help=all"], 2, "hotplan plan: option '--help' takes no value"),
    (["merge", "-x"], 2, "hotplan merge: unknown option '-x'"),
    (["simulate", "--frobnicate"], 2, "hotplan simulate: unknown option '--frobnicate'"),
    (["graph", "a", "--cache", "d", "--no-cache"], 2,
     "hotplan graph: --cache and --no-cache contradict each other"),
]


def check_usage(hotplan, bad):
    for args, status, want in USAGE:
        r = subprocess.run([hotplan] + args, capture_output=True, text=True)
        cmd = args[0]
        if r.returncode != status or want not in r.stderr or r.stdout or \
                f"Try 'hotplan {cmd} --help'." not in r.stderr:
            bad.append(f"'hotplan {' '.join(args)}' exits {r.returncode} with stderr "
                       f"{r.stderr!r} and stdout {r.stdout[:80]!r}; wanted {status} and {want!r}")
    print(f"check_help: {len(USAGE)} usage errors")


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
    group = tree_group(cli)
    if not group:
        print("check_help: no OPT_TREE group in cli/tree.h")
        return 1
    for path in cmds:
        cmd = os.path.basename(path)[4:-2]
        r = subprocess.run([hotplan, cmd, "--help"], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f"'hotplan {cmd} --help' exits {r.returncode}")
            continue
        opts, has_table = options_of(path, group)
        names = [o for _, o in opts]
        if not has_table and "help" not in names and opts:
            bad.append(f"{cmd}: no --help option in its struct option array")
        for short, o in opts:
            if not re.search(r"(^|[\s\[,|(])--" + re.escape(o) + r"\b", r.stdout):
                bad.append(f"'hotplan {cmd} --help' does not list --{o}")
            if short and not re.search(r"(^|[\s\[,|(])-" + re.escape(short) + r"\b", r.stdout):
                bad.append(f"'hotplan {cmd} --help' does not list -{short}")
        print(f"check_help: {cmd}: {len(opts)} options")
    check_usage(hotplan, bad)
    for b in bad:
        print("check_help: FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
