/*
 * server.c — what the running server does between requests: hand new
 * inbound messages to the conversation engine, apply the sender's
 * results, end silent conversations, and reload on SIGHUP.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console.h"
#include "conversation.h"
#include "http.h"
#include "intake_writer.h"
#include "intent.h"
#include "locale.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "store.h"

/* The phrase files and reply texts must load: a server that cannot
 * understand or answer anyone should not pretend to run. */
static int
start_engine(struct server *s)
{
	const struct config *cfg = s->cfg;
	char err[512];

	if ((s->model = intent_load(cfg->intents_dir, err, sizeof(err))) ==
	    NULL) {
		log_error("event=intents_load_failed msg=\"%s\"", err);
		return -1;
	}
	if ((s->locales = locales_load(cfg->locales_dir, err, sizeof(err))) ==
	    NULL) {
		log_error("event=locales_load_failed msg=\"%s\"", err);
		return -1;
	}
	if ((s->engine = engine_new(cfg, s->store, s->model, s->locales)) ==
	    NULL || (s->outbox = outbox_new(cfg, s->store, http_wake, s)) ==
	    NULL) {
		/* Never exit without a line saying why. */
		log_error("event=start_failed what=%s db=%s", s->engine ?
		    "outbox" : "engine", cfg->db_path);
		return -1;
	}
	return 0;
}

int
server_start(struct server *s)
{
	char err[512];

	s->inbound_pending = 1;	/* handle what an earlier run left */
	pthread_mutex_init(&s->write_lock, NULL);
	store_set_write_lock(s->store, &s->write_lock);
	/* Webhooks are committed with FULL by the intake writer; the loop's
	 * own commits (conversations, outbox) are derived from them and must
	 * not make the loop wait for the disk several times a round. */
	if (store_relax_sync(s->store) == -1)
		return -1;
	s->writer = intake_writer_start(s->cfg->db_path, &s->write_lock,
	    http_wake, s, err, sizeof(err));
	if (s->writer == NULL) {
		log_error("event=intake_start_failed msg=\"%s\"", err);
		return -1;
	}
	if ((s->console = console_new()) == NULL)
		return -1;
	if (s->ack_only)
		return 0;
	return start_engine(s);
}

void
server_count_webhook(struct server *s, const char *path, int status)
{
	int slot;

	if (strncmp(path, "/webhook/", 9) != 0)
		return;
	switch (status) {
	case 200: slot = WH_200; break;
	case 400: slot = WH_400; break;
	case 401: slot = WH_401; break;
	case 411: slot = WH_411; break;
	case 413: slot = WH_413; break;
	case 503: slot = WH_503; break;
	default: slot = WH_OTHER; break;
	}
	s->stats.webhooks[strstr(path, "messenger") ? CH_MESSENGER :
	    CH_WHATSAPP][slot]++;
}

static void
log_job(const struct intake_job *j)
{
	const struct intake_counts *c = &j->counts;

	if (j->status != 200) {
		log_warnx("event=webhook_not_stored channel=%s events=%zu",
		    channel_name(j->channel), j->batch.n);
		return;
	}
	log_info("event=webhook channel=%s events=%zu stored=%d statuses=%d "
	    "duplicates=%d unexpected=%d unrouted=%d", channel_name(j->channel),
	    j->batch.n, c->stored, c->statuses, c->duplicates,
	    c->unexpected + (j->raw != NULL), c->unrouted);
}

/* Lets each request whose events are now committed answer 200 (or 503
 * when its group failed: Meta retries, nothing was acknowledged). */
void
server_collect_intake(struct server *s)
{
	struct intake_job *j, *next;

	if (s->writer == NULL)
		return;
	for (j = intake_writer_take_done(s->writer); j != NULL; j = next) {
		next = j->next;
		log_job(j);
		s->intake_busy = 1;
		if (j->status == 200) {
			s->stats.duplicates += (unsigned long)j->counts.duplicates;
			s->stats.events_stored += (unsigned long)
			    (j->counts.stored + j->counts.statuses);
			if (j->counts.stored + j->counts.statuses > 0)
				s->inbound_pending = 1;
		}
		http_resolve_deferred(s, j->id, j->status);
		intake_job_free(j);
	}
}

void
server_intake_wait(struct server *s, unsigned long long ticket)
{
	intake_writer_wait(s->writer, ticket);
	server_collect_intake(s);
}

void
server_stop(struct server *s)
{
	intake_writer_stop(s->writer);
	s->writer = NULL;
	outbox_free(s->outbox);
	s->outbox = NULL;
	engine_free(s->engine);
	s->engine = NULL;
	intent_free(s->model);
	s->model = NULL;
	locales_free(s->locales);
	s->locales = NULL;
	report_purge_free(s);
}

