"""Staff console end to end over HTTP and the websocket: accounts, login
and its slow-down, cookies, CSRF, security headers, conversation list,
transcript, takeover / reply / handback / close, the cases workflow, and
live pushes (two staff members see each other's takeover)."""

import json
import os
import time

from consolelib import (Client, WebSocket, add_case, add_conversation,
                        now_ms, staff_add, staff_cmd)
from loketlib import Results, Server, wa_text

T = Results()
srv = Server().start()
PW_A, PW_B, PW_C = "anna-wachtwoord-1", "bert-wachtwoord-2", "carl-wachtwoord-3"
XSS = "<img src=x onerror=alert(1)>"

# --- accounts ------------------------------------------------------------
rc, out, err = staff_add(srv, "anna", PW_A, "coordinator")
T.eq(rc, 0, "staff add anna (coordinator)")
rc, out, err = staff_add(srv, "bert", PW_B)
T.eq(rc, 0, "staff add bert (staff)")
rc, out, err = staff_add(srv, "carl", PW_C)
T.eq(rc, 0, "staff add carl")
rc, out, err = staff_add(srv, "anna", PW_A)
T.ok(rc != 0 and "exists" in err, "staff add refuses a taken name")
rc, out, err = staff_add(srv, "dora", "short")
T.ok(rc != 0, "staff add refuses a short password")
rc, out, err = staff_add(srv, "eve", PW_A, "boss")
T.ok(rc != 0, "staff add refuses an unknown role")
rc, out, err = staff_cmd(srv, "add", "gen", stdin="")
T.ok(rc == 0 and "password for gen: " in out, "staff add generates and "
     "prints a password when stdin is empty")
gen_pw = out.split("password for gen: ", 1)[1].split()[0] if rc == 0 else ""
rc, out, err = staff_cmd(srv, "list")
T.ok(rc == 0 and "anna" in out and "coordinator" in out and "bert" in out,
     "staff list shows names and roles")
T.eq(srv.count("staff", "pw_hash LIKE 'pbkdf2-sha256$200000$%'"), 4,
     "passwords stored as PBKDF2-SHA256 with 200000 iterations")
T.eq(srv.count("staff", "pw_hash LIKE ?", ("%" + PW_A + "%",)), 0,
     "no password stored in clear")

# --- without a session -----------------------------------------------------
anon = Client(srv)
for path in ("/api/me", "/api/conversations", "/api/conversations/1",
             "/api/cases", "/api/cases/DEMO-2026-00001", "/api/report",
             "/api/nothing"):
    st, j, r = anon.call("GET", path)
    T.ok(st == 401 and j == {"error": "login_required"} and
         r.getheader("Content-Type", "").startswith("application/json"),
         "GET %s without session is 401 JSON" % path)
for path in ("/api/logout", "/api/conversations/1/takeover",
             "/api/conversations/1/reply", "/api/cases/DEMO-2026-00001"):
    st, j, r = anon.call("POST", path, {"text": "x"})
    T.eq(st, 401, "POST %s without session is 401" % path)
bogus = Client(srv)
bogus.cookie = "0" * 64
st, j, r = bogus.call("GET", "/api/me")
T.eq(st, 401, "an unknown session cookie is 401")

# --- security headers and the page ------------------------------------------
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")


def secure_headers(r):
    return (r.getheader("Content-Security-Policy") == CSP and
            r.getheader("X-Content-Type-Options") == "nosniff" and
            r.getheader("X-Frame-Options") == "DENY" and
            r.getheader("Referrer-Policy") == "no-referrer")


st, j, r = anon.call("GET", "/api/me")
T.ok(secure_headers(r), "security headers on a 401 API reply")
for path, ctype in (("/console/", "text/html"),
                    ("/console/index.html", "text/html"),
                    ("/console/app.js", "text/javascript"),
                    ("/console/app.css", "text/css")):
    st, j, r = anon.call("GET", path)
    T.ok(st == 200 and r.getheader("Content-Type", "").startswith(ctype) and
         secure_headers(r) and r.getheader("Cache-Control") == "no-cache",
         "%s served as %s with security and cache headers" % (path, ctype))
st, j, r = anon.call("GET", "/console")
T.ok(st == 302 and r.getheader("Location") == "/console/",
     "/console redirects to /console/")
