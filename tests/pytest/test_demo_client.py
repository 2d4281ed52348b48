# SPDX-License-Identifier: LGPL-2.1-or-later
"""the "done when" check: tests/clients/libvirt-dbus-demo.py, a plain libvirt-dbus client
script, runs against virtbusd unchanged and sees every event it expects."""

import os
import subprocess
import sys

from conftest import TEST_PATH

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "clients", "libvirt-dbus-demo.py")


class TestDemoClient:

    def test_demo_script(self, vb):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=vb.address)
        p = subprocess.run([sys.executable, DEMO, "--timeout", "10"], capture_output=True,
                           text=True, env=env, timeout=120)
        assert p.returncode == 0, "demo failed (%d):\n%s\n%s" % (p.returncode, p.stdout,
                                                               p.stderr)
        events = [l.split(" ", 3)[1:] for l in p.stdout.splitlines() if l.startswith("event: ")]
        kinds = [(k, text) for k, _, text in events]
        assert kinds == [
            ("domain", "Defined Added"),
            ("domain", "Started Booted"),
            ("domain", "Suspended Paused"),
            ("domain", "Resumed Unpaused"),
            ("domain", "Stopped Saved"),
            ("domain", "Started Restored"),
            ("domain", "Stopped Shutdown"),
            ("domain", "Undefined Removed"),
            ("network", "Defined"),
            ("network", "Started"),
            ("network", "Stopped"),
            ("network", "Undefined"),
        ], p.stdout
        pid_names = {n for _, n, _ in events}
        assert all(n.startswith(("demo-", "demonet-")) for n in pid_names), pid_names
        assert "test " in p.stdout and "running" in p.stdout
        assert "== done: 12 events" in p.stdout
        # the service saw nothing wrong either
        assert vb.service.alive()
        assert vb.list_domains(0) == [TEST_PATH]


