# SPDX-License-Identifier: LGPL-2.1-or-later
"""a private system bus with the real polkitd and virtbusd --system, for the polkit
tests (test_polkit.py) and the authorization benchmark (tests/bench/auth-bench.py).

- the bus: a system-type dbus-daemon with a strict policy (default deny, like the
  distribution's system.conf), polkit's own bus policy and OUR data/org.libvirt.conf; its
  socket lives in a world-searchable temp dir so that non-root clients can connect. The
  bus keeps dbus-daemon's built-in system-bus limits (e.g. 128 pending replies per
  connection), as a real system bus does.
- polkitd: the real /usr/lib/polkit-1/polkitd under `unshare --mount --propagation
  private`, with our folders bind-mounted over its fixed ones (actions: our
  policy/org.libvirt.api.policy; /etc/polkit-1/rules.d: the test's rules;
  /usr/share/polkit-1/rules.d: empty). The host's folders are never touched: the mounts
  exist only in polkitd's namespace and vanish with it. It can be stopped, frozen and
  started again on the same bus and folders.
- virtbusd --system --connect URI as root (the conftest Service class, with
  DBUS_SYSTEM_BUS_ADDRESS pointing at our bus).
- clients as other users: polkit_client.py under setpriv.

everything started here is a direct child and is stopped by close(), also on failure.
"""

import grp
import json
import os
import pwd
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time


from conftest import BAD_STDERR, PrivateBus, Service

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
POLKITD = "/usr/lib/polkit-1/polkitd"
POLKIT_BUS_CONF = "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"
PYTHON = "/usr/bin/python3"
ACTIONS_FILE = os.path.join(TOP, "policy", "org.libvirt.api.policy")
LIBVIRT_BUS_CONF = os.path.join(TOP, "data", "org.libvirt.conf")
RULES_EXAMPLE = os.path.join(TOP, "policy", "50-virtbus.rules.example")
CLIENT = os.path.join(HERE, "polkit_client.py")
POLKIT_NAME = "org.freedesktop.PolicyKit1"

ACCESS_DENIED = "org.freedesktop.DBus.Error.AccessDenied"
INTERACTIVE_REQUIRED = "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

# test users: system users without a home, named after our pid so that two runs on one
# machine do not share (and remove) each other's users; the rules files name them with
# @USER@, @ADMIN@, @DENIED@, @ADMIN_GROUP@ (see rules_text()).
USER = "vbpku%d" % os.getpid()         # per-VM delegation and hidden VMs
ADMIN = "vbpka%d" % os.getpid()        # member of ADMIN_GROUP: may do everything
DENIED = "vbpkd%d" % os.getpid()       # every org.libvirt.api.* action denied by a rule
ADMIN_GROUP = "vbpkg%d" % os.getpid()
OURS = re.compile(r"^vbpk[uadg](\d+)$")


def rules_text(text):
    """a rules file of tests/data/polkit with the test users' names filled in."""
    for k, v in (("@USER@", USER), ("@ADMIN@", ADMIN), ("@DENIED@", DENIED),
                 ("@ADMIN_GROUP@", ADMIN_GROUP)):
        text = text.replace(k, v)
    return text

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <!-- as the distribution's system.conf: root may monitor (dbus-monitor) -->
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{polkit_conf}</include>
  <include>{libvirt_conf}</include>
