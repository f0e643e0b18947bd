"""The review of misunderstood messages end to end: collection from real
conversations through `loket chat` (not understood, re-asked, handed
over), `loket intents review --list` (grouped, masked, largest first),
`--assign` on a temporary copy of intents/ (check, held-out scores,
refusal, --force, --pending), `--ignore`, and `loket erase` / `loket
purge` removing the raw text of the items."""

import json
import os
import shutil
import subprocess
import tempfile

from consolelib import Client, staff_add
from loketlib import (BIN, ROOT, Results, Server, db_query,
                     fresh_db, wa_text, wait_for)

T = Results()
tmp = tempfile.mkdtemp(prefix="loket-review-")
CONF = os.path.join(ROOT, "deploy", "loket.conf")


def loket(*args, stdin=None):
    e = dict(os.environ)
    e.pop("LOKET_DB", None)
    e["TMPDIR"] = tmp
    p = subprocess.run([BIN] + list(args), cwd=ROOT, env=e, input=stdin,
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def chat(db, lines, *extra):
    return loket("chat", "--config", CONF, "--db", db, *extra,
                 stdin="\n".join(lines) + "\n")


def q(db, sql, args=()):
    return db_query(db, sql, args)


def listing(db, *extra):
    rc, out, err = loket("intents", "review", "--list", "--format", "json",
                         "--db", db, *extra)
    T.eq(rc, 0, "review --list exits 0 " + err.strip())
    return [json.loads(l) for l in out.splitlines() if l.strip()]


# --- collection through real conversations -----------------------------
db = fresh_db(tmp, "loket.db")
rc, out, _ = chat(db, [
    "blorp fnarg zwiebel",          # not understood: the menu
    "Blorp fnarg zwiebels!!",       # again: handed over
    "/wait 25h",
    "blorp fnarg zwiebel",
    "/wait 25h",
    "qqq zzz jan.peeters@telenet.be 0470 12 34 56",
    "/wait 25h",
    "wanneer zijn jullie open?",    # understood: not collected
    "/wait 25h",
    "dank u"])
T.eq(rc, 0, "chat ran")
rows = q(db, "SELECT reasons, guess, text, agency, channel, received_at > 0,"
         " inbound_id IN (SELECT id FROM inbound) FROM review_items"
         " ORDER BY id")
T.eq(len(rows), 4, "four misread messages collected, the understood not")
T.ok(all(r[1] == "onbekend" and r[3] == "vmsw" and r[4] == "whatsapp" and
         r[5] == 1 and r[6] == 1 for r in rows),
     "each with its guess, agency, channel, time and inbound message")
T.ok(rows[0][0] & 1, "onbekend recorded as a reason")
T.ok(rows[1][0] & 4, "the hand-over for not understanding recorded")
T.ok(rows[1][0] & 2 or rows[1][0] & 4, "the second misreading is re-asked")
T.ok(not any("open" in r[2] for r in rows), "an understood question is no item")
T.ok(q(db, "SELECT count(*) FROM review_items WHERE signals LIKE"
       " '%short_answer%'")[0][0] >= 3, "signals stored")

# The raw text stays in the database only.
items = listing(db)
T.eq([g["count"] for g in items], [3, 1], "near-duplicates grouped, largest first")
T.eq(items[0]["text"], "blorp fnarg zwiebel", "group text")
T.ok(items[0]["guess"] == "onbekend" and "onbekend" in items[0]["reasons"],
     "group has guess and reasons")
T.ok(all(k in items[0] for k in ("id", "text", "count", "guess", "signals",
                                  "conversation", "items", "examples")),
     "the documented keys")
masked = items[1]["text"]
T.ok("{email}" in masked and "{telefoon}" in masked and
     "telenet" not in masked and "0470" not in masked,
     "personal data masked in the listing: " + masked)
rc, text_out, _ = loket("intents", "review", "--list", "--db", db)
T.ok(rc == 0 and "0470" not in text_out and "2 open groups" in text_out,
     "text listing masked too")

# --- assign on a temporary copy of intents/ ----------------------------
idir = os.path.join(tmp, "intents")
shutil.copytree(os.path.join(ROOT, "intents"), idir)
nl = os.path.join(idir, "nl")
better = os.path.join(tmp, "better.tsv")
with open(better, "w") as f:
    f.write("vraag\tblorp fnarg zwiebel\nvraag\twanneer zijn jullie open?\n"
            "klacht\tik wil een klacht indienen over de aannemer\n")
worse = os.path.join(tmp, "worse.tsv")
with open(worse, "w") as f:
    f.write("onbekend\tqqq zzz jan@x.be 0470 12 34 56\nvraag\twanneer zijn jullie open?\n")

before = open(os.path.join(nl, "vraag.txt")).read()
gid = items[0]["id"]
other = items[1]["id"]
rc, out, err = loket("intents", "review", "--assign", str(gid), "geenintent",
                     "--intents", nl, "--db", db, "--test", better)
T.ok(rc == 1 and "geenintent" in err, "unknown intent refused: " + err.strip())
rc, out, err = loket("intents", "review", "--assign", "99999", "vraag",
                     "--intents", nl, "--db", db, "--test", better)
T.ok(rc == 1 and "no open item 99999" in err, "unknown item refused")
rc, out, err = loket("intents", "review", "--assign", "abc", "vraag",
                     "--db", db)
T.eq(rc, 2, "bad id is a usage error")

rc, out, err = loket("intents", "review", "--assign", str(other), "vraag",
                     "--intents", nl, "--db", db, "--test", worse)
T.ok(rc == 1 and "refused" in out and "macro-F1" in out,
     "a change that makes the held-out score worse is refused", out)
T.eq(open(os.path.join(nl, "vraag.txt")).read(), before,
     "refused: phrase file untouched")
T.eq(len(listing(db)), 2, "refused: the group stays open")

rc, out, err = loket("intents", "review", "--assign", str(gid), "vraag",
                     "--intents", nl, "--db", db, "--test", better)
T.eq(rc, 0, "assign exits 0 " + err)
T.ok("macro-F1" in out and "->" in out and "  vraag " in out,
     "shows macro-F1 and the per-class change", out)
after = open(os.path.join(nl, "vraag.txt")).read()
T.eq(after, before + ("" if before.endswith("\n") else "\n") +
     "blorp fnarg zwiebel\n", "masked text appended to vraag.txt")
T.eq(q(db, "SELECT count(*) FROM review_items WHERE status = 'assigned'"
       " AND assigned = 'vraag'"), [(3,)], "the whole group is assigned")
rc, out, _ = loket("intents", "check", nl)
T.eq(rc, 0, "intents check passes after the assign")
rc, out, _ = loket("classify", "--intents", nl, stdin="blorp fnarg zwiebel\n")
T.ok('"intent":"vraag"' in out, "the new phrase is learnt: " + out.strip())

rc, out, err = loket("intents", "review", "--assign", str(other), "vraag",
                     "--intents", nl, "--db", db, "--test", worse, "--force",
                     "--pending")
T.eq(rc, 0, "--force applies a worse change " + err)
pend = os.path.join(nl, "vraag.txt.pending")
T.ok(os.path.exists(pend) and "{email}" in open(pend).read() and
     "telenet" not in open(pend).read(),
     "--pending writes the masked text beside the phrase file")
T.eq(open(os.path.join(nl, "vraag.txt")).read(), after,
     "--pending leaves the phrase file")
rc, out, _ = loket("intents", "check", nl)
T.ok(rc == 0 and "vraag.txt.pending" in out, "check names the pending file")
T.eq(listing(db), [], "nothing open after both assigns")
T.ok(not any(n.startswith("loket-review-") for n in os.listdir(tmp)),
     "trial copies removed")

# --- ignore --------------------------------------------------------------
db2 = fresh_db(tmp, "ignore.db")
chat(db2, ["qwrtz plmok", "/wait 25h", "dank u"])
g = listing(db2)
T.eq(len(g), 1, "one group to ignore")
rc, out, _ = loket("intents", "review", "--ignore", str(g[0]["id"]), "--db", db2)
T.ok(rc == 0 and "ignored 1" in out, "ignore exits 0")
T.eq(listing(db2), [], "ignored group no longer listed")
T.eq(q(db2, "SELECT status, resolved_by IS NOT NULL FROM review_items"),
     [("ignored", 1)], "ignored, with who")
rc, _, err = loket("intents", "review", "--ignore", str(g[0]["id"]), "--db", db2)
T.eq(rc, 1, "ignoring twice: no open item")
rc, _, _ = loket("intents", "review", "--db", db2)
T.eq(rc, 2, "no action is a usage error")
rc, _, _ = loket("intents", "review", "--list", "--format", "xml", "--db", db2)
T.eq(rc, 2, "bad format is a usage error")

# --- erase ----------------------------------------------------------------
db3 = fresh_db(tmp, "erase.db")
chat(db3, ["xqz vlorp 0486 55 44 33", "/wait 25h", "dank u"])
T.eq(len(listing(db3)), 1, "an item before the erase")
rc, out, _ = loket("erase", "--db", db3, "--user", "chat-citizen")
T.ok(rc == 0 and "review items 1" in out, "erase counts the item: " + out)
T.eq(q(db3, "SELECT text, signals, status FROM review_items"),
     [(None, None, "erased")], "erase removes the raw text of the item")
T.eq(listing(db3), [], "erased items are not listed")
T.eq(q(db3, "SELECT count(*) FROM review_items"), [(1,)],
     "the row stays for the figures")

# --- report -----------------------------------------------------------------
def report(db, *extra):
    rc, out, err = loket("report", "--db", db, *extra)
    T.eq(rc, 0, "report exits 0 " + err.strip())
    return json.loads(out) if "--format" not in extra else out


r = report(db, "--from", "2000-01-01", "--to", "2100-01-01")
T.eq(r["misunderstood"]["messages"], 4, "report counts the misread messages")
T.ok(abs(r["misunderstood"]["share"] - 4.0 / r["inbound"]["total"]) < 1e-9,
     "share of the messages received", repr(r["misunderstood"]))
T.eq(sum(w["misunderstood"]["messages"] for w in r["weekly"]), 4,
     "the weeks add up")
T.eq(r["agencies"]["vmsw"]["misunderstood"]["messages"], 4, "per agency")
T.eq(r["agencies"]["vmsw"]["channels"]["whatsapp"]["misunderstood"]
     ["messages"], 4, "per agency and channel")
r = report(db2, "--from", "2000-01-01", "--to", "2100-01-01",
           "--agency", "wse")
T.eq(r["misunderstood"], {"messages": 0, "share": None},
     "no messages: share null")
html = report(db, "--from", "2000-01-01", "--to", "2100-01-01",
              "--format", "html")
T.ok("Niet begrepen berichten" in html and "aandeel" in html,
     "the HTML report has the section")

# --- purge ------------------------------------------------------------------
db4 = fresh_db(tmp, "purge.db")
chat(db4, ["grompf zwolg", "/wait 25h", "dank u"], "--at", "2024-01-10T10:00")
chat(db4, ["vlimp zwarg"])      # today, conversation open: kept
T.eq(len(listing(db4)), 2, "two items before the purge")
fig = report(db4, "--from", "2000-01-01", "--to", "2100-01-01")
rc, out, _ = loket("purge", "--db", db4, "--older-than", "400d")
T.ok(rc == 0 and "review items 1" in out, "purge counts the old item: " + out)
T.eq(q(db4, "SELECT text FROM review_items ORDER BY id"),
     [(None,), ("vlimp zwarg",)], "purge blanks the old item, keeps the new")
T.eq([g["text"] for g in listing(db4)], ["vlimp zwarg"],
     "purged items are not listed")
fig2 = report(db4, "--from", "2000-01-01", "--to", "2100-01-01")
T.ok(fig["misunderstood"]["messages"] == 2 and
     fig2["misunderstood"] == fig["misunderstood"],
     "a purge does not change the figure", repr(fig2["misunderstood"]))

# --- the console API ----------------------------------------------------------
srv = Server().start()
for name, role in (("sam", "staff"), ("cora", "coordinator"),
                   ("aut", "author")):
    staff_add(srv, name, "a long password " + name, role)
srv.post("whatsapp", wa_text("wamid.r1", "qqq zzz jan@x.be 0470 12 34 56 xx Els",
                             phone="32470111111", ts="1764500000"))
T.ok(wait_for(lambda: srv.count("review_items") == 1),
     "a misread webhook message is collected by the server")
srv.post("whatsapp", wa_text("wamid.r2", "wanneer zijn jullie open?",
                             phone="32470222222", ts="1764500001"))
T.ok(wait_for(lambda: srv.count("inbound", "processed = 1") == 2),
     "the understood message processed")
T.eq(srv.count("review_items"), 1, "an understood message is not collected")
good_in = srv.query("SELECT id, conversation_id FROM inbound"
                    " WHERE msg_id = 'wamid.r2'")[0]

anon = Client(srv)
st, j, _ = anon.call("GET", "/api/review")
T.eq(st, 401, "review needs a login")
sam, cora, aut = Client(srv), Client(srv), Client(srv)
for c, n in ((sam, "sam"), (cora, "cora"), (aut, "aut")):
    T.eq(c.login(n, "a long password " + n)[0], 200, "login " + n)
st, j, _ = sam.call("GET", "/api/review")
T.ok(st == 403 and j == {"error": "review_only"}, "staff cannot review")
st, j, _ = aut.call("GET", "/api/review")
T.eq(st, 200, "an author reviews")
g = j["groups"][0]
T.ok(g["text"] == "qqq zzz {email} {telefoon} xx {naam}" and g["count"] == 1 and
     g["guess"], "masked group for the author", repr(g))
T.eq(g["conversation"], 0, "an author does not see the conversation")
st, j, _ = cora.call("GET", "/api/review")
T.ok(st == 200 and j["groups"][0]["conversation"] > 0,
     "a coordinator sees the conversation")
st, _, _ = aut.call("GET", "/api/conversations")
T.eq(st, 403, "an author sees no conversations")
st, _, _ = aut.call("GET", "/api/cases")
T.eq(st, 403, "an author sees no cases")

path = "/api/messages/%d/misunderstood" % good_in[0]
st, j, _ = sam.call("POST", path, {"answer": "vraag"}, csrf=False)
T.eq(st, 403, "marking needs the CSRF token")
st, j, _ = sam.call("POST", path, {"answer": "vraag"},
                    headers={"Origin": "http://evil.example"})
T.eq(st, 403, "marking from another origin refused")
st, j, _ = aut.call("POST", path, {})
T.ok(st == 403 and j == {"error": "review_only"}, "an author cannot mark")
st, j, _ = sam.call("POST", path, {"answer": "Geen geldig!"})
T.ok(st == 400 and j == {"error": "bad_answer"}, "a bad answer refused")
st, j, _ = sam.call("POST", path, {"answer": "geenintent"})
T.ok(st == 400 and j == {"error": "bad_answer"}, "an unknown intent refused")
st, j, _ = sam.call("POST", path, {"answer": 5})
T.eq(st, 400, "a non-string answer refused")
st, j, _ = sam.call("POST", "/api/messages/999999/misunderstood", {})
T.eq(st, 404, "an unknown message is 404")
st, j, _ = sam.call("POST", "/api/messages/abc/misunderstood", {})
T.eq(st, 404, "a bad path is 404")
T.eq(srv.count("review_items"), 1, "refused marks stored nothing")
st, j, _ = sam.call("POST", path, {"answer": "vraag"})
T.ok(st == 200 and j == {"ok": True}, "staff mark a message")
T.eq(srv.query("SELECT reasons, answer, marked_by, text FROM review_items"
               " WHERE inbound_id = ?", (good_in[0],)),
     [(16, "vraag", "sam", "wanneer zijn jullie open?")],
     "the mark is stored with the answer and who")
st, j, _ = cora.call("GET", "/api/review")
T.ok(any(x["answers"] == {"vraag": 1} for x in j["groups"]),
     "the right answer shows in the review")

# Staff take over a conversation the bot was handling.
srv.post("whatsapp", wa_text("wamid.r3", "ik heb een vraag over mijn premie",
                             phone="32470333333", ts="1764500002"))
T.ok(wait_for(lambda: srv.count("inbound", "processed = 1") == 3),
     "third message processed")
conv = srv.query("SELECT conversation_id, id FROM inbound"
                 " WHERE msg_id = 'wamid.r3'")[0]
before = srv.count("review_items")
st, _, _ = sam.call("POST", "/api/conversations/%d/takeover" % conv[0], {})
T.eq(st, 200, "takeover")
T.eq(srv.query("SELECT reasons FROM review_items WHERE inbound_id = ?",
               (conv[1],)), [(8,)],
     "the last message before a takeover is up for review")
T.eq(srv.count("review_items"), before + 1, "one item for the takeover")

# Ignore a group.
gid = [x for x in cora.call("GET", "/api/review")[1]["groups"]
       if x["text"].startswith("qqq")][0]["id"]
st, j, _ = aut.call("POST", "/api/review/%d/ignore" % gid, {}, csrf=False)
T.eq(st, 403, "ignore needs the CSRF token")
st, j, _ = sam.call("POST", "/api/review/%d/ignore" % gid, {})
T.eq(st, 403, "staff cannot ignore")
st, j, _ = aut.call("POST", "/api/review/%d/ignore" % gid, {})
T.ok(st == 200 and j["items"] == 1, "an author ignores a group")
st, j, _ = aut.call("POST", "/api/review/%d/ignore" % gid, {})
T.eq(st, 404, "an ignored group is gone")
st, j, _ = aut.call("POST", "/api/review/%d/assign" % gid, {})
T.eq(st, 404, "no assign route in the API")
T.ok(srv.sanitizer_clean(), "no sanitizer report (review server)")
srv.cleanup()

T.report()
