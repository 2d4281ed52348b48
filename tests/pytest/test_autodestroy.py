# SPDX-License-Identifier: LGPL-2.1-or-later
"""START_AUTODESTROY: a domain started with it goes when the client that started it
leaves the bus, as with libvirt; one started without it stays."""

import subprocess
import sys
import time

from conftest import (CONNECT_IFACE, CONNECT_PATH, BUS_NAME, domain_xml, expect_error,
                      unique_name, new_uuid)

CLIENT = r"""
import sys, dbus
bus = dbus.bus.BusConnection(sys.argv[1])
connect = dbus.Interface(bus.get_object(%r, %r), %r)
path = connect.DomainCreateXML(sys.argv[2], dbus.UInt32(int(sys.argv[3])))
print(path, flush=True)
"""


def start_in_other_client(address, xml, flags):
    script = CLIENT % (BUS_NAME, CONNECT_PATH, CONNECT_IFACE)
    out = subprocess.run([sys.executable, "-c", script, address, xml, str(flags)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def wait_gone(vb, name, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            vb.connect("DomainLookupByName", "s", name)
        except Exception:
            return True
        time.sleep(0.02)
    return False


class TestAutodestroy:
    def test_autodestroy_domain_goes_with_its_client(self, vb):
        name = unique_name("ad")
        path = start_in_other_client(vb.address, domain_xml(name, new_uuid()), 2)
        assert path.startswith(CONNECT_PATH + "/domain/_")
        # the client has exited: its domain is destroyed, and being transient, gone
        assert wait_gone(vb, name), "autodestroy domain still exists after its client left"
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")

    def test_plain_domain_outlives_its_client(self, vb):
        name = unique_name("keep")
        path = start_in_other_client(vb.address, domain_xml(name, new_uuid()), 0)
        time.sleep(0.3)
        assert vb.state(path) == (1, 1)
        assert str(vb.connect("DomainLookupByName", "s", name)) == path
        vb.domain(path, "Destroy", "u", 0)

    def test_autodestroy_of_persistent_domain_stops_it(self, vb):
        name, uuid, path = vb.define()
        script = r"""
import sys, dbus
bus = dbus.bus.BusConnection(sys.argv[1])
dom = dbus.Interface(bus.get_object(%r, sys.argv[2]), "org.libvirt.Domain")
dom.Create(dbus.UInt32(2))
""" % BUS_NAME
        out = subprocess.run([sys.executable, "-c", script, vb.address, path],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        deadline = time.monotonic() + 5
        while vb.state(path)[0] != 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        # persistent: it stays defined, shut off (destroyed)
        assert vb.state(path) == (5, 2)
        vb.domain(path, "Undefine", "u", 0)
