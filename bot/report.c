/*
 * report.c — the figures of one report, as a JSON object: counts per
 * channel, first intent and outcome, complaints, questions, abuse,
 * response times and cases, for the whole period, per agency and channel
 * and per ISO week, plus the topic signals (report_signals.c).
 *
 * Conversations are counted from the anonymous outcomes table by the
 * time they ended, so a purge never changes a figure; messages by the
 * time they arrived, cases by the time they were received.
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"

static const char *const channels[] = { "whatsapp", "messenger", NULL };

static const char sql_inbound[] =
	"SELECT channel, count(*) FROM inbound WHERE kind = 'message'"
	" AND agency IS NOT NULL AND" REPORT_FILTER("received_at")
	" GROUP BY channel";
static const char sql_intents[] =
	"SELECT coalesce(first_intent, 'onbekend'), count(*) FROM outcomes"
	" WHERE" REPORT_FILTER("ended_at") " GROUP BY 1 ORDER BY 1";
static const char sql_outcomes[] =
	"SELECT outcome, channel, staff_involved > 0, count(*) FROM outcomes"
	" WHERE" REPORT_FILTER("ended_at") " GROUP BY 1, 2, 3";
static const char sql_times[] =
	"SELECT first_msg_at, first_reply_at, ended_at, staff_involved > 0"
	" FROM outcomes WHERE first_msg_at IS NOT NULL AND"
	REPORT_FILTER("ended_at");
static const char sql_abuse[] =
	"SELECT coalesce(sum(abuse), 0),"
	" coalesce(sum(CASE WHEN abuse > 0 THEN 1 ELSE 0 END), 0)"
	" FROM conversations WHERE" REPORT_FILTER("started_at");
/* Messages up for review (review.h): misread by the bot, rescued or
 * marked by staff; one row per message, kept through purges. */
static const char sql_misread[] =
	"SELECT count(*) FROM review_items WHERE" REPORT_FILTER("received_at");
static const char sql_agencies[] =
	"SELECT agency FROM outcomes WHERE ended_at >= ?3 AND ended_at < ?4"
	" AND (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" UNION SELECT agency FROM inbound WHERE received_at >= ?3"
	" AND received_at < ?4 AND agency IS NOT NULL"
	" AND (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" UNION SELECT agency FROM cases WHERE received_at >= ?3"
	" AND received_at < ?4"
	" AND (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" ORDER BY 1";

/* First-reply histogram bounds, seconds; the last bucket is open. */
static const long hist_bounds_s[] = { 60, 300, 900, 3600, 14400, 36000,
	86400, 259200 };
#define HIST_N	(sizeof(hist_bounds_s) / sizeof(hist_bounds_s[0]) + 1)

struct store_stmt *
report_stmt(struct store *st, const char *sql, const struct report_filt *f)
{
	struct store_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return NULL;
	if (store_bind_text(s, 1, f->agency, -1) != 0 ||
	    store_bind_text(s, 2, f->channel, -1) != 0 ||
	    store_bind_int64(s, 3, f->from) != 0 ||
	    store_bind_int64(s, 4, f->to) != 0) {
		store_stmt_done(s);
		return NULL;
	}
	return s;
}

/* Steps to the end; -1 if the statement failed. */
int
report_finish(struct store_stmt *s, int rc)
{
	store_stmt_done(s);
	return rc == STORE_DONE ? 0 : -1;
}

const char *
report_col_text(struct store_stmt *s, int i, const char *dflt)
{
	const char *t = store_col_text(s, i);

	return t != NULL ? (const char *)t : dflt;
}

/* o[k] += n (k created at 0). */
void
report_jadd(json_t *o, const char *k, json_int_t n)
{
	json_t *v = json_object_get(o, k);

	json_object_set_new(o, k, json_integer((v ? json_integer_value(v) :
	    0) + n));
}

json_t *
report_zeros(const char *const *names)
{
	json_t *o = json_object();

	for (; *names != NULL; names++)
		json_object_set_new(o, *names, json_integer(0));
	return o;
}

