# SPDX-License-Identifier: LGPL-2.1-or-later
"""the QEMU driver over the bus, with real qemu-system-x86_64 under TCG.

virtbusd --session runs on a private bus with private XDG dirs and publishes
qemu:///session at /org/libvirt/QEMU. diskless guests (SeaBIOS finds nothing to
boot) cover the lifecycle, parallelism, crashes, restarts and hangs; the busybox
guest of tests/guest/build-guest.sh (Debian cloud kernel + busybox-static, built
with `apt-get download` and cached) covers what needs a real guest: ACPI shutdown,
reboot, the balloon, block statistics and save/restore, read and driven through its
serial console.

every qemu a test starts is killed by pid at teardown, whatever happened.
"""

import json
import os
import signal
import time
import warnings
import xml.etree.ElementTree as ET

import dbus
import pytest

from conftest import LIBVIRT_ERROR, domain_path, expect_error, pump, unwrap
from qemu_env import (
    AFFECT_LIVE, DEFINED_ADDED, MEMSTAT_ACTUAL_BALLOON, MONITOR_TIMEOUT_ENV, PAUSED_USER,
    QEMU_BIN, QEMU_CONNECT, RESUMED_UNPAUSED, RUNNING_BOOTED, RUNNING_RESTORED,
    RUNNING_UNPAUSED, SHUTDOWN_FINISHED, SHUTOFF_CRASHED, SHUTOFF_DESTROYED, SHUTOFF_SAVED,
    SHUTOFF_SHUTDOWN, ST_PAUSED, ST_RUNNING, ST_SHUTOFF, STARTED_BOOTED, STARTED_RESTORED,
    STOPPED_CRASHED, STOPPED_DESTROYED, STOPPED_SAVED, STOPPED_SHUTDOWN, SUSPENDED_PAUSED,
    UNDEFINED_REMOVED, XML_INACTIVE, EV_STARTED, EV_STOPPED, QemuEnv, build_guest, domain_xml,
    live_serial_source, make_disk, mkfifos, pid_alive, proc_cmdline, proc_state, qemu_pid_of,
    wait_until)

if QEMU_BIN is None:
    pytest.skip("qemu-system-x86_64 is not installed", allow_module_level=True)

MONITOR_TIMEOUT_MS = 3000
BOOT_TIMEOUT = 60.0
GUEST_MEM_KIB = 131072


# --------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def qenv():
    """one virtbusd --session for the module, with a short QMP timeout."""
    env = QemuEnv(env={MONITOR_TIMEOUT_ENV: str(MONITOR_TIMEOUT_MS)})
    try:
        env.start()
        yield env
        env.stop_service()
    finally:
        env.cleanup()


class Q:
    """what a test gets: the module's QemuEnv plus the domains this test made, all
    destroyed, undefined and (their qemu) killed at teardown."""

    def __init__(self, env):
        self.env = env
        self.mine = []  # (name, uuid, path)

    def __getattr__(self, attr):
        return getattr(self.env, attr)

    @property
    def serial_kind(self):
        """'pty' until the driver was seen not to report the pty (then for the module)."""
        return getattr(self.env, "serial_kind", "pty")

    @serial_kind.setter
    def serial_kind(self, kind):
        self.env.serial_kind = kind

    def track(self, name, uuid, path):
        self.mine.append((name, uuid, path))
        return name, uuid, path

    def new_domain(self, **kw):
        return self.track(*self.env.new_domain(**kw))

    def teardown(self):
        leftovers = []
        for name, uuid, path in self.mine:
            if self.env.conn is not None:
                for method in ("Destroy", "Undefine"):
                    try:
                        self.env.domain(path, method, "u", 0, timeout=15)
                    except dbus.exceptions.DBusException:
                        pass
            pid = qemu_pid_of(uuid)
            if pid is not None:
                leftovers.append(pid)
                try:
                    os.kill(pid, signal.SIGCONT)
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        return leftovers


@pytest.fixture
def q(qenv):
    t = Q(qenv)
    try:
        yield t
    finally:
        t.teardown()
        if qenv.events is not None:
            for _, _, path in t.mine:
                qenv.events.skip(path)


# --------------------------------------------------------------------------------------
# helpers


