/*
 * intake.h — commits parsed webhook events to the database: citizen
 * messages and other conversation events to `inbound`, delivery statuses
 * to `statuses`, anything not understood to `unexpected`.  Duplicates (by
 * channel + message id, statuses by message id + status) are counted and
 * skipped.  Runs inside the caller's transaction: the webhook is answered
 * 200 only after that commits.
 */
#ifndef LOKET_INTAKE_H
#define LOKET_INTAKE_H

#include <stddef.h>

#include "webhook.h"

struct store;
struct config;
struct agency;

struct intake_counts {
	int	stored;		/* new inbound rows */
	int	statuses;	/* new status rows */
	int	duplicates;	/* seen before, skipped */
	int	unexpected;	/* kept raw in `unexpected` */
	int	unrouted;	/* no agency: stored, not answered */
};

/* Stores every event of b.  Returns 0, or -1 on a database error. */
int	intake_store(struct store *s, const struct config *cfg,
	    const struct webhook_batch *b, long long now_ms,
	    struct intake_counts *c);
/*
 * The agency id of every event of b (NULL where none is routed), copied so
 * it outlives a config reload.  NULL on out-of-memory.
 */
char	**intake_route(const struct config *cfg, const struct webhook_batch *b);
void	  intake_route_free(char **agencies, size_t n);
/* intake_store() with the routing done beforehand (any thread). */
int	intake_store_routed(struct store *s, const struct webhook_batch *b,
	    const char *const *agencies, long long now_ms,
	    struct intake_counts *c);
/*
 * Messages stored without an agency (no agency for their number or page
 * when they came, e.g. during an empty config) are answered once the
 * config routes them, if they are not older than INTAKE_REROUTE_MS: the
 * 24-hour window in which a reply still reaches WhatsApp as free text.
 * Older ones stay stored, unanswered, for the reports.
 */
#define INTAKE_REROUTE_MS	(24LL * 3600 * 1000)
#define INTAKE_REROUTE_PAGE	256	/* ids read per query */

/* The agency cfg routes an inbound row to ("whatsapp"/"messenger" and
 * its phone_number_id / page id, default agency included), or NULL. */
const struct agency *intake_route_row(const struct config *cfg,
	    const char *channel, const char *account_id);
/* Gives inbound row id its agency and hands it back to the engine. */
int	intake_set_agency(struct store *s, long long id, const char *agency);
/*
 * Routes again, with cfg, the handled rows without agency received since
 * since_ms; those now routed wait for the
 * engine again.  Returns how many, or -1 on a database error.  Runs in
 * the caller's transaction.
 */
int	intake_reroute(struct store *s, const struct config *cfg,
	    long long since_ms);
/* intake_reroute() of the last INTAKE_REROUTE_MS in a transaction of its
 * own (a savepoint inside the caller's), logged; -1 to try again later. */
int	intake_reroute_recent(struct store *s, const struct config *cfg,
	    long long now_ms);
/* Keeps a signed body (or part) that was not understood: 1 if stored,
 * 0 if the same bytes were kept before, -1 on a database error.  Bytes
 * that are not UTF-8, and NUL, are kept as \xNN (a backslash as \\)
 * so that both stores can hold the text. */
int	intake_store_unexpected(struct store *s, enum channel ch,
	    const char *reason, const char *raw, size_t len, long long now_ms);

#endif
