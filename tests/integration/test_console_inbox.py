"""The console as an inbox, over HTTP: assignment and release by a
coordinator, a colleague's stuck conversation, hand-back that tells the
citizen and keeps a promised answer waiting, views and search (closed
conversations too), internal notes, case notes as a history, cases made
from the console and outcomes that must match them, the citizen's
history, canned replies (and their reload on SIGHUP), report downloads,
HEAD and the icon, and `staff remove` releasing what the account held.
Every new route is checked for its login, CSRF and role rules."""

import datetime
import json
import os
import signal
import time
import zoneinfo

from consolelib import (Client, add_case, add_conversation, staff_add,
                        staff_cmd)
from loketlib import ROOT, Results, Server

T = Results()
srv = Server().start()
PW = {"cora": "cora-wachtwoord-1", "sam": "sam-wachtwoord-22",
      "lies": "lies-wachtwoord-3"}
staff_add(srv, "cora", PW["cora"], "coordinator")
staff_add(srv, "sam", PW["sam"])
staff_add(srv, "lies", PW["lies"])
cora, sam, lies = Client(srv), Client(srv), Client(srv)
for c, n in ((cora, "cora"), (sam, "sam"), (lies, "lies")):
    st, j, r = c.login(n, PW[n])
    T.eq(st, 200, "%s logs in" % n)
T.ok(any(a["id"] == "demo" and a["name"] == "Demo-agentschap"
         for a in j.get("agencies", [])),
     "login names the agencies by name, for the filters")


def sql(q, args=()):
    return srv.query(q, args)


def conv_path(cid, action=""):
    return "/api/conversations/%d%s" % (cid, "/" + action if action else "")


# --- every new route: login, CSRF, roles ----------------------------------
anon = Client(srv)
w1 = add_conversation(srv, "32470100001", "Wachtende Wendy", waiting=True,
                      texts=["Ik wil een medewerker"])
for path in ("/api/staff", "/api/canned?agency=demo", "/api/report.csv",
             "/api/report.html", "/api/conversations?view=closed"):
    st, j, r = anon.call("GET", path)
    T.eq(st, 401, "GET %s without a session is 401" % path)
for action in ("assign", "release", "note", "case"):
    st, j, r = anon.call("POST", conv_path(w1, action), {"text": "x"})
    T.eq(st, 401, "POST %s without a session is 401" % action)
    st, j, r = sam.call("POST", conv_path(w1, action), {"text": "x"},
                        csrf=False)
    T.ok(st == 403 and j["error"] == "csrf",
         "POST %s without the CSRF token is 403" % action)
    st, j, r = sam.call("POST", conv_path(w1, action), {"text": "x"},
                        headers={"Origin": "http://evil.example"})
    T.eq(st, 403, "POST %s from a foreign Origin is 403" % action)
T.eq(sql("SELECT COUNT(*) FROM conv_notes"), [(0,)],
     "refused notes stored nothing")

# --- assignment by the coordinator -------------------------------------------
st, j, r = sam.call("POST", conv_path(w1, "assign"), {"staff": "lies"})
T.ok(st == 403 and j["error"] == "coordinator_only",
     "a staff member cannot assign")
st, j, r = cora.call("POST", conv_path(w1, "assign"), {"staff": "nobody"})
T.ok(st == 400 and j["error"] == "unknown_staff", "assign to an unknown name")
st, j, r = cora.call("POST", conv_path(w1, "assign"), {"staff": 5})
T.eq(st, 400, "assign with a name of the wrong type is 400")
st, j, r = cora.call("POST", conv_path(w1, "assign"), {})
T.eq(st, 400, "assign without a name is 400")
st, j, r = cora.call("POST", conv_path(w1, "assign"), {"staff": "sam"})
T.ok(st == 200 and j["conversation"]["staff"] == "sam" and
     j["conversation"]["mode"] == "staff", "the coordinator assigns to sam")
st, j, r = sam.call("GET", "/api/conversations?view=mine")
T.eq([c["id"] for c in j["conversations"]], [w1], "sam's view 'mine'")
st, j, r = lies.call("GET", "/api/conversations?view=mine")
T.eq(j["conversations"], [], "lies has none")
st, j, r = lies.call("POST", conv_path(w1, "takeover"))
T.ok(st == 409 and j["error"] == "taken_by_other",
     "a colleague cannot take it")
