# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt.Connect on /org/libvirt/Test: every property and method."""

import socket
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import (CONNECT_IFACE, CONNECT_PATH, DEFAULT_NET_NAME, DEFAULT_NET_PATH,
                      DEFAULT_NET_UUID, SPEC, TEST_NAME, TEST_PATH, TEST_UUID,
                      UNKNOWN_FLAG, call_or_unsupported, domain_path, domain_xml, expect_error,
                      new_uuid, unique_name, unwrap)

# ListDomains flags
L_ACTIVE, L_INACTIVE, L_PERSISTENT, L_TRANSIENT = 1, 2, 4, 8
L_RUNNING, L_PAUSED, L_SHUTOFF, L_OTHER = 16, 32, 64, 128
L_MANAGEDSAVE, L_NO_MANAGEDSAVE, L_AUTOSTART, L_NO_AUTOSTART = 256, 512, 1024, 2048
L_HAS_SNAPSHOT, L_NO_SNAPSHOT = 4096, 8192
# ListNetworks flags
N_INACTIVE, N_ACTIVE, N_PERSISTENT, N_TRANSIENT, N_AUTOSTART, N_NO_AUTOSTART = 1, 2, 4, 8, 16, 32


class TestConnectDefaultState:
    """read-only checks against a fresh test:///default."""

    def test_properties_get(self, vb):
        enc = vb.get(CONNECT_PATH, CONNECT_IFACE, "Encrypted")
        sec = vb.get(CONNECT_PATH, CONNECT_IFACE, "Secure")
        host = vb.get(CONNECT_PATH, CONNECT_IFACE, "Hostname")
        lib = vb.get(CONNECT_PATH, CONNECT_IFACE, "LibVersion")
        ver = vb.get(CONNECT_PATH, CONNECT_IFACE, "Version")
        assert isinstance(enc, dbus.Boolean) and enc.variant_level == 1
        assert isinstance(sec, dbus.Boolean) and sec.variant_level == 1
        assert isinstance(host, dbus.String) and host.variant_level == 1
        assert isinstance(lib, dbus.UInt64) and lib.variant_level == 1
        assert isinstance(ver, dbus.UInt64) and ver.variant_level == 1
        # the test driver: a local, unencrypted but secure connection (virConnectIsSecure 1)
        assert bool(enc) is False
        assert bool(sec) is True
        assert str(host) == socket.gethostname()
        # project version 0.1.0 -> 0 * 1000000 + 1 * 1000 + 0
        assert int(lib) == 1000
        assert int(ver) > 0

    def test_properties_getall_double_wrapped(self, vb):
        allp = vb.get_all(CONNECT_PATH, CONNECT_IFACE)
        assert set(allp.keys()) == set(SPEC[CONNECT_IFACE]["properties"])
        for k, v in allp.items():
            assert v.variant_level == 2, "GetAll %s: variant_level %d, want 2" % (k, v.variant_level)
            single = vb.get(CONNECT_PATH, CONNECT_IFACE, k)
            assert single.variant_level == 1, "Get %s: variant_level %d" % (k, single.variant_level)
            assert unwrap(v) == unwrap(single)
            assert type(v) is type(single)

    def test_list_domains_default(self, vb):
        res = vb.connect("ListDomains", "u", 0)
        assert isinstance(res, dbus.Array)
        assert all(isinstance(p, dbus.ObjectPath) for p in res)
        assert [str(p) for p in res] == [TEST_PATH]

    @pytest.mark.parametrize("flags,expected", [
        (L_ACTIVE, [TEST_PATH]),
        (L_INACTIVE, []),
        (L_PERSISTENT, [TEST_PATH]),
        (L_TRANSIENT, []),
        (L_RUNNING, [TEST_PATH]),
        (L_PAUSED, []),
        (L_SHUTOFF, []),
        (L_ACTIVE | L_INACTIVE, [TEST_PATH]),
        (L_NO_MANAGEDSAVE, [TEST_PATH]),
        (L_MANAGEDSAVE, []),
        (L_NO_AUTOSTART, [TEST_PATH]),
        (L_AUTOSTART, []),
        (L_NO_SNAPSHOT, [TEST_PATH]),
        (L_HAS_SNAPSHOT, []),
        (L_ACTIVE | L_TRANSIENT, []),
        (L_ACTIVE | L_PERSISTENT | L_RUNNING, [TEST_PATH]),
    ])
    def test_list_domains_flags_default(self, vb, flags, expected):
        assert vb.list_domains(flags) == expected

    def test_lookup_test_domain(self, vb):
        by_name = vb.connect("DomainLookupByName", "s", TEST_NAME)
        by_id = vb.connect("DomainLookupByID", "i", 1)
        by_uuid = vb.connect("DomainLookupByUUID", "s", TEST_UUID)
        by_undashed = vb.connect("DomainLookupByUUID", "s", TEST_UUID.replace("-", ""))
        by_upper = vb.connect("DomainLookupByUUID", "s", TEST_UUID.upper())
        for p in (by_name, by_id, by_uuid, by_undashed, by_upper):
            assert isinstance(p, dbus.ObjectPath)
            assert str(p) == TEST_PATH

    @pytest.mark.parametrize("method,sig,arg", [
        ("DomainLookupByName", "s", "no-such-domain"),
        ("DomainLookupByID", "i", 4242),
        ("DomainLookupByID", "i", -1),
        ("DomainLookupByID", "i", 0),
        ("DomainLookupByUUID", "s", "00000000-0000-0000-0000-000000000000"),
        ("DomainLookupByUUID", "s", "6695eb01f6a4830479aa97f2502e193e"),
    ])
    def test_domain_lookup_not_found(self, vb, method, sig, arg):
        expect_error(vb.connect, method, sig, arg, contains="Domain not found")

    @pytest.mark.parametrize("bad", [
        "", "nope", "6695eb01-f6a4-8304-79aa", "6695eb01-f6a4-8304-79aa-97f2502e193f0",
        "zz95eb01-f6a4-8304-79aa-97f2502e193f", "6695eb01-f6a4-8304-79aa-97f2502e193f-extra",
    ])
    def test_domain_lookup_bad_uuid(self, vb, bad):
        # libvirt: "invalid argument: uuidstr in virDomainLookupByUUIDString must be a
        # valid UUID"
        expect_error(vb.connect, "DomainLookupByUUID", "s", bad, contains="invalid argument")

    @pytest.mark.parametrize("bad", ["", "xyz", "dd8fe884-6c02-601e-7551"])
    def test_network_lookup_bad_uuid(self, vb, bad):
        expect_error(vb.connect, "NetworkLookupByUUID", "s", bad, contains="invalid argument")

    def test_list_networks_default(self, vb):
        res = vb.connect("ListNetworks", "u", 0)
        assert isinstance(res, dbus.Array)
        assert all(isinstance(p, dbus.ObjectPath) for p in res)
        assert [str(p) for p in res] == [DEFAULT_NET_PATH]

    @pytest.mark.parametrize("flags,expected", [
        (N_ACTIVE, [DEFAULT_NET_PATH]),
        (N_INACTIVE, []),
        (N_PERSISTENT, [DEFAULT_NET_PATH]),
        (N_TRANSIENT, []),
        (N_ACTIVE | N_INACTIVE, [DEFAULT_NET_PATH]),
        (N_ACTIVE | N_TRANSIENT, []),
    ])
    def test_list_networks_flags_default(self, vb, flags, expected):
        assert vb.list_networks(flags) == expected

    def test_lookup_default_network(self, vb):
        for p in (vb.connect("NetworkLookupByName", "s", DEFAULT_NET_NAME),
                  vb.connect("NetworkLookupByUUID", "s", DEFAULT_NET_UUID),
                  vb.connect("NetworkLookupByUUID", "s", DEFAULT_NET_UUID.replace("-", ""))):
            assert isinstance(p, dbus.ObjectPath)
            assert str(p) == DEFAULT_NET_PATH

    @pytest.mark.parametrize("method,arg", [
        ("NetworkLookupByName", "no-such-network"),
        ("NetworkLookupByUUID", "00000000-0000-0000-0000-000000000000"),
    ])
    def test_network_lookup_not_found(self, vb, method, arg):
        expect_error(vb.connect, method, "s", arg, contains="Network not found")

    def test_get_capabilities(self, vb):
        caps = vb.connect("GetCapabilities")
        assert isinstance(caps, dbus.String)
        root = ET.fromstring(str(caps))
        assert root.tag == "capabilities"
        host = root.find("host")
        assert host is not None and host.find("cpu/arch") is not None
        guests = root.findall("guest")
        assert guests, "no <guest> in capabilities"
        assert any(g.findtext("os_type") == "hvm" for g in guests)
        dtypes = {d.get("type") for g in guests for d in g.findall("arch/domain")}
        assert "test" in dtypes, "capabilities lack <domain type='test'>: %r" % dtypes

    def test_get_domain_capabilities(self, vb):
        ok, res = call_or_unsupported("virConnectGetDomainCapabilities", vb.connect,
                                      "GetDomainCapabilities", "ssssu", "", "", "", "", 0)
        if ok:
            root = ET.fromstring(str(res))
            assert root.tag == "domainCapabilities"
            expect_error(vb.connect, "GetDomainCapabilities", "ssssu", "", "", "", "",
                         UNKNOWN_FLAG, contains="unsupported flags (0x80000000)")

    def test_get_sysinfo(self, vb):
        ok, res = call_or_unsupported("virConnectGetSysinfo", vb.connect, "GetSysinfo", "u", 0)
        if ok:
            root = ET.fromstring(str(res))
            assert root.tag == "sysinfo"
            expect_error(vb.connect, "GetSysinfo", "u", UNKNOWN_FLAG,
                         contains="unsupported flags (0x80000000)")

    def test_get_cpu_model_names(self, vb):
        ok, res = call_or_unsupported("virConnectGetCPUModelNames", vb.connect,
                                      "GetCPUModelNames", "su", "x86_64", 0)
        if ok:
            assert isinstance(res, dbus.Array)
            names = [str(n) for n in res]
            assert names, "no CPU models for x86_64"
            assert all(n and isinstance(n, str) for n in names)
            assert len(set(names)) == len(names), "duplicate CPU model names"
            expect_error(vb.connect, "GetCPUModelNames", "su", "no-such-arch", 0)

    def test_get_all_domain_stats(self, vb):
        recs = vb.connect("GetAllDomainStats", "uu", 1, 0)  # VIR_DOMAIN_STATS_STATE
        assert isinstance(recs, dbus.Array)
        by_name = {str(r[0]): r[1] for r in recs}
        assert set(by_name) == {TEST_NAME}
        st = by_name[TEST_NAME]
        assert st["state.state"].variant_level == 2
        assert isinstance(st["state.state"], dbus.Int32)
        assert int(st["state.state"]) == 1
        assert int(st["state.reason"]) == 1

    def test_node_get_info(self, vb):
        info = vb.connect("NodeGetInfo")
        model, mem, cpus, mhz, nodes, sockets, cores, threads = unwrap(info)
        assert isinstance(model, str) and model
        assert mem > 0 and cpus > 0 and mhz > 0
        assert nodes >= 1 and sockets >= 1 and cores >= 1 and threads >= 1
        assert cpus == nodes * sockets * cores * threads, unwrap(info)

    def test_node_get_cpu_map(self, vb):
        cpumap = vb.connect("NodeGetCPUMap", "u", 0)
        assert isinstance(cpumap, dbus.Array)
        assert all(isinstance(b, dbus.Boolean) for b in cpumap)
        assert len(cpumap) >= 1 and any(cpumap)
        expect_error(vb.connect, "NodeGetCPUMap", "u", UNKNOWN_FLAG,
                     contains="unsupported flags (0x80000000)")

    def test_node_get_cpu_stats(self, vb):
        stats = vb.connect("NodeGetCPUStats", "iu", -1, 0)
        assert isinstance(stats, dbus.Dictionary)
        assert {"kernel", "user", "idle", "iowait"} <= set(stats), dict(stats)
        assert all(isinstance(v, dbus.UInt64) for v in stats.values())
        one = vb.connect("NodeGetCPUStats", "iu", 0, 0)
        assert {"kernel", "user", "idle", "iowait"} <= set(one)
        ncpus = unwrap(vb.connect("NodeGetInfo"))[2]
        expect_error(vb.connect, "NodeGetCPUStats", "iu", ncpus + 1000, 0,
                     contains="invalid argument")

    def test_node_get_memory_stats(self, vb):
        stats = vb.connect("NodeGetMemoryStats", "iu", -1, 0)
        assert isinstance(stats, dbus.Dictionary)
        assert {"total", "free"} <= set(stats), dict(stats)
        assert all(isinstance(v, dbus.UInt64) for v in stats.values())
        assert int(stats["total"]) >= int(stats["free"]) > 0

    def test_node_get_free_memory(self, vb):
        free = vb.connect("NodeGetFreeMemory")
        assert isinstance(free, dbus.UInt64)
        mem_kib = unwrap(vb.connect("NodeGetInfo"))[1]
        assert 0 < int(free) <= mem_kib * 1024

    def test_node_get_security_model(self, vb):
        model = vb.connect("NodeGetSecurityModel")
        assert isinstance(model, dbus.Struct) and len(model) == 2
        assert all(isinstance(x, dbus.String) for x in model)

    def test_get_max_vcpus(self, vb):
        n = vb.connect("GetMaxVcpus", "s", "test")
        assert isinstance(n, dbus.UInt32)
        assert int(n) >= 2  # the default domain has 2
        assert int(vb.connect("GetMaxVcpus", "s", "")) == int(n)

    def test_domain_xml_to_from_native(self, vb):
        # the formats are xen-xm, xen-xl and qemu-argv: the Test driver converts none
        xml = vb.xml(TEST_PATH)
        for method, args in (("DomainXMLToNative", ("qemu-argv", xml, 0)),
                             ("DomainXMLFromNative", ("xen-xl", "name = 'x'\nmemory = 128\n", 0))):
            vfn = "virConnect" + method
            ok, res = call_or_unsupported(vfn, vb.connect, method, "ssu", *args)
            if ok:
                assert str(res).strip(), "%s returned an empty result" % method

    @pytest.mark.parametrize("method,sig,args", [
        ("ListDomains", "u", (UNKNOWN_FLAG,)),
        ("ListNetworks", "u", (UNKNOWN_FLAG,)),
        ("DomainCreateXML", "su", (domain_xml("never-created"), UNKNOWN_FLAG)),
        ("DomainRestore", "ssu", ("/nonexistent/save", "", UNKNOWN_FLAG)),
        ("NodeGetMemoryStats", "iu", (-1, UNKNOWN_FLAG)),
        ("NodeGetCPUStats", "iu", (-1, UNKNOWN_FLAG)),
    ])
    def test_unknown_flags(self, vb, method, sig, args):
        expect_error(vb.connect, method, sig, *args, contains="unsupported flags (0x80000000)")
        assert vb.list_domains() == [TEST_PATH]  # nothing was created

    def test_unknown_stats_flags(self, vb):
        # 1 << 31 is ENFORCE_STATS, 1 << 30 BACKING, 1 << 29 NOWAIT here: 1 << 20 is unknown
        expect_error(vb.connect, "GetAllDomainStats", "uu", 0, 0x100000,
                     contains="unsupported flags (0x100000)")

    def test_wrong_signature_rejected(self, vb):
        # GDBus checks the in-signature against the interface before any handler runs
        import dbus.lowlevel as ll
        msg = ll.MethodCallMessage("org.libvirt", CONNECT_PATH, CONNECT_IFACE, "ListDomains")
        msg.append("zero", signature="s")
        with pytest.raises(dbus.exceptions.DBusException) as ei:
            vb.conn.send_message_with_reply_and_block(msg, 10000)
        assert ei.value.get_dbus_name() == "org.freedesktop.DBus.Error.InvalidArgs"

    def test_unknown_method(self, vb):
        import dbus.lowlevel as ll
        msg = ll.MethodCallMessage("org.libvirt", CONNECT_PATH, CONNECT_IFACE, "NoSuchMethod")
        with pytest.raises(dbus.exceptions.DBusException) as ei:
            vb.conn.send_message_with_reply_and_block(msg, 10000)
        assert ei.value.get_dbus_name() == "org.freedesktop.DBus.Error.UnknownMethod"


