/*
 * store.c — the dialect-neutral part of the store: choosing the back end,
 * migrations, the statement cache, nested transactions, parameters and
 * the advisory locks.  SQLite is store_lite.c, PostgreSQL store_pg.c.
 * SQLite runs synchronous=FULL: a webhook is answered 200 only after its
 * commit, and Meta never resends after a 200, so the commit must survive
 * power loss; PostgreSQL's commit waits for its WAL flush the same way.
 */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"
#include "store_schema.h"

/* Held while one instance migrates, so two starting together take turns. */
#define MIGRATE_KEY	0x4c6f6b65744d6967LL	/* "LoketMig" */

long long
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum store_kind
store_kind_of(const char *db)
{
	if (strncmp(db, "postgresql://", 13) == 0 ||
	    strncmp(db, "postgres://", 11) == 0 || strchr(db, '=') != NULL)
		return STORE_PG;
	return STORE_SQLITE;
}

enum store_kind
store_kind(const struct store *s)
{
	return s->kind;
}

const char *
store_kind_name(const struct store *s)
{
	return s->kind == STORE_PG ? "postgresql" : "sqlite";
}

/* ---- SQL translation: the one place the placeholders differ ---- */

static void
cut_for_update(char *sql)
{
	char *p = strstr(sql, " FOR UPDATE");

	if (p != NULL)
		*p = '\0';
}

char *
store_translate(const char *sql, enum store_kind k, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 2 + 1), *o = out;
	int quoted = 0, next = 0, v;
	const char *p;
	char *end;

	*nparams = 0;
	if (out == NULL)
		return NULL;
	for (p = sql; *p != '\0'; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (quoted || *p != '?') {
			*o++ = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			v = (int)strtol(p + 1, &end, 10);
			p = end - 1;
		} else
			v = ++next;
		if (v > *nparams)
			*nparams = v;
		o += sprintf(o, k == STORE_PG ? "$%d" : "?%d", v);
	}
	*o = '\0';
	if (k == STORE_SQLITE)
		cut_for_update(out);
	return out;
}

/* ---- migrations ---- */

static int
migrate_one(struct store *s, size_t v)
{
	const char *sql = store_schema_migration(v);
	char *pg = NULL;
	int rc;

	if (s->kind == STORE_PG && (pg = store_pg_ddl(sql)) == NULL)
		return -1;
	rc = store_exec(s, pg != NULL ? pg : sql);
	free(pg);
	if (rc == 0)
		rc = s->kind == STORE_PG ? store_pg_set_version(s, (int)v + 1) :
		    store_lite_set_version(s, (int)v + 1);
	return rc;
}

static int
migrate(struct store *s, char *err, size_t errlen)
{
	size_t n = store_schema_migration_count(), v;
	int rc;

	rc = s->kind == STORE_PG ? store_pg_get_version(s, &s->version) :
	    store_lite_get_version(s, &s->version);
	if (rc == -1)
		goto fail;
	if (s->version < 0 || (size_t)s->version > n) {
		snprintf(err, errlen, "database schema version %d is newer "
		    "than this loket (%zu)", s->version, n);
		return -1;
	}
	for (v = (size_t)s->version; v < n; v++) {
		if (store_begin(s) == -1)
			goto fail;
		if (migrate_one(s, v) == -1) {
			snprintf(err, errlen, "migration %zu: %s", v + 1,
			    s->err);
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
	snprintf(err, errlen, "%s", s->err);
	return -1;
}

static int
run_key(struct store *s, const char *sql, long long key)
{
	struct store_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, key);
	rc = store_step(st);
	rc = rc == STORE_ROW ? store_col_int(st, 0) : -1;
	store_stmt_done(st);
	return rc;
}

static int
migrate_locked(struct store *s, char *err, size_t errlen)
{
	int rc;

	if (s->kind == STORE_SQLITE)
		return migrate(s, err, errlen);
	if (run_key(s, "SELECT pg_advisory_lock(?1) IS NOT NULL",
	    MIGRATE_KEY) == -1) {
		snprintf(err, errlen, "%s", s->err);
		return -1;
	}
	rc = migrate(s, err, errlen);
	run_key(s, "SELECT pg_advisory_unlock(?1)", MIGRATE_KEY);
	return rc;
}

struct store *
store_open(const char *db, char *err, size_t errlen)
{
	struct store *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->kind = store_kind_of(db);
	rc = s->kind == STORE_PG ? store_pg_open(s, db) :
	    store_lite_open(s, db);
	if (rc == -1) {
		snprintf(err, errlen, "%s", s->err);
		goto fail;
	}
	if (migrate_locked(s, err, errlen) == -1)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++) {
		s->cache[i]->key = NULL;
		store_finalize(s->cache[i]);
	}
	if (s->kind == STORE_PG)
		store_pg_close(s);
	else
		store_lite_close(s);
	free(s);
}

