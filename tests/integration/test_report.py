"""Reports, metrics and privacy end to end: `loket report` in every
format on a known database, `loket cases export`, `GET /metrics` (names,
counters that move after signed webhooks, a 401 counted, the token path
for requests that came through the reverse proxy), `loket purge`, the
daily retention run inside the server, and `loket erase`."""

import csv
import http.client
import io
import json
import os
import stat
import subprocess
import tempfile
import time

from loketlib import (BIN, ROOT, Results, Server, db_script,
                     db_query, fresh_db, raw_http, wa_text)

T = Results()
tmp = tempfile.mkdtemp(prefix="loket-report-")

DAY = 86400000
# 2026-01-05 00:00 Europe/Brussels (UTC+1): a Monday, ISO week 2026-W02.
JAN5 = 1767567600000
H = 3600000


def loket(*args, env=None):
    e = dict(os.environ)
    e.pop("LOKET_DB", None)
    e.update(env or {})
    p = subprocess.run([BIN] + list(args), cwd=ROOT, env=e,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def make_db(path):
    """Creates the schema through loket itself, then a small history."""
    rc, _, err = loket("report", "--db", path)
    assert rc == 0, err
    rows = []

    def ins(sql, args=()):
        rows.append((sql, args))

    for i, (ch, ag, user, t) in enumerate([
            ("whatsapp", "vmsw", "32470123456", JAN5 + 9 * H),
            ("whatsapp", "vmsw", "32470123456", JAN5 + DAY + 9 * H),
            ("messenger", "wse", "7001", JAN5 + 2 * DAY),
            ("whatsapp", "vmsw", "32470555555", JAN5 - 300 * DAY)]):
        ins("INSERT INTO inbound (channel, agency, user_id, user_name, msg_id,"
            " kind, text, meta_ts, received_at, raw, conversation_id)"
            " VALUES (?, ?, ?, 'Els', ?, 'message', 'geheime tekst', ?, ?,"
            " '{}', ?)", (ch, ag, user, "m%d" % i, t, t,
                         1 if user == "32470555555" else None))
    ins("INSERT INTO conversations (id, agency, channel, user_id, user_name,"
        " started_at, ended_at, open) VALUES (1, 'vmsw', 'whatsapp',"
        " '32470555555', 'Jan', ?, ?, 0)", (JAN5 - 300 * DAY,
                                           JAN5 - 300 * DAY + H))
    ins("INSERT INTO conversations (id, agency, channel, user_id, user_name,"
        " started_at, open) VALUES (2, 'vmsw', 'whatsapp', '32470123456',"
        " 'Els', ?, 1)", (JAN5 + 9 * H,))
    for ag, ch, intent, oc, first, reply, end, staff in [
            ("vmsw", "whatsapp", "vraag", "answered", 10, 15, 60, 0),
            ("vmsw", "whatsapp", "klacht", "case_created", 30, 40, 900, 0),
            ("wse", "messenger", "vraag", "handed_over", 50, 3650, 7250, 1),
            ("vmsw", "whatsapp", "klacht", "case_created", -300 * 86400,
             -300 * 86400 + 5, -300 * 86400 + 3600, 0)]:
        ins("INSERT INTO outcomes (agency, channel, first_intent, outcome,"
            " first_msg_at, first_reply_at, ended_at, staff_involved)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ag, ch, intent, oc, JAN5 + H + first * 1000,
             JAN5 + H + reply * 1000, JAN5 + H + end * 1000, staff))
    for ref, ag, subj, status, recv, handled, conv in [
            ("VMSW-2026-00001", "vmsw", "=SUM(A1:A9)", "afgehandeld",
             JAN5 + 10 * H, JAN5 + 10 * DAY, 2),
            ("VMSW-2026-00002", "vmsw", "Lift, \"kapot\"", "nieuw",
             JAN5 + DAY, None, None),
            ("VMSW-2025-00001", "vmsw", "Oud", "afgehandeld",
             JAN5 - 300 * DAY, JAN5 - 290 * DAY, 1)]:
        ins("INSERT INTO cases (reference, agency, year, seq, channel,"
            " conversation_id, name, email, phone, description, subject,"
            " status, admissible, received_at, deadline_at, handled_at,"
            " updated_at) VALUES (?, ?, 2026, (SELECT count(*) + 1 FROM"
            " cases), 'whatsapp', ?, 'Els Peeters', 'els@example.be',"
            " '+32470123456', 'De lift', ?, ?, 1, ?, ?, ?, ?)",
            (ref, ag, conv, subj, status, recv, recv + 45 * DAY, handled,
             recv))
    ins("INSERT INTO outbox (conversation_id, agency, channel, user_id,"
        " kind, body, status, created_at, updated_at) VALUES (1, 'vmsw',"
        " 'whatsapp', '32470555555', 'text', '{\"text\":\"Dag Jan\"}',"
        " 'sent', ?, ?)", (JAN5 - 300 * DAY, JAN5 - 300 * DAY))
    db_script(path, rows)