class TestConnectChanges:
    """lists and lookups as domains come and go."""

    def test_define_then_lookup_everywhere(self, vb):
        name, uuid, path = vb.define()
        assert str(vb.connect("DomainLookupByName", "s", name)) == path
        assert str(vb.connect("DomainLookupByUUID", "s", uuid)) == path
        assert str(vb.connect("DomainLookupByUUID", "s", uuid.replace("-", ""))) == path
        assert path in vb.list_domains(0)
        assert path in vb.list_domains(L_INACTIVE)
        assert path not in vb.list_domains(L_ACTIVE)
        # an inactive domain has no id
        assert vb.dprop(path, "Id") == 0
        vb.domain(path, "Create", "u", 0)
        dom_id = vb.dprop(path, "Id")
        assert dom_id > 1  # test keeps id 1
        assert str(vb.connect("DomainLookupByID", "i", dom_id)) == path
        assert path in vb.list_domains(L_ACTIVE)
        vb.domain(path, "Destroy", "u", 0)
        expect_error(vb.connect, "DomainLookupByID", "i", dom_id, contains="Domain not found")
        vb.domain(path, "Undefine", "u", 0)
        assert path not in vb.list_domains(0)
        expect_error(vb.connect, "DomainLookupByName", "s", name, contains="Domain not found")
        expect_error(vb.connect, "DomainLookupByUUID", "s", uuid, contains="Domain not found")

    def test_list_domains_flag_matrix(self, vb):
        _, _, inactive = vb.define()
        _, _, running = vb.define()
        vb.domain(running, "Create", "u", 0)
        _, _, paused = vb.define()
        vb.domain(paused, "Create", "u", 0)
        vb.domain(paused, "Suspend")
        _, _, transient = vb.create_transient()
        _, _, autostart = vb.define()
        vb.set(autostart, "org.libvirt.Domain", "Autostart", dbus.Boolean(True))
        _, _, saved = vb.define()
        vb.domain(saved, "Create", "u", 0)
        vb.domain(saved, "ManagedSave", "u", 0)
        mine = {inactive, running, paused, transient, autostart, saved, TEST_PATH}
        try:
            def lst(flags):
                return set(vb.list_domains(flags)) & mine

            assert lst(0) == mine
            assert lst(L_ACTIVE) == {running, paused, transient, TEST_PATH}
            assert lst(L_INACTIVE) == {inactive, autostart, saved}
            assert lst(L_PERSISTENT) == mine - {transient}
            assert lst(L_TRANSIENT) == {transient}
            assert lst(L_RUNNING) == {running, transient, TEST_PATH}
            assert lst(L_PAUSED) == {paused}
            assert lst(L_SHUTOFF) == {inactive, autostart, saved}
            assert lst(L_RUNNING | L_PAUSED) == {running, paused, transient, TEST_PATH}
            assert lst(L_ACTIVE | L_TRANSIENT) == {transient}
            assert lst(L_INACTIVE | L_PERSISTENT) == {inactive, autostart, saved}
            assert lst(L_AUTOSTART) == {autostart}
            assert lst(L_NO_AUTOSTART) == mine - {autostart}
            assert lst(L_MANAGEDSAVE) == {saved}
            assert lst(L_NO_MANAGEDSAVE) == mine - {saved}
            assert lst(L_INACTIVE | L_MANAGEDSAVE) == {saved}
            assert lst(L_NO_SNAPSHOT) == mine
            assert lst(L_HAS_SNAPSHOT) == set()
        finally:
            for p in (running, paused, transient):
                vb.domain(p, "Destroy", "u", 0)
            vb.domain(saved, "Undefine", "u", 1)  # MANAGED_SAVE
            for p in (inactive, running, paused, autostart):
                vb.domain(p, "Undefine", "u", 0)
        assert set(vb.list_domains(0)) & mine == {TEST_PATH}

    def test_get_all_domain_stats_filters(self, vb):
        name, _, path = vb.define()
        try:
            recs = vb.connect("GetAllDomainStats", "uu", 1, 2)  # INACTIVE
            names = {str(r[0]) for r in recs}
            assert name in names and TEST_NAME not in names
            st = {str(r[0]): r[1] for r in recs}[name]
            assert int(st["state.state"]) == 5
            recs = vb.connect("GetAllDomainStats", "uu", 1, 1)  # ACTIVE
            names = {str(r[0]) for r in recs}
            assert TEST_NAME in names and name not in names
            recs = vb.connect("GetAllDomainStats", "uu", 0, 0)
            assert {str(r[0]) for r in recs} >= {TEST_NAME, name}
            for _, stats in recs:
                for k, v in stats.items():
                    assert v.variant_level == 2, "%s: variant_level %d" % (k, v.variant_level)
        finally:
            vb.domain(path, "Undefine", "u", 0)

    def test_duplicate_define_other_uuid(self, vb):
        name, uuid, path = vb.define()
        try:
            other = new_uuid()
            expect_error(vb.connect, "DomainDefineXML", "s", domain_xml(name, other),
                         contains="already exists")
            expect_error(vb.connect, "DomainDefineXML", "s", domain_xml(TEST_NAME, other),
                         contains="already exists")
            expect_error(vb.connect, "DomainCreateXML", "su", domain_xml(TEST_NAME, other), 0,
                         contains="already exists")
            # nothing by that UUID appeared
            expect_error(vb.connect, "DomainLookupByUUID", "s", other, contains="Domain not found")
            assert str(vb.connect("DomainLookupByName", "s", name)) == path
            assert str(vb.connect("DomainLookupByName", "s", TEST_NAME)) == TEST_PATH
        finally:
            vb.domain(path, "Undefine", "u", 0)

    def test_same_uuid_other_name_rejected(self, vb):
        name, uuid, path = vb.define()
        try:
            expect_error(vb.connect, "DomainDefineXML", "s", domain_xml(unique_name(), uuid))
            assert vb.dprop(path, "Name") == name
            expect_error(vb.connect, "DomainDefineXML", "s", domain_xml(unique_name(), TEST_UUID))
            assert vb.dprop(TEST_PATH, "Name") == TEST_NAME
        finally:
            vb.domain(path, "Undefine", "u", 0)

    def test_define_without_uuid_gets_one(self, vb):
        name = unique_name()
        path = str(vb.connect("DomainDefineXML", "s", domain_xml(name)))
        try:
            uuid = vb.dprop(path, "UUID")
            assert path == domain_path(uuid)
            assert len(uuid) == 36 and uuid.count("-") == 4
            assert "<uuid>%s</uuid>" % uuid in vb.xml(path)
        finally:
            vb.domain(path, "Undefine", "u", 0)

    def test_bad_xml_malformed_has_line(self, vb):
        import re
        bad = "<domain type='test'>\n  <name>broken</name>\n  <memory>1024</memory\n</domain>\n"
        msg = expect_error(vb.connect, "DomainDefineXML", "s", bad)
        assert re.search(r"(line\s*[34]\b|:[34]:)", msg), "no line number in %r" % msg
        msg = expect_error(vb.connect, "DomainCreateXML", "su", bad, 0)
        assert re.search(r"(line\s*[34]\b|:[34]:)", msg), "no line number in %r" % msg
        expect_error(vb.connect, "DomainLookupByName", "s", "broken", contains="Domain not found")

    def test_bad_xml_value(self, vb):
        bad = domain_xml("badmem", new_uuid()).replace(
            "<memory unit='KiB'>1048576</memory>", "<memory>xyz</memory>")
        assert "<memory>xyz</memory>" in bad
        for method, sig, args in (("DomainDefineXML", "s", (bad,)),
                                  ("DomainCreateXML", "su", (bad, 0))):
            expect_error(vb.connect, method, sig, *args, contains=(
                "XML error: Invalid value 'xyz' for element or attribute './memory[1]'",))
        expect_error(vb.connect, "DomainLookupByName", "s", "badmem", contains="Domain not found")

    @pytest.mark.parametrize("xml", [
        "",
        "not xml at all",
        "<network><name>wrong-root</name></network>",
        "<domain type='test'><memory>1024</memory><os><type>hvm</type></os></domain>",
        "<domain type='nosuchtype'><name>x</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain>",
        "<domain type='test'><name>bad/name</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain>",
        "<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain type='test'>"
        "<name>&e;</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    ])
    def test_bad_xml_rejected(self, vb, xml):
        before = set(vb.list_domains())
        expect_error(vb.connect, "DomainDefineXML", "s", xml)
        assert set(vb.list_domains()) == before

    def test_network_define_create_lookup(self, vb):
        name, uuid, path = vb.define_network()
        try:
            assert str(vb.connect("NetworkLookupByName", "s", name)) == path
            assert str(vb.connect("NetworkLookupByUUID", "s", uuid)) == path
            assert path in vb.list_networks(N_INACTIVE)
            assert path in vb.list_networks(N_PERSISTENT)
            assert path not in vb.list_networks(N_ACTIVE)
            assert path in vb.list_networks(N_NO_AUTOSTART)
            vb.network(path, "Create")
            assert path in vb.list_networks(N_ACTIVE)
            vb.set(path, "org.libvirt.Network", "Autostart", dbus.Boolean(True))
            assert path in vb.list_networks(N_AUTOSTART)
            assert path not in vb.list_networks(N_NO_AUTOSTART)
            vb.network(path, "Destroy")
        finally:
            vb.network(path, "Undefine")
        assert path not in vb.list_networks(0)
        expect_error(vb.connect, "NetworkLookupByName", "s", name, contains="Network not found")

    def test_network_create_xml_transient(self, vb):
        from conftest import network_path, network_xml
        name, uuid = unique_name("n"), new_uuid()
        path = str(vb.connect("NetworkCreateXML", "s", network_xml(name, uuid, subnet=201)))
        assert path == network_path(uuid)
        assert path in vb.list_networks(N_TRANSIENT)
        assert path in vb.list_networks(N_ACTIVE)
        assert path not in vb.list_networks(N_PERSISTENT)
        vb.network(path, "Destroy")
        assert path not in vb.list_networks(0)

    def test_network_bad_xml(self, vb):
        before = vb.list_networks()
        expect_error(vb.connect, "NetworkDefineXML", "s", "<network><name>x</name")
        expect_error(vb.connect, "NetworkCreateXML", "s", "<domain/>")
        expect_error(vb.connect, "NetworkDefineXML", "s",
                     "<network><name>%s</name><uuid>%s</uuid></network>"
                     % (DEFAULT_NET_NAME, new_uuid()), contains="already exists")
        assert vb.list_networks() == before
