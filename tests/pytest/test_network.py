# SPDX-License-Identifier: LGPL-2.1-or-later
"""org.libvirt.Network: every property and method."""

import ipaddress
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import (DEFAULT_NET_NAME, DEFAULT_NET_PATH, DEFAULT_NET_UUID,
                      NETWORK_IFACE, SPEC, UNKNOWN_FLAG, expect_error, network_xml,
                      new_uuid, unique_name, unwrap)

NET_XML_INACTIVE = 1
# virNetworkUpdate
CMD_MODIFY, CMD_DELETE, CMD_ADD_LAST, CMD_ADD_FIRST = 1, 2, 3, 4
SECTION_IP_DHCP_HOST, SECTION_IP_DHCP_RANGE = 4, 5
AFFECT_CURRENT, AFFECT_LIVE, AFFECT_CONFIG = 0, 1, 2

# GDBus refuses a Set of a read-only property before the service sees it, with
# InvalidArgs "Property 'X' is not writable": the reply libvirt-dbus gives on the same
# GLib, so clients of either see the same thing
PROPERTY_SET_ERRORS = ("org.freedesktop.DBus.Error.InvalidArgs",)
PROPERTY_SET_MESSAGE = "is not writable"
UNKNOWN_NETWORK_PATH = "/org/libvirt/Test/network/_00000000_0000_0000_0000_000000000000"


def parse(xml):
    return ET.fromstring(str(xml))


def dhcp_hosts(xml):
    return sorted((h.get("mac"), h.get("name"), h.get("ip"))
                  for h in parse(xml).findall("ip/dhcp/host"))


class TestNetworkDefault:

    def test_properties_get(self, vb):
        expect = {
            "Active": (dbus.Boolean, True),
            "Name": (dbus.String, DEFAULT_NET_NAME),
            "Persistent": (dbus.Boolean, True),
            "UUID": (dbus.String, DEFAULT_NET_UUID),
            "BridgeName": (dbus.String, "virbr0"),
        }
        for prop, (typ, val) in expect.items():
            v = vb.get(DEFAULT_NET_PATH, NETWORK_IFACE, prop)
            assert isinstance(v, typ), "%s is %s" % (prop, type(v).__name__)
            assert v.variant_level == 1
            assert unwrap(v) == val, "%s: expected %r, got %r" % (prop, val, unwrap(v))
        a = vb.get(DEFAULT_NET_PATH, NETWORK_IFACE, "Autostart")
        assert isinstance(a, dbus.Boolean) and a.variant_level == 1

    def test_properties_getall_double_wrapped(self, vb):
        allp = vb.get_all(DEFAULT_NET_PATH, NETWORK_IFACE)
        assert set(allp) == set(SPEC[NETWORK_IFACE]["properties"])
        assert "BridgeName" in allp
        for k, v in allp.items():
            assert v.variant_level == 2, "GetAll %s: variant_level %d, want 2" % (k, v.variant_level)
            single = vb.get(DEFAULT_NET_PATH, NETWORK_IFACE, k)
            assert unwrap(v) == unwrap(single) and type(v) is type(single), k

    def test_get_xml_desc(self, vb):
        xml = vb.network(DEFAULT_NET_PATH, "GetXMLDesc", "u", 0)
        assert isinstance(xml, dbus.String)
        root = parse(xml)
        assert root.tag == "network"
        assert root.findtext("name") == DEFAULT_NET_NAME
        assert root.findtext("uuid") == DEFAULT_NET_UUID
        assert root.find("bridge").get("name") == "virbr0"
        assert root.find("forward").get("mode") == "nat"
        ip = root.find("ip")
        assert ip.get("address") == "192.168.122.1"
        net = ipaddress.ip_network("192.168.122.1/%s" % (ip.get("prefix") or ip.get("netmask")),
                                   strict=False)
        assert net.prefixlen == 24
        rng = ip.find("dhcp/range")
        assert (rng.get("start"), rng.get("end")) == ("192.168.122.2", "192.168.122.254")
        inactive = parse(vb.network(DEFAULT_NET_PATH, "GetXMLDesc", "u", NET_XML_INACTIVE))
        assert inactive.findtext("uuid") == DEFAULT_NET_UUID
        expect_error(vb.network, DEFAULT_NET_PATH, "GetXMLDesc", "u", UNKNOWN_FLAG,
                     contains="unsupported flags (0x80000000)")

    def test_get_dhcp_leases_signature(self, vb):
        from conftest import reply_signature
        assert reply_signature(vb.conn, DEFAULT_NET_PATH, NETWORK_IFACE, "GetDHCPLeases",
                               "su", "", 0) == "a(sxisssuss)"
        leases = vb.network(DEFAULT_NET_PATH, "GetDHCPLeases", "su", "", 0)
        assert isinstance(leases, dbus.Array)
        net = ipaddress.ip_network("192.168.122.0/24")
        for lease in leases:
            iface, expiry, typ, mac, iaid, ip, prefix, hostname, clientid = unwrap(lease)
            assert iface == "virbr0"
            assert typ in (0, 1)
            assert mac and ipaddress.ip_address(ip) in net and prefix == 24
        if leases:
            mac = str(leases[0][3])
            only = unwrap(vb.network(DEFAULT_NET_PATH, "GetDHCPLeases", "su", mac, 0))
            assert only and all(l[3] == mac for l in only)
        assert unwrap(vb.network(DEFAULT_NET_PATH, "GetDHCPLeases", "su",
                                 "52:54:00:ff:ff:fe", 0)) == []
        expect_error(vb.network, DEFAULT_NET_PATH, "GetDHCPLeases", "su", "", UNKNOWN_FLAG,
                     contains="unsupported flags (0x80000000)")

    def test_unknown_path(self, vb):
        for method, sig, args in (("GetXMLDesc", "u", (0,)), ("Create", "", ()),
                                  ("Destroy", "", ()), ("Undefine", "", ())):
            expect_error(vb.network, UNKNOWN_NETWORK_PATH, method, sig, *args,
                         contains="Network not found")
        expect_error(vb.get, UNKNOWN_NETWORK_PATH, NETWORK_IFACE, "Name",
                     contains="Network not found")
        expect_error(vb.get_all, UNKNOWN_NETWORK_PATH, NETWORK_IFACE,
                     contains="Network not found")

    @pytest.mark.parametrize("prop,value", [
        ("Active", dbus.Boolean(False)),
        ("Name", dbus.String("renamed")),
        ("Persistent", dbus.Boolean(False)),
        ("UUID", dbus.String("00000000-0000-0000-0000-000000000001")),
        ("BridgeName", dbus.String("br-other")),
    ])
    def test_set_read_only(self, vb, prop, value):
        before = unwrap(vb.get(DEFAULT_NET_PATH, NETWORK_IFACE, prop))
        expect_error(vb.set, DEFAULT_NET_PATH, NETWORK_IFACE, prop, value,
                     names=PROPERTY_SET_ERRORS,
                     contains=PROPERTY_SET_MESSAGE)
        assert unwrap(vb.get(DEFAULT_NET_PATH, NETWORK_IFACE, prop)) == before


