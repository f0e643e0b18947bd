"""PostgreSQL stopped for 10 s under load, two `loket serve` on it
(tests/run.sh provides the server in LOKET_TEST_PG, a libpq string
without dbname, and runs this under both builds).

Senders keep posting signed WhatsApp webhooks with unique ids to both
instances throughout; the cluster is stopped (fast shutdown: every
session cut) for LOKET_OUTAGE_SECONDS (default 10), then started again.
Checked:
- no 200 for a webhook sent while the database is down, and /healthz
  is 503 on both instances all that time;
- every id answered 200 is stored exactly once;
- every id answered otherwise and sent again afterwards, as Meta does,
  is then answered 200 and stored exactly once, and nothing is stored
  that was not sent;
- both instances come back by themselves (/healthz 200, webhooks 200 on
  each), and their back ends too: every message handled, every reply
  sent.
Ends with "N passed, N failed"."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from consolelib import Client, WebSocket, staff_add  # noqa: E402
from loketlib import (PG, ROOT, MockGraph, Results, Server,  # noqa: E402
                      wa_text, wait_for)

T = Results()
if not PG:
    print("LOKET_TEST_PG not set (tests/run.sh starts a cluster)")
    print("0 passed, 1 failed")
    sys.exit(1)
DOWN = float(os.environ.get("LOKET_OUTAGE_SECONDS", "10"))
SENDERS = 6
PGDIR = PG.split("host=")[1].split()[0]
CLUSTER = os.path.join(ROOT, "tests", "pg", "cluster.sh")


def cluster(cmd):
    r = subprocess.run([CLUSTER, cmd, PGDIR], capture_output=True,
                       text=True, timeout=60)
    return r.returncode == 0


base = Server()                 # its temporary directory and database
tmp = base.tmp
mock = MockGraph(tmp)
env = {"LOKET_GRAPH_URL": mock.base + "/v24.0",
       "LOKET_ACCESS_TOKEN": "WATOKEN"}


def server(name):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    return Server(tmpdir=d, extra_env=env, db=base.db)


a = server("a").start()
b = server("b").start()
srvs = (a, b)
# A console on a, open through the outage; a coordinator on b.
T.eq(staff_add(a, "carl", "carl-wachtwoord-3")[0], 0, "staff add carl")
T.eq(staff_add(a, "anna", "anna-wachtwoord-1", "coordinator")[0], 0,
     "staff add anna")
carl, anna = Client(a), Client(b)
T.ok(carl.login("carl", "carl-wachtwoord-3")[0] == 200 and
     anna.login("anna", "anna-wachtwoord-1")[0] == 200, "both log in")
ws = WebSocket(a.port, cookie=carl.cookie)
T.eq(ws.status, 101, "carl's live list on a")

lock = threading.Lock()
answers = []            # (msg_id, instance, t_sent, t_answered, status)
stop = threading.Event()


def post(srv, mid, phone):
    t0 = time.time()
    try:
        st, _ = srv.post("whatsapp", wa_text(mid, "hallo, een vraag over "
                                             "mijn huur", phone=phone,
                                             ts=str(int(t0))))
    except OSError:
        st = 0
    t1 = time.time()
    with lock:
        answers.append((mid, srv is b, t0, t1, st))
    return st


def phone_of(w, n):
    return "3247%d%06d" % (w, n)


def sender(w):
    """Unique ids, one after the other, alternating the instances; an id
    that is not answered 200 is left for the retries at the end."""
    n = 0
    while not stop.is_set():
        n += 1
        post(srvs[n % 2], "wamid.out.%d.%d" % (w, n), phone_of(w, n))
        time.sleep(0.2)


health = []             # (instance, t, status)


def poll_health():
    while not stop.is_set():
        for i, s in enumerate(srvs):
            t = time.time()
            try:
                st, _ = s.request("GET", "/healthz", timeout=5)
            except OSError:
                st = 0
            health.append((i, t, st))
        time.sleep(0.2)


threads = [threading.Thread(target=sender, args=(w,))
           for w in range(SENDERS)]
threads.append(threading.Thread(target=poll_health))
for t in threads:
    t.start()
time.sleep(3)
t_stopping = time.time()
T.ok(cluster("down"), "the cluster stops")
t_down = time.time()
time.sleep(DOWN)
t_starting = time.time()
T.ok(cluster("up"), "the cluster starts again")
t_up = time.time()
back = wait_for(lambda: all(s.request("GET", "/healthz")[0] == 200
                            for s in srvs), 20)
t_back = time.time()
T.ok(back, "both instances report healthy by themselves (%.1f s after "
     "the start)" % (t_back - t_up))
time.sleep(3)
stop.set()
for t in threads:
    t.join(30)

with lock:
    got = list(answers)
during = [x for x in got if x[2] >= t_down and x[3] <= t_starting]
T.ok(len(during) >= 10 * SENDERS, "senders kept posting while the "
     "database was down (%d webhooks)" % len(during))
T.eq([x[0] for x in during if x[4] == 200], [],
     "no 200 while the database was down")
T.ok(all(x[4] == 503 for x in during), "they were answered 503 (Meta "
     "sends them again)", Counter(x[4] for x in during))
down_health = [h for h in health if t_down <= h[1] <= t_starting - 0.5]
T.ok(len(down_health) >= 2 * DOWN and all(h[2] == 503
                                          for h in down_health),
     "/healthz 503 on both instances while down (%d polls)" %
     len(down_health), Counter(h[2] for h in down_health))
before = [x for x in got if x[3] < t_stopping and x[4] == 200]
after = [x for x in got if x[2] >= t_back and x[4] == 200]
T.ok(len(before) > 10, "webhooks stored before the stop (%d)" % len(before))
T.ok({x[1] for x in after} == {False, True}, "both instances answer "
     "webhooks 200 again (%d after the restart)" % len(after))

acked = {x[0] for x in got if x[4] == 200}
refused = sorted({x[0] for x in got} - acked)
T.ok(refused, "some webhooks were refused (%d)" % len(refused))


def stored():
    return Counter(r[0] for r in base.query(
        "SELECT msg_id FROM inbound WHERE msg_id LIKE 'wamid.out.%'"))


s1 = stored()
T.eq([m for m in acked if s1[m] != 1], [], "every id answered 200 is "
     "stored exactly once (%d ids)" % len(acked))

# Meta's retries of what was not acknowledged: 200 now, stored once.
retried = {}
for i, mid in enumerate(refused):
    w, n = mid.split(".")[2:]
    for attempt in range(50):
        if post(srvs[(i + attempt) % 2], mid, phone_of(int(w),
                                                         int(n))) == 200:
            retried[mid] = True
            break
        time.sleep(0.1)
T.eq(len(retried), len(refused), "every refused webhook is taken when "
     "sent again")
s2 = stored()
T.eq([m for m in refused if s2[m] != 1], [], "and stored exactly once")
sent_ids = {x[0] for x in got}
T.eq(sorted(set(s2) - sent_ids), [], "nothing stored that was not sent")
T.eq(sorted(m for m, c in s2.items() if c != 1), [],
     "no id stored twice")

T.ok(wait_for(lambda: base.count("inbound", "processed = 0") == 0, 60),
     "every message handled after the outage",
     base.count("inbound", "processed = 0"))
T.ok(wait_for(lambda: base.count("outbox", "status = 'pending'") == 0,
              120), "every reply sent after the outage",
     base.count("outbox", "status = 'pending'"))
T.eq(base.count("outbox", "status = 'failed'"), 0, "no reply failed")

# The console opened before the outage still follows b's changes (its
# instance listens again): with everything settled, only b's NOTIFY can
# bring a takeover there.
time.sleep(1.5)
while ws.arrives(lambda m: True, 0.2):
    pass
cid = base.query("SELECT max(id) FROM conversations")[0][0]
st, _, _ = anna.call("POST", "/api/conversations/%d/takeover" % cid)
T.eq(st, 200, "anna takes a conversation over on b")
T.ok(ws.arrives(lambda m: m.get("type") == "conversations" and
                any(c["id"] == cid and c.get("staff") == "anna"
                    for c in m.get("conversations", [])), 10),
     "carl's console on a, open through the outage, shows it")
ws.close()
log = a.read_log() + b.read_log()
T.ok("event=store_reconnected" in log, "the instances logged their "
     "reconnection")
print("# %.1f s down: %d webhooks answered 503, %d ids retried, healthy "
      "again %.1f s after the start" % (t_starting - t_down, len(during),
                                        len(refused), t_back - t_up))

T.eq((a.stop(), b.stop()), (0, 0), "both instances stop cleanly")
T.ok(a.sanitizer_clean() and b.sanitizer_clean(), "no sanitizer reports")
mock.stop()
base.cleanup()
T.report()
