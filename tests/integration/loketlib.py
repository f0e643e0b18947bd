"""Helpers for Loket's integration tests: start the real binary on a free
127.0.0.1 port with a temporary database, sign and post webhooks, read the
database.  Standard library only.  Every test file ends with the line
"N passed, N failed".

The database is a SQLite file in the test's temporary directory, or, when
LOKET_TEST_PG holds a libpq string without dbname (tests/run.sh starts a
throwaway cluster), a fresh PostgreSQL database per temporary directory,
created on first use and dropped when its server is cleaned up or the test
ends.  db_query() and Server.query() read and write either with the same
SQL (? placeholders; psql runs it on PostgreSQL)."""

import atexit
import hashlib
import hmac
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("LOKET_BIN", os.path.join(ROOT, "build", "loket"))
SECRET = "test-app-secret"
VERIFY = "test-verify-token"
PG = os.environ.get("LOKET_TEST_PG") or None


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, name, detail=""):
        if cond:
            self.passed += 1
            print("ok - %s" % name)
        else:
            self.failed += 1
            print("not ok - %s %s" % (name, detail))
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got %r want %r" % (got, want))

    def report(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ---- the database: SQLite file or PostgreSQL database ----------------------

_pg_dbs = {}                    # temporary directory -> database conninfo
_pg_seq = itertools.count(1)


def is_pg(db):
    """Whether db names a PostgreSQL database (as bot/store.c decides)."""
    return db.startswith(("postgresql://", "postgres://")) or "=" in db


def _psql_once(conninfo, sql, check=True):
    p = subprocess.run(["psql", "-qXAt", "-v", "ON_ERROR_STOP=1",
                        conninfo], input=sql, capture_output=True,
                       text=True, timeout=60)
    if check and p.returncode != 0:
        raise RuntimeError("psql: %s\n%s" % (p.stderr.strip(), sql[:500]))
    return p.stdout


class _PsqlSession:
    """One psql kept open on a database: a new psql per query cost 30 ms
    (start, connect, authenticate), most of a PostgreSQL suite's time.
    Each script is followed by an \\echo of a marker; its output is what
    comes before the marker.  psql writes a statement's notices and
    errors to stderr before it reads the next one, so once the marker is
    read they are all in that pipe.  run() returns None when psql
    reported an error or went away: the caller then runs the script once
    more on a psql of its own, which fails with psql's message (an error
    inside db_script's BEGIN .. COMMIT committed nothing, and the session
    is closed, so its transaction is gone too)."""

    def __init__(self, conninfo):
        self.proc = subprocess.Popen(
            ["psql", "-qXAt", conninfo], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1)
        os.set_blocking(self.proc.stderr.fileno(), False)
        self.seq = itertools.count(1)

    def _stderr(self):
        try:
            return os.read(self.proc.stderr.fileno(), 1 << 20).decode(
                errors="replace")
        except BlockingIOError:
            return ""

    def run(self, sql):
        """The script's output, or None (see the class).  psql ending
        mid-script (connection lost) also gives None: a transaction it
        had begun is rolled back; only pg_admin's idempotent DROP IF
        EXISTS / CREATE run outside one.  No time limit: a script may
        have run when the wait ends, and running it again would repeat
        it."""
        marker = "--loketlib-done-%d-%d--" % (os.getpid(), next(self.seq))
        try:
            # The ";" on a line of its own ends a last statement that has
            # none (or ends in a comment); after one it is an empty query.
            self.proc.stdin.write(sql + "\n;\n\\echo " + marker + "\n")
            self.proc.stdin.flush()
        except OSError:
            return None
        out = []
        for line in self.proc.stdout:
            if line.rstrip("\n") == marker:
                err = self._stderr()
                return None if re.search(r"^(psql:\S* )?(ERROR|FATAL|"
                                         r"PANIC):", err, re.M) else \
                    "".join(out)
            out.append(line)
        return None                     # psql ended

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


_sessions = {}                  # conninfo -> _PsqlSession, newest last
_sessions_lock = threading.Lock()
_SESSIONS_MAX = 4               # a test may make many databases


def _psql_close(conninfo):
    with _sessions_lock:
        s = _sessions.pop(conninfo, None)
    if s is not None:
        s.close()


@atexit.register
def _psql_close_all():
    for conninfo in list(_sessions):
        _psql_close(conninfo)


def psql_run(conninfo, sql, check=True):
    """sql on the PostgreSQL database conninfo: psql's -qXAt output (an
    error raises RuntimeError unless check is False)."""
    with _sessions_lock:
        s = _sessions.pop(conninfo, None)
        if s is None or s.proc.poll() is not None:
            s = _PsqlSession(conninfo)
        out = s.run(sql)
        if out is None:
            s.close()
        else:
            _sessions[conninfo] = s
            while len(_sessions) > _SESSIONS_MAX:
                _sessions.pop(next(iter(_sessions))).close()
    if out is not None:
        return out
    return _psql_once(conninfo, sql, check)


def pg_admin(sql):
    """Runs sql on the cluster's maintenance database."""
    return psql_run("%s dbname=postgres" % PG, sql)


def pg_create():
    """A new, empty PostgreSQL database: its conninfo."""
    name = "t%d_%d" % (os.getpid(), next(_pg_seq))
    pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE);\n"
             "CREATE DATABASE %s;" % (name, name))
    conninfo = "%s dbname=%s" % (PG, name)
    _pg_dbs.setdefault(conninfo, conninfo)
    return conninfo


