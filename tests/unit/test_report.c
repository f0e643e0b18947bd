/*
 * test_report.c — a known history (two agencies, both channels, four ISO
 * weeks of January 2026) in a temporary database; every figure of the
 * report JSON and every CSV row is checked against numbers worked out by
 * hand in the comments below.  Then signals, HTML escaping, purge (what
 * goes, what stays, figures unchanged) and erase.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "report.h"
#include "store.h"
#include "testhelp.h"
#include "testutil.h"

#define MIN	60000LL
#define HOUR	3600000LL

static char dbpath[256];

/* Brussels local time on a date. */
static long long
T(const char *date, int h, int m)
{
	long long ms = 0;

	if (report_parse_date(date, 0, &ms) == -1)
		abort();
	return ms + h * HOUR + m * MIN;
}

static void
exec(struct store *st, const char *fmt, ...)
{
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);	/* only its %Q quoting */
	va_end(ap);
	if (store_exec(st, sql) == -1) {
		printf("SQL failed: %s\n%s\n", store_errmsg(st), sql);
		fflush(stdout);
		abort();
	}
	sqlite3_free(sql);
}

static long long
count(struct store *st, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	struct store_stmt *s;
	long long n = -1;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if ((s = store_prepare(st, sql)) != NULL &&
	    store_step(s) == STORE_ROW)
		n = store_col_int64(s, 0);
	store_finalize(s);
	sqlite3_free(sql);
	return n;
}

static void
inbound(struct store *st, const char *ch, const char *agency,
    const char *user, const char *kind, long long at, long long conv)
{
	static int seq;
	char c[32];

	snprintf(c, sizeof(c), "%lld", conv);
	exec(st, "INSERT INTO inbound (channel, agency, user_id, user_name,"
	    " msg_id, kind, type, text, meta_ts, received_at, raw,"
	    " conversation_id) VALUES (%Q, %Q, %Q, 'Els', 'm%d', %Q, 'text',"
	    " 'mijn tekst', %lld, %lld, '{\"raw\":1}', %s)", ch, agency, user,
	    ++seq, kind, at, at, conv ? c : "NULL");
}

/* One outcome: reply and close are seconds after the first message;
 * reply < 0 means no reply. */
static void
outcome(struct store *st, const char *agency, const char *ch,
    const char *intent, const char *topic, const char *oc,
    const char *ref, long long first, long reply, long close, int staff)
{
	static int turns;
	char rbuf[32];

	snprintf(rbuf, sizeof(rbuf), "%lld", first + reply * 1000LL);
	exec(st, "INSERT INTO outcomes (agency, channel, first_intent, topic,"
	    " outcome, case_ref, first_msg_at, first_reply_at, ended_at, turns,"
	    " staff_involved) VALUES (%Q, %Q, %Q, %Q, %Q, %Q, %lld, %s, %lld,"
	    " %d, %d)", agency, ch, intent, topic, oc, ref, first,
	    reply < 0 ? "NULL" : rbuf, first + close * 1000LL, ++turns, staff);
}

static void
kase(struct store *st, const char *ref, const char *agency, const char *ch,
    const char *subject, const char *status, const char *adm,
    const char *reason, const char *verdict, long long recv,
    long long deadline, long long handled, long long conv)
{
	char h[32], c[32];

	snprintf(h, sizeof(h), "%lld", handled);
	snprintf(c, sizeof(c), "%lld", conv);
	exec(st, "INSERT INTO cases (reference, agency, year, seq, channel,"
	    " conversation_id, name, email, phone, description, subject,"
	    " status, admissible, inadmissible_reason, verdict, received_at,"
	    " deadline_at, handled_at, updated_at) VALUES (%Q, %Q, 2026,"
	    " (SELECT count(*) + 1 FROM cases), %Q, %s, 'Els Peeters',"
	    " 'els@example.be', '+32470123456', 'De lift is stuk', %Q, %Q,"
	    " %Q, %Q, %Q, %lld, %lld, %s, %lld)", ref, agency, ch,
	    conv ? c : "NULL", subject, status, adm, reason, verdict, recv,
	    deadline, handled ? h : "NULL", recv);
}

static long long
conversation(struct store *st, const char *agency, const char *ch,
    const char *user, long long started, long long ended, int abuse)
{
	char e[32];

	snprintf(e, sizeof(e), "%lld", ended);
	exec(st, "INSERT INTO conversations (agency, channel, user_id,"
	    " user_phone, user_name, data, started_at, ended_at, abuse, open)"
	    " VALUES (%Q, %Q, %Q, %Q, 'Els', '{\"name\":\"Els\"}', %lld, %s,"
	    " %d, %d)", agency, ch, user, user, started, ended ? e : "NULL",
	    abuse, ended ? 0 : 1);
	return count(st, "SELECT max(id) FROM conversations");
}

static long long conv_els;	/* open conversation of 32470123456 */