st, j, r = lies.call("POST", conv_path(w1, "release"))
T.ok(st == 409 and j["error"] == "taken_by_other",
     "nor release it")
st, j, r = cora.call("POST", conv_path(w1, "assign"), {"staff": "lies"})
T.ok(st == 200 and j["conversation"]["staff"] == "lies",
     "the coordinator reassigns to lies")
st, j, r = lies.call("POST", conv_path(w1, "reply"), {"text": "Dag Wendy"})
T.eq(st, 200, "lies can now reply")
st, j, r = sam.call("POST", conv_path(w1, "reply"), {"text": "ik ook"})
T.eq(st, 409, "sam no longer can")

# --- release: back in the queue -------------------------------------------------
st, j, r = cora.call("POST", conv_path(w1, "release"))
T.ok(st == 200 and j["conversation"]["mode"] == "bot" and
     j["conversation"]["staff"] is None and
     j["conversation"]["group"] == "waiting",
     "the coordinator releases lies's conversation: waiting again")
st, j, r = cora.call("GET", "/api/conversations?view=waiting")
T.ok(w1 in [c["id"] for c in j["conversations"]], "it is in 'wachtend'")
st, j, r = cora.call("POST", conv_path(w1, "release"))
T.ok(st == 409 and j["error"] == "not_taken_over",
     "releasing what nobody holds is 409")

# --- hand back: the citizen is told; a promised answer stays waiting ---------
w2 = add_conversation(srv, "32470100002", "Beloofde Bram", waiting=True,
                      texts=["Ik wil iemand spreken"])
sql("UPDATE conversations SET state = 'staff' WHERE id = ?", (w2,))
st, j, r = sam.call("POST", conv_path(w2, "takeover"))
T.eq(st, 200, "sam takes over Bram, who was promised a person")
before = sql("SELECT COUNT(*) FROM outbox WHERE conversation_id = ?", (w2,))
st, j, r = sam.call("POST", conv_path(w2, "handback"))
T.ok(st == 200 and j["conversation"]["group"] == "waiting" and
     j["conversation"]["waiting_since"],
     "handed back without an answer: Bram stays in the queue")
rows = sql("SELECT author, body FROM outbox WHERE conversation_id = ? "
           "ORDER BY id", (w2,))
T.ok(len(rows) == before[0][0] + 1 and rows[-1][0] == "bot" and
     "wachtrij" not in rows[-1][1] and
     "medewerker antwoordt u zo snel mogelijk" in rows[-1][1],
     "and is told his message stays with staff: %r" % rows[-1:])
st, j, r = sam.call("POST", conv_path(w2, "takeover"))
st, j, r = sam.call("POST", conv_path(w2, "reply"),
                    {"text": "Dag Bram, hier is uw antwoord."})
st, j, r = sam.call("POST", conv_path(w2, "handback"))
T.ok(st == 200 and j["conversation"]["group"] == "bot",
     "after an answer, hand-back gives Bram to the bot")
rows = sql("SELECT body FROM outbox WHERE conversation_id = ? ORDER BY id "
           "DESC LIMIT 1", (w2,))
T.ok("digitale assistent" in rows[0][0],
     "and tells him he is back with the digital assistant")

# --- a coordinator closes a colleague's conversation; outcomes ---------------
w3 = add_conversation(srv, "32470100003", "Vastgelopen Vera",
                      texts=["hallo?"])
st, j, r = cora.call("POST", conv_path(w3, "assign"), {"staff": "sam"})
st, j, r = lies.call("POST", conv_path(w3, "close"), {"outcome": "answered"})
T.eq(st, 409, "a colleague cannot close sam's conversation")
st, j, r = cora.call("POST", conv_path(w3, "close"),
                     {"outcome": "case_created"})
T.ok(st == 409 and j["error"] == "no_case",
     "no case outcome without a case")
st, j, r = cora.call("POST", conv_path(w3, "close"),
                     {"outcome": "handed_over"})
