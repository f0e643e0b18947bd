/*
 * test_outbox.c — the sender against a fake Graph API (a responder that
 * answers on the worker thread as scripted) on a temporary database, with
 * a test clock: order per citizen, back-off and Retry-After, the attempt
 * limit, permanent errors, the 24-hour window (template fallback,
 * HUMAN_AGENT), pacing, delivery statuses, restart after a crash, log:.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "testhelp.h"
#include "testutil.h"

#define HOUR	3600000LL

/* ---- fake Graph API (worker thread) ---- */

struct seen {
	long long	 id;
	char		*url;
	char		*body;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct seen seen[512];
static int n_seen, wakes;
static int fail_500;		/* answer 500 to the next N requests */
static int fail_code;		/* answer this Meta error to the next one */
static long retry_after;	/* with the next 500 */
static long long now_ms;

static void
responder(void *arg, const struct graph_job *job, struct graph_result *r)
{
	char body[256];

	pthread_mutex_lock(&mu);
	if (n_seen < 512) {
		seen[n_seen].id = job->id;
		seen[n_seen].url = strdup(job->url);
		seen[n_seen].body = strdup(job->body);
		n_seen++;
	}
	if (fail_500 > 0) {
		fail_500--;
		r->http_status = 500;
		r->body = strdup("oops");
		r->retry_after_s = retry_after ? retry_after : -1;
	} else if (fail_code != 0) {
		snprintf(body, sizeof(body), "{\"error\":{\"message\":\"(#%d) "
		    "Re-engagement message\",\"code\":%d}}", fail_code,
		    fail_code);
		fail_code = 0;
		r->http_status = 400;
		r->body = strdup(body);
	} else {
		snprintf(body, sizeof(body), "{\"messages\":[{\"id\":"
		    "\"wamid.%lld\"}]}", job->id);
		r->http_status = 200;
		r->body = strdup(body);
	}
	pthread_mutex_unlock(&mu);
}

static void
on_wake(void *arg)
{
	pthread_mutex_lock(&mu);
	wakes++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static long long
test_now(void *arg)
{
	return now_ms;
}

static void
forget_seen(void)
{
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_seen; i++) {
		free(seen[i].url);
		free(seen[i].body);
	}
	n_seen = 0;
	pthread_mutex_unlock(&mu);
}

/* ---- fixtures ---- */

static struct store *db;
static struct agency agency;
static struct config cfg;

static void
sql(const char *q)
{
	if (store_exec(db, q) == -1)
		printf("sql: %s: %s\n", q, store_errmsg(db));
}

/* Runs q with ?1 bound to id (if q has it); first column of the first
 * row, -1 for NULL, -999 for no row. */
static long long
q_int(const char *q, long long id)
{
	struct store_stmt *st;
	long long v = -999;

	if ((st = store_prepare(db, q)) == NULL)
		return v;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW)
		v = store_col_null(st, 0) ? -1 :
		    store_col_int64(st, 0);
	store_finalize(st);
	return v;
}

static char *
q_str(const char *q, long long id)
{
	static char out[512];
	struct store_stmt *st;

	out[0] = '\0';
	if ((st = store_prepare(db, q)) == NULL)
		return out;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW && store_col_text(st, 0))
		snprintf(out, sizeof(out), "%s", store_col_text(st, 0));
	store_finalize(st);
	return out;
}

/* Kicks and applies results until nothing is in flight or due now. */
static void
pump(struct outbox *ob)
{
	struct timespec dl;
	int i;

	outbox_kick(ob);
	for (i = 0; i < 500; i++) {
		if (q_int("SELECT count(*) FROM outbox WHERE submitted_at IS "
		    "NOT NULL", 0) == 0 &&
		    outbox_next_due_ms(ob) != 0)
			return;
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_nsec += 20000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&mu);
		if (wakes == 0)
			pthread_cond_timedwait(&cv, &mu, &dl);
		wakes = 0;
		pthread_mutex_unlock(&mu);
		if (outbox_on_wake(ob) == 0)
			outbox_kick(ob);
	}
	printf("pump: gave up\n");
}

