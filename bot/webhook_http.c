/*
 * webhook_http.c — the routes Meta calls: the verification handshake and
 * signed event POSTs, plus /healthz.  A POST is answered 200 only after
 * its events are committed; no outbound call is made while it waits.
 */
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "intake.h"
#include "intake_writer.h"
#include "log.h"
#include "mono.h"
#include "routes.h"
#include "server.h"
#include "signature.h"
#include "store.h"
#include "webhook.h"

#define WEBHOOK_MAX_BODY	(4u * 1024 * 1024)	/* WhatsApp sends 3 MB */
#define WEBHOOK_TRIM_BYTES	(256u * 1024)	/* bodies worth a malloc_trim */

void
webhook_count(struct server *s, const char *path, int status)
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

static enum channel
route_channel(const struct http_req *r)
{
	return strstr(r->path, "messenger") ? CH_MESSENGER : CH_WHATSAPP;
}

static int
reply_text(struct http_req *r, int status, const char *text)
{
	webhook_count(r->srv, r->path, status);
	return http_reply(r, status, "text/plain; charset=utf-8", text,
	    strlen(text));
}

static int
verify_get(struct http_req *r)
{
	const char *want = r->srv->cfg->verify_token;
	char mode[32], token[512], challenge[1024];

	if (http_query(r, "hub.mode", mode, sizeof(mode)) == -1 ||
	    http_query(r, "hub.verify_token", token, sizeof(token)) == -1 ||
	    http_query(r, "hub.challenge", challenge, sizeof(challenge)) == -1
	    || strcmp(mode, "subscribe") != 0 || want == NULL ||
	    *want == '\0' || !signature_equal(token, want)) {
		log_warnx("event=verify_refused channel=%s",
		    webhook_channel_name(route_channel(r)));
		return reply_text(r, 403, "forbidden\n");
	}
	log_info("event=verify_ok channel=%s", webhook_channel_name(route_channel(r)));
	webhook_count(r->srv, r->path, 200);
	return http_reply(r, 200, "text/plain; charset=utf-8", challenge,
	    strlen(challenge));
}

static int
post_headers(struct http_req *r)
{
	if (r->srv->ack_only)
		return HTTP_READ_BODY;
	if (http_header(r, "x-hub-signature-256", r->sig, sizeof(r->sig))
	    == -1) {
		r->srv->stats.signature_failures++;
		log_warnx("event=signature_missing channel=%s",
		    webhook_channel_name(route_channel(r)));
		return reply_text(r, 401, "missing signature\n");
	}
	return HTTP_READ_BODY;
}

static void
record_latency(struct http_req *r)
{
	static const double bounds_ms[] = SERVER_LATENCY_BOUNDS_MS;
	struct server_stats *st = &r->srv->stats;
	double ms = (double)(mono_us() - r->t0_us) / 1e3;
	size_t i;

	for (i = 0; i < sizeof(bounds_ms) / sizeof(bounds_ms[0]); i++)
		if (ms <= bounds_ms[i])
			break;
	st->latency_buckets[i]++;
	st->latency_sum_ms += ms;
	st->latency_count++;
}

/*
 * Hands the parsed events to the intake writer, which commits them with
 * whatever else arrived meanwhile; the request answers once that commit
 * is done (post_committed).  The whole body is kept raw, once, when it
 * gave no event (why says so; NULL: nothing understood) or more than
 * WEBHOOK_MAX_EVENTS.  Takes ownership of b.
 */
static int
submit_batch(struct http_req *r, enum channel ch, struct webhook_batch *b,
    const char *why)
{
	struct server *s = r->srv;
	struct intake_job *job = calloc(1, sizeof(*job));

	if (job == NULL || (job->agencies = intake_route(s->cfg, b)) == NULL) {
		free(job);
		webhook_batch_free(b);
		return -1;
	}
	job->id = ++s->next_ticket;
	job->channel = ch;
	job->batch = *b;
	job->received_ms = store_now_ms();
	if (b->n == 0 || b->overflow) {	/* keep what was not read */
		job->raw_len = r->body.len;
		job->raw = buf_take(&r->body);
		job->raw_reason = b->overflow ? "over " WEBHOOK_MAX_EVENTS_S
		    " events: the rest not read" : why;
	}
	r->ticket = job->id;
	intake_writer_submit(s->writer, job);
	return 0;
}

