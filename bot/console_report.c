/*
 * console_report.c — GET /api/report: the figures of `loket report` for
 * the last 30 days, for the console's Rapport tab.  Aggregates only: no
 * personal data.
 */
#include <string.h>

#include "console_int.h"
#include "http.h"
#include "report.h"
#include "server.h"
#include "store.h"

#define CONSOLE_REPORT_DAYS	30

int
console_report_get(struct http_req *r)
{
	struct report_query q;
	struct session sess;
	char err[256];
	json_t *o;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	report_query_last_days(&q, CONSOLE_REPORT_DAYS, store_now_ms());
	q.cfg = r->srv->cfg;
	if ((o = report_build(r->srv->store, &q, err, sizeof(err))) == NULL)
		return console_error(r, 503, "database");
	return console_json(r, 200, o);
}
