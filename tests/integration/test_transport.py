#!/usr/bin/env python3
"""Transport hardening (issue 14, items 1, 7 and 12): an h2c upgrade is
refused, a request whose client shut down its sending side is answered,
slow bodies are cut, and a flood of slow connections against a small
descriptor limit neither spins the loop on EMFILE nor keeps a real webhook
out for long.  The server runs with RLIMIT_NOFILE 256 (set with setrlimit
before exec) so the flood stays small."""
import json
import os
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from loketlib import (Results, Server, http_post_bytes, raw_http,  # noqa: E402
                      sign, wa_text, wait_for)

T = Results()
NOFILE = 256
FLOOD = 300            # more than the descriptor limit


def low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


class LowFdServer(Server):
    def start(self, timeout=10):
        import subprocess
        real = subprocess.Popen

        def popen(*a, **kw):
            kw["preexec_fn"] = low_nofile
            return real(*a, **kw)
        subprocess.Popen = popen
        try:
            return super().start(timeout)
        finally:
            subprocess.Popen = real


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


srv = LowFdServer().start()
pid = srv.proc.pid

# --- 12: h2c upgrade refused, no 101 -------------------------------------
req = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, "
       b"HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: "
       b"AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
out = raw_http(srv.port, req, read_timeout=3)
T.ok(out.startswith(b"HTTP/1.1 400"), "h2c upgrade refused with 400",
     repr(out[:60]))
T.ok(b" 101 " not in out, "h2c upgrade: no 101 Switching Protocols")

# --- 7: complete POST, then shutdown(SHUT_WR): answered ------------------
body = json.dumps(wa_text("wamid.halfclosed", "hallo")).encode()
out = raw_http(srv.port, http_post_bytes("/webhook/whatsapp", body),
               read_timeout=5, shutdown_write=True)
T.ok(out.startswith(b"HTTP/1.1 200"), "POST then SHUT_WR: answered 200",
     repr(out[:60]))
T.eq(srv.count("inbound", "msg_id = 'wamid.halfclosed'"), 1,
     "POST then SHUT_WR: stored once")

# --- 1: slow bodies and descriptor exhaustion ----------------------------
log_before = srv.read_log().count("\n")
cpu_before = cpu_seconds(pid)
t0 = time.time()
flood = []
hdr = (b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
       b"Content-Type: application/json\r\nX-Hub-Signature-256: sha256=00\r\n"
       b"Content-Length: 900\r\n\r\n{")
for i in range(FLOOD):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", srv.port))
    flood.append(s)
time.sleep(0.3)
for s in flood:
    try:
        s.send(hdr)
    except OSError:
        pass

legit = {}


def post_legit():
    t = time.time()
    try:
        b = json.dumps(wa_text("wamid.duringflood", "hallo")).encode()
        st, _ = srv.request("POST", "/webhook/whatsapp", b, {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(b)}, timeout=25)
        legit["status"] = st
    except OSError as e:
        legit["error"] = str(e)
    legit["seconds"] = time.time() - t


th = threading.Thread(target=post_legit)
time.sleep(0.5)
th.start()

closed = set()
deadline = t0 + 26
while time.time() < deadline and len(closed) < FLOOD:
    for i, s in enumerate(flood):
        if i in closed:
            continue
        try:
            if s.recv(4096) == b"":
                closed.add(i)
                continue
        except BlockingIOError:
            pass
        except OSError:
            closed.add(i)
            continue
        try:
            s.send(b" ")      # one byte of body every second: slowloris
        except BlockingIOError:
            pass
        except OSError:
            closed.add(i)
    time.sleep(1)
elapsed = time.time() - t0
cpu = cpu_seconds(pid) - cpu_before
th.join(30)
for s in flood:
    s.close()
lines = srv.read_log().count("\n") - log_before

T.eq(len(closed), FLOOD, "every slow body was cut by the server")
T.ok(legit.get("status") == 200 and legit.get("seconds", 99) < 20,
     "a webhook during the flood is answered", repr(legit))
T.ok(cpu < elapsed * 0.2, "no busy loop during the flood",
     "cpu %.1f s in %.1f s" % (cpu, elapsed))
T.ok(lines < 200, "no log flood", "%d lines" % lines)
T.ok("accept_failing" not in srv.read_log(), "accept() never failed "
     "(connections capped below the descriptor limit)")
t1 = time.time()
st, _ = srv.request("GET", "/healthz")
T.ok(st == 200 and time.time() - t1 < 2, "healthz fine after the flood")
T.ok(srv.alive(), "server alive")
print("# flood: %d connections, cut in %.1f s, server cpu %.1f s, "
      "%d log lines, webhook answered in %.1f s" %
      (FLOOD, elapsed, cpu, lines, legit.get("seconds", -1)))

# --- 1: accept() failing anyway (EMFILE): back off, log once -------------
# The process limit is lowered under the server's feet (prlimit), below
# what lws's cap allows: accept() now fails with EMFILE.
base = len(os.listdir("/proc/%d/fd" % pid))
resource.prlimit(pid, resource.RLIMIT_NOFILE, (base + 8, NOFILE))
cpu_before = cpu_seconds(pid)
log_before = srv.read_log().count("\n")
held = []
for i in range(30):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(hdr)
    held.append(s)
time.sleep(4)
cpu = cpu_seconds(pid) - cpu_before
log = srv.read_log()
T.ok("event=accept_failing" in log, "EMFILE seen and logged")
T.ok(log.count("event=accept_failing") <= 2 and
     log.count("\n") - log_before < 20, "EMFILE logged once, no flood",
     "%d lines" % (log.count("\n") - log_before))
T.ok(cpu < 4 * 0.3, "EMFILE: no busy loop", "cpu %.1f s in 4 s" % cpu)
for s in held:
    s.close()
resource.prlimit(pid, resource.RLIMIT_NOFILE, (NOFILE, NOFILE))
T.ok(wait_for(lambda: srv.request("GET", "/healthz", timeout=15)[0] == 200,
              20), "answers again once descriptors are free")
print("# EMFILE: cpu %.2f s in 4 s" % cpu)

rc = srv.stop()
T.eq(rc, 0, "clean exit")
T.ok(srv.sanitizer_clean(), "no sanitizer report")
srv.cleanup()
T.report()
