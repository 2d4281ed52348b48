# SPDX-License-Identifier: LGPL-2.1-or-later
"""the tools clients really use: gdbus, busctl and a gdbus-codegen proxy."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import (CONNECT_PATH, DEFAULT_NET_PATH, TEST_PATH, TEST_UUID, build_dir)


def run(vb, argv, check=True, timeout=30):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=vb.address)
    env.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    if check:
        assert p.returncode == 0, "%r failed (%d):\nstdout:%s\nstderr:%s" % (
            argv, p.returncode, p.stdout, p.stderr)
    return p


def need(tool):
    path = shutil.which(tool)
    if path is None:
        pytest.fail("%s is not installed (scripts/deps.sh installs it)" % tool)
    return path


class TestGdbus:

    def test_introspect_connect(self, vb):
        need("gdbus")
        out = run(vb, ["gdbus", "introspect", "--session", "--dest", "org.libvirt",
                       "--object-path", CONNECT_PATH]).stdout
        assert "interface org.libvirt.Connect {" in out
        assert re.search(r"ListDomains\(in\s+u flags,\s*out\s+ao domains\)", out), out
        assert re.search(r"DomainLookupByName\(in\s+s name,\s*out\s+o domain\)", out)
        assert re.search(r"DomainEvent\(o domain,\s*i event,\s*i detail\)", out)
        assert re.search(r"NetworkEvent\(o network,\s*i event\)", out)
        assert re.search(r"readonly t LibVersion", out)
        assert "node domain" in out and "node network" in out

    def test_introspect_domain(self, vb):
        out = run(vb, ["gdbus", "introspect", "--session", "--dest", "org.libvirt",
                       "--object-path", TEST_PATH]).stdout
        assert "interface org.libvirt.Domain {" in out
        assert re.search(r"GetState\(in\s+u flags,\s*out\s+\(ii\) state\)", out), out
        assert re.search(r"readwrite b Autostart", out)
        assert re.search(r"readonly s Name", out)
        assert re.search(r"MetadataChange\(i type,\s*s nsuri\)", out)

    def test_call(self, vb):
        out = run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path",
                       CONNECT_PATH, "--method", "org.libvirt.Connect.DomainLookupByName",
                       "test"]).stdout.strip()
        assert out == "(objectpath '%s',)" % TEST_PATH
        out = run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path",
                       CONNECT_PATH, "--method", "org.libvirt.Connect.ListDomains",
                       "0"]).stdout.strip()
        assert out == "([objectpath '%s'],)" % TEST_PATH
        out = run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path",
                       TEST_PATH, "--method", "org.libvirt.Domain.GetState", "0"]).stdout.strip()
        assert out == "((1, 1),)"
        out = run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path",
                       TEST_PATH, "--method", "org.freedesktop.DBus.Properties.Get",
                       "org.libvirt.Domain", "UUID"]).stdout.strip()
        assert out == "(<'%s'>,)" % TEST_UUID
        out = run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path",
                       TEST_PATH, "--method", "org.freedesktop.DBus.Properties.GetAll",
                       "org.libvirt.Domain"]).stdout.strip()
        # the libvirt-dbus double variant, as cockpit-machines expects it
        assert "'Name': <<'test'>>" in out, out
        assert "'Id': <<uint32 1>>" in out, out

    def test_call_error(self, vb):
        p = run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path",
                     CONNECT_PATH, "--method", "org.libvirt.Connect.DomainLookupByName",
                     "no-such-domain"], check=False)
        assert p.returncode != 0
        assert "org.libvirt.Error" in p.stderr and "Domain not found" in p.stderr, p.stderr
        assert "UnmappedGError" not in p.stderr

    def test_set_autostart(self, vb):
        name, uuid, path = vb.define()
        run(vb, ["gdbus", "call", "--session", "--dest", "org.libvirt", "--object-path", path,
                 "--method", "org.freedesktop.DBus.Properties.Set", "org.libvirt.Domain",
                 "Autostart", "<true>"])
        assert vb.dprop(path, "Autostart") is True
        vb.domain(path, "Undefine", "u", 0)


class TestBusctl:

    def busctl(self, vb, *args, check=True):
        need("busctl")
        return run(vb, ["busctl", "--address=" + vb.address] + list(args), check=check)

    def test_tree(self, vb):
        out = self.busctl(vb, "tree", "--list", "org.libvirt").stdout
        paths = set(out.split())
        assert {CONNECT_PATH, CONNECT_PATH + "/domain", CONNECT_PATH + "/network", TEST_PATH,
                DEFAULT_NET_PATH} <= paths, out

    def test_call(self, vb):
        out = self.busctl(vb, "call", "org.libvirt", CONNECT_PATH, "org.libvirt.Connect",
                          "ListDomains", "u", "0").stdout.strip()
        assert out == 'ao 1 "%s"' % TEST_PATH
        out = self.busctl(vb, "call", "org.libvirt", TEST_PATH, "org.libvirt.Domain",
                          "GetState", "u", "0").stdout.strip()
        assert out == "(ii) 1 1"
        out = self.busctl(vb, "call", "org.libvirt", CONNECT_PATH, "org.libvirt.Connect",
                          "DomainLookupByUUID", "s", TEST_UUID.replace("-", "")).stdout.strip()
        assert out == 'o "%s"' % TEST_PATH

    def test_call_error(self, vb):
        p = self.busctl(vb, "call", "org.libvirt", TEST_PATH.replace("6695", "0000"),
                        "org.libvirt.Domain", "GetState", "u", "0", check=False)
        assert p.returncode != 0
        assert "Domain not found" in p.stderr, p.stderr

    def test_get_property(self, vb):
        out = self.busctl(vb, "get-property", "org.libvirt", TEST_PATH, "org.libvirt.Domain",
                          "Name", "Id", "Active").stdout.split("\n")
        assert out[:3] == ['s "test"', "u 1", "b true"], out
        out = self.busctl(vb, "get-property", "org.libvirt", DEFAULT_NET_PATH,
                          "org.libvirt.Network", "BridgeName").stdout.strip()
        assert out == 's "virbr0"'

    def test_introspect(self, vb):
        out = self.busctl(vb, "introspect", "--no-pager", "org.libvirt", TEST_PATH).stdout
        rows = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].startswith("."):
                rows[parts[0]] = parts[1:]
        assert rows[".GetState"][:3] == ["method", "u", "(ii)"], rows.get(".GetState")
        assert rows[".Name"][:2] == ["property", "s"]
        assert rows[".Autostart"][0] == "property" and "writable" in rows[".Autostart"]
        assert rows[".MetadataChange"][:2] == ["signal", "is"]


class TestCodegenClient:

    def test_codegen_proxy(self, vb):
        exe = os.path.join(build_dir(), "tests", "codegen-client")
        if not os.access(exe, os.X_OK):
            pytest.fail("%s was not built (tests/meson.build builds it)" % exe)
        p = run(vb, [exe], check=False)
        assert p.returncode == 0, "codegen-client failed (%d):\n%s\n%s" % (
            p.returncode, p.stdout, p.stderr)
        lines = p.stdout.strip().splitlines()
        assert lines == ["domains: %s" % TEST_PATH, "test: %s" % TEST_PATH], p.stdout
        assert "CRITICAL" not in p.stderr and "WARNING" not in p.stderr, p.stderr
