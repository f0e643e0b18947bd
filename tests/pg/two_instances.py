"""Two `loket serve` on one PostgreSQL database, webhooks with unique
ids spread over both for LOKET_TWO_SECONDS (default 60), the instances
SIGKILLed and restarted in turn every few seconds over the whole run
(tests/run.sh provides the server in LOKET_TEST_PG, a libpq string
without dbname).  Checks: every id answered 200 is stored exactly once,
Meta's retries of those ids are stored once (counted), every citizen's
messages are handled, every reply goes out once (re-sends of rows in
flight at a kill counted apart), and /healthz names the database.  Then
the same messages go through one instance on a fresh database, and each
citizen's conversations must end the same (state, outcome, open, mode,
language, and the replies in order).  Also `loket migrate` from a
SQLite file.  PostgreSQL itself going away is tests/pg/outage.py.
Ends with "N passed, N failed"."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from loketlib import (BIN, ROOT, MockGraph, Results, Server,  # noqa: E402
                      psql_run, wa_text, wait_for)

T = Results()
PG = os.environ.get("LOKET_TEST_PG")
if not PG:
    print("LOKET_TEST_PG not set (tests/run.sh starts a cluster)")
    print("0 passed, 1 failed")
    sys.exit(1)
DB = "two_%d" % os.getpid()
CONN = "%s dbname=%s" % (PG, DB)
CITIZENS = 40
SECONDS = float(os.environ.get("LOKET_TWO_SECONDS", "60"))
# A kill every KILL_EVERY s on average (jittered), alternating the two.
KILL_EVERY = max(2.0, SECONDS / 12)
GRACE_MS = 3000                 # a row in flight at a kill: its status
#                                 webhook may come this long
TEXTS = ["hallo", "ik heb een vraag over mijn huur", "wanneer wordt de "
         "huurprijs aangepast?", "bedankt", "dag"]
# Each citizen has two conversations (a question, then thanks, which
# ends it), spread over SECONDS.  Not the closing "dag": whether a
# goodbye right after the end is answered depends on how soon it comes,
# which would make the comparison with one instance a matter of timing.
SCRIPT = TEXTS[:4] * 2


def psql(sql, db="postgres"):
    return psql_run("%s dbname=%s" % (PG, db), sql, check=False).strip()


def q(sql):
    return psql(sql, DB)


psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB)
psql("CREATE DATABASE %s" % DB)

base = Server()                 # only for its temporary directory
tmp = base.tmp
random.seed(12)


def server(name, env):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    return Server(tmpdir=d, extra_env=env, db=CONN)


# Meta's status webhooks ("sent", with the request's tag) go to b, as
# Meta sends them to the load balancer; retried while b is down.
a = server("a", {})
b = server("b", {})
mock = MockGraph(tmp, ["--notify", "http://127.0.0.1:%d" % b.port,
                       "--notify-for", "600"])
env = {"LOKET_GRAPH_URL": mock.base + "/v24.0",
       "LOKET_ACCESS_TOKEN": "WATOKEN",
       "LOKET_RESEND_GRACE_MS": str(GRACE_MS)}
a.env.update(env)
b.env.update(env)
a.start()
b.start()
st, body = a.request("GET", "/healthz")
T.ok(st == 200 and b'"db":"postgresql"' in body, "/healthz names the "
     "database", body)

acked = {}                      # msg_id -> phone
sent_msgs = []                  # (phone, msg_id, text, ts), as sent
lock = threading.Lock()
stop_kill = threading.Event()
kills = [0]
START = int(time.time())
PAUSE = SECONDS / len(SCRIPT)


def citizen(i):
    phone = "3247%07d" % i
    time.sleep(PAUSE * i / CITIZENS)    # spread the citizens' turns
    for k, text in enumerate(SCRIPT):
        mid = "wamid.two.%d.%d" % (i, k)
        ts = str(START - 120 + 2 * k)   # the same in the single run
        with lock:
            sent_msgs.append((phone, mid, text, ts))
        for attempt in range(400):      # Meta retries until a 200
            srv = (a, b)[(i + k + attempt) % 2]
            try:
                st, _ = srv.post("whatsapp", wa_text(mid, text, phone=phone,
                                                     ts=ts))
            except OSError:
                st = 0
            if st == 200:
                with lock:
                    acked[mid] = phone
                break
            time.sleep(0.05)
        time.sleep(PAUSE)


kill_times = []


def killer():
    """SIGKILLs a and b in turn, every KILL_EVERY s or so, each started
    again at once (Meta's retries meanwhile go to the other or wait)."""
    n = 0
    while not stop_kill.wait(KILL_EVERY * random.uniform(0.6, 1.4)):
        s = (a, b)[n % 2]
        s.stop(signal.SIGKILL)
        kill_times.append(time.time())
        kills[0] += 1
        time.sleep(0.3)
        s.start(timeout=20)
        n += 1


threads = [threading.Thread(target=citizen, args=(i,))
           for i in range(CITIZENS)]
kt = threading.Thread(target=killer)
load_start = time.time()
kt.start()
for t in threads:
    t.start()
for t in threads:
    t.join()
stop_kill.set()
kt.join()
load_end = time.time()
T.ok(kills[0] >= SECONDS / KILL_EVERY * 0.6, "the instances were killed %d "
     "times in %.0f s of load" % (kills[0], load_end - load_start))
T.ok(kill_times and kill_times[0] - load_start < SECONDS * 0.25 and
     load_end - kill_times[-1] < SECONDS * 0.25, "the kills are spread "
     "over the run (first after %.0f s, last %.0f s before the end)" %
     (kill_times[0] - load_start, load_end - kill_times[-1])
     if kill_times else "no kill")
want = CITIZENS * len(SCRIPT)
T.eq(len(acked), want, "every message was answered 200 in the end")

stored = dict((r.split("|")[0], int(r.split("|")[1])) for r in q(
    "SELECT msg_id, count(*) FROM inbound GROUP BY msg_id").splitlines())
T.ok(all(stored.get(m) == 1 for m in acked), "every acknowledged id is "
     "stored exactly once", [m for m in acked if stored.get(m) != 1][:5])

# Meta's retries of acknowledged ids, on the other instance: stored once.
dups = 0
for i, mid in enumerate(sorted(acked)[:20]):
    st, _ = (a, b)[i % 2].post("whatsapp", wa_text(mid, "herhaald",
                                                   phone=acked[mid]))
    dups += st == 200
T.eq(dups, 20, "retries of stored ids answered 200")
T.eq(q("SELECT count(*) FROM inbound"), str(want), "retries stored once "
     "(%d duplicates counted)" % dups)

T.ok(wait_for(lambda: q("SELECT count(*) FROM inbound WHERE processed = "
                        "0") == "0", 60), "every message handled")
T.ok(wait_for(lambda: q("SELECT count(*) FROM outbox WHERE status = "
                        "'pending'") == "0", 60), "every reply sent")
T.eq(q("SELECT count(*) FROM outbox WHERE status = 'failed'"), "0",
     "no reply failed")
T.eq(q("SELECT count(DISTINCT user_id) FROM conversations"), str(CITIZENS),
     "one conversation line per citizen")
T.eq(q("SELECT count(*) FROM (SELECT agency, channel, user_id FROM "
       "conversations WHERE open = 1 GROUP BY 1, 2, 3 HAVING count(*) > 1) "
       "x"), "0", "never two open conversations for one citizen")
# In order: each citizen's replies were created in the order of its
# messages; a conversation's inbound rows all link to it.
T.eq(q("SELECT count(*) FROM inbound WHERE conversation_id IS NULL"), "0",
     "every message belongs to a conversation")
# Every reply reached Meta, once by its row's tag (graph.h); a row in
# flight at a kill whose status webhook did not come within the grace
# went again (the crash window): counted apart.
reqs = [r for r in mock.requests() if isinstance(r.get("body"), dict) and
        "to" in r["body"]]
took = Counter(r["body"].get("biz_opaque_callback_data") for r in reqs
               if r.get("answer") == 200)
rows = [int(x) for x in q("SELECT id FROM outbox WHERE kind NOT IN "
                          "('read', 'typing')").split()]
T.eq([i for i in rows if took["loket:outbox:%d" % i] == 0], [],
     "every reply reached Meta (%d)" % len(rows))
T.eq(sorted(set(took) - {"loket:outbox:%d" % i for i in rows}), [],
     "and nothing else")
resent = sum(c - 1 for c in took.values() if c > 1)
T.ok(resent <= kills[0], "each reply sent once; %d sent again in the "
     "crash window of %d kills" % (resent, kills[0]))


def outcomes(query):
    """Per citizen: its conversations' ends and its replies, in order."""
    per = {}
    for line in query("SELECT user_id, state, COALESCE(outcome, ''), open, "
                      "mode, lang FROM conversations ORDER BY user_id, "
                      "id").splitlines():
        f = line.split("|")
        per.setdefault(f[0], [[], []])[0].append(tuple(f[1:]))
    for line in query("SELECT user_id, kind, md5(COALESCE(body, '')) FROM "
                      "outbox WHERE kind NOT IN ('read', 'typing') ORDER "
                      "BY user_id, id").splitlines():
        f = line.split("|")
        per.setdefault(f[0], [[], []])[1].append(tuple(f[1:]))
    return per


# The same messages, citizen by citizen in the same order, through one
# instance on a fresh database: every conversation ends the same.
two = outcomes(q)
ONE = "one_%d" % os.getpid()
psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % ONE)
psql("CREATE DATABASE %s" % ONE)
d1 = os.path.join(tmp, "one")
os.makedirs(d1, exist_ok=True)
mock1 = MockGraph(d1)            # sends no status webhooks to a or b
single = Server(tmpdir=d1, extra_env=dict(env, LOKET_GRAPH_URL=mock1.base +
                                          "/v24.0"),
                db="%s dbname=%s" % (PG, ONE))