</busconfig>
"""


def skip_reason():
    """why these tests cannot run here, or None."""
    if os.geteuid() != 0:
        return ("the polkit tests need root: they start polkitd (which drops to user "
                "polkitd), bind-mount in a private mount namespace and create test users")
    need = [POLKITD, POLKIT_BUS_CONF, PYTHON, "/usr/bin/setpriv", "/usr/bin/unshare"]
    missing = [p for p in need if not os.path.exists(p)]
    for tool in ("dbus-daemon", "useradd", "userdel", "groupadd", "groupdel", "mount"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if missing:
        return ("missing %s: run scripts/deps.sh (polkitd, util-linux, dbus-daemon, passwd)"
                % ", ".join(missing))
    try:
        pwd.getpwnam("polkitd")
    except KeyError:
        return "user polkitd does not exist: polkitd is not installed properly (scripts/deps.sh)"
    try:
        pwd.getpwnam("nobody")
        grp.getgrnam("nogroup")
    except KeyError:
        return "user nobody / group nogroup missing"
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                       capture_output=True)
    if r.returncode != 0:
        return "cannot create a mount namespace here: %s" % r.stderr.decode().strip()
    r = subprocess.run([PYTHON, "-c", "import gi; gi.require_version('Gio', '2.0');"
                        "from gi.repository import Gio"], capture_output=True)
    if r.returncode != 0:
        return "%s lacks python3-gi (scripts/deps.sh)" % PYTHON
    return None


# --------------------------------------------------------------------------------------
# users


def _exists(kind, name):
    try:
        (pwd.getpwnam if kind == "user" else grp.getgrnam)(name)
        return True
    except KeyError:
        return False


class UserAccounts:
    """creates the test users and group (removing stale ones of an earlier crashed run
    first) and removes them again."""

    def __init__(self):
        self.created_users = []
        self.created_groups = []
        try:
            self._remove_stale()
            self._groupadd(ADMIN_GROUP)
            self._useradd(USER)
            self._useradd(DENIED)
            self._useradd(ADMIN, ["--groups", ADMIN_GROUP])
        except BaseException:
            self.remove()
            raise

    @staticmethod
    def _remove_stale():
        """users and groups of earlier runs whose process is gone (killed runs)."""
        def stale(name):
            m = OURS.match(name)
            return m is not None and (int(m.group(1)) == os.getpid() or
                                      not os.path.exists("/proc/" + m.group(1)))
        for u in [p.pw_name for p in pwd.getpwall() if stale(p.pw_name)]:
            subprocess.run(["userdel", u], capture_output=True)
        for g in [g.gr_name for g in grp.getgrall() if stale(g.gr_name)]:
            subprocess.run(["groupdel", g], capture_output=True)

    def _groupadd(self, name):
        subprocess.run(["groupadd", "--system", name], check=True, capture_output=True)
        self.created_groups.append(name)

    def _useradd(self, name, extra=()):
        subprocess.run(["useradd", "--system", "--no-create-home", "--user-group",
                        "--shell", "/usr/sbin/nologin"] + list(extra) + [name],
                       check=True, capture_output=True)
        self.created_users.append(name)

    def remove(self):
        errors = []
        for u in reversed(self.created_users):
            r = subprocess.run(["userdel", u], capture_output=True)
            if r.returncode != 0 and _exists("user", u):
                errors.append("userdel %s: %s" % (u, r.stderr.decode().strip()))
        for g in reversed(self.created_groups):
            r = subprocess.run(["groupdel", g], capture_output=True)
            if r.returncode != 0 and _exists("group", g):
                errors.append("groupdel %s: %s" % (g, r.stderr.decode().strip()))
        self.created_users = []
        self.created_groups = []
        return errors


def user_prefix(user):
    """the command prefix that runs a program as @user (None: as ourselves, root)."""
    if user in (None, "root"):
        return []
    if user == "nobody":
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    return ["setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"]


# --------------------------------------------------------------------------------------
# the bus


class SystemBus(PrivateBus):
    """a strict system-type dbus-daemon, our direct child; its socket is open to the
    non-root clients the tests run."""

    def __init__(self, dirname):
        self.socket = os.path.join(dirname, "system_bus_socket")
        super().__init__(dirname, BUS_CONF.format(socket=self.socket,
                                                  polkit_conf=POLKIT_BUS_CONF,
                                                  libvirt_conf=LIBVIRT_BUS_CONF))
        os.chmod(self.socket, 0o777)


# --------------------------------------------------------------------------------------
# polkitd


class Polkitd:
    """the real polkitd in a private mount namespace over our folders; its stdout and
    stderr (debug output and the rules' polkit.log() lines) go to one log file that
    survives restarts."""

    def __init__(self, bus, dirname, actions_dir, rules_dir, empty_dir):
        self.bus = bus
        self.dir = dirname
        self.actions_dir = actions_dir
        self.rules_dir = rules_dir
        self.empty_dir = empty_dir
        self.log_path = os.path.join(dirname, "polkitd.log")
        self.proc = None
        self.frozen = False
        self.starts = 0

    def start(self, timeout=10.0):
        assert self.proc is None or self.proc.poll() is not None, "polkitd already runs"
        script = ("mount --bind '%s' /usr/share/polkit-1/actions && "
                  "mount --bind '%s' /etc/polkit-1/rules.d && "
                  "mount --bind '%s' /usr/share/polkit-1/rules.d && "
                  "exec %s" % (self.actions_dir, self.rules_dir, self.empty_dir, POLKITD))
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               "DBUS_SYSTEM_BUS_ADDRESS": self.bus.address}
        before = self.log_text().count("Finished loading, compiling and executing")
        log = open(self.log_path, "ab")
        try:
            # unshare and sh exec: the child's pid is polkitd's
            self.proc = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        finally:
            log.close()
        self.frozen = False
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("polkitd exited with %s; log:\n%s"
                                     % (self.proc.returncode, self.log_text()))
            loaded = self.log_text().count("Finished loading, compiling and executing")
            if loaded > before and self.bus.has_owner(POLKIT_NAME):
                return
            time.sleep(0.01)
        raise AssertionError("polkitd not ready within %.0fs; log:\n%s"
                             % (timeout, self.log_text()))

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """stops it and waits until its bus name is gone."""
        if not self.running():
            return
        if self.frozen:
            self.thaw()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        deadline = time.monotonic() + 5
        while self.bus.proc.poll() is None and self.bus.has_owner(POLKIT_NAME):
            if time.monotonic() > deadline:
                raise AssertionError("%s still owned after polkitd exited" % POLKIT_NAME)
            time.sleep(0.01)

    def freeze(self):
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.frozen = False

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def mark(self):
        """a position in the log, for lines_since()."""
        try:
            return os.path.getsize(self.log_path)
        except FileNotFoundError:
            return 0

    def lines_since(self, mark, contains=None):
        with open(self.log_path, "rb") as f:
            f.seek(mark)
            text = f.read().decode(errors="replace")
        lines = text.splitlines()
        if contains is not None:
            lines = [l for l in lines if contains in l]
        return lines

    def wait_reload(self, mark, timeout=10.0):
        """waits for polkitd to have reloaded its rules after @mark."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.lines_since(mark, "Finished loading, compiling and executing"):
                return
            time.sleep(0.01)
        raise AssertionError("polkitd did not reload its rules within %.0fs; log since:\n%s"
                             % (timeout, "\n".join(self.lines_since(mark))))


# the catch-all logging rule writes one line per check that reaches polkitd
CHECK_RE = re.compile(r"VBPK-CHECK user=(\S+) action=(\S+) driver=(\S*) domain_name=(\S*) "
                      r"domain_uuid=(\S*) network_name=(\S*) network_uuid=(\S*)")


def parse_checks(lines):
    """[{user, action, driver, domain_name, ...}] from VBPK-CHECK log lines."""
    out = []
    for l in lines:
        m = CHECK_RE.search(l)
        if m:
            out.append(dict(zip(("user", "action", "driver", "domain_name", "domain_uuid",
                                 "network_name", "network_uuid"), m.groups())))
    return out


# --------------------------------------------------------------------------------------
# clients


class Client:
    """a polkit_client.py process as some user; results are read line by line."""

    def __init__(self, env, user, steps, stdin_pipe=False):
        req = json.dumps({"address": env.bus.address, "steps": steps})
        self.user = user
        self.proc = subprocess.Popen(
            user_prefix(user) + [PYTHON, "-s", env.client_path, req],
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/",
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                 "HOME": "/nonexistent", "PYTHONDONTWRITEBYTECODE": "1"})
        env.clients.append(self)
        self.ready = self.read(30)
        assert self.ready.get("ready"), self.ready

    def read(self, timeout=30.0):
        """the next JSON line; raises TimeoutError when none comes in time."""
        try:
            line = read_line_with_timeout_keep(self.proc.stdout, timeout, self)
        except EOFError:
            self.proc.wait()
            raise AssertionError("client as %s ended (exit %s) early; stderr:\n%s"
                                 % (self.user, self.proc.returncode,
                                    self.proc.stderr.read().decode(errors="replace")))
        return json.loads(line)

    def has_line(self, wait=0.0):
        """whether a line is ready to be read (without reading it)."""
        if b"\n" in getattr(self, "_buf", b""):
            return True
        r, _, _ = select.select([self.proc.stdout], [], [], wait)
        return bool(r)

    def go(self):
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()

    def finish(self, timeout=30.0):
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("client as %s did not finish within %.0fs" % (self.user,
                                                                               timeout))
        err = self.proc.stderr.read().decode(errors="replace")
        assert self.proc.returncode == 0, "client as %s exited %s:\n%s" % (
            self.user, self.proc.returncode, err)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr, self.proc.stdin):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass


def read_line_with_timeout_keep(fh, timeout, owner):
    """like conftest.read_line_with_timeout, but keeps what follows the line."""
    deadline = time.monotonic() + timeout
    buf = getattr(owner, "_buf", b"")
    fd = fh.fileno()
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            owner._buf = buf
            raise TimeoutError("no line within %.1fs (got %r)" % (timeout, buf))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                owner._buf = buf
                raise EOFError("EOF before a line (got %r)" % buf)
            buf += chunk
    line, owner._buf = buf.split(b"\n", 1)
    return line.decode()


def call_step(path, iface, method, sig="", args=(), **kw):
    c = {"path": path, "iface": iface, "method": method, "sig": sig, "args": list(args)}
    c.update(kw)
    return {"call": c}


# --------------------------------------------------------------------------------------
# the whole environment


class PolkitEnv:
    """bus + polkitd + virtbusd; close() undoes everything, whatever state it is in."""

    def __init__(self, rules=None, connect="test:///default", with_users=True,
                 virtbusd_env=None, start_polkitd=True):
        """@rules: {file name: text} for /etc/polkit-1/rules.d; @with_users: create the
        test users here (else the caller manages UserAccounts); @start_polkitd: False
        starts virtbusd while polkitd is not running (start it later with
        env.polkitd.start())."""
        self.dir = tempfile.mkdtemp(prefix="vbpk.")
        os.chmod(self.dir, 0o755)
        self.users = None
        self.bus = None
        self.polkitd = None
        self.service = None
        self.clients = []
        self._root = None
        self.virtbusd_stderr = ""
        try:
            self.actions_dir = self._subdir("actions")
            self.rules_dir = self._subdir("rules.d")
            self.empty_dir = self._subdir("empty")
            shutil.copy(ACTIONS_FILE, self.actions_dir)
            for name, text in (rules or {}).items():
                self.write_rule(name, text)
            # nobody must be able to read the client wherever the tree is checked out
            self.client_path = os.path.join(self.dir, "polkit_client.py")
            shutil.copy(CLIENT, self.client_path)
            os.chmod(self.client_path, 0o755)
            if with_users:
                self.users = UserAccounts()
            self.bus = SystemBus(self._subdir("bus"))
            self.polkitd = Polkitd(self.bus, self.dir, self.actions_dir, self.rules_dir,
                                   self.empty_dir)
            if start_polkitd:
                self.polkitd.start()
            env = {"DBUS_SYSTEM_BUS_ADDRESS": self.bus.address}
            env.update(virtbusd_env or {})
            self.service = Service(self.bus, os.path.join(self.dir, "virtbusd"),
                                   args=("--system", "--connect", connect), env=env)
            self.service.wait_for_name()
        except BaseException:
            self.close()
            raise

    def _subdir(self, name):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        return d

    def write_rule(self, name, text):
        """(re)writes a rules file atomically; polkitd notices and reloads."""
        tmp = os.path.join(self.dir, "." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, os.path.join(self.rules_dir, name))

    def remove_rule(self, name):
        os.unlink(os.path.join(self.rules_dir, name))

    @property
    def root(self):
        """a dbus-python connection of ours (uid 0: virtbusd never asks polkit)."""
        if self._root is None:
            self._root = self.bus.connection()
        return self._root

    def client(self, user, steps, stdin_pipe=False):
        return Client(self, user, steps, stdin_pipe)

    def run(self, user, steps, timeout=60.0):
        """runs a client to the end; returns its result lines (without the ready line)."""
        c = Client(self, user, steps)
        try:
            out, err = c.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            c.kill()
            raise AssertionError("client as %s did not finish within %.0fs" % (user, timeout))
        lines = getattr(c, "_buf", b"").decode() + out.decode()
        c.kill()
        assert c.proc.returncode == 0, "client as %s exited %s:\n%s" % (
            user, c.proc.returncode, err.decode(errors="replace"))
        return [json.loads(l) for l in lines.splitlines() if l.strip()]

    def calls(self, user, steps, timeout=60.0):
        """run(), keeping only the results of call steps."""
        return [r for r in self.run(user, steps, timeout) if "method" in r]

    def close(self):
        """stops everything; returns a list of problems (virtbusd not exiting 0 on
        SIGTERM, sanitizer reports, users that could not be removed)."""
        problems = []
        rc = None
        for c in self.clients:
            c.kill()
        self.clients = []
        if self._root is not None:
            try:
                self._root.close()
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
            self._root = None
        if self.service is not None:
            alive = self.service.alive()
            try:
                rc, _ = self.service.terminate()
            except AssertionError as e:
                problems.append(str(e))
            self.service.close()
            err = self.service.stderr()
            self.virtbusd_stderr = err
            bad = [l for l in err.splitlines() if BAD_STDERR.search(l)]
            if not alive:
                problems.append("virtbusd died before teardown (exit %s); stderr:\n%s"
                                % (rc, err))
            elif rc != 0 or bad:
                problems.append("virtbusd exit code %s (expected 0), sanitizer/critical "
                                "lines %r; stderr:\n%s" % (rc, bad, err))
        if self.polkitd is not None:
            try:
                self.polkitd.stop()
            except Exception as e:  # noqa: BLE001
                problems.append("polkitd stop: %s" % e)
                if self.polkitd.proc is not None and self.polkitd.proc.poll() is None:
                    self.polkitd.proc.kill()
                    self.polkitd.proc.wait()
        if self.bus is not None:
            self.bus.stop()
        if self.users is not None:
            problems += self.users.remove()
            self.users = None
        shutil.rmtree(self.dir, ignore_errors=True)
        return problems