#define STATUS(id) q_str("SELECT status FROM outbox WHERE id = ?1", id)

/* A message from the citizen ago_ms ago (opens the window). */
static void
inbound(const char *channel, const char *user, long long ago_ms)
{
	char q[512];
	static int n;

	snprintf(q, sizeof(q), "INSERT INTO inbound (channel, agency, "
	    "account_id, user_id, msg_id, kind, meta_ts, received_at, raw) "
	    "VALUES ('%s', 'vmsw', 'acc', '%s', 'in.%d', 'message', %lld, "
	    "%lld, '{}')", channel, user, ++n, now_ms - ago_ms, now_ms);
	sql(q);
}

static long long
enqueue(const char *channel, const char *user, const char *kind,
    const char *body, const char *author)
{
	struct outbox_item it = { 0, "vmsw", channel,
	    strcmp(channel, "whatsapp") == 0 ? "1055" : "page1", user,
	    strcmp(channel, "whatsapp") == 0 ? user : NULL, kind, body,
	    author };

	return outbox_enqueue(db, &it);
}

static struct outbox *
new_outbox(void)
{
	struct outbox_opts o;

	memset(&o, 0, sizeof(o));
	o.wake = on_wake;
	o.responder = responder;
	o.now = test_now;
	return outbox_new_opts(&cfg, db, &o);
}

static int
seen_index(long long id)
{
	int i, found = -1;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_seen; i++)
		if (seen[i].id == id && found == -1)
			found = i;
	pthread_mutex_unlock(&mu);
	return found;
}

static int
seen_count(long long id)
{
	int i, n = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_seen; i++)
		n += seen[i].id == id;
	pthread_mutex_unlock(&mu);
	return n;
}

/* The JSON value at key.key2 of the first request for row id. */
static char *
seen_json(long long id, const char *k1, const char *k2)
{
	static char out[512];
	json_t *root, *v;
	int i = seen_index(id);

	out[0] = '\0';
	if (i < 0)
		return out;
	root = json_loads(seen[i].body, 0, NULL);
	v = json_object_get(root, k1);
	if (k2 != NULL)
		v = json_object_get(v, k2);
	if (json_is_string(v))
		snprintf(out, sizeof(out), "%s", json_string_value(v));
	else if (v != NULL) {
		char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(out, sizeof(out), "%s", d);
		free(d);
	}
	json_decref(root);
	return out;
}

/* ---- tests ---- */

static void
test_order(void)
{
	struct outbox *ob = new_outbox();
	long long a1, a2, a3, b1;

	inbound("whatsapp", "32470000001", HOUR);
	inbound("whatsapp", "32470000002", HOUR);
	a1 = enqueue("whatsapp", "32470000001", "text", "{\"text\":\"een\"}",
	    "bot");
	a2 = enqueue("whatsapp", "32470000001", "text", "{\"text\":\"twee\"}",
	    "bot");
	b1 = enqueue("whatsapp", "32470000002", "text", "{\"text\":\"b\"}",
	    "bot");
	a3 = enqueue("whatsapp", "32470000001", "text", "{\"text\":\"drie\"}",
	    "bot");
	TEST("first kick: one head per citizen", outbox_kick(ob) == 2);
	TEST("a2 not before a1 accepted", q_int("SELECT submitted_at FROM "
	    "outbox WHERE id = ?1", a2) == -1);
	pump(ob);
	TEST_STR("a1 sent", STATUS(a1), "sent");
	TEST_STR("a3 sent", STATUS(a3), "sent");
	TEST_STR("b1 sent", STATUS(b1), "sent");
	TEST("order a1 < a2 < a3", seen_index(a1) >= 0 &&
	    seen_index(a1) < seen_index(a2) && seen_index(a2) <
	    seen_index(a3));
	TEST_STR("meta id stored", q_str("SELECT meta_msg_id FROM outbox "
	    "WHERE id = ?1", a2), "wamid.2");
	TEST("each sent once", seen_count(a1) == 1 && seen_count(a2) == 1 &&
	    seen_count(a3) == 1);
	TEST_STR("to with +", seen_json(a1, "to", NULL), "+32470000001");
	TEST("url", seen_index(a1) >= 0 && strstr(seen[seen_index(a1)].url,
	    "/1055/messages?appsecret_proof=") != NULL);
	TEST("attempts 1", q_int("SELECT attempts FROM outbox WHERE id = ?1", a1) == 1);
	TEST("nothing due", outbox_next_due_ms(ob) == -1);
	TEST("stats", outbox_stats(ob)->accepted == 4);
	outbox_free(ob);
}