single.start()
by_phone = {}
for phone, mid, text, ts in sent_msgs:
    by_phone.setdefault(phone, []).append((mid, text, ts))


def replay(msgs, phone):
    for mid, text, ts in sorted(msgs, key=lambda m: int(m[0].split(".")[-1])):
        for _ in range(100):
            if single.post("whatsapp", wa_text(mid, text, phone=phone,
                                               ts=ts))[0] == 200:
                break
            time.sleep(0.05)
        # One at a time, like the citizen: the previous one handled.
        wait_for(lambda: psql("SELECT count(*) FROM inbound WHERE "
                              "processed = 0 AND user_id = '%s'" % phone,
                              ONE) == "0", 20)


rt = [threading.Thread(target=replay, args=(m, p))
      for p, m in by_phone.items()]
for t in rt:
    t.start()
for t in rt:
    t.join()
wait_for(lambda: psql("SELECT count(*) FROM outbox WHERE status = "
                      "'pending'", ONE) == "0", 60)
one = outcomes(lambda sql: psql(sql, ONE))
single.stop()
mock1.stop()
T.ok(single.sanitizer_clean(), "single instance: no sanitizer reports")
differ = sorted(u for u in set(one) | set(two) if one.get(u) != two.get(u))
T.ok(len(one) == CITIZENS and not differ, "each of the %d citizens' "
     "conversations ends as on one instance (state, outcome, mode, "
     "language, replies in order)" % CITIZENS,
     [(u, two.get(u), one.get(u)) for u in differ[:2]])