def tcg_argv(argv):
    """qemu was told to use TCG."""
    joined = " ".join(argv)
    return "tcg" in joined and "kvm" not in joined.replace("-no-kvm", "")


def wait_gone(pid, timeout=10.0):
    wait_until(lambda: proc_state(pid) is None, timeout, "qemu %d to be gone (reaped)" % pid,
               pumping=True)


def config_files_with(config_dir, uuid):
    out = []
    if os.path.isdir(config_dir):
        for f in os.listdir(config_dir):
            p = os.path.join(config_dir, f)
            if f.endswith(".xml") and os.path.isfile(p):
                with open(p, errors="replace") as fh:
                    if uuid in fh.read():
                        out.append(p)
    return out


def boot_guest(q, persistent=True, name=None):
    """the busybox guest, started and at GUEST-READY; returns (name, uuid, path, console).
    the serial is a pty read through the path the live XML gives; when the driver does
    not report it (a gap test_serial_pty_in_live_xml reports), a pipe serial instead."""
    import uuid as uuidlib
    g = build_guest()
    name = name or "g-%s" % uuidlib.uuid4().hex[:8]
    uuid = str(uuidlib.uuid4())
    disk = make_disk(os.path.join(q.scratch, name + ".raw"))
    serial_path = os.path.join(q.scratch, name + ".serial")
    if q.serial_kind == "pipe":
        mkfifos(serial_path)
    xml = domain_xml(name, uuid, kernel=g["kernel"], initrd=g["initrd"], disk=disk,
                     serial=q.serial_kind, serial_path=serial_path, stats_period=1)
    if persistent:
        path = q.define(xml)
        q.track(name, uuid, path)
        q.domain(path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
    else:
        path = q.create_xml(xml)
        q.track(name, uuid, path)
    q.pid_of(uuid)
    try:
        con = q.open_console(path, q.serial_kind, serial_path)
    except AssertionError as e:
        if q.serial_kind != "pty":
            raise
        warnings.warn("driver gap: %s; falling back to a pipe serial" % e)
        q.domain(path, "Destroy", "u", 0)
        if persistent:
            q.domain(path, "Undefine", "u", 0)
        q.events.skip(path)
        q.serial_kind = "pipe"
        return boot_guest(q, persistent, name + "p")
    try:
        con.wait_for(b"GUEST-READY", BOOT_TIMEOUT)
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, q.diag(name)))
    q.events.skip(path)
    return name, uuid, path, con


def parse_qemu_opts(value):
    """qemu's key=value,key=value parsing: ',,' is a literal comma."""
    parts, cur, i = [], "", 0
    while i < len(value):
        c = value[i]
        if c == ",":
            if value[i + 1:i + 2] == ",":
                cur += ","
                i += 2
                continue
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    out = {}
    for p in parts:
        k, _, v = p.partition("=")
        out.setdefault(k, v)
    return out


def option_names(argv):
    return [a for a in argv[1:] if a.startswith("-") and not a.startswith("-{")]


def blockdev_filenames(argv):
    """the file names of the -blockdev (JSON or key=value) and -drive options."""
    names = []
    for i, a in enumerate(argv[:-1]):
        if a == "-blockdev":
            v = argv[i + 1]
            if v.startswith("{"):
                obj = json.loads(v)
                if "filename" in obj:
                    names.append(obj["filename"])
            else:
                names.append(parse_qemu_opts(v).get("filename"))
        elif a == "-drive":
            names.append(parse_qemu_opts(argv[i + 1]).get("file"))
    return [n for n in names if n is not None]


def assert_nothing_runs(q, uuid, path, what):
    assert qemu_pid_of(uuid) is None, "%s: a qemu still runs for the domain" % what
    st = q.state(path)
    assert st[0] == ST_SHUTOFF, "%s: the domain is in state %r, not shut off" % (what, st)
    # a STARTED that was announced must have been followed by a STOPPED
    evs = [e for e, _ in q.events.of(path) if e in (EV_STARTED, EV_STOPPED)]
    assert not evs or evs[-1] == EV_STOPPED, "%s: events %r end started" % (
        what, q.events.of(path))


# --------------------------------------------------------------------------------------
# lifecycle


