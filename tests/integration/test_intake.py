"""Webhook intake end to end: handshake, signatures, limits, every fixture
stored, duplicates once, hostile clients, durability across SIGKILL,
reload and shutdown."""

import glob
import json
import os
import signal
import socket
import threading
import time

from loketlib import (ROOT, SECRET, VERIFY, Results, Server, http_post_bytes,
                      ms_text, raw_http, sign, wa_text)

T = Results()
srv = Server().start()


def stored(msg_id):
    return srv.count("inbound", "msg_id = ?", (msg_id,))


def totals():
    return (srv.count("inbound"), srv.count("statuses"),
            srv.count("unexpected"))


# --- verification handshake -------------------------------------------
for ch in ("whatsapp", "messenger"):
    st, body = srv.request("GET", "/webhook/%s?hub.mode=subscribe&"
                           "hub.verify_token=%s&hub.challenge=1158201444"
                           % (ch, VERIFY))
    T.eq((st, body), (200, b"1158201444"), "%s handshake echoes challenge" % ch)
    st, _ = srv.request("GET", "/webhook/%s?hub.mode=subscribe&"
                        "hub.verify_token=wrong&hub.challenge=1" % ch)
    T.eq(st, 403, "%s handshake with a wrong token is 403" % ch)
st, _ = srv.request("GET", "/webhook/whatsapp?hub.mode=unsubscribe&"
                    "hub.verify_token=%s&hub.challenge=1" % VERIFY)
T.eq(st, 403, "handshake with another mode is 403")
st, _ = srv.request("GET", "/webhook/whatsapp?hub.verify_token=%s" % VERIFY)
T.eq(st, 403, "handshake without challenge is 403")
st, body = srv.request("GET", "/webhook/whatsapp?junk=" + "x" * 3000 +
                       "&hub.mode=subscribe&hub.verify_token=%s&"
                       "hub.challenge=abc%%20def" % VERIFY)
T.eq((st, body), (200, b"abc def"), "long argument before the challenge")

# --- signatures --------------------------------------------------------
before = totals()
body = json.dumps(wa_text("wamid.sig1", "hallo")).encode()
st, _ = srv.post("whatsapp", body, signature=None)
T.eq(st, 401, "missing signature is 401")
st, _ = srv.post("whatsapp", body, signature="sha256=zz")
T.eq(st, 401, "malformed signature is 401")
st, _ = srv.post("whatsapp", body, signature="sha1=" + "0" * 40)
T.eq(st, 401, "sha1 signature alone is 401")
st, _ = srv.post("whatsapp", body, signature=sign(body, "other-secret"))
T.eq(st, 401, "signature with another secret is 401")
st, _ = srv.post("whatsapp", body, signature=sign(body + b" "))
T.eq(st, 401, "signature of another body is 401")
st, _ = srv.post("whatsapp", body, signature=sign(body).upper().replace(
    "SHA256=", "sha256="))
T.eq(st, 200, "upper-case hex signature is accepted")
T.eq(totals()[0], before[0] + 1, "only the correctly signed post was stored")

# Meta signs the escaped form: hash exactly the bytes that arrived.
esc = (b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":'
       b'[{"field":"messages","value":{"messaging_product":"whatsapp",'
       b'"metadata":{"phone_number_id":"106540352242922"},"contacts":'
       b'[{"profile":{"name":"Ren\\u00e9"},"wa_id":"32470000001"}],'
       b'"messages":[{"from":"32470000001","id":"wamid.esc1","timestamp":'
       b'"1764500000","type":"text","text":{"body":"caf\\u00e9 \\ud83d\\ude21'
       b' http:\\/\\/x"}}]}}]}]}')
st, _ = srv.post("whatsapp", esc)
T.eq(st, 200, "escaped unicode body accepted")
row = srv.query("SELECT text, user_name FROM inbound WHERE msg_id = 'wamid.esc1'")
T.eq(row, [("caf\u00e9 \U0001F621 http://x", "Ren\u00e9")],
     "escapes decoded to UTF-8 when stored")