/* ---- statements ---- */

static struct store_stmt *
stmt_new(struct store *s, const char *sql)
{
	struct store_stmt *st = calloc(1, sizeof(*st));
	char *tr;
	int rc;

	if (st == NULL || (tr = store_translate(sql, s->kind,
	    &st->nparams)) == NULL) {
		free(st);
		snprintf(s->err, sizeof(s->err), "out of memory");
		return NULL;
	}
	st->s = s;
	if (s->kind == STORE_SQLITE) {
		rc = store_lite_prepare(st, tr);
		free(tr);
	} else {
		st->sql = tr;
		rc = (st->vals = calloc((size_t)st->nparams + 1,
		    sizeof(*st->vals))) == NULL || (st->types = calloc(
		    (size_t)st->nparams + 1, sizeof(*st->types))) == NULL ?
		    -1 : 0;
	}
	if (rc == -1) {
		st->key = NULL;
		store_finalize(st);
		return NULL;
	}
	return st;
}

struct store_stmt *
store_prepare(struct store *s, const char *sql)
{
	return stmt_new(s, sql);
}

struct store_stmt *
store_stmt(struct store *s, const char *sql)
{
	struct store_stmt *st;
	size_t i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i]->key == sql) {
			store_stmt_done(s->cache[i]);
			return s->cache[i];
		}
	if (s->ncache == STORE_CACHE) {	/* a fixed set of statements */
		log_error("event=stmt_cache_full max=%d", STORE_CACHE);
		return NULL;
	}
	if ((st = stmt_new(s, sql)) == NULL) {
		log_warnx("event=prepare_failed msg=\"%s\"", s->err);
		return NULL;
	}
	if (s->kind == STORE_PG)
		snprintf(st->name, sizeof(st->name), "l%lu", ++s->nnames);
	st->key = sql;
	s->cache[s->ncache++] = st;
	return st;
}

void
store_stmt_done(struct store_stmt *st)
{
	if (st == NULL)
		return;
	if (st->s->kind == STORE_PG)
		store_pg_reset(st);
	else
		store_lite_reset(st);
}

void
store_finalize(struct store_stmt *st)
{
	if (st == NULL || st->key != NULL)	/* cached ones live on */
		return;
	if (st->s->kind == STORE_PG)
		store_pg_finalize(st);
	else
		store_lite_finalize(st);
	free(st->sql);
	free(st->vals);
	free(st->types);
	free(st);
}

static int
bind(struct store_stmt *st, int i, int type, long long n, const char *t,
    int len)
{
	if (st->s->kind == STORE_PG)
		return store_pg_bind(st, i, type, n, t, len);
	return store_lite_bind(st, i, type, n, t, len);
}

int
store_bind_int64(struct store_stmt *st, int i, long long v)
{
	return bind(st, i, STORE_B_INT, v, NULL, 0);
}

int
store_bind_int(struct store_stmt *st, int i, int v)
{
	return bind(st, i, STORE_B_INT, v, NULL, 0);
}

int
store_bind_text(struct store_stmt *st, int i, const char *v, int len)
{
	if (v == NULL)
		return bind(st, i, STORE_B_NULL, 0, NULL, 0);
	return bind(st, i, STORE_B_TEXT, 0, v, len);
}

