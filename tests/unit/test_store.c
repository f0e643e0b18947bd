/*
 * test_store.c — the store: on SQLite, migrations on a new, an older and
 * a newer database, WAL and synchronous=FULL; on both SQLite and
 * PostgreSQL (when LOKET_TEST_PG names a server), nested transactions,
 * savepoints, the prepared-statement cache and ping; on PostgreSQL also
 * versions, advisory locks, NOTIFY and reconnecting.  SQLite databases
 * live in a mkdtemp directory that is removed at the end.
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_schema.h"
#include "testhelp.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/loket-test-store-XXXXXX";

static void
db_path(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

static void
remove_tmpdir(void)
{
	test_rmdir(tmpdir);
}

/* First column of the first row of sql as an integer, or -1. */
static long long
q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* First column of the first row of sql as text into out ("" if none). */
static const char *
q_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return out;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(out, outlen, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static int
exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* First column of the first row of sql through the store, or -1. */
static long long
s_int(struct store *s, const char *sql)
{
	struct store_stmt *st = store_prepare(s, sql);
	long long v = -1;

	if (st != NULL && store_step(st) == STORE_ROW)
		v = store_col_int64(st, 0);
	store_finalize(st);
	return v;
}

static long long count_lite(const char *, int);

/* Rows of t with x = v, seen through a separate connection. */
static long long
count_outside(const char *path, int v)
{
	char sql[64], err[256];
	struct store *s;
	long long n;

	if (store_kind_of(path) == STORE_PG) {
		if ((s = store_open(path, err, sizeof(err))) == NULL)
			return -1;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE "
		    "x = %d", v);
		n = s_int(s, sql);
		store_close(s);
		return n;
	}
	return count_lite(path, v);
}

static long long
count_lite(const char *path, int v)
{
	char sql[64];
	sqlite3 *db;
	long long n;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE x = %d", v);
	n = q_int(db, sql);
	sqlite3_close(db);
	return n;
}

static long long
count_x(struct store *s, int v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE x = %d", v);
	return s_int(s, sql);
}

