/*
 * report_cases.c — the case figures of a report slice: status,
 * admissibility with reasons, verdicts, the legal handling term (handled
 * in time, late, open, overdue) and the days taken.  Days are calendar
 * days between Brussels dates, as the annual complaint reports count.
 */
#include "report_int.h"

#include <math.h>
#include <string.h>

#include "store.h"

static const char sql_cases[] =
	"SELECT status, admissible, inadmissible_reason, verdict,"
	" received_at, deadline_at, handled_at FROM cases"
	" WHERE" REPORT_FILTER("received_at");

/* One case row into the case figures; days taken go to *days. */
static int
tally_case(json_t *c, struct store_stmt *s, const struct report_filt *f,
    struct report_vec *days)
{
	json_t *adm = json_object_get(c, "admissibility");
	long long recv = store_col_int64(s, 4);
	long long deadline = store_col_int64(s, 5);

	report_jadd(c, "total", 1);
	report_jadd(json_object_get(c, "by_status"),
	    report_col_text(s, 0, "?"), 1);
	if (store_col_null(s, 1)) {
		report_jadd(adm, "undecided", 1);
	} else if (store_col_int(s, 1)) {
		report_jadd(adm, "ontvankelijk", 1);
	} else {
		report_jadd(adm, "onontvankelijk", 1);
		report_jadd(json_object_get(adm, "reasons"),
		    report_col_text(s, 2, "onbekend"), 1);
	}
	if (!store_col_null(s, 3))
		report_jadd(json_object_get(c, "by_verdict"),
		    report_col_text(s, 3, "?"), 1);
	if (store_col_null(s, 6)) {
		report_jadd(c, "open", 1);
		if (deadline < f->asof)
			report_jadd(c, "overdue", 1);
		return 0;
	}
	report_jadd(c, "handled", 1);
	report_jadd(c, store_col_int64(s, 6) <= deadline ?
	    "handled_within_term" : "handled_late", 1);
	return report_vec_push(days, report_days_between(recv,
	    store_col_int64(s, 6)));
}

static json_t *
round1(double x)
{
	return json_real(floor(x * 10 + 0.5) / 10);
}

static json_t *
days_stat(struct report_vec *v)
{
	struct report_stat r;

	report_stat(v->v, v->n, &r);
	if (r.count == 0)
		return json_pack("{s:i, s:n, s:n, s:n, s:n}", "count", 0,
		    "median", "mean", "p90", "max");
	return json_pack("{s:I, s:o, s:o, s:I, s:I}", "count",
	    (json_int_t)r.count, "median", round1(r.median), "mean",
	    round1(r.mean), "p90", (json_int_t)r.p90, "max",
	    (json_int_t)r.max);
}

static json_t *
new_cases(void)
{
	static const char *const counts[] = { "total", "open", "overdue",
	    "handled", "handled_within_term", "handled_late", NULL };
	static const char *const verdicts[] = { "gegrond", "deels_gegrond",
	    "ongegrond", NULL };
	static const char *const adm[] = { "ontvankelijk", "onontvankelijk",
	    "undecided", NULL };
	json_t *c = report_zeros(counts), *a = report_zeros(adm);

	json_object_set_new(a, "reasons", json_object());
	json_object_set_new(c, "by_status", json_object());
	json_object_set_new(c, "admissibility", a);
	json_object_set_new(c, "by_verdict", report_zeros(verdicts));
	return c;
}

int
report_fig_cases(struct store *st, const struct report_filt *f, json_t *out)
{
	struct report_vec days;
	json_t *c = new_cases();
	struct store_stmt *s;
	int rc;

	memset(&days, 0, sizeof(days));
	json_object_set_new(out, "cases", c);
	if ((s = report_stmt(st, sql_cases, f)) == NULL)
		return -1;
	while ((rc = store_step(s)) == STORE_ROW)
		if (tally_case(c, s, f, &days) == -1) {
			rc = STORE_ERROR;
			break;
		}
	json_object_set_new(c, "days_taken", days_stat(&days));
	report_vec_free(&days);
	return report_finish(s, rc);
}

