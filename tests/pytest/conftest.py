# SPDX-License-Identifier: LGPL-2.1-or-later
"""bus-level test fixtures and helpers.

every test talks to a real virtbusd over a private session-type dbus-daemon that
this file starts as a direct child (no <servicedir>, so nothing is auto-started).
virtbusd is started once per test class; on teardown it gets SIGTERM and must exit 0
with no sanitizer report on stderr.

the binary comes from $VB_BUILD_DIR/service/virtbusd (scripts/test.sh sets it).
"""

import os
import re
import select
import signal
import subprocess
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET

import dbus
import dbus.lowlevel
import pytest
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
INTROSPECTION_DIR = os.path.join(TOP, "introspection")

BUS_NAME = "org.libvirt"
LIBVIRT_ERROR = "org.libvirt.Error"
CONNECT_PATH = "/org/libvirt/Test"
CONNECT_IFACE = "org.libvirt.Connect"
DOMAIN_IFACE = "org.libvirt.Domain"
NETWORK_IFACE = "org.libvirt.Network"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
INTROSPECT_IFACE = "org.freedesktop.DBus.Introspectable"

# test:///default (API.md, reference behaviour)
TEST_NAME = "test"
TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"
DEFAULT_NET_NAME = "default"
DEFAULT_NET_UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df"

UNKNOWN_FLAG = 0x80000000

# libvirt codes (API.md)
ST_RUNNING, ST_PAUSED, ST_SHUTOFF = 1, 3, 5
EV_DEFINED, EV_UNDEFINED, EV_STARTED, EV_SUSPENDED, EV_RESUMED, EV_STOPPED = 0, 1, 2, 3, 4, 5
NET_EV_DEFINED, NET_EV_UNDEFINED, NET_EV_STARTED, NET_EV_STOPPED = 0, 1, 2, 3

# what must never show up on virtbusd's stderr
BAD_STDERR = re.compile(r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer|CRITICAL \*\*")

SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:print_summary=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=0",
    "LSAN_OPTIONS": "print_suppressions=0",
}


def domain_path(uuid, conn=CONNECT_PATH):
    return "%s/domain/_%s" % (conn, str(uuid).replace("-", "_"))


def network_path(uuid, conn=CONNECT_PATH):
    return "%s/network/_%s" % (conn, str(uuid).replace("-", "_"))


TEST_PATH = domain_path(TEST_UUID)
DEFAULT_NET_PATH = network_path(DEFAULT_NET_UUID)


# --------------------------------------------------------------------------------------
# the interface declaration: every call checks its in and out signatures against it


def parse_interface_xml(path):
    """{interface: {'methods': {name: [(argname, type, direction)]},
                    'properties': {name: (type, access)},
                    'signals': {name: [(argname, type)]}}}"""
    root = ET.parse(path).getroot()
    return parse_interfaces(root)


def parse_interfaces(root):
    out = {}
    for iface in root.findall("interface"):
        methods = {}
        for m in iface.findall("method"):
            methods[m.get("name")] = [
                (a.get("name"), a.get("type"), a.get("direction", "in")) for a in m.findall("arg")
            ]
        props = {p.get("name"): (p.get("type"), p.get("access")) for p in iface.findall("property")}
        sigs = {
            s.get("name"): [(a.get("name"), a.get("type")) for a in s.findall("arg")]
            for s in iface.findall("signal")
        }
        out[iface.get("name")] = {"methods": methods, "properties": props, "signals": sigs}
    return out


SPEC = {}
for _f in ("org.libvirt.Connect.xml", "org.libvirt.Domain.xml", "org.libvirt.Network.xml"):
    SPEC.update(parse_interface_xml(os.path.join(INTROSPECTION_DIR, _f)))


def method_signatures(iface, method):
    args = SPEC[iface]["methods"][method]
    ins = "".join(t for _, t, d in args if d == "in")
    outs = "".join(t for _, t, d in args if d == "out")
    return ins, outs


# --------------------------------------------------------------------------------------
# binaries and processes


def build_dir():
    d = os.environ.get("VB_BUILD_DIR")
    if not d:
        pytest.fail("VB_BUILD_DIR is not set: point it at a meson build dir of virtbus "
                    "(scripts/test.sh does)", pytrace=False)
    return d


