/*
 * report_time.c — Europe/Brussels dates and ISO weeks for the report,
 * and the sample summary (median, mean, 90th percentile).  Weeks start
 * on Monday at local midnight, as agencies count them.
 */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"

const char *const report_outcome_names[] = {
	"answered", "handed_over", "suggestion_logged", "referred",
	"redirected", "case_created", "abusive_ignored", "stopped",
	"abandoned", "closed_by_staff", NULL
};

/* Broken-down Brussels local time of ms (fields as UTC of local). */
static void
local_tm(long long ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000);

	t += config_brussels_utc_offset(t);
	gmtime_r(&t, tm);
}

/* Start of the Brussels day y-m-d, in ms.  DST changes at 01:00 UTC,
 * so the offset at UTC midnight is the offset at local midnight. */
static long long
local_midnight(int y, int m, int d)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	return ((long long)t - config_brussels_utc_offset(t)) * 1000;
}

int
report_parse_date(const char *s, int end, long long *ms)
{
	int y, m, d, n;
	struct tm tm;
	time_t t;

	for (n = 0; s != NULL && n < 10; n++)	/* sscanf allows " 1", "+1" */
		if (n == 4 || n == 7 ? s[n] != '-' : s[n] < '0' || s[n] > '9')
			return -1;
	if (s == NULL || s[10] != '\0' ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (tm.tm_mday != d)		/* 2026-02-30 */
		return -1;
	if (end) {
		t += 86400;
		gmtime_r(&t, &tm);
	}
	*ms = local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return 0;
}

void
report_format_date(long long ms, char *out)
{
	struct tm tm;

	local_tm(ms, &tm);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) %
	    10000u, (unsigned)(tm.tm_mon + 1) % 100u,
	    (unsigned)tm.tm_mday % 100u);
}

void
report_format_datetime(long long ms, char *out)
{
	struct tm tm;

	if (ms == 0) {
		out[0] = '\0';
		return;
	}
	local_tm(ms, &tm);
	snprintf(out, 17, "%04u-%02u-%02u %02u:%02u",
	    (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
}

long long
report_week_start(long long ms)
{
	struct tm tm;
	time_t t;

	local_tm(ms, &tm);
	/* Back to Monday: tm_wday is 0 on Sunday. */
	t = timegm(&tm) - (time_t)((tm.tm_wday + 6) % 7) * 86400;
	gmtime_r(&t, &tm);
	return local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void
report_week_label(long long ms, char *out)
{
	struct tm tm;

	local_tm(ms, &tm);
	if (strftime(out, 9, "%G-W%V", &tm) == 0)
		out[0] = '\0';
}

long
report_days_between(long long a_ms, long long b_ms)
{
	struct tm a, b;
	time_t ta, tb;

	local_tm(a_ms, &a);
	local_tm(b_ms, &b);
	a.tm_hour = a.tm_min = a.tm_sec = 0;
	b.tm_hour = b.tm_min = b.tm_sec = 0;
	ta = timegm(&a);
	tb = timegm(&b);
	return (long)((tb - ta) / 86400);
}

void
report_query_last_days(struct report_query *q, int days, long long now_ms)
{
	char d[11];

	memset(q, 0, sizeof(*q));
	q->now_ms = now_ms;
	report_format_date(now_ms, d);
	if (report_parse_date(d, 1, &q->to_ms) == -1)
		q->to_ms = now_ms;
	/* Count back in dates, not 24-hour steps (a DST change has a
	 * 23- or 25-hour day): take the date at noon of the first day. */
	report_format_date(q->to_ms - (long long)days * REPORT_MS_PER_DAY +
	    REPORT_MS_PER_DAY / 2, d);
	if (report_parse_date(d, 0, &q->from_ms) == -1)
		q->from_ms = q->to_ms - (long long)days * REPORT_MS_PER_DAY;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

void
report_stat(long long *v, size_t n, struct report_stat *out)
{
	long double sum = 0;
	size_t i, rank;

	memset(out, 0, sizeof(*out));
	out->count = n;
	if (n == 0)
		return;
	qsort(v, n, sizeof(v[0]), cmp_ll);
	for (i = 0; i < n; i++)
		sum += v[i];
	out->mean = (double)(sum / n);
	out->median = n % 2 ? (double)v[n / 2] :
	    ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
	rank = (n * 9 + 9) / 10;	/* ceil(0.9 n), nearest-rank */
	out->p90 = (double)v[rank - 1];
	out->max = (double)v[n - 1];
}

int
report_vec_push(struct report_vec *a, long long x)
{
	long long *nv;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;

		if ((nv = realloc(a->v, cap * sizeof(*nv))) == NULL)
			return -1;
		a->v = nv;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

void
report_vec_free(struct report_vec *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}