st, j, r = anon.call("GET", "/console/../bot/http.c")
T.ok(st == 404, "no path outside the three console files")
st, body = srv.request("GET", "/console/")
T.ok(b"<script" in body and b"<script>" not in body and b"style=" not in
     body, "page has no inline script or style")
st, body = srv.request("GET", "/console/app.js")
T.ok(b"innerHTML" not in body and b"outerHTML" not in body and
     b"insertAdjacentHTML" not in body, "app.js never writes HTML")

# --- login -------------------------------------------------------------------
a = Client(srv)
st, j, r = a.login("anna", "wrong-password")
T.ok(st == 401 and j == {"error": "invalid_login"} and
     r.getheader("Set-Cookie") is None, "wrong password is 401, no cookie")
st, j, r = a.login("nobody", "whatever-password")
T.eq(st, 401, "unknown name is 401 like a wrong password")
st, j, r = a.call("POST", "/api/login", {"name": "anna"})
T.eq(st, 400, "login without password is 400")
st, j, r = a.login("anna", PW_A)
T.ok(st == 200 and j["name"] == "anna" and j["role"] == "coordinator" and
     len(j["csrf"]) == 64, "right password logs in with a CSRF token")
cookie = r.getheader("Set-Cookie") or ""
T.ok("HttpOnly" in cookie and "SameSite=Strict" in cookie and
     "Path=/" in cookie and "Max-Age=" in cookie, "cookie flags: " + cookie)
T.ok("Secure" not in cookie, "no Secure flag without secure_cookies")
T.eq(len(a.cookie or ""), 64, "session token is 32 random bytes (hex)")
T.eq(srv.count("staff_sessions", "token_hash = ?", (a.cookie,)), 0,
     "session token stored only hashed")
st, j, r = a.call("GET", "/api/me")
T.ok(st == 200 and j["name"] == "anna" and j["csrf"] == a.csrf,
     "/api/me returns the session's name, role and CSRF token")
st, j, r = a.login("anna", PW_A, headers={"Origin": "http://evil.example"})
T.eq(st, 403, "login from a foreign Origin is refused")
b = Client(srv)
st, j, r = b.login("bert", PW_B)
T.eq(st, 200, "bert logs in")
g = Client(srv)
st, j, r = g.login("gen", gen_pw)
T.eq(st, 200, "generated password works")

# --- slow-down per account ---------------------------------------------------
c = Client(srv)
codes = [c.login("carl", "wrong-%d" % i)[0] for i in range(3)]
T.eq(codes, [401, 401, 401], "three wrong passwords are answered 401")
st, j, r = c.login("carl", PW_C)
T.ok(st == 429 and int(r.getheader("Retry-After", "0")) >= 1,
     "then even the right password waits: 429 with Retry-After")
st, j, r = c.login("carl", "wrong-again")
T.eq(st, 429, "attempts during the delay are not checked")
time.sleep(1.2)
st, j, r = c.login("carl", PW_C)
T.eq(st, 200, "after the delay the right password works (and resets)")

# --- slow-down per address (X-Forwarded-For from our loopback proxy) ---------
x = Client(srv)
codes = [x.login("ghost%d" % i, "nope-nope",
                 headers={"X-Forwarded-For": "203.0.113.7"})[0]
         for i in range(10)]
T.eq(codes, [401] * 10, "ten failures from one address across names")
st, j, r = x.login("bert", PW_B, headers={"X-Forwarded-For": "203.0.113.7"})
T.eq(st, 429, "that address is slowed down for every account")
st, j, r = x.login("bert", PW_B, headers={"X-Forwarded-For": "203.0.113.8"})
T.eq(st, 200, "another address is not")

# --- CSRF -------------------------------------------------------------------
conv_w = add_conversation(srv, "32470000001", "Wachtende Wim",
                          waiting=True, texts=["Ik wil iemand spreken", XSS])
conv_b = add_conversation(srv, "32470000002", "Bot Bea",
                          texts=["hallo"], last_in_ago_ms=1000)
conv_old = add_conversation(srv, "32470000003", "Oude Odette",
                            texts=["ben je daar"], abuse=1,
                            last_in_ago_ms=30 * 3600 * 1000)
path = "/api/conversations/%d/takeover" % conv_w
st, j, r = a.call("POST", path, csrf=False)
T.ok(st == 403 and j == {"error": "csrf"}, "POST without X-CSRF-Token is 403")
st, j, r = a.call("POST", path, headers={"X-CSRF-Token": "0" * 64},
                  csrf=False)