def q(path, sql, args=()):
    return db_query(path, sql, args)


# --- loket report ------------------------------------------------------
db = fresh_db(tmp, "report.db")
make_db(db)
PERIOD = ["--from", "2026-01-05", "--to", "2026-01-31"]

rc, out, err = loket("report", "--db", db, *PERIOD)
T.eq(rc, 0, "report exits 0")
try:
    r = json.loads(out)
except ValueError:
    r = {}
FIGURES = {"inbound", "conversations", "outcomes", "first_intents",
           "complaints", "suggestions", "questions", "abuse", "misunderstood",
           "response_times", "cases"}
T.eq(set(r), FIGURES | {"report", "version", "generated_at", "timezone",
                        "period", "agency", "agencies", "weekly", "signals",
                        "signal_rule"}, "top-level keys as documented")
T.eq(set(r.get("agencies", {}).get("vmsw", {})),
     FIGURES | {"name", "handling_term_days", "channels"},
     "agency keys as documented")
T.eq(set(r.get("weekly", [{}])[0]), FIGURES | {"week", "week_start"},
     "weekly keys as documented")
T.eq(r.get("outcomes", {}).get("case_created"), 1, "outcomes.case_created")
T.eq(r.get("outcomes", {}).get("answered"), 1, "outcomes.answered")
T.eq(r.get("outcomes", {}).get("handed_over"), 1, "outcomes.handed_over")
T.eq(r.get("cases", {}).get("total"), 2, "cases.total")
T.eq(r.get("cases", {}).get("handled_within_term"), 1, "handled in term")
T.eq(r.get("inbound", {}).get("total"), 3, "inbound.total")
T.eq(r.get("questions"), {"answered_by_bot": 1, "answered_by_staff": 1},
     "questions by bot and staff")
T.eq(r.get("response_times", {}).get("first_reply", {}).get("staff", {})
     .get("median_s"), 3600, "staff first reply median")
T.eq(sorted(r.get("agencies", {})), ["vmsw", "wse"], "agencies listed")
T.eq([w["week"] for w in r.get("weekly", [])],
     ["2026-W02", "2026-W03", "2026-W04", "2026-W05"], "ISO weeks")
T.eq(r.get("period", {}).get("to"), "2026-01-31", "period to inclusive")
T.ok("Els" not in out and "3247" not in out and "geheime" not in out,
     "no personal data in the JSON")

rc, out, _ = loket("report", *PERIOD, env={"LOKET_DB": db})
T.eq((rc, json.loads(out).get("cases", {}).get("total")), (0, 2),
     "database found through LOKET_DB")

aconf = os.path.join(tmp, "agencies.conf")
with open(aconf, "w") as f:
    f.write("[agency vmsw]\nname = Vlaamse Maatschappij voor Sociaal Wonen\n"
            "policy = redirect\ncomplaint_url = https://www.vmsw.be/klacht\n"
            "handling_term = 30d\n")
rc, out, _ = loket("report", "--config", aconf, "--db", db, *PERIOD)
a = json.loads(out).get("agencies", {}) if rc == 0 else {}
T.eq((a.get("vmsw", {}).get("name"), a.get("vmsw", {}).get(
    "handling_term_days"), a.get("wse", {}).get("name")),
     ("Vlaamse Maatschappij voor Sociaal Wonen", 30, None),
     "agency names and terms from the config")

rc, out, _ = loket("report", "--db", db, "--agency", "wse", *PERIOD)
T.eq(json.loads(out).get("conversations"), 1, "--agency filters")