static void
history(struct store *st)
{
	long long c;

	/* Messages: vmsw wa 5, vmsw ms 1, wse wa 2, wse ms 1 = 9. */
	inbound(st, "whatsapp", "vmsw", "32470123456", "message",
	    T("2026-01-05", 9, 0), 0);
	inbound(st, "whatsapp", "vmsw", "32470123456", "message",
	    T("2026-01-06", 9, 0), 0);
	inbound(st, "whatsapp", "vmsw", "32470999999", "message",
	    T("2026-01-07", 9, 0), 0);
	inbound(st, "whatsapp", "vmsw", "32470999999", "message",
	    T("2026-01-12", 9, 0), 0);
	inbound(st, "whatsapp", "vmsw", "32470999999", "message",
	    T("2026-01-13", 9, 0), 0);
	inbound(st, "messenger", "vmsw", "7001", "message",
	    T("2026-01-20", 9, 0), 0);
	inbound(st, "whatsapp", "wse", "32470888888", "message",
	    T("2026-01-26", 9, 0), 0);
	inbound(st, "whatsapp", "wse", "32470888888", "message",
	    T("2026-02-01", 23, 0), 0);
	inbound(st, "messenger", "wse", "7002", "message",
	    T("2026-01-08", 9, 0), 0);
	/* Not counted: a reaction, unrouted, before and after. */
	inbound(st, "whatsapp", "vmsw", "32470123456", "reaction",
	    T("2026-01-05", 9, 1), 0);
	inbound(st, "whatsapp", NULL, "32470777777", "message",
	    T("2026-01-05", 9, 2), 0);
	inbound(st, "whatsapp", "vmsw", "32470123456", "message",
	    T("2026-01-04", 23, 30), 0);
	inbound(st, "whatsapp", "vmsw", "32470123456", "message",
	    T("2026-02-02", 0, 0), 0);

	/* Outcomes, numbered as in the comments of check_totals. */
	outcome(st, "vmsw", "whatsapp", "vraag", "afspraak", "answered",
	    NULL, T("2026-01-05", 10, 0), 5, 60, 0);		/* 1 */
	outcome(st, "vmsw", "whatsapp", "vraag", "afspraak", "answered",
	    NULL, T("2026-01-06", 10, 0), 15, 300, 0);		/* 2 */
	outcome(st, "vmsw", "whatsapp", "klacht", NULL, "case_created",
	    "VMSW-2026-00001", T("2026-01-07", 9, 0), 10, 1200, 0); /* 3 */
	outcome(st, "vmsw", "messenger", "ongenoegen", NULL, "redirected",
	    NULL, T("2026-01-20", 12, 0), 20, 600, 0);		/* 4 */
	outcome(st, "vmsw", "whatsapp", "vraag", NULL, "handed_over",
	    NULL, T("2026-01-13", 8, 0), 3600, 7200, 1);	/* 5 */
	outcome(st, "wse", "whatsapp", "klacht", NULL, "case_created",
	    "WSE-2026-00001", T("2026-01-26", 10, 0), 30, 900, 0); /* 6 */
	outcome(st, "wse", "messenger", "klacht", NULL, "referred",
	    NULL, T("2026-01-08", 10, 0), 40, 500, 0);		/* 7 */
	outcome(st, "wse", "whatsapp", "suggestie", NULL,
	    "suggestion_logged", NULL, T("2026-01-27", 10, 0), 2, 30, 0);
	outcome(st, "wse", "whatsapp", "scheldwoorden", NULL,
	    "abusive_ignored", NULL, T("2026-01-28", 10, 0), -1, 10, 0);
	outcome(st, "vmsw", "whatsapp", "vraag", NULL, "answered",
	    NULL, T("2026-01-14", 10, 0), 600, 1800, 1);	/* 10 */
	outcome(st, "vmsw", "whatsapp", NULL, NULL, "abandoned",
	    NULL, T("2026-01-15", 10, 0), 5, 86400, 0);		/* 11 */
	outcome(st, "vmsw", "whatsapp", "vraag", "afspraak", "answered",
	    NULL, T("2026-01-04", 10, 0), 5, 60, 0);	/* before: W01 */

	/* Abuse: 3 + 1 messages in 2 conversations. */
	conversation(st, "wse", "whatsapp", "32470888888",
	    T("2026-01-28", 10, 0), T("2026-01-28", 10, 1), 3);
	conv_els = conversation(st, "vmsw", "whatsapp", "32470123456",
	    T("2026-01-10", 10, 0), 0, 1);
	c = conv_els;

	kase(st, "VMSW-2026-00001", "vmsw", "whatsapp", "Herstelling lift",
	    "afgehandeld", "1", NULL, "gegrond", T("2026-01-07", 9, 20),
	    T("2026-01-07", 9, 20) + 45 * REPORT_MS_PER_DAY,
	    T("2026-01-27", 15, 0), c);
	kase(st, "WSE-2026-00001", "wse", "whatsapp", "=HYPERLINK(\"x\")",
	    "in_behandeling", "1", NULL, NULL, T("2026-01-26", 10, 15),
	    T("2026-03-12", 10, 15), 0, 0);
	kase(st, "VMSW-2026-00002", "vmsw", "messenger", "Wachttijd, te lang",
	    "afgehandeld", "0", "anoniem", NULL, T("2026-01-12", 11, 0),
	    T("2026-01-22", 11, 0), T("2026-01-23", 9, 0), 0);
	kase(st, "VMSW-2026-00003", "vmsw", "whatsapp", "-5 euro", "nieuw",
	    NULL, NULL, NULL, T("2026-01-14", 10, 0), T("2026-01-20", 10, 0),
	    0, 0);
}

static json_int_t
I(const json_t *r, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		r = json_object_get(r, key);
		path = dot + 1;
	}
	r = json_object_get(r, path);
	return json_is_integer(r) ? json_integer_value(r) : -999;
}

static double
D(const json_t *r, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		r = json_object_get(r, key);
		path = dot + 1;
	}
	r = json_object_get(r, path);
	return json_is_number(r) ? json_number_value(r) : -999;
}

#define EQ(r, path, want) do {						\
	json_int_t got_ = I(r, path);					\
	TEST(path, got_ == (want));					\
	if (got_ != (want))						\
		printf("     %s: got %lld want %lld\n", path,		\
		    (long long)got_, (long long)(want));		\
} while (0)

