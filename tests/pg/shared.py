"""What several `loket serve` on one PostgreSQL share besides the rows
(tests/run.sh provides the server in LOKET_TEST_PG, a libpq string
without dbname; run with the normal and the sanitizer build):

- the failed-login throttle: failures counted on either instance add up;
- the per-number rate limit: two instances together stay within the
  agency's rate_limit (a row per sending number, updated in the claiming
  transaction);
- staff actions take the citizen's advisory lock, the one the message
  handler holds: a takeover on one instance waits while the citizen's
  lock is held elsewhere, and a takeover racing a message on the other
  instance is never undone by it.

Ends with "N passed, N failed"."""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from consolelib import Client, WebSocket, staff_add  # noqa: E402
from loketlib import ROOT, MockGraph, Results, Server, psql_run, wa_text, wait_for  # noqa: E402,E501

T = Results()
PG = os.environ.get("LOKET_TEST_PG")
if not PG:
    print("LOKET_TEST_PG not set (tests/run.sh starts a cluster)")
    print("0 passed, 1 failed")
    sys.exit(1)
DB = "shared_%d" % os.getpid()
CONN = "%s dbname=%s" % (PG, DB)
RATE = 5                        # rate_limit of the test agency, msg/s
NUMBER = "106540352242922"      # its WhatsApp number (wa_text's default)


def psql(sql, db="postgres"):
    return psql_run("%s dbname=%s" % (PG, db), sql, check=False).strip()


def q(sql):
    return psql(sql, DB)


def now():
    return str(int(time.time()))


