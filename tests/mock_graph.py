#!/usr/bin/env python3
"""Mock Graph API for Loket's tests (Python 3 standard library only).

Listens on 127.0.0.1, records every request as one JSON line (method, path,
query, headers, body, and the answer given) and answers like Meta:
  POST /{phone_number_id}/messages  -> WhatsApp shape (wamid.mock.N),
                                       {"success":true} for mark-as-read
  POST /me/messages                 -> {"recipient_id":..,"message_id":"m_mock.N"}
  POST /me/pass_thread_control      -> {"success":true}

Faults, for the next N requests (--count) or a percentage (--percent), set on
the command line or at run time with POST /_mock/fault {"mode":..,...}:
  500     HTTP 500 with a body that is not Meta JSON
  429     HTTP 429 with Retry-After: --retry-after seconds
  error   HTTP --http (400) with Meta's error JSON for --code (e.g. 131047)
  slow    answer normally after --delay seconds
  drop    close the connection without answering
Control: POST /_mock/reset (faults off), GET /_mock/stats (counts),
GET /_mock/requests (the recorded lines as a JSON array).

Media (what a citizen sent), registered with POST /_mock/media
{"id", "content_type", "data_b64" | "size" (that many bytes of a JPEG),
 "fail": N (the next N downloads answer 500), "file_size": announced size,
 "url": the URL the media id answers with, "mime_type": Meta's type}:
  GET /{media-id}        (bearer required) -> {url, mime_type, sha256,
                                               file_size, id} (WhatsApp)
  GET /_media/{id}       (bearer required) -> the bytes (WhatsApp's URL)
  GET /_cdn/{id}         (no token)        -> the bytes (Messenger's URL)
Unknown ids answer 404 with Meta's error JSON.

Usage: mock_graph.py [--port N] [--port-file F] [--record F] [--idle S] ...
With --port 0 (default) a free port is chosen and printed as "PORT n".
Stops by itself after --idle seconds without requests, and on SIGTERM.
"""
import argparse
import base64
import json
import random
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ERRORS = {
    131047: "Re-engagement message",
    131026: "Message undeliverable",
    190: "Error validating access token: Session has expired",
    100: "Invalid parameter",
    130429: "Rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131000: "Something went wrong",
    4: "Application request limit reached",
}


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.seq = 0
        self.last = time.monotonic()
        self.record = open(args.record, "a", encoding="utf-8") if args.record else None
        self.stats = {"requests": 0, "accepted": 0, "faults": 0, "connections": 0}
        self.lines = []
        self.media = {}
        self.set_fault(vars(args))

    def set_fault(self, f):
        self.mode = f.get("mode") or f.get("fault")
        self.count = int(f.get("count") or 0)
        self.percent = float(f.get("percent") or 0)
        self.code = int(f.get("code") or 131000)
        self.http = int(f.get("http") or 400)
        self.retry_after = int(f.get("retry_after") or 1)
        self.delay = float(f.get("delay") or 2)
        if self.mode and self.count == 0 and self.percent == 0:
            self.percent = 100      # a fault alone means every request

    def pick_fault(self):
        """The fault for this request, or None (under the lock)."""
        if not self.mode:
            return None
        if self.count > 0:
            self.count -= 1
            return self.mode
        if self.percent > 0 and random.random() * 100 < self.percent:
            return self.mode
        return None

    def log(self, entry):
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock:
            self.lines.append(entry)
            if self.record:
                self.record.write(line + "\n")
                self.record.flush()


