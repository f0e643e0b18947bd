#!/bin/sh
# Outbox benchmark: messages per second that `loket serve` delivers to the
# mock Graph API (tests/mock_graph.py), without and with 30% injected
# failures (HTTP 500, retried with back-off), under the default rate limit
# (80/s per number) and with rate_limit = 1000; then the CPU and memory of
# an idle server.  Prints the figures.  The mock is single-process Python
# (a few hundred requests/s on its own), so above that it is the limit;
# the "log:" line is the sender without any network.  N=2000 by default
# (N=... to change).
#
# Measured 2026-11-30, 2 vCPU container, N=2000, normal -O2 build:
#   log: (no network), 1000/s         1934 msg/s (capped by rate_limit:
#                                      1 s burst, then 1000/s)
#   rate_limit 80/s, no failures        83 msg/s (the limit: 80/s + burst)
#   rate_limit 1000/s, no failures     325 msg/s (the Python mock's ceiling)
#   rate_limit 1000/s, 30% HTTP 500     34 msg/s overall; 50% in 4.5 s,
#                                      90% in 7.8 s, 99% in 19 s, all in
#                                      59 s (the back-off tail), 0 failed
#   idle server: 0.00% CPU over 20 s, VmRSS 13.4 MB, 4 threads
set -eu
cd "$(dirname "$0")/../.."
[ -x "${LOKET_BIN:-build/loket}" ] || make -s build/loket
exec python3 - "$@" <<'PY'
import json, os, sqlite3, subprocess, sys, time
sys.path.insert(0, os.path.join("tests", "integration"))
from loketlib import ROOT, Server

N = int(os.environ.get("N", "2000"))
WA_ID = "106540352242922"

def mock(*args):
    pf = "/tmp/loket-bench-mock-%d.port" % os.getpid()
    if os.path.exists(pf):
        os.unlink(pf)
    p = subprocess.Popen([sys.executable, "tests/mock_graph.py", "--port", "0",
                          "--port-file", pf, "--idle", "600"] + list(args),
                         stdout=subprocess.DEVNULL)
    while not os.path.exists(pf):
        time.sleep(0.05)
    with open(pf) as f:
        port = int(f.read())
    os.unlink(pf)
    return p, port

def seed(db, n):
    """n citizens who wrote a minute ago, one reply each waiting."""
    now = int(time.time() * 1000)
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO inbound (channel, agency, account_id, user_id, msg_id, "
        "kind, meta_ts, received_at, raw) VALUES ('whatsapp', 'demo', ?, ?, "
        "?, 'message', ?, ?, '{}')",
        [(WA_ID, "3247%07d" % i, "in.%d" % i, now - 60000, now)
         for i in range(n)])
    con.executemany(
        "INSERT INTO outbox (agency, channel, account_id, user_id, to_phone, "
        "kind, body, status, next_attempt_at, created_at, updated_at) VALUES "
        "('demo', 'whatsapp', ?, ?, ?, 'text', ?, 'pending', 0, ?, ?)",
        [(WA_ID, "3247%07d" % i, "3247%07d" % i,
          json.dumps({"text": "Antwoord %d" % i}), now, now)
         for i in range(n)])
    con.commit()
    con.close()

def run(label, rate, fault_args, url=None):
    mp, port = mock(*fault_args)
    tmp = Server().tmp
    conf = os.path.join(tmp, "bench.conf")
    with open(conf, "w") as f:
        f.write("default_agency = demo\n[agency demo]\nname = Demo\n"
                "whatsapp_phone_number_id = %s\nrate_limit = %d\n" % (WA_ID, rate))
    srv = Server(config=conf, tmpdir=tmp, extra_env={
        "LOKET_GRAPH_URL": url or "http://127.0.0.1:%d/v24.0" % port,
        "LOKET_ACCESS_TOKEN": "BENCH", "LOKET_LOG_LEVEL": "warn"})
    srv.start()                      # creates the schema
    srv.stop()
    seed(srv.db, N)
    t0 = time.time()
    srv.start()
    sent = failed = 0
    marks = {}
    while time.time() - t0 < 600:
        sent = srv.count("outbox", "status = 'sent'")
        failed = srv.count("outbox", "status = 'failed'")
        for q in (0.5, 0.9, 0.99):
            if q not in marks and sent >= q * N:
                marks[q] = time.time() - t0
        if sent + failed >= N:
            break
        time.sleep(0.02)
    dt = time.time() - t0
    retries = srv.query("SELECT coalesce(sum(attempts), 0) FROM outbox")[0][0] - N
    print("%-34s %6d msgs  %6.1f s  %7.1f msg/s  (50%% %.1f s, 90%% %.1f s, "
          "99%% %.1f s)  failed %d  retries %d"
          % (label, sent, dt, sent / dt, marks.get(0.5, -1), marks.get(0.9, -1),
             marks.get(0.99, -1), failed, retries))
    srv.stop()
    mp.terminate()
    mp.wait()
    srv.cleanup()

def idle():
    tmp = Server().tmp
    srv = Server(tmpdir=tmp, extra_env={"LOKET_LOG_LEVEL": "warn"}).start()
    pid = srv.proc.pid
    time.sleep(2)
    def ticks():
        with open("/proc/%d/stat" % pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
        return int(v[11]) + int(v[12])
    hz = os.sysconf("SC_CLK_TCK")
    a, t = ticks(), time.time()
    time.sleep(20)
    b, t2 = ticks(), time.time()
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    print("idle server: CPU %.2f%% over %.0f s, VmRSS %s, VmHWM %s, threads %s"
          % (100.0 * (b - a) / hz / (t2 - t), t2 - t, st["VmRSS"].strip(),
             st["VmHWM"].strip(), st["Threads"].strip()))
    srv.cleanup()

print("outbox benchmark, N=%d replies to %d citizens, mock Graph API on "
      "127.0.0.1" % (N, N))
run("log: (no network), 1000/s", 1000, [], "log:")
run("rate_limit 80/s, no failures", 80, [])
run("rate_limit 1000/s, no failures", 1000, [])
run("rate_limit 1000/s, 30% HTTP 500", 1000,
    ["--fault", "500", "--percent", "30", "--seed", "1"])
idle()
PY