T.eq(st, 403, "POST with a wrong CSRF token is 403")
st, j, r = a.call("POST", path, headers={"X-CSRF-Token": b.csrf}, csrf=False)
T.eq(st, 403, "another session's CSRF token is refused")
st, j, r = a.call("POST", path, headers={"Origin": "http://evil.example"})
T.ok(st == 403 and j == {"error": "bad_origin"}, "a foreign Origin is 403")
T.eq(srv.query("SELECT mode FROM conversations WHERE id = ?", (conv_w,)),
     [("bot",)], "refused requests changed nothing")

# --- list and transcript -----------------------------------------------------
st, j, r = a.call("GET", "/api/conversations")
ids = [x["id"] for x in j["conversations"]] if st == 200 else []
T.ok(st == 200 and ids and ids[0] == conv_w, "waiting conversation first")
T.ok(ids[1:] == [conv_b, conv_old], "then the bot's, most recent first")
w = j["conversations"][0]
T.ok(w["group"] == "waiting" and w["waiting_ms"] >= 89000 and
     w["agency"] == "demo" and w["agency_name"] == "Demo-agentschap" and
     w["channel"] == "whatsapp" and w["name"] == "Wachtende Wim",
     "list entry: group, time waiting, agency, channel, name")
T.eq(w["last_text"], XSS, "last message given as plain text")
old = j["conversations"][2]
T.ok(old["abuse"] is True and old["outside_window"] is True and
     j["conversations"][1]["outside_window"] is False,
     "flags: abuse, outside the 24-hour window")
st, j, r = a.call("GET", "/api/conversations/%d" % conv_w)
T.ok(st == 200 and [m["text"] for m in j["messages"]] ==
     ["Ik wil iemand spreken", XSS] and j["messages"][0]["from"] ==
     "citizen", "transcript has the citizen's messages verbatim")
T.ok(j["conversation"]["contact"]["phone"] == "32470000001" and
     j["case"] is None, "contact details and (no) case")
st, j, r = a.call("GET", "/api/conversations/999999")
T.eq(st, 404, "unknown conversation is 404")

# --- websocket ---------------------------------------------------------------
ws = WebSocket(srv.port)
T.ok(ws.status != 101, "websocket without session is refused (%d)"
     % ws.status)
ws.close()
ws = WebSocket(srv.port, cookie="f" * 64)
T.ok(ws.status != 101, "websocket with an unknown session is refused")
ws.close()
ws = WebSocket(srv.port, path="/other", cookie=a.cookie)
T.ok(ws.status != 101, "websocket on another path is refused")
ws.close()
ws = WebSocket(srv.port, cookie=a.cookie, origin="http://evil.example")
T.ok(ws.status != 101, "websocket from a foreign Origin is refused")
ws.close()
ws = WebSocket(srv.port, cookie=a.cookie, protocol=None)
T.ok(ws.status != 101, "websocket without the console subprotocol refused")
ws.close()
wsa = WebSocket(srv.port, cookie=a.cookie,
                origin="http://127.0.0.1:%d" % srv.port)
T.eq(wsa.status, 101, "anna's websocket is accepted")
wsb = WebSocket(srv.port, cookie=b.cookie)
T.eq(wsb.status, 101, "bert's websocket is accepted")
m = wsa.recv()
T.ok(m["type"] == "conversations" and m["conversations"][0]["id"] == conv_w,
     "the list is pushed on connect")
wsb.recv()
wsb.send({"watch": conv_w})
m = wsb.recv_until(lambda m: m["type"] == "conversation")
T.ok(m["conversation"]["id"] == conv_w, "watching pushes the transcript")

# --- takeover / reply / handback / close -------------------------------------
st, j, r = a.call("POST", "/api/conversations/%d/takeover" % conv_w)
T.ok(st == 200 and j["conversation"]["mode"] == "staff" and
     j["conversation"]["staff"] == "anna", "anna takes over")
m = wsb.recv_until(lambda m: m["type"] == "conversations" and
                   m["conversations"][0].get("staff") == "anna")
T.ok(m["conversations"][0]["group"] == "staff",
     "bert sees anna's takeover live in the list")
