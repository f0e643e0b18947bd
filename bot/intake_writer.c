/*
 * intake_writer.c — the group-commit thread.  See intake_writer.h.
 * Only this thread touches its SQLite connection; the queues are the only
 * shared state, under one mutex.
 */
#include "intake_writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "log.h"
#include "store.h"

/* Times the queue is emptied into one open transaction: jobs that keep
 * arriving while it is written join it, up to this many takes. */
#define GROUP_TAKES	4

struct intake_writer {
	pthread_t		 tid;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;	/* jobs queued or stop */
	pthread_cond_t		 done_cv; /* a group finished */
	struct intake_job	*queue, **queue_tail;
	struct intake_job	*done, **done_tail;
	unsigned long long	 last_done; /* highest id finished */
	int			 stop;
	struct store		*store;
	void			(*wake)(void *);
	void			*wake_arg;
	int			 truncate_ok; /* last WAL truncation after a
						 failed group worked */
};

void
intake_job_free(struct intake_job *job)
{
	if (job == NULL)
		return;
	intake_route_free(job->agencies, job->batch.n);
	webhook_batch_free(&job->batch);
	free(job->raw);
	free(job);
}

/* Stores one job's events in the open transaction; -1 on an error. */
static int
write_job(struct store *s, struct intake_job *job)
{
	if (intake_store_routed(s, &job->batch,
	    (const char *const *)job->agencies, job->received_ms,
	    &job->counts) == -1)
		return -1;
	if (job->raw != NULL && intake_store_unexpected(s, job->channel,
	    job->raw_reason ? job->raw_reason : "nothing understood",
	    job->raw, job->raw_len, job->received_ms) == -1)
		return -1;
	return 0;
}

/* The same in a savepoint of its own: a job that fails loses only its
 * own events, not the group's. */
static void
write_job_alone(struct store *s, struct intake_job *job)
{
	job->status = 503;
	if (store_begin(s) == -1)	/* nested: a savepoint of the group */
		return;
	if (write_job(s, job) == -1) {
		store_rollback(s);
		return;
	}
	if (store_commit(s) == 0)
		job->status = 200;
}

/* Empties one of w's lists (the queue, the done jobs) under its mutex;
 * returns its jobs in order, NULL if none. */
static struct intake_job *
take_all(struct intake_writer *w, struct intake_job **head,
    struct intake_job ***tail)
{
	struct intake_job *jobs;

	pthread_mutex_lock(&w->mu);
	jobs = *head;
	*head = NULL;
	*tail = head;
	pthread_mutex_unlock(&w->mu);
	return jobs;
}

/*
 * Writes one group in one transaction; returns it with statuses set.
 * The write lock comes first and the queue after: webhooks that arrive
 * while the back end holds the lock, or while this group is written, go
 * in this commit (one fsync) instead of waiting for the next.  Jobs are
 * written without savepoints (each costs two statements and copies of
 * the pages it touches); when one fails, the group is written again
 * with one savepoint per job, so only that job is refused.
 */
static struct intake_job *
write_group(struct intake_writer *w)
{
	struct intake_job *group = NULL, **tail = &group, *j;
	int ok = store_begin(w->store) == 0, takes, failed = 0;

	for (takes = 0; ok && !failed && takes < GROUP_TAKES; takes++) {
		if ((*tail = take_all(w, &w->queue, &w->queue_tail)) == NULL)
			break;
		/* Every job taken joins the group, also after a failure:
		 * the slower pass below writes them all. */
		for (; *tail != NULL; tail = &(*tail)->next) {
			(*tail)->status = 200;
			if (!failed && write_job(w->store, *tail) == -1)
				failed = 1;
		}
	}
	if (!ok)	/* no transaction: what is queued is refused (503) */
		*tail = take_all(w, &w->queue, &w->queue_tail);
	if (failed) {
		store_rollback(w->store);
		if ((ok = store_begin(w->store) == 0))
			for (j = group; j != NULL; j = j->next)
				write_job_alone(w->store, j);
	}
	if (!ok || store_commit(w->store) == -1) {
		store_rollback(w->store);
		for (j = group; j != NULL; j = j->next)
			j->status = 503;
		/* A full disk: the WAL holds space a checkpoint gives back
		 * (store.c), so the next group can be stored once any room
		 * is free again.  Logged only when the state changes. */
		ok = store_wal_truncate(w->store) == 0;
		if (ok != w->truncate_ok)
			log_warnx("event=wal_truncate_after_failure ok=%d", ok);
		w->truncate_ok = ok;
	}
	return group;
}

static void *
writer_main(void *arg)
{
	struct intake_writer *w = arg;
	struct intake_job *group, *j, *last;
	int stopping, queued;

	prctl(PR_SET_NAME, "loket-intake");
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->queue == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		queued = w->queue != NULL;
		stopping = w->stop;
		pthread_mutex_unlock(&w->mu);
		if (!queued && stopping)
			return NULL;
		/* Only this thread empties the queue: it is still full. */
		group = write_group(w);
		BOT_ASSERT(group != NULL);
		for (last = group; last->next != NULL; last = last->next)
			;
		pthread_mutex_lock(&w->mu);
		*w->done_tail = group;
		w->done_tail = &last->next;
		for (j = group; j != NULL; j = j->next) {
			/* Tickets are handed out in order: a group never
			 * finishes an older one than the last. */
			BOT_ASSERT(j->id > w->last_done);
			w->last_done = j->id;
		}
		pthread_cond_broadcast(&w->done_cv);
		pthread_mutex_unlock(&w->mu);
		w->wake(w->wake_arg);
	}
}

struct intake_writer *
intake_writer_start(const char *db_path, struct store_wlock *write_lock,
    void (*wake)(void *), void *arg, char *err, size_t errlen)
{
	struct intake_writer *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((w->store = store_open(db_path, err, errlen)) == NULL) {
		free(w);
		return NULL;
	}
	store_set_write_lock(w->store, write_lock);
	w->truncate_ok = 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	w->queue_tail = &w->queue;
	w->done_tail = &w->done;
	w->wake = wake;
	w->wake_arg = arg;
	if (pthread_create(&w->tid, NULL, writer_main, w) != 0) {
		snprintf(err, errlen, "cannot start the intake thread");
		store_close(w->store);
		free(w);
		return NULL;
	}
	return w;
}

void
intake_writer_submit(struct intake_writer *w, struct intake_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	*w->queue_tail = job;
	w->queue_tail = &job->next;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

struct intake_job *
intake_writer_take_done(struct intake_writer *w)
{
	return take_all(w, &w->done, &w->done_tail);
}

void
intake_writer_wait(struct intake_writer *w, unsigned long long id)
{
	pthread_mutex_lock(&w->mu);
	while (w->last_done < id)
		pthread_cond_wait(&w->done_cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void
intake_writer_stop(struct intake_writer *w)
{
	struct intake_job *j, *next;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	for (j = w->done; j != NULL; j = next) {
		next = j->next;
		intake_job_free(j);
	}
	store_close(w->store);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done_cv);
	free(w);
}
