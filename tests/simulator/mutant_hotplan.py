#!/usr/bin/env python3
"""mutant_hotplan.py - a deliberately wrong 'hotplan simulate' for the
conformance self-test (mutant_run.sh): it runs the real hotplan, then alters
what its JSON outcome (-o FILE) says eval_script returned, in one of two ways
chosen by HOTPLAN_MUTATION:

  reverse_unpurged  {ok, Unpurged} with two or more entries: the list reversed
  alter_reason      {error, R} -> {error, {mutated, R}},
                    {'EXIT', R} -> {'EXIT', {mutated, R}}

Both the primary prediction and the race alternative are altered, so the
mutant is self-consistent. When it altered anything it creates a file
'mutated' beside the outcome, which tells mutant_run.sh that the
conformance driver must reject this scenario.

usage: HOTPLAN_REAL=path HOTPLAN_MUTATION=mode mutant_hotplan.py simulate ARGS...
"""
import json
import os
import re
import subprocess
import sys

ENTRY = re.compile(r"\{((?:'(?:[^'\\]|\\.)*'|[^,{}']+)),(soft_purge|brutal_purge)\}")


def reverse_unpurged(u):
    """Reverses an Unpurged list of two or more entries; True if changed."""
    if u.get("result") != "ok" or len(u.get("unpurged", [])) < 2:
        return False
    text = u["returned"]
    assert text.startswith("{ok,[") and text.endswith("]}"), text
    entries = ENTRY.findall(text[5:-2])
    assert len(entries) == len(u["unpurged"]), text
    u["returned"] = "{ok,[" + ",".join("{%s,%s}" % e for e in reversed(entries)) + "]}"
    u["unpurged"].reverse()
    return True


def alter_reason(u):
    """Wraps the Reason of {error, R} or {'EXIT', R}; True if changed."""
    text = u.get("returned")
    for head in ("{error,", "{'EXIT',"):
        if text and text.startswith(head) and text.endswith("}"):
            u["returned"] = head + "{mutated," + text[len(head):-1] + "}}"
            return True
    return False


def main():
    mutate = {"reverse_unpurged": reverse_unpurged,
              "alter_reason": alter_reason}[os.environ["HOTPLAN_MUTATION"]]
    args = sys.argv[1:]
    rc = subprocess.call([os.environ["HOTPLAN_REAL"]] + args)
    out = args[args.index("-o") + 1] if "-o" in args else None
    if rc not in (0, 1) or out is None or not os.path.exists(out):
        return rc
    with open(out, encoding="utf-8") as f:
        outcome = json.load(f)
    changed = False
    for run in (outcome, outcome.get("alternative")):
        for u in (run or {}).get("upgrades", []):
            changed = mutate(u) or changed
    with open(out, "w", encoding="utf-8") as f:
        json.dump(outcome, f, indent=2)
    if changed:
        open(os.path.join(os.path.dirname(out), "mutated"), "w").close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
