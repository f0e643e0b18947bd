/*
 * test_store.c — the SQLite connection: migrations on a new, an older and
 * a newer database, WAL and synchronous=FULL, nested transactions,
 * savepoints, the prepared-statement cache and ping.  Databases live in a
 * mkdtemp directory that is removed at the end.
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

/* Rows of t with x = v, seen through a separate connection. */
static long long
count_outside(const char *path, int v)
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
	return q_int(store_db(s), sql);
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
	db = store_db(s);
	TEST("at least one migration", n >= 1);
	TEST("version == number of migrations", store_schema_version(s) == n);
	TEST("user_version == number of migrations",
	    q_int(db, "PRAGMA user_version") == n);
	TEST_STR("journal_mode is wal",
	    q_text(db, "PRAGMA journal_mode", txt, sizeof(txt)), "wal");
	TEST("synchronous is FULL (2)", q_int(db, "PRAGMA synchronous") == 2);
	TEST("foreign_keys on", q_int(db, "PRAGMA foreign_keys") == 1);
	TEST("tables created", q_int(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('inbound', 'statuses', "
	    "'unexpected', 'conversations', 'outcomes', 'cases', 'outbox')")
	    == 7);
	TEST("not in a transaction", !store_in_transaction(s) &&
	    sqlite3_get_autocommit(db));
	TEST("ping", store_ping(s) == 0);
	TEST("own table", exec(db, "CREATE TABLE t (x INTEGER)") == 0 &&
	    exec(db, "INSERT INTO t VALUES (7)") == 0);
	store_close(s);

	s = store_open(path, err, sizeof(err));
	TEST("reopens", s != NULL);
	if (s == NULL)
		return;
	TEST("version kept on reopen", store_schema_version(s) == n &&
	    q_int(store_db(s), "PRAGMA user_version") == n);
	TEST("data kept on reopen", count_x(s, 7) == 1);
	TEST_STR("still wal", q_text(store_db(s), "PRAGMA journal_mode", txt,
	    sizeof(txt)), "wal");
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
		    q_int(store_db(s), "PRAGMA user_version") == n);
		if (n >= 2)
			TEST("later tables exist", q_int(store_db(s),
			    "SELECT count(*) FROM outbox") == 0);
		TEST("old rows kept", q_int(store_db(s),
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
test_transactions(void)
{
	char path[256], err[256];
	struct store *s;
	sqlite3 *db;

	db_path(path, sizeof(path), "tx.db");
	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		TEST("tx database opens", 0);
		return;
	}
	db = store_db(s);
	exec(db, "CREATE TABLE t (x INTEGER)");

	TEST("commit without begin fails", store_commit(s) == -1);
	TEST("begin", store_begin(s) == 0 && store_in_transaction(s) &&
	    !sqlite3_get_autocommit(db));
	TEST("nested begin", store_begin(s) == 0);
	exec(db, "INSERT INTO t VALUES (1)");
	TEST("inner commit", store_commit(s) == 0);
	TEST("inner commit keeps the transaction open",
	    store_in_transaction(s) && !sqlite3_get_autocommit(db));
	TEST("not visible outside before the outer commit",
	    count_outside(path, 1) == 0);
	TEST("outer commit", store_commit(s) == 0 &&
	    !store_in_transaction(s) && sqlite3_get_autocommit(db));
	TEST("visible outside after commit", count_outside(path, 1) == 1);
	TEST("extra commit fails", store_commit(s) == -1);

	TEST("begin for rollback", store_begin(s) == 0);
	exec(db, "INSERT INTO t VALUES (2)");
	TEST("row seen inside", count_x(s, 2) == 1);
	store_rollback(s);
	TEST("rollback ends the transaction", !store_in_transaction(s) &&
	    sqlite3_get_autocommit(db));
	TEST("rollback undoes", count_x(s, 2) == 0);
	store_rollback(s);	/* without a transaction: harmless */
	TEST("second rollback harmless", !store_in_transaction(s));

	store_begin(s);
	exec(db, "INSERT INTO t VALUES (4)");
	store_begin(s);
	exec(db, "INSERT INTO t VALUES (3)");
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
	exec(db, "INSERT INTO t VALUES (10)");
	TEST("savepoint", store_begin(s) == 0);
	exec(db, "INSERT INTO t VALUES (11)");
	store_rollback(s);
	TEST("rollback_to undoes its part", count_x(s, 11) == 0);
	TEST("rollback_to keeps the rest", count_x(s, 10) == 1 &&
	    store_in_transaction(s) && !sqlite3_get_autocommit(db));
	TEST("second savepoint", store_begin(s) == 0);
	exec(db, "INSERT INTO t VALUES (12)");
	TEST("release", store_commit(s) == 0);
	TEST("savepoints leave the transaction open",
	    !sqlite3_get_autocommit(db));
	TEST("commit with savepoints", store_commit(s) == 0);
	TEST("committed: before and released part",
	    count_outside(path, 10) == 1 && count_outside(path, 12) == 1);
	TEST("rolled-back part absent", count_outside(path, 11) == 0);
	TEST("release without savepoint fails", store_commit(s) == -1);
	store_close(s);
}

static void
test_stmt(void)
{
	static const char ins[] = "INSERT INTO t (x) VALUES (?1)";
	static const char sel[] = "SELECT ?1";
	static const char sel2[] = "SELECT ?1";
	static const char bad[] = "SELECT FROM nowhere";
	char path[256], err[256];
	sqlite3_stmt *a, *b, *c;
	struct store *s;
	int i, ok;

	db_path(path, sizeof(path), "stmt.db");
	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		TEST("stmt database opens", 0);
		return;
	}
	exec(store_db(s), "CREATE TABLE t (x INTEGER)");
	a = store_stmt(s, ins);
	b = store_stmt(s, ins);
	TEST("statement prepared", a != NULL);
	TEST("same sql pointer, same statement", a == b);
	c = store_stmt(s, sel);
	TEST("other sql, other statement", c != NULL && c != a);
	TEST("same text at another address, another statement",
	    store_stmt(s, sel2) != c);
	for (i = 0, ok = 1; i < 100 && ok; i++) {
		sqlite3_stmt *st = store_stmt(s, ins);

		ok = st == a && sqlite3_bind_int(st, 1, 1000 + i) ==
		    SQLITE_OK && sqlite3_step(st) == SQLITE_DONE;
		store_stmt_done(st);
	}
	TEST("100 inserts through the cached statement", ok &&
	    q_int(store_db(s), "SELECT count(*) FROM t") == 100 &&
	    q_int(store_db(s), "SELECT sum(x) FROM t") ==
	    100 * 1000 + 99 * 100 / 2);

	c = store_stmt(s, sel);
	sqlite3_bind_text(c, 1, "bound", -1, SQLITE_STATIC);
	TEST("select step", sqlite3_step(c) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(c, 0), "bound") == 0);
	/* Not reset by the caller: store_stmt resets and clears. */
	c = store_stmt(s, sel);
	TEST("returned reset with bindings cleared",
	    sqlite3_step(c) == SQLITE_ROW &&
	    sqlite3_column_type(c, 0) == SQLITE_NULL);
	store_stmt_done(c);
	store_stmt_done(NULL);	/* harmless */

	TEST("bad sql gives NULL", store_stmt(s, bad) == NULL);
	TEST("bad sql not cached", store_stmt(s, bad) == NULL);
	TEST("cache still works after an error", store_stmt(s, ins) == a);

	TEST("statement usable inside a transaction",
	    store_begin(s) == 0 && (a = store_stmt(s, ins)) != NULL &&
	    sqlite3_bind_int(a, 1, 5) == SQLITE_OK &&
	    sqlite3_step(a) == SQLITE_DONE);
	store_stmt_done(a);
	TEST("and committed", store_commit(s) == 0 &&
	    count_outside(path, 5) == 1);
	TEST("ping with cached statements", store_ping(s) == 0);
	TEST("now_ms is the wall clock in ms",
	    store_now_ms() > 1700000000000LL &&
	    store_now_ms() < 4102444800000LL);
	store_close(s);		/* finalizes the cache (ASan: no leaks) */
}

int
main(void)
{
	log_set_level(LOG_LVL_ERROR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_open();
	test_versions();
	test_transactions();
	test_stmt();
	remove_tmpdir();
	return TEST_REPORT();
}