/* Phrase files and reply texts: a broken set is refused, the old kept. */
static void
reload_texts(struct server *s)
{
	struct locales *loc;
	char err[512];

	if (intent_reload(&s->model, s->cfg->intents_dir, err,
	    sizeof(err)) == -1)
		log_error("event=intents_reload_refused msg=\"%s\"", err);
	else
		log_info("event=intents_reloaded dir=%s", s->cfg->intents_dir);
	engine_set_model(s->engine, s->model);
	if ((loc = locales_load(s->cfg->locales_dir, err, sizeof(err))) ==
	    NULL) {
		log_error("event=locales_reload_refused msg=\"%s\"", err);
		return;
	}
	engine_set_locales(s->engine, loc);
	locales_free(s->locales);
	s->locales = loc;
	log_info("event=locales_reloaded dir=%s", s->cfg->locales_dir);
}

/*
 * SIGHUP: build a new config; a broken one is refused and the old one
 * kept.  Swapped only here, between requests, so no handler holds a
 * pointer into the old one.  The listening port needs a restart.
 */
static void
reload(struct server *s)
{
	struct config *next;
	char err[512];

	if ((next = config_load(s->cfg->path, err, sizeof(err))) == NULL) {
		log_error("event=reload_refused msg=\"%s\"", err);
		return;
	}
	if (strcmp(next->db_path, s->cfg->db_path) != 0) {
		/* --db given on the command line wins over the file. */
		free(next->db_path);
		next->db_path = strdup(s->cfg->db_path);
	}
	if (s->outbox != NULL)
		outbox_set_config(s->outbox, next);
	if (s->engine != NULL)
		engine_set_config(s->engine, next);
	s->inbound_pending = 1;	/* messages that waited for an agency */
	config_free(s->cfg);
	s->cfg = next;
	log_info("event=reloaded agencies=%zu", next->n_agencies);
	if (s->engine != NULL)
		reload_texts(s);
}

#define ENGINE_PER_ROUND	16
#define ENGINE_SHARE_PCT	30	/* of loop time while webhooks flood */

/*
 * Acknowledging comes first: while webhooks keep arriving, the engine gets
 * at most ENGINE_SHARE_PCT of each second, and catches up at full speed
 * when they calm down.  Meta needs its 200 within milliseconds; a reply a
 * few seconds late under a flood does no harm.
 */
static int
engine_may_run(struct server *s, long long now)
{
	long long elapsed = now - s->engine_window_us;

	if (elapsed >= 1000000 || elapsed < 0) {
		s->engine_window_us = now;
		s->engine_used_us = 0;
		s->intake_busy = 0;
		return 1;
	}
	return !s->intake_busy ||
	    s->engine_used_us * 100 <= elapsed * ENGINE_SHARE_PCT;
}

/*
 * Hands committed inbound rows to the conversation engine.  A backlog is
 * taken a few rows per loop round, waking the loop again in between, so
 * webhooks keep being acknowledged within milliseconds while the engine
 * catches up.  Returns 1 if replies may have been queued.
 */
static int
process_inbound(struct server *s)
{
	long long t0 = http_now_us();
	int n;

	if (s->engine == NULL) {
		s->inbound_pending = 0;
		return 0;
	}
	if (!engine_may_run(s, t0)) {	/* its turn comes a little later */
		http_wake_after(s, 20000);
		return 0;
	}
	s->inbound_pending = 0;
	/* One commit (one fsync) for the whole batch; each message is a
	 * savepoint inside it and fails alone. */
	if (store_begin(s->store) == -1) {
		s->inbound_pending = 1;
		return 0;
	}
	n = engine_process_some(s->engine, store_now_ms(), ENGINE_PER_ROUND);
	if (store_commit(s->store) == -1)
		n = -1;
	s->engine_used_us += http_now_us() - t0;
	if (n < 0)		/* database error: the next tick retries */
		s->inbound_pending = 1;
	else if (n >= ENGINE_PER_ROUND) {	/* backlog: next round */
		s->inbound_pending = 1;
		http_wake(s);
	}
	return n != 0;
}

/* Runs the sender (outside any transaction: it commits its own work);
 * when it applied results or delivery statuses, the console hears of it. */
static void
service_outbox(struct server *s, int new_rows)
{
	struct outbox_stats a, b;

	if (s->outbox == NULL)
		return;
	a = *outbox_stats(s->outbox);
	outbox_service(s->outbox, new_rows);
	b = *outbox_stats(s->outbox);
	if (a.accepted != b.accepted || a.failed != b.failed ||
	    a.retried != b.retried || a.statuses != b.statuses ||
	    a.templated != b.templated)
		console_notify(s, 0);
}

void
server_after_wake(struct server *s)
{
	int new_rows;

	server_collect_intake(s);
	if (atomic_exchange(&s->reload, 0))
		reload(s);
	if (s->inbound_pending) {
		/* New messages and delivery statuses: the list and any open
		 * transcript may have changed. */
		console_notify(s, 0);
	}
	new_rows = s->inbound_pending ? process_inbound(s) : 0;
	service_outbox(s, new_rows);
	console_flush(s);
}

void
server_tick(struct server *s)
{
	s->ticks++;
	if (s->inbound_pending) {
		console_notify(s, 0);
		service_outbox(s, process_inbound(s));
	}
	if (s->engine != NULL && s->ticks % 15 == 0 &&
	    engine_tick(s->engine, store_now_ms()) > 0) {
		console_notify(s, 0);	/* silent conversations ended */
		service_outbox(s, 1);
	}
	console_tick(s);
	report_purge_maybe(s);
}
