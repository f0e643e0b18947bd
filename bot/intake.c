/*
 * intake.c — webhook events into SQLite.  See intake.h.
 */
#include "intake.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "signature.h"
#include "store.h"

static const char *const kind_names[] = {
	"message", "reaction", "status", "echo", "handover", "unknown"
};

static const char *
agency_for(const struct config *cfg, const struct inbound_event *ev)
{
	const struct agency *a = ev->channel == CH_WHATSAPP ?
	    config_route_whatsapp(cfg, ev->account_id) :
	    config_route_messenger(cfg, ev->account_id);

	return a ? a->id : NULL;
}

static void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* 1 if inserted, 0 if a duplicate, -1 on error. */
static int
step_insert(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	store_stmt_done(st);
	if (rc != SQLITE_DONE) {
		log_warnx("event=intake_insert_failed msg=\"%s\"",
		    sqlite3_errmsg(db));
		return -1;
	}
	return sqlite3_changes(db) > 0;
}

static int
store_event(struct store *s, const char *agency,
    const struct inbound_event *ev, long long now, int *unrouted)
{
	static const char sql[] = "INSERT INTO inbound (channel, agency, "
	    "account_id, user_id, user_phone, user_name, msg_id, kind, type, "
	    "text, payload, standby, meta_ts, received_at, raw) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15) ON CONFLICT (channel, msg_id) DO NOTHING";
	char synthetic[160];
	sqlite3_stmt *st;
	const char *msg_id = ev->msg_id;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	if (msg_id == NULL) {
		/* Some events (handover) carry no id: time + user is their
		 * identity, stable across Meta's retries. */
		snprintf(synthetic, sizeof(synthetic), "%s:%s:%lld",
		    kind_names[ev->kind], ev->user_id ? ev->user_id : "",
		    ev->timestamp_ms);
		msg_id = synthetic;
	}
	*unrouted = agency == NULL;
	bind_str(st, 1, webhook_channel_name(ev->channel));
	bind_str(st, 2, agency);
	bind_str(st, 3, ev->account_id);
	bind_str(st, 4, ev->user_id ? ev->user_id : "");
	bind_str(st, 5, ev->user_phone);
	bind_str(st, 6, ev->user_name);
	bind_str(st, 7, msg_id);
	bind_str(st, 8, kind_names[ev->kind]);
	bind_str(st, 9, ev->msg_type);
	bind_str(st, 10, ev->text);
	bind_str(st, 11, ev->payload);
	sqlite3_bind_int(st, 12, ev->standby);
	sqlite3_bind_int64(st, 13, ev->timestamp_ms);
	sqlite3_bind_int64(st, 14, now);
	bind_str(st, 15, ev->raw ? ev->raw : "{}");
	return step_insert(store_db(s), st);
}

static int
store_status(struct store *s, const struct inbound_event *ev, long long now)
{
	static const char sql[] = "INSERT INTO statuses (channel, msg_id, "
	    "status, user_id, error_code, error_text, meta_ts, received_at, "
	    "raw, outbox_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (channel, msg_id, status) DO NOTHING";
	long long oid = graph_tag_id(ev->send_tag);
	char watermark[160];
	const char *msg_id = ev->msg_id;
	sqlite3_stmt *st;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	if (msg_id == NULL) {
		/* Messenger watermarks: everything sent before the mark. */
		snprintf(watermark, sizeof(watermark), "watermark:%s:%lld",
		    ev->user_id ? ev->user_id : "", ev->watermark_ms);
		msg_id = watermark;
	}
	bind_str(st, 1, webhook_channel_name(ev->channel));
	bind_str(st, 2, msg_id);
	bind_str(st, 3, ev->status ? ev->status : "unknown");
	bind_str(st, 4, ev->user_id);
	if (ev->error_code != 0)
		sqlite3_bind_int(st, 5, ev->error_code);
	bind_str(st, 6, ev->error_text);
	sqlite3_bind_int64(st, 7, ev->timestamp_ms);
	sqlite3_bind_int64(st, 8, now);
	bind_str(st, 9, ev->raw ? ev->raw : "{}");
	if (oid > 0)
		sqlite3_bind_int64(st, 10, oid);
	return step_insert(store_db(s), st);
}

