/*
 * backend.h — the back end thread: the conversation engine and the outbox
 * sender, with their own SQLite connection, phrase model (and so their own
 * stemmer) and reply texts.  The intake writer wakes it after each commit;
 * it answers citizens while the event loop only reads, verifies, hands to
 * the writer and answers Meta.  Nothing here touches lws.
 *
 * The service thread reaches the engine only through backend_lock() (staff
 * actions from the console: rare, and they wait at most one round) and
 * swaps configuration with backend_reload().  Lock order: the backend's
 * mutex before the store's write lock, never the other way round.
 */
#ifndef LOKET_BACKEND_H
#define LOKET_BACKEND_H

#include <pthread.h>
#include <stddef.h>

struct store_wlock;

struct backend;
struct config;
struct conv_engine;
struct outbox_stats;

struct backend_opts {
	const struct config *cfg;	/* outlives the backend, or replaced
					   with backend_reload() */
	const char	*db_path;
	struct store_wlock *write_lock;	/* shared with the other stores */
	/* Conversations or replies changed (for the console); called from
	 * the backend thread, must be thread-safe. */
	void		(*changed)(void *arg);
	void		*changed_arg;
};

/*
 * Loads the phrase files and reply texts, opens its connection, starts the
 * sender and the thread.  NULL on error with a message in err.
 */
struct backend	*backend_start(const struct backend_opts *o, char *err,
		    size_t errlen);
/* Finishes the round in progress, stops and joins the thread, frees
 * everything.  NULL ok. */
void		 backend_stop(struct backend *b);
/* New rows may be waiting (inbound, statuses, a staff reply); any
 * thread.  b is a struct backend; NULL ok. */
void		 backend_wake(void *b);
/* The same after the intake writer committed webhooks: while they keep
 * coming, the back end leaves the write lock free half the time. */
void		 backend_wake_committed(void *b);
/*
 * The engine, for the service thread, between the backend's rounds; NULL
 * (and no lock held) when b is NULL.  Every backend_lock() that returned
 * non-NULL is paired with one backend_unlock().
 */
struct conv_engine	*backend_lock(struct backend *b);
void		 backend_unlock(struct backend *b);
/* Copies the sender's counters; 0, or -1 when b is NULL. */
int		 backend_stats(struct backend *b, struct outbox_stats *out);
/* Uses cfg from now on (the caller frees the old one after this returns)
 * and reloads phrase files and reply texts; a broken set is refused and
 * the old one kept (logged). */
void		 backend_reload(struct backend *b, const struct config *cfg);

#endif
