# SPDX-License-Identifier: LGPL-2.1-or-later
"""one load client for test_load.py: its own bus connection, N mixed calls against
virtbusd's Test connection, every result checked. usage:
    loadclient.py ADDRESS CLIENT_ID CALLS
prints "ok CALLS" and exits 0, or prints what went wrong and exits 1."""

import sys
import uuid as uuidlib

import dbus

BUS = "org.libvirt"
CONN = "/org/libvirt/Test"
CI, DI, PI = "org.libvirt.Connect", "org.libvirt.Domain", "org.freedesktop.DBus.Properties"
TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"
TEST_PATH = CONN + "/domain/_" + TEST_UUID.replace("-", "_")
NET_PATH = CONN + "/network/_dd8fe884_6c02_601e_7551_cca97df1c5df"


def main():
    address, cid, ncalls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bus = dbus.bus.BusConnection(address)

    count = [0]

    def c(path, iface, method, sig="", *args):
        count[0] += 1
        return bus.call_blocking(BUS, path, iface, method, sig, args, timeout=60)

    i = 0
    mine = []
    while count[0] < ncalls:
        op = i % 12
        i += 1
        if op == 0:
            st = c(TEST_PATH, DI, "GetState", "u", 0)
            assert tuple(int(x) for x in st) == (1, 1), st
        elif op == 1:
            xml = c(TEST_PATH, DI, "GetXMLDesc", "u", 0)
            assert "<name>test</name>" in xml and TEST_UUID in xml
        elif op == 2:
            props = c(TEST_PATH, PI, "GetAll", "s", DI)
            assert str(props["Name"]) == "test" and props["Name"].variant_level == 2
        elif op == 3:
            doms = [str(d) for d in c(CONN, CI, "ListDomains", "u", 0)]
            assert TEST_PATH in doms
        elif op == 4:
            assert str(c(CONN, CI, "DomainLookupByName", "s", "test")) == TEST_PATH
        elif op == 5:
            assert str(c(CONN, CI, "DomainLookupByUUID", "s", TEST_UUID)) == TEST_PATH
        elif op == 6:
            assert str(c(CONN, CI, "DomainLookupByID", "i", 1)) == TEST_PATH
        elif op == 7:
            assert str(c(TEST_PATH, PI, "Get", "ss", DI, "UUID")) == TEST_UUID
        elif op == 8:
            nets = [str(n) for n in c(CONN, CI, "ListNetworks", "u", 0)]
            assert NET_PATH in nets
        elif op == 9:
            # a domain of this client's own: define it ...
            name = "load-%d-%s" % (cid, uuidlib.uuid4().hex[:8])
            uuid = str(uuidlib.uuid4())
            xml = ("<domain type='test'><name>%s</name><uuid>%s</uuid><memory>65536</memory>"
                   "<os><type>hvm</type></os></domain>" % (name, uuid))
            path = str(c(CONN, CI, "DomainDefineXML", "s", xml))
            assert path == CONN + "/domain/_" + uuid.replace("-", "_"), path
            mine.append((name, path))
        elif op == 10:
            # ... look at it ...
            if mine:
                name, path = mine[-1]
                assert str(c(path, PI, "Get", "ss", DI, "Name")) == name
                st = c(path, DI, "GetState", "u", 0)
                assert tuple(int(x) for x in st) == (5, 0), st
        elif op == 11:
            # ... and undefine it
            if mine:
                name, path = mine.pop()
                c(path, DI, "Undefine", "u", 0)
                try:
                    c(path, DI, "GetState", "u", 0)
                    raise AssertionError("%s still answers after Undefine" % path)
                except dbus.exceptions.DBusException as e:
                    assert e.get_dbus_name() == "org.libvirt.Error", e
                    assert "Domain not found" in e.get_dbus_message(), e
    for name, path in mine:
        c(path, DI, "Undefine", "u", 0)
    bus.close()
    print("ok %d" % count[0])


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report anything to the test
        print("FAIL: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