# --- limits and malformed bodies ---------------------------------------
before = totals()
big = b'{"object":"page","entry":[]' + b" " * (4 * 1024 * 1024) + b"}"
resp = raw_http(srv.port, http_post_bytes("/webhook/messenger", big)[:70000])
T.ok(resp.startswith(b"HTTP/1.1 413"), "body over 4 MiB is 413", resp[:40])
# Signed bodies jansson cannot read are Meta's all the same: never refused
# (a 400 makes Meta retry for days), kept raw once (issue 14 item 10).
for name, bad in [("not JSON", b"hello"), ("truncated JSON", body[:-7]),
                  ("invalid UTF-8", b'{"object":"page","x":"\xff\xfe"}'),
                  ("deep nesting", b"[" * 100000 + b"]" * 100000),
                  ("empty body", b"")]:
    n = srv.count("unexpected")
    st, _ = srv.post("whatsapp", bad)
    T.eq(st, 200, "%s is 200" % name)
    T.eq(srv.count("unexpected"), n + 1, "%s kept raw, once" % name)
    st, _ = srv.post("whatsapp", bad)
    T.eq((st, srv.count("unexpected")), (200, n + 1),
         "%s sent again: 200, not kept twice" % name)
# Bytes PostgreSQL cannot hold in text (not UTF-8, NUL) are kept as \xNN
# there and on SQLite alike; a backslash then reads \\.
T.eq(srv.query("SELECT raw FROM unexpected WHERE raw LIKE ?",
               ('%"x":%',)), [('{"object":"page","x":"\\xff\\xfe"}',)],
     "invalid UTF-8 kept with its bytes as \\xNN")
st, _ = srv.post("whatsapp", b'{"a":"\\n\x00\xc3\xa9"}')
T.eq((st, srv.query("SELECT raw FROM unexpected WHERE raw LIKE ?",
                    ('{"a"%',))), (200, [('{"a":"\\\\n\\x00\xe9"}',)]),
     "a NUL byte kept as \\x00, a backslash doubled, UTF-8 as it came")
before = totals()
resp = raw_http(srv.port, b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\nX-Hub-Signature-256: "
                + sign(b"{}").encode() + b"\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
T.ok(resp.startswith(b"HTTP/1.1 411"), "chunked body is 411", resp[:40])
resp = raw_http(srv.port, b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
                b"X-Hub-Signature-256: " + sign(b"{}").encode() + b"\r\n\r\n")
T.ok(resp.startswith(b"HTTP/1.1 411"), "POST without Content-Length is 411",
     resp[:40])
resp = raw_http(srv.port, b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 12abc\r\nX-Hub-Signature-256: x\r\n\r\n")
T.ok(resp.startswith(b"HTTP/1.1 4"), "bad Content-Length refused", resp[:40])
T.eq(totals(), before, "rejected requests stored nothing")
near = json.dumps(ms_text("m.big", "x" * (3 * 1024 * 1024))).encode()
st, _ = srv.post("messenger", near)
T.eq((st, stored("m.big")), (200, 1), "a 3 MB body is accepted and stored")

# A signed body of an unexpected shape: 200, kept raw.
for name, odd in [("unknown object", {"object": "instagram", "entry": []}),
                  ("entry not a list", {"object": "page", "entry": 5}),
                  ("huge array", {"object": "whatsapp_business_account",
                                  "entry": [{"id": str(i)} for i in
                                            range(100000)]})]:
    n = srv.count("unexpected")
    st, _ = srv.post("whatsapp", odd)
    T.eq(st, 200, "%s: 200" % name)
    T.ok(srv.count("unexpected") > n, "%s: kept raw" % name)

# Header and query abuse.
resp = raw_http(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " +
                b"a" * 20000 + b"\r\n\r\n")
T.ok(not resp.startswith(b"HTTP/1.1 200"), "oversized headers refused",
     resp[:40])
resp = raw_http(srv.port, b"GET /webhook/whatsapp?hub.challenge=" +
                b"9" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
T.ok(not resp.startswith(b"HTTP/1.1 200"), "oversized query refused",
     resp[:40])
st, _ = srv.request("PUT", "/webhook/whatsapp", b"{}")
T.ok(st in (400, 405), "PUT refused (%d)" % st)
st, _ = srv.request("GET", "/nothing-here")
T.eq(st, 404, "unknown path is 404")
T.ok(srv.alive(), "server still running after abuse")

# --- every fixture, and duplicates ------------------------------------
for ch in ("whatsapp", "messenger"):
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", ch,
                                              "*.json"))):
        with open(path, "rb") as f:
            fx = f.read()
        before = totals()
        st, _ = srv.post(ch, fx)
        name = os.path.basename(path)
        T.eq(st, 200, "%s/%s accepted" % (ch, name))
        after = totals()
        T.ok(after != before, "%s/%s stored something" % (ch, name))
        st, _ = srv.post(ch, fx)
        T.eq(totals(), after, "%s/%s posted twice is stored once" % (ch, name))