static void
test_open(void)
{
	char path[256], err[256] = "", txt[64];
	int n = (int)store_schema_migration_count();
	struct store *s;
	sqlite3 *db;

	db_path(path, sizeof(path), "new.db");
	s = store_open(path, err, sizeof(err));
	TEST("new database opens", s != NULL);
	if (s == NULL) {
		printf("     err: %s\n", err);
		return;
	}
	sqlite3_open(path, &db);
	TEST_STR("kind", store_kind_name(s), "sqlite");
	TEST("at least one migration", n >= 1);
	TEST("version == number of migrations", store_schema_version(s) == n);
	TEST("user_version == number of migrations",
	    q_int(db, "PRAGMA user_version") == n);
	TEST_STR("journal_mode is wal",
	    q_text(db, "PRAGMA journal_mode", txt, sizeof(txt)), "wal");
	TEST("synchronous is FULL (2)", s_int(s, "PRAGMA synchronous") == 2);
	TEST("foreign_keys on", s_int(s, "PRAGMA foreign_keys") == 1);
	TEST("tables created", q_int(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('inbound', 'statuses', "
	    "'unexpected', 'conversations', 'outcomes', 'cases', 'outbox')")
	    == 7);
	TEST("not in a transaction", !store_in_transaction(s));
	TEST("ping", store_ping(s) == 0);
	TEST("own table", store_exec(s, "CREATE TABLE t (x INTEGER)") == 0 &&
	    store_exec(s, "INSERT INTO t VALUES (7)") == 0);
	sqlite3_close(db);
	store_close(s);

	s = store_open(path, err, sizeof(err));
	TEST("reopens", s != NULL);
	if (s == NULL)
		return;
	TEST("version kept on reopen", store_schema_version(s) == n &&
	    s_int(s, "PRAGMA user_version") == n);
	TEST("data kept on reopen", count_x(s, 7) == 1);
	sqlite3_open(path, &db);
	TEST_STR("still wal", q_text(db, "PRAGMA journal_mode", txt,
	    sizeof(txt)), "wal");
	sqlite3_close(db);
	store_close(s);
	store_close(NULL);	/* harmless */
}

static void
test_versions(void)
{
	char path[256], err[256] = "", want[128];
	int n = (int)store_schema_migration_count();
	struct store *s;
	sqlite3 *db;

	/* A database from a newer loket. */
	db_path(path, sizeof(path), "newer.db");
	sqlite3_open(path, &db);
	snprintf(want, sizeof(want), "PRAGMA user_version = %d", n + 1);
	exec(db, want);
	sqlite3_close(db);
	s = store_open(path, err, sizeof(err));
	TEST("newer schema refused", s == NULL);
	snprintf(want, sizeof(want), "database schema version %d is newer "
	    "than this loket (%d)", n + 1, n);
	TEST_STR("newer schema message", err, want);
	store_close(s);
	sqlite3_open(path, &db);
	TEST("newer database left alone",
	    q_int(db, "PRAGMA user_version") == n + 1);
	sqlite3_close(db);

	/* A database at version 1 is brought up to date. */
	db_path(path, sizeof(path), "v1.db");
	sqlite3_open(path, &db);
	TEST("migration 1 by hand", exec(db, store_schema_migration(0)) == 0 &&
	    exec(db, "PRAGMA user_version = 1") == 0 &&
	    exec(db, "INSERT INTO unexpected (channel, received_at, reason, "
	    "digest, raw) VALUES ('whatsapp', 1, 'r', 'd', '{}')") == 0);
	sqlite3_close(db);
	s = store_open(path, err, sizeof(err));
	TEST("version 1 database opens", s != NULL);
	if (s != NULL) {
		TEST("migrated to newest", store_schema_version(s) == n &&
		    s_int(s, "PRAGMA user_version") == n);
		if (n >= 2)
			TEST("later tables exist", s_int(s,
			    "SELECT count(*) FROM outbox") == 0);
		TEST("old rows kept", s_int(s,
		    "SELECT count(*) FROM unexpected") == 1);
	}
	store_close(s);

	/* A failing migration is rolled back and named. */
	db_path(path, sizeof(path), "broken.db");
	sqlite3_open(path, &db);
	exec(db, "CREATE TABLE inbound (x)");
	sqlite3_close(db);
	err[0] = '\0';
	s = store_open(path, err, sizeof(err));
	TEST("failing migration refused", s == NULL &&
	    strncmp(err, "migration 1: ", 13) == 0 &&
	    strstr(err, "already exists") != NULL);
	if (s != NULL || strncmp(err, "migration 1: ", 13) != 0)
		printf("     err: %s\n", err);
	store_close(s);
	sqlite3_open(path, &db);
	TEST("failed migration left version 0",
	    q_int(db, "PRAGMA user_version") == 0 &&
	    q_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'statuses'") == 0);
	sqlite3_close(db);

	/* A directory that does not exist. */
	db_path(path, sizeof(path), "nodir/x.db");
	err[0] = '\0';
	s = store_open(path, err, sizeof(err));
	TEST("missing directory refused with a message", s == NULL &&
	    strstr(err, path) != NULL);
	store_close(s);
}

static void
exec_s(struct store *s, const char *sql)
{
	if (store_exec(s, sql) == -1)
		printf("     sql: %s: %s\n", sql, store_errmsg(s));
}

static void
test_transactions(const char *path)
{
	char err[256];
	struct store *s;

	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		TEST("tx database opens", 0);
		return;
	}
	exec_s(s, "CREATE TABLE t (x INTEGER)");

	TEST("commit without begin fails", store_commit(s) == -1);
	TEST("begin", store_begin(s) == 0 && store_in_transaction(s));
	TEST("nested begin", store_begin(s) == 0);
	exec_s(s, "INSERT INTO t VALUES (1)");
	TEST("inner commit", store_commit(s) == 0);
	TEST("inner commit keeps the transaction open",
	    store_in_transaction(s));
	TEST("not visible outside before the outer commit",
	    count_outside(path, 1) == 0);
	TEST("outer commit", store_commit(s) == 0 &&
	    !store_in_transaction(s));
	TEST("visible outside after commit", count_outside(path, 1) == 1);
	TEST("extra commit fails", store_commit(s) == -1);

	TEST("begin for rollback", store_begin(s) == 0);
	exec_s(s, "INSERT INTO t VALUES (2)");
	TEST("row seen inside", count_x(s, 2) == 1);
	store_rollback(s);
	TEST("rollback ends the transaction", !store_in_transaction(s));
	TEST("rollback undoes", count_x(s, 2) == 0);
	store_rollback(s);	/* without a transaction: harmless */
	TEST("second rollback harmless", !store_in_transaction(s));

	store_begin(s);
	exec_s(s, "INSERT INTO t VALUES (4)");
	store_begin(s);
	exec_s(s, "INSERT INTO t VALUES (3)");
	store_rollback(s);
	TEST("rollback from a nested level undoes that level only",
	    store_in_transaction(s) && count_x(s, 3) == 0 &&
	    count_x(s, 4) == 1);
	TEST("the outer level still commits", store_commit(s) == 0 &&
	    !store_in_transaction(s) && count_outside(path, 4) == 1 &&
	    count_outside(path, 3) == 0);
	TEST("commit after that fails", store_commit(s) == -1);

	/* Savepoints: one part fails, the others commit. */
	TEST("begin for savepoints", store_begin(s) == 0);
	exec_s(s, "INSERT INTO t VALUES (10)");
	TEST("savepoint", store_begin(s) == 0);
	exec_s(s, "INSERT INTO t VALUES (11)");
	store_rollback(s);
	TEST("rollback_to undoes its part", count_x(s, 11) == 0);
	TEST("rollback_to keeps the rest", count_x(s, 10) == 1 &&
	    store_in_transaction(s));
	TEST("second savepoint", store_begin(s) == 0);
	exec_s(s, "INSERT INTO t VALUES (12)");
	TEST("release", store_commit(s) == 0);
	TEST("savepoints leave the transaction open",
	    store_in_transaction(s));
	TEST("commit with savepoints", store_commit(s) == 0);
	TEST("committed: before and released part",
	    count_outside(path, 10) == 1 && count_outside(path, 12) == 1);
	TEST("rolled-back part absent", count_outside(path, 11) == 0);
	TEST("release without savepoint fails", store_commit(s) == -1);
	store_close(s);
}

static void
test_stmt(const char *path)
{
	static const char ins[] = "INSERT INTO t (x) VALUES (?1)";
	static const char sel[] = "SELECT CAST(?1 AS TEXT)";
	static const char sel2[] = "SELECT CAST(?1 AS TEXT)";
	static const char bad[] = "SELECT FROM nowhere";
	char err[256];
	struct store_stmt *a, *b, *c;
	struct store *s;
	int i, ok;

	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		TEST("stmt database opens", 0);
		return;
	}
	exec_s(s, "CREATE TABLE t (x INTEGER)");
	a = store_stmt(s, ins);
	b = store_stmt(s, ins);
	TEST("statement prepared", a != NULL);
	TEST("same sql pointer, same statement", a == b);
	c = store_stmt(s, sel);
	TEST("other sql, other statement", c != NULL && c != a);
	TEST("same text at another address, another statement",
	    store_stmt(s, sel2) != c);
	for (i = 0, ok = 1; i < 100 && ok; i++) {
		struct store_stmt *st = store_stmt(s, ins);

		ok = st == a && store_bind_int(st, 1, 1000 + i) ==
		    0 && store_step(st) == STORE_DONE;
		store_stmt_done(st);
	}
	TEST("100 inserts through the cached statement", ok &&
	    s_int(s, "SELECT count(*) FROM t") == 100 &&
	    s_int(s, "SELECT sum(x) FROM t") ==
	    100 * 1000 + 99 * 100 / 2);

	c = store_stmt(s, sel);
	store_bind_text(c, 1, "bound", -1);
	TEST("select step", store_step(c) == STORE_ROW &&
	    strcmp(store_col_text(c, 0), "bound") == 0);
	/* Not reset by the caller: store_stmt resets and clears. */
	c = store_stmt(s, sel);
	TEST("returned reset with bindings cleared",
	    store_step(c) == STORE_ROW &&
	    store_col_null(c, 0));
	store_stmt_done(c);
	store_stmt_done(NULL);	/* harmless */

	if (store_kind(s) == STORE_PG) {
		/* Prepared on first use, with the types of its bindings. */
		c = store_stmt(s, bad);
		TEST("bad sql fails at its first step", c != NULL &&
		    store_step(c) == STORE_ERROR && *store_errmsg(s) != '\0');
		store_stmt_done(c);
	} else {
		TEST("bad sql gives NULL", store_stmt(s, bad) == NULL);
		TEST("bad sql not cached", store_stmt(s, bad) == NULL);
	}
	TEST("cache still works after an error", store_stmt(s, ins) == a);

	TEST("statement usable inside a transaction",
	    store_begin(s) == 0 && (a = store_stmt(s, ins)) != NULL &&
	    store_bind_int(a, 1, 5) == 0 &&
	    store_step(a) == STORE_DONE);
	store_stmt_done(a);
	TEST("and committed", store_commit(s) == 0 &&
	    count_outside(path, 5) == 1);
	TEST("ping with cached statements", store_ping(s) == 0);
	TEST("now_ms is the wall clock in ms",
	    store_now_ms() > 1700000000000LL &&
	    store_now_ms() < 4102444800000LL);
	store_close(s);		/* finalizes the cache (ASan: no leaks) */
}

