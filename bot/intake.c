/*
 * intake.c — webhook events into SQLite.  See intake.h.
 */
#include "intake.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "signature.h"
#include "store.h"
#include "utf8.h"

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

const struct agency *
intake_route_row(const struct config *cfg, const char *channel,
    const char *account_id)
{
	if (channel == NULL)
		return NULL;
	if (strcmp(channel, "whatsapp") == 0)
		return config_route_whatsapp(cfg, account_id);
	if (strcmp(channel, "messenger") == 0)
		return config_route_messenger(cfg, account_id);
	return NULL;
}

int
intake_set_agency(struct store *s, long long id, const char *agency)
{
	static const char sql[] = "UPDATE inbound SET agency = ?2, "
	    "processed = 0, conversation_id = NULL WHERE id = ?1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, agency, -1);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

/* Ids after `after` of unrouted rows received since since_ms, at most
 * max. */
static int
unrouted_ids(struct store *s, long long since_ms, long long after,
    long long *ids, int max)
{
	static const char sql[] = "SELECT id FROM inbound WHERE "
	    "received_at >= ?1 AND agency IS NULL AND processed = 1 "
	    "AND id > ?3 ORDER BY id LIMIT ?2";
	struct store_stmt *st;
	int rc, n = 0;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, since_ms);
	store_bind_int(st, 2, max);
	store_bind_int64(st, 3, after);
	while ((rc = store_step(st)) == STORE_ROW && n < max)
		ids[n++] = store_col_int64(st, 0);
	store_stmt_done(st);
	return rc == STORE_DONE || rc == STORE_ROW ? n : -1;
}

/* The channel and account of row id, routed with cfg; NULL if none. */
static const struct agency *
route_id(struct store *s, const struct config *cfg, long long id, int *err)
{
	static const char sql[] = "SELECT channel, account_id FROM inbound "
	    "WHERE id = ?1";
	const struct agency *a = NULL;
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql)) == NULL) {
		*err = 1;
		return NULL;
	}
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) == STORE_ROW)
		a = intake_route_row(cfg,
		    store_col_text(st, 0),
		    store_col_text(st, 1));
	*err = rc != STORE_ROW && rc != STORE_DONE;
	store_stmt_done(st);
	return a;
}

int
intake_reroute(struct store *s, const struct config *cfg, long long since_ms)
{
	long long ids[INTAKE_REROUTE_PAGE], after = 0;
	const struct agency *a;
	int i, n, err, moved = 0;

	/* A page of ids first: rows are not updated under a running
	 * SELECT.  Only on a config change, so every page is read. */
	do {
		if ((n = unrouted_ids(s, since_ms, after, ids,
		    INTAKE_REROUTE_PAGE)) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			a = route_id(s, cfg, ids[i], &err);
			if (err || (a != NULL && intake_set_agency(s, ids[i],
			    a->id) == -1))
				return -1;
			moved += a != NULL;
			after = ids[i];
		}
	} while (n == INTAKE_REROUTE_PAGE);
	return moved;
}

static void
bind_str(struct store_stmt *st, int i, const char *s)
{
	if (s != NULL)
		store_bind_text(st, i, s, -1);
	else
		store_bind_null(st, i);
}

/* 1 if inserted, 0 if a duplicate, -1 on error. */
static int
step_insert(struct store *db, struct store_stmt *st)
{
	int rc = store_step(st);

	store_stmt_done(st);
	if (rc != STORE_DONE) {
		log_warnx("event=intake_insert_failed msg=\"%s\"",
		    store_errmsg(db));
		return -1;
	}
	return store_changes(db) > 0;
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
	struct store_stmt *st;
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
	store_bind_int(st, 12, ev->standby);
	store_bind_int64(st, 13, ev->timestamp_ms);
	store_bind_int64(st, 14, now);
	bind_str(st, 15, ev->raw ? ev->raw : "{}");
	return step_insert(s, st);
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
	struct store_stmt *st;

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
		store_bind_int(st, 5, ev->error_code);
	bind_str(st, 6, ev->error_text);
	store_bind_int64(st, 7, ev->timestamp_ms);
	store_bind_int64(st, 8, now);
	bind_str(st, 9, ev->raw ? ev->raw : "{}");
	if (oid > 0)
		store_bind_int64(st, 10, oid);
	return step_insert(s, st);
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

/*
 * raw as text either store keeps: the bytes themselves when they are
 * UTF-8 without a NUL; else a copy (malloc'd, into *copy) in which every
 * byte that is not part of a UTF-8 character, and NUL, reads \xNN and a
 * backslash \\.  PostgreSQL refuses such bytes in a text column (and a
 * NUL would end the value): storing them as they came would fail the
 * webhook for ever.  NULL when out of memory.
 */
static const char *
unexpected_text(const char *raw, size_t len, char **copy, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)raw;
	size_t i = 0, n, o = 0;
	uint32_t cp;
	char *out;

	*copy = NULL;
	*outlen = len;
	if (utf8_check(raw, len) == -1 && memchr(raw, '\0', len) == NULL)
		return raw;
	if (len > (SIZE_MAX - 1) / 4 || (out = malloc(len * 4 + 1)) == NULL)
		return NULL;
	while (i < len) {
		n = utf8_decode(p + i, len - i, &cp);
		if (cp == UTF8_BAD || cp == 0)
			o += (size_t)sprintf(out + o, "\\x%02x", p[i]);
		else if (cp == '\\')
			o += (size_t)sprintf(out + o, "\\\\");
		else {
			memcpy(out + o, p + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	*outlen = o;
	return *copy = out;
}

int
intake_store_unexpected(struct store *s, enum channel ch, const char *reason,
    const char *raw, size_t len, long long now_ms)
{
	static const char sql[] = "INSERT INTO unexpected (channel, "
	    "received_at, reason, raw, digest) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (digest) DO NOTHING";
	const char *chn = webhook_channel_name(ch), *text;
	struct store_stmt *st;
	char digest[65], *copy;
	size_t n;
	int rc;

	if (raw == NULL) {
		raw = "";
		len = 0;
	}
	if ((text = unexpected_text(raw, len, &copy, &n)) == NULL ||
	    n > INT_MAX || (st = store_stmt(s, sql)) == NULL) {
		free(copy);
		return -1;
	}
	bind_str(st, 1, webhook_channel_name(ch));
	store_bind_int64(st, 2, now_ms);
	bind_str(st, 3, reason);
	store_bind_text(st, 4, text, (int)n);
	/* Of the bytes as they came: Meta's retries are kept once. */
	signature_sha256_hex(chn, strlen(chn), raw, len, digest);
	bind_str(st, 5, digest);
	rc = step_insert(s, st);
	free(copy);
	return rc;
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

int
intake_reroute_recent(struct store *s, const struct config *cfg,
    long long now_ms)
{
	int n;

	if (store_begin(s) == -1)
		return -1;
	if ((n = intake_reroute(s, cfg, now_ms - INTAKE_REROUTE_MS)) == -1) {
		store_rollback(s);
		return -1;
	}
	if (store_commit(s) == -1)
		return -1;
	if (n > 0)
		log_info("event=rerouted count=%d", n);
	return n;
}
