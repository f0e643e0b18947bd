"""Stopping with a backlog: SIGTERM ends the server at once, not after the
back end has worked through every waiting message (with 30,000 waiting
that took the better part of a minute); what is left is committed, and
the next start goes on with it."""

import signal
import time

from loketlib import Results, Server, wait_for

T = Results()
WAITING = 30000

srv = Server().start()
T.eq(srv.stop(), 0, "a first start creates the database")
now_ms = int(time.time() * 1000)
srv.script([(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < ?) INSERT INTO inbound (channel, agency, account_id, "
    "user_id, user_phone, msg_id, kind, type, text, standby, meta_ts, "
    "received_at, raw) SELECT 'whatsapp', 'wse', '106540352242924', "
    "'3247' || (1000000 + i), '3247' || (1000000 + i), 'wamid.stop.' || i, "
    "'message', 'text', 'Ik heb een vraag over mijn premie', 0, ?, ?, '{}' "
    "FROM n", (WAITING, now_ms // 1000, now_ms))])
T.eq(srv.count("inbound", "processed = 0"), WAITING, "messages waiting")

srv.start()
T.ok(wait_for(lambda: srv.count("inbound", "processed = 1") > 0, 10),
     "the back end is at work")
t0 = time.time()
rc = srv.stop(signal.SIGTERM, timeout=60)
took = time.time() - t0
T.eq(rc, 0, "stops cleanly")
T.ok(took < 5, "stops within 5 s with a backlog", "took %.1f s" % took)
left = srv.count("inbound", "processed = 0")
T.ok(0 < left < WAITING, "the rest left waiting, not dropped",
     "left %d" % left)
T.ok(srv.sanitizer_clean(), "no sanitizer report in the server log")

srv.start()
T.ok(wait_for(lambda: srv.count("inbound", "processed = 0") < left, 20),
     "the next start goes on with what was left")
T.eq(srv.stop(), 0, "stops cleanly again")
T.ok(srv.sanitizer_clean(), "no sanitizer report after the restart")
srv.cleanup()
T.report()