def virtbusd_binary():
    b = os.path.join(build_dir(), "service", "virtbusd")
    if not os.access(b, os.X_OK):
        pytest.fail("virtbusd not found at %s: build it first" % b, pytrace=False)
    return b


def read_line_with_timeout(fh, timeout):
    deadline = time.monotonic() + timeout
    buf = b""
    fd = fh.fileno()
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no line within %.1fs (got %r)" % (timeout, buf))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise EOFError("EOF before a line (got %r)" % buf)
            buf += chunk
    return buf.split(b"\n", 1)[0].decode()


BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    """a dbus-daemon run as our direct child: a permissive session-type bus, or the
    bus @config describes."""

    def __init__(self, workdir, config=None):
        self.dir = str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        conf = os.path.join(self.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write(config if config is not None else BUS_CONF.format(dir=self.dir))
        self.log = open(os.path.join(self.dir, "bus.log"), "wb")
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--nofork", "--nopidfile", "--print-address=1",
             "--config-file=" + conf], stdout=subprocess.PIPE, stderr=self.log)
        try:
            self.address = read_line_with_timeout(self.proc.stdout, 10).strip()
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise
        assert self.address.startswith("unix:"), self.address
        self._conn = None

    def connection(self):
        """a new connection of our own, attached to the default GLib main context."""
        return dbus.bus.BusConnection(self.address, mainloop=DBusGMainLoop())

    @property
    def control(self):
        if self._conn is None:
            self._conn = self.connection()
        return self._conn

    def has_owner(self, name=BUS_NAME):
        return bool(self.control.call_blocking(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "NameHasOwner", "s", (name,)))

    def stop(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


def xdg_dirs(root):
    """HOME and the XDG base dirs of a service whose state lives under @root."""
    home = os.path.join(root, "home")
    return {
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
        "XDG_RUNTIME_DIR": os.path.join(root, "run"),
    }


def service_env(bus, workdir, extra=None, xdg_root=None):
    """environment for a virtbusd: our bus as the session bus, private XDG dirs under
    @workdir, or under @xdg_root when given (a service restarted with the same
    @xdg_root finds its state again while its logs go to a new @workdir)."""
    env = dict(os.environ)
    for k in ("DBUS_SYSTEM_BUS_ADDRESS", "DBUS_STARTER_ADDRESS", "DBUS_STARTER_BUS_TYPE"):
        env.pop(k, None)
    xdg = xdg_dirs(str(xdg_root) if xdg_root is not None else workdir)
    for d in xdg.values():
        os.makedirs(d, mode=0o700, exist_ok=True)
    env.update(xdg)
    env.update(SANITIZER_ENV)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.address
    # nothing may reach a system bus by accident
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + os.path.join(workdir, "no-system-bus")
    if extra:
        env.update(extra)
    return env


class Service:
    """one virtbusd process."""

    def __init__(self, bus, workdir, args=("--session",), env=None, xdg_root=None):
        self.bus = bus
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.stderr_path = os.path.join(self.workdir, "virtbusd.stderr")
        self.stdout_path = os.path.join(self.workdir, "virtbusd.stdout")
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([virtbusd_binary()] + list(args), stdout=self._out,
                                     stderr=self._err,
                                     env=service_env(bus, self.workdir, env, xdg_root))
        self.returncode = None

    @property
    def pid(self):
        return self.proc.pid

    def wait_for_name(self, timeout=10.0, interval=0.005):
        """bounded poll for org.libvirt; returns seconds since spawn."""
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("virtbusd exited with %s before owning %s; stderr:\n%s"
                                     % (self.proc.returncode, BUS_NAME, self.stderr()))
            if self.bus.has_owner():
                return time.monotonic() - self.started
            time.sleep(interval)
        raise AssertionError("virtbusd did not own %s within %.1fs; stderr:\n%s"
                             % (BUS_NAME, timeout, self.stderr()))

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode(errors="replace")

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS for %d" % self.proc.pid)

    def alive(self):
        return self.proc.poll() is None

    def terminate(self, sig=signal.SIGTERM, timeout=10.0):
        """signal it and wait; returns (returncode, seconds to exit)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.close()
                raise AssertionError("virtbusd ignored %s for %.0fs; stderr:\n%s"
                                     % (sig.name, timeout, self.stderr()))
        self.returncode = self.proc.returncode
        return self.returncode, time.monotonic() - t0

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._err.close()
        self._out.close()

    def check_clean_exit(self, rc):
        err = self.stderr()
        bad = [l for l in err.splitlines() if BAD_STDERR.search(l)]
        assert rc == 0 and not bad, (
            "virtbusd exit code %s (expected 0), sanitizer/critical lines %r; stderr:\n%s"
            % (rc, bad, err))


# --------------------------------------------------------------------------------------
# calls


def call(conn, path, iface, method, sig, *args, timeout=30.0, check_out=True):
    """call with an explicit in-signature; checks the in-signature and the reply's
    signature against introspection/ for org.libvirt.* interfaces. returns None, the
    single out value, or a tuple."""
    expect_out = None
    if iface in SPEC and method in SPEC[iface]["methods"]:
        ins, expect_out = method_signatures(iface, method)
        assert sig == ins, "test bug: %s.%s takes %r, not %r" % (iface, method, ins, sig)
    msg = dbus.lowlevel.MethodCallMessage(BUS_NAME, path, iface, method)
    if sig:
        msg.append(signature=sig, *args)
    # dbus-python takes seconds
    reply = conn.send_message_with_reply_and_block(msg, timeout)
    if check_out and expect_out is not None:
        assert (reply.get_signature() or "") == expect_out, (
            "%s.%s replied with signature %r, interface says %r"
            % (iface, method, reply.get_signature(), expect_out))
    out = reply.get_args_list()
    if not out:
        return None
    if len(out) == 1:
        return out[0]
    return tuple(out)


def reply_signature(conn, path, iface, method, sig, *args):
    msg = dbus.lowlevel.MethodCallMessage(BUS_NAME, path, iface, method)
    if sig:
        msg.append(signature=sig, *args)
    return conn.send_message_with_reply_and_block(msg, 30.0).get_signature() or ""


def get_prop(conn, path, iface, prop):
    return call(conn, path, PROPS_IFACE, "Get", "ss", iface, prop)


def get_all(conn, path, iface):
    return call(conn, path, PROPS_IFACE, "GetAll", "s", iface)


def set_prop(conn, path, iface, prop, value):
    return call(conn, path, PROPS_IFACE, "Set", "ssv", iface, prop, value)


def unwrap(v):
    """plain python value of a dbus-python value, whatever its variant level."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.UInt16, dbus.Int32, dbus.UInt32,
                      dbus.Int64, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.ObjectPath, dbus.String, dbus.Signature)):
        return str(v)
    if isinstance(v, dbus.Struct):
        return tuple(unwrap(x) for x in v)
    if isinstance(v, dbus.Array):
        return [unwrap(x) for x in v]
    if isinstance(v, dbus.Dictionary):
        return {unwrap(k): unwrap(x) for k, x in v.items()}
    return v