def pg_drop(conninfo):
    name = conninfo.rsplit("dbname=", 1)[1]
    _psql_close(conninfo)
    psql_run("%s dbname=postgres" % PG, "DROP DATABASE IF EXISTS %s WITH "
          "(FORCE);" % name, check=False)
    for k in [k for k, v in _pg_dbs.items() if v == conninfo]:
        del _pg_dbs[k]


@atexit.register
def _drop_leftover_dbs():
    for conninfo in set(_pg_dbs.values()):
        pg_drop(conninfo)


def fresh_db(tmp, name="loket.db"):
    """A database for a test: the file name in tmp on SQLite, the same
    PostgreSQL database for the same (tmp, name) when LOKET_TEST_PG is
    set."""
    path = os.path.join(tmp, name)
    if not PG:
        return path
    if path not in _pg_dbs:
        _pg_dbs[path] = pg_create()
    return _pg_dbs[path]


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "'\\x%s'::bytea" % bytes(v).hex()
    return "'" + str(v).replace("'", "''") + "'"


def _bind(sql, args):
    """sql with each ? outside a string literal replaced by its value."""
    out, quoted, it = [], False, iter(args)
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == "?" and not quoted:
            out.append(_literal(next(it)))
        else:
            out.append(ch)
    return "".join(out)


_BYTEA = re.compile(r"\\x(?:[0-9a-f]{2})*\Z")


def _pg_row(line):
    """A row of to_json() output as a tuple (bytea's hex text as bytes)."""
    pairs = json.loads(line, object_pairs_hook=lambda kv: kv)
    return tuple(bytes.fromhex(v[2:]) if isinstance(v, str) and
                 _BYTEA.match(v) else v for _, v in pairs)


_RETURNS_ROWS = ("select", "with", "values")
_SYNC_IDS = """DO $$DECLARE t text; BEGIN
FOR t IN SELECT table_name FROM information_schema.columns WHERE
  table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'
LOOP EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''),
  COALESCE((SELECT max(id) FROM %I), 0) + 1, false)', t, t); END LOOP;
END$$;"""


