#!/usr/bin/env python3
"""run_apply.py - upgrades a real program on libhotrt live with 'hotplan apply'.

usage: run_apply.py HOTPLAN APPLY_SRV MODDIR SCRIPTS

apply_srv (apply_srv.c) runs greeter version 1: a sys server under the
supervisor greet_sup and a ticker in a local loop; it serves the control
socket /tmp/hotrt.<pid>.sock and answers "ask" on its standard input with
the server's answer ("greeter 1 state 7"). This test drives it through:

  1. procs on the socket (a client here): the supervisor, both processes
     with their Linux tids (checked against /proc/PID/task), the module;
  2. refusals, each exit 2 with nothing on standard output and the program
     unaffected: a script that does not parse (file:line:column), a process
     without the socket, no such process, no operand; and on the socket
     itself, a bad script and an unknown request;
  3. up.script: {ok,[{greeter,soft_purge}]}, exit 0, the events (suspend,
     load, code_change, resume of the server), and the program now answers
     from version 2 with the state code_change made ("greeter 2 state 107");
  4. precheck.script: the soft pre-check fails because the ticker runs the
     old version: {error,{old_processes,greeter}}, exit 1, nothing changed;
  5. purge.script with --events --make-permanent --format json: the ticker
     is killed, the old version purged;
  6. hang.script while a process no kill ends runs the version it purges:
     hang, exit 1, no make_permanent, the old code still mapped;
  then a second program: on a stale socket file (replaced, then unlinked)
     and on the first one's socket (refused, left alone);
  7. quit: the program ends and its socket is gone.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

HOTPLAN, SRV, MODDIR, SCRIPTS = sys.argv[1:5]
failures = []
checks = 0


def check(cond, what, detail=""):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL: %s%s" % (what, ("\n  " + detail.replace("\n", "\n  ")) if detail else ""))


def ctl(sock_path, req, body=b""):
    """Sends one request line (and body) to the control socket; returns the
    reply's lines before its final ok, or raises on an error reply."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sock_path)
    s.sendall(req.encode() + b"\n" + body)
    data, lines = b"", []
    while not lines or not (lines[-1] == "ok" or lines[-1].startswith("error ")):
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("%s: the connection ended" % req)
        data += chunk
        lines = data.decode().split("\n")[:-1]
    s.close()
    if lines[-1] != "ok":
        raise RuntimeError("%s: %s" % (req, lines[-1]))
    return lines[:-1]


def apply(*args):
    r = subprocess.run([HOTPLAN, "apply"] + list(args), capture_output=True, text=True,
                       timeout=60)
    return r.returncode, r.stdout, r.stderr


def script(name):
    return os.path.join(SCRIPTS, name)


