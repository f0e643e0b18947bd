/*
 * backend.c — the back end thread.  See backend.h.  One mutex guards the
 * engine, the sender and their store; the thread holds it while it works
 * and gives it up between rounds when the service thread asks for a turn
 * (backend_lock), so a staff action never waits behind a flood.  A
 * wake-up takes only a second, small mutex: the intake writer that wakes
 * the thread after a commit must never wait for a round to end.
 */
#include "backend.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "conv.h"
#include "intent.h"
#include "locales.h"
#include "log.h"
#include "media.h"
#include "mono.h"
#include "outbox.h"
#include "report.h"
#include "store.h"

#define ROUND_MESSAGES	16	/* inbound rows per transaction */
#define IDLE_EVERY_S	15	/* silent conversations checked */
#define BACKEND_NICE	5	/* below the intake: give_way_to_intake() */
#define REST_MAX_US	10000	/* rest_while_intake_busy() at most, */
#define REST_BEHIND_MS	100	/* and only this far behind */

struct backend {
	pthread_t		 tid;
	pthread_mutex_t		 mu;	/* everything below but the atomics */
	pthread_mutex_t		 wake_mu; /* woken and work */
	pthread_cond_t		 work;	/* wake-up or stop */
	int			 woken;	/* a wake-up came (under wake_mu) */
	int			 committed; /* of them, an intake commit */
	long long		 behind_ms; /* conv_behind_ms(), last round */
	pthread_cond_t		 turn;	/* the service thread is done */
	atomic_int		 waiting; /* service threads wanting mu */
	int			 pending; /* rows may wait (set under mu) */
	atomic_int		 stop;	/* set without mu: a round that
					   always has more never frees it */
	struct backend_opts	 o;
	struct store		*store;
	struct intent_model	*model;
	struct locales		*locales;
	struct conv_engine		*engine;
	struct outbox		*outbox;
	struct media_fetch	*media;		/* citizens' photos and files */
	struct report_purge_state *purge;
	long long		 next_second_ms;
	unsigned long		 seconds;
};

/* Hands committed inbound rows to the engine, one transaction (one
 * commit) for up to ROUND_MESSAGES; each message is a savepoint in it
 * and fails alone.  Returns the number handled, -1 on a database error. */
static int
handle_inbound(struct backend *b)
{
	int n;

	if (store_begin(b->store) == -1)
		return -1;
	n = conv_process_some(b->engine, store_now_ms(), ROUND_MESSAGES);
	b->behind_ms = conv_behind_ms(b->engine);
	if (store_commit(b->store) == -1)
		n = -1;
	BOT_ASSERT(!store_in_transaction(b->store));
	return n;
}

static int
stats_differ(const struct outbox_stats *a, const struct outbox_stats *c)
{
	return a->accepted != c->accepted || a->failed != c->failed ||
	    a->retried != c->retried || a->statuses != c->statuses ||
	    a->templated != c->templated;
}

/* Once a second: silent conversations (every IDLE_EVERY_S) and the
 * retention purge.  Returns 1 if conversations ended. */
static int
each_second(struct backend *b)
{
	int ended = 0;

	b->seconds++;
	if (b->seconds % IDLE_EVERY_S == 0)
		ended = conv_tick(b->engine, store_now_ms()) > 0;
	report_purge_maybe(&b->purge, b->store, b->o.cfg);
	return ended;
}

/* One round of work; returns 1 when more is waiting right now. */
static int
round_once(struct backend *b)
{
	struct outbox_stats before = *outbox_stats(b->outbox);
	int n = 0, changed = 0, more = 0;
	long long now = mono_ms();

	b->behind_ms = 0;
	pthread_mutex_lock(&b->wake_mu);
	if (b->woken)
		b->pending = 1;
	b->woken = 0;
	pthread_mutex_unlock(&b->wake_mu);
	if (b->pending) {
		b->pending = 0;
		if ((n = handle_inbound(b)) < 0)
			n = 0;	/* database error: the next second retries */
		else if (n > 0)	/* a full round, or one cut short so the
				   intake could commit: look again */
			more = b->pending = 1;
		changed = n > 0;
	}
	if (now >= b->next_second_ms) {
		b->next_second_ms = now + 1000;
		if (each_second(b))
			changed = n = 1;
		if (!b->pending)
			b->pending = 1;	/* retry after an error, catch up */
	}
	outbox_service(b->outbox, n > 0);
	if (media_fetch_service(b->media))
		changed = 1;
	if (changed || stats_differ(&before, outbox_stats(b->outbox))) {
		b->o.changed(b->o.changed_arg);
		/* Consoles on other instances (PostgreSQL LISTEN). */
		store_notify(b->store, "console");
	}
	return more;
}