/* PostgreSQL: one database per part, each new and empty. */
static const char *
pg_db(const char *name, char *out, size_t outlen)
{
	char path[256];

	db_path(path, sizeof(path), name);
	return test_db(path, out, outlen);
}

static void
test_pg_open(void)
{
	char name[600], err[256] = "", sql[96];
	int n = (int)store_schema_migration_count();
	struct store *s;

	if (pg_db("pgnew", name, sizeof(name)) == NULL ||
	    (s = store_open(name, err, sizeof(err))) == NULL) {
		TEST("postgresql database opens", 0);
		printf("     err: %s\n", err);
		return;
	}
	TEST_STR("kind", store_kind_name(s), "postgresql");
	TEST("version == number of migrations", store_schema_version(s) == n &&
	    s_int(s, "SELECT version FROM loket_schema") == n);
	TEST("tables created", s_int(s, "SELECT count(*) FROM "
	    "information_schema.tables WHERE table_name IN ('inbound', "
	    "'statuses', 'unexpected', 'conversations', 'outcomes', 'cases', "
	    "'outbox')") == 7);
	TEST("ids are 64-bit identity columns", s_int(s, "SELECT count(*) "
	    "FROM information_schema.columns WHERE table_name = 'outbox' AND "
	    "column_name = 'id' AND data_type = 'bigint' AND is_identity = "
	    "'YES'") == 1);
	TEST("ping", store_ping(s) == 0);
	store_close(s);
	s = store_open(name, err, sizeof(err));
	TEST("reopens at the same version", s != NULL &&
	    store_schema_version(s) == n);
	snprintf(sql, sizeof(sql), "UPDATE loket_schema SET version = %d",
	    n + 1);
	if (s != NULL)
		store_exec(s, sql);
	store_close(s);
	s = store_open(name, err, sizeof(err));
	TEST("newer schema refused", s == NULL &&
	    strstr(err, "is newer than this loket") != NULL);
	store_close(s);
	err[0] = '\0';
	s = store_open("host=/nonexistent/loket port=1 dbname=x", err,
	    sizeof(err));
	TEST("unreachable server refused with a message", s == NULL &&
	    err[0] != '\0');
	store_close(s);
}