static int
fig_inbound(struct store *st, const struct report_filt *f, json_t *out)
{
	json_t *o = report_zeros(channels);
	struct store_stmt *s;
	json_int_t total = 0, n;
	int rc;

	if ((s = report_stmt(st, sql_inbound, f)) == NULL) {
		json_decref(o);
		return -1;
	}
	while ((rc = store_step(s)) == STORE_ROW) {
		n = store_col_int64(s, 1);
		report_jadd(o, report_col_text(s, 0, "?"), n);
		total += n;
	}
	json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(out, "inbound", o);
	return report_finish(s, rc);
}

static int
fig_intents(struct store *st, const struct report_filt *f, json_t *out)
{
	json_t *o = json_object();
	struct store_stmt *s;
	int rc;

	if ((s = report_stmt(st, sql_intents, f)) == NULL) {
		json_decref(o);
		return -1;
	}
	while ((rc = store_step(s)) == STORE_ROW)
		report_jadd(o, report_col_text(s, 0, "onbekend"),
		    store_col_int64(s, 1));
	json_object_set_new(out, "first_intents", o);
	return report_finish(s, rc);
}

static int
is_complaint(const char *o)
{
	return strcmp(o, "case_created") == 0 ||
	    strcmp(o, "redirected") == 0 || strcmp(o, "referred") == 0;
}

/* Questions a person answered: staff took part and it ended answered. */
static int
staff_answered(const char *o)
{
	return strcmp(o, "answered") == 0 || strcmp(o, "handed_over") == 0 ||
	    strcmp(o, "closed_by_staff") == 0;
}

/* One outcome group row into outcomes, complaints, suggestions and
 * questions. */
static void
tally_outcome(json_t *out, const char *o, const char *ch, int staff,
    json_int_t n)
{
	json_t *c = json_object_get(out, "complaints");
	json_t *q = json_object_get(out, "questions");

	report_jadd(json_object_get(out, "outcomes"), o, n);
	report_jadd(out, "conversations", n);
	if (is_complaint(o)) {
		report_jadd(c, "total", n);
		report_jadd(c, o, n);
		report_jadd(c, ch, n);
	}
	if (strcmp(o, "suggestion_logged") == 0)
		report_jadd(out, "suggestions", n);
	if (strcmp(o, "answered") == 0 && !staff)
		report_jadd(q, "answered_by_bot", n);
	if (staff && staff_answered(o))
		report_jadd(q, "answered_by_staff", n);
}

static int
fig_outcomes(struct store *st, const struct report_filt *f, json_t *out)
{
	static const char *const cnames[] = { "total", "case_created",
	    "redirected", "referred", "whatsapp", "messenger", NULL };
	static const char *const qnames[] = { "answered_by_bot",
	    "answered_by_staff", NULL };
	struct store_stmt *s;
	int rc;

	json_object_set_new(out, "conversations", json_integer(0));
	json_object_set_new(out, "outcomes",
	    report_zeros(report_outcome_names));
	json_object_set_new(out, "complaints", report_zeros(cnames));
	json_object_set_new(out, "suggestions", json_integer(0));
	json_object_set_new(out, "questions", report_zeros(qnames));
	if ((s = report_stmt(st, sql_outcomes, f)) == NULL)
		return -1;
	while ((rc = store_step(s)) == STORE_ROW)
		tally_outcome(out, report_col_text(s, 0, "?"),
		    report_col_text(s, 1, "?"),
		    store_col_int(s, 2), store_col_int64(s, 3));
	return report_finish(s, rc);
}

static int
fig_abuse(struct store *st, const struct report_filt *f, json_t *out)
{
	struct store_stmt *s;
	int rc;

	if ((s = report_stmt(st, sql_abuse, f)) == NULL)
		return -1;
	if ((rc = store_step(s)) == STORE_ROW) {
		json_object_set_new(out, "abuse", json_pack("{s:I, s:I}",
		    "messages", (json_int_t)store_col_int64(s, 0),
		    "conversations", (json_int_t)store_col_int64(s, 1)));
		rc = store_step(s);
	}
	return report_finish(s, rc);
}

