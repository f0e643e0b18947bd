/*
 * console_report.c — the figures of `loket report` for the last 30 days,
 * for the console's Rapport tab: as JSON (GET /api/report), and as the
 * downloads a manager files (GET /api/report.html, the page with charts;
 * GET /api/report.csv, the complaint register).  The JSON and the page
 * are aggregates only; the register adds contact details for
 * coordinators, as `loket report --format csv --contact` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_int.h"
#include "http.h"
#include "report.h"
#include "server.h"
#include "store.h"

#define CONSOLE_REPORT_DAYS	30

static void
last_days(struct http_req *r, struct report_query *q)
{
	report_query_last_days(q, CONSOLE_REPORT_DAYS, store_now_ms());
	q->cfg = r->srv->cfg;
}

int
console_report_get(struct http_req *r)
{
	struct report_query q;
	struct session sess;
	char err[256];
	json_t *o;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	last_days(r, &q);
	if ((o = report_build(r->srv->store, &q, err, sizeof(err))) == NULL)
		return console_error(r, 503, "database");
	return console_json(r, 200, o);
}

/* Replies with what the writer put in a memory stream, as a download. */
static int
download(struct http_req *r, const char *ctype, const char *name,
    int coord, int (*write)(FILE *, struct http_req *,
    const struct report_query *, int))
{
	struct report_query q;
	char hdr[160], date[11];
	char *data = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	last_days(r, &q);
	if ((f = open_memstream(&data, &len)) == NULL)
		return console_error(r, 503, "internal");
	rc = write(f, r, &q, coord);
	if (fclose(f) != 0 || rc == -1) {
		free(data);
		return console_error(r, 503, "database");
	}
	report_format_date(store_now_ms(), date);
	snprintf(hdr, sizeof(hdr), "Content-Disposition: attachment; "
	    "filename=\"loket-%s-%s\"", date, name);
	http_reply_hdr(r, 200, ctype, data ? data : "", len, hdr);
	free(data);
	return HTTP_DONE;
}

static int
write_html(FILE *f, struct http_req *r, const struct report_query *q,
    int coord)
{
	char err[256];
	json_t *o = report_build(r->srv->store, q, err, sizeof(err));
	int rc;

	if (o == NULL)
		return -1;
	rc = report_write_html(f, o);
	json_decref(o);
	return rc;
}

/* Contact details only for those who handle the cases. */
static int
write_csv(FILE *f, struct http_req *r, const struct report_query *q,
    int coord)
{
	return report_write_cases_csv(f, r->srv->store, q, coord);
}

int
console_report_html_get(struct http_req *r)
{
	struct session sess;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	return download(r, "text/html; charset=utf-8", "rapport.html", 0,
	    write_html);
}

int
console_report_csv_get(struct http_req *r)
{
	struct session sess;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	return download(r, "text/csv; charset=utf-8", "klachtenregister.csv",
	    console_is_coordinator(&sess), write_csv);
}
