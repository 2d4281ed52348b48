# SPDX-License-Identifier: LGPL-2.1-or-later
"""a bare D-Bus client on a socket: what libdbus and GDBus never send on their own
(big-endian messages, a hundred calls in one write, NO_REPLY_EXPECTED), to check that
virtbusd's own bus connection reads the protocol and not just one library's habits.

only the types the tests use are marshalled: y b u h i s o g, arrays of them, variants
of them (h: the index alone, no descriptor is passed)."""

import os
import socket
import struct

METHOD_CALL, METHOD_RETURN, ERROR, SIGNAL = 1, 2, 3, 4
NO_REPLY_EXPECTED = 0x1
FIELD_PATH, FIELD_INTERFACE, FIELD_MEMBER, FIELD_ERROR_NAME = 1, 2, 3, 4
FIELD_REPLY_SERIAL, FIELD_DESTINATION, FIELD_SENDER, FIELD_SIGNATURE = 5, 6, 7, 8

_FIXED = {"y": ("B", 1), "b": ("I", 4), "u": ("I", 4), "h": ("I", 4), "i": ("i", 4), "n": ("h", 2),
          "q": ("H", 2), "x": ("q", 8), "t": ("Q", 8), "d": ("d", 8)}


def _align(n, a):
    return (n + a - 1) // a * a


def _alignment(sig):
    c = sig[0]
    if c in _FIXED:
        return _FIXED[c][1]
    if c in "sao":
        return 4
    if c in "({":
        return 8
    return 1  # g, v


def _one_type(sig, i=0):
    """the end index of the single complete type starting at sig[i]."""
    c = sig[i]
    if c == "a":
        return _one_type(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        i += 1
        while sig[i] != close:
            i = _one_type(sig, i)
        return i + 1
    return i + 1


def split_signature(sig):
    out, i = [], 0
    while i < len(sig):
        j = _one_type(sig, i)
        out.append(sig[i:j])
        i = j
    return out


class Writer:
    def __init__(self, order):
        self.order = order  # "<" or ">"
        self.buf = bytearray()

    def pad(self, a):
        self.buf += b"\0" * (_align(len(self.buf), a) - len(self.buf))

    def put(self, sig, value):
        c = sig[0]
        if c in _FIXED:
            fmt, size = _FIXED[c]
            self.pad(size)
            self.buf += struct.pack(self.order + fmt, int(value) if c != "d" else value)
        elif c in "so":
            data = value.encode()
            self.pad(4)
            self.buf += struct.pack(self.order + "I", len(data)) + data + b"\0"
        elif c == "g":
            data = value.encode()
            self.buf += bytes([len(data)]) + data + b"\0"
        elif c == "v":
            inner, val = value
            self.put("g", inner)
            self.put(inner, val)
        elif c == "a":
            elem = sig[1:]
            self.pad(4)
            at = len(self.buf)
            self.buf += b"\0\0\0\0"
            self.pad(_alignment(elem))
            start = len(self.buf)
            for v in value:
                self.put(elem, v)
            struct.pack_into(self.order + "I", self.buf, at, len(self.buf) - start)
        elif c == "(":
            self.pad(8)
            for t, v in zip(split_signature(sig[1:-1]), value):
                self.put(t, v)
        else:
            raise ValueError("cannot marshal " + sig)


class Reader:
    def __init__(self, data, order, pos=0):
        self.data, self.order, self.pos = data, order, pos

    def align(self, a):
        self.pos = _align(self.pos, a)

    def get(self, sig):
        c = sig[0]
        if c in _FIXED:
            fmt, size = _FIXED[c]
            self.align(size)
            (v,) = struct.unpack_from(self.order + fmt, self.data, self.pos)
            self.pos += size
            return v
        if c in "so":
            self.align(4)
            (n,) = struct.unpack_from(self.order + "I", self.data, self.pos)
            s = self.data[self.pos + 4:self.pos + 4 + n].decode()
            self.pos += 4 + n + 1
            return s
        if c == "g":
            n = self.data[self.pos]
            s = self.data[self.pos + 1:self.pos + 1 + n].decode()
            self.pos += n + 2
            return s
        if c == "v":
            inner = self.get("g")
            return (inner, self.get(inner))
        if c == "a":
            elem = sig[1:]
            self.align(4)
            (n,) = struct.unpack_from(self.order + "I", self.data, self.pos)
            self.pos += 4
            self.align(_alignment(elem))
            end = self.pos + n
            out = []
            while self.pos < end:
                out.append(self.get(elem))
            return out
        if c == "(":
            self.align(8)
            return tuple(self.get(t) for t in split_signature(sig[1:-1]))
        raise ValueError("cannot read " + sig)


def build_message(order, mtype, flags, serial, fields, signature, args):
    """one message: fields {code: (sig, value)}, body of @signature from @args."""
    body = Writer(order)
    for t, v in zip(split_signature(signature), args):
        body.put(t, v)
    if signature:
        fields = dict(fields)
        fields[FIELD_SIGNATURE] = ("g", signature)
    head = Writer(order)
    head.buf += (b"l" if order == "<" else b"B") + bytes([mtype, flags, 1])
    head.buf += struct.pack(order + "II", len(body.buf), serial)
    head.put("a(yv)", [(code, fields[code]) for code in sorted(fields)])
    head.pad(8)
    return bytes(head.buf) + bytes(body.buf)


class Message:
    def __init__(self, data):
        order = "<" if data[0:1] == b"l" else ">"
        self.type, self.flags = data[1], data[2]
        body_len, self.serial = struct.unpack_from(order + "II", data, 4)
        r = Reader(data, order, 12)
        self.fields = {code: v[1] for code, v in r.get("a(yv)")}
        r.align(8)
        self.signature = self.fields.get(FIELD_SIGNATURE, "")
        self.reply_serial = self.fields.get(FIELD_REPLY_SERIAL)
        self.error_name = self.fields.get(FIELD_ERROR_NAME)
        self.member = self.fields.get(FIELD_MEMBER)
        self.body = tuple(r.get(t) for t in split_signature(self.signature))


def message_size(data):
    order = "<" if data[0:1] == b"l" else ">"
    body_len, _, fields_len = struct.unpack_from(order + "III", data, 4)
    return _align(16 + fields_len, 8) + body_len


def read_message(sock, buf):
    """the next whole message from @sock; @buf (a bytearray) keeps what follows it."""
    while True:
        if len(buf) >= 16:
            size = message_size(buf)
            if len(buf) >= size:
                msg = Message(bytes(buf[:size]))
                del buf[:size]
                return msg
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise EOFError("the peer closed the connection")
        buf += chunk


class RawClient:
    def __init__(self, address, order="<"):
        assert address.startswith("unix:"), address
        params = dict(kv.split("=", 1) for kv in address[5:].split(",") if "=" in kv)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if "path" in params:
            self.sock.connect(params["path"])
        else:
            self.sock.connect("\0" + params["abstract"])
        self.sock.settimeout(30)
        uid = str(os.geteuid()).encode().hex().encode()
        self.sock.sendall(b"\0AUTH EXTERNAL " + uid + b"\r\n")
        line = b""
        while not line.endswith(b"\r\n"):
            line += self.sock.recv(1)
        assert line.startswith(b"OK "), line
        self.sock.sendall(b"BEGIN\r\n")
        self.order = order
        self.serial = 0
        self.buf = bytearray()
        self.unique_name = self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "Hello").body[0]

    def close(self):
        self.sock.close()

    def encode_call(self, dest, path, iface, member, signature="", *args, flags=0):
        self.serial += 1
        fields = {FIELD_PATH: ("o", path), FIELD_MEMBER: ("s", member),
                  FIELD_DESTINATION: ("s", dest)}
        if iface is not None:
            fields[FIELD_INTERFACE] = ("s", iface)
        return self.serial, build_message(self.order, METHOD_CALL, flags, self.serial, fields,
                                          signature, args)

    def send(self, data):
        self.sock.sendall(data)

    def receive(self):
        """the next message of any kind."""
        return read_message(self.sock, self.buf)

    def reply_to(self, serial):
        while True:
            msg = self.receive()
            if msg.type in (METHOD_RETURN, ERROR) and msg.reply_serial == serial:
                return msg

    def call(self, dest, path, iface, member, signature="", *args, flags=0):
        serial, data = self.encode_call(dest, path, iface, member, signature, *args,
                                        flags=flags)
        self.send(data)
        return self.reply_to(serial)