def expect_error(fn, *args, name=LIBVIRT_ERROR, contains=(), names=None, **kw):
    """fn(*args) must fail with D-Bus error @name (or one of @names) whose message holds
    every string in @contains; returns the message."""
    if isinstance(contains, str):
        contains = (contains,)
    with pytest.raises(dbus.exceptions.DBusException) as ei:
        fn(*args, **kw)
    e = ei.value
    ename = e.get_dbus_name()
    msg = e.get_dbus_message() or ""
    assert "UnmappedGError" not in (ename or ""), "unmapped GError leaked: %s: %s" % (ename, msg)
    allowed = names if names is not None else (name,)
    assert ename in allowed, "expected error %s, got %s: %s" % (" or ".join(allowed), ename, msg)
    for c in contains:
        assert c in msg, "expected %r in the error message, got %s: %r" % (c, ename, msg)
    return msg


NOT_SUPPORTED = "this function is not supported by the connection driver: "


def call_or_unsupported(virfn, fn, *args, **kw):
    """for members a driver may legitimately lack (API.md: "a driver that cannot answers
    this function is not supported by the connection driver: virXxx"): returns
    (True, result) or (False, None) after checking the exact unsupported error."""
    try:
        return True, fn(*args, **kw)
    except dbus.exceptions.DBusException as e:
        assert e.get_dbus_name() == LIBVIRT_ERROR, "%s: %s" % (e.get_dbus_name(),
                                                            e.get_dbus_message())
        assert NOT_SUPPORTED + virfn in (e.get_dbus_message() or ""), (
            "%s failed with something other than 'not supported': %s"
            % (virfn, e.get_dbus_message()))
        return False, None