static void
check_totals(const json_t *r)
{
	EQ(r, "inbound.total", 9);
	EQ(r, "inbound.whatsapp", 7);
	EQ(r, "inbound.messenger", 2);
	EQ(r, "conversations", 11);
	EQ(r, "outcomes.answered", 3);		/* 1, 2, 10 */
	EQ(r, "outcomes.handed_over", 1);
	EQ(r, "outcomes.case_created", 2);
	EQ(r, "outcomes.redirected", 1);
	EQ(r, "outcomes.referred", 1);
	EQ(r, "outcomes.suggestion_logged", 1);
	EQ(r, "outcomes.abusive_ignored", 1);
	EQ(r, "outcomes.abandoned", 1);
	EQ(r, "outcomes.stopped", 0);
	EQ(r, "outcomes.closed_by_staff", 0);
	TEST("ten outcome names", json_object_size(json_object_get(r,
	    "outcomes")) == 10);
	EQ(r, "first_intents.vraag", 4);
	EQ(r, "first_intents.klacht", 3);
	EQ(r, "first_intents.ongenoegen", 1);
	EQ(r, "first_intents.suggestie", 1);
	EQ(r, "first_intents.scheldwoorden", 1);
	EQ(r, "first_intents.onbekend", 1);
	TEST("six first intents", json_object_size(json_object_get(r,
	    "first_intents")) == 6);
	EQ(r, "complaints.total", 4);
	EQ(r, "complaints.case_created", 2);
	EQ(r, "complaints.redirected", 1);
	EQ(r, "complaints.referred", 1);
	EQ(r, "complaints.whatsapp", 2);
	EQ(r, "complaints.messenger", 2);
	EQ(r, "suggestions", 1);
	EQ(r, "questions.answered_by_bot", 2);
	EQ(r, "questions.answered_by_staff", 2);
	EQ(r, "abuse.messages", 4);
	EQ(r, "abuse.conversations", 2);
}

static void
check_times(const json_t *r)
{
	const json_t *h = json_object_get(json_object_get(r,
	    "response_times"), "first_reply_histogram");
	static const json_int_t hist[] = { 8, 0, 1, 1, 0, 0, 0, 0, 0 };
	size_t i;

	/* Replies 2 5 5 10 15 20 30 40 600 3600 s. */
	EQ(r, "response_times.first_reply.all.count", 10);
	EQ(r, "response_times.first_reply.all.median_s", 18);	/* 17.5 */
	EQ(r, "response_times.first_reply.all.mean_s", 433);	/* 432.7 */
	EQ(r, "response_times.first_reply.all.p90_s", 600);
	EQ(r, "response_times.first_reply.bot.count", 8);
	EQ(r, "response_times.first_reply.bot.median_s", 13);	/* 12.5 */
	EQ(r, "response_times.first_reply.bot.mean_s", 16);	/* 15.875 */
	EQ(r, "response_times.first_reply.bot.p90_s", 40);
	EQ(r, "response_times.first_reply.staff.count", 2);
	EQ(r, "response_times.first_reply.staff.median_s", 2100);
	EQ(r, "response_times.first_reply.staff.mean_s", 2100);
	EQ(r, "response_times.first_reply.staff.p90_s", 3600);
	EQ(r, "response_times.close.all.count", 11);
	EQ(r, "response_times.close.all.median_s", 600);
	EQ(r, "response_times.close.all.mean_s", 9000);
	EQ(r, "response_times.close.all.p90_s", 7200);
	EQ(r, "response_times.close.bot.count", 9);
	EQ(r, "response_times.close.bot.median_s", 500);
	EQ(r, "response_times.close.bot.mean_s", 10000);
	EQ(r, "response_times.close.bot.p90_s", 86400);
	EQ(r, "response_times.close.staff.median_s", 4500);
	EQ(r, "response_times.close.staff.mean_s", 4500);
	EQ(r, "response_times.close.staff.p90_s", 7200);
	TEST("histogram has 9 buckets", json_array_size(h) == 9);
	for (i = 0; i < 9; i++)
		EQ(json_array_get(h, i), "count", hist[i]);
	TEST("last bucket open", json_is_null(json_object_get(
	    json_array_get(h, 8), "le_s")));
	EQ(json_array_get(h, 0), "le_s", 60);
}

static void
check_cases(const json_t *r)
{
	EQ(r, "cases.total", 4);
	EQ(r, "cases.by_status.afgehandeld", 2);
	EQ(r, "cases.by_status.in_behandeling", 1);
	EQ(r, "cases.by_status.nieuw", 1);
	EQ(r, "cases.admissibility.ontvankelijk", 2);
	EQ(r, "cases.admissibility.onontvankelijk", 1);
	EQ(r, "cases.admissibility.undecided", 1);
	EQ(r, "cases.admissibility.reasons.anoniem", 1);
	EQ(r, "cases.by_verdict.gegrond", 1);
	EQ(r, "cases.by_verdict.deels_gegrond", 0);
	EQ(r, "cases.by_verdict.ongegrond", 0);
	EQ(r, "cases.handled", 2);
	EQ(r, "cases.handled_within_term", 1);
	EQ(r, "cases.handled_late", 1);
	EQ(r, "cases.open", 2);
	EQ(r, "cases.overdue", 1);
	EQ(r, "cases.days_taken.count", 2);
	TEST("days median 15.5", D(r, "cases.days_taken.median") == 15.5);
	TEST("days mean 15.5", D(r, "cases.days_taken.mean") == 15.5);
	EQ(r, "cases.days_taken.p90", 20);
	EQ(r, "cases.days_taken.max", 20);
}

static void
check_agencies(const json_t *r)
{
	const json_t *a = json_object_get(r, "agencies");
	const json_t *v = json_object_get(a, "vmsw");
	const json_t *w = json_object_get(a, "wse");

	TEST("two agencies", json_object_size(a) == 2);
	EQ(v, "inbound.total", 6);
	EQ(v, "conversations", 7);
	EQ(v, "complaints.total", 2);
	EQ(v, "cases.total", 3);
	EQ(v, "questions.answered_by_bot", 2);
	EQ(v, "questions.answered_by_staff", 2);
	EQ(v, "abuse.messages", 1);
	EQ(v, "channels.whatsapp.inbound.total", 5);
	EQ(v, "channels.whatsapp.conversations", 6);
	EQ(v, "channels.whatsapp.complaints.case_created", 1);
	EQ(v, "channels.messenger.inbound.total", 1);
	EQ(v, "channels.messenger.complaints.redirected", 1);
	EQ(v, "channels.messenger.cases.total", 1);
	EQ(v, "channels.messenger.cases.handled_late", 1);
	EQ(w, "inbound.total", 3);
	EQ(w, "conversations", 4);
	EQ(w, "complaints.total", 2);
	EQ(w, "suggestions", 1);
	EQ(w, "cases.total", 1);
	EQ(w, "cases.open", 1);
	EQ(w, "channels.whatsapp.inbound.total", 2);
	EQ(w, "channels.messenger.complaints.referred", 1);
	EQ(w, "channels.whatsapp.response_times.first_reply.all.count", 2);
	TEST("no name without config", json_is_null(json_object_get(v,
	    "name")));
}

