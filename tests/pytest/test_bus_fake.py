# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbusd against a bus that misbehaves on purpose (rawbus.FakeBus): one that stops
reading the replies, and one that hangs up. A real dbus-daemon does neither on request;
the service's connection must survive both (service/bus.c)."""

import subprocess
import time

from conftest import (BAD_STDERR, DOMAIN_IFACE, TEST_PATH, service_env, virtbusd_binary)
from rawbus import METHOD_RETURN, FakeBus


def start(tmp_path, fake):
    env = service_env(fake, str(tmp_path))
    err = open(tmp_path / "virtbusd.stderr", "wb")
    proc = subprocess.Popen([virtbusd_binary(), "--session"], env=env, stdout=err, stderr=err)
    fake.accept()
    fake.serve_until_owned()
    return proc, err


def stop(proc, err, tmp_path):
    if proc.poll() is None:
        proc.terminate()
        proc.wait(10)
    err.close()
    text = open(tmp_path / "virtbusd.stderr", errors="replace").read()
    assert not [l for l in text.splitlines() if BAD_STDERR.search(l)], text
    return proc.returncode, text


def test_a_bus_that_stops_reading(tmp_path):
    """6 000 calls whose 120 MB of replies the bus does not take: virtbusd stops reading
    calls past its limit (32 MiB of replies waiting), and delivers every reply once the
    bus reads again."""
    fake = FakeBus(str(tmp_path / "bus"))
    proc, err = start(tmp_path, fake)
    try:
        # a domain whose XML is 20 KB: its definition is the first call
        xml = ("<domain type='test'><name>big</name>"
               "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
               "<description>%s</description><memory>1024</memory>"
               "<os><type>hvm</type></os></domain>" % ("x" * 20000))
        s, data = fake.call(":1.9", "/org/libvirt/Test", "org.libvirt.Connect",
                            "DomainDefineXML", "s", xml)
        fake.sock.sendall(data)
        got = fake.receive()
        while got.reply_serial != s:
            got = fake.receive()
        assert got.type == METHOD_RETURN, got.body
        path = got.body[0]
        # 6 000 calls sent while the replies pile up unread
        fake.sock.setblocking(False)
        serials, pending = [], b""
        for _ in range(6000):
            s, data = fake.call(":1.9", path, DOMAIN_IFACE, "GetXMLDesc", "u", 0)
            serials.append(s)
            pending += data
        sent = 0
        idle_since = None
        # until everything is sent, or nothing more is taken for a second
        while sent < len(pending):
            try:
                sent += fake.sock.send(pending[sent:])
                idle_since = None
            except BlockingIOError:
                now = time.monotonic()
                idle_since = idle_since or now
                if now - idle_since > 1.0:
                    break
                time.sleep(0.05)
        # it stopped reading: without that it would have read every call and held all
        # 120 MB of replies
        assert sent < len(pending), "virtbusd read every call with its replies unread"
        with open("/proc/%d/status" % proc.pid) as f:
            rss_mb = [int(l.split()[1]) for l in f if l.startswith("VmRSS:")][0] // 1024
        assert proc.poll() is None
        fake.sock.settimeout(30)
        # now the bus reads: every call gets its reply, once, in order
        seen = []
        while len(seen) < len(serials):
            if sent < len(pending):
                fake.sock.setblocking(False)
                try:
                    sent += fake.sock.send(pending[sent:])
                except BlockingIOError:
                    pass
                fake.sock.settimeout(30)
            msg = fake.receive()
            if msg.type == METHOD_RETURN and msg.reply_serial in serials:
                assert "x" * 20000 in msg.body[0]
                seen.append(msg.reply_serial)
        assert seen == serials
        print("virtbusd RSS while stalled: %d MB" % rss_mb)
    finally:
        rc, text = stop(proc, err, tmp_path)
        fake.close()
    assert rc == 0, text


def test_a_bus_that_hangs_up(tmp_path):
    fake = FakeBus(str(tmp_path / "bus"))
    proc, err = start(tmp_path, fake)
    try:
        # a call in flight, and the bus goes before the reply can be written
        s, data = fake.call(":1.9", TEST_PATH, DOMAIN_IFACE, "GetXMLDesc", "u", 0)
        fake.sock.sendall(data)
        fake.sock.close()
        fake.sock = None
        proc.wait(10)
    finally:
        rc, text = stop(proc, err, tmp_path)
        fake.close()
    assert rc == 1
    assert "lost the session bus" in text
