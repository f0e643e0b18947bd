/*
 * report.h — the figures agencies report every year, computed from the
 * database: messages, conversations per first intent and outcome,
 * complaints, response times, the complaint register, weekly series and
 * topic signals; and the privacy side (purge, erase).  Used by
 * `loket report`, `loket cases`, `loket purge`, `loket erase`, the staff
 * console (report_json) and the server's daily retention run.
 * Runs on the service thread (or in a one-shot command).
 *
 * Aggregates never contain personal data: figures come from the
 * anonymous outcomes table and from counts; only report_write_cases_csv
 * with contact details (for the coordinator) shows names.
 */
#ifndef LOKET_REPORT_H
#define LOKET_REPORT_H

#include <stdio.h>

#include <jansson.h>

struct config;
struct store;

#define REPORT_MS_PER_DAY	86400000LL

struct report_query {
	long long	 from_ms;	/* inclusive, ms since 1970 UTC */
	long long	 to_ms;		/* exclusive */
	const char	*agency;	/* agency id, or NULL for all */
	const struct config *cfg;	/* optional: agency names */
	long long	 now_ms;	/* "now" for overdue cases; 0: clock */
};

/*
 * The last `days` days up to and including today (Europe/Brussels
 * dates), for the staff console and the default of `loket report`.
 */
void	report_query_last_days(struct report_query *q, int days,
	    long long now_ms);

/*
 * The whole report as a JSON object (keys documented in README.md).
 * Returns a new reference, or NULL on a database error (written to err).
 */
json_t	*report_build(struct store *st, const struct report_query *q,
	    char *err, size_t errlen);
/*
 * The same as JSON text (indented, UTF-8, NUL-terminated) for the
 * console's API.  The caller free()s it; NULL on error (logged).
 */
char	*report_json(struct store *st, const struct report_query *q);

/* Writes the report built by report_build as one self-contained HTML
 * page (inline CSS and SVG, no script).  0, or -1 on a write error. */
int	report_write_html(FILE *f, const json_t *report);

/*
 * CSV (RFC 4180, CRLF, formula-neutralised cells).  The complaint
 * register: one row per case received in the period; with_contact adds
 * name, e-mail, phone, description and dossier (coordinator only).
 * 0, or -1 on a database or write error (logged).
 */
int	report_write_cases_csv(FILE *f, struct store *st,
	    const struct report_query *q, int with_contact);
/* One row per conversation outcome ended in the period; anonymous. */
int	report_write_conversations_csv(FILE *f, struct store *st,
	    const struct report_query *q);

/*
 * Dates: "YYYY-MM-DD" as Europe/Brussels midnight.  report_parse_date
 * stores the start of that day (end == 0) or of the next day (end != 0)
 * in *ms; 0, or -1 if s is not a valid date.
 */
int	report_parse_date(const char *s, int end, long long *ms);
/* "YYYY-MM-DD" (out: 11 bytes) of the Brussels date at ms. */
void	report_format_date(long long ms, char *out);

/* What a purge or erase changed: rows per table (never the data). */
struct report_purge_counts {
	long	conversations;
	long	inbound;
	long	statuses;
	long	outbox;
	long	cases;
	long	unexpected;
	long	review;		/* review items (review.h) blanked */
	long	media;		/* photos and files (media.h) deleted */
};

/*
 * Removes the personal data (names, e-mail, phone, user ids, message
 * texts, raw JSON, case descriptions) of conversations closed and cases
 * handled before cutoff_ms, and of messages received before it that
 * belong to no open conversation.  Outcome rows and counts stay, so the
 * figures do not change.  Works in batches, one transaction each; runs
 * at most max_batches batches per table (0: until done).  Adds to *c.
 * Returns 1 when nothing is left, 0 when more remains, -1 on error.
 */
int	report_purge(struct store *st, long long cutoff_ms, int max_batches,
	    struct report_purge_counts *c);
/*
 * The same, resumable: cur (zeroed before the first call) remembers
 * where each table's batches stopped, so a purge spread over many calls
 * never scans the rows it already blanked.
 */
#define REPORT_PURGE_STEPS	8
struct report_purge_cursor {
	long long	after_id[REPORT_PURGE_STEPS];	/* last rowid done */
	unsigned	done;			/* bit per finished table */
};
int	report_purge_run(struct store *st, long long cutoff_ms,
	    int max_batches, struct report_purge_cursor *cur,
	    struct report_purge_counts *c);
/*
 * Removes one citizen's data on request (every channel and agency):
 * message texts and raw JSON, names and numbers, case contact details,
 * outbox bodies; open conversations are closed.  One transaction.
 * 0, or -1 on error.
 */
int	report_erase(struct store *st, const char *user_id, long long now_ms,
	    struct report_purge_counts *c);
/*
 * Called by the back end thread every second: when cfg sets a retention
 * period, starts a purge at most once a day and runs it a few batches
 * per call, so webhook commits (intake_writer) wait at most one short
 * batch.  *state is allocated on first use; free it with
 * report_purge_free().
 */
struct report_purge_state;
struct config;
void	report_purge_maybe(struct report_purge_state **state,
	    struct store *st, const struct config *cfg);
void	report_purge_free(struct report_purge_state *state);

#endif