static void
check_weekly(const json_t *r)
{
	static const char *const label[] = { "2026-W02", "2026-W03",
	    "2026-W04", "2026-W05" };
	static const char *const start[] = { "2026-01-05", "2026-01-12",
	    "2026-01-19", "2026-01-26" };
	static const json_int_t wa[] = { 3, 2, 0, 2 }, ms[] = { 1, 0, 1, 0 };
	static const json_int_t conv[] = { 4, 3, 1, 3 }, cases[] = { 1, 2, 0,
	    1 };
	const json_t *wk = json_object_get(r, "weekly"), *w;
	size_t i;

	TEST("four weeks", json_array_size(wk) == 4);
	for (i = 0; i < 4 && i < json_array_size(wk); i++) {
		w = json_array_get(wk, i);
		TEST_STR("week label", json_string_value(json_object_get(w,
		    "week")), label[i]);
		TEST_STR("week start", json_string_value(json_object_get(w,
		    "week_start")), start[i]);
		EQ(w, "inbound.whatsapp", wa[i]);
		EQ(w, "inbound.messenger", ms[i]);
		EQ(w, "conversations", conv[i]);
		EQ(w, "cases.total", cases[i]);
	}
	EQ(json_array_get(wk, 0), "complaints.total", 2);	/* 3, 7 */
	EQ(json_array_get(wk, 3), "outcomes.abusive_ignored", 1);
}

/* Keys whose values do not add up over slices, and the keys that are
 * not figures. */
static int
not_additive(const char *k)
{
	static const char *const keys[] = { "median_s", "mean_s", "p90_s",
	    "median", "mean", "p90", "max", "le_s", "handling_term_days",
	    "channels", "agencies", "weekly", "period", "version", NULL };
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

/*
 * Every count of `total` equals the sum of the same count over the
 * slices (agencies, channels of an agency, weeks): so every figure of
 * every slice is checked, given the totals checked by hand above.
 */
static void
check_sum(const json_t *total, const json_t *const *slices, size_t n,
    const char *where)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)total, k, v) {
		if (not_additive(k))
			continue;
		if (json_is_object(v)) {
			const json_t *sub[64];

			for (i = 0; i < n && i < 64; i++)
				sub[i] = json_object_get(slices[i], k);
			check_sum(v, sub, n, k);
		} else if (json_is_array(v) && strcmp(k, "first_reply_histogram")
		    == 0) {
			size_t b;

			for (b = 0; b < json_array_size(v); b++) {
				json_int_t sum = 0;

				for (i = 0; i < n; i++)
					sum += I(json_array_get(
					    json_object_get(slices[i], k), b),
					    "count");
				TEST("histogram adds up", sum == I(
				    json_array_get(v, b), "count"));
			}
		} else if (json_is_integer(v)) {
			json_int_t sum = 0;

			for (i = 0; i < n; i++)
				sum += json_integer_value(json_object_get(
				    slices[i], k));
			TEST(k, sum == json_integer_value(v));
			if (sum != json_integer_value(v))
				printf("     %s.%s: slices %lld, total %lld\n",
				    where, k, (long long)sum,
				    (long long)json_integer_value(v));
		}
	}
}

static void
check_slices(const json_t *r)
{
	const json_t *ag = json_object_get(r, "agencies"), *a, *wk;
	const json_t *sl[64];
	const char *id;
	json_t *v;
	size_t n = 0, i;

	json_object_foreach((json_t *)ag, id, v)
		sl[n++] = v;
	check_sum(r, sl, n, "agencies");
	json_object_foreach((json_t *)ag, id, v) {
		a = json_object_get(v, "channels");
		sl[0] = json_object_get(a, "whatsapp");
		sl[1] = json_object_get(a, "messenger");
		check_sum(v, sl, 2, id);
	}
	wk = json_object_get(r, "weekly");
	for (i = 0; i < json_array_size(wk) && i < 64; i++)
		sl[i] = json_array_get(wk, i);
	check_sum(r, sl, i, "weekly");
}

static const char *const register_csv =
	"referentie,ontvangen,entiteit,kanaal,onderwerp,status,ontvankelijk,"
	"reden_onontvankelijk,oordeel,afgehandeld,dagen,binnen_termijn\r\n"
	"VMSW-2026-00001,2026-01-07,vmsw,whatsapp,Herstelling lift,"
	"afgehandeld,ja,,gegrond,2026-01-27,20,ja\r\n"
	"VMSW-2026-00002,2026-01-12,vmsw,messenger,\"Wachttijd, te lang\","
	"afgehandeld,nee,anoniem,,2026-01-23,11,nee\r\n"
	"VMSW-2026-00003,2026-01-14,vmsw,whatsapp,'-5 euro,nieuw,,,,,,nee\r\n"
	"WSE-2026-00001,2026-01-26,wse,whatsapp,\"'=HYPERLINK(\"\"x\"\")\","
	"in_behandeling,ja,,,,,\r\n";