static void
test_retry(void)
{
	struct outbox *ob = new_outbox();
	long long id, next, after;

	inbound("whatsapp", "32470000003", HOUR);
	id = enqueue("whatsapp", "32470000003", "text", "{\"text\":\"x\"}",
	    "bot");
	after = enqueue("whatsapp", "32470000003", "text",
	    "{\"text\":\"na\"}", "bot");
	fail_500 = 2;
	pump(ob);
	TEST_STR("still pending after 500", STATUS(id), "pending");
	TEST_STR("error text kept", q_str("SELECT error_text FROM outbox "
	    "WHERE id = ?1", id), "HTTP 500 (not JSON)");
	next = q_int("SELECT next_attempt_at FROM outbox WHERE id = ?1", id);
	TEST("first back-off 1..2 s", next - now_ms >= 1000 &&
	    next - now_ms <= 2000);
	TEST("next row waits for the first", seen_count(after) == 0);
	TEST("next due is the back-off", outbox_next_due_ms(ob) ==
	    next - now_ms);
	now_ms = next;
	pump(ob);
	next = q_int("SELECT next_attempt_at FROM outbox WHERE id = ?1", id);
	TEST("second back-off 2..4 s", next - now_ms >= 2000 &&
	    next - now_ms <= 4000);
	now_ms = next;
	pump(ob);
	TEST_STR("sent on the third attempt", STATUS(id), "sent");
	TEST("three attempts", q_int("SELECT attempts FROM outbox WHERE id = ?1", id) == 3);
	TEST_STR("then the next row", STATUS(after), "sent");

	id = enqueue("whatsapp", "32470000003", "text", "{\"text\":\"y\"}",
	    "bot");
	fail_500 = 1;
	retry_after = 30;
	pump(ob);
	retry_after = 0;
	TEST("retry-after honoured", q_int("SELECT next_attempt_at FROM outbox "
	    "WHERE id = ?1", id) - now_ms >= 30000);
	now_ms += 31000;
	pump(ob);
	TEST_STR("sent after retry-after", STATUS(id), "sent");
	outbox_free(ob);
}

static void
test_give_up(void)
{
	struct outbox *ob = new_outbox();
	long long id;
	int i;

	inbound("whatsapp", "32470000004", HOUR);
	id = enqueue("whatsapp", "32470000004", "text", "{\"text\":\"x\"}",
	    "bot");
	fail_500 = 100;
	for (i = 0; i < 12; i++) {
		pump(ob);
		now_ms += 16 * 60000;
		inbound("whatsapp", "32470000004", 0);
	}
	fail_500 = 0;
	TEST_STR("failed after max attempts", STATUS(id), "failed");
	TEST("exactly 10 attempts", seen_count(id) == 10);
	TEST("reason says so", strncmp(q_str("SELECT error_text FROM outbox "
	    "WHERE id = ?1", id), "gave up after 10 attempts", 25) == 0);
	outbox_free(ob);
}

