/*
 * serve.c — the running server's composition: the transport with its
 * routes and hooks, the intake writer and the back end thread.  Between
 * requests it answers webhooks whose events are committed, tells the
 * console what changed, and reloads on SIGHUP.  See serve.h.
 */
#include "serve.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "console.h"
#include "console_ws.h"
#include "http.h"
#include "intake_writer.h"
#include "log.h"
#include "routes.h"
#include "server.h"
#include "store.h"

static void
log_job(const struct intake_job *j)
{
	const struct intake_counts *c = &j->counts;

	if (j->status != 200) {
		log_warnx("event=webhook_not_stored channel=%s events=%zu",
		    webhook_channel_name(j->channel), j->batch.n);
		return;
	}
	log_info("event=webhook channel=%s events=%zu stored=%d statuses=%d "
	    "duplicates=%d unexpected=%d unrouted=%d", webhook_channel_name(j->channel),
	    j->batch.n, c->stored, c->statuses, c->duplicates,
	    c->unexpected + (j->raw != NULL), c->unrouted);
}

/* Lets each request whose events are now committed answer 200 (or 503
 * when its group failed: Meta retries, nothing was acknowledged). */
static void
collect_intake(struct server *s)
{
	struct intake_job *j, *next;
	int stored = 0;

	for (j = intake_writer_take_done(s->writer); j != NULL; j = next) {
		next = j->next;
		log_job(j);
		if (j->status == 200) {
			s->stats.duplicates += (unsigned long)j->counts.duplicates;
			s->stats.events_stored += (unsigned long)
			    (j->counts.stored + j->counts.statuses);
			stored += j->counts.stored + j->counts.statuses;
		}
		http_resolve_deferred(s->http, j->id, j->status);
		intake_job_free(j);
	}
	if (stored > 0)		/* new messages and delivery statuses */
		console_notify(s, 0);
}

/* A pipelined or half-closed request that waits: for its commit, or for
 * its password check. */
static void
wait_intake(struct server *s, unsigned long long ticket)
{
	if (ticket & CONSOLE_LOGIN_TICKET) {
		console_login_wait(s, ticket);	/* a login, not a webhook */
		return;
	}
	intake_writer_wait(s->writer, ticket);
	collect_intake(s);
}

/*
 * SIGHUP: build a new config; a broken one is refused and the old one
 * kept.  Swapped only here, between requests, so no handler holds a
 * pointer into the old one; the back end switches between its rounds.
 * The listening port needs a restart.
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
		char *db = strdup(s->cfg->db_path);

		if (db == NULL) {
			log_error("event=reload_refused msg=\"out of memory\"");
			config_free(next);
			return;
		}
		free(next->db_path);
		next->db_path = db;
	}
	backend_reload(s->backend, next);
	config_free(s->cfg);
	s->cfg = next;
	console_reload(s);
	log_info("event=reloaded agencies=%zu", next->n_agencies);
}

static void
after_wake(struct server *s)
{
	collect_intake(s);
	if (atomic_exchange(&s->reload, 0))
		reload(s);
	if (atomic_exchange(&s->changed, 0))
		console_notify(s, 0);
	console_flush(s);
}

static void
tick(struct server *s)
{
	/* Another instance changed what consoles show (PostgreSQL). */
	if (store_notified(s->store))
		console_notify(s, 0);
	console_tick(s);
}

/* The back end thread's news, for the console: woken loop, next round. */
static void
on_backend_changed(void *arg)
{
	struct server *s = arg;

	atomic_store(&s->changed, 1);
	http_wake(s->http);
}

/* After each group commit: answer the requests, handle the messages. */
static void
on_commit(void *arg)
{
	struct server *s = arg;

	http_wake(s->http);
	backend_wake_committed(s->backend);
}

static const struct http_route *const routes[] = {
	webhook_routes,
	console_routes,
	metrics_routes,
	NULL
};

static int
start_backend(struct server *s)
{
	struct backend_opts bo;
	char err[512];

	memset(&bo, 0, sizeof(bo));
	bo.cfg = s->cfg;
	bo.db_path = s->cfg->db_path;
	bo.write_lock = &s->write_lock;
	bo.changed = on_backend_changed;
	bo.changed_arg = s;
	/* The phrase files and reply texts must load: a server that cannot
	 * understand or answer anyone should not pretend to run. */
	if ((s->backend = backend_start(&bo, err, sizeof(err))) == NULL) {
		log_error("event=backend_start_failed msg=\"%s\"", err);
		return -1;
	}
	return 0;
}

int
serve_start(struct server *s)
{
	struct http_opts ho;
	char err[512];

	store_wlock_init(&s->write_lock);
	store_set_write_lock(s->store, &s->write_lock);
	/* The service thread's connection (console, sessions, /healthz)
	 * must not stall the loop while a backup or the sqlite3 shell holds
	 * the database: a write that finds it locked fails at once with 503
	 * (webhooks are written by the intake writer, which may wait). */
	store_set_busy_timeout(s->store, 50);
	if (store_listen(s->store, "console") == -1)
		log_warnx("event=listen_failed msg=\"%s\"", store_errmsg(s->store));
	if ((s->console = console_new()) == NULL)
		return -1;
	console_reload(s);
	memset(&ho, 0, sizeof(ho));
	ho.listen_addr = s->cfg->listen_addr;
	ho.port = s->cfg->port;
	ho.routes = routes;
	ho.ws = &console_ws_protocol;
	ho.hooks.arg = s;
	ho.hooks.after_wake = after_wake;
	ho.hooks.tick = tick;
	ho.hooks.refused = webhook_count;
	ho.hooks.wait = wait_intake;
	/* Before the threads: their wake-ups reach the loop through it. */
	if ((s->http = http_start(&ho)) == NULL)
		return -1;
	s->writer = intake_writer_start(s->cfg->db_path, &s->write_lock,
	    on_commit, s, err, sizeof(err));
	if (s->writer == NULL) {
		log_error("event=intake_start_failed msg=\"%s\"", err);
		return -1;
	}
	return s->ack_only ? 0 : start_backend(s);
}

void
serve_run(struct server *s)
{
	http_run(s->http, &s->stop);
}

void
serve_stop(struct server *s)
{
	/* The writer first: it may still wake the back end. */
	intake_writer_stop(s->writer);
	s->writer = NULL;
	backend_stop(s->backend);
	s->backend = NULL;
	console_stop(s);	/* its worker wakes the loop */
	http_stop(s->http);
	s->http = NULL;
	console_free(s->console);	/* its websockets closed with lws */
	s->console = NULL;
}