static const char *const conversations_csv =
	"entiteit,kanaal,eerste_intentie,onderwerp,uitkomst,referentie,"
	"eerste_bericht,eerste_antwoord,afgesloten,seconden_tot_antwoord,"
	"seconden_tot_afsluiting,beurten,medewerker\r\n"
	"vmsw,whatsapp,vraag,afspraak,answered,,2026-01-05 10:00,"
	"2026-01-05 10:00,2026-01-05 10:01,5,60,1,nee\r\n"
	"vmsw,whatsapp,vraag,afspraak,answered,,2026-01-06 10:00,"
	"2026-01-06 10:00,2026-01-06 10:05,15,300,2,nee\r\n"
	"vmsw,whatsapp,klacht,,case_created,VMSW-2026-00001,2026-01-07 09:00,"
	"2026-01-07 09:00,2026-01-07 09:20,10,1200,3,nee\r\n"
	"wse,messenger,klacht,,referred,,2026-01-08 10:00,2026-01-08 10:00,"
	"2026-01-08 10:08,40,500,7,nee\r\n"
	"vmsw,whatsapp,vraag,,handed_over,,2026-01-13 08:00,2026-01-13 09:00,"
	"2026-01-13 10:00,3600,7200,5,ja\r\n"
	"vmsw,whatsapp,vraag,,answered,,2026-01-14 10:00,2026-01-14 10:10,"
	"2026-01-14 10:30,600,1800,10,ja\r\n"
	"vmsw,whatsapp,,,abandoned,,2026-01-15 10:00,2026-01-15 10:00,"
	"2026-01-16 10:00,5,86400,11,nee\r\n"
	"vmsw,messenger,ongenoegen,,redirected,,2026-01-20 12:00,"
	"2026-01-20 12:00,2026-01-20 12:10,20,600,4,nee\r\n"
	"wse,whatsapp,klacht,,case_created,WSE-2026-00001,2026-01-26 10:00,"
	"2026-01-26 10:00,2026-01-26 10:15,30,900,6,nee\r\n"
	"wse,whatsapp,suggestie,,suggestion_logged,,2026-01-27 10:00,"
	"2026-01-27 10:00,2026-01-27 10:00,2,30,8,nee\r\n"
	"wse,whatsapp,scheldwoorden,,abusive_ignored,,2026-01-28 10:00,,"
	"2026-01-28 10:00,,10,9,nee\r\n";

/* Runs a CSV writer into memory. */
static char *
csv(struct store *st, const struct report_query *q, int what)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (what == 0)
		report_write_cases_csv(f, st, q, 0);
	else if (what == 1)
		report_write_conversations_csv(f, st, q);
	else
		report_write_cases_csv(f, st, q, 1);
	fclose(f);
	return text;
}

static void
query_jan(struct report_query *q)
{
	memset(q, 0, sizeof(*q));
	report_parse_date("2026-01-05", 0, &q->from_ms);
	report_parse_date("2026-02-01", 1, &q->to_ms);
	q->now_ms = T("2026-06-01", 12, 0);
}

/*
 * Three years around January 2026: the weeks without data are asked for
 * in long spans (report.c), the weeks with data one by one.  Each week
 * of January is the same entry as in the January report (but for
 * cases.overdue, judged at the end of the period), only the six weeks
 * of the fixture (2026-W01 to W06) have data, and the weeks add up to
 * the totals of the three years.
 */
static void
test_weekly_long(struct store *st)
{
	static const char *const keys[] = { "inbound.total",
	    "conversations", "cases.total", "complaints.total",
	    "outcomes.case_created", "outcomes.abusive_ignored",
	    "misunderstood.messages",
	    "response_times.first_reply.all.count", NULL };
	struct report_query q;
	json_t *jan, *r, *wk, *jwk, *w, *jw;
	json_int_t sum;
	char err[256];
	size_t i, j, with_data = 0, same = 0;

	query_jan(&q);
	jan = report_build(st, &q, err, sizeof(err));
	report_parse_date("2025-01-01", 0, &q.from_ms);
	report_parse_date("2027-12-31", 1, &q.to_ms);
	r = report_build(st, &q, err, sizeof(err));
	TEST("three years: report builds", jan != NULL && r != NULL);
	if (jan == NULL || r == NULL) {
		json_decref(jan);
		json_decref(r);
		return;
	}
	wk = json_object_get(r, "weekly");
	jwk = json_object_get(jan, "weekly");
	TEST("three years: one entry per week", json_array_size(wk) == 157);
	for (j = 0; j < json_array_size(jwk); j++)
		json_object_del(json_object_get(json_array_get(jwk, j),
		    "cases"), "overdue");
	for (i = 0; i < json_array_size(wk); i++) {
		w = json_array_get(wk, i);
		with_data += I(w, "inbound.total") + I(w, "conversations") > 0;
		json_object_del(json_object_get(w, "cases"), "overdue");
		for (j = 0; j < json_array_size(jwk); j++) {
			jw = json_array_get(jwk, j);
			if (json_equal(json_object_get(w, "week"),
			    json_object_get(jw, "week")))
				same += json_equal(w, jw);
		}
	}
	TEST("three years: January's weeks as in January's report",
	    same == 4);
	TEST("three years: only the fixture's weeks have data",
	    with_data == 6);
	for (i = 0; keys[i] != NULL; i++) {
		for (sum = 0, j = 0; j < json_array_size(wk); j++)
			sum += I(json_array_get(wk, j), keys[i]);
		TEST(keys[i], sum == I(r, keys[i]));
	}
	json_decref(jan);
	json_decref(r);
}

static void
test_report(struct store *st)
{
	struct report_query q;
	json_t *r, *parsed;
	char err[256], *text;

	query_jan(&q);
	r = report_build(st, &q, err, sizeof(err));
	TEST("report builds", r != NULL);
	if (r == NULL)
		return;
	TEST_STR("period from", json_string_value(json_object_get(
	    json_object_get(r, "period"), "from")), "2026-01-05");
	TEST_STR("period to", json_string_value(json_object_get(
	    json_object_get(r, "period"), "to")), "2026-02-01");
	TEST("agency null", json_is_null(json_object_get(r, "agency")));
	check_totals(r);
	check_times(r);
	check_cases(r);
	check_agencies(r);
	check_weekly(r);
	check_slices(r);
	TEST("no signals in the history",
	    json_array_size(json_object_get(r, "signals")) == 0);
	/* report_json is the same report as text (for the console). */
	text = report_json(st, &q);
	parsed = text ? json_loads(text, 0, NULL) : NULL;
	TEST("report_json parses back", parsed != NULL);
	check_totals(parsed);
	json_decref(parsed);
	free(text);
	/* No personal data anywhere in the aggregate. */
	text = json_dumps(r, 0);
	TEST("no name in the report", strstr(text, "Els") == NULL);
	TEST("no number in the report", strstr(text, "3247") == NULL);
	TEST("no text in the report", strstr(text, "tekst") == NULL);
	free(text);
	json_decref(r);

	q.agency = "wse";
	r = report_build(st, &q, err, sizeof(err));
	EQ(r, "inbound.total", 3);
	EQ(r, "conversations", 4);
	EQ(r, "cases.total", 1);
	TEST("one agency block", json_object_size(json_object_get(r,
	    "agencies")) == 1);
	json_decref(r);
}