/* Sleeps until woken, the sender's next due row, or the next second;
 * mu is free meanwhile (called and returning with it held). */
static void
idle_wait(struct backend *b)
{
	long long due = outbox_next_due_ms(b->outbox), now = mono_ms(), ms;
	struct timespec ts;

	ms = b->next_second_ms - now;
	if (due >= 0 && due < ms)
		ms = due < 2 ? 2 : due;	/* held rows: no busy loop */
	if (ms <= 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	if (b->pending || atomic_load(&b->stop))
		return;
	pthread_mutex_unlock(&b->mu);
	pthread_mutex_lock(&b->wake_mu);
	while (!b->woken)
		if (pthread_cond_timedwait(&b->work, &b->wake_mu, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&b->wake_mu);
	pthread_mutex_lock(&b->mu);
}

/*
 * When the CPU is short, the event loop and the intake writer go first:
 * Meta waits for each webhook's 200 (and gives up on a slow endpoint),
 * while a reply delayed by a busy machine only waits in the queue a bit
 * longer.  With CPU to spare this changes nothing.  Linux sets the
 * priority per thread; where that fails the thread runs as it is.
 */
static void
give_way_to_intake(void)
{
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    BACKEND_NICE) == -1)
		log_debug("event=backend_nice_failed errno=%d", errno);
}

/*
 * Behind with its messages while webhooks keep being committed: the back
 * end rests as long as its last round took, so that it holds the write
 * lock at most about half the time.  A round holds the lock from its
 * first message to its commit; at nice 5 it was often preempted while
 * holding it, and the intake writer, and every webhook's 200 behind it,
 * waited the longer (measured: the lock held ~90 % of the time at
 * saturation).  A back end that keeps up (each round empties the queue)
 * never rests, so replies at ordinary rates are not delayed; with no
 * webhooks coming it changes nothing.  mu is free meanwhile.
 */
static void
rest_while_intake_busy(struct backend *b, long long round_us)
{
	struct timespec ts;
	int busy;

	pthread_mutex_lock(&b->wake_mu);
	busy = b->committed;
	b->committed = 0;
	pthread_mutex_unlock(&b->wake_mu);
	if (!busy || b->behind_ms < REST_BEHIND_MS || round_us <= 0)
		return;
	if (round_us > REST_MAX_US)
		round_us = REST_MAX_US;
	ts.tv_sec = 0;
	ts.tv_nsec = round_us * 1000;
	pthread_mutex_unlock(&b->mu);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&b->mu);
}

