/*
 * report_int.h — helpers shared by the report files only (report.c,
 * report_time.c, report_csv.c, report_html.c, report_purge.c).
 */
#ifndef LOKET_REPORT_INT_H
#define LOKET_REPORT_INT_H

#include <stddef.h>

#include "report.h"

/* Summary of a sample: count, median, mean, 90th percentile (nearest
 * rank), max.  Undefined figures (count 0) are 0. */
struct report_stat {
	size_t	count;
	double	median;
	double	mean;
	double	p90;
	double	max;
};

/* Sorts v (n values) in place and fills *out. */
void	report_stat(long long *v, size_t n, struct report_stat *out);

/* Monday 00:00 Europe/Brussels of the week holding ms. */
long long report_week_start(long long ms);
/* ISO week of the Brussels date at ms, "2026-W02" (out: 9 bytes). */
void	report_week_label(long long ms, char *out);
/* Calendar days (Brussels dates) from a to b. */
long	report_days_between(long long a_ms, long long b_ms);
/* "YYYY-MM-DD HH:MM" in Brussels time (out: 17 bytes); "" when ms is 0. */
void	report_format_datetime(long long ms, char *out);

/* Growable array of long long, for samples. */
struct report_vec {
	long long	*v;
	size_t		 n;
	size_t		 cap;
};

int	report_vec_push(struct report_vec *a, long long x);
void	report_vec_free(struct report_vec *a);

/* Signals: topics that drew markedly more questions in a week than
 * usual (report_signals.c); adds "signals" and "signal_rule" to out. */
#define REPORT_SIGNAL_FACTOR	3	/* times the mean of the weeks before */
#define REPORT_SIGNAL_WEEKS	4	/* weeks the mean is taken over */
#define REPORT_SIGNAL_MIN	5	/* questions at least */
int	report_signals(struct store *st, const struct report_query *q,
	    json_t *out);

/* One slice of the report: NULL agency or channel means all. */
struct report_filt {
	const char	*agency;
	const char	*channel;
	long long	 from;
	long long	 to;
	long long	 asof;		/* "now" for overdue, within the period */
};

/* WHERE clause of a slice on the time column col: ?1 agency, ?2 channel,
 * ?3 from, ?4 to (report_stmt binds them). */
#define REPORT_FILTER(col) \
	" (CAST(?1 AS TEXT) IS NULL OR agency = ?1)" \
	" AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)" \
	" AND " col " >= ?3 AND " col " < ?4"

struct store_stmt;
/* The cached statement for sql with the slice bound; NULL on error. */
struct store_stmt *report_stmt(struct store *st, const char *sql,
	    const struct report_filt *f);
/* Resets s; 0 if rc is STORE_DONE, else -1. */
int	report_finish(struct store_stmt *s, int rc);
/* Column i as text, or dflt when NULL. */
const char *report_col_text(struct store_stmt *s, int i, const char *dflt);
/* o[k] += n (created at 0). */
void	report_jadd(json_t *o, const char *k, json_int_t n);
/* An object with each name at 0. */
json_t	*report_zeros(const char *const *names);
/* Adds "cases" to out (report_cases.c). */
int	report_fig_cases(struct store *st, const struct report_filt *f,
	    json_t *out);

/* The outcome names always listed (zero counts included). */
extern const char *const report_outcome_names[];

#endif