/* Seconds from ms, rounded half up; null when there is no sample. */
static json_t *
secs(const struct report_stat *r, double ms)
{
	return r->count ? json_integer((json_int_t)floor(ms / 1000 + 0.5)) :
	    json_null();
}

static json_t *
time_stat(struct report_vec *v)
{
	struct report_stat r;

	report_stat(v->v, v->n, &r);
	return json_pack("{s:I, s:o, s:o, s:o}", "count", (json_int_t)r.count,
	    "median_s", secs(&r, r.median), "mean_s", secs(&r, r.mean),
	    "p90_s", secs(&r, r.p90));
}

static json_t *
histogram(const struct report_vec *v)
{
	json_int_t n[HIST_N];
	json_t *a = json_array();
	size_t i, b;

	memset(n, 0, sizeof(n));
	for (i = 0; i < v->n; i++) {
		for (b = 0; b < HIST_N - 1; b++)
			if (v->v[i] <= hist_bounds_s[b] * 1000LL)
				break;
		n[b]++;
	}
	for (b = 0; b < HIST_N; b++)
		json_array_append_new(a, json_pack("{s:o, s:I}", "le_s",
		    b < HIST_N - 1 ? json_integer(hist_bounds_s[b]) :
		    json_null(), "count", n[b]));
	return a;
}

/* reply[0..1]: first reply bot/staff; close[0..1]; all[0..1]. */
struct time_samples {
	struct report_vec reply[2];
	struct report_vec close[2];
	struct report_vec reply_all;
	struct report_vec close_all;
};

static int
add_time_row(struct time_samples *t, struct store_stmt *s)
{
	long long msg = store_col_int64(s, 0);
	long long end = store_col_int64(s, 2);
	int staff = store_col_int(s, 3) ? 1 : 0;

	if (!store_col_null(s, 1)) {
		long long d = store_col_int64(s, 1) - msg;

		if (d >= 0 && (report_vec_push(&t->reply[staff], d) == -1 ||
		    report_vec_push(&t->reply_all, d) == -1))
			return -1;
	}
	if (end >= msg && (report_vec_push(&t->close[staff], end - msg) == -1 ||
	    report_vec_push(&t->close_all, end - msg) == -1))
		return -1;
	return 0;
}

static void
time_samples_free(struct time_samples *t)
{
	int i;

	for (i = 0; i < 2; i++) {
		report_vec_free(&t->reply[i]);
		report_vec_free(&t->close[i]);
	}
	report_vec_free(&t->reply_all);
	report_vec_free(&t->close_all);
}

static int
fig_times(struct store *st, const struct report_filt *f, json_t *out)
{
	struct time_samples t;
	struct store_stmt *s;
	json_t *hist;
	int rc;

	memset(&t, 0, sizeof(t));
	if ((s = report_stmt(st, sql_times, f)) == NULL)
		return -1;
	while ((rc = store_step(s)) == STORE_ROW)
		if (add_time_row(&t, s) == -1) {
			rc = STORE_ERROR;
			break;
		}
	hist = histogram(&t.reply_all);
	json_object_set_new(out, "response_times", json_pack(
	    "{s:{s:o, s:o, s:o}, s:{s:o, s:o, s:o}, s:o}",
	    "first_reply", "all", time_stat(&t.reply_all),
	    "bot", time_stat(&t.reply[0]), "staff", time_stat(&t.reply[1]),
	    "close", "all", time_stat(&t.close_all),
	    "bot", time_stat(&t.close[0]), "staff", time_stat(&t.close[1]),
	    "first_reply_histogram", hist));
	time_samples_free(&t);
	return report_finish(s, rc);
}

/* "misunderstood": {"messages", "share"}: the share of the messages
 * received (fig_inbound ran first), null without messages. */
static int
fig_misread(struct store *st, const struct report_filt *f, json_t *out)
{
	json_int_t n = 0, total;
	struct store_stmt *s;
	int rc;

	if ((s = report_stmt(st, sql_misread, f)) == NULL)
		return -1;
	if ((rc = store_step(s)) == STORE_ROW)
		n = store_col_int64(s, 0);
	total = json_integer_value(json_object_get(json_object_get(out,
	    "inbound"), "total"));
	json_object_set_new(out, "misunderstood", json_pack("{s:I, s:o}",
	    "messages", n, "share", total > 0 ? json_real(
	    (double)(n > total ? total : n) / (double)total) : json_null()));
	return report_finish(s, rc == STORE_ROW ? STORE_DONE : rc);
}

