# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt.Domain: every property and method, on test:///default's `test` and on
domains the tests define."""

import os
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import (DOMAIN_IFACE, LIBVIRT_ERROR, NOT_SUPPORTED, SPEC, TEST_NAME, TEST_PATH,
                      TEST_UUID, UNKNOWN_FLAG, call_or_unsupported, domain_xml,
                      expect_error, new_uuid, unique_name, unwrap)

# flags
XML_SECURE, XML_INACTIVE, XML_UPDATE_CPU, XML_MIGRATABLE = 1, 2, 4, 8
AFFECT_CURRENT, AFFECT_LIVE, AFFECT_CONFIG = 0, 1, 2
MEM_MAXIMUM = 4
VCPU_MAXIMUM = 4
START_PAUSED = 1
UNDEFINE_MANAGED_SAVE = 1
DUMP_CRASH = 1
META_DESCRIPTION, META_TITLE, META_ELEMENT = 0, 1, 2
STATS_STATE, STATS_CPU, STATS_BALLOON, STATS_VCPU, STATS_NET, STATS_BLOCK = 1, 2, 4, 8, 16, 32

# GDBus refuses a Set of a read-only property before the service sees it, with
# InvalidArgs "Property 'X' is not writable": the reply libvirt-dbus gives on the same
# GLib, so clients of either see the same thing
PROPERTY_SET_ERRORS = ("org.freedesktop.DBus.Error.InvalidArgs",)
PROPERTY_SET_MESSAGE = "is not writable"

UNKNOWN_DOMAIN_PATH = "/org/libvirt/Test/domain/_00000000_0000_0000_0000_000000000000"


def parse(xml):
    return ET.fromstring(str(xml))


def disk_xml(dev, path="/var/lib/virtbus-test/none.img"):
    return ("<disk type='file' device='disk'><source file='%s'/>"
            "<target dev='%s' bus='virtio'/></disk>" % (path, dev))


class TestDomainDefault:
    """reads of `test` on a fresh test:///default."""

    def test_properties_get(self, vb):
        expect = {
            "Active": (dbus.Boolean, True),
            "Autostart": (dbus.Boolean, False),
            "Id": (dbus.UInt32, 1),
            "Name": (dbus.String, TEST_NAME),
            "OSType": (dbus.String, "hvm"),
            "Persistent": (dbus.Boolean, True),
            "Updated": (dbus.Boolean, False),
            "UUID": (dbus.String, TEST_UUID),
        }
        for prop, (typ, val) in expect.items():
            v = vb.get(TEST_PATH, DOMAIN_IFACE, prop)
            assert isinstance(v, typ), "%s is %s" % (prop, type(v).__name__)
            assert v.variant_level == 1
            assert unwrap(v) == val, "%s: expected %r, got %r" % (prop, val, unwrap(v))

    def test_scheduler_type_matches_parameters(self, vb):
        st = vb.get(TEST_PATH, DOMAIN_IFACE, "SchedulerType")
        assert isinstance(st, dbus.Struct) and st.variant_level == 1
        name, nparams = unwrap(st)
        assert isinstance(name, str) and name
        params = vb.domain(TEST_PATH, "GetSchedulerParameters", "u", 0)
        assert isinstance(params, dbus.Dictionary)
        assert nparams == len(params), (name, nparams, unwrap(params))

    def test_properties_getall_double_wrapped(self, vb):
        allp = vb.get_all(TEST_PATH, DOMAIN_IFACE)
        assert set(allp) == set(SPEC[DOMAIN_IFACE]["properties"])
        for k, v in allp.items():
            assert v.variant_level == 2, "GetAll %s: variant_level %d, want 2" % (k, v.variant_level)
            single = vb.get(TEST_PATH, DOMAIN_IFACE, k)
            assert unwrap(v) == unwrap(single), k
            assert type(v) is type(single), k

    def test_get_xml_desc(self, vb):
        xml = vb.domain(TEST_PATH, "GetXMLDesc", "u", 0)
        assert isinstance(xml, dbus.String)
        assert "<name>test</name>" in xml
        assert TEST_UUID in xml
        root = parse(xml)
        assert root.tag == "domain"
        assert root.get("type") == "test"
        assert root.get("id") == "1"
        assert root.findtext("uuid") == TEST_UUID

        def kib(el):
            unit = (el.get("unit") or "KiB").lower()
            mult = {"kib": 1, "k": 1, "mib": 1024, "m": 1024, "gib": 1 << 20, "g": 1 << 20,
                    "b": 1.0 / 1024, "bytes": 1.0 / 1024}[unit]
            return int(int(el.text) * mult)

        assert kib(root.find("memory")) == 8388608
        assert kib(root.find("currentMemory")) == 2097152
        assert int(root.findtext("vcpu")) == 2
        assert root.findtext("os/type") == "hvm"
        disks = root.findall("devices/disk")
        assert len(disks) == 1 and disks[0].find("target").get("bus") == "virtio"
        nics = root.findall("devices/interface")
        assert len(nics) == 1 and nics[0].find("source").get("network") == "default"

    def test_get_xml_desc_flags(self, vb):
        inactive = parse(vb.xml(TEST_PATH, XML_INACTIVE))
        assert inactive.get("id") is None, "INACTIVE XML still has an id"
        assert inactive.findtext("name") == TEST_NAME
        for f in (XML_SECURE, XML_UPDATE_CPU, XML_MIGRATABLE, XML_SECURE | XML_INACTIVE):
            assert parse(vb.xml(TEST_PATH, f)).findtext("uuid") == TEST_UUID
        expect_error(vb.domain, TEST_PATH, "GetXMLDesc", "u", UNKNOWN_FLAG,
                     contains="unsupported flags (0x80000000)")

    def test_get_state(self, vb):
        st = vb.domain(TEST_PATH, "GetState", "u", 0)
        assert isinstance(st, dbus.Struct)
        assert all(isinstance(x, dbus.Int32) for x in st)
        assert unwrap(st) == (1, 1)
        expect_error(vb.domain, TEST_PATH, "GetState", "u", UNKNOWN_FLAG,
                     contains="unsupported flags (0x80000000)")

    def test_get_info(self, vb):
        state, maxmem, mem, vcpus, cputime = unwrap(vb.domain(TEST_PATH, "GetInfo", "u", 0))
        assert (state, maxmem, mem, vcpus) == (1, 8388608, 2097152, 2)
        assert cputime >= 0

    def test_get_max_memory_and_vcpus(self, vb):
        assert int(vb.domain(TEST_PATH, "GetMaxMemory")) == 8388608
        assert int(vb.domain(TEST_PATH, "GetMaxVcpus")) == 2
        assert int(vb.domain(TEST_PATH, "GetVcpus", "u", 0)) == 2
        assert int(vb.domain(TEST_PATH, "GetVcpus", "u", VCPU_MAXIMUM | AFFECT_CONFIG)) == 2

    def test_get_vcpu_info(self, vb):
        info = unwrap(vb.domain(TEST_PATH, "GetVcpuInfo", "u", 0))
        ncpus = len(vb.connect("NodeGetCPUMap", "u", 0))
        assert [v[0] for v in info] == [0, 1]
        for number, state, cputime, cpu in info:
            assert state == 1  # VIR_VCPU_RUNNING
            assert cputime >= 0
            assert 0 <= cpu < ncpus

    def test_get_vcpu_pin_info(self, vb):
        pin = vb.domain(TEST_PATH, "GetVcpuPinInfo", "u", 0)
        ncpus = len(vb.connect("NodeGetCPUMap", "u", 0))
        assert len(pin) == 2
        for row in pin:
            assert len(row) == ncpus
            assert all(isinstance(b, dbus.Boolean) for b in row)
            assert any(row), "a vCPU pinned to no host CPU"

    def test_get_stats_state(self, vb):
        st = vb.domain(TEST_PATH, "GetStats", "uu", STATS_STATE, 0)
        assert isinstance(st, dbus.Dictionary)
        assert set(st) == {"state.state", "state.reason"}
        for v in st.values():
            assert isinstance(v, dbus.Int32) and v.variant_level == 2
        assert (int(st["state.state"]), int(st["state.reason"])) == (1, 1)

    def test_get_stats_groups(self, vb):
        st = vb.domain(TEST_PATH, "GetStats", "uu",
                       STATS_BALLOON | STATS_VCPU | STATS_NET | STATS_BLOCK, 0)
        for k, v in st.items():
            assert v.variant_level == 2, k
        assert "state.state" not in st  # not asked for
        assert isinstance(st["balloon.current"], dbus.UInt64)
        assert int(st["balloon.current"]) == 2097152
        assert int(st["balloon.maximum"]) == 8388608
        assert isinstance(st["vcpu.current"], dbus.UInt32)
        assert int(st["vcpu.current"]) == 2 and int(st["vcpu.maximum"]) == 2
        assert isinstance(st["net.count"], dbus.UInt32) and int(st["net.count"]) == 1
        assert isinstance(st["block.count"], dbus.UInt32) and int(st["block.count"]) == 1
        assert str(st["block.0.name"]) == "vda"
        everything = vb.domain(TEST_PATH, "GetStats", "uu", 0, 0)
        assert {"state.state", "balloon.current", "vcpu.current"} <= set(everything)

    def test_memory_stats(self, vb):
        ms = vb.domain(TEST_PATH, "MemoryStats", "u", 0)
        assert isinstance(ms, dbus.Dictionary)
        assert ms, "no memory stats for a running domain"
        for k, v in ms.items():
            assert isinstance(k, dbus.Int32) and 0 <= int(k) < 32
            assert isinstance(v, dbus.UInt64)
        if 6 in ms:  # VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON
            assert int(ms[6]) == 2097152

    def test_get_control_info(self, vb):
        state, details, t = unwrap(vb.domain(TEST_PATH, "GetControlInfo", "u", 0))
        assert (state, details) == (0, 0)  # VIR_DOMAIN_CONTROL_OK

    def test_get_hostname(self, vb):
        ok, host = call_or_unsupported("virDomainGetHostname", vb.domain, TEST_PATH,
                                       "GetHostname", "u", 0)
        if ok:
            assert isinstance(host, dbus.String) and str(host)

    def test_interface_addresses(self, vb):
        res = vb.domain(TEST_PATH, "InterfaceAddresses", "uu", 0, 0)
        macs = [i.find("mac").get("address").lower()
                for i in parse(vb.xml(TEST_PATH)).findall("devices/interface")]
        ifaces = unwrap(res)
        assert [hw.lower() for _, hw, _ in ifaces] == macs
        for name, hw, addrs in ifaces:
            assert name
            for typ, addr, prefix in addrs:
                assert typ in (0, 1) and addr and 0 < prefix <= 128

    def test_block_stats(self, vb):
        bs = vb.domain(TEST_PATH, "BlockStats", "su", "vda", 0)
        assert set(bs) == {"rd_req", "rd_bytes", "wr_req", "wr_bytes", "errs"}
        assert all(isinstance(v, dbus.Int64) for v in bs.values())
        expect_error(vb.domain, TEST_PATH, "BlockStats", "su", "nosuchdisk", 0,
                     contains="invalid argument")

    def test_interface_stats(self, vb):
        nic = parse(vb.xml(TEST_PATH)).find("devices/interface")
        dev = nic.find("target").get("dev") if nic.find("target") is not None else None
        names = [n for n in (dev, nic.find("mac").get("address")) if n]
        for n in names:
            st = vb.domain(TEST_PATH, "InterfaceStats", "su", n, 0)
            assert set(st) == {"rx_bytes", "rx_packets", "rx_errs", "rx_drop",
                               "tx_bytes", "tx_packets", "tx_errs", "tx_drop"}
            assert all(isinstance(v, dbus.Int64) for v in st.values())
        expect_error(vb.domain, TEST_PATH, "InterfaceStats", "su", "nosuchnic0", 0,
                     contains="invalid argument")

    def test_has_managed_save_image(self, vb):
        v = vb.domain(TEST_PATH, "HasManagedSaveImage", "u", 0)
        assert isinstance(v, dbus.Boolean) and bool(v) is False

    def test_migrate_not_supported_on_test(self, vb):
        msg = expect_error(vb.domain, TEST_PATH, "MigrateToURI3", "sa{sv}u",
                           "test:///default", dbus.Dictionary({}, signature="sv"), 0)
        assert NOT_SUPPORTED + "virDomainMigrate" in msg, msg
        assert vb.state(TEST_PATH) == (1, 1)

    def test_unknown_path(self, vb):
        for method, sig, args in (("GetState", "u", (0,)), ("GetXMLDesc", "u", (0,)),
                                  ("Create", "u", (0,)), ("Suspend", "", ())):
            expect_error(vb.domain, UNKNOWN_DOMAIN_PATH, method, sig, *args,
                         contains="Domain not found")
        expect_error(vb.get, UNKNOWN_DOMAIN_PATH, DOMAIN_IFACE, "Name",
                     contains="Domain not found")
        expect_error(vb.get_all, UNKNOWN_DOMAIN_PATH, DOMAIN_IFACE, contains="Domain not found")

    def test_garbage_path(self, vb):
        # not a UUID-shaped child: an error, never an unmapped one
        expect_error(vb.domain, "/org/libvirt/Test/domain/garbage", "GetState", "u", 0,
                     names=(LIBVIRT_ERROR, "org.freedesktop.DBus.Error.UnknownObject",
                            "org.freedesktop.DBus.Error.UnknownMethod"))