static void
test_permanent(void)
{
	struct outbox *ob = new_outbox();
	long long id, next;

	inbound("whatsapp", "32470000005", HOUR);
	id = enqueue("whatsapp", "32470000005", "text", "{\"text\":\"x\"}",
	    "bot");
	next = enqueue("whatsapp", "32470000005", "text",
	    "{\"text\":\"y\"}", "bot");
	fail_code = 131047;
	pump(ob);
	TEST_STR("131047 failed", STATUS(id), "failed");
	TEST("code stored", q_int("SELECT error_code FROM outbox WHERE id = ?1", id) == 131047);
	TEST("text stored", strstr(q_str("SELECT error_text FROM outbox "
	    "WHERE id = ?1", id), "Re-engagement") != NULL);
	TEST("tried once", seen_count(id) == 1);
	TEST_STR("next row still goes", STATUS(next), "sent");
	outbox_free(ob);
}

/* Meta says 131047 although our log says the window is open. */
static void
test_sync_131047(void)
{
	struct outbox *ob = new_outbox();
	long long id, again;

	agency.wa_template = strdup("loket_update");
	inbound("whatsapp", "32470000013", HOUR);
	id = enqueue("whatsapp", "32470000013", "text",
	    "{\"text\":\"Uw vraag is doorgestuurd.\"}", "bot");
	fail_code = 131047;
	pump(ob);
	TEST_STR("131047 then template: sent", STATUS(id), "sent");
	TEST_STR("row is a template now", q_str("SELECT kind FROM outbox "
	    "WHERE id = ?1", id), "template");
	TEST("two requests", seen_count(id) == 2);
	TEST("template body", strstr(q_str("SELECT body FROM outbox WHERE "
	    "id = ?1", id), "\"params\":[\"Uw vraag is doorgestuurd.\"]") !=
	    NULL);
	again = enqueue("whatsapp", "32470000013", "template",
	    "{\"name\":\"loket_update\",\"params\":[\"x\"]}", "bot");
	fail_code = 131047;
	pump(ob);
	TEST_STR("a template with 131047 fails", STATUS(again), "failed");
	free(agency.wa_template);
	agency.wa_template = NULL;
	outbox_free(ob);
}

static void
test_window(void)
{
	struct outbox *ob = new_outbox();
	long long wa1, wa2, wa3, ms1, ms2, ms3, rd;

	inbound("whatsapp", "32470000006", 25 * HOUR);
	wa1 = enqueue("whatsapp", "32470000006", "text",
	    "{\"text\":\"Uw klacht is geregistreerd.\"}", "bot");
	pump(ob);
	TEST_STR("wa outside window, no template: failed", STATUS(wa1),
	    "failed");
	TEST("reason", strstr(q_str("SELECT error_text FROM outbox WHERE id = ?1", wa1), "no wa_template") != NULL);
	TEST("nothing sent", seen_count(wa1) == 0);
	agency.wa_template = strdup("loket_update");
	wa2 = enqueue("whatsapp", "32470000006", "text",
	    "{\"text\":\"Uw klacht is geregistreerd.\"}", "bot");
	sql("INSERT INTO conversations (id, agency, channel, user_id, "
	    "case_ref, started_at) VALUES (77, 'vmsw', 'whatsapp', "
	    "'32470000006', 'VMSW-2026-00042', 0)");
	{
		struct outbox_item it = { 77, "vmsw", "whatsapp", "1055",
		    "32470000006", "32470000006", "text",
		    "{\"text\":\"Nieuws over uw klacht\"}", "Els" };
		wa3 = outbox_enqueue(db, &it);
	}
	pump(ob);
	TEST_STR("template sent", STATUS(wa2), "sent");
	TEST_STR("template type", seen_json(wa2, "type", NULL), "template");
	TEST_STR("template name", seen_json(wa2, "template", "name"),
	    "loket_update");
	TEST("text as parameter", strstr(seen_json(wa2, "template",
	    "components"), "Uw klacht is geregistreerd.") != NULL);
	TEST("case reference as parameter", strstr(seen_json(wa3, "template",
	    "components"), "VMSW-2026-00042") != NULL);
	free(agency.wa_template);
	agency.wa_template = NULL;
	rd = enqueue("whatsapp", "32470000006", "typing", "{}", "bot");
	pump(ob);
	TEST_STR("typing without id: nothing to send", STATUS(rd), "sent");
	TEST("typing not sent", seen_count(rd) == 0);

	inbound("messenger", "psid-old", 25 * HOUR);
	ms1 = enqueue("messenger", "psid-old", "text", "{\"text\":\"bot\"}",
	    "bot");
	ms2 = enqueue("messenger", "psid-old", "text",
	    "{\"text\":\"medewerker\"}", "Els");
	inbound("messenger", "psid-ancient", 8 * 24 * HOUR);
	ms3 = enqueue("messenger", "psid-ancient", "text",
	    "{\"text\":\"te laat\"}", "Els");
	pump(ob);
	TEST_STR("messenger bot after 24 h failed", STATUS(ms1), "failed");
	TEST_STR("messenger staff after 24 h sent", STATUS(ms2), "sent");
	TEST_STR("HUMAN_AGENT tag", seen_json(ms2, "tag", NULL),
	    "HUMAN_AGENT");
	TEST_STR("MESSAGE_TAG", seen_json(ms2, "messaging_type", NULL),
	    "MESSAGE_TAG");
	TEST_STR("messenger staff after 7 days failed", STATUS(ms3),
	    "failed");
	inbound("messenger", "psid-new", HOUR);
	ms1 = enqueue("messenger", "psid-new", "text", "{\"text\":\"hoi\"}",
	    "bot");
	pump(ob);
	TEST_STR("inside window RESPONSE", seen_json(ms1, "messaging_type",
	    NULL), "RESPONSE");
	TEST("page url", seen_index(ms1) >= 0 && strstr(seen[seen_index(ms1)]
	    .url, "/me/messages") != NULL);
	outbox_free(ob);
}

