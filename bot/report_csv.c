/*
 * report_csv.c — the complaint register (one row per case, for the
 * annual complaint report), the conversation outcomes (one row each) and
 * the coordinator's export with contact details.  RFC 4180: fields with
 * a comma, quote or line break are quoted, quotes doubled, CRLF line
 * ends.  A text cell starting with = + - @ (or TAB, CR) gets a leading '
 * so a spreadsheet never runs it as a formula (citizens type subjects).
 */
#include "report_int.h"

#include <string.h>

#include "log.h"
#include "store.h"

static const char sql_register[] =
	"SELECT reference, received_at, agency, channel, subject, status,"
	" admissible, inadmissible_reason, verdict, handled_at, deadline_at,"
	" name, email, phone, dossier, description FROM cases"
	" WHERE (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" AND received_at >= ?2 AND received_at < ?3 ORDER BY received_at, reference";
static const char sql_conversations[] =
	"SELECT agency, channel, first_intent, topic, outcome, case_ref,"
	" first_msg_at, first_reply_at, ended_at, turns, staff_involved"
	" FROM outcomes WHERE (CAST(?1 AS TEXT) IS NULL OR agency = ?1)"
	" AND ended_at >= ?2 AND ended_at < ?3 ORDER BY ended_at, id";

/* One text field; sep is written before it (',' or nothing). */
static void
cell(FILE *f, int first, const char *s)
{
	int quote;

	if (!first)
		fputc(',', f);
	if (s == NULL || *s == '\0')
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', f);
	if (strchr("=+-@\t\r", *s) != NULL)
		fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

static void
cell_col(FILE *f, int first, struct store_stmt *s, int i)
{
	cell(f, first, store_col_text(s, i));
}

static void
cell_date(FILE *f, struct store_stmt *s, int i)
{
	char d[11];

	if (store_col_null(s, i)) {
		cell(f, 0, NULL);
		return;
	}
	report_format_date(store_col_int64(s, i), d);
	cell(f, 0, d);
}

static void
cell_datetime(FILE *f, struct store_stmt *s, int i)
{
	char d[17];

	report_format_datetime(store_col_null(s, i) ? 0 :
	    store_col_int64(s, i), d);
	cell(f, 0, d);
}

static void
cell_num(FILE *f, int have, long long n)
{
	if (have)
		fprintf(f, ",%lld", n);
	else
		fputc(',', f);
}

static struct store_stmt *
prepare(struct store *st, const char *sql, const struct report_query *q)
{
	struct store_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, q->agency, -1);
	store_bind_int64(s, 2, q->from_ms);
	store_bind_int64(s, 3, q->to_ms);
	return s;
}

/* The columns from "afgehandeld" on: date, days taken, within term. */
static void
register_term(FILE *f, struct store_stmt *s, long long asof)
{
	long long recv = store_col_int64(s, 1);
	long long deadline = store_col_int64(s, 10);
	int handled = !store_col_null(s, 9);
	long long done = store_col_int64(s, 9);

	cell_date(f, s, 9);
	cell_num(f, handled, handled ? report_days_between(recv, done) : 0);
	if (handled)
		cell(f, 0, done <= deadline ? "ja" : "nee");
	else
		cell(f, 0, deadline < asof ? "nee" : NULL);
}

static void
register_row(FILE *f, struct store_stmt *s, long long asof, int with_contact)
{
	int adm_null = store_col_null(s, 6);

	cell_col(f, 1, s, 0);
	cell_date(f, s, 1);
	cell_col(f, 0, s, 2);
	cell_col(f, 0, s, 3);
	cell_col(f, 0, s, 4);
	cell_col(f, 0, s, 5);
	cell(f, 0, adm_null ? NULL : store_col_int(s, 6) ? "ja" : "nee");
	cell_col(f, 0, s, 7);
	cell_col(f, 0, s, 8);
	register_term(f, s, asof);
	if (with_contact) {
		cell_col(f, 0, s, 11);
		cell_col(f, 0, s, 12);
		cell_col(f, 0, s, 13);
		cell_col(f, 0, s, 14);
		cell_col(f, 0, s, 15);
	}
	fputs("\r\n", f);
}

int
report_write_cases_csv(FILE *f, struct store *st,
    const struct report_query *q, int with_contact)
{
	long long now = q->now_ms ? q->now_ms : store_now_ms();
	struct store_stmt *s;
	int rc;

	if ((s = prepare(st, sql_register, q)) == NULL)
		return -1;
	fputs("referentie,ontvangen,entiteit,kanaal,onderwerp,status,"
	    "ontvankelijk,reden_onontvankelijk,oordeel,afgehandeld,dagen,"
	    "binnen_termijn", f);
	fputs(with_contact ? ",naam,email,telefoon,dossier,beschrijving\r\n" :
	    "\r\n", f);
	while ((rc = store_step(s)) == STORE_ROW)
		register_row(f, s, now < q->to_ms ? now : q->to_ms,
		    with_contact);
	store_stmt_done(s);
	if (rc != STORE_DONE) {
		log_warnx("event=report_csv_failed msg=\"%s\"",
		    store_errmsg(st));
		return -1;
	}
	return ferror(f) ? -1 : 0;
}

/* Seconds between two columns, empty when either is missing. */
static void
cell_secs(FILE *f, struct store_stmt *s, int from, int to)
{
	int have = !store_col_null(s, from) &&
	    !store_col_null(s, to);
	long long d = store_col_int64(s, to) -
	    store_col_int64(s, from);

	cell_num(f, have && d >= 0, (d + 500) / 1000);
}

static void
conversation_row(FILE *f, struct store_stmt *s)
{
	int i;

	cell_col(f, 1, s, 0);
	for (i = 1; i <= 5; i++)
		cell_col(f, 0, s, i);
	cell_datetime(f, s, 6);
	cell_datetime(f, s, 7);
	cell_datetime(f, s, 8);
	cell_secs(f, s, 6, 7);
	cell_secs(f, s, 6, 8);
	cell_num(f, 1, store_col_int64(s, 9));
	cell(f, 0, store_col_int(s, 10) ? "ja" : "nee");
	fputs("\r\n", f);
}

int
report_write_conversations_csv(FILE *f, struct store *st,
    const struct report_query *q)
{
	struct store_stmt *s;
	int rc;

	if ((s = prepare(st, sql_conversations, q)) == NULL)
		return -1;
	fputs("entiteit,kanaal,eerste_intentie,onderwerp,uitkomst,referentie,"
	    "eerste_bericht,eerste_antwoord,afgesloten,seconden_tot_antwoord,"
	    "seconden_tot_afsluiting,beurten,medewerker\r\n", f);
	while ((rc = store_step(s)) == STORE_ROW)
		conversation_row(f, s);
	store_stmt_done(s);
	if (rc != STORE_DONE) {
		log_warnx("event=report_csv_failed msg=\"%s\"",
		    store_errmsg(st));
		return -1;
	}
	return ferror(f) ? -1 : 0;
}
