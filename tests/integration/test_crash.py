#!/usr/bin/env python3
"""SIGKILL under load (issue 14, item 2), with every id checked.

Citizens write to the real server (signed WhatsApp webhooks, each retried
until it gets 200, as Meta does) while the Graph API stand-in answers
slowly, so replies are in flight when the server is killed with SIGKILL
and started again on the same port and database.  The stand-in sends the
status webhooks Meta sends ("sent", with the biz_opaque_callback_data of
the request), retrying while the server is down.

Checked at the end: every acknowledged webhook stored exactly once (0
lost, 0 twice), every message handled, no reply left pending or failed,
and no reply reaching the citizen twice; the replies sent again after a
restart are counted and printed.

Short form (make test): 3 kills in about 15 s.  LOKET_SOAK=SECONDS runs
that long with a kill every 10-20 s (make soak: 600)."""
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from loketlib import (MockGraph, Results, Server, sign,  # noqa: E402
                      wa_text, wait_for)

T = Results()
WA_ID = "106540352242922"
SOAK = int(os.environ.get("LOKET_SOAK", "0"))
DURATION = SOAK or 12
KILL_EVERY = (10, 20) if SOAK else (2.5, 4.0)
GRACE_MS = 3000

random.seed(14)


def config(tmp):
    path = os.path.join(tmp, "crash.conf")
    with open(path, "w") as f:
        f.write("default_agency = demo\n[agency demo]\nname = Demo\n"
                "policy = case\nwhatsapp_phone_number_id = %s\n" % WA_ID)
    return path


class Crashy:
    """The server, restarted on the same port and database."""

    def __init__(self, tmp, graph):
        self.tmp = tmp
        self.graph = graph
        self.srv = None
        self.port = None
        self.kills = 0
        self.lock = threading.Lock()

    def start(self):
        s = Server(config=config(self.tmp), tmpdir=self.tmp, extra_env={
            "LOKET_GRAPH_URL": self.graph + "/v24.0",
            "LOKET_ACCESS_TOKEN": "WATOKEN",
            "LOKET_RESEND_GRACE_MS": str(GRACE_MS)})
        if self.port is not None:
            s.port = self.port
            s.env["LOKET_PORT"] = str(self.port)
        self.port = s.port
        s.start(timeout=20)
        self.srv = s
        return s

    def kill(self):
        with self.lock:
            self.srv.send(signal.SIGKILL)
            self.srv.proc.wait()
            self.srv.proc = None
            self.srv.log.close()
            self.kills += 1
            self.start()


def post(port, body):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("POST", "/webhook/whatsapp", body, {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body)})
        return c.getresponse().status
    finally:
        c.close()


TEXTS = ["Hallo, ik heb een vraag over mijn premie",
         "Ik wil een klacht indienen over de wachttijd",
         "Wanneer zijn jullie open?",
         "Dag, mijn aanvraag is nog niet behandeld"]


def citizen_load(box, stop, acked, worker):
    """Meta's side: each webhook is sent until it gets 200."""
    n = 0
    while not stop.is_set():
        n += 1
        mid = "wamid.crash.%d.%d" % (worker, n)
        phone = "3247%d%06d" % (worker, n)
        body = json.dumps(wa_text(mid, random.choice(TEXTS), phone=phone,
                                  phone_number_id=WA_ID,
                                  ts=str(int(time.time())))).encode()
        while True:
            try:
                if post(box.port, body) == 200:
                    acked.append(mid)
                    break
            except OSError:
                pass
            time.sleep(0.1)
        time.sleep(0.15)


tmp = __import__("tempfile").mkdtemp(prefix="loket-crash-")
port0 = __import__("loketlib").free_port()
mock = MockGraph(tmp, ["--fault", "slow", "--delay", "0.4", "--notify",
                       "http://127.0.0.1:%d" % port0, "--notify-for", "600"])
box = Crashy(tmp, mock.base)
box.port = port0
box.start()

stop = threading.Event()
acked = []
workers = [threading.Thread(target=citizen_load, args=(box, stop, acked, w))
           for w in (1, 2)]
for w in workers:
    w.start()
t_end = time.time() + DURATION
while True:
    wait = random.uniform(*KILL_EVERY)
    if time.time() + wait > t_end:
        break
    time.sleep(wait)
    box.kill()
time.sleep(max(0, t_end - time.time()))
stop.set()
for w in workers:
    w.join(30)
srv = box.srv


def settled():
    return (srv.count("inbound", "processed = 0") == 0 and
            srv.count("outbox", "status = 'pending'") == 0)


T.ok(wait_for(settled, 30 + GRACE_MS / 1000), "all handled and sent",
     "unprocessed %d, pending %d" % (srv.count("inbound", "processed = 0"),
                                     srv.count("outbox",
                                               "status = 'pending'")))
time.sleep(1)       # the last status webhooks
stored = Counter(r[0] for r in srv.query(
    "SELECT msg_id FROM inbound WHERE msg_id LIKE 'wamid.crash.%'"))
lost = [m for m in acked if stored[m] == 0]
twice = [m for m, c in stored.items() if c > 1]
T.ok(len(acked) > 20, "load ran", "%d acknowledged" % len(acked))
T.eq(lost, [], "0 acknowledged webhooks lost")
T.eq(twice, [], "0 webhooks stored twice")
T.eq(srv.count("outbox", "status = 'failed'"), 0, "no reply failed")

# Replies as the citizens got them: requests Meta took (answered 200, or
# the server died waiting for the answer: Meta had it anyway).
reqs = [r for r in mock.requests()
        if isinstance(r.get("body"), dict) and "to" in r["body"]]
took = [r for r in reqs if r.get("answer") == 200]
by_tag = Counter(r["body"].get("biz_opaque_callback_data") for r in took)
by_text = Counter((r["body"]["to"], json.dumps(r["body"].get("text") or
                                               r["body"].get("interactive"),
                                               sort_keys=True))
                  for r in took)
tries = Counter(r["body"].get("biz_opaque_callback_data") for r in reqs)
dups = sum(c - 1 for t, c in by_tag.items() if c > 1 and t is not None)
dups_text = sum(c - 1 for c in by_text.values() if c > 1)
resent = sum(c - 1 for t, c in tries.items() if c > 1 and t is not None)
logs = "".join(open(os.path.join(tmp, "server.log"),
                    errors="replace").readlines())
held = sum(int(x.split("rows=")[1].split()[0]) for x in logs.splitlines()
           if "event=outbox_held_after_restart" in x)
saved = logs.count("event=outbox_sent_by_status") + \
    logs.count("event=outbox_not_resent")
T.ok(box.kills >= 3, "server killed at least 3 times", str(box.kills))
T.eq(dups, 0, "0 replies reached a citizen twice (by row tag)")
T.eq(dups_text, 0, "0 replies reached a citizen twice (by text)")
T.eq(srv.count("outbox", "meta_msg_id IS NULL AND status != 'failed' AND "
               "kind IN ('text', 'choices')"), 0,
     "every reply has Meta's message id")
print("# kills=%d acked=%d replies=%d duplicates=%d (by text %d) "
      "requests_sent_again=%d rows_held_after_restart=%d "
      "found_sent_by_status=%d" % (box.kills, len(acked), len(took), dups,
                                   dups_text, resent, held, saved))
rc = srv.stop()
T.eq(rc, 0, "clean exit after the last restart")
T.ok(srv.sanitizer_clean(), "no sanitizer report")
mock.stop()
__import__("shutil").rmtree(tmp, ignore_errors=True)
T.report()
