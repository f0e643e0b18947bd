/*
 * metrics.c — GET /metrics in the Prometheus text format 0.0.4: the
 * server's own counters (webhooks, signatures, duplicates, latency), a
 * few figures from the database through cheap indexed queries
 * (conversations per first intent, outcomes, open conversations, outbox
 * depth and failures) and the process's memory.  No personal data.
 *
 * Only for loopback callers that did not come through the reverse proxy
 * (which adds X-Forwarded-For: everything behind nginx is "loopback"),
 * or with `Authorization: Bearer <metrics_token>`; else 403.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "outbox.h"
#include "server.h"
#include "signature.h"
#include "store.h"

#define METRICS_MAX	(1024 * 1024)

static const char sql_intents[] =
	"SELECT coalesce(first_intent, 'onbekend'), count(*)"
	" FROM conversations GROUP BY 1";
static const char sql_outcomes[] =
	"SELECT outcome, count(*) FROM outcomes GROUP BY outcome";
static const char sql_open[] =
	"SELECT count(*) FROM conversations WHERE open = 1";
static const char sql_pending[] =
	"SELECT count(*) FROM outbox WHERE status = 'pending'";
static const char sql_failed[] =
	"SELECT count(*) FROM outbox WHERE status = 'failed'";

static const char *const channel_label[] = { "whatsapp", "messenger" };
static const char *const code_label[WH_NSLOTS] = { "200", "400", "401",
	"411", "413", "503", "other" };

/* Present at all counts, even empty or too long to read: an empty
 * "X-Forwarded-For:" opened /metrics to everyone behind the proxy. */
static int
came_through_proxy(struct http_req *r)
{
	return http_header_sent(r, "x-forwarded-for") ||
	    http_header_sent(r, "forwarded") ||
	    http_header_sent(r, "x-real-ip");
}

static int
allowed(struct http_req *r)
{
	const char *want = r->srv->cfg->metrics_token;
	char auth[512];

	if (http_peer_is_loopback(r) && !came_through_proxy(r))
		return 1;
	if (want == NULL || *want == '\0' ||
	    http_header(r, "authorization", auth, sizeof(auth)) == -1 ||
	    strncmp(auth, "Bearer ", 7) != 0)
		return 0;
	return signature_equal(auth + 7, want);
}

static void
help(struct buf *b, const char *name, const char *type, const char *text)
{
	buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* A label value from the database, escaped for the text format. */
static void
label_value(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_putc(b, '\\');
		if (*v == '\n')
			buf_append(b, STRLIT("\\n"));
		else
			buf_putc(b, *v);
	}
}

static void
webhooks(struct buf *b, const struct server_stats *st)
{
	int ch, k;

	help(b, "loket_webhooks_total", "counter",
	    "Webhook requests answered, by channel and status code.");
	for (ch = 0; ch < 2; ch++)
		for (k = 0; k < WH_NSLOTS; k++)
			buf_appendf(b, "loket_webhooks_total{channel=\"%s\","
			    "code=\"%s\"} %lu\n", channel_label[ch],
			    code_label[k], st->webhooks[ch][k]);
	help(b, "loket_webhook_signature_failures_total", "counter",
	    "Webhooks refused for a missing or wrong signature.");
	buf_appendf(b, "loket_webhook_signature_failures_total %lu\n",
	    st->signature_failures);
	help(b, "loket_webhook_duplicates_total", "counter",
	    "Events Meta delivered again, dropped by message id.");
	buf_appendf(b, "loket_webhook_duplicates_total %lu\n", st->duplicates);
	help(b, "loket_webhook_events_stored_total", "counter",
	    "Events (messages and statuses) committed to the database.");
	buf_appendf(b, "loket_webhook_events_stored_total %lu\n",
	    st->events_stored);
}

static void
latency(struct buf *b, const struct server_stats *st)
{
	static const double bounds_ms[] = SERVER_LATENCY_BOUNDS_MS;
	unsigned long cum = 0;
	int i;

	help(b, "loket_webhook_duration_seconds", "histogram",
	    "Webhook handling time, headers to reply (after the commit).");
	for (i = 0; i < SERVER_LATENCY_NBOUNDS; i++) {
		cum += st->latency_buckets[i];
		buf_appendf(b, "loket_webhook_duration_seconds_bucket"
		    "{le=\"%g\"} %lu\n", bounds_ms[i] / 1000, cum);
	}
	cum += st->latency_buckets[SERVER_LATENCY_NBOUNDS];
	buf_appendf(b, "loket_webhook_duration_seconds_bucket{le=\"+Inf\"} "
	    "%lu\nloket_webhook_duration_seconds_sum %.6f\n"
	    "loket_webhook_duration_seconds_count %lu\n", cum,
	    st->latency_sum_ms / 1000, st->latency_count);
}

