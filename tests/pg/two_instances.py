"""Two `loket serve` on one PostgreSQL database, webhooks spread over
both, one of them SIGKILLed and restarted during the load, then the
database stopped for a few seconds (tests/run.sh provides the server in
LOKET_TEST_PG, a libpq string without dbname).  Checks: every id
answered 200 is stored exactly once, Meta's retries of those ids are
stored once (counted), every citizen's messages are handled, every reply
goes out (re-sends in the crash window counted apart), /healthz names
the database and says 503 while it is down, and no 200 is given for
anything not stored.  Also `loket migrate` from a SQLite file.
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
CITIZENS = 30
TEXTS = ["hallo", "ik heb een vraag over mijn huur", "wanneer wordt de "
         "huurprijs aangepast?", "bedankt", "dag"]


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
lock = threading.Lock()
stop_kill = threading.Event()
kills = [0]


def citizen(i):
    phone = "3247%07d" % i
    now = int(time.time())
    for k, text in enumerate(TEXTS):
        mid = "wamid.two.%d.%d" % (i, k)
        for attempt in range(200):      # Meta retries until a 200
            srv = (a, b)[(i + k + attempt) % 2]
            try:
                st, _ = srv.post("whatsapp", wa_text(mid, text, phone=phone,
                                                     ts=str(now - 60 + k)))
            except OSError:
                st = 0
            if st == 200:
                with lock:
                    acked[mid] = phone
                break
            time.sleep(0.05)
        time.sleep(0.5)


def killer():
    """SIGKILLs server a and starts it again, a few times."""
    while not stop_kill.wait(0.6):
        if kills[0] >= 3:
            return
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
T.ok(kills[0] >= 1, "server a was killed %d times mid-load" % kills[0])
want = CITIZENS * len(TEXTS)
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
