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
/* Keeps a signed body (or part) that was not understood: 1 if stored,
 * 0 if the same bytes were kept before, -1 on a database error. */
int	intake_store_unexpected(struct store *s, enum channel ch,
	    const char *reason, const char *raw, size_t len, long long now_ms);

#endif