class FakeBus:
    """the daemon's side of one connection, for what a real dbus-daemon will not do on
    request: stop reading, never answer, hang up. Listens on @path; accept() takes the
    service's connection through SASL and Hello."""

    def __init__(self, path):
        self.path = path
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.listener.settimeout(30)
        self.sock = None
        self.buf = bytearray()
        self.serial = 1000
        self.unique_name = ":1.7"

    @property
    def address(self):
        return "unix:path=" + self.path

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.listener.close()

    def accept(self):
        self.sock, _ = self.listener.accept()
        self.sock.settimeout(30)
        line = b""
        while not line.endswith(b"\r\n"):
            line += self.sock.recv(1)
        assert line.startswith(b"\0AUTH EXTERNAL "), line
        self.sock.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
        line = b""
        while not line.endswith(b"\r\n"):
            line += self.sock.recv(1)
        assert line == b"BEGIN\r\n", line
        hello = self.receive()
        assert hello.member == "Hello", hello.member
        self.reply(hello, "s", self.unique_name)

    def receive(self):
        return read_message(self.sock, self.buf)

    def reply(self, call, signature="", *args):
        self.serial += 1
        fields = {FIELD_REPLY_SERIAL: ("u", call.serial),
                  FIELD_DESTINATION: ("s", self.unique_name),
                  FIELD_SENDER: ("s", "org.freedesktop.DBus")}
        self.sock.sendall(build_message("<", METHOD_RETURN, NO_REPLY_EXPECTED, self.serial,
                                        fields, signature, args))

    def call(self, sender, path, iface, member, signature="", *args):
        """a call as the bus delivers it to the service, from @sender; its serial."""
        self.serial += 1
        fields = {FIELD_PATH: ("o", path), FIELD_MEMBER: ("s", member),
                  FIELD_DESTINATION: ("s", self.unique_name), FIELD_SENDER: ("s", sender)}
        if iface is not None:
            fields[FIELD_INTERFACE] = ("s", iface)
        data = build_message("<", METHOD_CALL, 0, self.serial, fields, signature, args)
        return self.serial, data

    def serve_until_owned(self):
        """answers AddMatch and RequestName as the bus would, until the name is asked."""
        while True:
            msg = self.receive()
            if msg.member == "RequestName":
                self.reply(msg, "u", 1)
                return
            self.reply(msg)
