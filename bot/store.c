/*
 * store.c — the SQLite connection: open, WAL, migrations, transactions.
 * synchronous=FULL: a webhook is answered 200 only after its commit, and
 * Meta never resends after a 200, so the commit must survive power loss.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_schema.h"

#define STMT_CACHE	256

struct stmt_entry {
	const char	*sql;		/* the caller's static string */
	sqlite3_stmt	*st;
};

struct store {
	sqlite3		*db;
	struct stmt_entry cache[STMT_CACHE];
	size_t		 ncache;
	int		 depth;		/* nested store_begin() calls */
	struct store_wlock *wlock;	/* shared write lock, or NULL */
	int		 version;
};

long long
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
store_set_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}

/* Runs every statement of sql in turn (prepared one by one). */
static int
run_script(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	const char *tail = sql;
	int rc;

	while (tail != NULL && *tail != '\0') {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			return -1;
		if (st == NULL)		/* only whitespace or comments left */
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
migrate(struct store *s, char *err, size_t errlen)
{
	size_t n = store_schema_migration_count(), v;
	char sql[64];

	if (pragma_int(s->db, "PRAGMA user_version", &s->version) == -1)
		goto fail;
	if (s->version < 0 || (size_t)s->version > n) {
		snprintf(err, errlen, "database schema version %d is newer "
		    "than this loket (%zu)", s->version, n);
		return -1;
	}
	for (v = (size_t)s->version; v < n; v++) {
		if (store_begin(s) == -1)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", v + 1);
		if (run_script(s->db, store_schema_migration(v)) == -1 ||
		    run_script(s->db, sql) == -1) {
			snprintf(err, errlen, "migration %zu: %s", v + 1,
			    sqlite3_errmsg(s->db));
			store_rollback(s);
			return -1;
		}
		if (store_commit(s) == -1)
			goto fail;
		s->version = (int)v + 1;
		log_info("event=schema_migrated version=%zu", v + 1);
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	return -1;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 2000);
	sqlite3_extended_result_codes(s->db, 1);
	/*
	 * A small WAL, checkpointed every 256 pages (1 MB) and cut back to
	 * 1 MB after each reset: with SQLite's default of 1000 pages the WAL
	 * grew into the last 4 MB of a nearly full disk before any
	 * checkpoint, and the checkpoint then could not grow the database
	 * file, so writes failed (503) even after some space was freed and
	 * the server restarted.  See store_wal_truncate().
	 */
	if (run_script(s->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA wal_autocheckpoint = 256;"
	    "PRAGMA journal_size_limit = 1048576;"
	    "PRAGMA foreign_keys = ON;") == -1) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (migrate(s, err, errlen) == -1)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("event=prepare_failed msg=\"%s\"",
		    sqlite3_errmsg(s->db));
		return NULL;
	}
	if (s->ncache == STMT_CACHE) {	/* a fixed set of statements */
		log_error("event=stmt_cache_full max=%d", STMT_CACHE);
		sqlite3_finalize(st);
		return NULL;
	}
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache++].st = st;
	return st;
}

void
store_stmt_done(sqlite3_stmt *st)
{
	if (st != NULL)
		sqlite3_reset(st);
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->db != NULL) {
		run_script(s->db, "PRAGMA optimize");
		if (sqlite3_close(s->db) != SQLITE_OK)
			log_warnx("event=store_close_busy msg=\"%s\"",
			    sqlite3_errmsg(s->db));
	}
	free(s);
}

struct sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

/*
 * Nested transactions are savepoints: an inner rollback undoes only its
 * own level, so a batch of messages can share one commit (one fsync) while
 * each message still succeeds or fails alone.
 */
