# SPDX-License-Identifier: LGPL-2.1-or-later
"""helpers for the QEMU driver tests (test_qemu.py) and its benchmark.

real qemu-system-x86_64 under TCG (<domain type='qemu'>), driven by a real
`virtbusd --session` on a private bus through /org/libvirt/QEMU. every service
instance gets its own XDG dirs under a short temp root (QMP socket paths must fit
sun_path); a restarted virtbusd is given the same root so it finds its guests again.

the booted guest is the busybox one from tests/guest/build-guest.sh (cached in
${XDG_CACHE_HOME:-~/.cache}/virtbus-test-guest, or $VB_TEST_GUEST_DIR): it prints
GUEST-READY on its serial console, runs a shell there and powers off on the ACPI
power button.
"""

import errno
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import tty
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import dbus

from conftest import (BUS_NAME, CONNECT_IFACE, DOMAIN_IFACE, LIBVIRT_ERROR, PrivateBus,
                      Service, Signals, TOP, call, domain_path, pump, unwrap, xdg_dirs)

QEMU_CONNECT = "/org/libvirt/QEMU"
QEMU_BIN = shutil.which("qemu-system-x86_64")
GUEST_BUILDER = os.path.join(TOP, "tests", "guest", "build-guest.sh")
GUEST_CMDLINE = "console=ttyS0 quiet panic=-1"

# the environment variable the driver reads for its QMP command timeout (ms)
MONITOR_TIMEOUT_ENV = os.environ.get("VB_TEST_MONITOR_TIMEOUT_ENV", "VB_QEMU_MONITOR_TIMEOUT_MS")

# states (GetState) and their reasons, libvirt's values
ST_RUNNING, ST_PAUSED, ST_SHUTDOWN, ST_SHUTOFF, ST_CRASHED = 1, 3, 4, 5, 6
RUNNING_BOOTED, RUNNING_RESTORED, RUNNING_UNPAUSED = 1, 3, 5
PAUSED_USER = 1
SHUTOFF_UNKNOWN, SHUTOFF_SHUTDOWN, SHUTOFF_DESTROYED, SHUTOFF_CRASHED = 0, 1, 2, 3
SHUTOFF_SAVED, SHUTOFF_FAILED = 5, 6

# DomainEvent (event, detail) pairs (API.md)
DEFINED_ADDED = (0, 0)
UNDEFINED_REMOVED = (1, 0)
STARTED_BOOTED = (2, 0)
STARTED_RESTORED = (2, 2)
SUSPENDED_PAUSED = (3, 0)
RESUMED_UNPAUSED = (4, 0)
STOPPED_SHUTDOWN = (5, 0)
STOPPED_DESTROYED = (5, 1)
STOPPED_CRASHED = (5, 2)
STOPPED_SAVED = (5, 4)
STOPPED_FAILED = (5, 5)
SHUTDOWN_FINISHED = (6, 0)
EV_STARTED, EV_STOPPED = 2, 5

# MemoryStats tags
MEMSTAT_ACTUAL_BALLOON = 6

# flags
XML_INACTIVE = 2
AFFECT_LIVE = 1


# --------------------------------------------------------------------------------------
# the guest


_guest = None


def guest_cache_dir():
    d = os.environ.get("VB_TEST_GUEST_DIR")
    if d:
        return d
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "virtbus-test-guest")