def test_lifecycle_diskless(q):
    import uuid as uuidlib
    name = "life-%s" % uuidlib.uuid4().hex[:8]
    uuid = str(uuidlib.uuid4())
    ev = q.events

    path = q.define(domain_xml(name, uuid))
    q.track(name, uuid, path)
    assert path == domain_path(uuid, QEMU_CONNECT)
    ev.expect(path, [DEFINED_ADDED])
    assert q.state(path) == (ST_SHUTOFF, 0)
    assert q.dprop(path, "Id") == 0
    assert q.dprop(path, "Active") is False
    assert q.dprop(path, "Persistent") is True
    assert config_files_with(q.config_dir, uuid), (
        "no definition holding %s under %s" % (uuid, q.config_dir))
    assert qemu_pid_of(uuid) is None
    inactive_before = ET.fromstring(q.xml(path))
    assert inactive_before.get("id") is None

    q.domain(path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
    ev.expect(path, [STARTED_BOOTED])
    assert q.state(path) == (ST_RUNNING, RUNNING_BOOTED)
    assert q.dprop(path, "Active") is True
    dom_id = q.dprop(path, "Id")
    assert dom_id > 0
    assert str(q.connect("DomainLookupByID", "i", dom_id)) == path
    assert path in q.list_domains(1)  # ACTIVE
    pid = q.pid_of(uuid)
    assert pid is not None and pid_alive(pid), "no qemu process with -uuid %s" % uuid
    argv = proc_cmdline(pid)
    assert tcg_argv(argv), "type='qemu' must run under TCG: %r" % argv
    assert [f for f in os.listdir(q.run_dir) if name in f or uuid in f], (
        "no runtime state of the running domain under %s" % q.run_dir)
    log = q.log_of(name)
    assert log is not None, "no log at %s/%s.log" % (q.log_dir, name)
    assert "-uuid " + uuid in log, "the log does not start with the command line:\n" + log[:2000]

    live = ET.fromstring(q.xml(path))
    inactive = ET.fromstring(q.xml(path, XML_INACTIVE))
    assert live.get("id") == str(dom_id), "live XML <domain id=...>: %r" % live.get("id")
    assert inactive.get("id") is None, "INACTIVE XML carries an id"
    for doc in (live, inactive):
        assert doc.findtext("name") == name and doc.findtext("uuid") == uuid
    assert inactive.findtext("memory") == inactive_before.findtext("memory")

    q.domain(path, "Suspend", "")
    ev.expect(path, [SUSPENDED_PAUSED])
    assert q.state(path) == (ST_PAUSED, PAUSED_USER)
    assert pid_alive(pid)

    q.domain(path, "Resume", "")
    ev.expect(path, [RESUMED_UNPAUSED])
    assert q.state(path) == (ST_RUNNING, RUNNING_UNPAUSED)

    q.domain(path, "Destroy", "u", 0)
    ev.expect(path, [STOPPED_DESTROYED])
    assert q.state(path) == (ST_SHUTOFF, SHUTOFF_DESTROYED)
    assert q.dprop(path, "Id") == 0
    assert not pid_alive(pid), "qemu %d still runs after Destroy returned" % pid
    wait_gone(pid)
    left = [f for f in os.listdir(q.run_dir) if name in f or uuid in f]
    assert not left, "runtime files of the stopped domain stayed in %s: %r" % (q.run_dir, left)
    assert path in q.list_domains(2)  # INACTIVE
    assert ET.fromstring(q.xml(path)).get("id") is None

    q.domain(path, "Undefine", "u", 0)
    ev.expect(path, [UNDEFINED_REMOVED])
    expect_error(q.domain, path, "GetState", "u", 0, contains="Domain not found")
    assert path not in q.list_domains(0)
    assert not config_files_with(q.config_dir, uuid), "the definition stayed on disk"


def test_serial_pty_in_live_xml(q):
    """the live XML names the pty of a pty serial, as libvirt does; it is a tty."""
    name, uuid, path = q.new_domain(prefix="pty", persistent=False)
    x = q.xml(path)
    kind, src = live_serial_source(x)
    assert kind == "pty"
    assert src is not None and src.startswith("/dev/pts/"), (
        "driver gap: no <source path='/dev/pts/N'/> on the pty serial in the live XML:\n"
        + x)
    fd = os.open(src, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        assert os.isatty(fd)
    finally:
        os.close(fd)
    inactive = q.xml(path, XML_INACTIVE)
    assert "/dev/pts/" not in inactive, "the runtime pty leaked into the INACTIVE XML"
    q.domain(path, "Destroy", "u", 0)


# --------------------------------------------------------------------------------------
# the real guest


def test_guest_shutdown(q):
    name, uuid, path, con = boot_guest(q)
    pid = q.pid_of(uuid)
    try:
        q.domain(path, "Shutdown", "u", 0)
        q.events.expect(path, [SHUTDOWN_FINISHED, STOPPED_SHUTDOWN], timeout=BOOT_TIMEOUT)
        assert q.state(path) == (ST_SHUTOFF, SHUTOFF_SHUTDOWN)
        assert q.dprop(path, "Id") == 0
        wait_gone(pid)
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, q.diag(name)))
    finally:
        con.close()