m = wsb.recv_until(lambda m: m["type"] == "conversation")
T.eq(m["conversation"]["staff"], "anna", "and in the transcript he watches")
st, j, r = b.call("POST", "/api/conversations/%d/takeover" % conv_w)
T.ok(st == 409 and j["error"] == "taken_by_other",
     "bert cannot take over anna's conversation")
st, j, r = b.call("POST", "/api/conversations/%d/reply" % conv_w,
                  {"text": "ik ook"})
T.eq(st, 409, "nor reply in it")
st, j, r = a.call("POST", "/api/conversations/%d/reply" % conv_b,
                  {"text": "hallo"})
T.ok(st == 409 and j["error"] == "not_taken_over",
     "reply needs a takeover first")
st, j, r = a.call("POST", "/api/conversations/%d/reply" % conv_w,
                  {"text": ""})
T.eq(st, 400, "empty reply is 400")
reply = "Dag Wim, ik help u verder. <b>niet vet</b>"
st, j, r = a.call("POST", "/api/conversations/%d/reply" % conv_w,
                  {"text": reply})
# Sent already when the back end was quicker than this answer.
T.ok(st == 200 and j["messages"][-1]["from"] == "staff" and
     j["messages"][-1]["text"] == reply and
     j["messages"][-1]["status"] in ("pending", "sent") and
     j["messages"][-1]["author"] == "anna", "reply appears with its status",
     repr(j)[-300:])
rows = srv.query("SELECT author, kind, body, to_phone, agency, status "
                 "FROM outbox WHERE conversation_id = ?", (conv_w,))
T.ok(len(rows) == 1 and rows[0][0] == "anna" and rows[0][1] == "text" and
     json.loads(rows[0][2]) == {"text": reply} and
     rows[0][3] == "32470000001" and rows[0][4] == "demo",
     "reply went into the outbox with author anna")
st, j, r = a.call("POST", "/api/conversations/%d/bogus" % conv_w)
T.eq(st, 404, "unknown action is 404")
st, j, r = a.call("POST", "/api/conversations/%d/handback" % conv_w)
T.ok(st == 200 and j["conversation"]["mode"] == "bot" and
     j["conversation"]["staff"] is None, "handback gives it to the bot")
st, j, r = a.call("POST", "/api/conversations/%d/handback" % conv_w)
T.eq(st, 409, "handback of a bot conversation is 409")
st, j, r = a.call("POST", "/api/conversations/%d/close" % conv_w,
                  {"outcome": "nonsense"})
T.eq(st, 400, "close with an unknown outcome is 400")
st, j, r = b.call("POST", "/api/conversations/%d/takeover" % conv_w)
T.eq(st, 200, "after handback bert may take over")
st, j, r = b.call("POST", "/api/conversations/%d/close" % conv_w,
                  {"outcome": "answered"})
T.ok(st == 200 and j["conversation"]["open"] is False and
     j["conversation"]["outcome"] == "answered", "bert closes it: answered")
T.eq(srv.query("SELECT outcome, staff_involved FROM outcomes WHERE "
               "conversation_id = ?", (conv_w,)), [("answered", 1)],
     "one outcome row, staff involved")
st, j, r = a.call("POST", "/api/conversations/%d/takeover" % conv_w)
T.ok(st == 409 and j["error"] == "closed", "a closed conversation is final")
T.ok(wsa.arrives(lambda m: m["type"] == "conversations" and
                 conv_w not in [c["id"] for c in m["conversations"]]),
     "closed conversation leaves anna's live list")

# --- a webhook pushes the list --------------------------------------------
st, _ = srv.post("whatsapp", wa_text("wamid.console1", "nieuw bericht",
                                     phone="32470000002"))
T.eq(st, 200, "webhook accepted")
T.ok(wsa.arrives(lambda m: m["type"] == "conversations", timeout=5),
     "a webhook causes a live list push")

# --- cases -------------------------------------------------------------------
add_case(srv, "DEMO-2026-00001", conv_id=conv_b)
add_case(srv, "DEMO-2026-00002", deadline_in_ms=-86400000, channel="messenger")
add_case(srv, "DEMO-2026-00003", deadline_in_ms=3 * 86400000, agency="vmsw")
st, j, r = a.call("GET", "/api/cases")
refs = [k["reference"] for k in j["cases"]] if st == 200 else []
T.ok(refs[:3] == ["DEMO-2026-00002", "DEMO-2026-00003", "DEMO-2026-00001"],
     "cases listed by deadline: %r" % refs)
