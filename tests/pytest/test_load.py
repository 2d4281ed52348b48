# SPDX-License-Identifier: LGPL-2.1-or-later
"""8 clients, each on its own bus connection in its own process, 2 000 mixed calls each,
twice: no error, the service stays up, and its memory does not grow between rounds.
(LeakSanitizer at exit, checked by the vb fixture, is the precise leak check; RSS is the
coarse one that also catches unbounded caches.)"""

import os
import subprocess
import sys
import time

from conftest import TEST_PATH, unwrap

CLIENTS = 8
CALLS = 2000
HERE = os.path.dirname(os.path.abspath(__file__))


def run_round(vb, tag):
    procs = []
    t0 = time.monotonic()
    for cid in range(CLIENTS):
        procs.append(subprocess.Popen(
            [sys.executable, os.path.join(HERE, "loadclient.py"), vb.address,
             str(cid), str(CALLS)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    failures = []
    for cid, p in enumerate(procs):
        try:
            out, _ = p.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            failures.append("client %d timed out: %s" % (cid, out))
            continue
        if p.returncode != 0 or not out.startswith("ok "):
            failures.append("client %d (exit %d): %s" % (cid, p.returncode, out.strip()))
        elif int(out.split()[1]) < CALLS:
            failures.append("client %d made only %s calls" % (cid, out.split()[1]))
    took = time.monotonic() - t0
    assert not failures, "%s round:\n%s\nvirtbusd stderr:\n%s" % (
        tag, "\n".join(failures), vb.service.stderr()[-4000:])
    assert vb.service.alive(), "virtbusd died under load; stderr:\n%s" % vb.service.stderr()
    return took


class TestLoad:
    # a small quarantine, so that memory AddressSanitizer holds back for use-after-free
    # detection does not read as growth
    virtbusd_env = {
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:quarantine_size_mb=4",
    }

    def test_parallel_clients(self, vb):
        t1 = run_round(vb, "first")
        rss1 = vb.service.rss_kib()
        t2 = run_round(vb, "second")
        rss2 = vb.service.rss_kib()
        print("round 1: %.1fs, RSS %d KiB; round 2: %.1fs, RSS %d KiB" % (t1, rss1, t2, rss2))
        # "not materially above": 16 000 calls leaking even 128 bytes each would add 2 MiB;
        # a clean round adds ~0.3 MiB here
        allowed = max(2048, rss1 // 25)
        assert rss2 - rss1 <= allowed, (
            "RSS grew from %d KiB to %d KiB over the second round (allowed %d KiB)"
            % (rss1, rss2, allowed))
        # everything the clients defined is gone, the default state is intact
        assert vb.list_domains(0) == [TEST_PATH]
        assert unwrap(vb.domain(TEST_PATH, "GetState", "u", 0)) == (1, 1)
        assert vb.connect("ListNetworks", "u", 0)
        assert vb.service.alive()