rc, out, _ = loket("report", "--db", db, "--format", "csv", *PERIOD)
rows = list(csv.reader(io.StringIO(out, newline="")))
T.eq(rows[0][:3], ["referentie", "ontvangen", "entiteit"], "register header")
T.eq(len(rows), 3, "one register row per case in the period")
T.eq(rows[1], ["VMSW-2026-00001", "2026-01-05", "vmsw", "whatsapp",
               "'=SUM(A1:A9)", "afgehandeld", "ja", "", "", "2026-01-15",
               "10", "ja"], "register row, formula neutralised")
T.eq(rows[2][4], 'Lift, "kapot"', "comma and quotes round-trip")
T.ok(out.endswith("\r\n") and "\r\n" in out.split("\n")[0] + "\n",
     "CRLF line ends")
T.ok("Els" not in out and "els@" not in out, "register has no contact data")

rc, out, _ = loket("report", "--db", db, "--format", "csv", "--what",
                   "conversations", *PERIOD)
rows = list(csv.reader(io.StringIO(out, newline="")))
T.eq((rc, len(rows)), (0, 4), "one row per conversation outcome")
T.eq(rows[1][4], "answered", "outcome column")

html_path = os.path.join(tmp, "r.html")
rc, out, _ = loket("report", "--db", db, "--format", "html", "--out",
                   html_path, *PERIOD)
html = open(html_path, encoding="utf-8").read() if rc == 0 else ""
T.eq(rc, 0, "html report written")
T.ok(html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 3,
     "html page with SVG charts")
T.ok("<script" not in html and "src=" not in html and "http" not in html,
     "html needs no script and no external asset")
T.ok("@media print" in html, "html has print CSS")
T.eq(stat.S_IMODE(os.stat(html_path).st_mode), 0o600, "--out file is 0600")

for bad in (["--format", "pdf"], ["--from", "2026-02-30"],
            ["--from", "2026-02-01", "--to", "2026-01-01"],
            ["--what", "x", "--format", "csv"]):
    rc, _, _ = loket("report", "--db", db, *bad)
    T.eq(rc, 2, "refused: %s" % " ".join(bad))

# --- loket cases export ------------------------------------------------
exp = os.path.join(tmp, "export.csv")
rc, out, err = loket("cases", "export", "--db", db, "--agency", "vmsw",
                     "--out", exp)
rows = list(csv.reader(open(exp, newline="", encoding="utf-8")))
T.eq(rc, 0, "cases export exits 0")
T.eq(rows[0][-5:], ["naam", "email", "telefoon", "dossier", "beschrijving"],
     "export has the contact columns")
T.eq(len(rows), 4, "export: every case, all time")
T.eq(rows[1][-5:], ["Els Peeters", "els@example.be", "'+32470123456", "",
                    "De lift"], "export row with contact details")
T.eq(stat.S_IMODE(os.stat(exp).st_mode), 0o600, "export file is 0600")
T.ok("event=cases_export" in err and "Els" not in err,
     "export logged without data")

# --- loket purge -------------------------------------------------------
before = loket("report", "--db", db, "--from", "2025-01-01", "--to",
               "2026-01-31")[1]
rc, out, err = loket("purge", "--db", db, "--older-than", "400d")
T.eq(rc, 0, "purge exits 0")
T.ok("conversations 1" in out and "messages 1" in out and "cases 1" in out,
     "purge prints what it changed: " + out.strip())
T.ok("event=purge" in err and "Jan" not in err, "purge logged as counts")
T.eq(q(db, "SELECT user_id, user_name FROM conversations WHERE id = 1"),
     [("", None)], "old conversation anonymous")
T.eq(q(db, "SELECT count(*) FROM inbound WHERE text IS NOT NULL"), [(3,)],
     "only the old message text removed")
T.eq(q(db, "SELECT name, email, description, status FROM cases WHERE"
       " reference = 'VMSW-2025-00001'"), [(None, None, None, "afgehandeld")],
     "old case: contact gone, register kept")
T.eq(q(db, "SELECT body FROM outbox WHERE conversation_id = 1"), [("{}",)],
     "old reply body removed")
after = loket("report", "--db", db, "--from", "2025-01-01", "--to",
              "2026-01-31")[1]
strip = lambda s: {k: v for k, v in json.loads(s).items()
                   if k != "generated_at"}
T.ok(strip(before) == strip(after), "figures unchanged by the purge")
rc, _, _ = loket("purge", "--db", db, "--older-than", "soon")
T.eq(rc, 2, "purge refuses a bad duration")
rc, _, _ = loket("purge", "--db", db)
T.eq(rc, 2, "purge needs --older-than")