STATE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive: Loket should reuse connections

    def log_message(self, fmt, *a):
        pass

    def setup(self):
        super().setup()
        with STATE.lock:
            STATE.stats["connections"] += 1
            self.conn_no = STATE.stats["connections"]

    def reply(self, status, obj, headers=None):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        STATE.last = time.monotonic()
        if self.path.startswith("/_mock/stats"):
            with STATE.lock:
                self.reply(200, dict(STATE.stats))
        elif self.path.startswith("/_mock/requests"):
            with STATE.lock:
                self.reply(200, list(STATE.lines))
        else:
            self.media_get()

    def send_bytes(self, status, ctype, data):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # Loket hung up on a download over its size limit.
            self.close_connection = True

    def media_get(self):
        """The media API: metadata, then bytes (see the module text)."""
        url = urlsplit(self.path)
        path = re.sub(r"^/v[0-9]+\.[0-9]+/", "/", url.path)
        auth = self.headers.get("Authorization") or ""
        with STATE.lock:
            STATE.stats["requests"] += 1
            STATE.seq += 1
            seq = STATE.seq
        entry = {"ts": time.time(), "seq": seq, "conn": self.conn_no,
                 "method": "GET", "path": url.path, "query": url.query,
                 "headers": dict(self.headers.items())}
        m = re.match(r"^/(_media|_cdn)/([^/]+)$", path) or \
            re.match(r"^/()([A-Za-z0-9._-]+)$", path)
        with STATE.lock:
            med = STATE.media.get(m.group(2)) if m else None
            fail = False
            if med is not None and m.group(1) and med.get("fail", 0) > 0:
                med["fail"] -= 1
                fail = True
        if med is None:
            status = 404
            self.reply(404, {"error": {"message": "(#100) Invalid media id",
                                       "type": "OAuthException", "code": 100}})
        elif m.group(1) != "_cdn" and not auth.startswith("Bearer "):
            status = 401
            self.reply(401, {"error": {"message": "no token", "code": 190}})
        elif fail:
            status = 500
            self.reply(500, b"Internal Server Error")
        elif m.group(1):
            status = 200
            self.send_bytes(200, med["content_type"], med["data"])
        else:
            status = 200
            self.reply(200, {
                "messaging_product": "whatsapp",
                "url": med.get("url") or "http://127.0.0.1:%d/_media/%s" % (
                    self.server.server_address[1], m.group(2)),
                "mime_type": med.get("mime_type", med["content_type"]),
                "sha256": "mock", "file_size": med.get("file_size", len(med["data"])),
                "id": m.group(2)})
        entry["answer"] = status
        STATE.log(entry)

    def do_POST(self):
        STATE.last = time.monotonic()
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        url = urlsplit(self.path)
        if url.path.startswith("/_mock/"):
            return self.control(url.path, raw)
        path = re.sub(r"^/v[0-9]+\.[0-9]+/", "/", url.path)   # version prefix
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with STATE.lock:
            STATE.stats["requests"] += 1
            fault = STATE.pick_fault()
            STATE.seq += 1
            seq = STATE.seq
        entry = {"ts": time.time(), "seq": seq, "conn": self.conn_no, "method": "POST",
                 "path": url.path, "query": url.query,
                 "headers": dict(self.headers.items()), "body": body}
        try:
            status = self.answer(fault, path, body, seq)
        except (BrokenPipeError, ConnectionResetError):
            # The client died waiting (SIGKILL test): Meta would still have
            # taken the message, so it counts as answered.
            status, entry["client_gone"] = 200, True
            self.close_connection = True
        entry["answer"] = status
        entry["fault"] = fault
        STATE.log(entry)

    def answer(self, fault, path, body, seq):
        if fault == "slow":
            time.sleep(STATE.delay)
        elif fault:
            with STATE.lock:
                STATE.stats["faults"] += 1
        if fault == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return 0
        if fault == "500":
            self.reply(500, b"Internal Server Error")
            return 500
        if fault == "429":
            self.reply(429, {"error": {"message": "(#4) Application request limit reached",
                                       "type": "OAuthException", "code": 4}},
                       {"Retry-After": str(STATE.retry_after)})
            return 429
        if fault == "error":
            code = STATE.code
            self.reply(STATE.http, {"error": {
                "message": "(#%d) %s" % (code, ERRORS.get(code, "Error")),
                "type": "OAuthException", "code": code,
                "error_data": {"messaging_product": "whatsapp",
                               "details": ERRORS.get(code, "Error")},
                "fbtrace_id": "Amock%d" % seq}})
            return STATE.http
        with STATE.lock:
            STATE.stats["accepted"] += 1
        self.reply(200, self.success(path, body, seq))
        return 200

    @staticmethod
    def success(path, body, seq):
        if not isinstance(body, dict):
            body = {}
        if path.endswith("/pass_thread_control"):
            return {"success": True}
        if path.startswith("/me/"):
            rid = (body.get("recipient") or {}).get("id", "")
            if "sender_action" in body:
                return {"recipient_id": rid}
            return {"recipient_id": rid, "message_id": "m_mock.%d" % seq}
        if body.get("status") == "read":
            return {"success": True}
        to = str(body.get("to", ""))
        return {"messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                "messages": [{"id": "wamid.mock.%d" % seq}]}

    def control(self, path, raw):
        try:
            f = json.loads(raw.decode("utf-8") or "{}")
        except ValueError:
            return self.reply(400, {"error": "bad json"})
        with STATE.lock:
            if path == "/_mock/fault":
                STATE.set_fault(f)
            elif path == "/_mock/media":
                if "data_b64" in f:
                    data = base64.b64decode(f["data_b64"])
                else:
                    n = int(f.get("size") or 64)
                    data = (b"\xff\xd8\xff\xe0" + b"\0" * n)[:max(n, 4)]
                f["data"] = data
                f.setdefault("content_type", "image/jpeg")
                STATE.media[str(f["id"])] = f
            elif path == "/_mock/reset":
                STATE.set_fault({})
            else:
                return self.reply(404, {"error": "unknown control"})
        self.reply(200, {"ok": True})


def main():
    global STATE
    ap = argparse.ArgumentParser(description="Mock Graph API")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--record")
    ap.add_argument("--idle", type=float, default=300, help="exit after S idle seconds")
    ap.add_argument("--fault", choices=["500", "429", "error", "slow", "drop"])
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--percent", type=float, default=0)
    ap.add_argument("--code", type=int, default=131000)
    ap.add_argument("--http", type=int, default=400)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--delay", type=float, default=2)
    ap.add_argument("--seed", type=int)
    args = ap.parse_args()
    if args.seed is not None:
        random.seed(args.seed)
    STATE = State(args)
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
    print("PORT %d" % port, flush=True)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def idle():
        while True:
            time.sleep(0.5)
            if time.monotonic() - STATE.last > args.idle:
                srv.shutdown()
                return
    threading.Thread(target=idle, daemon=True).start()
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    if STATE.record:
        STATE.record.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
