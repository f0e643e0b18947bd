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
#include "log.h"
#include "store.h"

int
server_start(struct server *s)
{
	s->inbound_pending = 1;	/* handle what an earlier run left */
	if ((s->console = console_new()) == NULL)
		return -1;
	return 0;
}

/* Commits the rows of this loop round's webhooks, then lets each
 * waiting request answer: 200 only once its rows are durable. */
void
server_group_commit(struct server *s)
{
	int ok;

	if (!s->group_open)
		return;
	s->group_open = 0;
	ok = store_commit(s->store) == 0;
	http_flush_deferred(s, ok ? 200 : 503);
	if (ok)
		s->inbound_pending = 1;
}

void
server_stop(struct server *s)
{
	if (s->store != NULL)
		server_group_commit(s);
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
	server_group_commit(s);
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
	(void)s;
}