static void
test_pacing(void)
{
	struct outbox *ob = new_outbox();
	long long ids[8], next;
	int i, sent = 0;

	inbound("whatsapp", "32470000007", HOUR);
	for (i = 0; i < 8; i++)
		ids[i] = enqueue("whatsapp", "32470000007", "text",
		    "{\"text\":\"bubble\"}", "bot");
	pump(ob);
	for (i = 0; i < 8; i++)
		sent += strcmp(STATUS(ids[i]), "sent") == 0;
	TEST("burst of 6 at once", sent == 6);
	next = q_int("SELECT next_attempt_at FROM outbox WHERE id = ?1",
	    ids[6]);
	TEST("7th paced ~6 s", next - now_ms > 0 && next - now_ms <= 6001);
	TEST("due when paced", outbox_next_due_ms(ob) == next - now_ms);
	TEST("pacing counted", outbox_stats(ob)->paced >= 1);
	now_ms = next;
	pump(ob);
	TEST_STR("7th sent", STATUS(ids[6]), "sent");
	TEST_STR("8th waits", STATUS(ids[7]), "pending");
	now_ms += 6001;
	pump(ob);
	TEST_STR("8th sent", STATUS(ids[7]), "sent");
	TEST("attempts not spent on pacing", q_int("SELECT attempts FROM "
	    "outbox WHERE id = ?1", ids[7]) == 1);

	/* Sending number: 5/s over 12 citizens. */
	agency.rate_per_sec = 5;
	now_ms += 10000;
	for (i = 0; i < 12; i++) {
		char user[32];

		snprintf(user, sizeof(user), "3248000%04d", i);
		inbound("whatsapp", user, HOUR);
		enqueue("whatsapp", user, "text", "{\"text\":\"r\"}", "bot");
	}
	outbox_free(ob);
	ob = new_outbox();
	TEST("rate: 5 in the first second", outbox_kick(ob) == 5);
	pump(ob);
	TEST("rate: held, not failed", q_int("SELECT count(*) FROM outbox "
	    "WHERE status = 'pending'", 0) == 7);
	TEST("rate: due within 200 ms", outbox_next_due_ms(ob) > 0 &&
	    outbox_next_due_ms(ob) <= 201);
	now_ms += 1000;
	pump(ob);
	now_ms += 1000;
	pump(ob);
	TEST("rate: all out after 2 s", q_int("SELECT count(*) FROM outbox "
	    "WHERE status = 'pending'", 0) == 0);
	agency.rate_per_sec = 80;
	outbox_free(ob);
}