T.eq(st, 400, "handed_over is not a staff outcome")
st, j, r = cora.call("POST", conv_path(w3, "close"), {"outcome": ["x"]})
T.eq(st, 400, "an outcome of the wrong type is 400")
st, j, r = cora.call("POST", conv_path(w3, "close"), {"outcome": "answered"})
T.ok(st == 200 and j["conversation"]["open"] is False,
     "the coordinator closes sam's conversation")

# --- a case from the console ----------------------------------------------------
w4 = add_conversation(srv, "32470100004", "Klagende Karel",
                      texts=["De bus reed me voorbij"])
st, j, r = sam.call("POST", conv_path(w4, "case"), {"name": "Karel"})
T.ok(st == 400 and j["error"] == "bad_case", "a case needs a description")
st, j, r = sam.call("POST", conv_path(w4, "case"),
                    {"description": "x" * 3000})
T.eq(st, 400, "a description over 2000 bytes is 400")
st, j, r = sam.call("POST", conv_path(w4, "case"),
                    {"name": "Karel Peeters", "email": "karel@example.be",
                     "description": "De bus reed me voorbij aan halte Zuid"})
ref = j["case"]["reference"] if st == 200 and j.get("case") else ""
T.ok(st == 200 and ref.startswith("DEMO-") and
     j["case"]["name"] == "Karel Peeters" and
     j["case"]["email"] == "karel@example.be" and
     j["case"]["status"] == "nieuw" and j["case"]["deadline_at"],
     "staff register the complaint as a case: %s" % ref)
st, j, r = sam.call("POST", conv_path(w4, "case"), {"description": "nog"})
T.ok(st == 409 and j["error"] == "has_case", "one case per conversation")
st, j, r = sam.call("POST", conv_path(w4, "close"), {"outcome": "answered"})
T.ok(st == 409 and j["error"] == "case_outcome_required",
     "with a case, only the case outcome")
st, j, r = sam.call("POST", conv_path(w4, "close"),
                    {"outcome": "case_created"})
T.eq(st, 200, "closed as case_created")
st, j, r = cora.call("GET", "/api/report")
T.ok(j["complaints"]["case_created"] == j["cases"]["total"] == 1,
     "complaints and cases agree in the report")

# --- notes ------------------------------------------------------------------
st, j, r = sam.call("POST", conv_path(w4, "note"), {"text": ""})
T.eq(st, 400, "an empty note is 400")
st, j, r = sam.call("POST", conv_path(w4, "note"), {"text": "y" * 5000})
T.eq(st, 400, "a note over 4096 bytes is 400")
st, j, r = sam.call("POST", conv_path(w4, "note"),
                    {"text": "Belde ook al op 12/3. <b>let op</b>"})
T.ok(st == 200 and j["notes"][-1]["author"] == "sam" and
     j["notes"][-1]["text"] == "Belde ook al op 12/3. <b>let op</b>",
     "a note on a closed conversation is kept, verbatim")
st, j, r = lies.call("POST", conv_path(w4, "note"), {"text": "Gezien."})
T.eq([n["author"] for n in j["notes"]], ["sam", "lies"],
     "notes are a history")
T.eq(sql("SELECT COUNT(*) FROM outbox WHERE body LIKE '%Gezien%'"), [(0,)],
     "a note is never sent to the citizen")
st, j, r = sam.call("POST", "/api/conversations/999999/note", {"text": "x"})
T.eq(st, 404, "a note on an unknown conversation is 404")

# --- case notes are a history -----------------------------------------------
cref = "/api/cases/" + ref
st, j, r = cora.call("POST", cref, {"step": "note", "note": "eerste"})
st, j, r = cora.call("POST", cref, {"step": "note", "note": "tweede"})
T.ok(st == 200 and [n["text"] for n in j["notes"]] == ["eerste", "tweede"]
     and j["notes"][0]["author"] == "cora" and j["notes"][0]["at"],
     "case notes do not overwrite each other")
st, j, r = cora.call("POST", cref, {"step": "note"})
T.ok(st == 400 and j["error"] == "note_required", "a note step needs text")

# --- history of the citizen ---------------------------------------------------
w5 = add_conversation(srv, "32470100004", "Klagende Karel",
                      texts=["Nog een vraag"])
st, j, r = sam.call("GET", conv_path(w5))
h = j.get("history", [])
T.ok(len(h) == 1 and h[0]["id"] == w4 and h[0]["case_ref"] == ref and
     h[0]["open"] is False and h[0]["outcome"] == "case_created",
     "the earlier conversation and its case show beside the new one")

