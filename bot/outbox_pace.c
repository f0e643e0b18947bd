/*
 * outbox_pace.c — rate limits for the sender, as GCRA (the "virtual
 * scheduling" form of a token bucket): per key one theoretical arrival
 * time.  A send is allowed when now >= tat - tolerance; taking it moves
 * tat to max(tat, now) + interval.  tolerance = (burst - 1) * interval.
 * Keys are strings ("s|<channel>|<number>" per sending number,
 * "p|<channel>|<number>|<user>" per citizen).  Service thread only.
 *
 * SQLite, one process: the state is in memory, so a restart forgets it,
 * which at worst allows one burst early.  Several instances on one
 * PostgreSQL share it: before a key is used in a claiming transaction
 * its tat is read from its row (send_pace for a number, pair_pace for a
 * citizen) with FOR UPDATE SKIP LOCKED (another instance that is
 * claiming with that key right now makes it busy here for a moment,
 * never a wait or a deadlock) and written back before the commit.  So
 * all instances together keep a number's rate_limit and Meta's pair
 * limit, and one that takes over a citizen's replies from another (or
 * after a restart) continues its pacing.  Rows of citizens whose pacing
 * has fully recovered are deleted once a minute.
 */
#include "outbox_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

#define PACE_BUCKETS	1024
/* Keys read in one claiming transaction: a pass looks at up to 256 rows
 * and sends at most 64. */
#define PACE_SYNCED	160
#define PACE_PRUNE_MS	60000	/* recovered keys dropped this often */

struct pace_entry {
	char			*key;
	double			 tat;		/* ms since 1970 */
	struct pace_entry	*next;
};

struct outbox_pace {
	struct pace_entry	*b[PACE_BUCKETS];
	size_t			 n;
	long long		 pruned_at;
	struct pace_entry	*synced[PACE_SYNCED];	/* read from the
							   database in this
							   transaction */
	int			 nsynced;
	long long		 shared_pruned_at;	/* pair_pace */
};

/* The SQL of a shared key's table: sending numbers and citizens. */
struct pace_sql {
	const char	*ins, *sel, *upd;
};

static const struct pace_sql number_sql = {
	"INSERT INTO send_pace (number, tat_us) VALUES (?1, 0) "
	"ON CONFLICT (number) DO NOTHING",
	"SELECT tat_us FROM send_pace WHERE number = ?1 "
	"FOR UPDATE SKIP LOCKED",
	"UPDATE send_pace SET tat_us = ?2 WHERE number = ?1",
};

static const struct pace_sql citizen_sql = {
	"INSERT INTO pair_pace (citizen, tat_us) VALUES (?1, 0) "
	"ON CONFLICT (citizen) DO NOTHING",
	"SELECT tat_us FROM pair_pace WHERE citizen = ?1 "
	"FOR UPDATE SKIP LOCKED",
	"UPDATE pair_pace SET tat_us = ?2 WHERE citizen = ?1",
};

static const struct pace_sql *
sql_of(const char *key)
{
	return key[0] == 'p' ? &citizen_sql : &number_sql;
}

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

/* The entry for key, created at tat 0 (a new key) if missing. */
static struct pace_entry *
get(struct outbox_pace *p, const char *key)
{
	struct pace_entry *e = find(p, key);
	unsigned h;

	if (e != NULL)
		return e;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = strdup(key)) == NULL) {
		free(e);
		return NULL;
	}
	h = hash(key);
	e->next = p->b[h];
	p->b[h] = e;
	p->n++;
	return e;
}

void
outbox_pace_begin(struct outbox_pace *p)
{
	p->nsynced = 0;
}

int
outbox_pace_sync(struct outbox *ob, const char *key)
{
	const struct pace_sql *q = sql_of(key);
	struct outbox_pace *p = ob->pace;
	struct store_stmt *st;
	struct pace_entry *e;
	int i, rc;

	if (store_kind(ob->store) != STORE_PG)
		return 1;
	for (i = 0; i < p->nsynced; i++)
		if (strcmp(p->synced[i]->key, key) == 0)
			return 1;
	if (p->nsynced == PACE_SYNCED)
		return 0;	/* that many keys: the rest next round */
	if ((st = store_stmt(ob->store, q->ins)) == NULL)
		return -1;
	store_bind_text(st, 1, key, -1);
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE || (st = store_stmt(ob->store, q->sel)) == NULL)
		return -1;
	store_bind_text(st, 1, key, -1);
	if ((rc = store_step(st)) == STORE_ROW) {
		if ((e = get(p, key)) == NULL)
			rc = STORE_ERROR;
		else {
			e->tat = (double)store_col_int64(st, 0) / 1000.0;
			p->synced[p->nsynced++] = e;
		}
	}
	store_stmt_done(st);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int
outbox_pace_save(struct outbox *ob)
{
	struct outbox_pace *p = ob->pace;
	struct store_stmt *st;
	int i, rc = 0;

	for (i = 0; i < p->nsynced && rc == 0; i++) {
		if ((st = store_stmt(ob->store,
		    sql_of(p->synced[i]->key)->upd)) == NULL)
			return -1;
		store_bind_text(st, 1, p->synced[i]->key, -1);
		store_bind_int64(st, 2, (long long)ceil(p->synced[i]->tat *
		    1000.0));
		if (store_step(st) != STORE_DONE)
			rc = -1;
		store_stmt_done(st);
	}
	p->nsynced = 0;
	return rc;
}

void
outbox_pace_prune_shared(struct outbox *ob, long long now)
{
	/* Rows another instance has locked are skipped, never waited for
	 * (PostgreSQL only: SQLite would cut the FOR UPDATE and what
	 * follows). */
	static const char sql[] = "DELETE FROM pair_pace WHERE citizen IN "
	    "(SELECT citizen FROM pair_pace WHERE tat_us < ?1 "
	    "ORDER BY tat_us LIMIT 1000 FOR UPDATE SKIP LOCKED)";
	struct outbox_pace *p = ob->pace;
	struct store_stmt *st;

	if (store_kind(ob->store) != STORE_PG ||
	    store_in_transaction(ob->store) ||
	    now - p->shared_pruned_at < PACE_PRUNE_MS)
		return;
	p->shared_pruned_at = now;
	if ((st = store_stmt(ob->store, sql)) == NULL)
		return;
	store_bind_int64(st, 1, now * 1000);
	if (store_step(st) != STORE_DONE)
		log_warnx("event=pair_pace_prune_failed msg=\"%s\"",
		    store_errmsg(ob->store));
	store_stmt_done(st);
}

/* Forgets keys that are fully recovered (they behave as new ones). */
void
outbox_pace_prune(struct outbox_pace *p, long long now)
{
	struct pace_entry **pp, *e;
	size_t i;

	if (now - p->pruned_at < PACE_PRUNE_MS)
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
