"""SIGHUP reloads the config, the phrase files and the reply texts; a
broken set is refused with file and line, the old one stays in use, and
the server keeps answering."""

import os
import shutil
import signal
import subprocess
import time

from loketlib import BIN, ROOT, Results, Server, wa_text, wait_for

T = Results()
tmp_srv = Server()
tmp = tmp_srv.tmp
shutil.copytree(os.path.join(ROOT, "intents"), os.path.join(tmp, "intents"))
shutil.copytree(os.path.join(ROOT, "locales"), os.path.join(tmp, "locales"))
conf = os.path.join(tmp, "loket.conf")
with open(os.path.join(ROOT, "deploy", "loket.conf")) as f:
    base = f.read()
base = base.replace("intents = intents/nl", "intents = %s/intents/nl" % tmp)
base = base.replace("locales = locales", "locales = %s/locales" % tmp)
with open(conf, "w") as f:
    f.write(base)
srv = Server(config=conf, tmpdir=tmp).start()
seq = [0]


def hup_and_wait(event):
    n = srv.read_log().count(event)
    srv.send(signal.SIGHUP)
    return wait_for(lambda: srv.read_log().count(event) > n, 10)


def bot_answers(text):
    """Posts a message from a new citizen; true once a reply is queued."""
    seq[0] += 1
    phone = "3247900%04d" % seq[0]
    st, _ = srv.post("whatsapp", wa_text("wamid.rl.%d" % seq[0], text,
                                         phone=phone,
                                         ts=str(int(time.time()))))
    return st == 200 and wait_for(
        lambda: srv.count("outbox", "user_id = ?", (phone,)) > 0, 10)


T.ok(bot_answers("hallo"), "the bot answers before any reload")

# A phrase file with invalid UTF-8: refused, old phrases kept.
bad = os.path.join(tmp, "intents", "nl", "bedankt.txt")
with open(bad, "ab") as f:
    f.write(b"dank u \xff\xfe wel\n")
T.ok(hup_and_wait("intents_reload_refused"), "broken phrase file refused")
log = srv.read_log()
T.ok("bedankt.txt:" in log, "the refusal names the file and line",
     log[-600:])
T.ok(bot_answers("goeiedag"), "still answering with the old phrases")

# A locale file with an unknown placeholder: refused, old texts kept.
nl = os.path.join(tmp, "locales", "nl.txt")
with open(nl, "a") as f:
    f.write("onderwerp.openingsuren = Open op {no_such_placeholder}\n")
T.ok(hup_and_wait("locales_reload_refused"), "broken locale file refused")
T.ok("nl.txt:" in srv.read_log(), "the refusal names the locale file")
T.ok(bot_answers("dag"), "still answering with the old texts")

# Repaired files are taken on the next SIGHUP.
shutil.rmtree(os.path.join(tmp, "intents"))
shutil.rmtree(os.path.join(tmp, "locales"))
shutil.copytree(os.path.join(ROOT, "intents"), os.path.join(tmp, "intents"))
shutil.copytree(os.path.join(ROOT, "locales"), os.path.join(tmp, "locales"))
T.ok(hup_and_wait("locales_reloaded"), "repaired set reloaded")
T.ok("intents_reloaded" in srv.read_log(), "phrase files reloaded")

# A broken config is refused as a whole.
with open(conf, "a") as f:
    f.write("\n[agency Broken]\n")
T.ok(hup_and_wait("reload_refused"), "broken config refused")
T.ok(bot_answers("hallo daar"), "still answering after a refused config")


def write_conf(text):
    with open(conf, "w") as f:
        f.write(text)


# An empty or truncated config is refused (issue 14 item 6): it would leave
# the server without agencies, storing messages nobody answers.
write_conf("")
T.ok(hup_and_wait("reload_refused"), "empty config refused")
T.ok("no [agency ID] section" in srv.read_log(), "the refusal says why",
     srv.read_log()[-400:])
write_conf(base[:base.index("[agency vmsw]")])
T.ok(hup_and_wait("reload_refused"), "config cut before its agencies refused")
T.ok(bot_answers("hallo nog eens"), "still answering with the old agencies")
chk = subprocess.run([BIN, "serve", "--check", "--config", conf], cwd=ROOT,
                     capture_output=True, text=True)
T.ok(chk.returncode != 0 and "no [agency ID] section" in chk.stderr,
     "serve --check fails on a config without agency",
     chk.stdout + chk.stderr)

# A message for a number no agency has is stored unrouted; once a config
# routes it, it is answered.
write_conf(base.replace("default_agency = vmsw\n", ""))
T.ok(hup_and_wait("event=reloaded agencies"), "config without default")
st, _ = srv.post("whatsapp", wa_text("wamid.rl.unrouted", "Goeiedag",
                                     phone="32479111222",
                                     phone_number_id="555000111",
                                     ts=str(int(time.time()))))
T.eq(st, 200, "message for an unknown number acknowledged")
T.ok(wait_for(lambda: srv.count("inbound", "msg_id = ? AND processed = 1",
                                ("wamid.rl.unrouted",)) == 1, 10),
     "stored and handled without an agency")
T.eq(srv.count("outbox", "user_id = ?", ("32479111222",)), 0,
     "not answered while no agency routes it")
write_conf(base)
T.ok(hup_and_wait("event=reloaded agencies"), "config with default back")
T.ok(wait_for(lambda: srv.count("outbox", "user_id = ?",
                                ("32479111222",)) > 0, 10),
     "the waiting message is answered once an agency exists")
T.eq(srv.query("SELECT agency FROM inbound WHERE msg_id = ?",
               ("wamid.rl.unrouted",)), [("vmsw",)],
     "the stored message has its agency now")
T.ok(srv.alive(), "server alive after every reload")
T.eq(srv.stop(), 0, "SIGTERM exits 0")
T.ok(srv.sanitizer_clean(), "no sanitizer report in the server log")
srv.cleanup()
T.report()