batch = wa_text("wamid.b1", "een")
batch["entry"][0]["changes"][0]["value"]["messages"] += [
    {"from": "32470123456", "id": "wamid.b2", "timestamp": "1764500001",
     "type": "text", "text": {"body": "twee"}},
    {"from": "32470123456", "id": "wamid.b3", "timestamp": "1764500002",
     "type": "text", "text": {"body": "drie"}}]
st, _ = srv.post("whatsapp", batch)
T.eq([stored("wamid.b%d" % i) for i in (1, 2, 3)], [1, 1, 1],
     "every message of a batch stored")

st, _ = srv.post("whatsapp", wa_text("wamid.unr", "hallo",
                                     phone_number_id="999"))
T.eq(srv.query("SELECT agency FROM inbound WHERE msg_id='wamid.unr'"),
     [("demo",)], "built-in defaults route an unknown number to the demo")

# --- hostile clients never stop the server answering others ----------
b1 = json.dumps(wa_text("wamid.pipe1", "een")).encode()
b2 = json.dumps(wa_text("wamid.pipe2", "twee")).encode()
resp = raw_http(srv.port, http_post_bytes("/webhook/whatsapp", b1) +
                http_post_bytes("/webhook/whatsapp", b2))
T.ok(resp.startswith(b"HTTP/1.1 200"), "pipelined: first answered")
T.eq(stored("wamid.pipe1"), 1, "pipelined: first stored")
t0 = time.time()
st, _ = srv.request("GET", "/healthz")
T.ok(st == 200 and time.time() - t0 < 1, "pipelined: server not spinning")

b3 = json.dumps(wa_text("wamid.slow", "traag")).encode()
req = http_post_bytes("/webhook/whatsapp", b3)
result = {}


def slow_client():
    result["slow"] = raw_http(srv.port, None, chunks=[req[:50], req[50:200],
                                                      req[200:]], delay=0.4)


th = threading.Thread(target=slow_client)
th.start()
time.sleep(0.2)
st, _ = srv.post("whatsapp", wa_text("wamid.fast", "snel"))
T.eq(st, 200, "a fast client is served while a slow one trickles")
th.join()
T.ok(result["slow"].startswith(b"HTTP/1.1 200"), "slow client answered")
T.eq(stored("wamid.slow"), 1, "slow client's message stored")

b4 = json.dumps(wa_text("wamid.half", "half")).encode()
resp = raw_http(srv.port, http_post_bytes("/webhook/whatsapp", b4),
                shutdown_write=True)
# lws closes on the client's EOF before the group commit answers; the
# events are committed all the same (and Meta would retry, deduplicated).
for _ in range(50):
    if stored("wamid.half"):
        break
    time.sleep(0.05)
T.eq(stored("wamid.half"), 1, "half-closed client's message stored")
T.ok(resp == b"" or resp.startswith(b"HTTP/1.1 200"),
     "half-closed client gets 200 or nothing, never an error", resp[:40])

resp = raw_http(srv.port, b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 500\r\nX-Hub-Signature-256: " +
                sign(b"x").encode() + b"\r\n\r\n{\"obj", read_timeout=15)