static void
test_csv(struct store *st)
{
	struct report_query q;
	char *text;

	query_jan(&q);
	text = csv(st, &q, 0);
	TEST_STR("complaint register", text, register_csv);
	free(text);
	text = csv(st, &q, 1);
	TEST_STR("conversation outcomes", text, conversations_csv);
	free(text);
	text = csv(st, &q, 2);
	TEST("export has contact details", text != NULL &&
	    strstr(text, ",naam,email,telefoon,dossier,beschrijving\r\n") &&
	    strstr(text, ",Els Peeters,els@example.be,'+32470123456,,"
	    "De lift is stuk\r\n"));
	free(text);
	q.agency = "wse";
	text = csv(st, &q, 0);
	TEST("register for one agency", text != NULL &&
	    strstr(text, "VMSW") == NULL && strstr(text, "WSE-2026-00001"));
	free(text);
}

static void
test_dates(void)
{
	long long ms;
	char buf[17];

	TEST("bad date", report_parse_date("2026-02-30", 0, &ms) == -1);
	TEST("bad date 2", report_parse_date("2026-1-05", 0, &ms) == -1);
	TEST("bad date 3", report_parse_date("2026-01-05x", 0, &ms) == -1);
	TEST("bad date 4", report_parse_date("2026- 1-05", 0, &ms) == -1);
	TEST("bad date 5", report_parse_date("2026-+1-05", 0, &ms) == -1);
	TEST("short date", report_parse_date("2026-01", 0, &ms) == -1);
	TEST("winter midnight", report_parse_date("2026-01-05", 0, &ms) == 0
	    && ms == 1767567600000LL);
	TEST("summer midnight", report_parse_date("2026-07-01", 0, &ms) == 0
	    && ms == 1782856800000LL);
	report_parse_date("2026-03-29", 1, &ms);	/* DST day: 23 h */
	TEST("end of DST day", ms == 1774821600000LL);
	report_format_date(1774821600000LL, buf);
	TEST_STR("format date", buf, "2026-03-30");
	/* The console's last 30 days, across the DST change. */
	{
		struct report_query q;
		char from[11], to[11];

		report_query_last_days(&q, 30, T("2026-04-10", 15, 0));
		report_format_date(q.from_ms, from);
		report_format_date(q.to_ms - 1, to);
		TEST_STR("last 30 days from", from, "2026-03-12");
		TEST_STR("last 30 days to", to, "2026-04-10");
		TEST("last 30 days start at midnight",
		    report_parse_date("2026-03-12", 0, &ms) == 0 &&
		    ms == q.from_ms);
	}
}

/* Topic signals: parkeren jumps in W05 (6 against 1 in four weeks);
 * afval rises too little (5 against a mean of 4); escaping in HTML. */
static void
test_signals(void)
{
	struct report_query q;
	struct store *st;
	char err[256], path[300], name[600], *html = NULL;
	size_t len = 0, i;
	json_t *r, *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s.sig", dbpath);
	st = test_db(path, name, sizeof(name)) == NULL ? NULL :
	    store_open(name, err, sizeof(err));
	outcome(st, "vmsw", "whatsapp", "vraag", "parkeren", "answered", NULL,
	    T("2025-12-30", 10, 0), 5, 60, 0);
	for (i = 0; i < 6; i++)
		outcome(st, "vmsw", "whatsapp", "vraag", "parkeren",
		    "answered", NULL, T("2026-01-27", 10, (int)i), 5, 60, 0);
	for (i = 0; i < 21; i++)
		outcome(st, "wse", "whatsapp", "vraag", "afval", "answered",
		    NULL, T("2025-12-29", 10, 0) + (long long)(i / 4 > 4 ? 4 :
		    i / 4) * 7 * REPORT_MS_PER_DAY + (long long)i * MIN,
		    5, 60, 0);
	outcome(st, "<b>&", "whatsapp", "vraag", "<script>x</script>",
	    "answered", NULL, T("2026-01-27", 10, 0), 5, 60, 0);
	memset(&q, 0, sizeof(q));
	report_parse_date("2026-01-26", 0, &q.from_ms);
	report_parse_date("2026-02-01", 1, &q.to_ms);
	r = report_build(st, &q, err, sizeof(err));
	s = json_object_get(r, "signals");
	TEST("one signal", json_array_size(s) == 1);
	s = json_array_get(s, 0);
	TEST_STR("signal topic", json_string_value(json_object_get(s,
	    "topic")), "parkeren");
	TEST_STR("signal week", json_string_value(json_object_get(s,
	    "week")), "2026-W05");
	EQ(s, "questions", 6);
	TEST("signal baseline", D(s, "baseline_mean") == 0.25);
	EQ(r, "conversations", 12);	/* W05 only: 6 + 5 afval + 1 */
	f = open_memstream(&html, &len);
	TEST("html written", report_write_html(f, r) == 0);
	fclose(f);
	TEST("html escapes agency", strstr(html, "&lt;b&gt;&amp;") != NULL &&
	    strstr(html, "<b>&") == NULL);
	TEST("html has no script", strstr(html, "<script") == NULL);
	TEST("html has charts", strstr(html, "<svg") != NULL);
	TEST("html has print css", strstr(html, "@media print") != NULL);
	TEST("html has no external asset", strstr(html, "http") == NULL &&
	    strstr(html, "src=") == NULL);
	free(html);
	json_decref(r);
	/* An agency whose data starts in W05: no history, no signal. */
	for (i = 0; i < 8; i++)
		outcome(st, "nieuw", "whatsapp", "vraag", "parkeren",
		    "answered", NULL, T("2026-01-28", 10, (int)i), 5, 60, 0);
	q.agency = "nieuw";
	r = report_build(st, &q, err, sizeof(err));
	EQ(r, "conversations", 8);
	TEST("no signal without history", json_array_size(json_object_get(r,
	    "signals")) == 0);
	json_decref(r);
	store_close(st);
	unlink(path);
}