/*
 * Two instances on one PostgreSQL: a citizen's pair pacing is shared.
 * One sends the burst; the other, taking the next reply when it is due,
 * goes on at one per 6 s (with pacing per instance it sent a second
 * burst).  Recovered citizens' rows are deleted after a minute.
 */
static void
test_pacing_shared(const char *name)
{
	struct store *db2;
	struct outbox *a, *b;
	struct outbox_opts o;
	long long ids[10], next;
	char err[256];
	int i, sent;

	if (store_kind(db) != STORE_PG)
		return;
	if ((db2 = store_open(name, err, sizeof(err))) == NULL) {
		TEST("second connection", 0);
		return;
	}
	a = new_outbox();
	memset(&o, 0, sizeof(o));
	o.wake = on_wake;
	o.responder = responder;
	o.now = test_now;
	b = outbox_new_opts(&cfg, db2, &o);
	inbound("whatsapp", "32470000017", HOUR);
	for (i = 0; i < 10; i++)
		ids[i] = enqueue("whatsapp", "32470000017", "text",
		    "{\"text\":\"bubble\"}", "bot");
	pump(a);
	for (i = 0, sent = 0; i < 10; i++)
		sent += strcmp(STATUS(ids[i]), "sent") == 0;
	TEST("shared: a sends the burst of 6", sent == 6);
	TEST("shared: the citizen's row", q_int("SELECT count(*) FROM "
	    "pair_pace WHERE citizen LIKE '%|32470000017' AND tat_us > "
	    "?1", now_ms * 1000) == 1);
	next = q_int("SELECT next_attempt_at FROM outbox WHERE id = ?1",
	    ids[6]);
	now_ms = next;
	pump(b);
	for (i = 0, sent = 0; i < 10; i++)
		sent += strcmp(STATUS(ids[i]), "sent") == 0;
	TEST("shared: b, taking over when due, sends one, not a burst",
	    sent == 7);
	TEST_STR("shared: the 8th waits", STATUS(ids[7]), "pending");
	now_ms += 6001;
	pump(a);
	TEST_STR("shared: 6 s later a sends the 8th", STATUS(ids[7]), "sent");
	TEST_STR("shared: the 9th waits", STATUS(ids[8]), "pending");
	now_ms += 6001;
	pump(b);
	now_ms += 6001;
	pump(a);
	TEST("shared: all out, one per 6 s", q_int("SELECT count(*) FROM "
	    "outbox WHERE user_id = '32470000017' AND status = 'sent'", 0)
	    == 10);
	now_ms += 2 * 60001;
	outbox_service(b, 0);
	TEST("shared: recovered citizens' rows deleted", q_int("SELECT "
	    "count(*) FROM pair_pace WHERE citizen LIKE '%|32470000017'", 0)
	    == 0);
	outbox_free(a);
	outbox_free(b);
	store_close(db2);
}

static void
status_row(const char *msg_id, const char *status, int code,
    long long received)
{
	char q[512];

	snprintf(q, sizeof(q), "INSERT INTO statuses (channel, msg_id, status, "
	    "user_id, error_code, error_text, meta_ts, received_at, raw) VALUES "
	    "('%s', '%s', '%s', 'psid-w', %s, %s, 0, %lld, '{}')",
	    strncmp(msg_id, "wamid", 5) == 0 ? "whatsapp" : "messenger", msg_id,
	    status, code ? "131047" : "NULL", code ? "'Re-engagement'" : "NULL",
	    received);
	sql(q);
}

