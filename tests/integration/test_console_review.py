"""The console's side of the review of misunderstood messages, over HTTP:
the list of intents and topics a right answer may name (GET
/api/intents), the review filtered by agency (GET /api/review?agency=),
and the marks staff put on citizen messages, as the transcript shows
them afterwards.  Every route is checked for its login, CSRF and role
rules."""


from consolelib import Client, staff_add
from loketlib import Results, Server, wa_text, wait_for

T = Results()
srv = Server().start()
PW = "a long password "
for name, role in (("sam", "staff"), ("cora", "coordinator"),
                   ("aut", "author")):
    staff_add(srv, name, PW + name, role)
anon, sam, cora, aut = Client(srv), Client(srv), Client(srv), Client(srv)
for c, n in ((sam, "sam"), (cora, "cora"), (aut, "aut")):
    T.eq(c.login(n, PW + n)[0], 200, "login " + n)

# --- GET /api/intents ----------------------------------------------------
st, j, _ = anon.call("GET", "/api/intents")
T.eq(st, 401, "the intents need a login")
st, j, _ = sam.call("GET", "/api/intents")
T.eq(st, 200, "staff get the intents")
ids = {x["id"]: x["topic"] for x in (j or {}).get("intents", [])}
T.ok(ids.get("klacht") is False and ids.get("vraag") is False,
     "core intents are listed as intents", repr(ids))
T.ok(ids.get("openingsuren") is True and ids.get("adreswijziging") is True,
     "topics are listed as topics", repr(ids))
T.ok("onbekend" not in ids, "onbekend is no right answer")
T.ok(all(set(x) == {"id", "topic"} for x in j["intents"]),
     "each entry is {id, topic}")
st, j2, _ = aut.call("GET", "/api/intents")
T.ok(st == 200 and j2 == j, "an author gets the same list (for --assign)")
st, j3, _ = cora.call("GET", "/api/intents")
T.ok(st == 200 and j3 == j, "so does a coordinator")
st, j, _ = sam.call("POST", "/api/intents", {})
T.eq(st, 404, "the list cannot be posted to")

# --- a message to mark ------------------------------------------------------
srv.post("whatsapp", wa_text("wamid.c1", "wanneer zijn jullie open?",
                             phone="32470222222", ts="1764500001"))
srv.post("whatsapp", wa_text("wamid.c2", "en op zaterdag ook?",
                             phone="32470222222", ts="1764500002"))
T.ok(wait_for(lambda: srv.count("inbound", "processed = 1") == 2),
     "two citizen messages processed")
m1, conv = srv.query("SELECT id, conversation_id FROM inbound"
                     " WHERE msg_id = 'wamid.c1'")[0]
m2 = srv.query("SELECT id FROM inbound WHERE msg_id = 'wamid.c2'")[0][0]
path = "/api/messages/%d/misunderstood" % m1
cpath = "/api/conversations/%d" % conv


def marks(client):
    st, j, _ = client.call("GET", cpath)
    if st != 200:
        return None
    return {m["id"]: m.get("misunderstood") for m in j["messages"]
            if m["from"] == "citizen"}


T.eq(marks(sam), {m1: None, m2: None}, "nothing marked yet")
st, j, _ = sam.call("POST", path, {"answer": "bestaat_niet"})
T.ok(st == 400 and j == {"error": "bad_answer"},
     "an answer not in the list is refused")
st, j, _ = sam.call("POST", path, {"answer": "openingsuren"}, csrf=False)
T.eq(st, 403, "marking needs the CSRF token")
T.eq(marks(sam), {m1: None, m2: None}, "refused marks show nothing")
st, j, _ = sam.call("POST", path, {"answer": "openingsuren"})
T.ok(st == 200 and j == {"ok": True}, "a topic from the list is accepted")
T.eq(marks(sam), {m1: {"answer": "openingsuren", "by": "sam"}, m2: None},
     "the transcript shows the mark on that message only, with its answer"
     " and who marked it")
T.eq(marks(cora), {m1: {"answer": "openingsuren", "by": "sam"}, m2: None},
     "a colleague sees the mark too")
st, j, _ = cora.call("POST", "/api/messages/%d/misunderstood" % m2, {})
T.eq(st, 200, "a mark without an answer")
T.eq(marks(sam)[m2], {"answer": None, "by": "cora"},
     "shows without an answer")
st, _, _ = aut.call("GET", cpath)
T.eq(st, 403, "an author still sees no transcript")
# An item the bot collected by itself (not understood) is no staff mark.
srv.post("whatsapp", wa_text("wamid.c3", "qqq zzz blorp",
                             phone="32470222222", ts="1764500003"))
T.ok(wait_for(lambda: srv.count("review_items",
                                "reasons & 16 = 0") == 1),
     "a not understood message is collected")
m3 = srv.query("SELECT id FROM inbound WHERE msg_id = 'wamid.c3'")[0][0]
T.eq(marks(sam).get(m3, "missing"), None,
     "a message the bot collected by itself shows no staff mark")

def sql_write(q):
    srv.query(q)


# --- GET /api/review?agency= ---------------------------------------------------
sql_write("INSERT INTO review_items (inbound_id, conversation_id, agency,"
          " channel, received_at, reasons, text, guess, created_at) VALUES"
          " (999999, NULL, 'elders', 'whatsapp', 1764500000000, 1,"
          " 'tekst van elders', 'onbekend', 1764500000000)")
st, j, _ = cora.call("GET", "/api/review")
every = {g["agency"] for g in j["groups"]}
T.ok(st == 200 and every == {"demo", "elders"}, "unfiltered: every agency",
     repr(every))
st, j, _ = cora.call("GET", "/api/review?agency=demo")
T.ok(st == 200 and j["groups"] and
     {g["agency"] for g in j["groups"]} == {"demo"},
     "filtered: only that agency's groups")
T.eq(j["messages"], sum(g["count"] for g in j["groups"]),
     "and only its messages are counted")
st, j, _ = aut.call("GET", "/api/review?agency=demo")
T.ok(st == 200 and all(g["conversation"] == 0 for g in j["groups"]),
     "an author filters too, still without conversations")
st, j, _ = cora.call("GET", "/api/review?agency=geen-agentschap")
T.ok(st == 400 and j == {"error": "bad_filter"}, "an unknown agency is 400")
st, j, _ = sam.call("GET", "/api/review?agency=demo")
T.eq(st, 403, "staff still cannot review with a filter")
st, j, _ = anon.call("GET", "/api/review?agency=demo")
T.eq(st, 401, "nor without a login")

T.eq(srv.stop(), 0, "server stops cleanly")
T.ok(srv.sanitizer_clean(), "no sanitizer reports")
srv.cleanup()
T.report()