def build_guest():
    """{'kernel': path, 'initrd': path} of the busybox guest, built once (cached)."""
    global _guest
    if _guest is None:
        r = subprocess.run(["sh", GUEST_BUILDER, guest_cache_dir()], capture_output=True,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("build-guest.sh failed (%d):\n%s%s"
                               % (r.returncode, r.stdout, r.stderr))
        out = dict(line.split(" ", 1) for line in r.stdout.splitlines() if " " in line)
        _guest = {"kernel": out["kernel"], "initrd": out["initrd"]}
    return _guest


def domain_xml(name, uuid, *, memory_kib=131072, current_kib=None, vcpus=1, kernel=None,
               initrd=None, cmdline=GUEST_CMDLINE, disk=None, disk_target="vda",
               serial="pty", serial_path=None, balloon=True, stats_period=None,
               emulator=QEMU_BIN, dom_type="qemu"):
    """a q35 TCG domain; without @kernel it is diskless-bootless (SeaBIOS finds nothing).
    @serial: 'pty', 'pipe' (@serial_path: the pipe's base path, .in/.out beside it),
    'file' (@serial_path) or None."""
    def text(s):
        return escape(s)

    os_extra = ""
    if kernel:
        os_extra = "<kernel>%s</kernel><initrd>%s</initrd><cmdline>%s</cmdline>" % (
            text(kernel), text(initrd), text(cmdline))
    devices = []
    if emulator is not None:
        devices.append("<emulator>%s</emulator>" % text(emulator))
    if disk is not None:
        devices.append("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                       "<source file=%s/><target dev='%s' bus='virtio'/></disk>"
                       % (quoteattr(disk), disk_target))
    if serial == "pty":
        devices.append("<serial type='pty'><target port='0'/></serial>")
        devices.append("<console type='pty'><target type='serial' port='0'/></console>")
    elif serial in ("pipe", "file"):
        devices.append("<serial type='%s'><source path=%s/><target port='0'/></serial>"
                       % (serial, quoteattr(serial_path)))
        devices.append("<console type='%s'><source path=%s/><target type='serial' port='0'/>"
                       "</console>" % (serial, quoteattr(serial_path)))
    if balloon:
        stats = "<stats period='%d'/>" % stats_period if stats_period else ""
        devices.append("<memballoon model='virtio'>%s</memballoon>" % stats)
    else:
        devices.append("<memballoon model='none'/>")
    return """<domain type='{dom_type}'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='KiB'>{memory}</memory>
  <currentMemory unit='KiB'>{current}</currentMemory>
  <vcpu>{vcpus}</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    {os_extra}
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    {devices}
  </devices>
</domain>
""".format(dom_type=dom_type, name=text(name), uuid=uuid, memory=memory_kib,
           current=current_kib if current_kib is not None else memory_kib, vcpus=vcpus,
           os_extra=os_extra, devices="\n    ".join(devices))


def make_disk(path, size=16 << 20):
    with open(path, "wb") as f:
        f.truncate(size)
    return path


# --------------------------------------------------------------------------------------
# the serial console


class ConsoleClosed(Exception):
    pass


class Console:
    """the guest's serial port: a pty (the slave qemu's live XML names) or a pipe pair
    (PATH.in is the guest's input, PATH.out its output)."""

    def __init__(self, kind, path):
        self.kind = kind
        self.path = path
        self.buf = b""
        self.seen = b""  # everything read, for failure messages
        self.eof = False
        if kind == "pty":
            self.rfd = self.wfd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            tty.setraw(self.rfd)  # no echo back into the guest, no line editing
        elif kind == "pipe":
            self.rfd = os.open(path + ".out", os.O_RDONLY | os.O_NONBLOCK)
            self.wfd = os.open(path + ".in", os.O_WRONLY | os.O_NONBLOCK)
        else:
            raise ValueError(kind)

    def _fill(self, timeout):
        import select
        r, _, _ = select.select([self.rfd], [], [], max(0.0, timeout))
        if not r:
            return
        try:
            data = os.read(self.rfd, 65536)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return
            if e.errno == errno.EIO:  # pty: the master (qemu) went away
                self.eof = True
                time.sleep(min(timeout, 0.05))
                return
            raise
        if not data:
            self.eof = True
            time.sleep(min(timeout, 0.05))
            return
        self.buf += data
        self.seen = (self.seen + data)[-65536:]

    def wait_for(self, pattern, timeout=60.0):
        """consumes output up to and including @pattern (bytes or compiled regex) and
        returns what it consumed; fails with the tail of the output on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if isinstance(pattern, bytes):
                i = self.buf.find(pattern)
                end = i + len(pattern) if i >= 0 else -1
            else:
                m = pattern.search(self.buf)
                end = m.end() if m else -1
            if end >= 0:
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("console %s: no %r within %.0fs; last output:\n%s"
                                     % (self.path, pattern, timeout,
                                        self.seen[-2000:].decode(errors="replace")))
            self._fill(min(left, 0.2))

    def send(self, text):
        data = text.encode() if isinstance(text, str) else text
        deadline = time.monotonic() + 10
        while data:
            try:
                n = os.write(self.wfd, data)
                data = data[n:]
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def run(self, command, timeout=30.0):
        """runs @command in the guest shell; returns the console output up to the end
        marker. the typed line echoes as "VB$((n+1))": only the shell prints VB<n+1>."""
        n = random.randrange(1000, 1000000)
        self.send("%s; echo VB$((%d+1))\n" % (command, n))
        return self.wait_for(re.compile(rb"VB%d\b" % (n + 1)), timeout)

    def ping(self, timeout=30.0):
        """the guest shell answers."""
        self.run(":", timeout)

    def drain(self):
        self._fill(0)
        self.buf = b""

    def close(self):
        for fd in {self.rfd, self.wfd}:
            try:
                os.close(fd)
            except OSError:
                pass


def live_serial_source(xml_text):
    """(type, source path or None) of the first <serial> of a domain XML."""
    root = ET.fromstring(xml_text)
    ser = root.find("./devices/serial")
    if ser is None:
        return None, None
    src = ser.find("source")
    path = src.get("path") if src is not None else None
    if path is None and ser.get("type") == "pty":
        path = ser.get("tty")
    return ser.get("type"), path


# --------------------------------------------------------------------------------------
# processes


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return [a.decode(errors="replace") for a in data.split(b"\0")[:-1]]


def proc_state(pid):
    """'R', 'S', 'T', 'Z', ... or None when gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2]