# --------------------------------------------------------------------------------------
# signals


def pump(seconds=0.0):
    """run the default main context for @seconds (dispatching what is queued)."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while True:
        while ctx.pending():
            ctx.iteration(False)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        loop = GLib.MainLoop()
        GLib.timeout_add(max(1, int(left * 1000)), loop.quit)  # removed when it fires
        loop.run()


class Signals:
    """collects signals on @conn matching interface/member/path; entries are
    (path, member, [plain args])."""

    def __init__(self, conn, interface=CONNECT_IFACE, member=None, path=None, sync=True):
        self.conn = conn
        self.items = []
        self.raw = []
        self._loop = None
        self._want = 0
        if sync:
            sync_with_service(conn)
        self._match = conn.add_signal_receiver(
            self._on_signal, signal_name=member, dbus_interface=interface, path=path,
            path_keyword="path", member_keyword="member", interface_keyword="iface",
            sender_keyword="sender")
        # the AddMatch is asynchronous: a round trip to the bus makes sure it is in
        # place before the test acts
        conn.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "GetId", "", ())

    def _on_signal(self, *args, path=None, member=None, iface=None, sender=None):
        self.raw.append((path, member, args))
        self.items.append((str(path), str(member), [unwrap(a) for a in args]))
        if self._loop is not None and len(self.items) >= self._want:
            self._loop.quit()

    def wait(self, count, timeout=5.0):
        """wait until at least @count signals arrived or @timeout passed."""
        pump(0)
        if len(self.items) >= count:
            return self.items
        self._want = count
        self._loop = GLib.MainLoop()
        fired = []

        def on_timeout():
            fired.append(1)
            self._loop.quit()
            return False

        tid = GLib.timeout_add(int(timeout * 1000), on_timeout)
        self._loop.run()
        if not fired:
            GLib.source_remove(tid)
        self._loop = None
        return self.items

    def expect(self, expected, timeout=5.0, settle=0.2, key=None):
        """the collected signals (optionally mapped by @key) must equal @expected, in
        order, with nothing more after @settle seconds."""
        self.wait(len(expected), timeout)
        pump(settle)
        got = [key(i) for i in self.items] if key else list(self.items)
        assert got == expected, "signals: expected %r, got %r" % (expected, got)
        return got

    def clear(self):
        self.items.clear()
        self.raw.clear()

    def close(self):
        if self._match is not None:
            self._match.remove()
            self._match = None


def sync_with_service(conn):
    """a round trip to virtbusd, then dispatch whatever arrived before its reply."""
    conn.call_blocking(BUS_NAME, CONNECT_PATH, "org.freedesktop.DBus.Peer", "Ping", "", ())
    pump(0)


# --------------------------------------------------------------------------------------
# XML makers


def new_uuid():
    return str(uuidlib.uuid4())


def unique_name(prefix="t"):
    return "%s-%s" % (prefix, uuidlib.uuid4().hex[:10])


def domain_xml(name, uuid=None, memory=1048576, current=None, vcpus=1, extra_devices="",
               extra=""):
    return """<domain type='test'>
  <name>{name}</name>
  {uuid}
  <memory unit='KiB'>{memory}</memory>
  <currentMemory unit='KiB'>{current}</currentMemory>
  <vcpu>{vcpus}</vcpu>
  <os>
    <type>hvm</type>
  </os>
  {extra}
  <devices>
    {devices}
  </devices>
</domain>
""".format(name=name, uuid=("<uuid>%s</uuid>" % uuid) if uuid else "", memory=memory,
           current=current if current is not None else memory, vcpus=vcpus,
           devices=extra_devices, extra=extra)


def network_xml(name, uuid=None, bridge=None, subnet=200, hosts=""):
    return """<network>
  <name>{name}</name>
  {uuid}
  <bridge name='{bridge}'/>
  <ip address='10.{subnet}.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.{subnet}.0.2' end='10.{subnet}.0.254'/>
      {hosts}
    </dhcp>
  </ip>
