#!/usr/bin/env python3
"""A database lock held by another process (a backup, the sqlite3 shell)
must not stall the event loop (issue 14, item 5).  While a write lock is
held, a console login (which writes its session) and a webhook wait for it
or fail; /healthz, answered by the loop meanwhile, must stay fast.  Once
the lock is gone, everything works again."""
import os
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from consolelib import Client, staff_add  # noqa: E402
from loketlib import Results, Server, wa_text  # noqa: E402

T = Results()
PW = "een lang genoeg wachtwoord"
srv = Server().start()
T.eq(staff_add(srv, "els", PW)[0], 0, "account created")

lock = sqlite3.connect(srv.db, timeout=5, isolation_level=None)
lock.execute("BEGIN IMMEDIATE")
res = {}


def login():
    t = time.time()
    res["login"] = Client(srv).login("els", PW)[0]
    res["login_s"] = time.time() - t


def webhook():
    t = time.time()
    res["hook"] = srv.post("whatsapp", wa_text("wamid.locked", "hallo"))[0]
    res["hook_s"] = time.time() - t


threads = [threading.Thread(target=f) for f in (login, webhook)]
for th in threads:
    th.start()
worst = 0.0
for _ in range(20):
    t = time.time()
    st, _ = srv.request("GET", "/healthz")
    worst = max(worst, time.time() - t)
    time.sleep(0.1)
for th in threads:
    th.join(20)
T.ok(worst < 0.5, "healthz fast while the lock is held",
     "slowest %.2f s" % worst)
T.ok(res.get("login") == 503 and res.get("login_s", 9) < 1,
     "login under the lock: 503 at once", repr(res))
T.ok(res.get("hook") in (200, 503), "webhook under the lock answered",
     repr(res))
lock.execute("COMMIT")
lock.close()
st, _, _ = Client(srv).login("els", PW)
T.eq(st, 200, "login after the lock: 200")
st, _ = srv.post("whatsapp", wa_text("wamid.locked", "hallo"))
T.eq(st, 200, "webhook after the lock: 200")
T.eq(srv.count("inbound", "msg_id = 'wamid.locked'"), 1, "stored once")
print("# healthz slowest %.1f ms under the lock; login %.0f ms, webhook "
      "%.0f ms" % (worst * 1000, res.get("login_s", 0) * 1000,
                   res.get("hook_s", 0) * 1000))
T.eq(srv.stop(), 0, "clean exit")
T.ok(srv.sanitizer_clean(), "no sanitizer report")
srv.cleanup()
T.report()