# --- loket erase -------------------------------------------------------
rc, out, err = loket("erase", "--db", db, "--user", "32470123456")
T.eq(rc, 0, "erase exits 0")
T.ok("messages 2" in out and "conversations 1" in out and "cases 1" in out,
     "erase prints what it changed: " + out.strip())
T.ok("32470123456" not in err and "event=erase" in err,
     "erase logged without the id")
T.eq(q(db, "SELECT count(*) FROM inbound WHERE user_id = '32470123456'"),
     [(0,)], "citizen's messages gone")
T.eq(q(db, "SELECT count(*) FROM inbound WHERE text IS NOT NULL"), [(1,)],
     "other citizens' messages kept")
T.eq(q(db, "SELECT open, user_id FROM conversations WHERE id = 2"),
     [(0, "")], "open conversation closed and anonymous")
T.eq(q(db, "SELECT name FROM cases WHERE reference = 'VMSW-2026-00001'"),
     [(None,)], "case contact details erased")
rc, _, _ = loket("erase", "--db", db)
T.eq(rc, 2, "erase needs --user")

# --- the real conversation engine feeds the report -----------------------
import datetime
chat_db = fresh_db(tmp, "chat.db")
conf = os.path.join(ROOT, "deploy", "loket.conf")
for lines in ("hallo\nwat zijn de openingsuren?\n/wait 25h\n",
              "ik wil een klacht indienen\nja\n/wait 25h\n"):
    p = subprocess.run([BIN, "chat", "--config", conf, "--db", chat_db],
                       cwd=ROOT, input=lines.encode(), capture_output=True,
                       timeout=60)
    T.eq(p.returncode, 0, "loket chat ran a conversation")
later = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
rc, out, _ = loket("report", "--db", chat_db, "--config", conf, "--to", later)
r = json.loads(out) if rc == 0 else {}
T.eq(r.get("conversations"), 2, "engine's conversations counted")
T.eq(sum(r.get("outcomes", {}).values()), 2, "one outcome each")
T.eq(r.get("inbound", {}).get("total"), 4, "engine's messages counted")
T.eq(r.get("response_times", {}).get("first_reply", {}).get("all", {})
     .get("count"), 2, "first replies measured")
rc, out, _ = loket("report", "--db", chat_db, "--to", later, "--format",
                   "csv", "--what", "conversations")
T.eq(len(list(csv.reader(io.StringIO(out, newline="")))), 3,
     "engine's outcomes in the CSV")

# --- /metrics ----------------------------------------------------------
srv = Server(extra_env={"LOKET_METRICS_TOKEN": "metrics-secret-1"}).start()


def metrics(headers=None):
    st, body = srv.request("GET", "/metrics", headers=headers)
    return st, body.decode()