</network>
""".format(name=name, uuid=("<uuid>%s</uuid>" % uuid) if uuid else "",
           bridge=bridge or ("vbt" + uuidlib.uuid4().hex[:8]), subnet=subnet, hosts=hosts)


# --------------------------------------------------------------------------------------
# the per-class service and its client


class VB:
    """what a test class gets: a running virtbusd on the private bus and a client
    connection with call helpers."""

    def __init__(self, bus, service, conn):
        self.bus = bus
        self.service = service
        self.conn = conn
        self.address = bus.address

    # generic
    def call(self, path, iface, method, sig="", *args, **kw):
        return call(self.conn, path, iface, method, sig, *args, **kw)

    def connect(self, method, sig="", *args, **kw):
        return call(self.conn, CONNECT_PATH, CONNECT_IFACE, method, sig, *args, **kw)

    def domain(self, path, method, sig="", *args, **kw):
        return call(self.conn, path, DOMAIN_IFACE, method, sig, *args, **kw)

    def network(self, path, method, sig="", *args, **kw):
        return call(self.conn, path, NETWORK_IFACE, method, sig, *args, **kw)

    def get(self, path, iface, prop):
        return get_prop(self.conn, path, iface, prop)

    def get_all(self, path, iface):
        return get_all(self.conn, path, iface)

    def set(self, path, iface, prop, value):
        return set_prop(self.conn, path, iface, prop, value)

    def dprop(self, path, prop):
        return unwrap(get_prop(self.conn, path, DOMAIN_IFACE, prop))

    def nprop(self, path, prop):
        return unwrap(get_prop(self.conn, path, NETWORK_IFACE, prop))

    def state(self, path):
        return unwrap(self.domain(path, "GetState", "u", 0))

    def xml(self, path, flags=0):
        return str(self.domain(path, "GetXMLDesc", "u", flags))

    def list_domains(self, flags=0):
        return [str(p) for p in self.connect("ListDomains", "u", flags)]

    def list_networks(self, flags=0):
        return [str(p) for p in self.connect("ListNetworks", "u", flags)]

    def signals(self, **kw):
        return Signals(self.conn, **kw)

    # domains
    def define(self, name=None, uuid=None, **kw):
        name = name or unique_name()
        uuid = uuid or new_uuid()
        path = str(self.connect("DomainDefineXML", "s", domain_xml(name, uuid, **kw)))
        assert path == domain_path(uuid), "DomainDefineXML gave %s for uuid %s" % (path, uuid)
        return name, uuid, path

    def create_transient(self, name=None, uuid=None, flags=0, **kw):
        name = name or unique_name()
        uuid = uuid or new_uuid()
        path = str(self.connect("DomainCreateXML", "su", domain_xml(name, uuid, **kw), flags))
        assert path == domain_path(uuid)
        return name, uuid, path

    def define_network(self, name=None, uuid=None, **kw):
        name = name or unique_name("n")
        uuid = uuid or new_uuid()
        path = str(self.connect("NetworkDefineXML", "s", network_xml(name, uuid, **kw)))
        assert path == network_path(uuid)
        return name, uuid, path


@pytest.fixture(scope="session")
def dbus_daemon(tmp_path_factory):
    bus = PrivateBus(tmp_path_factory.mktemp("bus"))
    yield bus
    bus.stop()


@pytest.fixture
def fresh_bus(tmp_path):
    """a private bus for one test (service-behaviour tests run their own virtbusd)."""
    bus = PrivateBus(tmp_path / "bus")
    yield bus
    bus.stop()


@pytest.fixture(scope="class")
def vb(request, dbus_daemon, tmp_path_factory):
    """virtbusd --session on the shared private bus, restarted per test class.
    a class may set `virtbusd_env = {...}` for extra environment."""
    workdir = tmp_path_factory.mktemp("virtbusd")
    extra = getattr(request.cls, "virtbusd_env", None) if request.cls else None
    # a previous instance must be gone before the next one starts
    deadline = time.monotonic() + 5
    while dbus_daemon.has_owner() and time.monotonic() < deadline:
        time.sleep(0.01)
    svc = Service(dbus_daemon, workdir, env=extra)
    conn = None
    try:
        svc.wait_for_name()
        conn = dbus_daemon.connection()
        yield VB(dbus_daemon, svc, conn)
    finally:
        if conn is not None:
            conn.close()
        alive = svc.alive()
        rc, _ = svc.terminate()
        svc.close()
    assert alive, "virtbusd died during the class (exit %s); stderr:\n%s" % (rc, svc.stderr())
    svc.check_clean_exit(rc)
