#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""authorization cost on the system bus with the real polkitd (a benchmark, not a test).

    sudo VB_BUILD_DIR=build-rel /usr/bin/python3 tests/bench/auth-bench.py [--domains 1000]
        [--iterations 200]

starts the environment of tests/pytest/polkit_env.py (a private system bus, polkitd in a
private mount namespace over our actions file, virtbusd --system as root) with a
test:///PATH host of N shut-off domains, and prints a table:

- GetState as `nobody`, cold: a new bus connection before each call, so every call asks
  polkitd (virtbusd remembers decisions per connection);
- GetState as `nobody`, cached: the same connection, so no call asks polkitd;
- GetState as root: virtbusd never asks polkitd for uid 0;
- ListDomains of all N domains as `nobody`: the first call on a connection (one
  search-domains check plus one getattr check per domain) and the second one (cached),
  and as root.

times are of the call alone (connecting is not counted), measured in the client
(polkit_client.py, GLib/Gio). "checks" are counted from polkitd's log: a catch-all rule
polkit.log()s every check that reaches it (tests/data/polkit/00-vbpk-log.rules), which
also makes each check a little dearer than with silent rules. Run it as root.
"""

import argparse
import os
import statistics
import sys
import tempfile
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "pytest"))

import polkit_env as pe  # noqa: E402
from conftest import CONNECT_IFACE, CONNECT_PATH, DOMAIN_IFACE, domain_path  # noqa: E402

LOG_RULE = os.path.join(TOP, "tests", "data", "polkit", "00-vbpk-log.rules")


def host_file(n, directory):
    path = os.path.join(directory, "host-%d.xml" % n)
    uuids = [str(uuidlib.uuid4()) for _ in range(n)]
    with open(path, "w") as f:
        f.write("<node>\n")
        for i, u in enumerate(uuids):
            f.write("<vm state='shutoff'><domain type='test'><name>bench%05d</name>"
                    "<uuid>%s</uuid><memory>65536</memory><vcpu>1</vcpu>"
                    "<os><type>hvm</type></os></domain></vm>\n" % (i, u))
        f.write("</node>\n")
    os.chmod(path, 0o644)
    return path, uuids


def ms(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return statistics.median(values) * 1000, p95 * 1000


def checks(env, mark):
    return len(env.polkitd.lines_since(mark, "VBPK-CHECK"))


def getstate(path):
    return pe.call_step(path, DOMAIN_IFACE, "GetState", "u", [0])


def listdomains():
    return pe.call_step(CONNECT_PATH, CONNECT_IFACE, "ListDomains", "u", [0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--list-rounds", type=int, default=5)
    opts = ap.parse_args()
    why = pe.skip_reason()
    if why:
        sys.exit("auth-bench: " + why)
    if not os.environ.get("VB_BUILD_DIR"):
        sys.exit("auth-bench: set VB_BUILD_DIR to a meson build dir of virtbus")

    tmp = tempfile.mkdtemp(prefix="vbpk-bench.")
    os.chmod(tmp, 0o755)
    host, uuids = host_file(opts.domains, tmp)
    with open(LOG_RULE) as f:
        rules = {"00-vbpk-log.rules": f.read()}
    env = pe.PolkitEnv(rules=rules, connect="test://" + host, with_users=False)
    rows = []
    try:
        path = domain_path(uuids[0])
        n = opts.iterations

        # cold: a new connection before every call
        mark = env.polkitd.mark()
        steps = []
        for _ in range(n):
            steps += [{"reconnect": True}, getstate(path)]
        res = env.calls("nobody", steps)
        assert all(r["ok"] for r in res), res[:3]
        rows.append(("GetState, nobody, cold (new connection each call)", n,
                     ms([r["elapsed"] for r in res]), checks(env, mark) / n, ""))

        # cached: one connection; the first call (cold) is left out
        mark = env.polkitd.mark()
        res = env.calls("nobody", [getstate(path)] * (n + 1))
        assert all(r["ok"] for r in res)
        rows.append(("GetState, nobody, cached (same connection)", n,
                     ms([r["elapsed"] for r in res[1:]]), (checks(env, mark) - 1) / n, ""))

        # root: no polkit at all
        mark = env.polkitd.mark()
        res = env.calls("root", [getstate(path)] * (n + 1))
        assert all(r["ok"] for r in res)
        rows.append(("GetState, root (never asks polkit)", n,
                     ms([r["elapsed"] for r in res[1:]]), checks(env, mark) / n, ""))

        # ListDomains of every domain: first and second call on one connection
        first, second, first_checks, second_checks, got1, got2 = [], [], [], [], [], []
        for _ in range(opts.list_rounds):
            c = env.client("nobody", [listdomains(), {"wait": True}, listdomains()],
                           stdin_pipe=True)
            mark = env.polkitd.mark()
            r1 = c.read(120)
            mid = env.polkitd.mark()
            c.go()
            r2 = c.read(120)
            end = env.polkitd.mark()
            c.finish()
            assert r1["ok"] and r2["ok"], (r1.get("message"), r2.get("message"))
            first.append(r1["elapsed"])
            second.append(r2["elapsed"])
            got1.append(len(r1["value"][0]))
            got2.append(len(r2["value"][0]))
            first_checks.append(len(pe.parse_checks(
                env.polkitd.lines_since(mark, "VBPK-CHECK"))) - len(pe.parse_checks(
                    env.polkitd.lines_since(mid, "VBPK-CHECK"))))
            second_checks.append(len(pe.parse_checks(
                env.polkitd.lines_since(mid, "VBPK-CHECK"))) - len(pe.parse_checks(
                    env.polkitd.lines_since(end, "VBPK-CHECK"))))
        rows.append(("ListDomains of %d, nobody, first call" % opts.domains, opts.list_rounds,
                     ms(first), statistics.mean(first_checks),
                     "returned %s of %d" % ("/".join(map(str, got1)), opts.domains)))
        rows.append(("ListDomains of %d, nobody, second call" % opts.domains,
                     opts.list_rounds, ms(second), statistics.mean(second_checks),
                     "returned %s of %d" % ("/".join(map(str, got2)), opts.domains)))
        mark = env.polkitd.mark()
        res = env.calls("root", [listdomains()] * (opts.list_rounds + 1))
        rows.append(("ListDomains of %d, root" % opts.domains, opts.list_rounds,
                     ms([r["elapsed"] for r in res[1:]]), checks(env, mark) / len(res),
                     "returned %d" % len(res[1]["value"][0])))
    finally:
        problems = env.close()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    if problems:
        print("auth-bench: teardown problems:\n" + "\n".join(problems), file=sys.stderr)

    build = os.environ["VB_BUILD_DIR"]
    print("virtbusd from %s, real polkitd, private system bus, %d domains" % (build,
                                                                             opts.domains))
    w = max(len(r[0]) for r in rows)
    print("%-*s  %6s  %10s  %10s  %14s  %s" % (w, "case", "calls", "median ms", "p95 ms",
                                               "checks/call", "note"))
    for name, count, (med, p95), chk, note in rows:
        print("%-*s  %6d  %10.3f  %10.3f  %14.2f  %s" % (w, name, count, med, p95, chk, note))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