/* Every figure of one slice into out. */
static int
figures(struct store *st, const struct report_filt *f, json_t *out)
{
	if (fig_inbound(st, f, out) == -1 || fig_outcomes(st, f, out) == -1 ||
	    fig_intents(st, f, out) == -1 || fig_abuse(st, f, out) == -1 ||
	    fig_times(st, f, out) == -1 || report_fig_cases(st, f, out) == -1 ||
	    fig_misread(st, f, out) == -1)
		return -1;
	return 0;
}

static int
agency_block(struct store *st, const struct report_query *q,
    const struct report_filt *all, const char *id, json_t *agencies)
{
	const struct agency *a = q->cfg ? config_agency(q->cfg, id) : NULL;
	json_t *o = json_object(), *chs = json_object();
	struct report_filt f = *all;
	size_t i;

	json_object_set_new(agencies, id, o);
	json_object_set_new(o, "name", a ? json_string(a->name) : json_null());
	json_object_set_new(o, "handling_term_days", a ?
	    json_integer(a->handling_term_days) : json_null());
	f.agency = id;
	if (figures(st, &f, o) == -1)
		return -1;
	json_object_set_new(o, "channels", chs);
	for (i = 0; channels[i] != NULL; i++) {
		json_t *c = json_object();

		json_object_set_new(chs, channels[i], c);
		f.channel = channels[i];
		if (figures(st, &f, c) == -1)
			return -1;
	}
	return 0;
}

static int
all_agencies(struct store *st, const struct report_query *q,
    const struct report_filt *all, json_t *out)
{
	json_t *agencies = json_object(), *ids = json_array();
	struct store_stmt *s;
	size_t i;
	int rc;

	json_object_set_new(out, "agencies", agencies);
	if ((s = report_stmt(st, sql_agencies, all)) == NULL) {
		json_decref(ids);
		return -1;
	}
	while ((rc = store_step(s)) == STORE_ROW)
		json_array_append_new(ids,
		    json_string(report_col_text(s, 0, "")));
	if (report_finish(s, rc) == -1) {
		json_decref(ids);
		return -1;
	}
	for (i = 0; i < json_array_size(ids); i++)
		if (agency_block(st, q, all, json_string_value(
		    json_array_get(ids, i)), agencies) == -1)
			break;
	rc = i == json_array_size(ids) ? 0 : -1;
	json_decref(ids);
	return rc;
}

/* Spans of at most this many weeks get their figures week by week; a
 * longer one is first asked whether it has any data at all. */
#define WEEKS_ASKED_WHOLE	8

struct week_span {
	struct store		*st;
	const struct report_filt *all;
	json_t			*weeks;	/* the entries, labelled */
	const long long		*start;	/* start[i]: week i's first ms */
	const json_t		*none;	/* the figures of no data at all */
};

/* The figures of weeks lo..hi-1, clipped to the period, into their
 * entries. */
static int
fill_weeks(const struct week_span *ws, size_t lo, size_t hi)
{
	struct report_filt f = *ws->all;
	json_t *fig;
	size_t i, mid;
	int empty;

	f.from = ws->start[lo] > f.from ? ws->start[lo] : f.from;
	f.to = ws->start[hi] < f.to ? ws->start[hi] : f.to;
	if (hi - lo == 1)
		return figures(ws->st, &f, json_array_get(ws->weeks, lo));
	if (hi - lo > WEEKS_ASKED_WHOLE) {
		/* Every count adds up over the weeks and none is negative:
		 * a span whose figures are those of no data has none in any
		 * of its weeks.  A report over years thus reads only the
		 * weeks with data (on PostgreSQL each figure is a round
		 * trip: 100 years took seconds). */
		if ((fig = json_object()) == NULL || figures(ws->st, &f,
		    fig) == -1) {
			json_decref(fig);
			return -1;
		}
		empty = json_equal(fig, (json_t *)ws->none);
		json_decref(fig);
		if (empty) {
			for (i = lo; i < hi; i++) {
				fig = json_deep_copy(ws->none);
				json_object_update(json_array_get(ws->weeks,
				    i), fig);
				json_decref(fig);
			}
			return 0;
		}
		mid = lo + (hi - lo) / 2;
		return fill_weeks(ws, lo, mid) == -1 ? -1 :
		    fill_weeks(ws, mid, hi);
	}
	for (i = lo; i < hi; i++)
		if (fill_weeks(ws, i, i + 1) == -1)
			return -1;
	return 0;
}