# --- search and views ----------------------------------------------------------
m1 = add_conversation(srv, "psid-777", None, channel="messenger",
                      texts=["Mijn naam is Mona"])
sql("UPDATE conversations SET data = ? WHERE id = ?",
    (json.dumps({"name": "Mona Claes", "email": "mona@example.be"}), m1))


def ids(q, who=cora):
    st, j, r = who.call("GET", "/api/conversations?" + q)
    return st, [c["id"] for c in j["conversations"]] if st == 200 else []


st, j, r = cora.call("GET", "/api/conversations")
mona = [c for c in j["conversations"] if c["id"] == m1]
T.ok(mona and mona[0]["name"] == "Mona Claes",
     "a Messenger citizen shows the name given in the conversation")
T.eq(ids("view=closed")[1], [w4, w3], "closed view, latest first")
T.ok(w4 not in ids("view=open")[1], "closed ones are not in the open view")
T.ok(set(ids("view=all")[1]) >= {w1, w3, w4, m1}, "all: open and closed")
T.eq(ids("view=all&q=Karel")[1], [w5, w4], "search by name finds both")
T.eq(ids("view=all&q=%2B32%20470%2010%2000%2004")[1], [w5, w4],
     "search by phone as typed (+32 470 ...)")
T.eq(ids("view=all&q=mona%40example")[1], [m1], "search by e-mail")
T.eq(ids("view=all&q=halte%20Zuid")[1], [w4],
     "search by the case's text")
T.eq(ids("view=all&q=" + ref)[1], [w4], "search by case reference")
T.eq(ids("view=all&q=voorbij")[1], [w4], "search in the messages")
T.eq(ids("view=all&q=%25")[1], [], "a % is a character, not a wildcard")
T.eq(ids("view=all&channel=messenger")[1], [m1], "filter by channel")
T.eq(ids("view=all&agency=vmsw")[1], [], "filter by agency")
# The console's periods are Brussels days: from 23:00 or 22:00 UTC the
# machine's date is a day behind them.
today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Brussels")).strftime(
    "%Y-%m-%d")
T.ok(w4 in ids("view=all&from=%s&to=%s" % (today, today))[1],
     "filter by period")
T.eq(ids("view=all&from=2001-01-01&to=2001-12-31")[1], [],
     "a period without conversations")
for bad in ("view=everything", "from=yesterday", "to=2026-13-45"):
    T.eq(ids(bad)[0], 400, "bad filter %s is 400" % bad)
T.eq(ids("q=" + "z" * 5000)[0], 200, "a long search is answered")

# --- colleagues and canned replies ----------------------------------------------
st, j, r = sam.call("GET", "/api/staff")
T.ok(st == 200 and {"name": "cora", "role": "coordinator"} in j["staff"],
     "the list of colleagues")
st, j, r = sam.call("GET", "/api/canned?agency=demo")
T.ok(st == 200 and any("{naam}" in k["text"] for k in j["canned"]) and
     all(set(k) == {"title", "text"} for k in j["canned"]),
     "canned replies with placeholders")
st, j, r = sam.call("GET", "/api/canned?agency=wse")
T.ok(j["canned"][0]["title"] == "Doorverwijzen naar Werk",
     "an agency's own replies come first")

# --- reload on SIGHUP -------------------------------------------------------------
tmp_loc = os.path.join(srv.tmp, "locales")
os.makedirs(tmp_loc)
for f in ("nl.txt", "fr.txt", "en.txt", "verboden.txt"):
    with open(os.path.join(ROOT, "locales", f), "rb") as src, \
            open(os.path.join(tmp_loc, f), "wb") as dst:
        dst.write(src.read())
with open(os.path.join(tmp_loc, "standaardantwoorden.txt"), "w") as f:
    f.write("[*]\nNieuw = Dag {naam}, dit is nieuw.\n")
conf = os.path.join(srv.tmp, "reload.conf")
with open(conf, "w") as f:
    # A config needs an agency (a file without one is refused).
    f.write("locales = %s\ndefault_agency = demo\n[agency demo]\n"
            "name = Demo-agentschap\ncase_prefix = DEMO\npolicy = case\n"
            "whatsapp_phone_number_id = 106540352242922\n"
            "messenger_page_id = 109876543210987\n" % tmp_loc)
