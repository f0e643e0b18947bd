"""Photos, files and voice messages that citizens send (issue 11, media):
downloaded from the mock Graph API (WhatsApp: media id -> URL -> bytes
with the token; Messenger: the attachment URL), kept with the message
within the size limit and for allowed types only, tried again after a
failure and given up after the last try, refused for URLs and ids that
cannot be Meta's, served by /api/media/ID to logged-in staff only with
the checked type, a disposition and nosniff, shown in the transcript,
attached to the case registered from the conversation, and removed by
`loket erase` and `loket purge`."""

import base64
import json
import os
import subprocess
import time

from consolelib import Client, staff_add
from loketlib import BIN, ROOT, Results, Server, sign, wait_for
from loketlib import MockGraph as Mock

T = Results()
WA_ID = "106540352242922"
PAGE = "109876543210987"
PHONE = "32470555001"
PSID = "7001002099"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
PDF = b"%PDF-1.4\n%mock\n"


def config(tmp):
    path = os.path.join(tmp, "media.conf")
    with open(path, "w") as f:
        f.write("default_agency = demo\nmedia_max_mb = 1\n[agency demo]\n"
                "name = Demo\npolicy = case\nwhatsapp_phone_number_id = %s\n"
                "messenger_page_id = %s\npage_token = PAGETOKEN\n"
                % (WA_ID, PAGE))
    return path


def wa_media(msg_id, kind, media_id, phone=PHONE, extra=None):
    body = {"id": media_id, "mime_type": "image/jpeg", "sha256": "x"}
    body.update(extra or {})
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3225531111",
                         "phone_number_id": WA_ID},
            "contacts": [{"profile": {"name": "Els"}, "wa_id": phone}],
            "messages": [{"from": phone, "id": msg_id,
                          "timestamp": str(int(time.time())),
                          "type": kind, kind: body}]}}]}]}


def wa_text(msg_id, text, phone=PHONE):
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3225531111",
                         "phone_number_id": WA_ID},
            "contacts": [{"profile": {"name": "Els"}, "wa_id": phone}],
            "messages": [{"from": phone, "id": msg_id,
                          "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": text}}]}}]}]}


def ms_media(mid, url, kind="image", psid=PSID):
    ts = int(time.time() * 1000)
    return {"object": "page", "entry": [{"id": PAGE, "time": ts,
            "messaging": [{"sender": {"id": psid}, "recipient": {"id": PAGE},
                           "timestamp": ts, "message": {"mid": mid,
                           "attachments": [{"type": kind,
                                            "payload": {"url": url}}]}}]}]}


def media_row(msg_id):
    r = srv.query("SELECT m.id, m.status, m.error, m.content_type, m.size, "
                  "m.attempts, m.data, m.case_ref, m.conversation_id "
                  "FROM media m JOIN inbound i ON i.id = m.inbound_id "
                  "WHERE i.msg_id = ?", (msg_id,))
    return r[0] if r else None


def settled(msg_id, timeout=20):
    ok = wait_for(lambda: (media_row(msg_id) or (0, "pending"))[1] != "pending",
                  timeout)
    return media_row(msg_id) if ok else media_row(msg_id)


def gets(path_part):
    return [q for q in mock.requests() if q.get("method") == "GET" and
            path_part in q.get("path", "")]


