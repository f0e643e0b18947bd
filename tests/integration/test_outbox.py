"""Replies out end to end: `loket serve` against tests/mock_graph.py.

Replies are put in the outbox table the way the conversation engine does
(one INSERT per reply, as outbox_enqueue does) while the server runs, so
each case is exact; everything after that is the real server:
the signed webhook that opens the 24-hour window, the sender, retries on
injected failures, delivery statuses by signed webhook, and SIGKILL in the
middle of a send followed by a restart."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from loketlib import MockGraph as Mock
from loketlib import ROOT, Results, Server, ms_text, wa_text, wait_for

T = Results()
WA_ID = "106540352242922"
PAGE = "109876543210987"


def config(tmp, extra=""):
    path = os.path.join(tmp, "outbox.conf")
    with open(path, "w") as f:
        f.write("default_agency = demo\n[agency demo]\nname = Demo\n"
                "policy = case\nwhatsapp_phone_number_id = %s\n"
                "messenger_page_id = %s\npage_token = PAGETOKEN\n%s"
                % (WA_ID, PAGE, extra))
    return path


def enqueue(srv, channel, user, text, author="bot", kind="text", body=None):
    """What the conversation engine does: one outbox row per reply."""
    now = int(time.time() * 1000)
    return srv.query(
        "INSERT INTO outbox (agency, channel, account_id, user_id, "
        "to_phone, kind, body, author, status, next_attempt_at, "
        "created_at, updated_at) VALUES ('demo', ?, ?, ?, ?, ?, ?, ?, "
        "'pending', 0, ?, ?) RETURNING id",
        (channel, WA_ID if channel == "whatsapp" else PAGE, user,
         user if channel == "whatsapp" else None, kind,
         body or json.dumps({"text": text}), author, now, now))[0][0]


def row(srv, rid):
    r = srv.query("SELECT status, meta_msg_id, attempts, error_code, "
                  "error_text FROM outbox WHERE id = ?", (rid,))
    return r[0] if r else None


def texts(mock, accepted_only=True):
    out = []
    for r in mock.requests():
        b = r.get("body") or {}
        if accepted_only and r.get("answer") != 200:
            continue
        t = (b.get("text") or {}).get("body") if "text" in b else None
        if t is None:
            t = (b.get("message") or {}).get("text")
        if t is not None:
            out.append(t)
    return out


def status_webhook(wamid, status, phone, code=None):
    st = {"id": wamid, "status": status, "timestamp": str(int(time.time())),
          "recipient_id": phone}
    if code:
        st["errors"] = [{"code": code, "title": "Re-engagement message",
                         "message": "Re-engagement message"}]
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3225531111",
                         "phone_number_id": WA_ID},
            "statuses": [st]}}]}]}


def opens_window(srv, phone):
    """A message from the citizen: replies may follow for 24 hours."""
    st, _ = srv.post("whatsapp", wa_text("wamid.in." + phone, "hallo",
                                         phone=phone,
                                         ts=str(int(time.time()))))
    return st == 200


def settle(srv):
    """Waits until the back end thread handled every inbound message and
    sent its replies, so an injected fault hits the next row only."""
    return wait_for(lambda: srv.count("inbound", "processed = 0") == 0 and
                    srv.count("outbox", "status = 'pending'") == 0)


def start(tmp, mock, extra=""):
    return Server(config=config(tmp, extra), tmpdir=tmp, extra_env={
        "LOKET_GRAPH_URL": mock.base + "/v24.0",
        "LOKET_ACCESS_TOKEN": "WATOKEN"}).start()


srv = Server()          # only for its temporary directory
tmp = srv.tmp
mock = Mock(tmp)
srv = start(tmp, mock)
now_s = str(int(time.time()))

# --- in order, with the right requests --------------------------------
st, _ = srv.post("whatsapp", wa_text("wamid.in1", "ik heb een klacht",
                                     phone="32470000001", ts=now_s))
T.eq(st, 200, "citizen's message accepted (opens the window)")
st, _ = srv.post("messenger", ms_text("mid.in1", "hallo", psid="7001",
                                      ts=int(time.time() * 1000)))
ids = [enqueue(srv, "whatsapp", "32470000001", t) for t in
       ("een", "twee", "drie", "vier")]
mid = enqueue(srv, "messenger", "7001", "via messenger")
T.ok(wait_for(lambda: all(row(srv, i)[0] == "sent" for i in ids + [mid])),
     "all replies sent", str([row(srv, i) for i in ids + [mid]]))
# The bot greets both citizens too (the engine answers their messages);
# these checks follow the rows this test queued.
mine = ("een", "twee", "drie", "vier")
T.eq([t for t in texts(mock) if t in mine], list(mine),
     "WhatsApp bubbles in order")
reqs = mock.requests()
wa = [r for r in reqs if r["path"].endswith("/%s/messages" % WA_ID) and
      (r["body"].get("text") or {}).get("body") in mine]
ms = [r for r in reqs if r["path"] == "/v24.0/me/messages" and
      (r["body"].get("message") or {}).get("text") == "via messenger"]
T.ok(len(wa) == 4 and len(ms) == 1, "one request per row",
     "%d wa, %d ms" % (len(wa), len(ms)))
T.eq(wa[0]["body"]["to"], "+32470000001", "to with + and country code")
T.eq(wa[0]["headers"].get("Authorization"), "Bearer WATOKEN",
     "WhatsApp bearer token")
T.eq(ms[0]["headers"].get("Authorization"), "Bearer PAGETOKEN",
     "Messenger page token")
T.ok(wa[0]["query"].startswith("appsecret_proof=") and
     len(wa[0]["query"]) == len("appsecret_proof=") + 64,
     "appsecret_proof sent", wa[0]["query"])
T.eq(ms[0]["body"].get("messaging_type"), "RESPONSE", "messaging_type")
T.ok(all(row(srv, i)[1].startswith("wamid.mock.") for i in ids),
     "Meta's message ids stored")

# --- delivery statuses by signed webhook ---------------------------------
w1, w2 = row(srv, ids[0])[1], row(srv, ids[1])[1]
for body in (status_webhook(w1, "read", "32470000001"),
             status_webhook(w1, "delivered", "32470000001"),
             status_webhook(w2, "failed", "32470000001", 131047)):
    srv.post("whatsapp", body)
T.ok(wait_for(lambda: row(srv, ids[0])[0] == "read" and
              row(srv, ids[1])[0] == "failed"),
     "statuses applied: read stays read, failed after accept",
     str([row(srv, ids[0]), row(srv, ids[1])]))
T.eq(row(srv, ids[1])[3], 131047, "webhook failure code stored for staff")

# --- injected failures ----------------------------------------------------
PHONES = ("32470000011", "32470000012", "32470000013", "32470000014",
          "32470000002")
for p in PHONES:
    opens_window(srv, p)
settle(srv)
mock.control("fault", mode="500", count=2)
r500 = enqueue(srv, "whatsapp", "32470000011", "na twee fouten")
T.ok(wait_for(lambda: row(srv, r500)[0] == "sent", 20),
     "500 twice, then sent (back-off)", str(row(srv, r500)))
T.eq(row(srv, r500)[2], 3, "three attempts")
mock.control("fault", mode="429", count=1, retry_after=1)
r429 = enqueue(srv, "whatsapp", "32470000012", "na 429")
T.ok(wait_for(lambda: row(srv, r429)[0] == "sent", 20),
     "429 with Retry-After, then sent", str(row(srv, r429)))
mock.control("fault", mode="error", code=131026, count=1)
rperm = enqueue(srv, "whatsapp", "32470000013", "onbestelbaar")
rnext = enqueue(srv, "whatsapp", "32470000013", "daarna")
T.ok(wait_for(lambda: row(srv, rperm)[0] == "failed" and
              row(srv, rnext)[0] == "sent"),
     "131026 fails the row, the next one goes", str(row(srv, rperm)))
T.eq(row(srv, rperm)[3], 131026, "Meta's code stored")
T.ok("undeliverable" in (row(srv, rperm)[4] or ""), "Meta's text stored",
     str(row(srv, rperm)))
mock.control("fault", mode="drop", count=2)
rdrop = enqueue(srv, "whatsapp", "32470000014", "na verbroken verbinding")
T.ok(wait_for(lambda: row(srv, rdrop)[0] == "sent", 20),
     "dropped connection retried", str(row(srv, rdrop)))

# --- 24-hour window -------------------------------------------------------
rold = enqueue(srv, "whatsapp", "32479999999", "niemand schreef ons")
T.ok(wait_for(lambda: row(srv, rold)[0] == "failed"),
     "outside the window without template: failed with a reason",
     str(row(srv, rold)))
T.ok("24 hours" in (row(srv, rold)[4] or ""), "reason names the window")

# --- SIGKILL in the middle of a send -----------------------------------
mock.control("fault", mode="slow", delay=1.0, count=1000)
before = len(mock.requests())
kill_ids = [enqueue(srv, "whatsapp", "32470000002", "k%d" % i)
            for i in range(3)]
others = [enqueue(srv, "whatsapp", "32470000002", "o%d" % i) for i in range(2)]
T.ok(wait_for(lambda: row(srv, kill_ids[1])[0] == "sent", 10),
     "two sends acknowledged before the kill")
srv.send(signal.SIGKILL)
srv.proc.wait()
srv.proc = None
srv.log.close()
inflight = srv.query("SELECT id FROM outbox WHERE submitted_at IS NOT NULL")
acked = [i for i in kill_ids + others if row(srv, i)[1]]
mock.control("reset")
time.sleep(1.2)                       # let the mock finish the slow answer
# This mock sends no status webhooks: a row left in flight waits out the
# grace period (shortened here), then goes again.
srv = Server(config=config(tmp), tmpdir=tmp, extra_env={
    "LOKET_GRAPH_URL": mock.base + "/v24.0",
    "LOKET_ACCESS_TOKEN": "WATOKEN", "LOKET_RESEND_GRACE_MS": "1500"})
srv.start()
T.ok(wait_for(lambda: all(row(srv, i)[0] == "sent"
                          for i in kill_ids + others), 15),
     "nothing lost after SIGKILL + restart",
     str([row(srv, i) for i in kill_ids + others]))
after = [t for t in texts(mock) if t.startswith(("k", "o"))
         and len(t) == 2]
dup = sorted(set(t for t in after if after.count(t) > 1))
acked_texts = ["k%d" % i for i in range(3) if kill_ids[i] in acked] + \
    ["o%d" % i for i in range(2) if others[i] in acked]
T.ok(all(after.count(t) == 1 for t in acked_texts),
     "rows acknowledged before the kill not sent again", str(after))
T.ok(len(dup) <= len(inflight),
     "at most the rows in flight at the kill went twice (at least once)",
     "dup=%s inflight=%s" % (dup, inflight))
first = []
for t in after:
    if t not in first:
        first.append(t)
T.eq(first, ["k0", "k1", "k2", "o0", "o1"], "order kept across the restart")
log = srv.read_log()
T.ok("event=outbox_held_after_restart" in log or not inflight,
     "restart logs the rows held for their status")

# --- clean stop ----------------------------------------------------------
rc = srv.stop()
T.eq(rc, 0, "SIGTERM with the sender running exits 0")
T.ok("AddressSanitizer" not in srv.read_log() and
     "runtime error" not in srv.read_log(), "no sanitizer report")
T.ok("ik heb een klacht" not in srv.read_log() and
     "WATOKEN" not in srv.read_log(), "no message text or token in the log")

# --- log: mode -------------------------------------------------------------
srv3 = Server(config=config(tmp), tmpdir=tmp, extra_env={
    "LOKET_GRAPH_URL": "log:"}).start()
rl = enqueue(srv3, "whatsapp", "32470000001", "naar het logboek")
T.ok(wait_for(lambda: row(srv3, rl)[0] == "sent"), "log: counts as accepted")
T.ok((row(srv3, rl)[1] or "").startswith("log."), "log: synthetic id")
T.ok("event=graph_log" in srv3.read_log() and
     "naar het logboek" in srv3.read_log(), "log: request written to the log")
srv3.stop()
mock.stop()
srv3.cleanup()
T.report()
