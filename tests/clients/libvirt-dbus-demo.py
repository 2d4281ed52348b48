#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A tour of the libvirt-dbus API against the test driver (test:///default).

Runs against whatever owns org.libvirt on the bus: lists and looks up domains, defines a
domain and takes it through start, suspend, resume, save, restore and shutdown before
undefining it; defines, starts, stops and undefines a network; prints every lifecycle
event it receives. Exits 1 on anything unexpected.

usage: libvirt-dbus-demo.py [--system] [--timeout SECONDS]
"""

import argparse
import os
import sys
import tempfile
import uuid

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

SERVICE = "org.libvirt"
CONNECT_PATH = "/org/libvirt/Test"

DOMAIN_EVENTS = {
    0: ("Defined", ["Added", "Updated", "Renamed", "Snapshot"]),
    1: ("Undefined", ["Removed", "Renamed"]),
    2: ("Started", ["Booted", "Migrated", "Restored", "Snapshot", "Wakeup"]),
    3: ("Suspended", ["Paused", "Migrated", "IOError", "Watchdog", "Restored", "Snapshot",
                      "API error"]),
    4: ("Resumed", ["Unpaused", "Migrated", "Snapshot"]),
    5: ("Stopped", ["Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed",
                    "Snapshot"]),
    6: ("Shutdown", ["Finished", "Guest", "Host"]),
    7: ("PMSuspended", ["Memory", "Disk"]),
    8: ("Crashed", ["Panicked"]),
}
NETWORK_EVENTS = {0: "Defined", 1: "Undefined", 2: "Started", 3: "Stopped"}

STATES = {0: "no state", 1: "running", 2: "blocked", 3: "paused", 4: "shutdown",
          5: "shut off", 6: "crashed", 7: "pmsuspended"}


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Demo:
    def __init__(self, bus, timeout):
        self.bus = bus
        self.timeout = timeout
        self.names = {}      # object path -> name, so events about vanished objects print
        self.events = []     # (kind, name, event text)
        self.loop = None
        obj = bus.get_object(SERVICE, CONNECT_PATH)
        self.conn = dbus.Interface(obj, "org.libvirt.Connect")
        self.conn.connect_to_signal("DomainEvent", self.on_domain_event)
        self.conn.connect_to_signal("NetworkEvent", self.on_network_event)

    # events
    def on_domain_event(self, path, event, detail):
        name = self.names.get(str(path), str(path))
        kind, details = DOMAIN_EVENTS.get(int(event), ("Unknown %d" % event, []))
        text = "%s %s" % (kind, details[detail] if 0 <= detail < len(details) else detail)
        print("event: domain %s %s" % (name, text), flush=True)
        self.events.append(("domain", name, text))
        self.wake()

    def on_network_event(self, path, event):
        name = self.names.get(str(path), str(path))
        text = NETWORK_EVENTS.get(int(event), "Unknown %d" % event)
        print("event: network %s %s" % (name, text), flush=True)
        self.events.append(("network", name, text))
        self.wake()

    def wake(self):
        if self.loop is not None and len(self.events) >= self.want:
            self.loop.quit()

    def wait_events(self, count):
        """wait until @count events arrived in total"""
        if len(self.events) >= count:
            return
        self.want = count
        self.loop = GLib.MainLoop()
        timer = GLib.timeout_add(int(self.timeout * 1000), self.loop.quit)
        self.loop.run()
        self.loop = None
        if len(self.events) >= count:
            GLib.source_remove(timer)
        check(len(self.events) >= count,
              "waited %.0fs for event %d, have %d" % (self.timeout, count, len(self.events)))

    def expect_event(self, kind, name, text):
        n = len(self.expected) + 1
        self.expected.append((kind, name, text))
        self.wait_events(n)
        check(self.events[n - 1] == (kind, name, text),
              "event %d: expected %r, got %r" % (n, (kind, name, text), self.events[n - 1]))

    # helpers
    def domain(self, path):
        obj = self.bus.get_object(SERVICE, path)
        return dbus.Interface(obj, "org.libvirt.Domain"), dbus.Interface(
            obj, "org.freedesktop.DBus.Properties")

    def network(self, path):
        obj = self.bus.get_object(SERVICE, path)
        return dbus.Interface(obj, "org.libvirt.Network"), dbus.Interface(
            obj, "org.freedesktop.DBus.Properties")

    def state(self, dom):
        st, reason = dom.GetState(0)
        return int(st)

    def run(self):
        self.expected = []

        print("== domains")
        for path in self.conn.ListDomains(0):
            dom, props = self.domain(path)
            allprops = props.GetAll("org.libvirt.Domain")
            name = str(allprops["Name"])
            self.names[str(path)] = name
            print("%-20s %-8s %s" % (name, STATES.get(self.state(dom), "?"), allprops["UUID"]))

        path = self.conn.DomainLookupByName("test")
        dom, props = self.domain(path)
        check(str(props.Get("org.libvirt.Domain", "Name")) == "test", "lookup of test")
        uuid_test = str(props.Get("org.libvirt.Domain", "UUID"))
        check(self.conn.DomainLookupByUUID(uuid_test) == path, "lookup by UUID")
        check(self.conn.DomainLookupByID(int(props.Get("org.libvirt.Domain", "Id"))) == path,
              "lookup by id")
        check(self.state(dom) == 1, "test is running")
        check("<name>test</name>" in dom.GetXMLDesc(0), "XML of test")
        print("test: %s, id %d" % (uuid_test, props.Get("org.libvirt.Domain", "Id")))

        try:
            self.conn.DomainLookupByName("no-such-domain-%d" % os.getpid())
            raise Failure("looking up a missing domain succeeded")
        except dbus.exceptions.DBusException as e:
            check(e.get_dbus_name() == "org.libvirt.Error", "error name %s" % e.get_dbus_name())
            print("missing domain: %s" % e.get_dbus_message())

        print("== a domain of our own")
        name = "demo-%d" % os.getpid()
        xml = """<domain type='test'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>""" % (name, uuid.uuid4())
        path = self.conn.DomainDefineXML(xml)
        self.names[str(path)] = name
        dom, props = self.domain(path)
        self.expect_event("domain", name, "Defined Added")
        check(str(props.Get("org.libvirt.Domain", "Name")) == name, "name of the new domain")
        check(path in self.conn.ListDomains(2), "new domain among the inactive ones")
        check(self.state(dom) == 5, "new domain is shut off")

        dom.Create(0)
        self.expect_event("domain", name, "Started Booted")
        check(self.state(dom) == 1, "running after Create")
        dom.Suspend()
        self.expect_event("domain", name, "Suspended Paused")
        check(self.state(dom) == 3, "paused after Suspend")
        dom.Resume()
        self.expect_event("domain", name, "Resumed Unpaused")
        check(self.state(dom) == 1, "running after Resume")
        with tempfile.TemporaryDirectory() as tmp:
            save = os.path.join(tmp, name + ".save")
            dom.Save(save, "", 0)
            self.expect_event("domain", name, "Stopped Saved")
            check(self.state(dom) == 5, "shut off after Save")
            self.conn.DomainRestore(save, "", 0)
            self.expect_event("domain", name, "Started Restored")
            check(self.state(dom) == 1, "running after DomainRestore")
        dom.Shutdown(0)
        self.expect_event("domain", name, "Stopped Shutdown")
        check(self.state(dom) == 5, "shut off after Shutdown")
        dom.Undefine(0)
        self.expect_event("domain", name, "Undefined Removed")
        check(path not in self.conn.ListDomains(0), "gone after Undefine")

        print("== a network of our own")
        nname = "demonet-%d" % os.getpid()
        nxml = """<network>
  <name>%s</name>
  <bridge name='demobr%d'/>
  <ip address='10.251.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.251.0.10' end='10.251.0.100'/></dhcp>
  </ip>
</network>""" % (nname, os.getpid() % 1000)
        npath = self.conn.NetworkDefineXML(nxml)
        self.names[str(npath)] = nname
        net, nprops = self.network(npath)
        self.expect_event("network", nname, "Defined")
        check(not nprops.Get("org.libvirt.Network", "Active"), "new network inactive")
        net.Create()
        self.expect_event("network", nname, "Started")
        check(nprops.Get("org.libvirt.Network", "Active"), "network active after Create")
        net.Destroy()
        self.expect_event("network", nname, "Stopped")
        net.Undefine()
        self.expect_event("network", nname, "Undefined")
        check(npath not in self.conn.ListNetworks(0), "network gone after Undefine")

        # nothing more arrives
        loop = GLib.MainLoop()
        GLib.timeout_add(300, loop.quit)
        loop.run()
        check(self.events == self.expected,
              "events: expected %r, got %r" % (self.expected, self.events))
        print("== done: %d events" % len(self.events))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", action="store_true", help="use the system bus")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for each event")
    args = parser.parse_args()
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus() if args.system else dbus.SessionBus()
    try:
        Demo(bus, args.timeout).run()
    except (Failure, dbus.exceptions.DBusException) as e:
        print("FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