def test_guest_reboot(q):
    name, uuid, path, con = boot_guest(q)
    pid = q.pid_of(uuid)
    dom_id = q.dprop(path, "Id")
    try:
        q.domain(path, "Reboot", "u", 0)
        wait_until(lambda: q.events.signals_of(path, "Reboot"), BOOT_TIMEOUT,
                   "the Reboot signal of %s" % path)
        con.wait_for(b"GUEST-READY", BOOT_TIMEOUT)
        con.ping()
        pump(0.2)
        assert q.state(path)[0] == ST_RUNNING
        assert q.dprop(path, "Id") == dom_id
        assert q.pid_of(uuid) == pid, "Reboot replaced the qemu process"
        stops = [e for e in q.events.pending(path) if e[0] == EV_STOPPED]
        assert not stops, "Reboot stopped the domain: %r" % q.events.pending(path)
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, q.diag(name)))
    finally:
        con.close()


def test_guest_balloon(q):
    name, uuid, path, con = boot_guest(q)
    target = 96 * 1024
    try:
        info = unwrap(q.domain(path, "GetInfo", "u", 0))
        assert info[1] == GUEST_MEM_KIB and info[2] == GUEST_MEM_KIB, info
        q.domain(path, "SetMemory", "tu", target, AFFECT_LIVE)
        wait_until(lambda: [a for a in q.events.signals_of(path, "BalloonChange")
                            if a[0] == target],
                   BOOT_TIMEOUT, "BalloonChange(%d) (got %r)"
                   % (target, q.events.signals_of(path, "BalloonChange")))
        info = unwrap(q.domain(path, "GetInfo", "u", 0))
        assert info[2] == target, "GetInfo memory %d after the balloon reached %d" % (
            info[2], target)
        assert info[1] == GUEST_MEM_KIB
        stats = unwrap(q.domain(path, "MemoryStats", "u", 0))
        assert stats.get(MEMSTAT_ACTUAL_BALLOON) == target, "MemoryStats %r" % stats
        con.ping()
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, q.diag(name)))
    finally:
        con.close()


def test_guest_block_stats(q):
    name, uuid, path, con = boot_guest(q)
    try:
        before = unwrap(q.domain(path, "BlockStats", "su", "vda", 0))
        for k in ("rd_req", "rd_bytes", "wr_req", "wr_bytes", "errs"):
            assert k in before, "BlockStats lacks %s: %r" % (k, before)
        con.run("dd if=/dev/vda of=/dev/null bs=64k count=16")
        after = unwrap(q.domain(path, "BlockStats", "su", "vda", 0))
        assert after["rd_bytes"] - before["rd_bytes"] >= 512 * 1024, (before, after)
        assert after["rd_req"] > before["rd_req"], (before, after)
        expect_error(q.domain, path, "BlockStats", "su", "vdz", 0)
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, q.diag(name)))
    finally:
        con.close()