static void
test_pg_shared(void)
{
	char name[600], err[256], sql[96];
	struct store *a, *b;
	long long pid;
	int i, got;

	if (pg_db("pglocks", name, sizeof(name)) == NULL ||
	    (a = store_open(name, err, sizeof(err))) == NULL)
		return;
	if ((b = store_open(name, err, sizeof(err))) == NULL) {
		store_close(a);
		return;
	}
	TEST("xact lock taken", store_begin(a) == 0 &&
	    store_xact_lock(a, 42, 0) == 1);
	TEST("held: another session cannot take it",
	    store_xact_lock(b, 42, 0) == 0);
	TEST("released at commit", store_commit(a) == 0 &&
	    store_xact_lock(b, 42, 0) == 1);
	TEST("session lock", store_session_lock(a, 77) == 1);
	TEST("holder alive", store_key_free(b, 77) == 0 &&
	    store_key_free(a, 77) == 0);
	TEST("keys differ by part", store_key("a", "bc", NULL) !=
	    store_key("ab", "c", NULL) && store_key("x", "y", "z") ==
	    store_key("x", "y", "z") && store_key("x", "y", "z") >= 0);
	TEST("listen", store_listen(b, "test") == 0);
	TEST("notify", store_notify(a, "test") == 0);
	for (i = 0, got = 0; i < 50 && !got; i++) {
		got = store_notified(b);
		if (!got)
			usleep(10000);
	}
	TEST("notified", got == 1 && store_notified(b) == 0);

	/* The server ends a's session: a reconnects by itself. */
	pid = s_int(a, "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", pid);
	TEST("session ended from outside", s_int(b, sql) == 1);
	for (i = 0; i < 100 && store_key_free(b, 77) != 1; i++)
		usleep(10000);
	TEST("holder gone: its key is free", i < 100);
	TEST("ping reconnects", store_ping(a) == 0);
	TEST("session lock taken again", store_key_free(b, 77) == 0);
	TEST("transactions work again", store_begin(a) == 0 &&
	    store_exec(a, "CREATE TABLE t (x INTEGER)") == 0 &&
	    store_commit(a) == 0);

	/* The listener's session ends and a notification comes meanwhile:
	 * once b is back it says something may have changed, then hears
	 * the next notification as before. */
	pid = s_int(b, "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", pid);
	TEST("listener's session ended", s_int(a, sql) == 1);
	TEST("a notification it misses", store_notify(a, "test") == 0);
	for (i = 0, got = 0; i < 300 && !got; i++) {
		got = store_notified(b);
		if (!got)
			usleep(10000);
	}
	TEST("the listener, back, reports a change",
	    got == 1 && store_notified(b) == 0);
	TEST("notify after the reconnection", store_notify(a, "test") == 0);
	for (i = 0, got = 0; i < 50 && !got; i++) {
		got = store_notified(b);
		if (!got)
			usleep(10000);
	}
	TEST("heard: it listens again", got == 1);
	store_close(a);
	store_close(b);
}

