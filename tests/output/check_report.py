#!/usr/bin/env python3
"""check_report.py - reads back check's machine reports.

Usage:
  check_report.py sarif SCHEMA FILE      validate FILE against the SARIF 2.1.0
                                         schema and check its structure
  check_report.py junit FILE             parse FILE as JUnit XML and check it
  check_report.py fixture SCHEMA RENDERER DIR
      runs RENDERER DIR twice (report_fixture_render) and checks the SARIF,
      the JUnit XML and the text of the fixture report, and that both runs
      gave identical bytes.

Importable: check_sarif() and check_junit() return what they read, for the
end-to-end tests of 'hotplan check'.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print("check_report: FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def check_sarif(schema_path, path):
    """Validates against the schema; checks rules, help, fingerprints.
    Returns the parsed log."""
    import jsonschema
    if not os.path.isfile(schema_path):
        sys.exit("no SARIF schema at %s: the tests read it from tests/schemas/ "
                 "in the repository; configure with -DHOTPLAN_SARIF_SCHEMA=FILE "
                 "to use another copy" % schema_path)
    with open(schema_path) as f:
        schema = json.load(f)
    with open(path) as f:
        log = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(log), key=lambda e: list(e.path))
    check(not errors, f"{path}: not valid SARIF 2.1.0: " +
          "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
    check(log["version"] == "2.1.0", "version")
    run = log["runs"][0]
    drv = run["tool"]["driver"]
    check(drv["name"] == "hotplan", "driver name")
    ids = [r["id"] for r in drv["rules"]]
    check(ids == sorted(ids) and len(set(ids)) == len(ids), f"rule ids not sorted/unique: {ids}")
    for r in drv["rules"]:
        check(r["help"]["text"].strip() != "", f"rule {r['id']} has no help text")
        check(r["shortDescription"]["text"].strip() != "", f"rule {r['id']} has no summary")
    fps = set()
    for res in run["results"]:
        check(ids[res["ruleIndex"]] == res["ruleId"], f"ruleIndex of {res['ruleId']}")
        fp = res["partialFingerprints"]["hotplan/v1"]
        check(len(fp) == 16, "fingerprint length")
        check(fp not in fps, f"duplicate fingerprint {fp}")
        fps.add(fp)
    return log


def check_junit(path):
    """Parses the JUnit XML; checks counts against the test cases.
    Returns {suite: {case name: (failure message or None, failure text)}}."""
    root = ET.parse(path).getroot()
    check(root.tag == "testsuites", f"root is {root.tag}")
    out = {}
    total = failures = 0
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        nfail = sum(1 for c in cases if c.find("failure") is not None)
        check(int(suite.get("tests")) == len(cases), f"suite {suite.get('name')} tests count")
        check(int(suite.get("failures")) == nfail, f"suite {suite.get('name')} failures count")
        total += len(cases)
        failures += nfail
        d = {}
        for c in cases:
            f = c.find("failure")
            check(c.get("classname") == suite.get("name"), "classname is the suite")
            d[c.get("name")] = (f.get("message") if f is not None else None,
                                f.text if f is not None else (c.findtext("system-out") or ""))
        out[suite.get("name")] = d
    check(int(root.get("tests")) == total and int(root.get("failures")) == failures,
          "testsuites totals")
    return out


def check_fixture(schema, renderer, outdir):
    for d in ("a", "b"):
        p = os.path.join(outdir, d)
        shutil.rmtree(p, ignore_errors=True)
        os.makedirs(p)
        r = subprocess.run([renderer, p], capture_output=True, text=True)
        check(r.returncode == 0, f"renderer failed: {r.stderr}")
    for f in ("report.sarif", "report.xml", "report.txt", "report-color.txt"):
        with open(os.path.join(outdir, "a", f), "rb") as x, open(os.path.join(outdir, "b", f), "rb") as y:
            check(x.read() == y.read(), f"{f} differs between two runs")
    d = os.path.join(outdir, "a")

    log = check_sarif(schema, os.path.join(d, "report.sarif"))
    run = log["runs"][0]
    check([r["id"] for r in run["tool"]["driver"]["rules"]] ==
          ["HP101", "HP105", "HP301", "HP302", "HP303", "HP304"], "rules table")
    res = run["results"]
    check([r["ruleId"] for r in res] == ["HP101", "HP101", "HP105", "HP301", "HP302"],
          f"results {[r['ruleId'] for r in res]}")
    check(res[0]["level"] == "error" and res[2]["level"] == "warning", "levels")
    loc = res[0]["locations"][0]["physicalLocation"]
    check(loc["artifactLocation"] == {"uri": "src/proto/registrar.c", "uriBaseId": "SRCROOT"},
          f"relative location {loc['artifactLocation']}")
    check(loc["region"] == {"startLine": 41, "startColumn": 9}, "region")
    check(run["originalUriBaseIds"]["SRCROOT"]["uri"] == "file:///src/callsrv/", "SRCROOT")
    out = res[2]["locations"][0]["physicalLocation"]["artifactLocation"]
    check(out == {"uri": "file:///elsewhere/my%20dir/x.c"}, f"absolute location {out}")
    check(res[2]["message"]["text"] == "'sip' is loaded before 'log' <which it calls> & \"quotes\"",
          "escaped message read back")
    check(res[3]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] ==
          "acceptor:acceptor_main", "logical location of the killed process")
    check("locations" not in res[4], "a finding without a place has no location")
    check(res[0]["partialFingerprints"] != res[1]["partialFingerprints"],
          "identical findings share a fingerprint")

    j = check_junit(os.path.join(d, "report.xml"))
    procs, finds = j["hotplan.processes"], j["hotplan.findings"]
    check(set(procs) == {"acceptor:acceptor_main <0.1.0>", "worker:worker_main <0.2.0>"}, "process cases")
    check(procs["acceptor:acceptor_main <0.1.0>"][0].startswith("killed at #9"), "killed process fails")
    check(procs["worker:worker_main <0.2.0>"][0] is None, "surviving process passes")
    check(set(finds) == {"HP101 removed-export-referenced", "HP105 load-out-of-dependency-order",
                         "HP301 process-killed", "HP302 upgrade-refused", "HP303 parse-failure",
                         "HP304 plan-differs"}, f"finding cases {sorted(finds)}")
    msg, text = finds["HP101 removed-export-referenced"]
    check(msg == "2 findings: an export removed by the upgrade is still referenced", f"HP101 message {msg}")
    check("/src/callsrv/src/proto/registrar.c:41:9: error: 'legacy_check' was removed" in text, "HP101 text")
    check("what to do: Keep the export" in text, "HP101 help")
    msg, text = finds["HP105 load-out-of-dependency-order"]
    check(msg is None and "<which it calls> & \"quotes\"" in text, "warning passes, text in system-out")
    check(finds["HP302 upgrade-refused"][0] is None, "a finding the policy allows does not fail")
    check(finds["HP303 parse-failure"] == (None, ""), "clean rule passes")

    with open(os.path.join(d, "report.txt")) as f:
        txt = f.read()
    check("\033[" not in txt, "colour without asking")
    # long lines are wrapped at 76 columns with deeper continuation lines
    check(all(len(l) <= 76 or " " not in l.strip()[20:] for l in txt.split("\n")
              if l.startswith("    ")), "a finding line is not wrapped")
    flat = re.sub(r"\n {6,}", " ", txt)
    for want in ("hotplan check: callsrv/v1 -> callsrv/v2",
                 "Processes (2, 1 killed)",
                 "  killed  acceptor:acceptor_main <0.1.0>: killed at #9",
                 "  ok      worker:worker_main <0.2.0>: suspended at #4",
                 "HP101 removed-export-referenced (2): an export removed",
                 "    error: /src/callsrv/src/proto/registrar.c:41:9: 'legacy_check' was removed",
                 "    warning: /elsewhere/my dir/x.c:3: 'sip' is loaded before",
                 "    what to do: Keep the export",
                 "FORBIDDEN: 3 findings the policy forbids; 1 process killed (at most 0 allowed)"):
        check(want in txt or want in flat, f"text lacks {want!r}:\n{txt}")
    with open(os.path.join(d, "report-color.txt")) as f:
        col = f.read()
    check("\033[31mkilled \033[0m" in col and "\033[32mok     \033[0m" in col, "colours")
    print("check_report: fixture ok")


def main(argv):
    if len(argv) == 4 and argv[1] == "sarif":
        check_sarif(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "junit":
        check_junit(argv[2])
    elif len(argv) == 5 and argv[1] == "fixture":
        check_fixture(argv[2], argv[3], argv[4])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