def test_guest_save_restore(q):
    name, uuid, path, con = boot_guest(q)
    pid = q.pid_of(uuid)
    save = os.path.join(q.scratch, name + ".save")
    try:
        q.domain(path, "Save", "ssu", save, "", 0, timeout=BOOT_TIMEOUT)
        q.events.expect(path, [STOPPED_SAVED])
        assert q.state(path) == (ST_SHUTOFF, SHUTOFF_SAVED)
        assert not pid_alive(pid)
        assert os.path.getsize(save) > 1 << 20, "the save file is nearly empty"
        con.close()

        q.connect("DomainRestore", "ssu", save, "", 0, timeout=BOOT_TIMEOUT)
        q.events.expect(path, [STARTED_RESTORED])
        assert q.state(path) == (ST_RUNNING, RUNNING_RESTORED)
        new_pid = q.pid_of(uuid)
        assert new_pid is not None and new_pid != pid
        con = q.open_console(path, q.serial_kind, os.path.join(q.scratch, name + ".serial"))
        con.ping(BOOT_TIMEOUT)
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, q.diag(name)))
    finally:
        con.close()


# --------------------------------------------------------------------------------------
# many guests, crashes, restarts, hangs


def start_in_parallel(q, paths, timeout=BOOT_TIMEOUT):
    calls = [q.call_async(p, "Create", "u", 0) for p in paths]
    wait_until(lambda: all("reply" in c or "error" in c for c in calls), timeout,
               "%d parallel Create calls" % len(paths))
    errors = [c["error"] for c in calls if "error" in c]
    assert not errors, "parallel Create failed: %s" % "; ".join(
        "%s: %s" % (e.get_dbus_name(), e.get_dbus_message()) for e in errors)


def test_five_parallel_one_killed(q):
    doms = [q.new_domain(prefix="par") for _ in range(5)]
    paths = [p for _, _, p in doms]
    for p in paths:
        q.events.skip(p)
    start_in_parallel(q, paths)
    pids = {}
    for name, uuid, path in doms:
        q.events.expect(path, [STARTED_BOOTED], settle=0)
        assert q.state(path) == (ST_RUNNING, RUNNING_BOOTED)
        pids[path] = q.pid_of(uuid)
        assert pids[path] is not None
    assert len(set(pids.values())) == 5

    victim = paths[2]
    os.kill(pids[victim], signal.SIGKILL)
    q.events.expect(victim, [STOPPED_CRASHED], timeout=30)
    assert q.state(victim) == (ST_SHUTOFF, SHUTOFF_CRASHED)
    assert q.dprop(victim, "Id") == 0
    wait_gone(pids[victim])

    for path in paths:
        if path == victim:
            continue
        assert pid_alive(pids[path])
        assert q.state(path) == (ST_RUNNING, RUNNING_BOOTED)
        q.domain(path, "Suspend", "")
        q.domain(path, "Resume", "")
        q.events.expect(path, [SUSPENDED_PAUSED, RESUMED_UNPAUSED], settle=0)
    pump(0.3)
    for path in paths:
        assert q.events.pending(path) == [], (path, q.events.pending(path))


def test_virtbusd_killed_guests_survive():
    env = QemuEnv()
    try:
        env.start()
        made = [env.new_domain(prefix="surv", start=True),
                env.new_domain(prefix="surv", start=True),
                env.new_domain(prefix="survt", persistent=False)]
        before = {}
        for name, uuid, path in made:
            assert env.state(path)[0] == ST_RUNNING
            before[path] = (env.dprop(path, "Id"), env.pid_of(uuid))
            assert before[path][1] is not None

        env.kill_service()
        for path, (_, pid) in before.items():
            assert pid_alive(pid), "a guest died with virtbusd"
        env.start()

        active = env.list_domains(1)
        for name, uuid, path in made:
            assert path in active, "%s not listed after the restart: %r\n%s" % (
                name, active, env.diag(name))
            assert env.state(path)[0] == ST_RUNNING, env.state(path)
            assert env.dprop(path, "Id") == before[path][0], "the id changed"
            assert env.pid_of(uuid) == before[path][1], "the qemu process changed"
            assert str(env.connect("DomainLookupByID", "i", before[path][0])) == path

        p0, p1, p2 = [p for _, _, p in made]
        env.domain(p0, "Suspend", "")
        env.events.expect(p0, [SUSPENDED_PAUSED])
        assert env.state(p0) == (ST_PAUSED, PAUSED_USER)
        env.domain(p0, "Resume", "")
        env.events.expect(p0, [RESUMED_UNPAUSED])
        assert env.state(p0)[0] == ST_RUNNING

        env.domain(p1, "Destroy", "u", 0)
        env.events.expect(p1, [STOPPED_DESTROYED])
        assert env.state(p1) == (ST_SHUTOFF, SHUTOFF_DESTROYED)
        assert not pid_alive(before[p1][1])

        # the transient one is still watched: its crash is seen
        os.kill(before[p2][1], signal.SIGKILL)
        env.events.expect(p2, [STOPPED_CRASHED], timeout=30)
        expect_error(env.domain, p2, "GetState", "u", 0, contains="Domain not found")
        env.stop_service()
    finally:
        env.cleanup()


