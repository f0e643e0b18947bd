/*
 * webhook_int.h — private to webhook.c, webhook_whatsapp.c and
 * webhook_messenger.c (SQLite's "private header" habit): the batch
 * builder and the jansson helpers both parsers share.  Nothing outside
 * the three webhook files includes it.
 */
#ifndef LOKET_WEBHOOK_INT_H
#define LOKET_WEBHOOK_INT_H

#include <jansson.h>

#include "webhook.h"

/*
 * One parse in progress.  Allocation failures are sticky (nomem) so the
 * walkers need not check every copy; webhook_finish() turns them into
 * -1 once at the end.
 */
struct webhook_parse {
	struct webhook_batch	*b;
	enum channel		 ch;
	size_t			 cap;	/* events allocated in b->ev */
	int			 nomem;
};

/*
 * Parses body into a new reference, or returns NULL and fills err.
 * Also starts the batch: out is emptied first, so it is safe to free
 * whatever the outcome.
 */
json_t	*webhook_load(struct webhook_parse *p, struct webhook_batch *out,
	    enum channel ch, const char *body, size_t len, char *err,
	    size_t errlen);
/* Drops root; returns 0, or -1 (batch freed) when memory ran out. */
int	 webhook_finish(struct webhook_parse *p, json_t *root, char *err,
	    size_t errlen);

/*
 * Appends a zeroed event of kind k whose raw is the compact JSON of
 * raw.  Returns NULL when memory runs out (p->nomem is then set) or the
 * batch is full (overflow is then set).
 */
struct inbound_event *webhook_add(struct webhook_parse *p,
	    enum event_kind k, const json_t *raw);
/* True once WEBHOOK_MAX_EVENTS are read: walkers stop there. */
int	 webhook_full(const struct webhook_parse *p);
/*
 * Counts something not understood and, when there is a value to keep,
 * stores it as an EV_UNKNOWN event; type names what it seemed to be.
 * Returns the event (to add ids) or NULL.
 */
struct inbound_event *webhook_unknown(struct webhook_parse *p,
	    const json_t *raw, const char *type);

/* Copies s (NULL stays NULL) into *dst, freeing what was there. */
void	 webhook_set(struct webhook_parse *p, char **dst, const char *s);
/* Like webhook_set for an id that Meta may send as string or integer. */
void	 webhook_set_id(struct webhook_parse *p, char **dst, const json_t *v);
void	 webhook_setf(struct webhook_parse *p, char **dst, const char *fmt,
	    ...) __attribute__((__format__(printf, 3, 4)));

/* Typed lookups: NULL when the key is missing or of another type. */
const char	*webhook_str(const json_t *o, const char *key);
json_t		*webhook_obj(const json_t *o, const char *key);
json_t		*webhook_arr(const json_t *o, const char *key);
/* Integer value of key (integer, real or digit string), else 0. */
long long	 webhook_num(const json_t *o, const char *key);
/* True when key holds JSON true. */
int		 webhook_true(const json_t *o, const char *key);

#endif