static void
outbox(struct store *st, long long conv, const char *user,
    const char *status, long long at)
{
	exec(st, "INSERT INTO outbox (conversation_id, agency, channel,"
	    " user_id, to_phone, kind, body, status, created_at, updated_at)"
	    " VALUES (%lld, 'vmsw', 'whatsapp', %Q, %Q, 'text',"
	    " '{\"text\":\"Dag Els\"}', %Q, %lld, %lld)", conv, user, user,
	    status, at, at);
}

/* Old and finished data; then a purge in batches of 500. */
static long long
old_history(struct store *st)
{
	long long old;
	int i;

	old = conversation(st, "vmsw", "whatsapp", "32470555555",
	    T("2025-01-02", 10, 0), T("2025-01-02", 11, 0), 0);
	exec(st, "BEGIN");
	for (i = 0; i < 1200; i++)
		inbound(st, "whatsapp", "vmsw", "32470555555", "message",
		    T("2025-01-02", 10, 0) + i, old);
	exec(st, "COMMIT");
	inbound(st, "whatsapp", "vmsw", "32470123456", "message",
	    T("2025-01-05", 10, 0), conv_els);	/* open: kept */
	outcome(st, "vmsw", "whatsapp", "klacht", NULL, "case_created",
	    "VMSW-2025-00001", T("2025-01-02", 10, 0), 5, 3600, 0);
	kase(st, "VMSW-2025-00001", "vmsw", "whatsapp", "Oud", "afgehandeld",
	    "1", NULL, "ongegrond", T("2025-01-02", 10, 30),
	    T("2025-02-16", 10, 30), T("2025-01-20", 10, 0), old);
	kase(st, "VMSW-2025-00002", "vmsw", "whatsapp", "Open", "nieuw",
	    NULL, NULL, NULL, T("2025-01-03", 10, 30),
	    T("2025-02-17", 10, 30), 0, 0);
	outbox(st, old, "32470555555", "sent", T("2025-01-02", 10, 1));
	exec(st, "INSERT INTO unexpected (channel, received_at, reason, digest,"
	    " raw) VALUES ('whatsapp', %lld, 'x', 'd1', '{\"from\":"
	    "\"32470555555\"}'), ('whatsapp', %lld, 'x', 'd2', '{\"from\":"
	    "\"32470123456\"}')", T("2025-01-03", 0, 0), T("2026-01-10", 0, 0));
	exec(st, "INSERT INTO statuses (channel, msg_id, status, user_id,"
	    " meta_ts, received_at, raw) VALUES ('whatsapp', 'w1', 'read',"
	    " '32470555555', 1, %lld, '{}')", T("2025-01-02", 12, 0));
	return old;
}

static void
test_purge(struct store *st)
{
	struct report_query q, qold;
	struct report_purge_counts c;
	struct report_purge_cursor cur;
	json_t *before, *after, *obefore, *oafter;
	long long old, n_outcomes;
	char err[256];
	int rc, rounds = 0;

	old = old_history(st);
	query_jan(&q);
	qold = q;
	report_parse_date("2025-01-01", 0, &qold.from_ms);
	report_parse_date("2025-01-31", 1, &qold.to_ms);
	before = report_build(st, &q, err, sizeof(err));
	obefore = report_build(st, &qold, err, sizeof(err));
	n_outcomes = count(st, "SELECT count(*) FROM outcomes");
	memset(&c, 0, sizeof(c));
	memset(&cur, 0, sizeof(cur));
	do {	/* as the server does: one batch per table per tick */
		rc = report_purge_run(st, T("2025-06-01", 0, 0), 1, &cur, &c);
	} while (rc == 0 && ++rounds < 10);
	TEST("purge done", rc == 1);
	TEST("purge took three calls of one batch (1200 rows)", rounds == 2);
	TEST("purge counts", c.inbound == 1200 && c.conversations == 1 &&
	    c.cases == 1 && c.outbox == 1 && c.statuses == 1 &&
	    c.unexpected == 1);
	TEST("old messages blanked", count(st, "SELECT count(*) FROM inbound"
	    " WHERE conversation_id = %lld AND (text IS NOT NULL OR"
	    " user_id <> '' OR raw <> '' OR user_name IS NOT NULL)", old) == 0);
	TEST("old messages still counted", count(st, "SELECT count(*) FROM"
	    " inbound WHERE conversation_id = %lld", old) == 1200);
	TEST("open conversation's old message kept", count(st,
	    "SELECT count(*) FROM inbound WHERE conversation_id = %lld AND"
	    " text IS NOT NULL", conv_els) == 1);
	TEST("recent messages kept", count(st, "SELECT count(*) FROM inbound"
	    " WHERE text IS NOT NULL") == 14);
	TEST("old conversation anonymous", count(st, "SELECT count(*) FROM"
	    " conversations WHERE id = %lld AND user_id = '' AND user_phone"
	    " IS NULL AND user_name IS NULL AND data = '{}'", old) == 1);
	TEST("handled case: contact gone, register kept", count(st,
	    "SELECT count(*) FROM cases WHERE reference = 'VMSW-2025-00001'"
	    " AND name IS NULL AND email IS NULL AND phone IS NULL AND"
	    " description IS NULL AND status = 'afgehandeld' AND"
	    " verdict = 'ongegrond'") == 1);
	TEST("open case kept", count(st, "SELECT count(*) FROM cases WHERE"
	    " reference = 'VMSW-2025-00002' AND name IS NOT NULL") == 1);
	TEST("recent handled case kept", count(st, "SELECT count(*) FROM cases"
	    " WHERE reference = 'VMSW-2026-00001' AND name IS NOT NULL") == 1);
	TEST("old reply blanked", count(st, "SELECT count(*) FROM outbox WHERE"
	    " conversation_id = %lld AND body = '{}' AND to_phone IS NULL",
	    old) == 1);
	TEST("old unexpected body gone", count(st, "SELECT count(*) FROM"
	    " unexpected") == 1);
	TEST("old status blanked", count(st, "SELECT count(*) FROM statuses"
	    " WHERE raw = '' AND user_id IS NULL") == 1);
	TEST("outcomes untouched", count(st, "SELECT count(*) FROM outcomes")
	    == n_outcomes);
	after = report_build(st, &q, err, sizeof(err));
	oafter = report_build(st, &qold, err, sizeof(err));
	TEST("figures unchanged after purge", json_equal(before, after));
	TEST("old figures unchanged after purge", json_equal(obefore, oafter));
	EQ(oafter, "inbound.total", 1201);
	EQ(oafter, "cases.total", 2);
	EQ(oafter, "complaints.case_created", 1);
	memset(&c, 0, sizeof(c));
	TEST("second purge finds nothing", report_purge(st,
	    T("2025-06-01", 0, 0), 0, &c) == 1 && c.inbound == 0 &&
	    c.conversations == 0 && c.cases == 0 && c.outbox == 0);
	json_decref(before);
	json_decref(after);
	json_decref(obefore);
	json_decref(oafter);
}