if not differ:
    psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % ONE)

a.stop()
b.stop()
T.ok(a.sanitizer_clean() and b.sanitizer_clean(), "no sanitizer reports")

# loket migrate: a SQLite installation into an empty database, once.
lite = os.path.join(tmp, "lite.db")
subprocess.run([BIN, "chat", "--config", "deploy/loket.conf", "--db", lite],
               input="hallo\nik heb een vraag\n", text=True, cwd=ROOT,
               capture_output=True)
mdb = "mig_%d" % os.getpid()
psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % mdb)
psql("CREATE DATABASE %s" % mdb)
r = subprocess.run([BIN, "migrate", "--from", lite, "--to",
                    "%s dbname=%s" % (PG, mdb)], capture_output=True,
                   text=True, cwd=ROOT)
T.ok(r.returncode == 0 and "inbound" in r.stdout, "migrate copies",
     r.stderr)
T.eq(psql("SELECT count(*) FROM inbound", mdb), "2", "rows copied")
r = subprocess.run([BIN, "migrate", "--from", lite, "--to",
                    "%s dbname=%s" % (PG, mdb)], capture_output=True,
                   text=True, cwd=ROOT)
T.ok(r.returncode != 0 and "not empty" in r.stderr,
     "migrate refuses a non-empty target")
psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % mdb)
mock.stop()
base.cleanup()
T.report()