def store_key(*parts):
    """bot/store.c store_key(): FNV-1a over the parts, 63 bits."""
    h = 14695981039346656037
    for p in parts:
        for ch in p.encode():
            h = ((h ^ ch) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
        h = ((h ^ 0xFF) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h >> 1


psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB)
psql("CREATE DATABASE %s" % DB)

base = Server()                 # only for its temporary directory
tmp = base.tmp
mock = MockGraph(tmp)
conf = os.path.join(tmp, "loket.conf")
with open(os.path.join(ROOT, "deploy", "loket.conf")) as f:
    text = f.read()
with open(conf, "w") as f:
    f.write(text.replace("[agency vmsw]\n", "[agency vmsw]\nrate_limit = %d\n"
                         % RATE, 1))
env = {"LOKET_DB": CONN, "LOKET_GRAPH_URL": mock.base + "/v24.0",
       "LOKET_ACCESS_TOKEN": "WATOKEN"}


def server(name):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    s = Server(config=conf, tmpdir=d, extra_env=env)
    s.db = CONN
    return s


a = server("a").start()
b = server("b").start()

# --- the failed-login throttle ----------------------------------------------
PW = "carl-wachtwoord-3"
T.eq(staff_add(a, "carl", PW)[0], 0, "staff add carl")
T.eq(staff_add(a, "anna", "anna-wachtwoord-1", "coordinator")[0], 0,
     "staff add anna")
ca, cb = Client(a), Client(b)
codes = [(ca, cb)[i % 2].login("carl", "wrong-%d" % i)[0] for i in range(3)]
T.eq(codes, [401] * 3, "three wrong passwords, on both instances")
st, j, r = ca.login("carl", PW)
T.ok(st == 429 and int(r.getheader("Retry-After", "0")) >= 1,
     "the failures add up: even the right password waits on either "
     "instance (429)", st)
st, j, r = cb.login("carl", PW)
T.eq(st, 429, "on the other instance too")
time.sleep(1.2)
st, j, r = cb.login("carl", PW)
T.eq(st, 200, "after the delay the right password works")
T.eq(q("SELECT count(*) FROM login_throttle WHERE name = 'u:carl'"), "0",
     "a success clears the shared count")

# --- live lists across instances (LISTEN / NOTIFY) ------------------------------
anna = Client(b)
T.eq(anna.login("anna", "anna-wachtwoord-1")[0], 200, "anna logs in on b")
# carl logged in on b; his session works on a too.
ws = WebSocket(a.port, cookie=cb.cookie)
T.eq(ws.status, 101, "a session made on b opens the live list on a")
first = ws.recv()
T.eq(first.get("type"), "conversations", "the list is pushed on connect")


def listed(pred):
    return lambda m: m.get("type") == "conversations" and \
        any(pred(c) for c in m.get("conversations", []))


LIVE = "32471000077"
b.post("whatsapp", wa_text("wamid.sh.live.1", "ik wil een medewerker "
                           "spreken", phone=LIVE, ts=now()))
T.ok(wait_for(lambda: q("SELECT count(*) FROM conversations WHERE user_id "
                        "= '%s'" % LIVE) == "1", 20), "b handles a new "
     "citizen")
live = int(q("SELECT id FROM conversations WHERE user_id = '%s'" % LIVE))
T.ok(ws.arrives(listed(lambda c: c["id"] == live), 10), "the console on a "
     "shows the citizen who wrote to b")
# Once the citizen's message is handled and its reply sent, nothing on a
# changes by itself: only b's NOTIFY can bring the takeover there.
T.ok(wait_for(lambda: q("SELECT count(*) FROM inbound WHERE processed = 0")
              == "0" and q("SELECT count(*) FROM outbox WHERE status = "
                           "'pending'") == "0", 20), "the reply is sent")
time.sleep(1.5)
while ws.arrives(lambda m: True, 0.2):
    pass
st, j, _ = anna.call("POST", "/api/conversations/%d/takeover" % live)
T.eq(st, 200, "anna takes the conversation over on b")
T.ok(ws.arrives(listed(lambda c: c["id"] == live and
                       c.get("staff") == "anna"), 10),
     "the console on a shows anna's takeover on b")
anna.call("POST", "/api/conversations/%d/close" % live,
          {"outcome": "answered"})
ws.close()

# --- staff actions take the citizen's lock ------------------------------------
PHONE = "32471000001"
st, _ = a.post("whatsapp", wa_text("wamid.sh.lock.0", "hallo", phone=PHONE,
                                   ts=now()))
T.eq(st, 200, "a citizen writes to instance a")
T.ok(wait_for(lambda: q("SELECT count(*) FROM inbound WHERE processed = 0")
              == "0" and q("SELECT count(*) FROM conversations WHERE "
                           "user_id = '%s'" % PHONE) == "1", 20),
     "the message is handled")
cid, agency, channel, user = q("SELECT id, agency, channel, user_id FROM "
                               "conversations WHERE user_id = '%s'" %
                               PHONE).split("|")
cid = int(cid)
key = store_key(channel, agency, user)
if key >= 1 << 63:
    key -= 1 << 64
holder = subprocess.Popen(["psql", "-qXAt", CONN, "-c", "BEGIN",
                           "-c", "SELECT pg_advisory_xact_lock(%d)" % key,
                           "-c", "SELECT pg_sleep(2.5)", "-c", "COMMIT"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
T.ok(wait_for(lambda: q("SELECT count(*) FROM pg_locks WHERE locktype = "
                        "'advisory' AND granted AND classid = %d AND objid "
                        "= %d" % (key >> 32 & 0xFFFFFFFF, key & 0xFFFFFFFF))
              == "1", 10), "another session holds the citizen's lock")
t0 = time.time()
st, j, _ = anna.call("POST", "/api/conversations/%d/takeover" % cid)
took = time.time() - t0
holder.wait(20)
T.ok(st == 200 and took >= 1.0, "a takeover waits for the citizen's lock "
     "(%.1f s)" % took, (st, j))
T.eq(q("SELECT mode FROM conversations WHERE id = %d" % cid), "staff",
     "and then takes over")

# A message on a racing a takeover on b, a few times: the takeover,
# answered 200, is never undone by the message's handling.
lost = taken = 0
for k in range(1, 9):
    anna.call("POST", "/api/conversations/%d/handback" % cid)
    res = {}

    def msg(k=k):
        res["msg"] = a.post("whatsapp", wa_text("wamid.sh.lock.%d" % k,
                                                "ik heb een vraag over mijn "
                                                "huur", phone=PHONE,
                                                ts=now()))[0]

    th = threading.Thread(target=msg)
    th.start()
    time.sleep(0.01 * (k % 4))
    res["take"] = anna.call("POST", "/api/conversations/%d/takeover" %
                            cid)[0]
    th.join()
    wait_for(lambda: q("SELECT count(*) FROM inbound WHERE processed = 0")
             == "0", 20)
    taken += res["take"] == 200
    if res["take"] == 200 and q("SELECT mode FROM conversations WHERE id "
                                "= %d" % cid) != "staff":
        lost += 1
T.eq(taken, 8, "every racing takeover answered 200")
T.eq(lost, 0, "a takeover racing a message on the other instance holds")

# --- the per-number rate limit, shared -----------------------------------------
start = time.time()
n0 = len(mock.requests())
CITIZENS = 32


def citizen(i):
    phone = "3247200%04d" % i
    for k, text in enumerate(("hallo", "ik heb een vraag over mijn huur")):
        srv = (a, b)[(i + k) % 2]
        for _ in range(50):
            if srv.post("whatsapp", wa_text("wamid.sh.rate.%d.%d" % (i, k),
                                            text, phone=phone,
                                            ts=now()))[0] == 200:
                break
            time.sleep(0.1)


threads = [threading.Thread(target=citizen, args=(i,))
           for i in range(CITIZENS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
T.ok(wait_for(lambda: q("SELECT count(*) FROM outbox WHERE status = "
                        "'pending'") == "0", 90), "every reply sent")
sends = sorted(r["ts"] for r in mock.requests()[n0:]
               if NUMBER + "/messages" in r.get("path", "") and r["ts"] >=
               start)
WIN = 2.0
peak = max(sum(1 for u in sends[i:] if u < t + WIN)
           for i, t in enumerate(sends)) if sends else 0
allowed = RATE * WIN + RATE + 1     # the rate, one burst, one in flight
# Twice what one window allows: the rate is reached.  Not more: a
# citizen's two messages may be read as one burst (one reply), more often
# in the slower sanitizer build.
T.ok(len(sends) >= 2 * allowed, "enough sends to saturate the number "
     "(%d)" % len(sends))
T.ok(peak <= allowed, "two instances together keep the number's rate: at "
     "most %d sends in any %.0f s (rate %d/s, burst %d), saw %d" %
     (allowed, WIN, RATE, RATE, peak))
span = sends[-1] - sends[0] if sends else 0
T.ok(span >= (len(sends) - 2 * RATE) / RATE * 0.9, "the %d sends took "
     "%.1f s, not less than the rate allows" % (len(sends), span))
T.eq(q("SELECT count(*) FROM send_pace"), "1", "one budget row for the "
     "number")

a.stop()
b.stop()
T.ok(a.sanitizer_clean() and b.sanitizer_clean(), "no sanitizer reports")
mock.stop()
base.cleanup()
psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB)
T.report()