srv2 = Server()
srv2.config = conf
srv2.start()
staff_add(srv2, "sam", PW["sam"])
s2 = Client(srv2)
s2.login("sam", PW["sam"])
st, j, r = s2.call("GET", "/api/canned")
T.eq([k["title"] for k in j["canned"]], ["Nieuw"], "canned replies loaded")
with open(os.path.join(tmp_loc, "standaardantwoorden.txt"), "w") as f:
    f.write("[*]\nNieuwer = Dag {naam}.\n")
os.kill(srv2.proc.pid, signal.SIGHUP)
ok = False
for _ in range(50):
    st, j, r = s2.call("GET", "/api/canned")
    if [k["title"] for k in j["canned"]] == ["Nieuwer"]:
        ok = True
        break
    time.sleep(0.1)
T.ok(ok, "SIGHUP reloads them")
with open(os.path.join(tmp_loc, "standaardantwoorden.txt"), "w") as f:
    f.write("geen sectie = tekst\n")
os.kill(srv2.proc.pid, signal.SIGHUP)
time.sleep(0.5)
st, j, r = s2.call("GET", "/api/canned")
T.eq([k["title"] for k in j["canned"]], ["Nieuwer"],
     "a broken file keeps the replies that were there")
T.eq(srv2.stop(), 0, "second server stops cleanly")
T.ok(srv2.sanitizer_clean(), "no sanitizer reports (second server)")
srv2.cleanup()

# --- downloads, HEAD, icon ------------------------------------------------------
st, j, r = cora.call("GET", "/api/report.csv")
T.ok(st == 200 and r.getheader("Content-Type", "").startswith("text/csv")
     and "attachment" in r.getheader("Content-Disposition", ""),
     "the complaint register downloads as CSV")
st, raw = srv.request("GET", "/api/report.csv", None,
                      {"Cookie": "loket_session=" + cora.cookie})
T.ok(ref.encode() in raw and b"karel@example.be" in raw,
     "the coordinator's CSV has the case with its contact details")
st, raw = srv.request("GET", "/api/report.csv", None,
                      {"Cookie": "loket_session=" + sam.cookie})
T.ok(ref.encode() in raw and b"karel@example.be" not in raw,
     "a staff member's CSV has no contact details")
st, raw = srv.request("GET", "/api/report.html", None,
                      {"Cookie": "loket_session=" + cora.cookie})
T.ok(st == 200 and b"<html" in raw.lower(), "the report downloads as HTML")
st, raw = srv.request("HEAD", "/console/")
T.ok(st == 200 and raw == b"", "HEAD /console/ is 200 without a body")
st, raw = srv.request("GET", "/favicon.ico")
T.ok(st == 200 and b"<svg" in raw, "the icon is served")

# --- staff remove releases -----------------------------------------------------
w6 = add_conversation(srv, "32470100006", "Verweesde Vic", texts=["hallo"])
cora.call("POST", conv_path(w6, "assign"), {"staff": "lies"})
rc, out, err = staff_cmd(srv, "remove", "lies")
T.eq(rc, 0, "staff remove lies")
st, j, r = cora.call("GET", conv_path(w6))
T.ok(j["conversation"]["mode"] == "bot" and j["conversation"]["staff"] is None
     and j["conversation"]["group"] == "waiting",
     "lies's conversation is back in the queue")

# --- hostile bodies -----------------------------------------------------------------
for body in ("[1]", "{\"text\": {\"a\": 1}}", "\"x\"", "{bad"):
    st, raw = srv.request("POST", conv_path(w5, "note"), body,
                          {"Cookie": "loket_session=" + sam.cookie,
                           "X-CSRF-Token": sam.csrf,
                           "Content-Type": "application/json"})
    T.eq(st, 400, "note with body %s is 400" % body)
T.eq(sql("SELECT COUNT(*) FROM conv_notes WHERE conversation_id = ?", (w5,)),
     [(0,)], "and stored nothing")

T.eq(srv.stop(), 0, "server stops cleanly")
T.ok(srv.sanitizer_clean(), "no sanitizer reports")
srv.cleanup()
T.report()
