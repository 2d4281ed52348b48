#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""the QEMU driver's overhead over qemu itself (a benchmark, not a test).

    VB_BUILD_DIR=build-rel /usr/bin/python3 tests/bench/qemu-bench.py [-n 15] [--guests 10]

starts `virtbusd --session` on a private bus with private XDG dirs (the environment of
tests/pytest/qemu_env.py) and measures, with a diskless TCG guest (q35, 128 MiB):

- Create -> running: the Create call over the bus, from sending it to its reply (the
  domain runs when the driver answers);
- Destroy -> shut off: the Destroy call, likewise;
- the floor of both: the very command line the driver ran (read from the domain's log
  header line, or DomainXMLToNative('qemu-argv') when there is none) started by hand,
  with its QMP socket moved to a private path: spawn, connect to QMP, read the greeting,
  qmp_capabilities, cont, answer received; then SIGKILL (and SIGTERM) and reaping;
- virtbusd's extra RSS per running guest: its VmRSS with N defined guests shut off, then
  with all N running, difference / N.

medians of -n rounds after warm-up rounds, printed as a table with the ratios and the
issue's targets (Create <= 1.3x the floor; < 100 KiB RSS per running guest). Build with
-Dbuildtype=release for numbers that mean something: sanitizers inflate both time and
RSS.
"""

import argparse
import json
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "pytest"))

from qemu_env import (QemuEnv, domain_xml, qemu_pid_of, rss_kib,  # noqa: E402
                      wait_until)

CREATE_TARGET = 1.3
RSS_TARGET_KIB = 100


# --------------------------------------------------------------------------------------
# qemu by hand


class Qmp:
    """just enough QMP: connect (retrying until qemu made the socket), greeting,
    commands answered in order."""

    def __init__(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.001)
        self.sock.settimeout(timeout)
        self.pending = b""
        greeting = self.read()
        assert "QMP" in greeting, greeting

    def read(self):
        while b"\n" not in self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def execute(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.read()
            if "event" in r:
                continue
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (name, r["error"]))
            return r["return"]

    def close(self):
        self.sock.close()


def argv_from_log(log_text):
    """the command line of the last start in a domain log (the line after the header)."""
    lines = log_text.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if "starting up virtbus" in lines[i] and i + 1 < len(lines):
            return shlex.split(lines[i + 1])
    return None


def split_opts(value):
    parts, cur, i = [], "", 0
    while i < len(value):
        if value[i] == ",":
            if value[i + 1:i + 2] == ",":
                cur += ","
                i += 2
                continue
            parts.append(cur)
            cur = ""
        else:
            cur += value[i]
        i += 1
    parts.append(cur)
    return parts


def with_monitor_at(argv, path):
    """@argv with its QMP socket (the -chardev socket of the -mon) moved to @path."""
    out = list(argv)
    mon_ids = set()
    for i in range(len(out) - 1):
        if out[i] == "-mon":
            opts = dict(p.partition("=")[::2] for p in split_opts(out[i + 1]))
            mon_ids.add(opts.get("chardev"))
    for i in range(len(out) - 1):
        if out[i] != "-chardev":
            continue
        parts = split_opts(out[i + 1])
        if parts[0] != "socket" or not any(p[3:] in mon_ids for p in parts if p.startswith("id=")):
            continue
        parts = [("path=" + path.replace(",", ",,")) if p.startswith("path=") else
                 p.replace(",", ",,") for p in parts]
        out[i + 1] = ",".join(parts)
        return out
    raise RuntimeError("no QMP -chardev socket in %r" % argv)


def floor_round(argv, workdir):
    """one by-hand start to a running guest, then SIGKILL; returns (start s, kill s)."""
    sock = os.path.join(workdir, "floor.qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    cmd = with_monitor_at(argv, sock)
    with open(os.path.join(workdir, "floor.log"), "ab") as log:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True)
        try:
            q = Qmp(sock)
            q.execute("qmp_capabilities")
            q.execute("cont")
            t1 = time.perf_counter()
            q.close()
        except BaseException:
            p.kill()
            p.wait()
            raise
        t2 = time.perf_counter()
        p.kill()
        p.wait()
        t3 = time.perf_counter()
    return t1 - t0, t3 - t2


def floor_term_round(argv, workdir):
    """as floor_round, but SIGTERM (what a graceful destroy sends first)."""
    sock = os.path.join(workdir, "floor.qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    cmd = with_monitor_at(argv, sock)
    with open(os.path.join(workdir, "floor.log"), "ab") as log:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True)
        q = Qmp(sock)
        q.execute("qmp_capabilities")
        q.execute("cont")
        q.close()
        t0 = time.perf_counter()
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        return time.perf_counter() - t0


# --------------------------------------------------------------------------------------


def ms(s):
    return "%.1f ms" % (s * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=15, help="measured rounds (default 15)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--guests", type=int, default=10, help="running guests for the RSS")
    ap.add_argument("--build", help="meson build dir (default $VB_BUILD_DIR)")
    args = ap.parse_args()
    if args.build:
        os.environ["VB_BUILD_DIR"] = os.path.abspath(args.build)
    if not os.environ.get("VB_BUILD_DIR"):
        sys.exit("set VB_BUILD_DIR or give --build")

    env = QemuEnv()
    try:
        env.start()
        svc_pid = env.svc.pid
        name = "bench-%s" % uuidlib.uuid4().hex[:6]
        uuid = str(uuidlib.uuid4())
        path = env.define(domain_xml(name, uuid, serial=None))

        creates, destroys = [], []
        for i in range(args.warmup + args.n):
            t0 = time.perf_counter()
            env.domain(path, "Create", "u", 0, timeout=120)
            t1 = time.perf_counter()
            env.domain(path, "Destroy", "u", 0, timeout=120)
            t2 = time.perf_counter()
            if i >= args.warmup:
                creates.append(t1 - t0)
                destroys.append(t2 - t1)

        log = env.log_of(name) or ""
        argv = argv_from_log(log)
        source = "log header"
        if argv is None:
            native = str(env.connect("DomainXMLToNative", "ssu", "qemu-argv",
                                     env.xml(path), 0))
            argv = shlex.split(native)
            source = "DomainXMLToNative"

        fstarts, fkills, fterms = [], [], []
        work = tempfile.mkdtemp(prefix="vbqf.", dir="/tmp")
        for i in range(args.warmup + args.n):
            s, k = floor_round(argv, work)
            if i >= args.warmup:
                fstarts.append(s)
                fkills.append(k)
        for i in range(max(3, args.n // 3)):
            fterms.append(floor_term_round(argv, work))

        # RSS: N defined guests shut off, then all running
        doms = []
        for i in range(args.guests):
            u = str(uuidlib.uuid4())
            p = env.define(domain_xml("rss-%d-%s" % (i, u[:6]), u, serial=None))
            doms.append((u, p))
        # warm the start path once more, then let the allocator settle
        env.domain(doms[0][1], "Create", "u", 0, timeout=120)
        env.domain(doms[0][1], "Destroy", "u", 0, timeout=120)
        time.sleep(1.0)
        rss0 = rss_kib(svc_pid)
        for u, p in doms:
            env.domain(p, "Create", "u", 0, timeout=120)
        wait_until(lambda: all(qemu_pid_of(u) for u, _ in doms), 60, "guests", pumping=False)
        time.sleep(1.0)
        rss_n = rss_kib(svc_pid)
        # a round of reads on each (state, XML, stats) must not grow it per guest either
        for u, p in doms:
            env.state(p)
            env.xml(p)
        rss_n2 = rss_kib(svc_pid)
        for u, p in doms:
            env.domain(p, "Destroy", "u", 0, timeout=120)
        time.sleep(0.5)
        rss_after = rss_kib(svc_pid)

        c_med, d_med = statistics.median(creates), statistics.median(destroys)
        fs_med, fk_med = statistics.median(fstarts), statistics.median(fkills)
        ft_med = statistics.median(fterms)
        per_guest = (rss_n - rss0) / args.guests
        build = os.environ["VB_BUILD_DIR"]
        print("virtbusd: %s/service/virtbusd; qemu argv from the %s (%d args); "
              "%d rounds after %d warm-up" % (build, source, len(argv), args.n, args.warmup))
        print()
        print("| measure | virtbus over the bus | qemu by hand (floor) | ratio | target |")
        print("|---|---|---|---|---|")
        print("| Create -> running, median | %s | %s (spawn, QMP, cont) | %.2fx | <= %.1fx |"
              % (ms(c_med), ms(fs_med), c_med / fs_med, CREATE_TARGET))
        print("| Destroy -> shut off, median | %s | %s SIGKILL / %s SIGTERM | %.2fx / %.2fx | |"
              % (ms(d_med), ms(fk_med), ms(ft_med), d_med / fk_med, d_med / ft_med))
        print("| Create min / max | %s / %s | %s / %s | | |"
              % (ms(min(creates)), ms(max(creates)), ms(min(fstarts)), ms(max(fstarts))))
        print("| virtbusd RSS, %d guests shut off -> running | %d -> %d KiB | | | |"
              % (args.guests, rss0, rss_n))
        print("| virtbusd extra RSS per running guest | %.1f KiB | | | < %d KiB |"
              % (per_guest, RSS_TARGET_KIB))
        print("| RSS after reads / after destroying all | %d / %d KiB | | | |"
              % (rss_n2, rss_after))
        print()
        verdict = []
        verdict.append("Create %s" % ("meets" if c_med / fs_med <= CREATE_TARGET else "MISSES"))
        verdict.append("RSS %s" % ("meets" if per_guest < RSS_TARGET_KIB else "MISSES"))
        print("targets: " + ", ".join(verdict))
        env.stop_service()
    finally:
        env.cleanup()


if __name__ == "__main__":
    main()