def test_frozen_qemu_times_out(q):
    _, uuid_a, a = q.new_domain(prefix="frz", start=True)
    _, uuid_b, b = q.new_domain(prefix="ok", start=True)
    pid_a = q.pid_of(uuid_a)
    assert pid_a is not None
    q.events.skip(a)
    q.events.skip(b)
    os.kill(pid_a, signal.SIGSTOP)
    try:
        wait_until(lambda: proc_state(pid_a) == "T", 5, "qemu to stop", pumping=False)
        pending = q.call_async(a, "Suspend", "")
        pump(0.1)
        # meanwhile: other domains and every read answer promptly
        for label, fn in [
                ("GetState(frozen)", lambda: q.state(a)),
                ("GetXMLDesc(frozen)", lambda: q.xml(a)),
                ("ListDomains", lambda: q.list_domains(0)),
                ("GetState(other)", lambda: q.state(b)),
                ("Suspend(other)", lambda: q.domain(b, "Suspend", "")),
                ("Resume(other)", lambda: q.domain(b, "Resume", ""))]:
            t0 = time.monotonic()
            fn()
            dt = time.monotonic() - t0
            assert dt < 2.0, "%s took %.2fs while another qemu was frozen" % (label, dt)
        limit = MONITOR_TIMEOUT_MS / 1000 + 5
        wait_until(lambda: "reply" in pending or "error" in pending, limit + 30,
                   "the Suspend of the frozen qemu to fail")
        assert "error" in pending, "Suspend of a frozen qemu succeeded"
        e = pending["error"]
        assert e.get_dbus_name() == LIBVIRT_ERROR, e
        msg = e.get_dbus_message()
        assert "Timed out" in msg or "timed out" in msg, "not a timeout error: %s" % msg
        assert pending["elapsed"] >= MONITOR_TIMEOUT_MS / 1000 * 0.8, (
            "the frozen call failed after %.1fs, before the monitor timeout: %s"
            % (pending["elapsed"], msg))
        assert pending["elapsed"] <= limit, (
            "the frozen call failed after %.1fs; the monitor timeout is %d ms (set by %s=%d)"
            % (pending["elapsed"], MONITOR_TIMEOUT_MS, MONITOR_TIMEOUT_ENV, MONITOR_TIMEOUT_MS))
        q.events.expect(b, [SUSPENDED_PAUSED, RESUMED_UNPAUSED], settle=0)
    finally:
        os.kill(pid_a, signal.SIGCONT)

    # it works again. the 'stop' that timed out reaches qemu now, so the domain may be
    # paused by it: Suspend (again) then Resume leave it running either way
    try:
        q.domain(a, "Suspend", "")
    except dbus.exceptions.DBusException as e:
        assert e.get_dbus_name() == LIBVIRT_ERROR and "paused" in e.get_dbus_message(), e
    assert q.state(a)[0] == ST_PAUSED
    q.domain(a, "Resume", "")
    assert q.state(a)[0] == ST_RUNNING
    wait_until(lambda: RESUMED_UNPAUSED in q.events.pending(a), 10,
               "RESUMED of the thawed domain (got %r)" % q.events.pending(a))
    assert pid_alive(pid_a)


# --------------------------------------------------------------------------------------
# hostile and broken definitions