T.ok(srv.alive(), "client vanishing mid-body is survived")

socks = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(50)]
st, _ = srv.request("GET", "/healthz")
T.eq(st, 200, "50 idle connections do not block others")
for s in socks:
    s.close()

st, body = srv.request("GET", "/healthz")
h = json.loads(body)
T.ok(st == 200 and h["status"] == "ok" and h["database"] == "ok" and
     "version" in h and "uptime_s" in h, "healthz reports status", body)

# --- reload --------------------------------------------------------------
broken = os.path.join(srv.tmp, "broken.conf")
with open(broken, "w") as f:
    f.write("port = 8080\nbogus_key = 1\n")
rc = os.system("%s serve --check --config %s 2>%s" % (
    os.environ.get("LOKET_BIN", "build/loket"), broken,
    os.path.join(srv.tmp, "check.err")))
with open(os.path.join(srv.tmp, "check.err")) as f:
    err = f.read()
T.ok(rc != 0 and "broken.conf:2:" in err and "bogus_key" in err,
     "config error names file, line and key", err)
srv.stop()

# --- durability: SIGKILL right after the 200 ---------------------------
conf = os.path.join(srv.tmp, "good.conf")
with open(conf, "w") as f:
    f.write(open(os.path.join(ROOT, "deploy", "loket.conf")).read())
srv2 = Server(config=conf, tmpdir=srv.tmp).start()
st, _ = srv2.post("whatsapp", wa_text("wamid.durable", "blijf bewaard"))
srv2.send(signal.SIGKILL)
srv2.proc.wait()
T.eq(st, 200, "acknowledged before the kill")
srv2.proc = None
srv2.log.close()
srv2.start()
T.eq(srv2.count("inbound", "msg_id='wamid.durable'"), 1,
     "after SIGKILL and restart the message is there once")
st, _ = srv2.post("whatsapp", wa_text("wamid.durable", "blijf bewaard"))
T.eq((st, srv2.count("inbound", "msg_id='wamid.durable'")), (200, 1),
     "Meta's retry after the restart is not stored again")
T.eq(srv2.query("SELECT agency FROM inbound WHERE msg_id='wamid.durable'"),
     [("vmsw",)], "routed by phone_number_id to its agency")
st, _ = srv2.post("whatsapp", wa_text("wamid.default", "x",
                                      phone_number_id="555"))
T.eq(srv2.query("SELECT agency FROM inbound WHERE msg_id='wamid.default'"),
     [("vmsw",)], "unknown number goes to the default agency")

# SIGHUP with a broken file keeps the old config and keeps serving.
with open(conf, "a") as f:
    f.write("\n[agency broken\n")
srv2.send(signal.SIGHUP)
time.sleep(0.5)
st, _ = srv2.post("whatsapp", wa_text("wamid.afterhup", "nog daar"))
T.ok(st == 200 and srv2.alive(), "broken reload refused, still serving")
T.ok("reload_refused" in srv2.read_log() and "good.conf:" in
     srv2.read_log(), "refused reload logged with file and line")

T.eq(srv2.stop(signal.SIGTERM), 0, "SIGTERM stops cleanly with status 0")

# Without a default agency an unknown number is stored, not routed.
nodefault = os.path.join(srv.tmp, "nodefault.conf")
with open(nodefault, "w") as f:
    f.write("".join(l for l in open(os.path.join(ROOT, "deploy",
            "loket.conf")) if not l.startswith("default_agency")))
srv2.config = nodefault
srv2.start()
st, _ = srv2.post("whatsapp", wa_text("wamid.nodef", "x", phone_number_id="5"))
T.eq((st, srv2.query("SELECT agency FROM inbound WHERE msg_id='wamid.nodef'")),
     (200, [(None,)]), "no default agency: stored without an agency")
srv2.stop()
T.ok("text=" not in srv2.read_log() and "blijf bewaard" not in
     srv2.read_log() and SECRET not in srv2.read_log(),
     "no message text or secret in the log")
T.ok(srv2.sanitizer_clean(), "no sanitizer report in the server log")
srv2.cleanup()
T.report()
