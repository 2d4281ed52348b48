# SPDX-License-Identifier: LGPL-2.1-or-later
"""lifecycle signals: Connect.DomainEvent(o,i,i) and Connect.NetworkEvent(o,i), in order,
with libvirt's codes, for every transition of the test driver."""

import dbus
import pytest

from conftest import (CONNECT_IFACE, CONNECT_PATH, DOMAIN_IFACE, domain_xml, network_xml,
                      new_uuid, unique_name)

DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED = 0, 1, 2, 3, 4, 5
N_DEFINED, N_UNDEFINED, N_STARTED, N_STOPPED = 0, 1, 2, 3


def dom_events(sigs, path):
    """(event, detail) of the DomainEvent signals about @path."""
    return [tuple(args[1:]) for (p, m, args) in sigs.items
            if m == "DomainEvent" and args[0] == path]


class TestDomainEvents:

    @pytest.fixture
    def sigs(self, vb):
        s = vb.signals(interface=CONNECT_IFACE, member="DomainEvent")
        yield s
        s.close()

    def expect(self, sigs, path, expected, timeout=5.0):
        """wait for the DomainEvents of @path and compare them, in order, with nothing
        extra."""
        import time
        from conftest import pump
        deadline = time.monotonic() + timeout
        while len(dom_events(sigs, path)) < len(expected) and time.monotonic() < deadline:
            sigs.wait(len(sigs.items) + 1, max(0.01, deadline - time.monotonic()))
        pump(0.2)
        got = dom_events(sigs, path)
        assert got == expected, "DomainEvent for %s: expected %r, got %r" % (path, expected, got)

    def test_signal_shape(self, vb, sigs):
        name, uuid, path = vb.define()
        sigs.wait(1)
        assert sigs.raw, "no DomainEvent after DomainDefineXML"
        spath, member, args = sigs.raw[0]
        assert str(spath) == CONNECT_PATH
        assert member == "DomainEvent"
        assert isinstance(args[0], dbus.ObjectPath) and str(args[0]) == path
        assert isinstance(args[1], dbus.Int32) and isinstance(args[2], dbus.Int32)
        assert (int(args[1]), int(args[2])) == (DEFINED, 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_persistent_full_lifecycle(self, vb, sigs, tmp_path):
        name, uuid = unique_name(), new_uuid()
        path = str(vb.connect("DomainDefineXML", "s", domain_xml(name, uuid)))
        vb.connect("DomainDefineXML", "s", domain_xml(name, uuid, memory=2097152))
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Suspend")
        vb.domain(path, "Resume")
        save = str(tmp_path / "save")
        vb.domain(path, "Save", "ssu", save, "", 0)
        vb.connect("DomainRestore", "ssu", save, "", 0)
        vb.domain(path, "Shutdown", "u", 0)
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "ManagedSave", "u", 0)
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)
        self.expect(sigs, path, [
            (DEFINED, 0),      # ADDED
            (DEFINED, 1),      # UPDATED
            (STARTED, 0),      # BOOTED
            (SUSPENDED, 0),    # PAUSED
            (RESUMED, 0),      # UNPAUSED
            (STOPPED, 4),      # SAVED
            (STARTED, 2),      # RESTORED
            (STOPPED, 0),      # SHUTDOWN
            (STARTED, 0),
            (STOPPED, 1),      # DESTROYED
            (STARTED, 0),
            (STOPPED, 4),      # managed save
            (STARTED, 2),      # from the managed save image
            (STOPPED, 1),
            (UNDEFINED, 0),    # REMOVED
        ])

    def test_transient(self, vb, sigs):
        name, uuid, path = vb.create_transient()
        vb.domain(path, "Destroy", "u", 0)
        _, _, path2 = vb.create_transient(flags=1)  # START_PAUSED
        vb.domain(path2, "Resume")
        vb.domain(path2, "Shutdown", "u", 0)
        self.expect(sigs, path, [(STARTED, 0), (STOPPED, 1)])
        self.expect(sigs, path2, [(STARTED, 0), (SUSPENDED, 0), (RESUMED, 0), (STOPPED, 0)])

    def test_create_paused(self, vb, sigs):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 1)
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)
        self.expect(sigs, path, [(DEFINED, 0), (STARTED, 0), (SUSPENDED, 0), (STOPPED, 1),
                                 (UNDEFINED, 0)])

    def test_undefine_running(self, vb, sigs):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Undefine", "u", 0)
        vb.domain(path, "Destroy", "u", 0)
        self.expect(sigs, path, [(DEFINED, 0), (STARTED, 0), (UNDEFINED, 0), (STOPPED, 1)])

    def test_rename(self, vb, sigs):
        _, _, path = vb.define()
        vb.domain(path, "Rename", "su", unique_name("renamed"), 0)
        vb.domain(path, "Undefine", "u", 0)
        self.expect(sigs, path, [(DEFINED, 0), (UNDEFINED, 1), (DEFINED, 2), (UNDEFINED, 0)])

    def test_core_dump_crash(self, vb, sigs, tmp_path):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "CoreDump", "suu", str(tmp_path / "core"), 0, 1)  # CRASH
        vb.domain(path, "Undefine", "u", 0)
        self.expect(sigs, path, [(DEFINED, 0), (STARTED, 0), (STOPPED, 2), (UNDEFINED, 0)])

    def test_failed_calls_emit_nothing(self, vb, sigs):
        name, uuid, path = vb.define()
        for call in (lambda: vb.domain(path, "Suspend"),
                     lambda: vb.domain(path, "Destroy", "u", 0),
                     lambda: vb.domain(path, "Create", "u", 0x80000000),
                     lambda: vb.connect("DomainDefineXML", "s",
                                        domain_xml(name, new_uuid())),
                     lambda: vb.connect("DomainDefineXML", "s", "<domain")):
            with pytest.raises(dbus.exceptions.DBusException):
                call()
        vb.domain(path, "Undefine", "u", 0)
        self.expect(sigs, path, [(DEFINED, 0), (UNDEFINED, 0)])
        others = [i for i in sigs.items if i[2][0] != path]
        assert others == [], "unexpected DomainEvents: %r" % others

    def test_events_reach_every_client(self, vb, sigs):
        # a second connection of its own sees the same events
        other = vb.bus.connection()
        try:
            from conftest import Signals
            s2 = Signals(other, interface=CONNECT_IFACE, member="DomainEvent")
            _, _, path = vb.define()
            vb.domain(path, "Undefine", "u", 0)
            self.expect(sigs, path, [(DEFINED, 0), (UNDEFINED, 0)])
            self.expect(s2, path, [(DEFINED, 0), (UNDEFINED, 0)])
            s2.close()
        finally:
            other.close()

    def test_no_domain_event_on_domain_interface(self, vb, sigs):
        # lifecycle events come from the Connect object, not the domain object
        dsigs = vb.signals(interface=DOMAIN_IFACE)
        try:
            _, _, path = vb.define()
            vb.domain(path, "Create", "u", 0)
            vb.domain(path, "Destroy", "u", 0)
            vb.domain(path, "Undefine", "u", 0)
            self.expect(sigs, path, [(DEFINED, 0), (STARTED, 0), (STOPPED, 1), (UNDEFINED, 0)])
            assert [i for i in dsigs.items if i[1] == "DomainEvent"] == []
        finally:
            dsigs.close()


