/*
 * store.h — the database: SQLite (a file path, the default: one
 * connection, WAL mode) or PostgreSQL (a postgresql:// URI or a libpq
 * key=value string, through libpq).  Schema migrations, transactions and
 * prepared statements with bound parameters are the same on both; the
 * modules write their SQL once, with ?N placeholders, and this layer
 * translates it once per connection.  Where the two dialects differ, the
 * difference lives here (store.c, store_lite.c, store_pg.c), nowhere else.
 * One store is one connection: used by one thread at a time.
 */
#ifndef LOKET_STORE_H
#define LOKET_STORE_H

#include <pthread.h>
#include <stddef.h>

struct store;
struct store_stmt;

enum store_kind { STORE_SQLITE, STORE_PG };

/* store_step() results (the values SQLite uses, so nothing is mapped). */
#define STORE_ERROR	1
#define STORE_ROW	100
#define STORE_DONE	101

/*
 * Opens the database named by db (a file path for SQLite, or
 * "postgresql://..." / "postgres://..." / "key=value ..." for PostgreSQL)
 * and migrates the schema to the newest version.  Returns NULL on error
 * with a message in err.
 */
struct store	*store_open(const char *db, char *err, size_t errlen);
void		 store_close(struct store *s);
/* The kind db names, without connecting. */
enum store_kind	 store_kind_of(const char *db);
enum store_kind	 store_kind(const struct store *s);
/* "sqlite" or "postgresql". */
const char	*store_kind_name(const struct store *s);

/*
 * The write lock the connections of one process (the event loop's, the
 * intake writer's, the back end's) share around their write
 * transactions: waiting on it wakes at once, where SQLite's busy handler
 * would sleep and poll.  It must outlive the stores.  A ticket lock:
 * writers get it in the order they asked, so the back end, which writes
 * one row after the other, cannot starve the intake writer (a plain
 * mutex lets the thread that just unlocked take it again at once).
 */
struct store_wlock {
	pthread_mutex_t	 mu;
	pthread_cond_t	 turn;
	unsigned long	 next;		/* the ticket handed out next */
	unsigned long	 serving;	/* the ticket that holds the lock */
};

void		 store_wlock_init(struct store_wlock *l);
/* Whether another connection waits for the write lock this one holds:
 * a long batch of work stops early and commits so intake is not kept
 * waiting (0 without a shared lock). */
int		 store_write_contended(struct store *s);
void		 store_wlock_destroy(struct store_wlock *l);
void		 store_set_write_lock(struct store *s, struct store_wlock *l);

/*
 * synchronous=NORMAL for this connection: its commits survive a crash of
 * the process but not of the machine.  For derived state only (the
 * conversation engine, the outbox), whose source rows are committed with
 * FULL by another connection: after a power loss they are redone from
 * there.  A FULL commit on any connection also makes the earlier NORMAL
 * ones durable (they come before it in the same WAL).  PostgreSQL: no
 * change (every commit waits for its WAL flush).
 */
int		 store_relax_sync(struct store *s);
/* How long a statement waits for a lock another connection or process
 * holds before it fails with SQLITE_BUSY (2000 ms after store_open). */
void		 store_set_busy_timeout(struct store *s, int ms);
/*
 * Copies the WAL into the database file and truncates it to zero bytes
 * (outside any transaction): after a write failed for a full disk this
 * gives the WAL's space back.  0, or -1 when it could not complete (the
 * database file could not grow, a reader in the way).
 */
int		 store_wal_truncate(struct store *s);

/* BEGIN (IMMEDIATE on SQLite) / COMMIT / ROLLBACK; 0 on success, -1 on
 * error (logged).  Nested calls are savepoints: an inner commit keeps its
 * work for the outer one, an inner rollback undoes only its own level.
 * On PostgreSQL, a BEGIN on a broken connection reconnects first. */
int		 store_begin(struct store *s);
int		 store_commit(struct store *s);
void		 store_rollback(struct store *s);
int		 store_in_transaction(const struct store *s);

/*
 * A prepared statement for sql, cached for the life of the connection
 * and keyed by the address of sql (pass a static string).  Returned reset
 * with its bindings cleared; do not finalize it.  NULL on error (logged).
 * Placeholders are ?1, ?2, ... (a parameter may be used several times);
 * a trailing "FOR UPDATE [OF t] [SKIP LOCKED]" is dropped on SQLite,
 * whose writers are serialised anyway.
 */
struct store_stmt *store_stmt(struct store *s, const char *sql);
/* Resets a cached statement after use (releases read locks). */
void		 store_stmt_done(struct store_stmt *st);
/* An uncached statement for sql (any string); free it with
 * store_finalize().  NULL on error, with store_errmsg() set. */