/*
 * An echo of a message we sent with its tag (Messenger metadata) is as
 * good as a "sent" status: it proves the send reached Meta.  Stored as
 * one so the sender finds it (outbox_status.c).  Returns 1, 0 (seen
 * before) or -1.
 */
static int
store_echo_status(struct store *s, const struct inbound_event *ev,
    long long now)
{
	struct inbound_event st = *ev;

	if (graph_tag_id(ev->send_tag) <= 0)
		return 0;
	st.kind = EV_STATUS;
	st.status = (char *)"sent";
	st.error_code = 0;
	st.error_text = NULL;
	return store_status(s, &st, now);
}

int
intake_store_unexpected(struct store *s, enum channel ch, const char *reason,
    const char *raw, size_t len, long long now_ms)
{
	static const char sql[] = "INSERT INTO unexpected (channel, "
	    "received_at, reason, raw, digest) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (digest) DO NOTHING";
	const char *chn = webhook_channel_name(ch);
	sqlite3_stmt *st;
	char digest[65];

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	bind_str(st, 1, webhook_channel_name(ch));
	sqlite3_bind_int64(st, 2, now_ms);
	bind_str(st, 3, reason);
	sqlite3_bind_text(st, 4, raw ? raw : "", raw ? (int)len : 0,
	    SQLITE_STATIC);
	signature_sha256_hex(chn, strlen(chn), raw ? raw : "", raw ? len : 0,
	    digest);
	bind_str(st, 5, digest);
	return step_insert(store_db(s), st);
}

char **
intake_route(const struct config *cfg, const struct webhook_batch *b)
{
	char **agencies = calloc(b->n ? b->n : 1, sizeof(*agencies));
	const char *id;
	size_t i;

	if (agencies == NULL)
		return NULL;
	for (i = 0; i < b->n; i++) {
		if ((id = agency_for(cfg, &b->ev[i])) == NULL)
			continue;
		if ((agencies[i] = strdup(id)) == NULL) {
			intake_route_free(agencies, b->n);
			return NULL;
		}
	}
	return agencies;
}

void
intake_route_free(char **agencies, size_t n)
{
	size_t i;

	if (agencies == NULL)
		return;
	for (i = 0; i < n; i++)
		free(agencies[i]);
	free(agencies);
}

int
intake_store(struct store *s, const struct config *cfg,
    const struct webhook_batch *b, long long now_ms,
    struct intake_counts *c)
{
	char **agencies = intake_route(cfg, b);
	int rc;

	if (agencies == NULL)
		return -1;
	rc = intake_store_routed(s, b, (const char *const *)agencies, now_ms,
	    c);
	intake_route_free(agencies, b->n);
	return rc;
}

int
intake_store_routed(struct store *s, const struct webhook_batch *b,
    const char *const *agencies, long long now_ms, struct intake_counts *c)
{
	size_t i;
	int rc, unrouted;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < b->n; i++) {
		const struct inbound_event *ev = &b->ev[i];

		unrouted = 0;
		switch (ev->kind) {
		case EV_STATUS:
			rc = store_status(s, ev, now_ms);
			c->statuses += rc == 1;
			break;
		case EV_UNKNOWN:
			rc = intake_store_unexpected(s, ev->channel,
			    ev->msg_type ? ev->msg_type : "unknown event",
			    ev->raw, ev->raw ? strlen(ev->raw) : 0, now_ms);
			c->unexpected += rc == 1;
			break;
		default:
			rc = store_event(s, agencies[i], ev, now_ms,
			    &unrouted);
			if (rc != -1 && ev->kind == EV_ECHO &&
			    store_echo_status(s, ev, now_ms) == -1)
				rc = -1;
			c->stored += rc == 1;
			c->unrouted += rc == 1 && unrouted;
			break;
		}
		if (rc == -1)
			return -1;
		c->duplicates += rc == 0;
	}
	return 0;
}
