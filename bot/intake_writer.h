/*
 * intake_writer.h — group commit on a thread of its own.  The service
 * thread checks, parses and routes a webhook, then hands the events here;
 * the writer thread, with its own SQLite connection, commits every batch
 * queued meanwhile in one transaction (one fsync for many webhooks) and
 * hands back which requests may now be answered 200.  So the loop keeps
 * reading requests while the disk syncs.
 */
#ifndef LOKET_INTAKE_WRITER_H
#define LOKET_INTAKE_WRITER_H

#include <pthread.h>
#include <stddef.h>

struct store_wlock;

#include "intake.h"
#include "webhook.h"

struct intake_writer;

struct intake_job {
	unsigned long long	 id;	/* the waiting request's ticket */
	enum channel		 channel;
	struct webhook_batch	 batch;	/* owned */
	char			**agencies; /* owned, one per event */
	char			*raw;	/* owned body, kept whole when
					   nothing in it was understood, or
					   not all of it was read, else NULL */
	size_t			 raw_len;
	const char		*raw_reason; /* why, a static string */
	long long		 received_ms;
	int			 status; /* 200 committed, 503 failed */
	struct intake_counts	 counts;
	struct intake_job	*next;
};

/*
 * Opens a second connection to db_path and starts the thread; wake(arg)
 * is called from it after each commit.  write_lock is shared with the
 * other connection's store (store_set_write_lock).  NULL on error.
 */
struct intake_writer *intake_writer_start(const char *db_path,
		    struct store_wlock *write_lock, void (*wake)(void *),
		    void *arg, char *err, size_t errlen);
/* Commits what is queued, stops and joins the thread, frees everything. */
void	intake_writer_stop(struct intake_writer *w);
/* Queues a job (takes ownership). */
void	intake_writer_submit(struct intake_writer *w, struct intake_job *job);
/* The finished jobs, oldest first; the caller frees them. */
struct intake_job *intake_writer_take_done(struct intake_writer *w);
/* Blocks until the job with this id is committed (or failed). */
void	intake_writer_wait(struct intake_writer *w, unsigned long long id);
void	intake_job_free(struct intake_job *job);

#endif
