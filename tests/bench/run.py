#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbus against libvirt-dbus, side by side, on private session buses.

    /usr/bin/python3 tests/bench/run.py [--install-peer] [--runs 3] [--build DIR]

builds a release virtbusd and vb-bench (scripts/build.sh DIR -Dbuildtype=release), starts
two private session buses (own config, no servicedir), `virtbusd --session` on one and
`libvirt-dbus --session` on the other (libvirt's test:///default driver, in-process in
libvirt-dbus), and runs the same vb-bench plan against both, each measurement --runs
times with the services alternating (A B, B A, ...):

  0 extra domains: ping state xml getall lookup list, define-undefine x10 000 (cpu and
  RSS growth), create-destroy, 4 parallel clients doing GetXMLDesc;
  then populate to 100, 1 000, 10 000 defined domains (RSS per domain), and the read
  scenarios and list at each size.

prints markdown tables of medians over the runs, the ratio virtbus / libvirt-dbus, the
spread between runs, and the targets of the issue. libvirt-dbus is installed only with
--install-peer (apt-get); without it, only virtbus is measured.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
READS = ["ping", "state", "xml", "getall", "lookup", "list"]
SCALES = [0, 100, 1000, 10000]
VB, LD = "virtbus", "libvirt-dbus"
TEST_PATH = "/org/libvirt/Test"

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={dir}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def find_peer():
    return shutil.which("libvirt-dbus") or (
        "/usr/sbin/libvirt-dbus" if os.access("/usr/sbin/libvirt-dbus", os.X_OK) else None)


