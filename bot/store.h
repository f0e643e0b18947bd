/*
 * store.h — the SQLite database: one connection, WAL mode, schema
 * migrations by PRAGMA user_version, transactions.  Domain modules
 * (store_inbound.c, conversation, outbox, cases, report) prepare their own
 * statements on store_db() and keep them in their own structs; SQL is only
 * ever run through prepared statements with bound parameters.
 * Used on the service thread only (or by one-shot commands).
 */
#ifndef LOKET_STORE_H
#define LOKET_STORE_H

#include <pthread.h>
#include <stddef.h>

struct store;
struct sqlite3;
struct sqlite3_stmt;

/*
 * Opens (creating if needed) the database at path and migrates the schema
 * to the newest version.  Returns NULL on error with a message in err.
 */
struct store	*store_open(const char *path, char *err, size_t errlen);
void		 store_close(struct store *s);
struct sqlite3	*store_db(struct store *s);

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
void		 store_wlock_destroy(struct store_wlock *l);
void		 store_set_write_lock(struct store *s, struct store_wlock *l);

/*
 * synchronous=NORMAL for this connection: its commits survive a crash of
 * the process but not of the machine.  For derived state only (the
 * conversation engine, the outbox), whose source rows are committed with
 * FULL by another connection: after a power loss they are redone from
 * there.  A FULL commit on any connection also makes the earlier NORMAL
 * ones durable (they come before it in the same WAL).
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

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 on success, -1 on error (logged).
 * Nested calls are savepoints: an inner commit keeps its work for the
 * outer one, an inner rollback undoes only its own level. */
int		 store_begin(struct store *s);
int		 store_commit(struct store *s);
void		 store_rollback(struct store *s);
int		 store_in_transaction(const struct store *s);

/*
 * A prepared statement for sql, cached for the life of the connection
 * and keyed by the address of sql (pass a static string).  Returned reset
 * with its bindings cleared; do not finalize it.  NULL on error (logged).
 */
struct sqlite3_stmt *store_stmt(struct store *s, const char *sql);
/* Resets a cached statement after use (releases read locks). */
void		 store_stmt_done(struct sqlite3_stmt *st);

/* Runs "SELECT 1"; 0 if the database answers. */
int		 store_ping(struct store *s);
/* Schema version after migrations. */
int		 store_schema_version(struct store *s);

/* Milliseconds since 1970 (wall clock); one place so tests can agree. */
long long	 store_now_ms(void);

#endif
