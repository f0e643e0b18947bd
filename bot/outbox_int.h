/*
 * outbox_int.h — private to outbox*.c: the sender's state and the helpers
 * its files share.  Service thread only.
 */
#ifndef LOKET_OUTBOX_INT_H
#define LOKET_OUTBOX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

struct graph;
struct config;

#define OUTBOX_MAX_ATTEMPTS	10
#define OUTBOX_MAX_INFLIGHT	64
#define OUTBOX_BACKOFF_BASE_MS	2000LL		/* first retry after ~2 s */
#define OUTBOX_BACKOFF_MAX_MS	(15 * 60000LL)	/* never wait longer */
#define OUTBOX_WINDOW_MS	(24 * 3600000LL) /* customer-service window */
#define OUTBOX_HUMAN_MS		(7 * 24 * 3600000LL) /* HUMAN_AGENT tag */
/* A status webhook can overtake the answer that tells us the message id;
 * an unmatched status is kept this long before it is given up. */
#define OUTBOX_STATUS_GRACE_MS	(10 * 60000LL)
/* A row a crash (or a stop) left in flight may have reached Meta: it is
 * sent again only if no status or echo naming it (graph.h's tag) came in
 * this long.  Meta sends "sent" within seconds; its webhook retries while
 * we were down take longer, hence a minute. */
#define OUTBOX_RESEND_GRACE_MS	60000LL
/* Meta's pair limit: about one message per 6 s to one WhatsApp user,
 * short bursts allowed.  A turn of a few bubbles goes at once; more are
 * paced at the average rate, never refused. */
#define OUTBOX_PAIR_INTERVAL_MS	6000.0
#define OUTBOX_PAIR_BURST	6
#define OUTBOX_WA_RATE		80	/* msg/s per number, Meta's default */
#define OUTBOX_MS_RATE		40	/* per Page: more jams the Page Inbox */
/* Sending numbers found at their rate limit in one kick: their further
 * rows are passed over unread (with a backlog they are most rows). */
#define OUTBOX_BUSY_KEYS	8
/* A number at its rate limit is looked at again after at least this
 * long, so that each kick sends the several rows the rate allows by then
 * instead of one row per wake. */
#define OUTBOX_HELD_MIN_MS	5

struct outbox_pace;

struct outbox {
	const struct config	*cfg;
	struct store		*store;
	struct graph		*graph;
	struct outbox_opts	 o;
	struct outbox_pace	*pace;
	long long		 inflight[OUTBOX_MAX_INFLIGHT];
	int			 n_inflight;
	long long		 hold_until;	/* due rows held back by the
						   sender rate until then */
	uint64_t		 busy[OUTBOX_BUSY_KEYS]; /* number_key()s of
						   numbers held this kick */
	int			 n_busy;
	int			 rate_held;	/* the last kick left due rows
						   to the sender rate */
	unsigned long long	 rnd;		/* jitter state */
	struct graph_result	*held;		/* results a failed commit
						   could not store yet */
	int			 closing;	/* outbox_free() runs */
	long long		 service_at;	/* outbox_service's next kick */
	long long		 claimer;	/* this instance's key */
	long long		 orphans_at;	/* next look for dead claimers */
	long long		 status_seen;	/* statuses up to this id were
						   looked at once; -1: not yet
						   known */
	long long		 status_expiry_at; /* next look for statuses
						   past their grace time */
	struct outbox_stats	 stats;
};

long long	outbox_now(struct outbox *ob);
int		outbox_inflight_del(struct outbox *ob, long long id);
/* Puts the in-flight rows of dead instances back (PostgreSQL, every few
 * seconds; no-op on SQLite and inside a transaction). */
void		outbox_orphans(struct outbox *ob, long long now);
/* Row state changes, inside the caller's transaction; 0 or -1. */
int		outbox_mark_failed(struct outbox *ob, long long id, int code,
		    const char *text);
int		outbox_mark_sent(struct outbox *ob, long long id,
		    const char *msg_id);
/* The statuses that came before Meta's answer gave msg_id its row,
 * applied inside the caller's transaction; 0 or -1. */
int		outbox_apply_statuses_of(struct outbox *ob, const char *msg_id);
/*
 * The message id of the first status or echo that names row id by its
 * tag, into out (empty if Meta gave none): 1, or 0 if none came, -1 on a
 * database error.
 */
int		outbox_tagged_status(struct outbox *ob, long long id, char *out,
		    size_t outlen);

/*
 * Inside the caller's transaction: picks the rows to send now and marks
 * them in flight; their jobs go to *jobs.  After the commit hand them to
 * outbox_jobs_submit, after a rollback to outbox_jobs_drop.  Returns the
 * number of jobs or -1.
 */
int		outbox_choose(struct outbox *ob, struct graph_job **jobs);
void		outbox_jobs_submit(struct outbox *ob, struct graph_job *jobs);
void		outbox_jobs_drop(struct outbox *ob, struct graph_job *jobs);

/*
 * Meta said 131047 (outside the 24-hour window) although our inbound log
 * said inside: turns WhatsApp text/choices row id into the agency's
 * template, due at once.  1 if done, 0 if not possible (no template,
 * Messenger, already a template), -1 on a database error.
 */
int		outbox_retry_as_template(struct outbox *ob, long long id,
		    const char *why);

struct outbox_pace *outbox_pace_new(void);
void		 outbox_pace_free(struct outbox_pace *p);
/* When key may send next (now if at once); does not record a send. */
long long	 outbox_pace_when(struct outbox_pace *p, const char *key,
		    long long now, double interval_ms, int burst);
void		 outbox_pace_take(struct outbox_pace *p, const char *key,
		    long long now, double interval_ms);
void		 outbox_pace_prune(struct outbox_pace *p, long long now);
/*
 * Shared budgets (PostgreSQL), inside the claiming transaction:
 * outbox_pace_begin() at its start; outbox_pace_sync() before a key (a
 * sending number's or a citizen's) is checked: 1 when its tat is now
 * the database's (locked to the commit), 0 when another instance is
 * claiming with it (busy), -1 on error; outbox_pace_save() writes the
 * tats back before the commit.  On SQLite sync is always 1 and save does
 * nothing.  outbox_pace_prune_shared(), outside a transaction, deletes
 * the citizens' rows that have recovered, at most once a minute.
 */
void		 outbox_pace_begin(struct outbox_pace *p);
int		 outbox_pace_sync(struct outbox *ob, const char *key);
int		 outbox_pace_save(struct outbox *ob);
void		 outbox_pace_prune_shared(struct outbox *ob, long long now);

#endif
