#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""a D-Bus client for the polkit tests, run as a subprocess under another uid.

usage: polkit_client.py REQUEST_JSON

the request: {"address": "unix:path=...", "steps": [STEP, ...]}. steps, in order:
  {"call": {"path", "iface", "method", "sig", "args": [...] | "text": "GVariant text",
            "dest": "org.libvirt", "interactive": false, "timeout": 60}, "repeat": 1}
      one method call (or @repeat identical ones) on the current connection; each prints
      {"ok": true, "value": ..., "elapsed": s} or
      {"ok": false, "error": "org.freedesktop.DBus.Error.AccessDenied", "message": ...}
  {"reconnect": true}   close the connection and open a new one (a new unique name)
  {"wait": true}        read one line from stdin first (lets the test interleave)
  {"subscribe": {"sender", "iface", "member", "path"}}  collect matching signals
  {"collect": SECONDS}  run the main loop that long, print {"signals": [[path, member,
                        args], ...]} and forget them
  {"sleep": SECONDS}
the first line printed is {"ready": true, "name": ":1.N", "uid": N}. every line is flushed
at once. Gio is used because dbus-python cannot set ALLOW_INTERACTIVE_AUTHORIZATION.
"""

import json
import os
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def connect(address):
    return Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)


def plain(v):
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, GLib.Variant):
        return plain(v.unpack())
    if isinstance(v, bytes):
        return list(v)
    return v


def params_of(c):
    sig = c.get("sig", "")
    if "text" in c:
        return GLib.Variant.parse(GLib.VariantType.new("(%s)" % sig), c["text"], None, None)
    if not sig:
        return None
    return GLib.Variant("(%s)" % sig, tuple(c.get("args", [])))


def do_call(conn, c):
    flags = Gio.DBusCallFlags.NONE
    if c.get("interactive"):
        flags |= Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION
    t0 = time.monotonic()
    try:
        reply = conn.call_sync(c.get("dest", "org.libvirt"), c["path"], c["iface"], c["method"],
                               params_of(c), None, flags, int(c.get("timeout", 60) * 1000), None)
        res = {"ok": True, "value": plain(reply.unpack()) if reply is not None else None}
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e)
        msg = e.message
        # the Python copy keeps GDBus's "GDBus.Error:NAME: " prefix: strip it here
        prefix = "GDBus.Error:%s: " % name
        if name and msg.startswith(prefix):
            msg = msg[len(prefix):]
        res = {"ok": False, "error": name or ("local:%s:%d" % (GLib.quark_to_string(e.domain),
                                                                e.code)),
               "message": msg}
    res["elapsed"] = time.monotonic() - t0
    res["method"] = c["method"]
    return res


def main():
    req = json.loads(sys.argv[1])
    address = req["address"]
    conn = connect(address)
    signals = []
    subs = []

    def on_signal(_conn, sender, path, iface, member, params):
        signals.append([path, member, plain(params.unpack())])

    out({"ready": True, "name": conn.get_unique_name(), "uid": os.getuid()})
    ctx = GLib.MainContext.default()
    for step in req.get("steps", []):
        if "call" in step:
            for _ in range(int(step.get("repeat", 1))):
                out(do_call(conn, step["call"]))
        elif step.get("reconnect"):
            for s in subs:
                conn.signal_unsubscribe(s)
            subs = []
            conn.close_sync(None)
            conn = connect(address)
            out({"reconnected": True, "name": conn.get_unique_name()})
        elif step.get("wait"):
            line = sys.stdin.readline()
            if not line:
                return 0
        elif "subscribe" in step:
            s = step["subscribe"]
            subs.append(conn.signal_subscribe(s.get("sender"), s.get("iface"), s.get("member"),
                                              s.get("path"), None, Gio.DBusSignalFlags.NONE,
                                              on_signal))
            # the AddMatch must be in place before the test acts: a round trip to the bus
            conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "GetId", None, None,
                           Gio.DBusCallFlags.NONE, 10000, None)
            out({"subscribed": True})
        elif "collect" in step:
            deadline = time.monotonic() + float(step["collect"])
            while time.monotonic() < deadline:
                while ctx.pending():
                    ctx.iteration(False)
                time.sleep(0.01)
            while ctx.pending():
                ctx.iteration(False)
            out({"signals": signals[:]})
            signals.clear()
        elif "sleep" in step:
            time.sleep(float(step["sleep"]))
    conn.close_sync(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