def pid_alive(pid):
    s = proc_state(pid)
    return s is not None and s not in ("Z", "X")


def qemu_pids(match=None):
    """pids of qemu processes; @match(argv) filters."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        argv = proc_cmdline(int(d))
        if not argv or "qemu-system" not in os.path.basename(argv[0]):
            continue
        if match is None or match(argv):
            out.append(int(d))
    return out


def qemu_pid_of(uuid):
    """the pid of the running qemu started with -uuid @uuid, or None."""
    def m(argv):
        return any(argv[i] == "-uuid" and argv[i + 1].lower() == uuid.lower()
                   for i in range(len(argv) - 1))
    pids = [p for p in qemu_pids(m) if pid_alive(p)]
    assert len(pids) <= 1, "more than one qemu runs with -uuid %s: %r" % (uuid, pids)
    return pids[0] if pids else None


def wait_until(pred, timeout, what, interval=0.02, pumping=True):
    """polls @pred (dispatching D-Bus signals meanwhile) until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))
        if pumping:
            pump(interval)
        else:
            time.sleep(interval)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


# --------------------------------------------------------------------------------------
# events


class Events:
    """DomainEvent signals of /org/libvirt/QEMU and the per-domain signals, with a read
    cursor per domain so that each test step checks exactly the events it caused."""

    def __init__(self, conn):
        self.conn = conn
        self.lifecycle = Signals(conn, interface=CONNECT_IFACE, member="DomainEvent",
                                 path=QEMU_CONNECT, sync=False)
        self.domain = Signals(conn, interface=DOMAIN_IFACE, sync=False)
        self.cursor = {}

    def of(self, dpath):
        return [(a[1], a[2]) for _, _, a in self.lifecycle.items if a[0] == dpath]

    def pending(self, dpath):
        return self.of(dpath)[self.cursor.get(dpath, 0):]

    def expect(self, dpath, expected, timeout=60.0, settle=0.3):
        """the next events of @dpath are exactly @expected (nothing more after @settle)."""
        deadline = time.monotonic() + timeout
        while len(self.pending(dpath)) < len(expected) and time.monotonic() < deadline:
            pump(0.05)
        if settle:
            pump(settle)
        got = self.pending(dpath)
        assert got == list(expected), "events of %s: expected %r, got %r" % (
            dpath, list(expected), got)
        self.cursor[dpath] = self.cursor.get(dpath, 0) + len(got)
        return got

    def wait_event(self, dpath, event, timeout=60.0):
        """waits for an event (ev, detail) of @dpath after the cursor; returns the events
        up to it and moves the cursor past them."""
        def found():
            p = self.pending(dpath)
            return event in p
        wait_until(found, timeout, "event %r of %s (got %r)" % (event, dpath, self.pending(dpath)))
        p = self.pending(dpath)
        upto = p[:p.index(event) + 1]
        self.cursor[dpath] = self.cursor.get(dpath, 0) + len(upto)
        return upto

    def skip(self, dpath):
        """forgets what arrived so far for @dpath."""
        pump(0)
        self.cursor[dpath] = len(self.of(dpath))

    def signals_of(self, dpath, member):
        return [a for p, m, a in self.domain.items if p == dpath and m == member]

    def close(self):
        self.lifecycle.close()
        self.domain.close()