static void
test_erase(struct store *st)
{
	struct report_purge_counts c;
	struct report_query q;
	char err[256];
	json_t *r;

	outbox(st, conv_els, "32470123456", "sent", T("2026-01-10", 10, 0));
	outbox(st, conv_els, "32470123456", "pending", T("2026-01-10", 10, 1));
	memset(&c, 0, sizeof(c));
	TEST("erase needs an id", report_erase(st, "", 1, &c) == -1);
	TEST("erase", report_erase(st, "32470123456", T("2026-06-01", 0, 0),
	    &c) == 0);
	TEST("erase counts", c.inbound == 6 && c.conversations == 1 &&
	    c.cases == 1 && c.outbox == 2 && c.unexpected == 1);
	TEST("citizen's messages gone", count(st, "SELECT count(*) FROM"
	    " inbound WHERE user_id = '32470123456' OR user_phone ="
	    " '32470123456'") == 0);
	TEST("others' messages kept", count(st, "SELECT count(*) FROM inbound"
	    " WHERE user_id = '32470999999' AND text IS NOT NULL") == 3);
	TEST("conversation closed and anonymous", count(st, "SELECT count(*)"
	    " FROM conversations WHERE id = %lld AND open = 0 AND user_id = ''"
	    " AND ended_at IS NOT NULL", conv_els) == 1);
	TEST("case contact gone, case kept", count(st, "SELECT count(*) FROM"
	    " cases WHERE reference = 'VMSW-2026-00001' AND name IS NULL AND"
	    " email IS NULL AND status = 'afgehandeld'") == 1);
	TEST("pending reply cancelled", count(st, "SELECT count(*) FROM outbox"
	    " WHERE conversation_id = %lld AND status = 'cancelled' AND"
	    " body = '{}'", conv_els) == 1);
	TEST("other case untouched", count(st, "SELECT count(*) FROM cases"
	    " WHERE reference = 'WSE-2026-00001' AND name IS NOT NULL") == 1);
	query_jan(&q);
	r = report_build(st, &q, err, sizeof(err));
	EQ(r, "inbound.total", 9);
	EQ(r, "cases.total", 4);
	json_decref(r);
}

/*
 * A transient lock (another process in a write transaction) fails the
 * retention purge; it is tried again within seconds, not a day later.
 */
static void
test_purge_retry(struct store *st)
{
	struct report_purge_state *ps = NULL;
	struct config cfg;
	sqlite3 *other;
	long long left;

	/* The lock below is SQLite's (another process on the file). */
	if (store_kind(st) != STORE_SQLITE)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.retention_days = 30;
	exec(st, "INSERT INTO unexpected (channel, received_at, reason, digest,"
	    " raw) VALUES ('whatsapp', 1000, 'x', 'retry-1', '{}')");
	if (sqlite3_open(dbpath, &other) != SQLITE_OK) {
		TEST("second connection", 0);
		return;
	}
	/* Waits for the lock itself (a checkpoint of st may hold it an
	 * instant on a busy machine). */
	sqlite3_busy_timeout(other, 5000);
	TEST("another process takes the write lock", sqlite3_exec(other,
	    "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	report_purge_maybe(&ps, st, &cfg);	/* busy: fails after 2 s */
	left = count(st, "SELECT count(*) FROM unexpected WHERE digest = "
	    "'retry-1'");
	TEST("purge under a held lock fails", left == 1);
	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(other);
	usleep(1100 * 1000);
	report_purge_maybe(&ps, st, &cfg);
	TEST("purge tried again a second later, and done", count(st,
	    "SELECT count(*) FROM unexpected WHERE digest = 'retry-1'") == 0);
	report_purge_free(ps);
}

int
main(void)
{
	struct store *st;
	char err[256], name[600];

	snprintf(dbpath, sizeof(dbpath), "/tmp/loket-test-report-%d.db",
	    (int)getpid());
	unlink(dbpath);
	if (test_db(dbpath, name, sizeof(name)) == NULL ||
	    (st = store_open(name, err, sizeof(err))) == NULL) {
		printf("store_open: %s\n", err);
		return 1;
	}
	history(st);
	test_dates();
	test_report(st);
	test_weekly_long(st);
	test_csv(st);
	test_signals();
	test_purge(st);
	test_erase(st);
	test_purge_retry(st);
	store_close(st);
	unlink(dbpath);
	return TEST_REPORT();
}