def loket(*args):
    e = dict(os.environ)
    e.pop("LOKET_DB", None)
    p = subprocess.run([BIN] + list(args), cwd=ROOT, env=e,
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


tmp = Server().tmp
mock = Mock(tmp)
srv = Server(config=config(tmp), tmpdir=tmp, extra_env={
    "LOKET_GRAPH_URL": mock.base + "/v24.0",
    "LOKET_ACCESS_TOKEN": "WATOKEN"}).start()

# --- WhatsApp: media id -> URL -> bytes, with the token ----------------------
mock.control("media", id="9001", content_type="image/png",
             data_b64=base64.b64encode(PNG).decode())
st, _ = srv.post("whatsapp", wa_media("wamid.M1", "image", "9001"))
T.eq(st, 200, "the photo's webhook is accepted")
row = settled("wamid.M1")
T.ok(row and row[1] == "stored" and row[3] == "image/png" and
     bytes(row[6]) == PNG and row[4] == len(PNG),
     "the photo is downloaded and kept with its type and size: %r"
     % (row[:6] if row else None,))
meta = gets("/9001")
T.ok(meta and meta[0]["path"].startswith("/v24.0/9001") and
     meta[0]["headers"].get("Authorization") == "Bearer WATOKEN" and
     "appsecret_proof=" in meta[0]["query"],
     "the media id is asked for with the token and the proof")
dl = gets("/_media/9001")
T.ok(dl and dl[0]["headers"].get("Authorization") == "Bearer WATOKEN",
     "the bytes are fetched from the URL given, with the token")

# --- Messenger: the attachment URL ----------------------------------------------
mock.control("media", id="cdn1", content_type="image/jpeg", size=300)
st, _ = srv.post("messenger", ms_media("m_M2", mock.base + "/_cdn/cdn1"))
row = settled("m_M2")
T.ok(row and row[1] == "stored" and row[3] == "image/jpeg" and row[4] == 300,
     "a Messenger photo is fetched from its attachment URL: %r"
     % (row[:6] if row else None,))
T.ok(gets("/_cdn/cdn1") and "Authorization" not in
     gets("/_cdn/cdn1")[0]["headers"],
     "no token goes to Messenger's CDN URL")

# --- hostile URLs and ids are never fetched -------------------------------------
for i, url in enumerate(["http://127.0.0.2:%d/_cdn/cdn1" % mock.port,
                         "https://evil.example.com/a.jpg",
                         "https://scontent.fbcdn.net.evil.example/a.jpg",
                         "https://user:pw@scontent.xx.fbcdn.net/a.jpg",
                         "file:///etc/passwd"]):
    srv.post("messenger", ms_media("m_BAD%d" % i, url))
    row = settled("m_BAD%d" % i)
    T.ok(row and row[1] == "failed" and row[2] == "refused",
         "a URL that is not Meta's is refused: %s -> %r"
         % (url, row[:3] if row else None))
srv.post("whatsapp", wa_media("wamid.BADID", "image", "../../me/messages"))
row = settled("wamid.BADID")
T.ok(row and row[1] == "failed" and row[2] == "refused",
     "a media id with a path in it is refused")

# --- size limit (1 MB in this config) ------------------------------------------
mock.control("media", id="9002", content_type="image/jpeg", size=2 * 1048576)
srv.post("whatsapp", wa_media("wamid.BIG", "image", "9002"))
row = settled("wamid.BIG")
T.ok(row and row[1] == "failed" and row[2] == "too_big" and row[6] is None,
     "an announced size over the limit fails as too_big: %r"
     % (row[:3] if row else None,))
T.eq(len(gets("/_media/9002")), 0, "and its bytes are never fetched")
mock.control("media", id="9003", content_type="image/jpeg",
             size=1048576 + 10, file_size=1000)
srv.post("whatsapp", wa_media("wamid.LIAR", "image", "9003"))
row = settled("wamid.LIAR")
T.ok(row and row[1] == "failed" and row[2] == "too_big",
     "bytes past the limit fail as too_big even when the size lied: %r"
     % (row[:3] if row else None,))
mock.control("media", id="9004", content_type="image/jpeg", size=1048576)
srv.post("whatsapp", wa_media("wamid.EXACT", "image", "9004"))
row = settled("wamid.EXACT")
T.ok(row and row[1] == "stored" and row[4] == 1048576,
     "exactly the limit is kept")

# --- types: allow-list and the first bytes ---------------------------------------
for i, (ct, data) in enumerate([
        ("text/html", b"<html><script>alert(1)</script></html>"),
        ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("image/png", b"<html>not a png</html>"),
        ("application/octet-stream", b"MZ\x90\0 an executable"),
        ("application/x-msdownload", b"MZ\x90\0")]):
    mid = "91%02d" % i
    mock.control("media", id=mid, content_type=ct, mime_type=ct,
                 data_b64=base64.b64encode(data).decode())
    srv.post("whatsapp", wa_media("wamid.T%d" % i, "document", mid))
    row = settled("wamid.T%d" % i)
    T.ok(row and row[1] == "failed" and row[2] == "type" and row[6] is None,
         "%s is refused as type: %r" % (ct, row[:3] if row else None))
mock.control("media", id="9200", content_type="application/octet-stream",
             mime_type="application/pdf",
             data_b64=base64.b64encode(PDF).decode())
srv.post("whatsapp", wa_media("wamid.PDF", "document", "9200",
                              extra={"filename": "klacht \"brief\".pdf",
                                     "mime_type": "application/pdf"}))
row = settled("wamid.PDF")
T.ok(row and row[1] == "stored" and row[3] == "application/pdf",
     "a PDF sent as octet-stream is kept as application/pdf: %r"
     % (row[:4] if row else None,))
mock.control("media", id="9300", content_type="audio/ogg; codecs=opus",
             data_b64=base64.b64encode(b"OggS\0voice").decode())
srv.post("whatsapp", wa_media("wamid.VOICE", "audio", "9300",
                              extra={"voice": True}))
row = settled("wamid.VOICE")
T.ok(row and row[1] == "stored" and row[3] == "audio/ogg",
     "a voice message is kept as audio/ogg")

# --- failure and retry ---------------------------------------------------------
mock.control("media", id="9400", content_type="image/png",
             data_b64=base64.b64encode(PNG).decode(), fail=2)
srv.post("whatsapp", wa_media("wamid.RETRY", "image", "9400"))
row = settled("wamid.RETRY", timeout=40)
T.ok(row and row[1] == "stored" and row[5] == 3,
     "two failed downloads are tried again, the third is kept: %r"
     % (row[:6] if row else None,))
mock.control("media", id="9401", content_type="image/png",
             data_b64=base64.b64encode(PNG).decode(), fail=1000)
srv.post("whatsapp", wa_media("wamid.GIVEUP", "image", "9401"))
T.ok(wait_for(lambda: (media_row("wamid.GIVEUP") or [0, 0, None])[2] ==
              "retry", 20), "a failed download waits for its next try")
row = media_row("wamid.GIVEUP")
T.eq(row[1], "pending", "and stays pending meanwhile")
srv.query("UPDATE media SET attempts = 4, next_attempt_at = 0 WHERE id = ?",
          (row[0],))
row = settled("wamid.GIVEUP")
T.ok(row and row[1] == "failed" and row[2] == "download",
     "after the last try it fails as download: %r" % (row[:6],))

# --- the route: staff only, the right headers ----------------------------------
staff_add(srv, "sam", "sam-wachtwoord-22")
staff_add(srv, "auteur", "auteur-wachtwoord-1", "author")
sam, anon, author = Client(srv), Client(srv), Client(srv)
T.eq(sam.login("sam", "sam-wachtwoord-22")[0], 200, "sam logs in")
author.login("auteur", "auteur-wachtwoord-1")
photo = media_row("wamid.M1")[0]
st, j, r = anon.call("GET", "/api/media/%d" % photo)
T.ok(st == 401 and r.getheader("Content-Type", "").startswith(
    "application/json"), "without a login: 401, no bytes")
st, j, r = author.call("GET", "/api/media/%d" % photo)
T.eq(st, 403, "an author (review only) may not see media")
c = __import__("http.client").client.HTTPConnection("127.0.0.1", srv.port,
                                                      timeout=10)
c.request("GET", "/api/media/%d" % photo,
          headers={"Cookie": "loket_session=" + sam.cookie})
r = c.getresponse()
body = r.read()
c.close()
T.ok(r.status == 200 and body == PNG, "staff get the photo's bytes")
T.eq(r.getheader("Content-Type"), "image/png", "with its checked type")
T.eq(r.getheader("X-Content-Type-Options"), "nosniff", "never sniffed")
T.ok((r.getheader("Content-Disposition") or "").startswith("inline"),
     "a photo is shown inline")
pdf = media_row("wamid.PDF")[0]
c = __import__("http.client").client.HTTPConnection("127.0.0.1", srv.port,
                                                      timeout=10)
c.request("GET", "/api/media/%d" % pdf,
          headers={"Cookie": "loket_session=" + sam.cookie})
r = c.getresponse()
body = r.read()
c.close()
cd = r.getheader("Content-Disposition") or ""
T.ok(r.status == 200 and body == PDF and cd.startswith("attachment;") and
     'filename="klacht__brief_.pdf";' in cd and
     "filename*=UTF-8''klacht%20_brief_.pdf" in cd,
     "a PDF is a download with a safe file name: " + cd)
bad = media_row("wamid.T0")[0]
for path in ("/api/media/%d" % bad, "/api/media/0", "/api/media/-1",
             "/api/media/1x", "/api/media/abc", "/api/media/",
             "/api/media/99999999999999999999"):
    st, j, r = sam.call("GET", path)
    T.eq(st, 404, "nothing to serve at " + path)

# --- transcript and case --------------------------------------------------------
conv = media_row("wamid.M1")[8]
st, j, r = sam.call("GET", "/api/conversations/%d" % conv)
ms = [m for m in j["messages"] if m.get("media")]
T.ok(st == 200 and any(m["media"]["id"] == photo and
                       m["media"]["status"] == "stored" and
                       m["media"]["inline"] is True for m in ms),
     "the transcript carries the photo")
T.ok(any(m["media"].get("error") == "too_big" and m["media"]["status"] ==
         "failed" for m in ms), "and says which one was too big")
for n, t in enumerate(["klacht", "ja", "Els Peeters"]):
    srv.post("whatsapp", wa_text("wamid.CF%d" % n, t, phone="32470555002"))
    wait_for(lambda: srv.count("inbound", "processed = 0") == 0)
mock.control("media", id="9500", content_type="image/jpeg", size=500)
srv.post("whatsapp", wa_media("wamid.INCASE", "image", "9500",
                              phone="32470555002"))
row = settled("wamid.INCASE")
T.ok(row and row[1] == "stored" and row[7] is None,
     "a photo in the case flow waits for its case")
cid = row[8]
st, j, r = sam.call("POST", "/api/conversations/%d/case" % cid,
                    {"name": "Els Peeters", "email": "els@example.be",
                     "description": "Mijn voordeur is kapot, zie foto"})
ref = j["case"]["reference"] if st == 200 and j.get("case") else ""
T.ok(ref and media_row("wamid.INCASE")[7] == ref,
     "the case registered from the conversation takes the photo")
st, j, r = sam.call("GET", "/api/cases/" + ref)
T.ok(st == 200 and [e["id"] for e in j.get("evidence", [])] ==
     [media_row("wamid.INCASE")[0]], "the case lists it as evidence")
mock.control("media", id="9501", content_type="image/jpeg", size=700)
srv.post("whatsapp", wa_media("wamid.AFTER", "image", "9501",
                              phone="32470555002"))
row = settled("wamid.AFTER")
T.ok(row and row[7] == ref, "a photo after the case is its evidence too")

# --- erase and purge ------------------------------------------------------------
n_before = srv.count("media")
rc, out, err = loket("erase", "--db", srv.db, "--user", "32470555002")
T.ok(rc == 0 and "photos and files 2" in out,
     "erase counts the citizen's media: " + out + err)
T.eq(srv.count("media", "user_id = '32470555002'"), 0,
     "erase removes the citizen's media")
T.eq(srv.count("media"), n_before - 2, "and no one else's")
srv.stop()
srv.script([("UPDATE media SET created_at = 1000 WHERE user_id = ?",
             (PSID,)),
            ("UPDATE conversations SET open = 0, ended_at = 1000 "
             "WHERE user_id = ?", (PSID,))])
left = srv.count("media", "user_id <> ?", (PSID,))
rc, out, err = loket("purge", "--db", srv.db, "--older-than", "1d")
T.ok(rc == 0 and srv.count("media", "user_id = ?", (PSID,)) == 0,
     "purge removes old media of closed conversations: " + out + err)
T.eq(srv.count("media", "user_id <> ?", (PSID,)), left,
     "and keeps recent ones")
T.ok(srv.sanitizer_clean(), "no sanitizer report")
mock.stop()
srv.cleanup()
T.report()