def install_peer():
    if find_peer():
        return
    log("installing libvirt-dbus (the peer) with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                    "libvirt-dbus"], check=True, env=env, stdout=subprocess.DEVNULL)


class Instance:
    """a private session bus with one service owning org.libvirt"""

    def __init__(self, name, argv):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="vb-bench-")
        conf = os.path.join(self.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONF.format(dir=self.dir))
        self.bus = subprocess.Popen(["dbus-daemon", "--config-file=" + conf, "--nofork",
                                     "--print-address=1"], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
        self.address = self.bus.stdout.readline().strip()
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address)
        # the services' own session state (libvirt's and virtbus's) stays in here
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
            path = os.path.join(self.dir, var.lower())
            os.makedirs(path, mode=0o700)
            self.env[var] = path
        self.env.pop("LIBVIRT_DEFAULT_URI", None)
        self.logf = open(os.path.join(self.dir, "service.log"), "w")
        self.svc = subprocess.Popen(argv, env=self.env, stdout=self.logf, stderr=self.logf)
        deadline = time.monotonic() + 20
        while True:
            r = subprocess.run(["gdbus", "call", "--session", "--dest", "org.libvirt",
                                "--object-path", TEST_PATH, "--method",
                                "org.libvirt.Connect.DomainLookupByName", "test"],
                               env=self.env, capture_output=True, text=True)
            if r.returncode == 0:
                break
            if self.svc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not come up: {r.stderr.strip()}; "
                                   f"log {self.logf.name}")
            time.sleep(0.05)

    def alive(self):
        return self.svc.poll() is None

    def stop(self):
        for p in (self.svc, self.bus):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def bench(vbbench, inst, args, tags, results):
    argv = [vbbench, "--pid", str(inst.svc.pid), "--bus-pid", str(inst.bus.pid),
            "--label", inst.name]
    for k, v in tags.items():
        argv += ["--tag", f"{k}={v}"]
    argv += [str(a) for a in args]
    r = subprocess.run(argv, env=inst.env, capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            rec["load"] = loadavg()
            results.append(rec)
        elif line.startswith("#"):
            log("   " + line[2:])
    if r.returncode != 0 or not inst.alive():
        raise RuntimeError(f"vb-bench {' '.join(argv[7:])} against {inst.name} failed: "
                           f"{r.stderr.strip()} (service alive: {inst.alive()})")


def list_iterations(scale, quick):
    n = max(30, min(2000, 300000 // (scale + 100)))
    return max(10, n // 5) if quick else n


def plan(vbbench, insts, opts, results):
    """both services stay up, each on its own bus; every measurement is repeated
    opts.runs times, alternating the services (A B, B A, A B, ...), so that the two
    sides of a ratio are measured seconds apart. Populating is done once per size."""
    reads_n = 400 if opts.quick else 2000
    cycles = 1000 if opts.quick else 10000

    def alternate(args, scale):
        for run in range(opts.runs):
            for inst in (insts if run % 2 == 0 else insts[::-1]):
                bench(vbbench, inst, args, {"run": run, "scale": scale}, results)

    populated = 0
    for scale in opts.scales:
        if scale > populated:
            log(f"populating to {scale} defined domains (load {loadavg():.2f})")
            for inst in insts:
                bench(vbbench, inst, ["populate", scale - populated, "--start", populated],
                      {"run": 0, "scale": scale}, results)
            populated = scale
        log(f"{scale} defined domains (load {loadavg():.2f})")
        alternate(["-n", reads_n, "-w", reads_n // 10] + READS[:-1], scale)
        n = list_iterations(scale, opts.quick)
        alternate(["-n", n, "-w", max(3, n // 10), "list"], scale)
        if scale == 0:
            alternate(["-n", cycles, "-w", cycles // 20, "define-undefine"], scale)
            alternate(["-n", reads_n, "-w", reads_n // 10, "create-destroy"], scale)
            # the pings first: what 4 clients and the bus can do with a service that does
            # nothing, the ceiling of the GetXMLDesc throughput on this machine
            alternate(["-n", reads_n, "-w", reads_n // 10, "parallel", 4, "ping",
                       "parallel", 4, "xml"], scale)


# ---- the report ----

def pick(results, service, scenario, scale, field):
    vals = [r[field] for r in results
            if r["service"] == service and r["scenario"] == scenario
            and int(r["scale"]) == scale and r.get(field) is not None]
    return vals


def med(vals):
    return statistics.median(vals) if vals else None


def spread(vals):
    """(max - min) / median over the runs, in %"""
    if len(vals) < 2 or not statistics.median(vals):
        return None
    return 100.0 * (max(vals) - min(vals)) / abs(statistics.median(vals))


def fmt(v, digits=1):
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}"


def fmt_noise(*vals):
    out = []
    for v in vals:
        s = spread(v)
        out.append("—" if s is None else f"{s:.0f}%")
    return " / ".join(out)


SCEN_NAMES = {
    "ping": "Peer.Ping (floor)", "state": "GetState", "xml": "GetXMLDesc",
    "getall": "Properties.GetAll", "lookup": "DomainLookupByName", "list": "ListDomains",
    "define-undefine": "define+undefine", "create-destroy": "create+destroy",
    "parallel-4-xml": "4 clients GetXMLDesc",
    "parallel-4-ping": "4 clients Peer.Ping (floor)",
}


def rows(opts):
    out = []
    for scale in opts.scales:
        for s in READS:
            out.append((s, scale))
        if scale == 0:
            out += [("define-undefine", 0), ("create-destroy", 0), ("parallel-4-ping", 0),
                    ("parallel-4-xml", 0)]
    return out


def combined_table(results, opts):
    lines = ["### Per call: latency, service CPU, bus CPU", "",
             "Medians over the runs. Latency: the median (p50) of each run. CPU: utime+stime of "
             "every thread of the process, divided by the calls. define+undefine and "
             "create+destroy count both calls; domains include the test driver's own.", "",
             "| call | domains | latency µs vb | ld | vb/ld | vb/ping | ld/ping "
             "| service CPU µs vb | ld | vb/ld | bus CPU µs vb | ld | spread of service CPU vb / ld |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for scen, scale in rows(opts):
        la, lb = (pick(results, s, scen, scale, "lat_p50_us") for s in (VB, LD))
        ca, cb = (pick(results, s, scen, scale, "svc_cpu_us_per_op") for s in (VB, LD))
        ba, bb = (pick(results, s, scen, scale, "bus_cpu_us_per_op") for s in (VB, LD))
        if not la and not lb:
            continue
        pa = med(pick(results, VB, "ping", scale, "lat_p50_us"))
        pb = med(pick(results, LD, "ping", scale, "lat_p50_us"))
        lines.append(
            f"| {SCEN_NAMES.get(scen, scen)} | {scale + 1:,} | {fmt(med(la))} | {fmt(med(lb))} | "
            f"{fmt_ratio(med(la), med(lb))} | {fmt_ratio(med(la), pa)} | {fmt_ratio(med(lb), pb)} | "
            f"{fmt(med(ca))} | {fmt(med(cb))} | {fmt_ratio(med(ca), med(cb))} | "
            f"{fmt(med(ba))} | {fmt(med(bb))} | {fmt_noise(ca, cb)} |")
    return lines


def per_run(results, service, fn):
    by_run = {}
    for r in results:
        if r["service"] == service:
            by_run.setdefault(r["run"], []).append(r)
    vals = [fn(rs) for rs in by_run.values()]
    return [v for v in vals if v is not None]


def rss_per_domain(rs):
    pops = sorted((r for r in rs if r["scenario"] == "populate"), key=lambda r: int(r["scale"]))
    if not pops:
        return None
    n = int(pops[-1]["scale"])
    return (pops[-1]["svc_rss_kb_after"] - pops[0]["svc_rss_kb_before"]) * 1024.0 / n


def du_growth(rs):
    for r in rs:
        if r["scenario"] == "define-undefine":
            return int(r["svc_rss_kb_after"] - r["svc_rss_kb_before"])
    return None


def field_of(scenario, field, scale=0):
    def fn(rs):
        for r in rs:
            if r["scenario"] == scenario and int(r["scale"]) == scale:
                return r[field]
        return None
    return fn


def report(results, opts):
    lines = combined_table(results, opts)
    lines.append("")
    lines += ["### Memory and throughput", "",
              "| metric | virtbus | libvirt-dbus | ratio | spread vb / ld |",
              "|---|---:|---:|---:|---|"]
    top = max(opts.scales)
    mem = [
        ("RSS at start, test:///default (kB)", field_of("ping", "svc_rss_kb_before")),
        (f"RSS per minimal domain, 0 → {top:,} defined (bytes)", rss_per_domain),
        (f"RSS growth over {1000 if opts.quick else 10000:,} define+undefine cycles (kB)",
         du_growth),
        ("4 parallel clients Peer.Ping, the floor (calls/s)",
         field_of("parallel-4-ping", "ops_per_s")),
        ("4 parallel clients GetXMLDesc (calls/s)", field_of("parallel-4-xml", "ops_per_s")),
        ("1 client GetXMLDesc (calls/s)", field_of("xml", "ops_per_s")),
    ]
    for name, fn in mem:
        a, b = per_run(results, VB, fn), per_run(results, LD, fn)
        lines.append(f"| {name} | {fmt(med(a), 0)} | {fmt(med(b), 0)} | "
                     f"{fmt_ratio(med(a), med(b))} | {fmt_noise(a, b)} |")
    lines.append("")
    lines += targets(results, opts)
    return "\n".join(lines)


def targets(results, opts):
    def m(service, scen, field, scale=0):
        return med(pick(results, service, scen, scale, field))

    def ratio(scen, field, scale=0):
        a, b = m(VB, scen, field, scale), m(LD, scen, field, scale)
        return None if a is None or b is None or b == 0 else a / b

    out = ["### Targets", "", "| target | measured | met |", "|---|---|---|"]

    def row(name, value, ok, text):
        out.append(f"| {name} | {text if value is not None else '—'} | "
                   f"{'—' if value is None else ('yes' if ok else '**no**')} |")

    for scen in ("state", "xml", "getall"):
        worst = [ratio(scen, "svc_cpu_us_per_op", s) for s in opts.scales]
        worst = [w for w in worst if w is not None]
        w = max(worst) if worst else None
        row(f"{SCEN_NAMES[scen]} service CPU ≤ 1/4 of libvirt-dbus (all sizes)", w,
            w is not None and w <= 0.25, f"{w:.2f}×" if w is not None else "")
        lat = [m(VB, scen, "lat_p50_us", s) / m(VB, "ping", "lat_p50_us", s)
               for s in opts.scales
               if m(VB, scen, "lat_p50_us", s) and m(VB, "ping", "lat_p50_us", s)]
        w = max(lat) if lat else None
        row(f"{SCEN_NAMES[scen]} latency ≤ 1.3× ping floor (all sizes)", w,
            w is not None and w <= 1.3, f"{w:.2f}×" if w is not None else "")
    top = max(opts.scales)
    r = ratio("list", "svc_cpu_us_per_op", top)
    row(f"ListDomains at {top + 1:,} domains service CPU ≤ 1/10", r, r is not None and r <= 0.1,
        f"{r:.3f}×" if r is not None else "")
    for scen in ("define-undefine", "create-destroy"):
        r = ratio(scen, "svc_cpu_us_per_op")
        row(f"{SCEN_NAMES[scen]} service CPU ≤ 1/3", r, r is not None and r <= 1 / 3,
            f"{r:.2f}×" if r is not None else "")
    a, b = med(per_run(results, VB, rss_per_domain)), med(per_run(results, LD, rss_per_domain))
    r = a / b if a is not None and b else None
    row("RSS per minimal domain ≤ 1/2", r, r is not None and r <= 0.5,
        f"{r:.2f}× ({a:.0f} B vs {b:.0f} B)" if r is not None else "")
    g = per_run(results, VB, du_growth)
    worst = max(g) if g else None
    row("no RSS growth over the define+undefine cycles (virtbus, worst run)", worst,
        worst is not None and worst <= 64, f"{worst:+d} kB" if worst is not None else "")
    r = ratio("parallel-4-xml", "ops_per_s")
    row("4 parallel GetXMLDesc throughput ≥ 2×", r, r is not None and r >= 2,
        f"{r:.2f}×" if r is not None else "")
    # the ceiling: libvirt-dbus's GetXMLDesc throughput times what 4 clients and the bus
    # reach against a service that answers Peer.Ping and does nothing else
    a, b = m(VB, "parallel-4-ping", "ops_per_s"), m(LD, "parallel-4-xml", "ops_per_s")
    c = m(VB, "parallel-4-xml", "ops_per_s")
    if a and b and c:
        out.append(f"| (ceiling: 4 clients pinging virtbus reach {a / b:.2f}× libvirt-dbus's "
                   f"GetXMLDesc throughput; virtbus's GetXMLDesc is at {c / a:.2f} of its own "
                   f"ping) | | |")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build-bench"),
                    help="release build directory (default build-bench)")
    ap.add_argument("--no-build", action="store_true", help="use --build as it is")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--install-peer", action="store_true",
                    help="apt-get install libvirt-dbus when it is missing")
    ap.add_argument("--services", default=f"{VB},{LD}")
    ap.add_argument("--scales", default=",".join(map(str, SCALES)),
                    help="defined domains beyond the default test state")
    ap.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    ap.add_argument("--out", help="write the raw JSON lines here "
                    "(default BUILD/bench-results.jsonl) and the tables beside it (.md)")
    ap.add_argument("--report", metavar="FILE",
                    help="print the tables of an earlier run's JSON lines and exit")
    opts = ap.parse_args()
    opts.scales = sorted({int(s) for s in opts.scales.split(",")} | {0})

    if opts.report:
        with open(opts.report) as f:
            results = [json.loads(line) for line in f if line.strip()]
        opts.scales = sorted({int(r["scale"]) for r in results})
        opts.quick = max(r["ops"] for r in results if r["scenario"] == "define-undefine") < 10000
        print(report(results, opts))
        return

    if not opts.no_build:
        log(f"building {opts.build} (release)")
        subprocess.run(["sh", os.path.join(TOP, "scripts", "build.sh"), opts.build,
                        "-Dbuildtype=release"], check=True)
    try:
        with open(os.path.join(opts.build, "meson-info", "intro-buildoptions.json")) as f:
            bt = [o["value"] for o in json.load(f) if o["name"] == "buildtype"][0]
        if bt != "release":
            log(f"warning: {opts.build} is a {bt} build, not release")
    except (OSError, IndexError, ValueError):
        pass
    vbbench = os.path.join(opts.build, "tests", "bench", "vb-bench")
    virtbusd = os.path.join(opts.build, "service", "virtbusd")

    if opts.install_peer:
        install_peer()
    services = []
    for s in opts.services.split(","):
        if s == VB:
            services.append((VB, [virtbusd, "--session"]))
        elif s == LD:
            peer = find_peer()
            if peer is None:
                log("libvirt-dbus is not installed (--install-peer): measuring virtbus only")
                continue
            services.append((LD, [peer, "--session"]))

    results = []
    log(f"start: load average {loadavg():.2f}, {os.cpu_count()} cpus")
    t0 = time.monotonic()
    insts = []
    try:
        for name, argv in services:
            insts.append(Instance(name, argv))
        plan(vbbench, insts, opts, results)
    finally:
        for inst in insts:
            inst.stop()
    loads = [r["load"] for r in results]
    log(f"done in {time.monotonic() - t0:.0f} s; load average during the runs "
        f"{min(loads):.2f}–{max(loads):.2f}")

    out = opts.out or os.path.join(opts.build, "bench-results.jsonl")
    with open(out, "w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    text = report(results, opts)
    header = (f"{opts.runs} runs of each measurement, services alternating, load average "
              f"{min(loads):.2f}–{max(loads):.2f} on {os.cpu_count()} cpus; "
              f"spread = (max − min) / median over the runs.\n\n")
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(header + text + "\n")
    print(header + text)


if __name__ == "__main__":
    main()