flags = {k["reference"]: k["deadline_flag"] for k in j["cases"]}
T.eq(flags, {"DEMO-2026-00001": None, "DEMO-2026-00002": "overdue",
             "DEMO-2026-00003": "near"}, "near and past deadlines flagged")
st, j, r = a.call("GET", "/api/report")
T.ok(st == 200 and j.get("cases", {}).get("total") == srv.count("cases") and
     isinstance(j.get("outcomes"), dict) and "inbound" in j and
     j.get("period", {}).get("from") is not None,
     "the console's report: the last 30 days, as loket report", j)
T.ok(st == 200 and "DEMO-2026-00001" not in json.dumps(j) and
     "name" not in json.dumps(j.get("cases", {})),
     "the report holds no personal data")
st, j, r = a.call("GET", "/api/cases?channel=messenger")
T.eq([k["reference"] for k in j["cases"]], ["DEMO-2026-00002"],
     "filter by channel")
st, j, r = a.call("GET", "/api/cases?agency=vmsw")
T.eq([k["reference"] for k in j["cases"]], ["DEMO-2026-00003"],
     "filter by agency")
st, j, r = a.call("GET", "/api/cases?status=nieuw&agency=demo")
T.eq(len(j["cases"]), 2, "filter by status and agency")
st, j, r = a.call("GET", "/api/conversations/%d" % conv_b)
T.ok(j["case"] and j["case"]["reference"] == "DEMO-2026-00001",
     "the conversation shows its case")
ref = "/api/cases/DEMO-2026-00001"
st, j, r = b.call("POST", ref, {"step": "admissibility", "admissible": True})
T.ok(st == 403 and j["error"] == "coordinator_only",
     "staff cannot decide cases")
st, j, r = a.call("POST", ref, {"step": "verdict", "verdict": "gegrond"})
T.eq(st, 409, "no verdict before admissibility")
st, j, r = a.call("POST", ref, {"step": "admissibility", "admissible": False})
T.ok(st == 400 and j["error"] == "reason_required",
     "inadmissible needs a reason")
st, j, r = a.call("POST", ref, {"step": "admissibility", "admissible": False,
                                "reason": "beleid_of_regelgeving"})
T.ok(st == 200 and j["status"] == "onontvankelijk" and
     j["inadmissible_reason"] == "beleid_of_regelgeving",
     "onontvankelijk with reason")
st, j, r = a.call("POST", ref, {"step": "admissibility", "admissible": True,
                                "note": "toch ontvankelijk"})
T.ok(st == 200 and j["status"] == "ontvankelijk" and j["admissible"] is True
     and j["inadmissible_reason"] is None and j["note"] ==
     "toch ontvankelijk", "corrected to ontvankelijk, with a note")
st, j, r = a.call("POST", ref, {"step": "handled"})
T.eq(st, 409, "not handled before a verdict")
st, j, r = a.call("POST", ref, {"step": "verdict", "verdict": "half"})
T.eq(st, 400, "unknown verdict is 400")
st, j, r = a.call("POST", ref, {"step": "verdict",
                                "verdict": "deels_gegrond"})
T.ok(st == 200 and j["status"] == "beoordeeld" and
     j["verdict"] == "deels_gegrond", "deels gegrond")
st, j, r = a.call("POST", ref, {"step": "handled", "note": "opgelost"})
T.ok(st == 200 and j["status"] == "afgehandeld" and j["handled_at"] and
     j["note"] == "opgelost" and j["deadline_flag"] is None, "afgehandeld")
st, j, r = a.call("POST", ref, {"step": "admissibility", "admissible": True})
T.eq(st, 409, "a handled case stays handled")
st, j, r = a.call("GET", "/api/cases?status=open")
T.ok("DEMO-2026-00001" not in [k["reference"] for k in j["cases"]],
     "status=open leaves out handled cases")
T.ok(wsa.arrives(lambda m: m["type"] == "cases"),
     "case changes are announced live")
st, j, r = a.call("GET", "/api/cases/NOPE-1")
T.eq(st, 404, "unknown case is 404")

# --- hostile and odd requests --------------------------------------------------
st, body = srv.request("POST", "/api/conversations/%d/takeover" % conv_old,
                       None, {"Cookie": "loket_session=" + a.cookie,
                              "X-CSRF-Token": a.csrf})