class TestDomainLifecycle:
    """operations and the states they leave, on domains of our own."""

    def test_create_shutdown_destroy_states(self, vb):
        name, uuid, path = vb.define()
        assert vb.state(path) == (5, 0)
        assert vb.dprop(path, "Active") is False
        assert vb.dprop(path, "Persistent") is True
        assert vb.dprop(path, "Id") == 0
        vb.domain(path, "Create", "u", 0)
        assert vb.state(path) == (1, 1)  # RUNNING / BOOTED
        assert vb.dprop(path, "Active") is True
        assert vb.dprop(path, "Id") > 0
        assert parse(vb.xml(path)).get("id") == str(vb.dprop(path, "Id"))
        expect_error(vb.domain, path, "Create", "u", 0, contains="already running")
        assert vb.state(path) == (1, 1)
        vb.domain(path, "Shutdown", "u", 0)
        assert vb.state(path) == (5, 1)  # SHUTOFF / SHUTDOWN
        assert vb.dprop(path, "Id") == 0
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Destroy", "u", 0)
        assert vb.state(path) == (5, 2)  # SHUTOFF / DESTROYED
        vb.domain(path, "Undefine", "u", 0)
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")

    def test_create_paused(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", START_PAUSED)
        assert vb.state(path)[0] == 3
        assert vb.dprop(path, "Active") is True
        vb.domain(path, "Resume")
        assert vb.state(path)[0] == 1
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_suspend_resume(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Suspend")
        assert vb.state(path) == (3, 1)  # PAUSED / USER
        assert vb.dprop(path, "Active") is True
        vb.domain(path, "Resume")
        assert vb.state(path) == (1, 5)  # RUNNING / UNPAUSED
        expect_error(vb.domain, path, "Resume")
        assert vb.state(path) == (1, 5)
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_wrong_state_errors(self, vb):
        _, _, path = vb.define()
        expect_error(vb.domain, path, "Suspend",
                     contains="Requested operation is not valid: domain is not running")
        assert vb.state(path) == (5, 0)
        for method in ("Shutdown", "Destroy", "Reboot"):
            expect_error(vb.domain, path, method, "u", 0, contains="not running")
            assert vb.state(path) == (5, 0), method
        msg = expect_error(vb.domain, path, "Resume")
        assert "not running" in msg or "not paused" in msg, msg
        expect_error(vb.domain, path, "ManagedSave", "u", 0, contains="not running")
        expect_error(vb.domain, path, "Save", "ssu", "/tmp/never-written", "", 0,
                     contains="not running")
        assert not os.path.exists("/tmp/never-written")
        expect_error(vb.domain, path, "CoreDump", "suu", "/tmp/never-dumped", 0, 0,
                     contains="not running")
        assert not os.path.exists("/tmp/never-dumped")
        vb.domain(path, "Undefine", "u", 0)

    def test_reboot_and_reset_keep_running(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Reboot", "u", 0)
        assert vb.state(path)[0] == 1
        ok, _ = call_or_unsupported("virDomainReset", vb.domain, path, "Reset", "u", 0)
        if ok:
            assert vb.state(path)[0] == 1
        vb.domain(path, "Destroy", "u", 0)
        if ok:
            expect_error(vb.domain, path, "Reset", "u", 0, contains="not running")
        vb.domain(path, "Undefine", "u", 0)

    def test_transient_domain(self, vb):
        name, uuid, path = vb.create_transient()
        assert vb.state(path) == (1, 1)
        assert vb.dprop(path, "Persistent") is False
        assert vb.dprop(path, "Active") is True
        assert str(vb.connect("DomainLookupByName", "s", name)) == path
        expect_error(vb.domain, path, "ManagedSave", "u", 0)
        assert vb.state(path)[0] == 1
        vb.domain(path, "Destroy", "u", 0)
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")
        expect_error(vb.connect, "DomainLookupByName", "s", name, contains="Domain not found")
        # shut down instead of destroyed: gone as well
        name, uuid, path = vb.create_transient()
        vb.domain(path, "Shutdown", "u", 0)
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")

    def test_transient_create_paused(self, vb):
        _, _, path = vb.create_transient(flags=START_PAUSED)
        assert vb.state(path)[0] == 3
        vb.domain(path, "Destroy", "u", 0)

    def test_undefine_running_persistent(self, vb):
        name, uuid, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "Undefine", "u", 0)
        assert vb.dprop(path, "Active") is True
        assert vb.dprop(path, "Persistent") is False
        assert vb.state(path)[0] == 1
        vb.domain(path, "Destroy", "u", 0)
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")

    def test_define_update_keeps_path(self, vb):
        name, uuid, path = vb.define(memory=1048576)
        path2 = str(vb.connect("DomainDefineXML", "s", domain_xml(name, uuid, memory=2097152)))
        assert path2 == path
        assert int(vb.domain(path, "GetMaxMemory")) == 2097152
        vb.domain(path, "Undefine", "u", 0)

    def test_define_while_running_applies_at_next_start(self, vb):
        name, uuid, path = vb.define(memory=1048576)
        vb.domain(path, "Create", "u", 0)
        vb.connect("DomainDefineXML", "s", domain_xml(name, uuid, memory=2097152))
        # the new definition applies at the next start; the live one is unchanged
        assert int(vb.domain(path, "GetMaxMemory")) == 1048576
        inactive = parse(vb.xml(path, XML_INACTIVE))
        assert int(inactive.findtext("memory")) == 2097152
        vb.domain(path, "Destroy", "u", 0)
        assert int(vb.domain(path, "GetMaxMemory")) == 2097152
        vb.domain(path, "Undefine", "u", 0)

    def test_save_restore(self, vb, tmp_path):
        name, uuid, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        f = str(tmp_path / "dom.save")
        vb.domain(path, "Save", "ssu", f, "", 0)
        assert os.path.getsize(f) > 0
        assert vb.state(path) == (5, 5)  # SHUTOFF / SAVED
        img = vb.connect("DomainSaveImageGetXMLDesc", "su", f, 0)
        root = parse(img)
        assert root.findtext("name") == name and root.findtext("uuid") == uuid
        vb.connect("DomainRestore", "ssu", f, "", 0)
        assert vb.state(path) == (1, 3)  # RUNNING / RESTORED
        assert vb.dprop(path, "Active") is True
        # restoring over the running domain fails and changes nothing
        expect_error(vb.connect, "DomainRestore", "ssu", f, "", 0)
        assert vb.state(path) == (1, 3)
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_save_image_define_xml(self, vb, tmp_path):
        name, uuid, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        f = str(tmp_path / "dom2.save")
        vb.domain(path, "Save", "ssu", f, "", 0)
        edited = domain_xml(name, uuid, extra="<description>edited in image</description>")
        vb.connect("DomainSaveImageDefineXML", "ssu", f, edited, 0)
        assert parse(vb.connect("DomainSaveImageGetXMLDesc", "su", f, 0)).findtext(
            "description") == "edited in image"
        # another domain's UUID does not fit this image
        expect_error(vb.connect, "DomainSaveImageDefineXML", "ssu", f,
                     domain_xml(name, new_uuid()), 0)
        vb.connect("DomainRestore", "ssu", f, "", 0)
        assert parse(vb.xml(path)).findtext("description") == "edited in image"
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_restore_bad_files(self, vb, tmp_path):
        expect_error(vb.connect, "DomainRestore", "ssu", str(tmp_path / "missing"), "", 0)
        junk = tmp_path / "junk"
        junk.write_bytes(b"\x00\x01 not a save image" * 10)
        before = set(vb.list_domains())
        expect_error(vb.connect, "DomainRestore", "ssu", str(junk), "", 0)
        expect_error(vb.connect, "DomainSaveImageGetXMLDesc", "su", str(junk), 0)
        expect_error(vb.connect, "DomainSaveImageGetXMLDesc", "su", str(tmp_path / "missing"), 0)
        assert set(vb.list_domains()) == before

    def test_managed_save(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "ManagedSave", "u", 0)
        assert vb.state(path) == (5, 5)
        assert bool(vb.domain(path, "HasManagedSaveImage", "u", 0)) is True
        # undefine refuses while the image exists, unless asked to remove it
        expect_error(vb.domain, path, "Undefine", "u", 0,
                     contains="Requested operation is not valid")
        vb.domain(path, "Create", "u", 0)
        assert vb.state(path) == (1, 3)  # started from the image: RESTORED
        assert bool(vb.domain(path, "HasManagedSaveImage", "u", 0)) is False
        vb.domain(path, "ManagedSave", "u", 0)
        vb.domain(path, "ManagedSaveRemove", "u", 0)
        assert bool(vb.domain(path, "HasManagedSaveImage", "u", 0)) is False
        vb.domain(path, "Create", "u", 0)
        assert vb.state(path) == (1, 1)  # booted afresh
        vb.domain(path, "ManagedSave", "u", 0)
        vb.domain(path, "Undefine", "u", UNDEFINE_MANAGED_SAVE)
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")

    def test_core_dump(self, vb, tmp_path):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        f = tmp_path / "core"
        vb.domain(path, "CoreDump", "suu", str(f), 0, 0)
        assert f.exists() and f.stat().st_size > 0
        assert vb.state(path)[0] == 1  # still running without CRASH
        f2 = tmp_path / "core2"
        vb.domain(path, "CoreDump", "suu", str(f2), 0, DUMP_CRASH)
        assert f2.exists()
        assert vb.state(path) == (5, 3)  # SHUTOFF / CRASHED
        vb.domain(path, "Undefine", "u", 0)

    def test_set_memory(self, vb):
        _, _, path = vb.define(memory=2097152)
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "SetMemory", "tu", 1048576, AFFECT_LIVE)
        assert unwrap(vb.domain(path, "GetInfo", "u", 0))[2] == 1048576
        assert int(parse(vb.xml(path)).findtext("currentMemory")) == 1048576
        expect_error(vb.domain, path, "SetMemory", "tu", 4194304, AFFECT_LIVE,
                     contains="invalid argument")
        assert unwrap(vb.domain(path, "GetInfo", "u", 0))[2] == 1048576
        vb.domain(path, "Destroy", "u", 0)
        # the maximum, on the persistent definition
        vb.domain(path, "SetMemory", "tu", 4194304, AFFECT_CONFIG | MEM_MAXIMUM)
        assert int(vb.domain(path, "GetMaxMemory")) == 4194304
        vb.domain(path, "SetMaxMemory", "tu", 3145728, 0)
        assert int(vb.domain(path, "GetMaxMemory")) == 3145728
        assert int(parse(vb.xml(path, XML_INACTIVE)).findtext("memory")) == 3145728
        vb.domain(path, "Undefine", "u", 0)

    def test_set_vcpus(self, vb):
        _, _, path = vb.define(vcpus=2)
        vb.domain(path, "Create", "u", 0)
        vb.domain(path, "SetVcpus", "uu", 1, AFFECT_LIVE)
        assert int(vb.domain(path, "GetVcpus", "u", AFFECT_LIVE)) == 1
        assert len(vb.domain(path, "GetVcpuInfo", "u", 0)) == 1
        expect_error(vb.domain, path, "SetVcpus", "uu", 3, AFFECT_LIVE,
                     contains="invalid argument")
        assert int(vb.domain(path, "GetVcpus", "u", AFFECT_LIVE)) == 1
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "SetVcpus", "uu", 4, AFFECT_CONFIG | VCPU_MAXIMUM)
        vb.domain(path, "SetVcpus", "uu", 3, AFFECT_CONFIG)
        assert int(vb.domain(path, "GetVcpus", "u", AFFECT_CONFIG)) == 3
        assert int(vb.domain(path, "GetVcpus", "u", AFFECT_CONFIG | VCPU_MAXIMUM)) == 4
        vcpu = parse(vb.xml(path, XML_INACTIVE)).find("vcpu")
        assert int(vcpu.text) == 4 and vcpu.get("current") == "3"
        vb.domain(path, "Undefine", "u", 0)

    def test_pin_vcpu(self, vb):
        _, _, path = vb.define(vcpus=2)
        vb.domain(path, "Create", "u", 0)
        ncpus = len(vb.connect("NodeGetCPUMap", "u", 0))
        cpumap = dbus.Array([i == 0 for i in range(ncpus)], signature="b")
        vb.domain(path, "PinVcpu", "uabu", 1, cpumap, AFFECT_LIVE)
        pins = unwrap(vb.domain(path, "GetVcpuPinInfo", "u", AFFECT_LIVE))
        assert pins[1] == [i == 0 for i in range(ncpus)]
        assert any(pins[0])
        expect_error(vb.domain, path, "PinVcpu", "uabu", 7, cpumap, AFFECT_LIVE)
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_scheduler_parameters(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        params = vb.domain(path, "GetSchedulerParameters", "u", 0)
        assert params, "no scheduler parameters"
        key, val = sorted(params.items())[0]
        typ = type(val)
        newval = typ(int(val) + 7)
        vb.domain(path, "SetSchedulerParameters", "a{sv}u",
                  dbus.Dictionary({key: newval}, signature="sv"), 0)
        after = vb.domain(path, "GetSchedulerParameters", "u", 0)
        assert int(after[key]) == int(val) + 7
        expect_error(vb.domain, path, "SetSchedulerParameters", "a{sv}u",
                     dbus.Dictionary({"no-such-param": dbus.UInt32(1)}, signature="sv"), 0)
        assert int(vb.domain(path, "GetSchedulerParameters", "u", 0)[key]) == int(val) + 7
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_devices(self, vb):
        cdrom = ("<disk type='file' device='cdrom'>%s<target dev='hdc' bus='ide'/>"
                 "<readonly/></disk>")
        _, _, path = vb.define(extra_devices=disk_xml("vdc", "/var/lib/virtbus-test/c.img")
                               + cdrom % "")

        def disks():
            return {d.find("target").get("dev"): (d.find("source").get("file")
                                                  if d.find("source") is not None else None)
                    for d in parse(vb.xml(path, XML_INACTIVE)).findall("devices/disk")}

        assert disks() == {"vdc": "/var/lib/virtbus-test/c.img", "hdc": None}
        ok, _ = call_or_unsupported("virDomainAttachDeviceFlags", vb.domain, path,
                                    "AttachDevice", "su", disk_xml("vdb"), AFFECT_CONFIG)
        if ok:
            assert disks() == {"vdc": "/var/lib/virtbus-test/c.img", "hdc": None,
                               "vdb": "/var/lib/virtbus-test/none.img"}
            expect_error(vb.domain, path, "AttachDevice", "su", "<disk", AFFECT_CONFIG)
            # the same target twice
            expect_error(vb.domain, path, "AttachDevice", "su", disk_xml("vdb"), AFFECT_CONFIG)
        # new media in the CD-ROM drive
        ok, _ = call_or_unsupported("virDomainUpdateDeviceFlags", vb.domain, path,
                                    "UpdateDevice", "su",
                                    cdrom % "<source file='/var/lib/virtbus-test/os.iso'/>",
                                    AFFECT_CONFIG)
        if ok:
            assert disks()["hdc"] == "/var/lib/virtbus-test/os.iso"
        ok, _ = call_or_unsupported("virDomainDetachDeviceFlags", vb.domain, path,
                                    "DetachDevice", "su", disk_xml("vdc"), AFFECT_CONFIG)
        if ok:
            assert "vdc" not in disks()
            expect_error(vb.domain, path, "DetachDevice", "su", disk_xml("vdz"),
                         AFFECT_CONFIG)
        vb.domain(path, "Undefine", "u", 0)

    def test_metadata(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        sigs = vb.signals(interface=DOMAIN_IFACE, member="MetadataChange", path=path)
        try:
            msg = expect_error(vb.domain, path, "GetMetadata", "isu", META_TITLE, "", 0)
            assert "metadata" in msg.lower()
            vb.domain(path, "SetMetadata", "isssu", META_DESCRIPTION, "hello world", "", "", 0)
            assert str(vb.domain(path, "GetMetadata", "isu", META_DESCRIPTION, "", 0)) == \
                "hello world"
            vb.domain(path, "SetMetadata", "isssu", META_TITLE, "A title", "", "", 0)
            assert str(vb.domain(path, "GetMetadata", "isu", META_TITLE, "", 0)) == "A title"
            uri = "http://example.org/virtbus-test/"
            vb.domain(path, "SetMetadata", "isssu", META_ELEMENT, "<foo>bar</foo>", "app",
                      uri, 0)
            # as libvirt: the element comes back without its namespace ...
            el = parse(vb.domain(path, "GetMetadata", "isu", META_ELEMENT, uri, 0))
            assert el.tag == "foo" and el.text == "bar"
            # ... and sits in the domain XML in it
            found = parse(vb.xml(path)).find("metadata/{%s}foo" % uri)
            assert found is not None and found.text == "bar"
            vb.domain(path, "SetMetadata", "isssu", META_DESCRIPTION, "", "", "", 0)
            expect_error(vb.domain, path, "GetMetadata", "isu", META_DESCRIPTION, "", 0)
            sigs.expect([
                (path, "MetadataChange", [META_DESCRIPTION, ""]),
                (path, "MetadataChange", [META_TITLE, ""]),
                (path, "MetadataChange", [META_ELEMENT, uri]),
                (path, "MetadataChange", [META_DESCRIPTION, ""]),
            ])
            expect_error(vb.domain, path, "SetMetadata", "isssu", 42, "x", "", "", 0)
        finally:
            sigs.close()
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_rename(self, vb):
        name, uuid, path = vb.define()
        new = unique_name("renamed")
        vb.domain(path, "Rename", "su", new, 0)
        assert vb.dprop(path, "Name") == new
        assert vb.dprop(path, "UUID") == uuid
        assert str(vb.connect("DomainLookupByName", "s", new)) == path
        expect_error(vb.connect, "DomainLookupByName", "s", name, contains="Domain not found")
        assert parse(vb.xml(path)).findtext("name") == new
        expect_error(vb.domain, path, "Rename", "su", TEST_NAME, 0)
        assert vb.dprop(path, "Name") == new
        expect_error(vb.domain, path, "Rename", "su", "x", UNKNOWN_FLAG,
                     contains="unsupported flags (0x80000000)")
        vb.domain(path, "Create", "u", 0)
        expect_error(vb.domain, path, "Rename", "su", unique_name(), 0,
                     contains="Requested operation is not valid")
        assert vb.dprop(path, "Name") == new
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    def test_inject_nmi_and_send_key(self, vb):
        _, _, path = vb.define()
        vb.domain(path, "Create", "u", 0)
        ok, _ = call_or_unsupported("virDomainInjectNMI", vb.domain, path, "InjectNMI", "u", 0)
        if ok:
            assert vb.state(path)[0] == 1
        keys = dbus.Array([29, 56, 14], signature="u")  # ctrl-alt-backspace, linux codes
        ok2, _ = call_or_unsupported("virDomainSendKey", vb.domain, path, "SendKey", "uuauu",
                                     0, 100, keys, 0)
        if ok2:
            too_many = dbus.Array([30] * 17, signature="u")
            expect_error(vb.domain, path, "SendKey", "uuauu", 0, 0, too_many, 0,
                         contains="invalid argument")
        vb.domain(path, "Destroy", "u", 0)
        if ok:
            expect_error(vb.domain, path, "InjectNMI", "u", 0, contains="not running")
        if ok2:
            expect_error(vb.domain, path, "SendKey", "uuauu", 0, 0, keys, 0,
                         contains="not running")
        vb.domain(path, "Undefine", "u", 0)

    def test_inactive_reads(self, vb):
        _, _, path = vb.define(memory=524288, vcpus=1)
        assert unwrap(vb.domain(path, "GetInfo", "u", 0))[:4] == (5, 524288, 524288, 1)
        st = vb.domain(path, "GetStats", "uu", STATS_STATE, 0)
        assert (int(st["state.state"]), int(st["state.reason"])) == (5, 0)
        expect_error(vb.domain, path, "BlockStats", "su", "vda", 0)
        expect_error(vb.domain, path, "InterfaceAddresses", "uu", 0, 0, contains="not running")
        expect_error(vb.domain, path, "GetControlInfo", "u", 0, contains="not running")
        # an inactive domain has no host name to report
        msg = expect_error(vb.domain, path, "GetHostname", "u", 0)
        assert "not running" in msg or NOT_SUPPORTED + "virDomainGetHostname" in msg, msg
        vb.domain(path, "Undefine", "u", 0)


class TestDomainProperties:

    def test_autostart_set(self, vb):
        _, _, path = vb.define()
        assert vb.dprop(path, "Autostart") is False
        assert vb.set(path, DOMAIN_IFACE, "Autostart", dbus.Boolean(True)) is None
        assert vb.dprop(path, "Autostart") is True
        assert bool(vb.get_all(path, DOMAIN_IFACE)["Autostart"]) is True
        vb.set(path, DOMAIN_IFACE, "Autostart", dbus.Boolean(False))
        assert vb.dprop(path, "Autostart") is False
        vb.domain(path, "Undefine", "u", 0)

    def test_autostart_transient_rejected(self, vb):
        _, _, path = vb.create_transient()
        msg = expect_error(vb.set, path, DOMAIN_IFACE, "Autostart", dbus.Boolean(True))
        assert "transient" in msg.lower()
        assert vb.dprop(path, "Autostart") is False
        vb.domain(path, "Destroy", "u", 0)

    def test_autostart_wrong_type(self, vb):
        _, _, path = vb.define()
        expect_error(vb.set, path, DOMAIN_IFACE, "Autostart", dbus.String("yes"),
                     names=("org.freedesktop.DBus.Error.InvalidArgs", LIBVIRT_ERROR))
        assert vb.dprop(path, "Autostart") is False
        vb.domain(path, "Undefine", "u", 0)

    @pytest.mark.parametrize("prop,value", [
        ("Active", dbus.Boolean(False)),
        ("Id", dbus.UInt32(7)),
        ("Name", dbus.String("renamed-by-set")),
        ("OSType", dbus.String("xen")),
        ("Persistent", dbus.Boolean(False)),
        ("SchedulerType", dbus.Struct(("other", 0), signature="si")),
        ("Updated", dbus.Boolean(True)),
        ("UUID", dbus.String("00000000-0000-0000-0000-000000000001")),
    ])
    def test_set_read_only(self, vb, prop, value):
        before = unwrap(vb.get(TEST_PATH, DOMAIN_IFACE, prop))
        expect_error(vb.set, TEST_PATH, DOMAIN_IFACE, prop, value, names=PROPERTY_SET_ERRORS,
                     contains=PROPERTY_SET_MESSAGE)
        assert unwrap(vb.get(TEST_PATH, DOMAIN_IFACE, prop)) == before

    def test_vanished_path(self, vb):
        name, uuid, path = vb.define()
        vb.domain(path, "Undefine", "u", 0)
        for method, sig, args in (("GetState", "u", (0,)), ("GetXMLDesc", "u", (0,)),
                                  ("Create", "u", (0,)), ("Undefine", "u", (0,)),
                                  ("SetMemory", "tu", (1024, 0))):
            expect_error(vb.domain, path, method, sig, *args, contains="Domain not found")
        expect_error(vb.get, path, DOMAIN_IFACE, "Name", contains="Domain not found")
        expect_error(vb.get_all, path, DOMAIN_IFACE, contains="Domain not found")
        expect_error(vb.set, path, DOMAIN_IFACE, "Autostart", dbus.Boolean(True),
                     contains="Domain not found")
        # a new domain of the same name gets a new path; the old one stays dead
        _, _, path2 = vb.define(name=name)
        assert path2 != path
        expect_error(vb.domain, path, "GetState", "u", 0, contains="Domain not found")
        vb.domain(path2, "Undefine", "u", 0)


FLAG_NIC_MAC = "52:54:00:aa:bb:cc"

# methods with a flags argument: each rejects an unknown bit before doing anything
FLAG_CALLS = [
    ("Create", "u", lambda f: (f,)),
    ("Shutdown", "u", lambda f: (f,)),
    ("Reboot", "u", lambda f: (f,)),
    ("Destroy", "u", lambda f: (f,)),
    ("Save", "ssu", lambda f: ("/tmp/vb-never-saved", "", f)),
    ("ManagedSave", "u", lambda f: (f,)),
    ("HasManagedSaveImage", "u", lambda f: (f,)),
    ("ManagedSaveRemove", "u", lambda f: (f,)),
    ("CoreDump", "suu", lambda f: ("/tmp/vb-never-dumped", 0, f)),
    ("Undefine", "u", lambda f: (f,)),
    ("SetMemory", "tu", lambda f: (1024, f)),
    ("SetVcpus", "uu", lambda f: (1, f)),
    ("GetVcpus", "u", lambda f: (f,)),
    ("GetVcpuPinInfo", "u", lambda f: (f,)),
    ("GetSchedulerParameters", "u", lambda f: (f,)),
    ("SetSchedulerParameters", "a{sv}u", lambda f: (dbus.Dictionary({}, signature="sv"), f)),
    ("GetMetadata", "isu", lambda f: (0, "", f)),
    ("SetMetadata", "isssu", lambda f: (0, "x", "", "", f)),
    ("MemoryStats", "u", lambda f: (f,)),
    ("GetControlInfo", "u", lambda f: (f,)),
    ("InterfaceAddresses", "uu", lambda f: (0, f)),
    ("GetInfo", "u", lambda f: (f,)),
    ("GetVcpuInfo", "u", lambda f: (f,)),
    ("BlockStats", "su", lambda f: ("vda", f)),
    ("InterfaceStats", "su", lambda f: (FLAG_NIC_MAC, f)),
    ("SetMaxMemory", "tu", lambda f: (1048576, f)),
]
MAYBE_UNSUPPORTED = {
    "Reset": "virDomainReset", "GetHostname": "virDomainGetHostname",
    "InjectNMI": "virDomainInjectNMI", "SendKey": "virDomainSendKey",
    "AttachDevice": "virDomainAttachDeviceFlags", "DetachDevice": "virDomainDetachDeviceFlags",
    "UpdateDevice": "virDomainUpdateDeviceFlags",
}
FLAG_CALLS_MAYBE = [
    ("Reset", "u", lambda f: (f,)),
    ("GetHostname", "u", lambda f: (f,)),
    ("InjectNMI", "u", lambda f: (f,)),
    ("SendKey", "uuauu", lambda f: (0, 0, dbus.Array([30], signature="u"), f)),
    ("AttachDevice", "su", lambda f: (disk_xml("vdq"), f)),
    ("DetachDevice", "su", lambda f: (disk_xml("vda"), f)),
    ("UpdateDevice", "su", lambda f: (disk_xml("vda"), f)),
]


class TestDomainFlags:

    @pytest.fixture(scope="class")
    def running(self, vb):
        nic = ("<interface type='network'><mac address='%s'/><source network='default'/>"
               "</interface>" % FLAG_NIC_MAC)
        name, uuid, path = vb.define(vcpus=2, memory=1048576,
                                     extra_devices=disk_xml("vda") + nic)
        vb.domain(path, "Create", "u", 0)
        yield path
        vb.domain(path, "Destroy", "u", 0)
        vb.domain(path, "Undefine", "u", 0)

    @pytest.mark.parametrize("method,sig,args", FLAG_CALLS, ids=[c[0] for c in FLAG_CALLS])
    def test_unknown_flag(self, vb, running, method, sig, args):
        before = (vb.state(running), vb.xml(running), vb.xml(running, XML_INACTIVE))
        expect_error(vb.domain, running, method, sig, *args(UNKNOWN_FLAG),
                     contains="unsupported flags (0x80000000)")
        assert (vb.state(running), vb.xml(running), vb.xml(running, XML_INACTIVE)) == before
        assert not os.path.exists("/tmp/vb-never-saved")
        assert not os.path.exists("/tmp/vb-never-dumped")

    def test_unknown_stats_flag(self, vb, running):
        # 1 << 31 is ENFORCE_STATS for virDomainListGetStats: 1 << 20 is unknown
        expect_error(vb.domain, running, "GetStats", "uu", 0, 0x100000,
                     contains="unsupported flags (0x100000)")

    @pytest.mark.parametrize("method,sig,args", FLAG_CALLS_MAYBE,
                             ids=[c[0] for c in FLAG_CALLS_MAYBE])
    def test_unknown_flag_or_unsupported(self, vb, running, method, sig, args):
        before = (vb.state(running), vb.xml(running))
        msg = expect_error(vb.domain, running, method, sig, *args(UNKNOWN_FLAG))
        assert ("unsupported flags (0x80000000)" in msg
                or NOT_SUPPORTED + MAYBE_UNSUPPORTED[method] in msg), msg
        assert (vb.state(running), vb.xml(running)) == before