def test_hostile_name_and_disk_path_stay_values(q):
    """commas and quotes in the name and the disk path are values, not options."""
    import uuid as uuidlib
    tag = uuidlib.uuid4().hex[:6]
    hostile_name = "ev,il=on,'q\"%s -daemonize" % tag
    hostile_disk = make_disk(os.path.join(q.scratch, "d,file.locking=off,'\"%s.raw" % tag))
    plain_disk = make_disk(os.path.join(q.scratch, "plain%s.raw" % tag))

    argvs = {}
    for label, name, disk in (("hostile", hostile_name, hostile_disk),
                              ("plain", "plain-" + tag, plain_disk)):
        uuid = str(uuidlib.uuid4())
        path = q.define(domain_xml(name, uuid, disk=disk))
        q.track(name, uuid, path)
        assert q.dprop(path, "Name") == name
        q.domain(path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
        pid = q.pid_of(uuid)
        assert pid is not None
        argvs[label] = (proc_cmdline(pid), name, disk)
        assert str(q.connect("DomainLookupByName", "s", name)) == path

    hostile_argv = argvs["hostile"][0]
    assert option_names(hostile_argv) == option_names(argvs["plain"][0]), (
        "the hostile domain's command line has other options than its plain twin:\n%r\n%r"
        % (hostile_argv, argvs["plain"][0]))
    names = [parse_qemu_opts(hostile_argv[i + 1]).get("guest")
             for i, a in enumerate(hostile_argv[:-1]) if a == "-name"]
    assert names == [hostile_name], "qemu reads the name as %r" % names
    assert hostile_disk in blockdev_filenames(hostile_argv), (
        "qemu reads the disk files as %r" % blockdev_filenames(hostile_argv))
    assert not any("\n" in a for a in hostile_argv)


@pytest.mark.parametrize("what", ["name", "disk"])
def test_newline_in_definition_fails_cleanly(q, what):
    import uuid as uuidlib
    tag = uuidlib.uuid4().hex[:6]
    uuid = str(uuidlib.uuid4())
    if what == "name":
        xml = domain_xml("nl-%s" % tag, uuid).replace(
            "<name>nl-%s</name>" % tag, "<name>nl-%s&#10;-daemonize</name>" % tag)
    else:
        disk = make_disk(os.path.join(q.scratch, "nl%s\n-daemonize.raw" % tag))
        xml = domain_xml("nl-%s" % tag, uuid, disk=disk)
    try:
        path = q.define(xml)
    except dbus.exceptions.DBusException as e:
        assert e.get_dbus_name() == LIBVIRT_ERROR, e
        assert e.get_dbus_message(), "an empty error message"
        assert qemu_pid_of(uuid) is None
        return
    q.track("nl-%s" % tag, uuid, path)
    msg = expect_error(q.domain, path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
    assert any(w in msg for w in (what, "vda", "control character", "newline")), (
        "the error does not say what is wrong: %s" % msg)
    assert_nothing_runs(q, uuid, path, "newline in the %s" % what)


def test_missing_emulator_fails_cleanly(q):
    import uuid as uuidlib
    missing = "/nonexistent-%s/qemu-system-x86_64" % uuidlib.uuid4().hex[:6]
    uuid = str(uuidlib.uuid4())
    name = "noemu-%s" % uuid[:6]
    try:
        path = q.define(domain_xml(name, uuid, emulator=missing))
    except dbus.exceptions.DBusException as e:
        assert e.get_dbus_name() == LIBVIRT_ERROR, e
        assert missing in e.get_dbus_message(), e.get_dbus_message()
        return
    q.track(name, uuid, path)
    msg = expect_error(q.domain, path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
    assert missing in msg, "the error does not name the emulator: %s" % msg
    assert_nothing_runs(q, uuid, path, "missing emulator")


def test_missing_image_fails_cleanly(q):
    import uuid as uuidlib
    uuid = str(uuidlib.uuid4())
    name = "noimg-%s" % uuid[:6]
    missing = os.path.join(q.scratch, "missing-%s.raw" % uuid[:6])
    path = q.define(domain_xml(name, uuid, disk=missing))
    q.track(name, uuid, path)
    msg = expect_error(q.domain, path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
    assert missing in msg, "the error does not name the image: %s" % msg
    assert_nothing_runs(q, uuid, path, "missing image")
    # and it can still be started once the image exists
    make_disk(missing)
    q.domain(path, "Create", "u", 0, timeout=BOOT_TIMEOUT)
    assert q.state(path) == (ST_RUNNING, RUNNING_BOOTED)
    q.domain(path, "Destroy", "u", 0)