/* One entry per ISO week touching the period, clipped to it, so the
 * weeks add up to the totals. */
static int
weekly(struct store *st, const struct report_filt *all, json_t *out)
{
	json_t *weeks = json_array(), *none = json_object();
	struct report_filt empty = *all;
	struct week_span ws;
	long long *start = NULL, s, *grown;
	size_t n = 0, cap = 0;
	char label[9], day[11];
	int rc = -1;

	json_object_set_new(out, "weekly", weeks);
	for (s = report_week_start(all->from); s < all->to;
	    s = report_week_start(s + 8 * REPORT_MS_PER_DAY)) {
		json_t *w = json_object();

		if (n + 2 > cap) {	/* the next week's start ends it */
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(start, cap * sizeof(*start))) ==
			    NULL)
				goto out;
			start = grown;
		}
		start[n++] = s;
		report_week_label(s, label);
		report_format_date(s, day);
		json_object_set_new(w, "week", json_string(label));
		json_object_set_new(w, "week_start", json_string(day));
		json_array_append_new(weeks, w);
	}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	start[n] = report_week_start(start[n - 1] + 8 * REPORT_MS_PER_DAY);
	empty.to = empty.from;		/* a window without any time */
	if (figures(st, &empty, none) == -1)
		goto out;
	ws = (struct week_span){ st, all, weeks, start, none };
	rc = fill_weeks(&ws, 0, n);
out:
	free(start);
	json_decref(none);
	return rc;
}

static void
period(const struct report_query *q, json_t *out)
{
	char from[11], to[11];

	report_format_date(q->from_ms, from);
	report_format_date(q->to_ms - 1, to);
	json_object_set_new(out, "period", json_pack("{s:s, s:s, s:I, s:I}",
	    "from", from, "to", to, "from_ms", (json_int_t)q->from_ms,
	    "to_ms", (json_int_t)q->to_ms));
}

json_t *
report_build(struct store *st, const struct report_query *q, char *err,
    size_t errlen)
{
	long long now = q->now_ms ? q->now_ms : store_now_ms();
	struct report_filt all = { q->agency, NULL, q->from_ms, q->to_ms,
	    now < q->to_ms ? now : q->to_ms };
	char gen[17];
	json_t *out = json_object();

	if (out == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	report_format_datetime(now, gen);
	json_object_set_new(out, "report", json_string("loket"));
	json_object_set_new(out, "version", json_integer(1));
	json_object_set_new(out, "generated_at", json_string(gen));
	json_object_set_new(out, "timezone", json_string("Europe/Brussels"));
	period(q, out);
	json_object_set_new(out, "agency", q->agency ?
	    json_string(q->agency) : json_null());
	if (figures(st, &all, out) == -1 ||
	    all_agencies(st, q, &all, out) == -1 ||
	    weekly(st, &all, out) == -1 ||
	    report_signals(st, q, out) == -1) {
		snprintf(err, errlen, "database: %s",
		    store_errmsg(st));
		json_decref(out);
		return NULL;
	}
	return out;
}

char *
report_json(struct store *st, const struct report_query *q)
{
	char err[256], *text;
	json_t *r;

	if ((r = report_build(st, q, err, sizeof(err))) == NULL) {
		log_warnx("event=report_failed msg=\"%s\"", err);
		return NULL;
	}
	text = json_dumps(r, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(r);
	return text;
}