T.ok(st in (200, 411), "POST without a body is answered (%d)" % st)
raw = json.dumps({"text": "x" * 70000})
st, body = srv.request("POST", "/api/conversations/%d/reply" % conv_b, raw,
                       {"Cookie": "loket_session=" + a.cookie,
                        "X-CSRF-Token": a.csrf,
                        "Content-Type": "application/json"})
T.eq(st, 413, "a body over 64 KiB is 413")
st, body = srv.request("POST", "/api/cases/DEMO-2026-00002", "{not json",
                       {"Cookie": "loket_session=" + a.cookie,
                        "X-CSRF-Token": a.csrf,
                        "Content-Type": "application/json"})
T.eq(st, 400, "malformed JSON is 400")
st, j, r = a.call("POST", "/api/cases/DEMO-2026-00002", ["step"])
T.eq(st, 400, "a JSON array instead of an object is 400")
st, j, r = a.call("POST", "/api/cases/DEMO-2026-00002", {"step": 5})
T.eq(st, 400, "a step of the wrong type is 400")
st, j, r = a.call("POST", "/api/login", {"name": ["anna"], "password": 1})
T.eq(st, 400, "login with wrong types is 400")
st, j, r = a.call("GET", "/api/conversations/99999999999999999999999")
T.eq(st, 404, "an id past 64 bits is 404")
st, j, r = a.call("GET", "/api/conversations/1x")
T.eq(st, 404, "a malformed id is 404")
st, j, r = a.call("POST", "/api/conversations/%d/takeover/more" % conv_b)
T.eq(st, 404, "extra path segments are 404")
st, j, r = a.call("GET", "/api/cases/DEMO-2026-00001%27%20OR%201=1--")
T.eq(st, 404, "a quote in a reference is just not found")
ws = WebSocket(srv.port, cookie=a.cookie)
ws.recv()
for i in range(200):
    ws.send({"watch": conv_b if i % 2 else conv_old})
ws.send({"watch": "x"})
ws.sock.sendall(b"\x81\x85\x00\x00\x00\x00{nope")
try:
    for _ in range(300):
        ws.recv(timeout=1)
except (EOFError, OSError, TimeoutError, ValueError):
    pass
ws.close()
st, j, r = a.call("GET", "/api/me")
T.eq(st, 200, "the server survives a websocket flood and bad frames")

# --- logout ------------------------------------------------------------------
st, j, r = b.call("POST", "/api/logout")
T.ok(st == 200 and "Max-Age=0" in (r.getheader("Set-Cookie") or ""),
     "logout clears the cookie")
st, j, r = b.call("GET", "/api/me")
T.eq(st, 401, "the old cookie no longer works")
try:
    wsb.recv_until(lambda m: False, timeout=3)
    closed = False
except (EOFError, OSError):
    closed = True
except TimeoutError:
    closed = False
T.ok(closed, "logout closes that session's websocket")
wsa.close()
wsb.close()

rc, out, err = staff_cmd(srv, "remove", "anna")
T.eq(rc, 0, "staff remove anna")
st, j, r = a.call("GET", "/api/me")
T.eq(st, 401, "a removed account's session ends")
rc, out, err = staff_cmd(srv, "remove", "anna")
T.ok(rc != 0, "removing again fails")

T.eq(srv.stop(), 0, "server stops cleanly")
T.ok(srv.sanitizer_clean(), "no sanitizer reports")
srv.cleanup()

# --- behind TLS: secure_cookies = yes -----------------------------------------
tls = Server()
conf = os.path.join(tls.tmp, "loket.conf")
with open(conf, "w") as f:
    f.write("secure_cookies = yes\n[agency demo]\nname = Demo\n")
tls.config = conf
tls.start()
staff_add(tls, "anna", PW_A)
t = Client(tls)
st, j, r = t.login("anna", PW_A)
T.ok(st == 200 and "; Secure" in (r.getheader("Set-Cookie") or ""),
     "with secure_cookies the session cookie is Secure")
st, j, r = t.call("POST", "/api/logout")
T.ok(st == 200 and "; Secure" in (r.getheader("Set-Cookie") or ""),
     "and so is the cookie that clears it")
T.eq(tls.stop(), 0, "second server stops cleanly")
T.ok(tls.sanitizer_clean(), "no sanitizer reports (second server)")
tls.cleanup()
T.report()