static void
test_statuses(void)
{
	struct outbox *ob = new_outbox();
	long long a, b, c, m1;

	inbound("whatsapp", "32470000008", HOUR);
	a = enqueue("whatsapp", "32470000008", "text", "{\"text\":\"a\"}",
	    "bot");
	b = enqueue("whatsapp", "32470000008", "text", "{\"text\":\"b\"}",
	    "bot");
	c = enqueue("whatsapp", "32470000008", "text", "{\"text\":\"c\"}",
	    "bot");
	pump(ob);
	{
		char ida[32], idb[32], idc[32];

		snprintf(ida, sizeof(ida), "wamid.%lld", a);
		snprintf(idb, sizeof(idb), "wamid.%lld", b);
		snprintf(idc, sizeof(idc), "wamid.%lld", c);
		status_row(ida, "read", 0, now_ms);
		status_row(ida, "delivered", 0, now_ms);	/* late */
		status_row(idb, "failed", 1, now_ms);
		status_row(idc, "delivered", 0, now_ms);
		status_row(idc, "failed", 1, now_ms);	/* other device */
	}
	status_row("wamid.unknown-new", "delivered", 0, now_ms);
	status_row("wamid.unknown-old", "delivered", 0, now_ms - 3600000);
	TEST("applied", outbox_apply_statuses(ob) == 6);
	TEST_STR("read stays read", STATUS(a), "read");
	TEST_STR("failed after accept", STATUS(b), "failed");
	TEST("failed code", q_int("SELECT error_code FROM outbox WHERE id = ?1", b) == 131047);
	TEST_STR("delivered not undone by failed", STATUS(c), "delivered");
	TEST("recent unknown kept for its id", q_int("SELECT applied FROM "
	    "statuses WHERE msg_id = 'wamid.unknown-new'", 0) ==
	    0);
	TEST("old unknown given up", q_int("SELECT applied FROM statuses WHERE "
	    "msg_id = 'wamid.unknown-old'", 0) == 1);

	inbound("messenger", "psid-w", HOUR);
	m1 = enqueue("messenger", "psid-w", "text", "{\"text\":\"m\"}",
	    "bot");
	pump(ob);
	{
		char wm[64];

		snprintf(wm, sizeof(wm), "watermark:psid-w:%lld",
		    store_now_ms() + 1000);
		status_row(wm, "read", 0, now_ms);
	}
	outbox_apply_statuses(ob);
	TEST_STR("messenger watermark read", STATUS(m1), "read");
	outbox_free(ob);
}

static void
test_restart(void)
{
	struct outbox *ob;
	long long id, done, told;

	inbound("whatsapp", "32470000009", HOUR);
	inbound("whatsapp", "32470000011", HOUR);
	id = enqueue("whatsapp", "32470000009", "text", "{\"text\":\"x\"}",
	    "bot");
	done = enqueue("whatsapp", "32470000010", "text", "{\"text\":\"y\"}",
	    "bot");
	told = enqueue("whatsapp", "32470000011", "text", "{\"text\":\"z\"}",
	    "bot");
	/* As a crash leaves them: two in flight, one accepted; Meta's
	 * status for one of those in flight names it by its tag. */
	sql("UPDATE outbox SET submitted_at = 1, attempts = 1 WHERE "
	    "user_id IN ('32470000009', '32470000011')");
	sql("UPDATE outbox SET status = 'sent', meta_msg_id = 'wamid.done' "
	    "WHERE user_id = '32470000010'");
	status_row("wamid.before-crash", "delivered", 0, now_ms);
	{
		char q[200];

		snprintf(q, sizeof(q), "UPDATE statuses SET outbox_id = %lld "
		    "WHERE msg_id = 'wamid.before-crash'", told);
		sql(q);
	}
	ob = new_outbox();
	TEST("in-flight row pending again", q_int("SELECT submitted_at FROM "
	    "outbox WHERE id = ?1", id) == -1);
	pump(ob);
	outbox_apply_statuses(ob);
	TEST_STR("held for its status", STATUS(id), "pending");
	TEST("held: not sent yet", seen_count(id) == 0);
	TEST_STR("tagged status: row delivered without a resend", STATUS(told),
	    "delivered");
	TEST_STR("tagged status: its message id kept", q_str("SELECT "
	    "meta_msg_id FROM outbox WHERE id = ?1", told),
	    "wamid.before-crash");
	TEST("tagged status: never resent", seen_count(told) == 0);
	now_ms += 60001;	/* OUTBOX_RESEND_GRACE_MS */
	pump(ob);
	TEST_STR("no status in the grace period: resent", STATUS(id), "sent");
	TEST("resent once", seen_count(id) == 1);
	TEST("accepted row never resent", seen_count(done) == 0);
	outbox_free(ob);
}