/* Runs one cached statement (a string literal) to completion. */
static int
run_cached(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

#define NEST_MAX	8

enum { SP_BEGIN, SP_RELEASE, SP_ROLLBACK };

static int
nested(struct store *s, int verb, int level)
{
	/* Literals, so the statements are cached: one of these runs around
	 * every message the engine handles. */
	static const char *const sql[3][NEST_MAX] = {
	    { "SAVEPOINT nest1", "SAVEPOINT nest2", "SAVEPOINT nest3",
	      "SAVEPOINT nest4", "SAVEPOINT nest5", "SAVEPOINT nest6",
	      "SAVEPOINT nest7", "SAVEPOINT nest8" },
	    { "RELEASE nest1", "RELEASE nest2", "RELEASE nest3",
	      "RELEASE nest4", "RELEASE nest5", "RELEASE nest6",
	      "RELEASE nest7", "RELEASE nest8" },
	    { "ROLLBACK TO nest1", "ROLLBACK TO nest2", "ROLLBACK TO nest3",
	      "ROLLBACK TO nest4", "ROLLBACK TO nest5", "ROLLBACK TO nest6",
	      "ROLLBACK TO nest7", "ROLLBACK TO nest8" },
	};

	/* Deeper nesting than any caller has is a bug, not an input. */
	BOT_ASSERT(level >= 1 && level <= NEST_MAX);
	return run_cached(s, sql[verb][level - 1]);
}

int
store_relax_sync(struct store *s)
{
	return run_script(s->db, "PRAGMA synchronous = NORMAL");
}

void
store_wlock_init(struct store_wlock *l)
{
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->turn, NULL);
	l->next = l->serving = 0;
}

void
store_wlock_destroy(struct store_wlock *l)
{
	pthread_cond_destroy(&l->turn);
	pthread_mutex_destroy(&l->mu);
}

void
store_set_write_lock(struct store *s, struct store_wlock *l)
{
	s->wlock = l;
}

static void
lock(struct store *s)
{
	unsigned long mine;

	if (s->wlock == NULL)
		return;
	pthread_mutex_lock(&s->wlock->mu);
	mine = s->wlock->next++;
	while (mine != s->wlock->serving)
		pthread_cond_wait(&s->wlock->turn, &s->wlock->mu);
	pthread_mutex_unlock(&s->wlock->mu);
}

static void
unlock(struct store *s)
{
	if (s->wlock == NULL)
		return;
	pthread_mutex_lock(&s->wlock->mu);
	s->wlock->serving++;
	pthread_cond_broadcast(&s->wlock->turn);
	pthread_mutex_unlock(&s->wlock->mu);
}

int
store_wal_truncate(struct store *s)
{
	int rc;

	if (s->depth > 0)
		return -1;
	lock(s);
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	unlock(s);
	return rc == SQLITE_OK ? 0 : -1;
}

int
store_begin(struct store *s)
{
	if (s->depth > 0) {
		if (nested(s, SP_BEGIN, s->depth) == -1)
			return -1;
		s->depth++;
		return 0;
	}
	lock(s);
	if (run_cached(s, "BEGIN IMMEDIATE") == -1) {
		log_warnx("event=store_begin_failed msg=\"%s\"",
		    sqlite3_errmsg(s->db));
		unlock(s);
		return -1;
	}
	s->depth = 1;
	return 0;
}

int
store_commit(struct store *s)
{
	if (s->depth == 0)
		return -1;
	if (--s->depth > 0)
		return nested(s, SP_RELEASE, s->depth);
	if (run_cached(s, "COMMIT") == -1) {
		log_warnx("event=store_commit_failed msg=\"%s\"",
		    sqlite3_errmsg(s->db));
		run_script(s->db, "ROLLBACK");
		unlock(s);
		return -1;
	}
	unlock(s);
	return 0;
}

void
store_rollback(struct store *s)
{
	if (s->depth == 0)
		return;
	if (--s->depth > 0) {
		nested(s, SP_ROLLBACK, s->depth);
		nested(s, SP_RELEASE, s->depth);
		return;
	}
	if (!sqlite3_get_autocommit(s->db))
		run_script(s->db, "ROLLBACK");
	unlock(s);
}

int
store_in_transaction(const struct store *s)
{
	return s->depth > 0;
}

int
store_ping(struct store *s)
{
	int one = 0;

	return pragma_int(s->db, "SELECT 1", &one) == 0 && one == 1 ? 0 : -1;
}

int
store_schema_version(struct store *s)
{
	return s->version;
}