int
store_bind_value(struct store_stmt *st, int i, const char *v)
{
	if (v == NULL)
		return bind(st, i, STORE_B_NULL, 0, NULL, 0);
	if (st->s->kind == STORE_PG &&
	    store_pg_bind(st, i, STORE_B_TEXT, 0, v, -1) == 0) {
		st->types[i - 1] = 0;	/* the server infers it */
		return 0;
	}
	return bind(st, i, STORE_B_TEXT, 0, v, -1);
}

int
store_bind_null(struct store_stmt *st, int i)
{
	return bind(st, i, STORE_B_NULL, 0, NULL, 0);
}

int
store_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = p;
	char *t;
	size_t k;
	int rc;

	if (st->s->kind == STORE_SQLITE)
		return bind(st, i, STORE_B_BLOB, (long long)n, p, 0);
	/* PostgreSQL takes bytea as text in its hex form. */
	if (n > ((size_t)-1 - 3) / 2 || (t = malloc(2 * n + 3)) == NULL)
		return -1;
	t[0] = '\\';
	t[1] = 'x';
	for (k = 0; k < n; k++) {
		t[2 + 2 * k] = hex[b[k] >> 4];
		t[3 + 2 * k] = hex[b[k] & 15];
	}
	t[2 + 2 * n] = '\0';
	rc = store_pg_bind(st, i, STORE_B_BLOB, 0, t, -1);
	free(t);
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void *
store_col_blob_dup(struct store_stmt *st, int i, size_t *n)
{
	const unsigned char *t;
	const void *p;
	unsigned char *out;
	size_t len, k;
	int hi, lo;

	*n = 0;
	if (st->s->kind == STORE_SQLITE) {
		if (store_lite_null(st, i))
			return NULL;
		p = store_lite_blob(st, i, &len);
		if ((out = malloc(len ? len : 1)) == NULL)
			return NULL;
		if (len > 0)
			memcpy(out, p, len);
		*n = len;
		return out;
	}
	/* PostgreSQL's text output of bytea: "\x" then two hex digits a
	 * byte (bytea_output = hex, the default since 9.0). */
	if ((t = (const unsigned char *)store_pg_text(st, i)) == NULL ||
	    t[0] != '\\' || t[1] != 'x' || (len = strlen((const char *)t +
	    2)) % 2 != 0 || (out = malloc(len / 2 ? len / 2 : 1)) == NULL)
		return NULL;
	for (k = 0; k < len / 2; k++) {
		if ((hi = hexval(t[2 + 2 * k])) < 0 ||
		    (lo = hexval(t[3 + 2 * k])) < 0) {
			free(out);
			return NULL;
		}
		out[k] = (unsigned char)(hi << 4 | lo);
	}
	*n = len / 2;
	return out;
}

int
store_step(struct store_stmt *st)
{
	if (st->s->kind == STORE_PG)
		return store_pg_step(st);
	return store_lite_step(st);
}

const char *
store_col_text(struct store_stmt *st, int i)
{
	if (st->s->kind == STORE_PG)
		return store_pg_text(st, i);
	return store_lite_text(st, i);
}

long long
store_col_int64(struct store_stmt *st, int i)
{
	const char *t;

	if (st->s->kind == STORE_SQLITE)
		return store_lite_int64(st, i);
	if ((t = store_pg_text(st, i)) == NULL)
		return 0;
	if (t[0] == 't' && t[1] == '\0')	/* booleans */
		return 1;
	return strtoll(t, NULL, 10);		/* "f" and "" are 0 */
}

int
store_col_int(struct store_stmt *st, int i)
{
	return (int)store_col_int64(st, i);
}

int
store_col_null(struct store_stmt *st, int i)
{
	if (st->s->kind == STORE_PG)
		return store_pg_null(st, i);
	return store_lite_null(st, i);
}

int
store_col_count(struct store_stmt *st)
{
	if (st->s->kind == STORE_PG)
		return store_pg_ncols(st);
	return store_lite_ncols(st);
}

const char *
store_col_name(struct store_stmt *st, int i)
{
	if (st->s->kind == STORE_PG)
		return store_pg_colname(st, i);
	return store_lite_colname(st, i);
}

int
store_changes(struct store *s)
{
	return s->changes;
}

const char *
store_errmsg(struct store *s)
{
	return s->err;
}

