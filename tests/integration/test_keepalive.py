"""Keep-alive without the pipelining hazard of libwebsockets 4.1: sequential
requests on one connection are served on it; bytes of a next request that
arrive before a reply is written make the server answer and close, never
misread a body; slow, half-closed and HTTP/1.0 clients as before."""

import http.client
import json
import socket
import time

from loketlib import Results, Server, http_post_bytes, sign, wa_text

T = Results()
srv = Server().start()


def stored(msg_id):
    return srv.count("inbound", "msg_id = ?", (msg_id,))


def read_response(sock, timeout=5):
    """One HTTP response from sock: (status, headers dict, body), or None
    when the server closed before a whole response arrived."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        b = sock.recv(65536)
        if not b:
            return None
        data += b
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        b = sock.recv(65536)
        if not b:
            return None
        rest += b
    return int(lines[0].split()[1]), headers, rest[:n]


def closed(sock, timeout=3):
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except (socket.timeout, ConnectionResetError):
        return False


# --- sequential requests on one connection ------------------------------
c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
socks = set()
for i in range(20):
    body = json.dumps(wa_text("wamid.ka%d" % i, "hallo %d" % i)).encode()
    c.request("POST", "/webhook/whatsapp", body,
              {"Content-Type": "application/json",
               "X-Hub-Signature-256": sign(body)})
    r = c.getresponse()
    r.read()
    T.ok(r.status == 200, "keep-alive request %d answered 200" % i) \
        if i in (0, 19) else None
    socks.add(id(c.sock))
    if r.getheader("Connection", "").lower() == "close":
        break
T.eq(len(socks), 1, "20 sequential webhooks on one connection")
T.eq(sum(stored("wamid.ka%d" % i) for i in range(20)), 20,
     "every sequential webhook stored")
c.close()

# A refused body (bad signature) keeps the connection too: the body was read.
s = socket.create_connection(("127.0.0.1", srv.port))
body = json.dumps(wa_text("wamid.kabad", "x")).encode()
s.sendall(http_post_bytes("/webhook/whatsapp", body).replace(
    sign(body).encode(), sign(b"other").encode()))
st, h, _ = read_response(s)
T.eq(st, 401, "bad signature on a kept connection is 401")
body = json.dumps(wa_text("wamid.kaafter", "daarna")).encode()
s.sendall(http_post_bytes("/webhook/whatsapp", body))
r = read_response(s)
T.ok(r is not None and r[0] == 200, "next request on the same connection")
T.eq(stored("wamid.kaafter"), 1, "it is stored")
s.close()

# GET replies close: lws would parse leftover bytes as new headers.
s = socket.create_connection(("127.0.0.1", srv.port))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
st, h, _ = read_response(s)
T.ok(st == 200 and h.get("connection") == "close" and closed(s),
     "GET is answered with Connection: close")
s.close()

# --- pipelined: answer the first and close, never misread ---------------
for n in (2, 3):
    ids = ["wamid.pl%d_%d" % (n, i) for i in range(n)]
    data = b"".join(http_post_bytes("/webhook/whatsapp",
                                    json.dumps(wa_text(m, "p")).encode())
                    for m in ids)
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(data)
    r = read_response(s)
    T.ok(r is not None and r[0] == 200 and
         r[1].get("connection") == "close",
         "%d pipelined: first answered 200 with Connection: close" % n)
    T.ok(closed(s), "%d pipelined: then closed" % n)
    T.eq(stored(ids[0]), 1, "%d pipelined: first stored" % n)
    s.close()

# The second request arrives while the first waits for its commit.
s = socket.create_connection(("127.0.0.1", srv.port))
b1 = http_post_bytes("/webhook/whatsapp",
                     json.dumps(wa_text("wamid.late1", "een")).encode())
b2 = http_post_bytes("/webhook/whatsapp",
                     json.dumps(wa_text("wamid.late2", "twee")).encode())
s.sendall(b1)
s.sendall(b2[:40])
r = read_response(s)
T.ok(r is not None and r[0] == 200, "partly pipelined: first answered")
if r is not None and r[1].get("connection") != "close":
    # The reply went out before the bytes arrived: a plain keep-alive
    # connection, and the second request must be read whole.
    s.sendall(b2[40:])
    r2 = read_response(s)
    T.ok(r2 is not None and r2[0] == 200, "partly pipelined: second whole")
else:
    T.ok(closed(s), "partly pipelined: closed after the first")
s.close()
T.eq(srv.count("inbound", "msg_id LIKE 'wamid.late%' AND text NOT IN "
               "('een', 'twee')"), 0, "no body misread")

t0 = time.time()
st, _ = srv.request("GET", "/healthz")
T.ok(st == 200 and time.time() - t0 < 1, "pipelining: server not spinning")

# --- slow and half-closed clients on a kept connection ------------------
s = socket.create_connection(("127.0.0.1", srv.port))
req = http_post_bytes("/webhook/whatsapp",
                      json.dumps(wa_text("wamid.kslow", "traag")).encode())
for part in (req[:30], req[30:150], req[150:]):
    s.sendall(part)
    time.sleep(0.3)
r = read_response(s)
T.ok(r is not None and r[0] == 200, "slow client answered")
req = http_post_bytes("/webhook/whatsapp",
                      json.dumps(wa_text("wamid.kslow2", "nog")).encode())
s.sendall(req)
s.shutdown(socket.SHUT_WR)
r = read_response(s)
T.ok(r is None or r[0] == 200, "half-closed second request: 200 or nothing")
for _ in range(50):
    if stored("wamid.kslow2"):
        break
    time.sleep(0.05)
T.eq(stored("wamid.kslow2"), 1, "half-closed second request stored")
s.close()

# HTTP/1.0 without keep-alive: one request, then close.
s = socket.create_connection(("127.0.0.1", srv.port))
s.sendall(http_post_bytes("/webhook/whatsapp",
                          json.dumps(wa_text("wamid.h10", "oud")).encode())
          .replace(b"HTTP/1.1", b"HTTP/1.0", 1))
r = read_response(s)
T.ok(r is not None and r[0] == 200 and closed(s), "HTTP/1.0 answered, closed")
s.close()

# An idle kept connection does not block others, and times out.
s = socket.create_connection(("127.0.0.1", srv.port))
s.sendall(http_post_bytes("/webhook/whatsapp",
                          json.dumps(wa_text("wamid.idle", "x")).encode()))
read_response(s)
st, _ = srv.request("GET", "/healthz")
T.eq(st, 200, "an idle kept connection does not block others")
s.close()

T.ok(srv.alive(), "server alive after all of it")
srv.stop()
T.ok(srv.sanitizer_clean(), "no sanitizer report in the server log")
srv.cleanup()
T.report()
