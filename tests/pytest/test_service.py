# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtbusd as a process on the bus, and what Introspect says about its objects."""

import signal
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import (BUS_NAME, CONNECT_IFACE, CONNECT_PATH, DEFAULT_NET_PATH, DEFAULT_NET_UUID,
                      DOMAIN_IFACE, INTROSPECT_IFACE, NETWORK_IFACE, SPEC, TEST_PATH, TEST_UUID,
                      Service, call, parse_interfaces, virtbusd_binary)


class TestProcess:
    """each test runs its own virtbusd on a bus of its own."""

    def test_owns_name_within_half_a_second(self, fresh_bus, tmp_path):
        svc = Service(fresh_bus, tmp_path / "svc")
        try:
            took = svc.wait_for_name(timeout=10, interval=0.002)
            assert took < 0.5, "org.libvirt owned only after %.3fs" % took
            # and it answers at once
            assert str(call(fresh_bus.control, CONNECT_PATH, CONNECT_IFACE,
                            "DomainLookupByName", "s", "test")) == TEST_PATH
        finally:
            rc, _ = svc.terminate()
            svc.close()
        svc.check_clean_exit(rc)

    @pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
    def test_signal_exits_zero_within_a_second(self, fresh_bus, tmp_path, sig):
        svc = Service(fresh_bus, tmp_path / "svc")
        try:
            svc.wait_for_name()
            # a client with an open connection and a match rule does not hold it up
            conn = fresh_bus.connection()
            conn.add_signal_receiver(lambda *a: None, dbus_interface=CONNECT_IFACE)
            call(conn, CONNECT_PATH, CONNECT_IFACE, "ListDomains", "u", 0)
            rc, took = svc.terminate(sig, timeout=10)
            conn.close()
        finally:
            svc.close()
        assert rc == 0, "exit code %s after %s; stderr:\n%s" % (rc, sig.name, svc.stderr())
        assert took < 1.0, "%s took %.2fs to exit" % (sig.name, took)
        assert not fresh_bus.has_owner(), "org.libvirt still owned after exit"
        svc.check_clean_exit(rc)

    def test_second_instance_refused(self, fresh_bus, tmp_path):
        first = Service(fresh_bus, tmp_path / "first")
        try:
            first.wait_for_name()
            second = Service(fresh_bus, tmp_path / "second")
            try:
                rc = second.proc.wait(10)
            except subprocess.TimeoutExpired:
                second.terminate()
                second.close()
                pytest.fail("a second virtbusd kept running while org.libvirt was taken")
            second.close()
            out = second.stderr() + second.stdout()
            assert rc != 0, "second instance exited 0; output:\n%s" % out
            assert BUS_NAME in out, "no mention of %s in:\n%s" % (BUS_NAME, out)
            bad = [l for l in out.splitlines() if "AddressSanitizer" in l or "runtime error:" in l]
            assert not bad, out
            # the first one is untouched
            assert first.alive()
            assert str(call(fresh_bus.control, CONNECT_PATH, CONNECT_IFACE,
                            "DomainLookupByName", "s", "test")) == TEST_PATH
        finally:
            rc, _ = first.terminate()
            first.close()
        first.check_clean_exit(rc)

    def test_restart_after_exit(self, fresh_bus, tmp_path):
        # the name is free again after a clean exit and a new instance starts from the
        # default state
        a = Service(fresh_bus, tmp_path / "a")
        a.wait_for_name()
        conn = fresh_bus.control
        call(conn, CONNECT_PATH, CONNECT_IFACE, "DomainDefineXML", "s",
             "<domain type='test'><name>ephemeral</name><memory>1024</memory>"
             "<os><type>hvm</type></os></domain>")
        rc, _ = a.terminate()
        a.close()
        a.check_clean_exit(rc)
        b = Service(fresh_bus, tmp_path / "b")
        try:
            b.wait_for_name()
            doms = call(conn, CONNECT_PATH, CONNECT_IFACE, "ListDomains", "u", 0)
            assert [str(d) for d in doms] == [TEST_PATH]
        finally:
            rc, _ = b.terminate()
            b.close()
        b.check_clean_exit(rc)

    def test_version_flag(self):
        p = subprocess.run([virtbusd_binary(), "--version"], capture_output=True, text=True,
                           timeout=10)
        assert p.returncode == 0, p.stderr
        assert "0.1.0" in p.stdout + p.stderr

    def test_bad_option(self):
        p = subprocess.run([virtbusd_binary(), "--no-such-option"], capture_output=True,
                           text=True, timeout=10)
        assert p.returncode != 0
        assert (p.stdout + p.stderr).strip(), "no message for a bad option"


def introspect(conn, path):
    xml = call(conn, path, INTROSPECT_IFACE, "Introspect", "")
    return ET.fromstring(str(xml))


def members_of(spec_iface):
    methods = {m: [(n, t, d) for n, t, d in args] for m, args in spec_iface["methods"].items()}
    return methods, dict(spec_iface["properties"]), dict(spec_iface["signals"])


class TestIntrospection:

    @pytest.mark.parametrize("path,iface", [
        (CONNECT_PATH, CONNECT_IFACE),
        (TEST_PATH, DOMAIN_IFACE),
        (DEFAULT_NET_PATH, NETWORK_IFACE),
    ])
    def test_interface_matches_declaration(self, vb, path, iface):
        root = introspect(vb.conn, path)
        got = parse_interfaces(root)
        assert iface in got, "no %s in Introspect of %s: %s" % (iface, path, sorted(got))
        want_m, want_p, want_s = members_of(SPEC[iface])
        got_m, got_p, got_s = members_of(got[iface])
        assert got_m == want_m
        assert got_p == want_p
        assert got_s == want_s
        # no other org.libvirt interface on this object
        assert [i for i in got if i.startswith("org.libvirt.")] == [iface]
        for std in ("org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable"):
            assert std in got, "%s missing on %s" % (std, path)

    def test_child_nodes(self, vb):
        def children(path):
            return {n.get("name") for n in introspect(vb.conn, path).findall("node")}

        assert "libvirt" in children("/org")
        assert "Test" in children("/org/libvirt")
        assert {"domain", "network"} <= children(CONNECT_PATH)
        assert "_" + TEST_UUID.replace("-", "_") in children(CONNECT_PATH + "/domain")
        assert "_" + DEFAULT_NET_UUID.replace("-", "_") in children(CONNECT_PATH + "/network")
        name, uuid, path = vb.define()
        node = path.rsplit("/", 1)[1]
        assert node in children(CONNECT_PATH + "/domain")
        # every child is a domain object
        for child in children(CONNECT_PATH + "/domain"):
            assert DOMAIN_IFACE in parse_interfaces(
                introspect(vb.conn, CONNECT_PATH + "/domain/" + child))
        vb.domain(path, "Undefine", "u", 0)
        assert node not in children(CONNECT_PATH + "/domain")
        nname, nuuid, npath = vb.define_network(subnet=230)
        assert npath.rsplit("/", 1)[1] in children(CONNECT_PATH + "/network")
        vb.network(npath, "Undefine")
        assert npath.rsplit("/", 1)[1] not in children(CONNECT_PATH + "/network")

    def test_domain_container_has_no_domain_interface(self, vb):
        got = parse_interfaces(introspect(vb.conn, CONNECT_PATH + "/domain"))
        assert DOMAIN_IFACE not in got and CONNECT_IFACE not in got