static int
post_body(struct http_req *r)
{
	enum channel ch = route_channel(r);
	struct webhook_batch b;
	const char *why = NULL;
	char err[256];
	int rc;

	if (r->srv->ack_only)
		return reply_text(r, 200, "EVENT_RECEIVED\n");
	if (signature_check(r->srv->cfg->app_secret, r->body.data ?
	    r->body.data : "", r->body.len, r->sig) == -1) {
		r->srv->stats.signature_failures++;
		log_warnx("event=signature_invalid channel=%s bytes=%zu",
		    webhook_channel_name(ch), r->body.len);
		return reply_text(r, 401, "bad signature\n");
	}
	rc = ch == CH_WHATSAPP ?
	    webhook_parse_whatsapp(r->body.data, r->body.len, &b, err,
	    sizeof(err)) :
	    webhook_parse_messenger(r->body.data, r->body.len, &b, err,
	    sizeof(err));
	if (rc == -1 && strncmp(err, "out of memory", 13) == 0)
		return reply_text(r, 503, "try again\n");
	if (rc == -1) {
		/*
		 * Signed, so it is Meta's (\u0000, a lone surrogate, 1e999
		 * are valid JSON jansson cannot hold): never refused, since
		 * a 400 only makes Meta retry it for days.  Kept raw.
		 */
		log_warnx("event=webhook_not_parsed channel=%s err=\"%s\"",
		    webhook_channel_name(ch), err);
		memset(&b, 0, sizeof(b));
		why = "not parsed";
	}
	/*
	 * jansson's tree of a big body is freed by now, but glibc keeps the
	 * pages: 400,000 small items left 150 MB resident.  Give them back.
	 */
	if (r->body.len > WEBHOOK_TRIM_BYTES)
		malloc_trim(0);
	if (b.overflow)
		log_warnx("event=webhook_over_cap channel=%s events=%d "
		    "bytes=%zu", webhook_channel_name(ch), WEBHOOK_MAX_EVENTS,
		    r->body.len);
	if (submit_batch(r, ch, &b, why) == -1)	/* nothing acknowledged */
		return reply_text(r, 503, "try again\n");
	buf_free(&r->body);
	return http_defer(r);
}

static int
post_committed(struct http_req *r, int status)
{
	record_latency(r);
	return reply_text(r, status, status == 200 ? "EVENT_RECEIVED\n" :
	    "try again\n");
}

static int
healthz(struct http_req *r)
{
	struct server *s = r->srv;
	json_t *o;
	char *text;
	int db_ok = store_ping(s->store) == 0;

	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:i}",
	    "status", db_ok ? "ok" : "degraded",
	    "version", LOKET_VERSION,
	    "uptime_s", (json_int_t)((store_now_ms() - s->started_ms) / 1000),
	    "database", db_ok ? "ok" : "unreachable",
	    "db", store_kind_name(s->store),
	    "schema", store_schema_version(s->store));
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (text == NULL)
		return http_reply(r, 500, "text/plain", STRLIT("error\n"));
	http_reply(r, db_ok ? 200 : 503, "application/json", text,
	    strlen(text));
	free(text);
	return HTTP_DONE;
}

const struct http_route webhook_routes[] = {
	{ HTTP_GET, "/webhook/whatsapp", 0, verify_get, NULL, NULL },
	{ HTTP_GET, "/webhook/messenger", 0, verify_get, NULL, NULL },
	{ HTTP_POST, "/webhook/whatsapp", WEBHOOK_MAX_BODY, post_headers,
	    post_body, post_committed },
	{ HTTP_POST, "/webhook/messenger", WEBHOOK_MAX_BODY, post_headers,
	    post_body, post_committed },
	{ HTTP_GET, "/healthz", 0, healthz, NULL, NULL },
	{ 0, NULL, 0, NULL, NULL, NULL }
};