# --------------------------------------------------------------------------------------
# the service


class QemuEnv:
    """a private bus and one virtbusd --session at a time on it, with its own XDG
    root; helpers for /org/libvirt/QEMU."""

    def __init__(self, env=None, root=None, bus=None):
        self.root = root or tempfile.mkdtemp(prefix="vbq.", dir="/tmp")
        self.own_bus = bus is None
        self.bus = bus or PrivateBus(os.path.join(self.root, "bus"))
        self.extra_env = dict(env or {})
        self.services = []
        self.svc = None
        self.conn = None
        self.events = None
        xdg = xdg_dirs(self.root)
        self.config_dir = os.path.join(xdg["XDG_CONFIG_HOME"], "virtbus", "qemu")
        self.run_dir = os.path.join(xdg["XDG_RUNTIME_DIR"], "virtbus", "qemu")
        self.log_dir = os.path.join(xdg["XDG_CACHE_HOME"], "virtbus", "qemu", "log")
        self.scratch = os.path.join(self.root, "scratch")
        os.makedirs(self.scratch, exist_ok=True)
        self.started_pids = set()

    # ---- the service ----

    def start(self, timeout=15.0):
        deadline = time.monotonic() + 5
        while self.bus.has_owner() and time.monotonic() < deadline:
            time.sleep(0.01)
        n = len(self.services)
        svc = Service(self.bus, os.path.join(self.root, "svc%d" % n), env=self.extra_env,
                      xdg_root=self.root)
        self.services.append(svc)
        self.svc = svc
        svc.wait_for_name(timeout)
        self.conn = self.bus.connection()
        self.wait_connect_published(3.0)
        self.events = Events(self.conn)
        return svc

    def wait_connect_published(self, timeout):
        """the QEMU connection is on the bus (its Introspect answers with Connect)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                x = self.conn.call_blocking(BUS_NAME, QEMU_CONNECT,
                                            "org.freedesktop.DBus.Introspectable",
                                            "Introspect", "", ())
                if CONNECT_IFACE in str(x):
                    return
                last = "no %s in its introspection" % CONNECT_IFACE
            except dbus.exceptions.DBusException as e:
                last = "%s: %s" % (e.get_dbus_name(), e.get_dbus_message())
            time.sleep(0.05)
        raise AssertionError("virtbusd --session does not publish %s (%s); stderr:\n%s"
                             % (QEMU_CONNECT, last, self.svc.stderr()))

    def kill_service(self):
        """SIGKILL virtbusd (its guests keep running)."""
        self.drop_client()
        self.svc.proc.kill()
        self.svc.proc.wait()
        self.svc.close()
        self.svc = None

    def stop_service(self):
        """SIGTERM virtbusd; it must exit 0 without sanitizer reports."""
        self.drop_client()
        svc, self.svc = self.svc, None
        alive = svc.alive()
        rc, _ = svc.terminate()
        svc.close()
        assert alive, "virtbusd died (exit %s); stderr:\n%s" % (rc, svc.stderr())
        svc.check_clean_exit(rc)

    def drop_client(self):
        if self.events is not None:
            self.events.close()
            self.events = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def cleanup(self):
        """kills every qemu this environment's services started, the services and the
        bus; returns the pids it had to kill."""
        killed = self.kill_qemus()
        self.drop_client()
        for svc in self.services:
            if svc.alive():
                svc.proc.kill()
                svc.proc.wait()
            svc.close()
        if self.own_bus:
            self.bus.stop()
        if not os.environ.get("VB_TEST_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)
        return killed

    def our_qemus(self):
        """qemu processes whose command line names our root (monitor socket, disks) or
        whose pid we saw."""
        return [p for p in qemu_pids(lambda argv: any(self.root in a for a in argv))
                if pid_alive(p)] + [p for p in self.started_pids if pid_alive(p)]

    def kill_qemus(self):
        pids = sorted(set(self.our_qemus()))
        for p in pids:
            try:
                os.kill(p, signal.SIGCONT)
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.02)
        return pids

    def log_of(self, name):
        try:
            with open(os.path.join(self.log_dir, name + ".log"), errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def diag(self, name=None):
        """text to append to an assertion: the service's stderr and a domain log."""
        parts = []
        if self.svc is not None:
            parts.append("virtbusd stderr (tail):\n" + self.svc.stderr()[-3000:])
        if name is not None:
            parts.append("log of %s (tail):\n%s" % (name, (self.log_of(name) or "(none)")[-3000:]))
        return "\n".join(parts)

    # ---- calls ----

    def connect(self, method, sig="", *args, **kw):
        return call(self.conn, QEMU_CONNECT, CONNECT_IFACE, method, sig, *args, **kw)

    def domain(self, path, method, sig="", *args, **kw):
        return call(self.conn, path, DOMAIN_IFACE, method, sig, *args, **kw)

    def dprop(self, path, prop):
        return unwrap(call(self.conn, path, "org.freedesktop.DBus.Properties", "Get", "ss",
                           DOMAIN_IFACE, prop))

    def state(self, path):
        return tuple(unwrap(self.domain(path, "GetState", "u", 0)))

    def xml(self, path, flags=0):
        return str(self.domain(path, "GetXMLDesc", "u", flags))

    def list_domains(self, flags=0):
        return [str(p) for p in self.connect("ListDomains", "u", flags)]

    def define(self, xml):
        return str(self.connect("DomainDefineXML", "s", xml))

    def create_xml(self, xml, flags=0, timeout=60.0):
        return str(self.connect("DomainCreateXML", "su", xml, flags, timeout=timeout))

    def call_async(self, path, method, sig, *args, iface=DOMAIN_IFACE, timeout=120.0):
        """starts a call; returns a dict that gets 'reply' or 'error' and 'elapsed'."""
        res = {"t0": time.monotonic()}

        def ok(*out):
            res["elapsed"] = time.monotonic() - res["t0"]
            res["reply"] = out

        def err(e):
            res["elapsed"] = time.monotonic() - res["t0"]
            res["error"] = e

        self.conn.call_async(BUS_NAME, path, iface, method, sig, args, ok, err, timeout=timeout)
        return res

    # ---- domains ----

    def new_domain(self, prefix="q", persistent=True, start=False, name=None, **kw):
        """defines (or, not @persistent, creates) a domain; returns (name, uuid, path)."""
        import uuid as uuidlib
        name = name or "%s-%s" % (prefix, uuidlib.uuid4().hex[:8])
        uuid = str(uuidlib.uuid4())
        xml = domain_xml(name, uuid, **kw)
        if persistent:
            path = self.define(xml)
            assert path == domain_path(uuid, QEMU_CONNECT), path
            if start:
                self.domain(path, "Create", "u", 0, timeout=60)
        else:
            path = self.create_xml(xml)
            assert path == domain_path(uuid, QEMU_CONNECT), path
        if start or not persistent:
            pid = qemu_pid_of(uuid)
            if pid:
                self.started_pids.add(pid)
        return name, uuid, path

    def pid_of(self, uuid):
        pid = qemu_pid_of(uuid)
        if pid:
            self.started_pids.add(pid)
        return pid

    def open_console(self, path, serial_kind, serial_path=None):
        """the console of running domain @path: from its live XML for a pty."""
        if serial_kind == "pty":
            kind, src = live_serial_source(self.xml(path))
            assert kind == "pty" and src and src.startswith("/dev/pts/"), (
                "live XML names no pty for the serial (type %r, path %r)" % (kind, src))
            return Console("pty", src)
        return Console(serial_kind, serial_path)


def mkfifos(base):
    for suffix in (".in", ".out"):
        p = base + suffix
        if os.path.exists(p):
            os.unlink(p)
        os.mkfifo(p, 0o600)


def is_libvirt_error(e):
    return isinstance(e, dbus.exceptions.DBusException) and e.get_dbus_name() == LIBVIRT_ERROR