int
store_exec(struct store *s, const char *sql)
{
	if (s->kind == STORE_PG)
		return store_pg_exec(s, sql);
	return store_lite_exec(s, sql);
}

/* ---- transactions ---- */

/*
 * Nested transactions are savepoints: an inner rollback undoes only its
 * own level, so a batch of messages can share one commit (one fsync) while
 * each message still succeeds or fails alone.
 */
/* Runs one cached statement (a string literal) to completion. */
static int
run_cached(struct store *s, const char *sql)
{
	struct store_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = store_step(st)) == STORE_ROW)
		;
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
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
	if (s->kind == STORE_PG)
		return 0;
	return store_lite_exec(s, "PRAGMA synchronous = NORMAL");
}

void
store_wlock_init(struct store_wlock *l)
{
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->turn, NULL);
	l->next = l->serving = 0;
}

int
store_write_contended(struct store *s)
{
	int waiting;

	if (s->wlock == NULL)
		return 0;
	pthread_mutex_lock(&s->wlock->mu);
	waiting = s->wlock->next - s->wlock->serving > 1;
	pthread_mutex_unlock(&s->wlock->mu);
	return waiting;
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

void
store_set_busy_timeout(struct store *s, int ms)
{
	if (s->kind == STORE_SQLITE)
		store_lite_busy_timeout(s, ms);
	/* PostgreSQL: row locks are taken with SKIP LOCKED or briefly by
	 * the instances themselves; a backup does not lock writers out. */
}

int
store_wal_truncate(struct store *s)
{
	int rc;

	if (s->kind != STORE_SQLITE)
		return 0;	/* the server manages its own WAL */
	if (s->depth > 0)
		return -1;
	lock(s);
	rc = store_lite_wal_truncate(s);
	unlock(s);
	return rc;
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
	if (s->kind == STORE_PG && store_pg_ready(s) == -1)
		return -1;
	lock(s);
	if (run_cached(s, s->kind == STORE_PG ? "BEGIN" :
	    "BEGIN IMMEDIATE") == -1) {
		log_warnx("event=store_begin_failed msg=\"%s\"", s->err);
		unlock(s);
		return -1;
	}
	s->depth = 1;
	return 0;
}

static void
rollback_all(struct store *s)
{
	/* A full disk or an I/O error has already rolled an SQLite
	 * transaction back; a ROLLBACK then would only replace the real
	 * error with "no transaction is active". */
	if (s->kind == STORE_PG)
		store_pg_exec(s, "ROLLBACK");
	else if (!store_lite_autocommit(s))
		store_lite_exec(s, "ROLLBACK");
}

int
store_commit(struct store *s)
{
	if (s->depth == 0)
		return -1;
	if (--s->depth > 0)
		return nested(s, SP_RELEASE, s->depth);
	if (run_cached(s, "COMMIT") == -1) {
		log_warnx("event=store_commit_failed msg=\"%s\"", s->err);
		rollback_all(s);
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
	rollback_all(s);
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
	int one;

	if (s->kind == STORE_PG && s->depth == 0 && store_pg_ready(s) == -1)
		return -1;
	one = run_key(s, "SELECT ?1", 1);
	/* A server restart shows only when the connection is used: the
	 * first statement fails, the second reconnects. */
	if (one != 1 && s->kind == STORE_PG && s->depth == 0 &&
	    store_pg_ready(s) == 0)
		one = run_key(s, "SELECT ?1", 1);
	return one == 1 ? 0 : -1;
}

int
store_schema_version(struct store *s)
{
	return s->version;
}

/* ---- copying an installation (loket migrate) ---- */

int
store_tables(struct store *s, char ***names, int *n)
{
	static const char lite[] = "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid";
	static const char pg[] = "SELECT c.relname FROM pg_class c JOIN "
	    "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
	    "AND n.nspname = current_schema() AND c.relname <> "
	    "'loket_schema' ORDER BY c.oid";
	struct store_stmt *st = store_prepare(s, s->kind == STORE_PG ? pg :
	    lite);
	char **v = NULL, **nv;
	int rc;

	*names = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = store_step(st)) == STORE_ROW) {
		if ((nv = realloc(v, sizeof(*v) * (size_t)(*n + 1))) == NULL ||
		    (nv[*n] = strdup(store_col_text(st, 0))) == NULL) {
			v = nv != NULL ? nv : v;
			rc = STORE_ERROR;
			break;
		}
		v = nv;
		(*n)++;
	}
	store_finalize(st);
	*names = v;
	return rc == STORE_DONE ? 0 : -1;
}