/* name{label="value"} count for each row of a two-column query. */
static int
labelled(struct buf *b, struct store *st, const char *sql, const char *name,
    const char *label)
{
	struct store_stmt *s = store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = store_step(s)) == STORE_ROW) {
		buf_appendf(b, "%s{%s=\"", name, label);
		label_value(b, store_col_text(s, 0));
		buf_appendf(b, "\"} %lld\n", (long long)store_col_int64(s,
		    1));
	}
	store_stmt_done(s);
	return rc == STORE_DONE ? 0 : -1;
}

static int
scalar(struct buf *b, struct store *st, const char *sql, const char *name)
{
	struct store_stmt *s = store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	if ((rc = store_step(s)) == STORE_ROW)
		buf_appendf(b, "%s %lld\n", name,
		    (long long)store_col_int64(s, 0));
	store_stmt_done(s);
	return rc == STORE_ROW ? 0 : -1;
}

static int
database(struct buf *b, struct store *st)
{
	int rc = 0;

	help(b, "loket_conversations_total", "counter",
	    "Conversations by the intent of their first message.");
	rc |= labelled(b, st, sql_intents, "loket_conversations_total",
	    "first_intent");
	help(b, "loket_outcomes_total", "counter",
	    "Conversations ended, by outcome.");
	rc |= labelled(b, st, sql_outcomes, "loket_outcomes_total",
	    "outcome");
	help(b, "loket_conversations_open", "gauge",
	    "Conversations not yet ended.");
	rc |= scalar(b, st, sql_open, "loket_conversations_open");
	help(b, "loket_outbox_pending", "gauge",
	    "Replies waiting to be sent (outbox depth).");
	rc |= scalar(b, st, sql_pending, "loket_outbox_pending");
	help(b, "loket_outbox_failed_total", "counter",
	    "Replies that failed permanently.");
	rc |= scalar(b, st, sql_failed, "loket_outbox_failed_total");
	return rc;
}

/* The sender's own counters since start (the database keeps only the
 * last state of each row). */
static void
sender(struct buf *b, const struct server *s)
{
	struct outbox_stats st, *o = &st;

	if (backend_stats(s->backend, &st) == -1)
		return;
	help(b, "loket_outbox_sends_total", "counter",
	    "Graph API send results since start.");
	buf_appendf(b, "loket_outbox_sends_total{result=\"accepted\"} %lu\n"
	    "loket_outbox_sends_total{result=\"retried\"} %lu\n"
	    "loket_outbox_sends_total{result=\"failed\"} %lu\n"
	    "loket_outbox_sends_total{result=\"skipped\"} %lu\n"
	    "loket_outbox_sends_total{result=\"templated\"} %lu\n",
	    o->accepted, o->retried, o->failed, o->skipped, o->templated);
	help(b, "loket_outbox_statuses_total", "counter",
	    "Delivery statuses applied to sent replies since start.");
	buf_appendf(b, "loket_outbox_statuses_total %lu\n", o->statuses);
}

static void
process(struct buf *b, const struct server *s)
{
	unsigned long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	help(b, "process_resident_memory_bytes", "gauge",
	    "Resident memory of the loket process.");
	buf_appendf(b, "process_resident_memory_bytes %llu\n",
	    (unsigned long long)rss * (unsigned long long)sysconf(
	    _SC_PAGESIZE));
	help(b, "process_start_time_seconds", "gauge",
	    "Start time of the process since 1970.");
	buf_appendf(b, "process_start_time_seconds %lld\n",
	    s->started_ms / 1000);
}

static int
metrics_get(struct http_req *r)
{
	struct server *s = r->srv;
	struct buf b;
	int db_ok;

	if (!allowed(r)) {
		log_warnx("event=metrics_refused");
		return http_reply(r, 403, "text/plain", STRLIT("forbidden\n"));
	}
	buf_init(&b, METRICS_MAX);
	webhooks(&b, &s->stats);
	latency(&b, &s->stats);
	db_ok = database(&b, s->store) == 0;
	help(&b, "loket_database_up", "gauge",
	    "1 if the database answered the metric queries.");
	buf_appendf(&b, "loket_database_up %d\n", db_ok);
	sender(&b, s);
	process(&b, s);
	if (b.data == NULL) {
		buf_free(&b);
		return http_reply(r, 500, "text/plain", STRLIT("error\n"));
	}
	http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.data, b.len);
	buf_free(&b);
	return HTTP_DONE;
}

const struct http_route metrics_routes[] = {
	{ HTTP_GET, "/metrics", 0, metrics_get, NULL, NULL },
	{ 0, NULL, 0, NULL, NULL, NULL }
};