/* Bytes in and out unchanged (NULs, high bytes, empty, NULL), on both
 * back ends: bytea travels as hex text on PostgreSQL. */
static void
test_blob(const char *path)
{
	static const unsigned char bytes[] = { 0, 1, 0x7f, 0x80, 0xff, '\\',
	    'x', 0, 'A' };
	struct store *s;
	struct store_stmt *st;
	char err[256];
	unsigned char *got;
	size_t n = 99;
	int i;

	s = store_open(path, err, sizeof(err));
	TEST("blob: open", s != NULL);
	if (s == NULL)
		return;
	/* store_exec runs SQL as given: PostgreSQL's name for BLOB. */
	TEST("blob: table", store_exec(s, store_kind(s) == STORE_PG ?
	    "CREATE TABLE b (id INTEGER, v BYTEA)" :
	    "CREATE TABLE b (id INTEGER, v BLOB)") == 0);
	for (i = 0; i < 3; i++) {
		st = store_prepare(s, "INSERT INTO b (id, v) VALUES (?1, ?2)");
		store_bind_int(st, 1, i);
		if (i == 0)
			store_bind_blob(st, 2, bytes, sizeof(bytes));
		else if (i == 1)
			store_bind_blob(st, 2, "", 0);
		else
			store_bind_null(st, 2);
		TEST("blob: insert", store_step(st) == STORE_DONE);
		store_finalize(st);
	}
	st = store_prepare(s, "SELECT v FROM b ORDER BY id");
	TEST("blob: row 0", store_step(st) == STORE_ROW);
	got = store_col_blob_dup(st, 0, &n);
	TEST("blob: same bytes", got != NULL && n == sizeof(bytes) &&
	    memcmp(got, bytes, n) == 0);
	free(got);
	TEST("blob: row 1", store_step(st) == STORE_ROW);
	got = store_col_blob_dup(st, 0, &n);
	TEST("blob: empty is not NULL", got != NULL && n == 0);
	free(got);
	TEST("blob: row 2", store_step(st) == STORE_ROW);
	got = store_col_blob_dup(st, 0, &n);
	TEST("blob: NULL", got == NULL && n == 0);
	store_finalize(st);
	store_close(s);
}

int
main(void)
{
	char path[256], name[600];

	log_set_level(LOG_LVL_ERROR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	if (test_pg() != NULL) {
		test_pg_open();
		if (pg_db("pgtx", name, sizeof(name)) != NULL)
			test_transactions(name);
		if (pg_db("pgstmt", name, sizeof(name)) != NULL)
			test_stmt(name);
		if (pg_db("pgblob", name, sizeof(name)) != NULL)
			test_blob(name);
		test_pg_shared();
		remove_tmpdir();
		return TEST_REPORT();
	}
	test_open();
	test_versions();
	db_path(path, sizeof(path), "tx.db");
	test_transactions(path);
	db_path(path, sizeof(path), "stmt.db");
	test_stmt(path);
	db_path(path, sizeof(path), "blob.db");
	test_blob(path);
	remove_tmpdir();
	return TEST_REPORT();
}