void
store_tables_free(char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
store_reset_ids(struct store *s, const char *table)
{
	struct store_stmt *st;
	char sql[300];
	int rc;

	if (s->kind == STORE_SQLITE)
		return 0;
	/* A table name is an identifier, not a value: ours, from
	 * store_tables(), quoted. */
	snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence("
	    "?1, 'id'), COALESCE(max(id), 0) + 1, false) FROM \"%s\"", table);
	if ((st = store_prepare(s, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, table, -1);
	rc = store_step(st);
	store_finalize(st);
	return rc == STORE_ROW ? 0 : -1;
}

/* ---- advisory locks and notifications (PostgreSQL only) ---- */

int
store_xact_lock(struct store *s, long long key, int wait)
{
	if (s->kind == STORE_SQLITE)
		return 1;
	if (wait)
		return run_key(s, "SELECT pg_advisory_xact_lock(?1) IS NULL",
		    key) == -1 ? -1 : 1;
	return run_key(s, "SELECT pg_try_advisory_xact_lock(?1)", key);
}

int
store_session_lock(struct store *s, long long key)
{
	int i;

	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i] == key)
			return 1;
	if (s->nkeys == STORE_KEYS)
		return -1;
	if (s->kind == STORE_PG &&
	    run_key(s, "SELECT pg_try_advisory_lock(?1)", key) != 1)
		return -1;
	s->keys[s->nkeys++] = key;
	return 1;
}

void
store_session_unlock(struct store *s, long long key)
{
	int i;

	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i] == key) {
			s->keys[i] = s->keys[--s->nkeys];
			if (s->kind == STORE_PG)
				run_key(s, "SELECT pg_advisory_unlock(?1)", key);
			return;
		}
}

int
store_key_free(struct store *s, long long key)
{
	int i, rc;

	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i] == key)
			return 0;	/* ours: alive */
	if (s->kind == STORE_SQLITE)	/* one process: any other is gone */
		return 1;
	if ((rc = run_key(s, "SELECT pg_try_advisory_lock(?1)", key)) == 1)
		run_key(s, "SELECT pg_advisory_unlock(?1)", key);
	return rc;
}

long long
store_key(const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c }, *p;
	uint64_t h = 14695981039346656037ULL;
	int i;

	for (i = 0; i < 3; i++) {
		for (p = parts[i] != NULL ? parts[i] : ""; *p != '\0'; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ULL;
		}
		h ^= 0xff;		/* separator */
		h *= 1099511628211ULL;
	}
	return (long long)(h >> 1);
}

int
store_notify(struct store *s, const char *channel)
{
	struct store_stmt *st;
	char name[40];
	int rc;

	if (s->kind == STORE_SQLITE)
		return 0;
	if ((st = store_stmt(s, "SELECT pg_notify(?1, '')")) == NULL)
		return -1;
	snprintf(name, sizeof(name), "loket_%s", channel);
	store_bind_text(st, 1, name, -1);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_ROW ? 0 : -1;
}

int
store_listen(struct store *s, const char *channel)
{
	char sql[64];

	if (s->kind == STORE_SQLITE)
		return 0;
	if (s->nlisten == STORE_LISTEN)
		return -1;
	snprintf(s->listen[s->nlisten++], sizeof(s->listen[0]), "%s",
	    channel);
	/* A channel is an identifier, not a value: no placeholder there;
	 * the names are the program's own constants. */
	snprintf(sql, sizeof(sql), "LISTEN loket_%s", channel);
	return store_pg_exec(s, sql);
}

int
store_notified(struct store *s)
{
	if (s->kind == STORE_SQLITE || s->depth > 0)
		return 0;
	return store_pg_notified(s);
}