struct store_stmt *store_prepare(struct store *s, const char *sql);
void		 store_finalize(struct store_stmt *st);

/* Bindings, numbered from 1; text is copied.  A NULL text binds NULL.
 * PostgreSQL types a parameter by its first use in the SQL: one that may
 * be NULL and is first tested with IS NULL needs CAST(?1 AS TEXT) there
 * (else "could not determine data type of parameter"). */
int		 store_bind_int64(struct store_stmt *st, int i, long long v);
int		 store_bind_int(struct store_stmt *st, int i, int v);
int		 store_bind_text(struct store_stmt *st, int i, const char *v,
		    int len);
int		 store_bind_null(struct store_stmt *st, int i);
/* Bytes (BLOB on SQLite, bytea on PostgreSQL), copied; n may be 0. */
int		 store_bind_blob(struct store_stmt *st, int i, const void *p,
		    size_t n);
/* A value given as text for a column of any type (copying tables):
 * PostgreSQL converts it to the column's type. */
int		 store_bind_value(struct store_stmt *st, int i, const char *v);

/* Runs the statement (first call) or moves to its next row: STORE_ROW,
 * STORE_DONE, or STORE_ERROR (store_errmsg() says why). */
int		 store_step(struct store_stmt *st);
/* Columns of the current row, numbered from 0.  Text is NULL for NULL
 * and valid until the next step, reset or finalize. */
long long	 store_col_int64(struct store_stmt *st, int i);
int		 store_col_int(struct store_stmt *st, int i);
const char	*store_col_text(struct store_stmt *st, int i);
int		 store_col_null(struct store_stmt *st, int i);
/* A BLOB / bytea column as a malloc'd copy (the caller frees it) with
 * its length in *n; NULL for NULL, out of memory or a value that is not
 * bytes (*n = 0).  An empty value gives a 1-byte allocation, *n = 0. */
void		*store_col_blob_dup(struct store_stmt *st, int i, size_t *n);
int		 store_col_count(struct store_stmt *st);
const char	*store_col_name(struct store_stmt *st, int i);

/* Rows changed by the last INSERT, UPDATE or DELETE on this store. */
int		 store_changes(struct store *s);
/* The last error of this connection, for logs. */
const char	*store_errmsg(struct store *s);

/* Runs every statement of sql, no parameters, no rows (schema, tests). */
int		 store_exec(struct store *s, const char *sql);

/*
 * Advisory locks, PostgreSQL's way of letting several Loket instances
 * share work; on SQLite (one process) they always succeed at once, and a
 * key is free unless this store holds it.
 * store_xact_lock() holds key until the transaction ends (wait: block
 * until free; else 1 if taken, 0 if another session holds it, -1 on
 * error).  store_session_lock() holds key while the connection lives;
 * store_key_free() is 1 when no live session holds key (its holder died),
 * 0 when one does, -1 on error.  Keys come from store_key().
 */
int		 store_xact_lock(struct store *s, long long key, int wait);
int		 store_session_lock(struct store *s, long long key);
void		 store_session_unlock(struct store *s, long long key);
int		 store_key_free(struct store *s, long long key);
/* A 63-bit key for the NUL-separated parts of a name (FNV-1a). */
long long	 store_key(const char *a, const char *b, const char *c);

/*
 * Tells the other instances that shared state changed (PostgreSQL
 * NOTIFY loket_<channel>, delivered at commit); store_listen() subscribes
 * this connection and store_notified() consumes what arrived, 1 if any,
 * and 1 once after a lost session was made again (whatever was notified
 * while it was gone is lost: the listener should look afresh).  On
 * SQLite all three do nothing (one process sees its own changes).
 */
int		 store_notify(struct store *s, const char *channel);
int		 store_listen(struct store *s, const char *channel);
int		 store_notified(struct store *s);

/*
 * For `loket migrate`: the application's tables in creation order (an
 * array of n malloc'd names, free with store_tables_free), and, after
 * rows were copied with their ids, moving each id sequence past the
 * highest id (PostgreSQL; nothing to do on SQLite).
 */
int		 store_tables(struct store *s, char ***names, int *n);
void		 store_tables_free(char **names, int n);
int		 store_reset_ids(struct store *s, const char *table);

/* Runs "SELECT 1" (reconnecting a broken PostgreSQL connection first);
 * 0 if the database answers. */
int		 store_ping(struct store *s);
/* Schema version after migrations. */
int		 store_schema_version(struct store *s);

/* Milliseconds since 1970 (wall clock); one place so tests can agree. */
long long	 store_now_ms(void);

#endif
