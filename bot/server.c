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
#include "http.h"
#include "intake_writer.h"
#include "log.h"
#include "store.h"

int
server_start(struct server *s)
{
	char err[512];

	s->inbound_pending = 1;	/* handle what an earlier run left */
	s->writer = intake_writer_start(s->cfg->db_path, http_wake, s, err,
	    sizeof(err));
	if (s->writer == NULL) {
		log_error("event=intake_start_failed msg=\"%s\"", err);
		return -1;
	}
	if ((s->console = console_new()) == NULL)
		return -1;
	return 0;
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
	config_free(s->cfg);
	s->cfg = next;
	log_info("event=reloaded agencies=%zu", next->n_agencies);
}

void
server_after_wake(struct server *s)
{
	server_collect_intake(s);
	if (atomic_exchange(&s->reload, 0))
		reload(s);
	if (s->inbound_pending) {
		s->inbound_pending = 0;
		/* New messages and delivery statuses: the list and any open
		 * transcript may have changed. */
		console_notify(s, 0);
	}
	console_flush(s);
}

void
server_tick(struct server *s)
{
	console_tick(s);
}