static void *
backend_main(void *arg)
{
	struct backend *b = arg;
	long long started;
	int more;

	prctl(PR_SET_NAME, "loket-engine");
	give_way_to_intake();
	pthread_mutex_lock(&b->mu);
	while (!atomic_load(&b->stop)) {
		while (atomic_load(&b->waiting) > 0)
			pthread_cond_wait(&b->turn, &b->mu);
		if (atomic_load(&b->stop))
			break;
		started = mono_us();
		more = round_once(b);
		rest_while_intake_busy(b, mono_us() - started);
		if (!more)
			idle_wait(b);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* The graph worker's results are ready: a round applies them. */
static void
on_results(void *arg)
{
	backend_wake(arg);
}

static int
open_parts(struct backend *b, char *err, size_t errlen)
{
	const struct config *cfg = b->o.cfg;
	struct media_fetch_opts mo;
	struct outbox_opts oo;
	const char *grace;

	if ((b->model = intent_load(cfg->intents_dir, err, errlen)) == NULL ||
	    (b->locales = locales_load(cfg->locales_dir, err, errlen)) ==
	    NULL || (b->store = store_open(b->o.db_path, err, errlen)) ==
	    NULL)
		return -1;
	store_set_write_lock(b->store, b->o.write_lock);
	/* Derived from webhooks the intake writer committed with FULL: an
	 * fsync per round would only slow replies down (store.h). */
	if (store_relax_sync(b->store) == -1) {
		snprintf(err, errlen, "cannot set synchronous=NORMAL");
		return -1;
	}
	memset(&oo, 0, sizeof(oo));
	oo.wake = on_results;
	oo.wake_arg = b;
	/* Tests shorten the wait for a status after a crash (outbox.h). */
	if ((grace = getenv("LOKET_RESEND_GRACE_MS")) != NULL)
		oo.resend_grace_ms = strtoll(grace, NULL, 10);
	if ((b->engine = conv_new(cfg, b->store, b->model, b->locales)) ==
	    NULL || (b->outbox = outbox_new_opts(cfg, b->store, &oo)) ==
	    NULL) {
		snprintf(err, errlen, "cannot start the engine or the sender");
		return -1;
	}
	memset(&mo, 0, sizeof(mo));
	mo.wake = on_results;
	mo.wake_arg = b;
	if ((b->media = media_fetch_new(cfg, b->store, &mo)) == NULL) {
		snprintf(err, errlen, "cannot start the media downloader");
		return -1;
	}
	return 0;
}

static void
free_parts(struct backend *b)
{
	media_fetch_free(b->media);
	outbox_free(b->outbox);
	conv_free(b->engine);
	report_purge_free(b->purge);
	store_close(b->store);
	intent_free(b->model);
	locales_free(b->locales);
}

struct backend *
backend_start(const struct backend_opts *o, char *err, size_t errlen)
{
	struct backend *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->o = *o;
	pthread_mutex_init(&b->mu, NULL);
	pthread_mutex_init(&b->wake_mu, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->turn, NULL);
	b->pending = 1;		/* what an earlier run left */
	if (open_parts(b, err, errlen) == -1)
		goto fail;
	if (pthread_create(&b->tid, NULL, backend_main, b) != 0) {
		snprintf(err, errlen, "cannot start the back end thread");
		goto fail;
	}
	return b;
fail:
	free_parts(b);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->wake_mu);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->turn);
	free(b);
	return NULL;
}

void
backend_stop(struct backend *b)
{
	if (b == NULL)
		return;
	/* Not under mu: with a backlog every round has more and mu stays
	 * held, so stopping waited for the whole queue (minutes); the rows
	 * left are committed and handled after the restart. */
	atomic_store(&b->stop, 1);
	backend_wake(b);
	pthread_join(b->tid, NULL);
	free_parts(b);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->wake_mu);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->turn);
	free(b);
}

static void
wake(struct backend *b, int committed)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->wake_mu);
	b->woken = 1;
	b->committed |= committed;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->wake_mu);
}

void
backend_wake(void *b)
{
	wake(b, 0);
}

void
backend_wake_committed(void *b)
{
	wake(b, 1);
}

struct conv_engine *
backend_lock(struct backend *b)
{
	if (b == NULL)
		return NULL;
	atomic_fetch_add(&b->waiting, 1);
	pthread_mutex_lock(&b->mu);	/* free while the thread idles */
	atomic_fetch_sub(&b->waiting, 1);
	BOT_ASSERT(!store_in_transaction(b->store));
	return b->engine;
}

void
backend_unlock(struct backend *b)
{
	BOT_ASSERT(!store_in_transaction(b->store));
	pthread_cond_broadcast(&b->turn);
	pthread_mutex_unlock(&b->mu);
}

int
backend_stats(struct backend *b, struct outbox_stats *out)
{
	if (backend_lock(b) == NULL)
		return -1;
	*out = *outbox_stats(b->outbox);
	backend_unlock(b);
	return 0;
}

void
backend_reload(struct backend *b, const struct config *cfg)
{
	struct locales *loc;
	char err[512];

	if (backend_lock(b) == NULL)
		return;
	b->o.cfg = cfg;
	outbox_set_config(b->outbox, cfg);
	media_fetch_set_config(b->media, cfg);
	conv_set_config(b->engine, cfg);
	if (intent_reload(&b->model, cfg->intents_dir, err, sizeof(err)) ==
	    -1)
		log_error("event=intents_reload_refused msg=\"%s\"", err);
	else
		log_info("event=intents_reloaded dir=%s", cfg->intents_dir);
	conv_set_model(b->engine, b->model);
	if ((loc = locales_load(cfg->locales_dir, err, sizeof(err))) == NULL) {
		log_error("event=locales_reload_refused msg=\"%s\"", err);
	} else {
		conv_set_locales(b->engine, loc);
		locales_free(b->locales);
		b->locales = loc;
		log_info("event=locales_reloaded dir=%s", cfg->locales_dir);
	}
	backend_unlock(b);
}
