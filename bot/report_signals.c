/*
 * report_signals.c — topics that suddenly draw many questions (what
 * Informatie Vlaanderen signals to the agencies).  The rule: in a week
 * (Monday to Sunday, Brussels time) a topic is signalled when it drew at
 * least REPORT_SIGNAL_MIN questions and at least REPORT_SIGNAL_FACTOR
 * times the mean of the REPORT_SIGNAL_WEEKS weeks before.  Questions are
 * counted from outcomes.topic (the topic the conversation asked about),
 * by the time the conversation ended, over whole weeks.  A week is only
 * judged when the database holds data from the start of the weeks it is
 * compared with (else every topic of a new installation is a "spike").
 */
#include "report_int.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static const char sql_topics[] =
	"SELECT topic, ended_at FROM outcomes WHERE topic IS NOT NULL"
	" AND topic <> '' AND (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" AND ended_at >= ?2 AND ended_at < ?3";

/* The first week with data: before it a topic only looks new. */
static const char sql_first[] =
	"SELECT min(ended_at) FROM outcomes"
	" WHERE (CAST(?1 AS TEXT) IS NULL OR agency = ?1)";

struct weeks {
	long long	*start;		/* n + 1 boundaries */
	size_t		 n;
	long long	 first;		/* start of the first week with data */
};

/* Week boundaries from REPORT_SIGNAL_WEEKS weeks before the period's
 * first week to the end of its last. */
static int
weeks_init(struct weeks *w, const struct report_query *q)
{
	struct report_vec v;
	long long ws = report_week_start(q->from_ms);
	int i;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < REPORT_SIGNAL_WEEKS; i++)
		ws = report_week_start(ws - 3 * REPORT_MS_PER_DAY);
	for (;;) {
		if (report_vec_push(&v, ws) == -1) {
			report_vec_free(&v);
			return -1;
		}
		if (ws >= q->to_ms)
			break;
		ws = report_week_start(ws + 8 * REPORT_MS_PER_DAY);
	}
	w->start = v.v;
	w->n = v.n - 1;
	w->first = LLONG_MAX;
	return 0;
}

static int
first_week(struct store *st, const struct report_query *q, struct weeks *w)
{
	struct store_stmt *s = store_stmt(st, sql_first);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, q->agency, -1);
	if ((rc = store_step(s)) == STORE_ROW &&
	    !store_col_null(s, 0))
		w->first = report_week_start(store_col_int64(s, 0));
	store_stmt_done(s);
	return rc == STORE_ROW ? 0 : -1;
}

static size_t
week_of(const struct weeks *w, long long t)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (t < w->start[i + 1])
			return i;
	return w->n - 1;
}

/* counts: object topic -> array of per-week counts. */
static int
count_topics(struct store *st, const struct report_query *q,
    const struct weeks *w, json_t *counts)
{
	struct store_stmt *s = store_stmt(st, sql_topics);
	json_t *a, *v;
	size_t i;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, q->agency, -1);
	store_bind_int64(s, 2, w->start[0]);
	store_bind_int64(s, 3, w->start[w->n]);
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *t = store_col_text(s, 0);

		if ((a = json_object_get(counts, t)) == NULL) {
			a = json_array();
			for (i = 0; i < w->n; i++)
				json_array_append_new(a, json_integer(0));
			json_object_set_new(counts, t, a);
		}
		i = week_of(w, store_col_int64(s, 1));
		v = json_array_get(a, i);
		json_integer_set(v, json_integer_value(v) + 1);
	}
	store_stmt_done(s);
	return rc == STORE_DONE ? 0 : -1;
}

static void
check_topic(const char *topic, json_t *a, const struct weeks *w,
    json_t *signals)
{
	size_t i, k;
	json_int_t c, sum;
	double mean;
	char label[9], day[11];

	for (i = REPORT_SIGNAL_WEEKS; i < w->n; i++) {
		if (w->start[i - REPORT_SIGNAL_WEEKS] < w->first)
			continue;	/* no history to compare with */
		c = json_integer_value(json_array_get(a, i));
		for (sum = 0, k = i - REPORT_SIGNAL_WEEKS; k < i; k++)
			sum += json_integer_value(json_array_get(a, k));
		mean = (double)sum / REPORT_SIGNAL_WEEKS;
		if (c < REPORT_SIGNAL_MIN ||
		    (double)c < REPORT_SIGNAL_FACTOR * mean)
			continue;
		report_week_label(w->start[i], label);
		report_format_date(w->start[i], day);
		json_array_append_new(signals, json_pack("{s:s, s:s, s:s, s:I,"
		    " s:f}", "week", label, "week_start", day, "topic", topic,
		    "questions", c, "baseline_mean",
		    floor(mean * 100 + 0.5) / 100));
	}
}

int
report_signals(struct store *st, const struct report_query *q, json_t *out)
{
	json_t *counts = json_object(), *signals = json_array(), *a;
	struct weeks w;
	const char *topic;
	char rule[160];
	int rc = -1;

	snprintf(rule, sizeof(rule), "a topic with at least %d questions in "
	    "a week and at least %d times the mean of the %d weeks before "
	    "(judged once the database covers those weeks)",
	    REPORT_SIGNAL_MIN, REPORT_SIGNAL_FACTOR, REPORT_SIGNAL_WEEKS);
	json_object_set_new(out, "signal_rule", json_string(rule));
	json_object_set_new(out, "signals", signals);
	if (weeks_init(&w, q) == -1) {
		json_decref(counts);
		return -1;
	}
	if (first_week(st, q, &w) == 0 &&
	    count_topics(st, q, &w, counts) == 0) {
		json_object_foreach(counts, topic, a)
			check_topic(topic, a, &w, signals);
		rc = 0;
	}
	free(w.start);
	json_decref(counts);
	return rc;
}
