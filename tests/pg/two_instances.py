"""Two `loket serve` on one PostgreSQL database, webhooks spread over
both, one of them SIGKILLed and restarted during the load, then the
database stopped for a few seconds (tests/run.sh provides the server in
LOKET_TEST_PG, a libpq string without dbname).  Checks: every id
answered 200 is stored exactly once, Meta's retries of those ids are
stored once (counted), every citizen's messages are handled, every reply
goes out (re-sends in the crash window counted apart), /healthz names
the database and says 503 while it is down, and no 200 is given for
anything not stored.  Then the same messages go through one instance on
a fresh database, and each citizen's conversations must end the same
(state, outcome, open, mode, language, and the replies in order).  Also
`loket migrate` from a SQLite file.  The load lasts LOKET_TWO_SECONDS
(default 10; run under both builds by tests/run.sh).
Ends with "N passed, N failed"."""

import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from loketlib import (BIN, ROOT, MockGraph, Results, Server,  # noqa: E402
                      wa_text, wait_for)

T = Results()
PG = os.environ.get("LOKET_TEST_PG")
if not PG:
    print("LOKET_TEST_PG not set (tests/run.sh starts a cluster)")
    print("0 passed, 1 failed")
    sys.exit(1)
DB = "two_%d" % os.getpid()
CONN = "%s dbname=%s" % (PG, DB)
CITIZENS = 40
SECONDS = float(os.environ.get("LOKET_TWO_SECONDS", "10"))
TEXTS = ["hallo", "ik heb een vraag over mijn huur", "wanneer wordt de "
         "huurprijs aangepast?", "bedankt", "dag"]
# Each citizen has two conversations (a question, then thanks, which
# ends it), spread over SECONDS.  Not the closing "dag": whether a
# goodbye right after the end is answered depends on how soon it comes,
# which would make the comparison with one instance a matter of timing.
SCRIPT = TEXTS[:4] * 2


def psql(sql, db="postgres"):
    out = subprocess.run(["psql", "-qXAt", "%s dbname=%s" % (PG, db),
                          "-c", sql], capture_output=True, text=True)
    return out.stdout.strip()


def q(sql):
    return psql(sql, DB)


psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB)
psql("CREATE DATABASE %s" % DB)

base = Server()                 # only for its temporary directory
tmp = base.tmp
mock = MockGraph(tmp)
env = {"LOKET_DB": CONN, "LOKET_GRAPH_URL": mock.base + "/v24.0",
       "LOKET_ACCESS_TOKEN": "WATOKEN"}


def server(name):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    s = Server(tmpdir=d, extra_env=env)
    s.db = CONN
    return s


a = server("a").start()
b = server("b").start()
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


def killer():
    """SIGKILLs server a and starts it again, about every 2.5 s."""
    while not stop_kill.wait(2.5):
        a.stop(signal.SIGKILL)
        kills[0] += 1
        time.sleep(0.3)
        a.start()


threads = [threading.Thread(target=citizen, args=(i,))
           for i in range(CITIZENS)]
kt = threading.Thread(target=killer)
kt.start()
for t in threads:
    t.start()
for t in threads:
    t.join()
stop_kill.set()
kt.join()
T.ok(kills[0] >= min(3, SECONDS / 3), "server a was killed %d times in "
     "%.0f s of load" % (kills[0], SECONDS))
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
rows = int(q("SELECT count(*) FROM outbox WHERE status <> 'pending'"))
sent = len([r for r in mock.requests() if r.get("answer") == 200])
T.ok(sent >= rows - int(q("SELECT count(*) FROM outbox WHERE kind IN "
                          "('read', 'typing')")) and sent - rows <= 64,
     "each reply sent once; %d re-sent in the crash window" %
     max(0, sent - rows), "sent %d rows %d" % (sent, rows))


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
single = Server(tmpdir=d1, extra_env=dict(env, LOKET_DB="%s dbname=%s" %
                                          (PG, ONE)))
single.db = "%s dbname=%s" % (PG, ONE)
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
T.ok(single.sanitizer_clean(), "single instance: no sanitizer reports")
differ = sorted(u for u in set(one) | set(two) if one.get(u) != two.get(u))
T.ok(len(one) == CITIZENS and not differ, "each of the %d citizens' "
     "conversations ends as on one instance (state, outcome, mode, "
     "language, replies in order)" % CITIZENS,
     [(u, two.get(u), one.get(u)) for u in differ[:2]])
if not differ:
    psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % ONE)

# The database stops for a few seconds: no 200 without a commit, then
# both instances carry on by themselves.
pgdir = PG.split("host=")[1].split()[0]
ctl = ["/usr/lib/postgresql/15/bin/pg_ctl", "-D", pgdir + "/data", "-w"]
as_owner = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
subprocess.run(as_owner + ctl + ["-m", "fast", "stop"],
               capture_output=True)
st, body = b.request("GET", "/healthz")
T.eq(st, 503, "/healthz 503 while the database is down")
st, _ = b.post("whatsapp", wa_text("wamid.two.down", "hallo",
                                   phone="32479999999"))
T.ok(st != 200, "no 200 for a webhook that cannot be stored", st)
time.sleep(2)
subprocess.run(as_owner + ctl + [
    "-l", pgdir + "/server.log", "-o", "-k %s -c listen_addresses= "
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200" % pgdir, "start"], capture_output=True)
T.ok(wait_for(lambda: b.request("GET", "/healthz")[0] == 200, 15),
     "service resumes by itself")
ok = False
for _ in range(100):
    st, _ = b.post("whatsapp", wa_text("wamid.two.down", "hallo",
                                       phone="32479999999"))
    if st == 200:
        ok = True
        break
    time.sleep(0.1)
T.ok(ok and q("SELECT count(*) FROM inbound WHERE msg_id = "
              "'wamid.two.down'") == "1", "the retry is stored after it")

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
