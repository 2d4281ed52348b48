# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbusd's own bus connection (service/bus.c): the wire protocol as other clients
speak it, routing and the standard interfaces, and what happens when the bus goes."""

import os
import signal
import time

import dbus
import dbus.lowlevel as ll
import pytest

from conftest import (BAD_STDERR, BUS_NAME, CONNECT_IFACE, CONNECT_PATH, DOMAIN_IFACE, LIBVIRT_ERROR,
                      PROPS_IFACE, ST_RUNNING, TEST_PATH, TEST_UUID, Service, call, domain_path,
                      domain_xml, expect_error, new_uuid, unique_name)
from rawbus import ERROR, METHOD_RETURN, NO_REPLY_EXPECTED, RawClient

PEER_IFACE = "org.freedesktop.DBus.Peer"


@pytest.fixture
def raw(vb):
    clients = []

    def make(order="<"):
        c = RawClient(vb.bus.address, order)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def send_raw(conn, path, iface, member, sig="", *args, flags=0):
    """a call built by hand with python-dbus (no interface, no reply...)."""
    msg = ll.MethodCallMessage(BUS_NAME, path, iface, member)
    if sig:
        msg.append(*args, signature=sig)
    args = conn.send_message_with_reply_and_block(msg, 10000).get_args_list()
    return args[0] if args else None


class TestWire:

    @pytest.mark.parametrize("order", ["<", ">"])
    def test_calls_in_either_byte_order(self, vb, raw, order):
        c = raw(order)
        r = c.call(BUS_NAME, CONNECT_PATH, CONNECT_IFACE, "DomainLookupByName", "s", "test")
        assert r.type == METHOD_RETURN and r.body == (TEST_PATH,)
        r = c.call(BUS_NAME, TEST_PATH, DOMAIN_IFACE, "GetState", "u", 0)
        assert r.signature == "(ii)" and r.body[0][0] == ST_RUNNING
        r = c.call(BUS_NAME, CONNECT_PATH, CONNECT_IFACE, "ListDomains", "u", 0)
        assert TEST_PATH in r.body[0]
        # a definition with multi-byte text travels intact both ways
        name, uuid = unique_name("wire"), new_uuid()
        xml = domain_xml(name, uuid).replace(
            "</name>", "</name><description>ŝtato — 状態 ✓</description>")
        r = c.call(BUS_NAME, CONNECT_PATH, CONNECT_IFACE, "DomainDefineXML", "s", xml)
        assert r.type == METHOD_RETURN, r.body
        assert "ŝtato — 状態 ✓" in vb.xml(domain_path(uuid))
        # an error reply reaches a big-endian client too
        r = c.call(BUS_NAME, CONNECT_PATH, CONNECT_IFACE, "DomainLookupByName", "s", "nope")
        assert r.type == ERROR and r.error_name == LIBVIRT_ERROR
        assert "nope" in r.body[0]
        vb.domain(domain_path(uuid), "Undefine", "u", 0)

    def test_a_hundred_calls_in_one_write(self, vb, raw):
        c = raw()
        serials, data = [], b""
        for i in range(100):
            path = TEST_PATH if i % 2 else CONNECT_PATH
            if i % 2:
                s, m = c.encode_call(BUS_NAME, path, DOMAIN_IFACE, "GetState", "u", 0)
            else:
                s, m = c.encode_call(BUS_NAME, path, CONNECT_IFACE, "DomainLookupByUUID", "s",
                                     TEST_UUID)
            serials.append(s)
            data += m
        c.send(data)
        got = {}
        while len(got) < 100:
            msg = c.receive()
            if msg.type == METHOD_RETURN and msg.reply_serial in serials:
                assert msg.reply_serial not in got, "two replies to one call"
                got[msg.reply_serial] = msg
        for i, s in enumerate(serials):
            if i % 2:
                assert got[s].signature == "(ii)" and got[s].body[0][0] == ST_RUNNING
            else:
                assert got[s].body == (TEST_PATH,)

    def test_no_reply_expected_is_honoured(self, vb, raw):
        c = raw()
        name, uuid = unique_name("noreply"), new_uuid()
        s1, m1 = c.encode_call(BUS_NAME, CONNECT_PATH, CONNECT_IFACE, "DomainDefineXML", "s",
                               domain_xml(name, uuid), flags=NO_REPLY_EXPECTED)
        s2, m2 = c.encode_call(BUS_NAME, CONNECT_PATH, CONNECT_IFACE, "DomainLookupByName", "s",
                               name)
        c.send(m1 + m2)
        msg = c.receive()
        while msg.type not in (METHOD_RETURN, ERROR) or msg.reply_serial in (None,):
            msg = c.receive()
        # the first answer is the lookup's: nothing came back for the definition
        assert msg.reply_serial == s2, (msg.reply_serial, s1, s2)
        assert msg.type == METHOD_RETURN and msg.body == (domain_path(uuid),)
        vb.domain(domain_path(uuid), "Undefine", "u", 0)

    def test_unreadable_arguments_get_an_answer(self, vb, raw):
        # a unix fd argument is valid D-Bus, forwarded by the bus, and taken by no
        # method of ours: the caller is told, rather than left to its timeout
        c = raw()
        r = c.call(BUS_NAME, TEST_PATH, DOMAIN_IFACE, "GetXMLDesc", "h", 0)
        assert r.type == ERROR, r.body
        assert r.error_name in ("org.freedesktop.DBus.Error.InvalidArgs",
                                "org.freedesktop.DBus.Error.NotSupported"), r.error_name
        if r.error_name.endswith("InvalidArgs"):
            assert "unix fd" in r.body[0]
        assert vb.state(TEST_PATH)[0] == ST_RUNNING

    def test_big_messages_both_ways(self, vb):
        # over a megabyte each way: several reads to assemble, several writes to send
        name, uuid = unique_name("big"), new_uuid()
        text = ("virtbus " * 160000)[:1200000]
        xml = domain_xml(name, uuid).replace("</name>",
                                             "</name><description>%s</description>" % text)
        path = str(vb.connect("DomainDefineXML", "s", xml))
        try:
            got = vb.xml(path)
            assert text in got
            # and the service answers the next call as usual
            assert vb.state(TEST_PATH)[0] == ST_RUNNING
        finally:
            vb.domain(path, "Undefine", "u", 0)

    def test_slow_reader_does_not_hold_up_others(self, vb, raw):
        # 100 replies of 40 KB queued for a client that reads nothing (the bus's
        # default limit is 128 calls waiting for replies per connection)
        name, uuid = unique_name("slow"), new_uuid()
        xml = domain_xml(name, uuid).replace(
            "</name>", "</name><description>%s</description>" % ("x" * 40000))
        path = str(vb.connect("DomainDefineXML", "s", xml))
        c = raw()
        data, serials = b"", []
        for _ in range(100):
            s, m = c.encode_call(BUS_NAME, path, DOMAIN_IFACE, "GetXMLDesc", "u", 0)
            serials.append(s)
            data += m
        c.send(data)  # and reads nothing for now
        try:
            t0 = time.monotonic()
            for _ in range(50):
                assert vb.state(TEST_PATH)[0] == ST_RUNNING
            assert time.monotonic() - t0 < 10
            seen = set()
            while len(seen) < len(serials):
                msg = c.receive()
                if msg.reply_serial in serials:
                    assert msg.type == METHOD_RETURN, (msg.error_name, msg.body)
                    assert "x" * 40000 in msg.body[0]
                    seen.add(msg.reply_serial)
        finally:
            vb.domain(path, "Undefine", "u", 0)


class TestRouting:

    def test_call_without_interface(self, vb):
        got = send_raw(vb.conn, TEST_PATH, None, "GetXMLDesc", "u", 0)
        assert "<name>test</name>" in str(got)
        got = send_raw(vb.conn, TEST_PATH, None, "Get", "ss", DOMAIN_IFACE, "Name")
        assert str(got) == "test"
        assert "<node" in str(send_raw(vb.conn, "/org/libvirt", None, "Introspect"))
        expect_error(send_raw, vb.conn, TEST_PATH, None, "Frobnicate",
                     name="org.freedesktop.DBus.Error.UnknownMethod",
                     contains="No such method 'Frobnicate'")
        expect_error(send_raw, vb.conn, "/org/libvirt/Nothing", None, "GetXMLDesc", "u", 0,
                     name="org.freedesktop.DBus.Error.UnknownObject")
        expect_error(send_raw, vb.conn, CONNECT_PATH + "/domain", None, "GetXMLDesc", "u", 0,
                     name="org.freedesktop.DBus.Error.UnknownMethod")

    def test_peer_on_every_object(self, vb):
        for path in (CONNECT_PATH, TEST_PATH, "/org/libvirt", "/nowhere"):
            send_raw(vb.conn, path, PEER_IFACE, "Ping")
        mid = str(send_raw(vb.conn, CONNECT_PATH, PEER_IFACE, "GetMachineId"))
        for f in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
            if os.path.exists(f):
                assert mid == open(f).read().strip()
                break
        expect_error(send_raw, vb.conn, CONNECT_PATH, PEER_IFACE, "Pong",
                     name="org.freedesktop.DBus.Error.UnknownMethod")

    def test_unknown_object_and_interface(self, vb):
        expect_error(send_raw, vb.conn, "/org/libvirt/Nothing", CONNECT_IFACE, "ListDomains", "u",
                     0, name="org.freedesktop.DBus.Error.UnknownObject")
        expect_error(send_raw, vb.conn, "/org/libvirt/Nothing",
                     "org.freedesktop.DBus.Introspectable", "Introspect",
                     name="org.freedesktop.DBus.Error.UnknownObject")
        # the folder of the domains is no domain
        expect_error(send_raw, vb.conn, CONNECT_PATH + "/domain", DOMAIN_IFACE, "GetState", "u",
                     0, name="org.freedesktop.DBus.Error.UnknownMethod")
        # a Domain method on the Connect object
        expect_error(send_raw, vb.conn, CONNECT_PATH, DOMAIN_IFACE, "GetState", "u", 0,
                     name="org.freedesktop.DBus.Error.UnknownMethod")
        # a path below a domain is nothing
        expect_error(send_raw, vb.conn, TEST_PATH + "/more", DOMAIN_IFACE, "GetState", "u", 0,
                     name="org.freedesktop.DBus.Error.UnknownObject")

    def test_properties_errors(self, vb):
        bad = "org.freedesktop.DBus.Error.InvalidArgs"
        expect_error(send_raw, vb.conn, TEST_PATH, PROPS_IFACE, "Get", "ss", CONNECT_IFACE, "Name",
                     name=bad, contains="No such interface")
        expect_error(send_raw, vb.conn, TEST_PATH, PROPS_IFACE, "Get", "ss", DOMAIN_IFACE, "Nope",
                     name=bad, contains="No such property 'Nope'")
        expect_error(send_raw, vb.conn, TEST_PATH, PROPS_IFACE, "Set", "ssv", DOMAIN_IFACE,
                     "Name", "x", name=bad, contains="not writable")
        expect_error(send_raw, vb.conn, TEST_PATH, PROPS_IFACE, "Set", "ssv", DOMAIN_IFACE,
                     "Autostart", "yes", name=bad, contains="Expected type 'b' but got 's'")
        expect_error(send_raw, vb.conn, TEST_PATH, PROPS_IFACE, "GetAll", "u", 0, name=bad,
                     contains="does not match expected type '(s)'")
        expect_error(send_raw, vb.conn, TEST_PATH, PROPS_IFACE, "Frobnicate",
                     name="org.freedesktop.DBus.Error.UnknownMethod")

    def test_wrong_signature_names_both(self, vb):
        expect_error(send_raw, vb.conn, TEST_PATH, DOMAIN_IFACE, "GetXMLDesc", "s", "0",
                     name="org.freedesktop.DBus.Error.InvalidArgs",
                     contains="'(s)', does not match expected type '(u)'")
        expect_error(send_raw, vb.conn, TEST_PATH, DOMAIN_IFACE, "GetXMLDesc",
                     name="org.freedesktop.DBus.Error.InvalidArgs",
                     contains="'()', does not match expected type '(u)'")


class TestBusLifetime:

    def test_bus_going_away_ends_the_service(self, fresh_bus, tmp_path):
        svc = Service(fresh_bus, tmp_path / "svc")
        try:
            svc.wait_for_name()
            fresh_bus.proc.send_signal(signal.SIGTERM)
            fresh_bus.proc.wait(5)
            deadline = time.monotonic() + 5
            while svc.alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not svc.alive(), "virtbusd kept running without its bus"
            assert svc.proc.returncode == 1
            err = svc.stderr()
            assert "lost the session bus" in err
            assert not [l for l in err.splitlines() if BAD_STDERR.search(l)], err
        finally:
            if svc.alive():
                svc.terminate()
            svc.close()

    def test_no_bus_at_all(self, tmp_path):
        import subprocess
        from conftest import service_env, virtbusd_binary

        class NoBus:
            address = "unix:path=" + str(tmp_path / "no-such-socket")

        env = service_env(NoBus, str(tmp_path))
        p = subprocess.run([virtbusd_binary(), "--session"], env=env, capture_output=True,
                           text=True, timeout=20)
        assert p.returncode == 1
        assert "cannot connect to the session bus" in p.stderr