class TestNetworkChanges:

    def test_lifecycle_properties(self, vb):
        name, uuid, path = vb.define_network(subnet=210, bridge="vbtest210")
        assert vb.nprop(path, "Name") == name
        assert vb.nprop(path, "UUID") == uuid
        assert vb.nprop(path, "Active") is False
        assert vb.nprop(path, "Persistent") is True
        assert vb.nprop(path, "Autostart") is False
        assert vb.nprop(path, "BridgeName") == "vbtest210"
        expect_error(vb.network, path, "Destroy")
        assert vb.nprop(path, "Active") is False
        vb.network(path, "Create")
        assert vb.nprop(path, "Active") is True
        expect_error(vb.network, path, "Create")
        assert vb.nprop(path, "Active") is True
        vb.network(path, "Destroy")
        assert vb.nprop(path, "Active") is False
        vb.network(path, "Undefine")
        expect_error(vb.network, path, "GetXMLDesc", "u", 0, contains="Network not found")
        expect_error(vb.get, path, NETWORK_IFACE, "Name", contains="Network not found")
        expect_error(vb.network, path, "Undefine", contains="Network not found")

    def test_autostart(self, vb):
        _, _, path = vb.define_network(subnet=211)
        vb.set(path, NETWORK_IFACE, "Autostart", dbus.Boolean(True))
        assert vb.nprop(path, "Autostart") is True
        assert bool(vb.get_all(path, NETWORK_IFACE)["Autostart"]) is True
        vb.set(path, NETWORK_IFACE, "Autostart", dbus.Boolean(False))
        assert vb.nprop(path, "Autostart") is False
        vb.network(path, "Undefine")

    def test_transient(self, vb):
        name, uuid = unique_name("n"), new_uuid()
        path = str(vb.connect("NetworkCreateXML", "s", network_xml(name, uuid, subnet=212)))
        assert vb.nprop(path, "Active") is True
        assert vb.nprop(path, "Persistent") is False
        expect_error(vb.network, path, "Undefine")
        assert vb.nprop(path, "Active") is True
        vb.network(path, "Destroy")
        expect_error(vb.network, path, "GetXMLDesc", "u", 0, contains="Network not found")

    def test_define_update_same_uuid(self, vb):
        name, uuid, path = vb.define_network(subnet=213)
        path2 = str(vb.connect("NetworkDefineXML", "s",
                               network_xml(name, uuid, subnet=214, bridge="vbtest214")))
        assert path2 == path
        assert parse(vb.network(path, "GetXMLDesc", "u", 0)).find("ip").get(
            "address") == "10.214.0.1"
        assert vb.nprop(path, "BridgeName") == "vbtest214"
        expect_error(vb.connect, "NetworkDefineXML", "s", network_xml(name, new_uuid()),
                     contains="already exists")
        vb.network(path, "Undefine")

    def test_update_dhcp_hosts(self, vb):
        name, uuid, path = vb.define_network(subnet=215)
        vb.network(path, "Create")
        h1 = "<host mac='52:54:00:00:00:01' name='h1' ip='10.215.0.10'/>"
        h1b = "<host mac='52:54:00:00:00:01' name='h1' ip='10.215.0.11'/>"
        h2 = "<host mac='52:54:00:00:00:02' name='h2' ip='10.215.0.20'/>"
        both = AFFECT_LIVE | AFFECT_CONFIG

        def hosts(flags=0):
            return dhcp_hosts(vb.network(path, "GetXMLDesc", "u", flags))

        vb.network(path, "Update", "uuisu", CMD_ADD_LAST, SECTION_IP_DHCP_HOST, -1, h1, both)
        assert hosts() == [("52:54:00:00:00:01", "h1", "10.215.0.10")]
        assert hosts(NET_XML_INACTIVE) == [("52:54:00:00:00:01", "h1", "10.215.0.10")]
        vb.network(path, "Update", "uuisu", CMD_ADD_FIRST, SECTION_IP_DHCP_HOST, -1, h2, both)
        xml_hosts = parse(vb.network(path, "GetXMLDesc", "u", 0)).findall("ip/dhcp/host")
        assert [h.get("name") for h in xml_hosts] == ["h2", "h1"]
        # a duplicate is refused and changes nothing
        expect_error(vb.network, path, "Update", "uuisu", CMD_ADD_LAST, SECTION_IP_DHCP_HOST,
                     -1, h1, both)
        assert len(hosts()) == 2
        vb.network(path, "Update", "uuisu", CMD_MODIFY, SECTION_IP_DHCP_HOST, -1, h1b, both)
        assert ("52:54:00:00:00:01", "h1", "10.215.0.11") in hosts()
        assert ("52:54:00:00:00:01", "h1", "10.215.0.11") in hosts(NET_XML_INACTIVE)
        expect_error(vb.network, path, "Update", "uuisu", CMD_MODIFY, SECTION_IP_DHCP_HOST, -1,
                     "<host mac='52:54:00:00:00:99' name='nobody' ip='10.215.0.99'/>", both)
        vb.network(path, "Update", "uuisu", CMD_DELETE, SECTION_IP_DHCP_HOST, -1, h1b, both)
        assert hosts() == [("52:54:00:00:00:02", "h2", "10.215.0.20")]
        assert hosts(NET_XML_INACTIVE) == [("52:54:00:00:00:02", "h2", "10.215.0.20")]
        expect_error(vb.network, path, "Update", "uuisu", CMD_DELETE, SECTION_IP_DHCP_HOST, -1,
                     h1b, both)
        # live only: the persistent definition keeps its hosts
        vb.network(path, "Update", "uuisu", CMD_DELETE, SECTION_IP_DHCP_HOST, -1, h2,
                   AFFECT_LIVE)
        assert hosts() == []
        assert hosts(NET_XML_INACTIVE) == [("52:54:00:00:00:02", "h2", "10.215.0.20")]
        # bad input
        expect_error(vb.network, path, "Update", "uuisu", CMD_ADD_LAST, SECTION_IP_DHCP_HOST,
                     -1, "<host mac='52:54:00", both)
        expect_error(vb.network, path, "Update", "uuisu", 99, SECTION_IP_DHCP_HOST, -1, h1,
                     both)
        expect_error(vb.network, path, "Update", "uuisu", CMD_ADD_LAST, SECTION_IP_DHCP_HOST,
                     -1, h1, UNKNOWN_FLAG, contains="unsupported flags (0x80000000)")
        assert hosts() == []
        vb.network(path, "Destroy")
        vb.network(path, "Undefine")

    def test_update_default_network(self, vb):
        h = "<host mac='52:54:00:12:34:56' name='guest1' ip='192.168.122.50'/>"
        vb.network(DEFAULT_NET_PATH, "Update", "uuisu", CMD_ADD_LAST, SECTION_IP_DHCP_HOST, -1,
                   h, AFFECT_CURRENT)
        assert ("52:54:00:12:34:56", "guest1", "192.168.122.50") in dhcp_hosts(
            vb.network(DEFAULT_NET_PATH, "GetXMLDesc", "u", 0))
        vb.network(DEFAULT_NET_PATH, "Update", "uuisu", CMD_DELETE, SECTION_IP_DHCP_HOST, -1,
                   h, AFFECT_CURRENT)
        assert ("52:54:00:12:34:56", "guest1", "192.168.122.50") not in dhcp_hosts(
            vb.network(DEFAULT_NET_PATH, "GetXMLDesc", "u", 0))

    def test_vanished_path(self, vb):
        name, uuid, path = vb.define_network(subnet=216)
        vb.network(path, "Undefine")
        for method, sig, args in (("GetXMLDesc", "u", (0,)), ("Create", "", ()),
                                  ("GetDHCPLeases", "su", ("", 0)),
                                  ("Update", "uuisu", (CMD_ADD_LAST, SECTION_IP_DHCP_HOST, -1,
                                                      "<host mac='52:54:00:00:00:01'/>", 0))):
            expect_error(vb.network, path, method, sig, *args, contains="Network not found")
        expect_error(vb.set, path, NETWORK_IFACE, "Autostart", dbus.Boolean(True),
                     contains="Network not found")
