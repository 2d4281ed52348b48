# SPDX-License-Identifier: LGPL-2.1-or-later
"""every member of every interface, generically: each property has its declared type,
each method of a vanished object fails with org.libvirt.Error, and no call, whatever its
arguments, leaks an unmapped GError or takes the service down."""

import dbus
import pytest

from conftest import (CONNECT_IFACE, CONNECT_PATH, DEFAULT_NET_PATH, DOMAIN_IFACE,
                      LIBVIRT_ERROR, NETWORK_IFACE, SPEC, TEST_PATH, call, expect_error,
                      method_signatures)

UNKNOWN_DOMAIN = "/org/libvirt/Test/domain/_00000000_0000_0000_0000_000000000000"
UNKNOWN_NETWORK = "/org/libvirt/Test/network/_00000000_0000_0000_0000_000000000000"

PY_TYPES = {"b": dbus.Boolean, "s": dbus.String, "o": dbus.ObjectPath, "u": dbus.UInt32,
            "i": dbus.Int32, "t": dbus.UInt64, "x": dbus.Int64, "d": dbus.Double}


def check_type(value, sig):
    """@value (from dbus-python) has the D-Bus type @sig."""
    if sig in PY_TYPES:
        return isinstance(value, PY_TYPES[sig])
    if sig.startswith("(") and sig.endswith(")"):
        inner = list(dbus.Signature(sig[1:-1]))
        return (isinstance(value, dbus.Struct) and len(value) == len(inner)
                and all(check_type(v, s) for v, s in zip(value, inner)))
    if sig.startswith("a{"):
        return isinstance(value, dbus.Dictionary)
    if sig.startswith("a"):
        return isinstance(value, dbus.Array) and all(check_type(v, sig[1:]) for v in value)
    return False


def default_args(sig):
    out = []
    for t in dbus.Signature(sig):
        t = str(t)
        if t in ("s",):
            out.append("")
        elif t in ("u", "i", "t", "x"):
            out.append(0)
        elif t == "b":
            out.append(False)
        elif t.startswith("a{"):
            out.append(dbus.Dictionary({}, signature=t[2:-1]))
        elif t.startswith("a"):
            out.append(dbus.Array([], signature=t[1:]))
        else:
            raise AssertionError("no default for %s" % t)
    return out


def members(iface):
    return sorted(SPEC[iface]["methods"])


def props(iface):
    return sorted(SPEC[iface]["properties"].items())


class TestSweep:

    @pytest.mark.parametrize("iface,path", [(CONNECT_IFACE, CONNECT_PATH),
                                            (DOMAIN_IFACE, TEST_PATH),
                                            (NETWORK_IFACE, DEFAULT_NET_PATH)])
    def test_property_types(self, vb, iface, path):
        allp = vb.get_all(path, iface)
        for name, (sig, access) in props(iface):
            v = vb.get(path, iface, name)
            assert check_type(v, sig), "%s.%s is %r, declared %s" % (iface, name, v, sig)
            assert check_type(allp[name], sig), "GetAll %s.%s is %r" % (iface, name, allp[name])

    @pytest.mark.parametrize("method", members(DOMAIN_IFACE))
    def test_domain_method_unknown_object(self, vb, method):
        ins, _ = method_signatures(DOMAIN_IFACE, method)
        expect_error(call, vb.conn, UNKNOWN_DOMAIN, DOMAIN_IFACE, method, ins,
                     *default_args(ins), contains="Domain not found")

    @pytest.mark.parametrize("method", members(NETWORK_IFACE))
    def test_network_method_unknown_object(self, vb, method):
        ins, _ = method_signatures(NETWORK_IFACE, method)
        expect_error(call, vb.conn, UNKNOWN_NETWORK, NETWORK_IFACE, method, ins,
                     *default_args(ins), contains="Network not found")

    def test_every_method_with_empty_arguments(self, vb):
        """zeros and empty strings everywhere: a result of the declared type or a
        mapped error, never an unmapped one; the service survives it all."""
        _, _, dom = vb.define()
        vb.domain(dom, "Create", "u", 0)
        _, _, net = vb.define_network(subnet=240)
        vb.network(net, "Create")
        seen = {}
        # readers first, then the ones that take objects away
        last = {"Destroy", "Undefine", "Shutdown"}
        for iface, path in ((CONNECT_IFACE, CONNECT_PATH), (DOMAIN_IFACE, dom),
                            (NETWORK_IFACE, net)):
            names = members(iface)
            for method in [m for m in names if m not in last] + [m for m in names if m in last]:
                ins, _ = method_signatures(iface, method)
                try:
                    call(vb.conn, path, iface, method, ins, *default_args(ins))
                    seen["%s.%s" % (iface, method)] = "ok"
                except dbus.exceptions.DBusException as e:
                    name = e.get_dbus_name()
                    assert "UnmappedGError" not in name, "%s.%s: %s: %s" % (
                        iface, method, name, e.get_dbus_message())
                    assert name in (LIBVIRT_ERROR, "org.freedesktop.DBus.Error.InvalidArgs"), (
                        "%s.%s: %s: %s" % (iface, method, name, e.get_dbus_message()))
                    assert e.get_dbus_message(), "%s.%s: empty error message" % (iface, method)
                    seen["%s.%s" % (iface, method)] = e.get_dbus_message()
        assert vb.service.alive()
        assert str(vb.connect("DomainLookupByName", "s", "test")) == TEST_PATH
        assert len(seen) == sum(len(SPEC[i]["methods"]) for i in
                                (CONNECT_IFACE, DOMAIN_IFACE, NETWORK_IFACE))