static void
test_log_mode(void)
{
	struct outbox *ob;
	struct outbox_opts o;
	char *url = cfg.graph_url;
	long long id;

	cfg.graph_url = "log:";
	memset(&o, 0, sizeof(o));
	o.wake = on_wake;
	o.now = test_now;
	ob = outbox_new_opts(&cfg, db, &o);
	inbound("whatsapp", "32470000011", HOUR);
	id = enqueue("whatsapp", "32470000011", "text", "{\"text\":\"x\"}",
	    "bot");
	pump(ob);
	TEST_STR("log: accepted", STATUS(id), "sent");
	TEST("log: synthetic id", strncmp(q_str("SELECT meta_msg_id FROM "
	    "outbox WHERE id = ?1", id), "log.", 4) == 0);
	outbox_free(ob);
	cfg.graph_url = url;
}

static void
test_transaction_guard(void)
{
	struct outbox *ob = new_outbox();
	long long id;

	inbound("whatsapp", "32470000012", HOUR);
	store_begin(db);
	id = enqueue("whatsapp", "32470000012", "text", "{\"text\":\"x\"}",
	    "bot");
	TEST("no kick inside the caller's transaction", outbox_kick(ob) == 0);
	TEST("no statuses inside it", outbox_apply_statuses(ob) == 0);
	outbox_service(ob, 1);
	TEST("the caller's transaction is still open",
	    store_in_transaction(db));
	store_commit(db);
	TEST_STR("nothing sent yet", STATUS(id), "pending");
	outbox_service(ob, 1);
	pump(ob);
	TEST_STR("sent after the commit", STATUS(id), "sent");
	outbox_free(ob);
}

int
main(void)
{
	char path[64], err[256], name[600];

	log_set_level(LOG_LVL_ERROR);
	snprintf(path, sizeof(path), "/tmp/loket-test-outbox-%d.db",
	    (int)getpid());
	unlink(path);
	if (test_db(path, name, sizeof(name)) == NULL ||
	    (db = store_open(name, err, sizeof(err))) == NULL) {
		printf("store_open: %s\n", err);
		return 1;
	}
	agency.id = "vmsw";
	agency.access_token = "TOKEN";
	agency.page_token = "PAGETOKEN";
	agency.wa_template_lang = "nl";
	agency.rate_per_sec = 80;
	cfg.agencies = &agency;
	cfg.n_agencies = 1;
	cfg.graph_url = "https://graph.example/v24.0";
	cfg.app_secret = "secret";
	now_ms = store_now_ms();
	test_order();
	test_retry();
	test_give_up();
	test_permanent();
	test_window();
	test_sync_131047();
	test_pacing();
	test_pacing_shared(name);
	test_statuses();
	test_restart();
	test_log_mode();
	test_transaction_guard();
	forget_seen();
	store_close(db);
	unlink(path);
	{
		char p2[80];

		snprintf(p2, sizeof(p2), "%s-wal", path);
		unlink(p2);
		snprintf(p2, sizeof(p2), "%s-shm", path);
		unlink(p2);
	}
	return TEST_REPORT();
}
