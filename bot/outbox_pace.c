/*
 * outbox_pace.c — rate limits for the sender, as GCRA (the "virtual
 * scheduling" form of a token bucket): per key one theoretical arrival
 * time.  A send is allowed when now >= tat - tolerance; taking it moves
 * tat to max(tat, now) + interval.  tolerance = (burst - 1) * interval.
 * Keys are strings ("s|<number>" per sending number, "p|<number>|<user>"
 * per citizen).  Service thread only; state is in memory, so a restart
 * forgets it, which at worst allows one burst early.
 */
#include "outbox_int.h"

#include <stdlib.h>
#include <string.h>

#define PACE_BUCKETS	1024

struct pace_entry {
	char			*key;
	double			 tat;		/* ms since 1970 */
	struct pace_entry	*next;
};

struct outbox_pace {
	struct pace_entry	*b[PACE_BUCKETS];
	size_t			 n;
	long long		 pruned_at;
};

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;		/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % PACE_BUCKETS;
}

struct outbox_pace *
outbox_pace_new(void)
{
	return calloc(1, sizeof(struct outbox_pace));
}

void
outbox_pace_free(struct outbox_pace *p)
{
	struct pace_entry *e, *next;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < PACE_BUCKETS; i++)
		for (e = p->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	free(p);
}

static struct pace_entry *
find(struct outbox_pace *p, const char *key)
{
	struct pace_entry *e;

	for (e = p->b[hash(key)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

long long
outbox_pace_when(struct outbox_pace *p, const char *key, long long now,
    double interval_ms, int burst)
{
	struct pace_entry *e = find(p, key);
	double allowed;

	if (e == NULL)
		return now;
	allowed = e->tat - (burst - 1) * interval_ms;
	return allowed <= (double)now ? now : (long long)allowed + 1;
}

void
outbox_pace_take(struct outbox_pace *p, const char *key, long long now,
    double interval_ms)
{
	struct pace_entry *e = find(p, key);
	unsigned h;

	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->key = strdup(key)) == NULL) {
			free(e);
			return;		/* no memory: no limit, not a crash */
		}
		h = hash(key);
		e->next = p->b[h];
		p->b[h] = e;
		e->tat = (double)now;
		p->n++;
	}
	if (e->tat < (double)now)
		e->tat = (double)now;
	e->tat += interval_ms;
}

/* Forgets keys that are fully recovered (they behave as new ones). */
void
outbox_pace_prune(struct outbox_pace *p, long long now)
{
	struct pace_entry **pp, *e;
	size_t i;

	if (now - p->pruned_at < 60000)
		return;
	p->pruned_at = now;
	for (i = 0; i < PACE_BUCKETS; i++)
		for (pp = &p->b[i]; (e = *pp) != NULL;) {
			if (e->tat <= (double)now) {
				*pp = e->next;
				free(e->key);
				free(e);
				p->n--;
			} else
				pp = &e->next;
		}
}