def value(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


st, m0 = metrics()
T.eq(st, 200, "metrics from loopback")
for name in ("loket_webhooks_total", "loket_webhook_signature_failures_total",
             "loket_webhook_duplicates_total",
             "loket_webhook_duration_seconds_bucket",
             "loket_webhook_duration_seconds_sum",
             "loket_webhook_duration_seconds_count", "loket_outcomes_total",
             "loket_conversations_total", "loket_outbox_pending",
             "loket_outbox_failed_total", "loket_outbox_sends_total",
             "process_resident_memory_bytes"):
    T.ok("\n" + name in m0 or m0.startswith(name) or
         "# TYPE " + name in m0, "metric %s present" % name)
T.ok(value(m0, "process_resident_memory_bytes") > 0, "RSS reported")
WA200 = 'loket_webhooks_total{channel="whatsapp",code="200"}'
WA401 = 'loket_webhooks_total{channel="whatsapp",code="401"}'
body = json.dumps(wa_text("wamid.metrics1", "hallo")).encode()
T.eq(srv.post("whatsapp", body)[0], 200, "signed webhook accepted")
T.eq(srv.post("whatsapp", body)[0], 200, "same webhook again")
T.eq(srv.post("whatsapp", body, signature="sha256=" + "0" * 64)[0], 401,
     "wrong signature refused")
raw_http(srv.port, b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", read_timeout=3)
raw_http(srv.port, b"POST /webhook/messenger HTTP/1.1\r\nHost: x\r\n"
         b"Content-Length: 99999999\r\n\r\n", read_timeout=3)
st, m1 = metrics()
T.eq(value(m1, 'loket_webhooks_total{channel="whatsapp",code="411"}'),
     value(m0, 'loket_webhooks_total{channel="whatsapp",code="411"}') + 1,
     "411 counted")
T.eq(value(m1, 'loket_webhooks_total{channel="messenger",code="413"}'),
     value(m0, 'loket_webhooks_total{channel="messenger",code="413"}') + 1,
     "413 counted")
T.eq(value(m1, WA200), value(m0, WA200) + 2, "200s counted")
T.eq(value(m1, WA401), value(m0, WA401) + 1, "401 counted")
T.eq(value(m1, "loket_webhook_signature_failures_total"),
     value(m0, "loket_webhook_signature_failures_total") + 1,
     "signature failure counted")
T.eq(value(m1, "loket_webhook_duplicates_total"),
     value(m0, "loket_webhook_duplicates_total") + 1, "duplicate counted")
T.eq(value(m1, "loket_webhook_duration_seconds_count"),
     value(m0, "loket_webhook_duration_seconds_count") + 2,
     "latency histogram counts the committed webhooks")
T.eq(value(m1, 'loket_webhook_duration_seconds_bucket{le="+Inf"}'),
     value(m1, "loket_webhook_duration_seconds_count"),
     "+Inf bucket equals the count")
c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
c.request("GET", "/metrics")
resp = c.getresponse()
T.ok(resp.getheader("Content-Type", "").startswith(
    "text/plain; version=0.0.4"), "Prometheus content type")
resp.read()
c.close()

# Behind nginx every caller is 127.0.0.1: a proxied request (it carries
# X-Forwarded-For) needs the token.
PROXIED = {"X-Forwarded-For": "203.0.113.9"}
T.eq(metrics(PROXIED)[0], 403, "proxied request without token is 403")
T.eq(metrics(dict(PROXIED, Authorization="Bearer metrics-secret-2"))[0],
     403, "wrong token of the same length is 403")
T.eq(metrics(dict(PROXIED, Authorization="Bearer metrics-secret"))[0], 403,
     "token prefix is 403")
T.eq(metrics(dict(PROXIED, Authorization="Basic metrics-secret-1"))[0], 403,
     "other scheme is 403")
T.eq(metrics(dict(PROXIED, Authorization="Bearer metrics-secret-1"))[0], 200,
     "right token is 200")
T.eq(metrics({"Forwarded": "for=203.0.113.9"})[0], 403,
     "Forwarded header counts as proxied")
st, _ = srv.request("POST", "/metrics", body=b"", headers={
    "Content-Length": "0"})
T.eq(st, 405, "POST /metrics is 405")
T.ok("metrics-secret-1" not in srv.read_log(), "token never logged")
T.ok(srv.sanitizer_clean(), "no sanitizer report (metrics server)")
srv.cleanup()

srv = Server().start()
T.eq(srv.request("GET", "/metrics", headers=dict(
    PROXIED, Authorization="Bearer "))[0], 403,
     "no token configured: proxied request is 403")
srv.cleanup()

# --- retention inside the server ---------------------------------------
rdir = tempfile.mkdtemp(prefix="loket-retention-")
conf = os.path.join(rdir, "loket.conf")
with open(conf, "w") as f:
    f.write("retention = 400d\n[agency demo]\nname = Demo\n")
srv = Server(config=conf, tmpdir=rdir)
make_db(srv.db)
srv.start()
deadline = time.time() + 10
while time.time() < deadline:
    if q(srv.db, "SELECT user_id FROM conversations WHERE id = 1") == [("",)]:
        break
    time.sleep(0.2)
T.eq(q(srv.db, "SELECT user_id FROM conversations WHERE id = 1"), [("",)],
     "server purged old personal data on its own")
T.eq(q(srv.db, "SELECT count(*) FROM inbound WHERE text IS NOT NULL"),
     [(3,)], "server kept recent messages")
time.sleep(1.5)
T.ok("event=retention_purge" in srv.read_log() and
     "conversations=1" in srv.read_log(), "retention run logged with counts")
T.eq(srv.read_log().count("event=retention_purge "), 1,
     "retention runs once a day, not every tick")
T.ok(srv.sanitizer_clean(), "no sanitizer report (retention server)")
srv.cleanup()

T.report()