def db_script(db, statements):
    """Runs [(sql, args), ...] (or plain sql strings) in one transaction;
    the rows of the last one.  Rows are tuples, as sqlite3 gives them
    (integers, text, None; bytes for BLOB / bytea columns named data).
    An INSERT with explicit ids moves PostgreSQL's id sequences past
    them, as SQLite would."""
    items = [(s, ()) if isinstance(s, str) else s for s in statements]
    if not is_pg(db):
        con = sqlite3.connect(db, timeout=10)
        try:
            rows = []
            for sql, args in items:
                rows = con.execute(sql, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()
    parts, last = ["BEGIN;"], items[-1][0].lstrip().lower()
    for i, (sql, args) in enumerate(items):
        sql = _bind(sql, args).strip().rstrip(";")
        if i == len(items) - 1 and (last.startswith(_RETURNS_ROWS) or
                                    " returning " in last):
            if last.startswith(_RETURNS_ROWS):
                sql = "SELECT to_json(x)::text FROM (%s) x" % sql
            else:
                sql = ("WITH x AS (%s) SELECT to_json(x)::text FROM x" %
                       sql)
        parts.append(sql + ";")
    if any(s.lstrip().lower().startswith("insert") for s, _ in items):
        parts.append(_SYNC_IDS)
    parts.append("COMMIT;")
    out = psql_run(db, "\n".join(parts))
    return [_pg_row(line) for line in out.splitlines() if line.strip()]


def db_query(db, sql, args=()):
    """One statement on db; its rows as a list of tuples."""
    return db_script(db, [(sql, args)])


_running = []


@atexit.register
def _stop_leftovers():
    """A test that dies half-way must not leave servers behind."""
    for p in _running:
        if p.poll() is None:
            p.kill()
            p.wait()


class Server:
    """One `loket serve` process with its own port and database."""

    def __init__(self, config=None, extra_env=None, args=None, tmpdir=None,
                 db=None):
        """db: another server's database (several instances on one
        PostgreSQL); by default the one of tmpdir (fresh_db)."""
        self.tmp = tmpdir or tempfile.mkdtemp(prefix="loket-test-")
        self.own_tmp = tmpdir is None
        self.db = db or fresh_db(self.tmp)
        self.port = free_port()
        self.config = config
        self.args = args or []
        self.env = dict(os.environ)
        self.env.update({
            "LOKET_PORT": str(self.port),
            "LOKET_DB": self.db,
            "LOKET_APP_SECRET": SECRET,
            "LOKET_VERIFY_TOKEN": VERIFY,
            "LOKET_GRAPH_URL": "log:",
        })
        if extra_env:
            self.env.update(extra_env)
        self.proc = None
        self.logfile = os.path.join(self.tmp, "server.log")

    def start(self, timeout=10):
        cmd = [BIN, "serve"] + self.args
        if self.config:
            cmd += ["--config", self.config]
        self.log = open(self.logfile, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env,
                                     stdout=self.log, stderr=self.log)
        _running.append(self.proc)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.read_log())
            try:
                st, _ = self.request("GET", "/healthz")
                if st == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start: " + self.read_log())

    def read_log(self):
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, body=None, headers=None, timeout=10):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def post(self, channel, body, signature=True, headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        h = {"Content-Type": "application/json"}
        if signature is True:
            h["X-Hub-Signature-256"] = sign(body)
        elif signature:
            h["X-Hub-Signature-256"] = signature
        h.update(headers or {})
        return self.request("POST", "/webhook/" + channel, body, h)

    def query(self, sql, args=()):
        return db_query(self.db, sql, args)

    def script(self, statements):
        """db_script() on this server's database (nothing if empty)."""
        return db_script(self.db, statements) if statements else []

    def count(self, table, where="1=1", args=()):
        return self.query("SELECT count(*) FROM %s WHERE %s" % (table, where),
                          args)[0][0]

    def sanitizer_clean(self):
        """No AddressSanitizer, LeakSanitizer or UBSan report in the log."""
        log = self.read_log()
        return not any(m in log for m in ("ERROR: AddressSanitizer",
                                          "ERROR: LeakSanitizer",
                                          "runtime error:"))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.log.close()
        return rc

    def cleanup(self):
        self.stop()
        if self.own_tmp:
            if is_pg(self.db) and self.db in _pg_dbs.values():
                pg_drop(self.db)
            shutil.rmtree(self.tmp, ignore_errors=True)


class MockGraph:
    """tests/mock_graph.py on a free port, recording every request."""

    def __init__(self, tmp, args=()):
        self.record = os.path.join(tmp, "graph.jsonl")
        pf = os.path.join(tmp, "graph.port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "mock_graph.py"),
             "--port", "0", "--port-file", pf, "--record", self.record,
             "--idle", "120"] + list(args), stdout=subprocess.DEVNULL)
        _running.append(self.proc)
        for _ in range(100):
            if os.path.exists(pf) and os.path.getsize(pf) > 0:
                break
            time.sleep(0.05)
        with open(pf) as f:
            self.port = int(f.read())
        self.base = "http://127.0.0.1:%d" % self.port

    def control(self, what, **kw):
        req = urllib.request.Request(self.base + "/_mock/" + what,
                                     data=json.dumps(kw).encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=5).read()

    def requests(self):
        try:
            with open(self.record) as f:
                return [json.loads(line) for line in f if line.strip()]
        except OSError:
            return []

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)


def wait_for(pred, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def wa_text(msg_id, text, phone="32470123456", phone_number_id="106540352242922",
            ts="1764500000", name="Els"):
    """A WhatsApp Cloud API text message webhook, as Meta sends it."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "3225531111",
                                 "phone_number_id": phone_number_id},
                    "contacts": [{"profile": {"name": name}, "wa_id": phone}],
                    "messages": [{"from": phone, "id": msg_id,
                                  "timestamp": ts, "type": "text",
                                  "text": {"body": text}}],
                },
            }],
        }],
    }


def ms_text(mid, text, psid="7001002003", page="109876543210987",
            ts=1764500000000):
    """A Messenger text message webhook."""
    return {
        "object": "page",
        "entry": [{
            "id": page, "time": ts,
            "messaging": [{"sender": {"id": psid}, "recipient": {"id": page},
                           "timestamp": ts,
                           "message": {"mid": mid, "text": text}}],
        }],
    }


def raw_http(port, data, read_timeout=5, shutdown_write=False, chunks=None,
             delay=0.0):
    """Sends raw bytes (optionally in chunks with a delay) and returns all
    bytes received until the server closes or the timeout passes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        if chunks:
            for c in chunks:
                s.sendall(c)
                time.sleep(delay)
        else:
            s.sendall(data)
        if shutdown_write:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            out += b
        return out
    finally:
        s.close()


def http_post_bytes(path, body, sig=True, extra=b""):
    """A POST request as bytes, for raw-socket tests."""
    h = b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    h += b"Content-Type: application/json\r\n"
    if sig:
        h += b"X-Hub-Signature-256: " + sign(body).encode() + b"\r\n"
    h += b"Content-Length: " + str(len(body)).encode() + b"\r\n" + extra
    return h + b"\r\n" + body
