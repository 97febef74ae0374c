#!/usr/bin/env python3
"""check_graph.py - reads back the pictures hotplan's graph stage draws.

Usage:
  check_graph.py fixture RENDERER DIR
      runs RENDERER DIR (graph_fixture_render) twice and checks the SVG
      (nodes, edges, edge styles, fills, cycle cluster, legend), the PNG
      (a valid image of plausible size), the PDF and the DOT, and that both
      runs gave identical bytes.

The SVG checks read the XML with xml.etree; they assert what a reader of the
picture sees, not how graphviz happens to lay it out.
"""
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def fail(msg):
    print("check_graph: FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def svg_objects(path):
    """{id: (classes, element)} for every node, edge and cluster."""
    root = ET.parse(path).getroot()
    check(root.tag == SVG + "svg", f"{path}: root is {root.tag}, not svg")
    objs = {}
    for g in root.iter(SVG + "g"):
        cls = g.get("class", "").split()
        if cls and cls[0] in ("node", "edge", "cluster"):
            objs[g.get("id")] = (cls, g)
    return root, objs


def shapes(g):
    return [e for e in g.iter() if e.tag in (SVG + "path", SVG + "polygon", SVG + "ellipse")]


def texts(g):
    return [t.text or "" for t in g.iter(SVG + "text")]


def tooltip(g):
    for a in g.iter(SVG + "a"):
        t = a.get(XLINK + "title")
        if t:
            return t
    return ""


def nodes(objs):
    return {i[4:] for i, (c, _) in objs.items() if c[0] == "node" and i.startswith("mod:")}


def edges(objs):
    return {i[5:]: c[1:] for i, (c, _) in objs.items() if c[0] == "edge" and i.startswith("edge:")}


def node_fill(objs, name):
    _, g = objs["mod:" + name]
    return shapes(g)[0].get("fill")


def edge_stroke(objs, frm, to):
    _, g = objs[f"edge:{frm}->{to}"]
    p = [s for s in shapes(g) if s.tag == SVG + "path"][0]
    return p.get("stroke"), p.get("stroke-dasharray"), p.get("stroke-width")


def check_edge_styles(objs, where):
    """Every drawn edge is styled by its strongest kind."""
    for name, kinds in edges(objs).items():
        frm, to = name.split("->")
        stroke, dash, width = edge_stroke(objs, frm, to)
        if "removed" in kinds:
            check(stroke == "#a0a0a0" and dash == "5,2", f"{where}: removed edge {name} not grey dashed")
        elif "qualified" in kinds:
            check(stroke == "#1f5fbf" and width == "2" and dash is None,
                  f"{where}: qualified edge {name} not bold blue ({stroke}, {width}, {dash})")
        elif "call" in kinds:
            check(dash is None and stroke == "#303030", f"{where}: call edge {name} not solid")
        elif "address" in kinds:
            check(dash == "5,2", f"{where}: address edge {name} not dashed ({dash})")
        elif "data" in kinds:
            check(dash == "1,5", f"{where}: data edge {name} not dotted ({dash})")
        else:
            fail(f"{where}: edge {name} has no kind class ({kinds})")


def legend_rows(objs):
    check("legend" in objs, "no legend cluster")
    _, table = objs["legend:table"]
    return texts(table)


def check_png(path, min_w=200, min_h=100):
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG signature")
    check(data[12:16] == b"IHDR", f"{path}: no IHDR chunk first")
    w, h = struct.unpack(">II", data[16:24])
    check(min_w <= w <= 20000 and min_h <= h <= 20000, f"{path}: implausible size {w}x{h}")
    check(data[-8:-4] == b"IEND", f"{path}: does not end with IEND")
    check(len(data) > 2000, f"{path}: suspiciously small ({len(data)} bytes)")
    return w, h


def check_fixture(renderer, outdir):
    for d in ("a", "b"):
        p = os.path.join(outdir, d)
        shutil.rmtree(p, ignore_errors=True)
        os.makedirs(p)
        r = subprocess.run([renderer, p], capture_output=True, text=True)
        check(r.returncode == 0, f"renderer failed: {r.stderr}")
    for f in ("plan.svg", "plan.png", "plan.pdf", "plan.dot", "tree.svg"):
        with open(os.path.join(outdir, "a", f), "rb") as x, open(os.path.join(outdir, "b", f), "rb") as y:
            check(x.read() == y.read(), f"{f} differs between two runs")
    d = os.path.join(outdir, "a")

    # --- the plan picture
    _, objs = svg_objects(os.path.join(d, "plan.svg"))
    check(nodes(objs) == {"acceptor", "dialog", "legacy_auth", "log", "metrics", "session", "sip"},
          f"plan nodes: {sorted(nodes(objs))}")
    e = edges(objs)
    check(set(e) == {"acceptor->sip", "dialog->session", "session->dialog", "sip->legacy_auth",
                     "sip->log", "sip->metrics", "sip->session"}, f"plan edges: {sorted(e)}")
    check(e["session->dialog"] == ["call", "data"], f"kinds of session->dialog: {e['session->dialog']}")
    check_edge_styles(objs, "plan.svg")
    check(node_fill(objs, "metrics") == "#b7e4a7", "added module not green")
    check(node_fill(objs, "legacy_auth") == "#f2a7a7", "removed module not red")
    check(node_fill(objs, "session") == "#f7c57f", "state change not orange")
    check(node_fill(objs, "sip") == "#cdb6ea", "export change not purple")
    check(node_fill(objs, "log") == "#ffffff", "unchanged module not white")
    check(shapes(objs["mod:legacy_auth"][1])[0].get("stroke-dasharray") == "5,2",
          "removed module border not dashed")
    check(texts(objs["mod:session"][1]) == ["session", "#2 update advanced (soft_purge)"],
          f"session label: {texts(objs['mod:session'][1])}")
    check(texts(objs["mod:sip"][1]) == ["sip", "#3 load (brutal_purge)"], "sip label")
    # the process module has two borders
    check(len(shapes(objs["mod:acceptor"][1])) == 2, "process module without a double border")
    check(len(shapes(objs["mod:log"][1])) == 1, "plain module with a double border")
    # the killed process
    cls, g = objs["proc:acceptor_main"]
    check("killed" in cls, "killed process without class")
    check(texts(g) == ["acceptor_main", "killed at #9", "load sip"], f"kill label {texts(g)}")
    check(shapes(g)[0].get("fill") == "#d03030", "killed process not red")
    check(len(shapes(g)[0].get("points").split()) >= 9, "killed process not an octagon")
    check("kill:acceptor_main" in objs, "no edge from the killed process to its module")
    # the cycle cluster
    cls, g = objs["cycle:1"]
    check(texts(g) == ["cycle 1: dialog session"], f"cycle cluster label {texts(g)}")
    check(shapes(g)[0].get("fill") == "#fdeeee", "cycle cluster not filled")
    # the legend
    rows = legend_rows(objs)
    for want in ("added", "removed", "state layout changed", "exports changed", "code changed",
                 "process predicted killed", "qualified edge: bold blue", "call edge: solid",
                 "address edge: dashed", "data edge: dotted",
                 "load order in the script, instruction, purge method"):
        check(want in rows, f"legend lacks '{want}': {rows}")

    # --- the single tree
    _, objs = svg_objects(os.path.join(d, "tree.svg"))
    check(nodes(objs) == {"acceptor", "dialog", "legacy_auth", "log", "session", "sip"},
          f"tree nodes: {sorted(nodes(objs))}")
    check(not any(i.startswith("proc:") for i in objs), "kills drawn without a plan")
    check(all(node_fill(objs, n) == "#ffffff" for n in nodes(objs)), "colours without a plan")
    check("process predicted killed" not in legend_rows(objs), "plan legend without a plan")
    check_edge_styles(objs, "tree.svg")

    # --- the other formats
    w, h = check_png(os.path.join(d, "plan.png"))
    with open(os.path.join(d, "plan.pdf"), "rb") as f:
        pdf = f.read()
    check(pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF"), "not a PDF")
    check(b"D:19700101000000" in pdf, "PDF carries the time it was made")
    with open(os.path.join(d, "plan.dot")) as f:
        dot = f.read()
    check(dot.startswith('digraph "hotplan" {') and '"mod:sip"' in dot, "DOT text")
    print(f"check_graph: fixture ok (png {w}x{h})")


def main(argv):
    if len(argv) == 4 and argv[1] == "fixture":
        check_fixture(argv[2], argv[3])
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
