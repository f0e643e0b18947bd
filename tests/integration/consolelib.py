"""Helpers for the staff console tests: accounts through `loket staff`,
a cookie-keeping API client, rows for conversations and cases, and a
minimal websocket client over a raw socket.  Standard library only."""

import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import time

from loketlib import BIN, ROOT


def staff_add(srv, name, password, role="staff"):
    p = subprocess.run([BIN, "staff", "add", name, "--role", role,
                        "--db", srv.db], input=password + "\n",
                       capture_output=True, text=True, cwd=ROOT,
                       env=srv.env)
    return p.returncode, p.stdout, p.stderr


def staff_cmd(srv, *args, stdin=""):
    p = subprocess.run([BIN, "staff"] + list(args) + ["--db", srv.db],
                       input=stdin, capture_output=True, text=True,
                       cwd=ROOT, env=srv.env)
    return p.returncode, p.stdout, p.stderr


class Client:
    """One browser's worth of state: the session cookie and CSRF token."""

    def __init__(self, srv):
        self.srv = srv
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, headers=None, csrf=True):
        h = {}
        data = None
        if body is not None or method == "POST":
            data = json.dumps(body if body is not None else {}).encode()
            h["Content-Type"] = "application/json"
        if self.cookie:
            h["Cookie"] = "loket_session=" + self.cookie
        if method == "POST" and csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=20)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
            # A JSON reply that does not parse fails the test (it raises),
            # never passes as "no body"; pages and scripts are not JSON.
            j = None
            if raw and "json" in (r.getheader("Content-Type") or ""):
                j = json.loads(raw)
            return r.status, j, r
        finally:
            c.close()

    def login(self, name, password, headers=None):
        st, j, r = self.call("POST", "/api/login",
                             {"name": name, "password": password},
                             headers=headers)
        if st == 200:
            for k, v in r.getheaders():
                if k.lower() == "set-cookie" and v.startswith("loket_session="):
                    self.cookie = v.split(";")[0].split("=", 1)[1]
            self.csrf = j["csrf"]
        return st, j, r


def now_ms():
    return int(time.time() * 1000)


def add_conversation(srv, user_id, name, mode="bot", waiting=False,
                     staff=None, agency="demo", channel="whatsapp",
                     texts=(), last_in_ago_ms=60000, abuse=0):
    """A conversation with citizen messages, as the engine would leave it."""
    t = now_ms()
    cid = srv.query(
        "INSERT INTO conversations (agency, channel, user_id, user_phone,"
        " user_name, mode, staff, started_at, last_in_at, waiting_since,"
        " abuse) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        (agency, channel, user_id, user_id if channel == "whatsapp"
         else None, name, mode, staff, t - 120000, t - last_in_ago_ms,
         t - 90000 if waiting else None, abuse))[0][0]
    srv.script([
        ("INSERT INTO inbound (channel, agency, account_id, user_id,"
         " user_name, msg_id, kind, type, text, meta_ts, received_at,"
         " raw, processed, conversation_id) VALUES (?,?,?,?,?,?,"
         "'message','text',?,?,?,'{}',1,?)",
         (channel, agency, "106540352242922", user_id, name,
          "m.%s.%d.%d" % (user_id, cid, i), text, t - 100000 + i,
          t - 100000 + i, cid)) for i, text in enumerate(texts)])
    return cid


def add_case(srv, ref, conv_id=None, agency="demo", channel="whatsapp",
             deadline_in_ms=30 * 86400000, name="Els Peeters"):
    t = now_ms()
    seq = int(ref.rsplit("-", 1)[1])
    srv.query(
        "INSERT INTO cases (reference, agency, year, seq, channel,"
        " conversation_id, name, email, description, received_at,"
        " deadline_at, updated_at) VALUES (?,?,2026,?,?,?,?,?,?,?,?,?)",
        (ref, agency, seq, channel, conv_id, name, "els@example.be",
         "De tram kwam niet", t, t + deadline_in_ms, t))


class WebSocket:
    """Just enough of RFC 6455 for the tests: handshake, text frames."""

    def __init__(self, port, path="/api/live", cookie=None, origin=None,
                 protocol="console"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket"
               "\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n" % (path, port, key))
        if protocol:
            req += "Sec-WebSocket-Protocol: %s\r\n" % protocol
        if cookie:
            req += "Cookie: loket_session=%s\r\n" % cookie
        if origin:
            req += "Origin: %s\r\n" % origin
        self.sock.sendall((req + "\r\n").encode())
        self.buf = b""
        self.status = 0
        try:
            while b"\r\n\r\n" not in self.buf:
                b = self.sock.recv(4096)
                if not b:
                    break
                self.buf += b
        except socket.timeout:
            pass
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        line = head.split(b"\r\n")[0].split()
        if len(line) >= 2 and line[1].isdigit():
            self.status = int(line[1])

    def _read(self, n, deadline):
        while len(self.buf) < n:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            b = self.sock.recv(65536)
            if not b:
                raise EOFError("closed")
            self.buf += b
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=5):
        """The next text message as JSON; EOFError when closed."""
        deadline = time.time() + timeout
        while True:
            h = self._read(2, deadline)
            op, ln = h[0] & 0x0F, h[1] & 0x7F
            if ln == 126:
                ln = struct.unpack(">H", self._read(2, deadline))[0]
            elif ln == 127:
                ln = struct.unpack(">Q", self._read(8, deadline))[0]
            data = self._read(ln, deadline)
            if op == 8:
                raise EOFError("close frame")
            if op == 1:
                return json.loads(data)

    def recv_until(self, pred, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv(max(0.05, deadline - time.time()))
            if pred(m):
                return m
        raise TimeoutError("no matching message")

    def arrives(self, pred, timeout=5):
        """True when a message matching pred comes within timeout."""
        try:
            self.recv_until(pred, timeout)
            return True
        except (TimeoutError, OSError, EOFError):
            return False

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        h = bytes([0x81])
        if len(data) < 126:
            h += bytes([0x80 | len(data)])
        else:
            h += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(h + mask + body)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