srv = subprocess.Popen([SRV, MODDIR, "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       text=True, bufsize=1)


def ask():
    srv.stdin.write("ask\n")
    srv.stdin.flush()
    return srv.stdout.readline().strip()


try:
    check(srv.stdout.readline().strip() == "ready", "apply_srv starts")
    pid = srv.pid
    sock = "/tmp/hotrt.%d.sock" % pid
    st = os.stat(sock)
    check(oct(st.st_mode & 0o777) == oct(0o600), "the socket has mode 0600",
          oct(st.st_mode & 0o777))
    check(ask() == "greeter 1 state 7", "version 1 answers before the upgrade")

    # 1. procs
    procs = ctl(sock, "procs")
    tasks = set(os.listdir("/proc/%d/task" % pid))
    check(procs[0] == "sup greet_sup - one_for_one 5 10000", "procs: the supervisor line",
          "\n".join(procs))
    m = re.fullmatch(r"proc (\d+) 1 greeter greeter_server greet_sup permanent 1 "
                     r"greeter_server", procs[1])
    check(m is not None and m.group(1) in tasks,
          "procs: the server, its tid a thread of the program", "\n".join(procs))
    server_tid = m.group(1) if m else None
    m = re.fullmatch(r"proc (\d+) 2 greeter greeter_ticker - - 0 ticker", procs[2])
    check(m is not None and m.group(1) in tasks and m.group(1) != server_tid,
          "procs: the ticker, unsupervised, its own tid", "\n".join(procs))
    check(procs[3:] == ["module greeter 1 -"], "procs: greeter at version 1, no old",
          "\n".join(procs))

    # 2. refusals: exit 2, nothing on stdout, the program unaffected
    rc, out, err = apply("--pid", str(pid), script("bad.script"))
    check(rc == 2 and out == "", "a script that does not parse: exit 2, no output",
          "rc %d\n%s%s" % (rc, out, err))
    check(re.search(r"^hotplan apply: error: \S*bad\.script:4:1: ", err, re.M) is not None,
          "a script that does not parse: file:line:column on stderr", err)
    rc, out, err = apply("--pid", str(os.getpid()), script("up.script"))
    check(rc == 2 and out == "" and "does not serve libhotrt's control socket" in err
          and "hotrt_control_start" in err,
          "a process without the socket: exit 2, says how to start it", "rc %d\n%s" % (rc, err))
    rc, out, err = apply("--pid", "4194303", script("up.script"))
    check(rc == 2 and out == "" and "no process 4194303" in err, "no such process: exit 2",
          "rc %d\n%s" % (rc, err))
    rc, out, err = apply("--pid", str(pid))
    check(rc == 2 and out == "" and "expected one SCRIPT" in err, "no SCRIPT: exit 2", err)
    with open(script("bad.script"), "rb") as f:
        bad = f.read()
    try:
        ctl(sock, "install %d" % len(bad), bad)
        reply = "ok"
    except RuntimeError as e:
        reply = str(e).split(": ", 1)[1]
    check(reply.startswith("error script:4:1: "),
          "the socket itself refuses a bad script with its position", reply)
    try:
        ctl(sock, "frobnicate")
        reply = "ok"
    except RuntimeError as e:
        reply = str(e).split(": ", 1)[1]
    check(reply == "error unknown request 'frobnicate'", "an unknown request: error", reply)
    check(ask() == "greeter 1 state 7", "the refusals left version 1 running")
    check(ctl(sock, "procs") == procs, "the refusals changed no process")

    # 3. the upgrade, live
    rc, out, err = apply("--pid", str(pid), "--events", script("up.script"))
    lines = out.splitlines()
    check(rc == 0, "up.script: exit 0", "rc %d\n%s%s" % (rc, out, err))
    check(lines[:1] == ["{ok,[{greeter,soft_purge}]}"], "up.script: the result term", out)
    check(lines[1:] == [
        "suspended greeter_server pid=1 instr=2 detail=greeter",
        "loaded greeter instr=3 detail=2",
        "code_change greeter_server pid=1 instr=4 detail=greeter",
        "resumed greeter_server pid=1 instr=5 detail=greeter",
    ], "up.script: --events lists suspend, load, code_change, resume", out)
    check(ask() == "greeter 2 state 107", "version 2 answers, with code_change's state")
    after = ctl(sock, "procs")
    check(after[1:3] == procs[1:3], "up.script: same processes, same threads",
          "\n".join(after))
    check(after[3:] == ["module greeter 2 1"], "up.script: greeter 2 current, 1 old",
          "\n".join(after))
    check(ctl(sock, "unpurged") == ["result ok [{greeter,soft_purge}]"],
          "unpurged: the stored list")

    # 4. the soft pre-check fails: the ticker is in version 1
    rc, out, err = apply("--pid", str(pid), "--events", script("precheck.script"))
    check(rc == 1 and out == "{error,{old_processes,greeter}}\n",
          "precheck.script: {error,{old_processes,greeter}}, exit 1, no event",
          "rc %d\n%s%s" % (rc, out, err))
    check(ask() == "greeter 2 state 107" and ctl(sock, "procs") == after,
          "precheck.script changed nothing")

    # 5. purge the old version: the ticker is killed
    rc, out, err = apply("--socket", sock, "--events", "--make-permanent",
                         "--format", "json", script("purge.script"))
    check(rc == 0, "purge.script: exit 0", "rc %d\n%s%s" % (rc, out, err))
    try:
        doc = json.loads(out)
    except ValueError:
        doc = {}
    check(doc.get("result") == "ok" and doc.get("term") == "{ok,[]}"
          and doc.get("make_permanent") == "ok", "purge.script: the JSON result", out)
    check([(e["kind"], e["name"], e["pid"], e["detail"]) for e in doc.get("events", [])] ==
          [("killed", "ticker", 2, "killed"), ("purged", "greeter", 0, "1")],
          "purge.script: the ticker killed, version 1 purged", out)
    final = ctl(sock, "procs")
    check(final[1:] == [procs[1], "module greeter 2 -"],
          "purge.script: the server alone, greeter 2 only", "\n".join(final))
    check(ask() == "greeter 2 state 107", "the server still answers after the purge")

    # 6. a purge that hangs: busy (pid 3) runs version 2 and no kill ends it
    srv.stdin.write("busy\n")
    srv.stdin.flush()
    check(srv.stdout.readline().strip() == "busy 3", "apply_srv starts busy")
    rc, out, err = apply("--pid", str(pid), "--events", "--make-permanent",
                         script("hang.script"))
    check(rc == 1, "hang.script: exit 1", "rc %d\n%s%s" % (rc, out, err))
    check(out.splitlines() == [
        "hang",
        "loaded greeter instr=2 detail=2",
        "killed greeter_server pid=1 instr=3 detail=killed",
        "restarted greeter_server pid=1 new_pid=4 instr=3 detail=2",
        "hang greeter instr=3 detail=2",
    ], "hang.script: hang, the server killed and restarted, no make_permanent", out)
    check(ask() == "greeter 2 state 7", "the restarted server answers, state anew")
    hung = ctl(sock, "procs")
    check([l.split(" ", 2)[2] for l in hung[1:3]] ==
          ["3 greeter greeter_busy - - 0 busy",
           "4 greeter greeter_server greet_sup permanent 1 greeter_server"]
          and hung[3:] == ["module greeter 2 2"],
          "hang.script: busy still runs the old code, which stays mapped", "\n".join(hung))
    srv.stdin.write("unbusy\n")
    srv.stdin.flush()
    check(srv.stdout.readline().strip() == "unbusy", "apply_srv lets busy return")

    # a second program on a socket path: a stale socket file is replaced, a
    # live one (the first program's) refused
    stale = os.path.join(tempfile.mkdtemp(prefix="apply-"), "ctl.sock")
    b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    b.bind(stale)
    b.close()
    two = subprocess.run([SRV, MODDIR, stale], input="ask\nquit\n", capture_output=True,
                         text=True, timeout=60)
    check(two.returncode == 0 and two.stdout == "ready\ngreeter 1 state 7\n"
          and not os.path.exists(stale), "a stale socket file is replaced, then unlinked",
          "rc %d\n%s%s" % (two.returncode, two.stdout, two.stderr))
    os.rmdir(os.path.dirname(stale))
    two = subprocess.run([SRV, MODDIR, sock], input="quit\n", capture_output=True,
                         text=True, timeout=60)
    check(two.returncode == 1 and "'%s' is served by another program" % sock in two.stderr
          and os.path.exists(sock), "a socket another program serves is refused, kept",
          "rc %d\n%s" % (two.returncode, two.stderr))

    # 7. the program ends: its socket goes with it
    srv.stdin.write("quit\n")
    srv.stdin.flush()
    check(srv.wait(timeout=30) == 0, "apply_srv exits 0")
    check(not os.path.exists(sock), "hotrt_free unlinked the socket")
finally:
    if srv.poll() is None:
        srv.kill()
        srv.wait()

print("apply_live: %d checks, %d failed" % (checks, len(failures)))
sys.exit(1 if failures else 0)