class TestNetworkEvents:

    @pytest.fixture
    def sigs(self, vb):
        s = vb.signals(interface=CONNECT_IFACE, member="NetworkEvent")
        yield s
        s.close()

    def test_persistent(self, vb, sigs):
        name, uuid, path = vb.define_network(subnet=220)
        vb.network(path, "Create")
        vb.network(path, "Destroy")
        vb.network(path, "Undefine")
        sigs.expect([
            (CONNECT_PATH, "NetworkEvent", [path, N_DEFINED]),
            (CONNECT_PATH, "NetworkEvent", [path, N_STARTED]),
            (CONNECT_PATH, "NetworkEvent", [path, N_STOPPED]),
            (CONNECT_PATH, "NetworkEvent", [path, N_UNDEFINED]),
        ])
        assert isinstance(sigs.raw[0][2][0], dbus.ObjectPath)
        assert isinstance(sigs.raw[0][2][1], dbus.Int32)

    def test_transient(self, vb, sigs):
        name, uuid = unique_name("n"), new_uuid()
        path = str(vb.connect("NetworkCreateXML", "s", network_xml(name, uuid, subnet=221)))
        vb.network(path, "Destroy")
        sigs.expect([
            (CONNECT_PATH, "NetworkEvent", [path, N_STARTED]),
            (CONNECT_PATH, "NetworkEvent", [path, N_STOPPED]),
        ])

    def test_failed_calls_emit_nothing(self, vb, sigs):
        from conftest import DEFAULT_NET_PATH
        for call in (lambda: vb.network(DEFAULT_NET_PATH, "Create"),
                     lambda: vb.connect("NetworkDefineXML", "s", "<network>")):
            with pytest.raises(dbus.exceptions.DBusException):
                call()
        sigs.expect([])


class TestDomainSignals:
    """per-domain signals come from the domain's own object, on org.libvirt.Domain.
    (ControlError, JobCompleted, Watchdog and IOError have no trigger in the Test driver:
    test_service.py checks their declaration through Introspect.)"""

    def collect(self, vb, path):
        return vb.signals(interface=DOMAIN_IFACE, path=path)

    def test_reboot_signal(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        sigs = self.collect(vb, path)
        try:
            vb.domain(path, "Reboot", "u", 0)
            sigs.expect([(path, "Reboot", [])])
            assert sigs.raw[0][2] == ()
        finally:
            sigs.close()
        assert vb.state(path)[0] == 1
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_balloon_change(self, vb):
        _, _, path = vb.define(memory=2097152)
        vb.domain(path, "Create", "u", 0)
        sigs = self.collect(vb, path)
        try:
            vb.domain(path, "SetMemory", "tu", 1048576, 1)  # LIVE
            sigs.expect([(path, "BalloonChange", [1048576])])
            assert isinstance(sigs.raw[0][2][0], dbus.UInt64)
            # a config-only change moves no balloon
            sigs.clear()
            vb.domain(path, "SetMemory", "tu", 524288, 2)  # CONFIG
            sigs.expect([])
        finally:
            sigs.close()
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_device_added_removed(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        disk = ("<disk type='file' device='disk'><source file='/var/lib/virtbus-test/hot.img'/>"
                "<target dev='vdh' bus='virtio'/></disk>")
        sigs = self.collect(vb, path)
        try:
            vb.domain(path, "AttachDevice", "su", disk, 1)  # LIVE
            sigs.wait(1)
            assert [m for _, m, _ in sigs.items] == ["DeviceAdded"], sigs.items
            alias = sigs.items[0][2][0]
            assert isinstance(sigs.raw[0][2][0], dbus.String) and alias
            import xml.etree.ElementTree as ET
            live = ET.fromstring(vb.xml(path))
            hot = [d for d in live.findall("devices/disk")
                   if d.find("target").get("dev") == "vdh"]
            assert len(hot) == 1
            if hot[0].find("alias") is not None:
                assert hot[0].find("alias").get("name") == alias
            vb.domain(path, "DetachDevice", "su", disk, 1)
            sigs.expect([(path, "DeviceAdded", [alias]), (path, "DeviceRemoved", [alias])])
        finally:
            sigs.close()
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)
