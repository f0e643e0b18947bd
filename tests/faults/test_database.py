"""The database misbehaves (issue 14, fault tests): another process holds
the write lock (webhooks get 503, never a 200 for something not stored;
after the lock is gone the same delivery is stored once), and a
read-only database file (the server refuses to start and says why, where
it used to exit 1 without a line).  As root, whom file modes do not stop,
the read-only case runs the server as nobody."""

import os
import shutil
import sqlite3
import stat
import subprocess
import time

from faultlib import config, wa_text
from loketlib import BIN, ROOT, Results, Server, wait_for

T = Results()

# --- locked by another process ------------------------------------------
srv = Server().start()
lock = sqlite3.connect(srv.db, timeout=1, isolation_level=None)
lock.execute("BEGIN EXCLUSIVE")
body = wa_text("wamid.f.locked", "hallo", phone="32470900101",
               ts=str(int(time.time())))
t0 = time.monotonic()
st, _ = srv.post("whatsapp", body)
T.eq(st, 503, "a webhook while the database is locked: 503, Meta retries")
T.ok(time.monotonic() - t0 < 10, "answered in %.1f s" % (time.monotonic() -
                                                         t0))
T.ok(srv.alive(), "the server stays up while locked")
lock.execute("ROLLBACK")
lock.close()
st, _ = srv.post("whatsapp", body)
T.eq(st, 200, "the same delivery after the lock is gone: 200")
T.eq(srv.count("inbound", "msg_id = ?", ("wamid.f.locked",)), 1,
     "stored exactly once")
T.eq(srv.stop(), 0, "SIGTERM exits 0")
T.ok(srv.sanitizer_clean(), "no sanitizer report (locked)")
srv.cleanup()

# --- a read-only database file -------------------------------------------
srv = Server()
tmp = srv.tmp
srv.start()
T.eq(srv.stop(), 0, "a database made by a first run")
for suffix in ("-wal", "-shm"):
    if os.path.exists(srv.db + suffix):
        os.unlink(srv.db + suffix)
# The directory stays writable (SQLite may make its -wal and -shm files);
# only the database file itself is read-only.
os.chmod(tmp, 0o1777)
os.chmod(srv.db, 0o444)
cmd = [BIN, "serve", "--config", config(tmp)]
runnable = True
if os.geteuid() == 0:
    # nobody must reach the checkout (it is world-readable as cloned).
    runnable = (shutil.which("setpriv") is not None and
                os.stat(ROOT).st_mode & stat.S_IXOTH != 0)
    cmd = ["setpriv", "--reuid=65534", "--regid=65534",
           "--clear-groups"] + cmd
if runnable:
    p = subprocess.run(cmd, cwd=ROOT, env=dict(srv.env),
                       capture_output=True, text=True, timeout=30)
    log = p.stdout + p.stderr
    T.ok(p.returncode != 0, "the server does not run on a read-only "
         "database (exit %d)" % p.returncode)
    T.ok("read-only" in log and srv.db in log,
         "and says so, naming the file", log[-500:])
    T.ok("ERROR: AddressSanitizer" not in log and "runtime error" not in log,
         "no sanitizer report (read-only)")
else:
    print("skip - read-only: as root, needs setpriv and a checkout "
          "that nobody can enter")
srv.cleanup()
T.report()
