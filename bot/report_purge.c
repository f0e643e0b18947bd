/*
 * report_purge.c — retention and the right to erasure.  A purge blanks
 * the personal data of what is old and finished (closed conversations,
 * handled cases, their messages and replies); it never deletes a row
 * that a figure counts, and never touches the anonymous outcomes table,
 * so a report for a purged period gives the same figures.  An erase does
 * the same for one citizen, whatever the age.  Both log counts only.
 * Each purge batch is its own short transaction so the server's webhook
 * commits never wait long behind it.
 */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"

#define PURGE_BATCH	500

/* Conversations still running, or ended after the cutoff (?1): their
 * messages and replies are kept. */
#define KEPT_CONVS \
	"(SELECT id FROM conversations WHERE open = 1 OR ended_at IS NULL" \
	" OR ended_at >= ?1)"

/*
 * Each batch takes the next PURGE_BATCH rows after a rowid cursor (?3), in
 * rowid order: rows already blanked are never scanned again, so a first
 * purge of a year of messages stays linear.  The time test is written
 * +col so SQLite walks the rowids instead of a time index (which would
 * start at the oldest, already purged rows every batch).
 */
static const char sql_p_conv[] =
	"UPDATE conversations SET user_id = '', user_phone = NULL,"
	" user_name = NULL, data = '{}' WHERE id IN (SELECT id FROM"
	" conversations WHERE id > ?3 AND open = 0 AND +ended_at < ?1"
	" AND (user_id <> '' OR user_phone IS NOT NULL"
	" OR user_name IS NOT NULL OR data <> '{}') ORDER BY id LIMIT ?2)"
	" RETURNING id";
static const char sql_p_inbound[] =
	"UPDATE inbound SET user_id = '', user_phone = NULL, user_name = NULL,"
	" text = NULL, payload = NULL, raw = '' WHERE id IN (SELECT id FROM"
	" inbound WHERE id > ?3 AND +received_at < ?1"
	" AND (raw <> '' OR user_id <> '') AND (conversation_id IS NULL"
	" OR conversation_id NOT IN " KEPT_CONVS ") ORDER BY id LIMIT ?2)"
	" RETURNING id";
static const char sql_p_statuses[] =
	"UPDATE statuses SET user_id = NULL, raw = '', error_text = NULL"
	" WHERE id IN (SELECT id FROM statuses WHERE id > ?3"
	" AND +received_at < ?1 AND raw <> '' ORDER BY id LIMIT ?2)"
	" RETURNING id";
static const char sql_p_outbox[] =
	"UPDATE outbox SET body = '{}', user_id = '', to_phone = NULL,"
	" error_text = NULL WHERE id IN (SELECT id FROM outbox WHERE id > ?3"
	" AND +created_at < ?1 AND status <> 'pending' AND (body <> '{}'"
	" OR user_id <> '') AND (conversation_id IS NULL OR conversation_id"
	" NOT IN " KEPT_CONVS ") ORDER BY id LIMIT ?2) RETURNING id";
static const char sql_p_cases[] =
	"UPDATE cases SET name = NULL, email = NULL, phone = NULL,"
	" description = NULL, dossier = NULL, note = NULL WHERE id IN"
	" (SELECT id FROM cases WHERE id > ?3 AND handled_at IS NOT NULL"
	" AND +handled_at < ?1 AND (name IS NOT NULL OR email IS NOT NULL"
	" OR phone IS NOT NULL OR description IS NOT NULL"
	" OR dossier IS NOT NULL OR note IS NOT NULL) ORDER BY id LIMIT ?2)"
	" RETURNING id";
/* A message up for review keeps its text exactly as long as the message
 * itself: the same age and conversation rule as sql_p_inbound.  The row
 * stays (blanked, status 'purged') so the report's share of misread
 * messages does not change. */
static const char sql_p_review[] =
	"UPDATE review_items SET text = NULL, signals = NULL, answer = NULL,"
	" marked_by = NULL, status = CASE status WHEN 'open' THEN 'purged'"
	" ELSE status END WHERE id IN (SELECT id FROM review_items"
	" WHERE id > ?3 AND +received_at < ?1 AND text IS NOT NULL"
	" AND (conversation_id IS NULL OR conversation_id NOT IN " KEPT_CONVS
	") ORDER BY id LIMIT ?2) RETURNING id";
/* Photos and files go whole (no figure counts them), at the age of
 * their message, unless their conversation is kept or the case they are
 * evidence of is not handled before the cutoff. */
static const char sql_p_media[] =
	"DELETE FROM media WHERE id IN (SELECT id FROM media"
	" WHERE id > ?3 AND +created_at < ?1 AND (conversation_id IS NULL"
	" OR conversation_id NOT IN " KEPT_CONVS ") AND (case_ref IS NULL"
	" OR case_ref NOT IN (SELECT reference FROM cases WHERE handled_at"
	" IS NULL OR handled_at >= ?1)) ORDER BY id LIMIT ?2) RETURNING id";
static const char sql_p_unexpected[] =
	"DELETE FROM unexpected WHERE id IN (SELECT id FROM unexpected"
	" WHERE id > ?3 AND +received_at < ?1 ORDER BY id LIMIT ?2)"
	" RETURNING id";

struct step {
	const char	*sql;
	size_t		 off;	/* counter in struct report_purge_counts */
};

#define CNT(f) offsetof(struct report_purge_counts, f)

static const struct step purge_steps[REPORT_PURGE_STEPS] = {
	{ sql_p_cases, CNT(cases) },
	{ sql_p_media, CNT(media) },
	{ sql_p_inbound, CNT(inbound) },
	{ sql_p_review, CNT(review) },
	{ sql_p_outbox, CNT(outbox) },
	{ sql_p_statuses, CNT(statuses) },
	{ sql_p_unexpected, CNT(unexpected) },
	{ sql_p_conv, CNT(conversations) },
};

static long *
counter(struct report_purge_counts *c, size_t off)
{
	return (long *)(void *)((char *)c + off);
}

/* One batch in its own transaction; rows changed (the cursor moved past
 * them), or -1. */
static int
purge_batch(struct store *st, const char *sql, long long cutoff,
    long long *after)
{
	struct store_stmt *s;
	long long id, last = *after;
	int rc, n = 0;

	if (store_begin(st) == -1)
		return -1;
	if ((s = store_stmt(st, sql)) == NULL) {
		store_rollback(st);
		return -1;
	}
	store_bind_int64(s, 1, cutoff);
	store_bind_int(s, 2, PURGE_BATCH);
	store_bind_int64(s, 3, *after);
	while ((rc = store_step(s)) == STORE_ROW) {
		n++;
		if ((id = store_col_int64(s, 0)) > last)
			last = id;
	}
	store_stmt_done(s);
	if (rc != STORE_DONE) {
		log_warnx("event=purge_failed msg=\"%s\"",
		    store_errmsg(st));
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) == -1)
		return -1;
	*after = last;
	return n;
}

int
report_purge_run(struct store *st, long long cutoff_ms, int max_batches,
    struct report_purge_cursor *cur, struct report_purge_counts *c)
{
	size_t i;
	int n, b;

	for (i = 0; i < REPORT_PURGE_STEPS; i++) {
		for (b = 0; !(cur->done & (1u << i)) &&
		    (max_batches == 0 || b < max_batches); b++) {
			if ((n = purge_batch(st, purge_steps[i].sql,
			    cutoff_ms, &cur->after_id[i])) == -1)
				return -1;
			*counter(c, purge_steps[i].off) += n;
			if (n < PURGE_BATCH)
				cur->done |= 1u << i;
		}
	}
	return cur->done == (1u << REPORT_PURGE_STEPS) - 1 ? 1 : 0;
}

int
report_purge(struct store *st, long long cutoff_ms, int max_batches,
    struct report_purge_counts *c)
{
	struct report_purge_cursor cur;

	memset(&cur, 0, sizeof(cur));
	return report_purge_run(st, cutoff_ms, max_batches, &cur, c);
}

/* Erase: cases first (found through the conversations' user id), the
 * conversations last. */
static const char sql_e_cases[] =
	"UPDATE cases SET name = NULL, email = NULL, phone = NULL,"
	" description = NULL, dossier = NULL, note = NULL, updated_at = ?2"
	" WHERE conversation_id IN (SELECT id FROM conversations"
	" WHERE user_id = ?1 OR user_phone = ?1)";
static const char sql_e_outbox[] =
	"UPDATE outbox SET body = '{}', user_id = '', to_phone = NULL,"
	" error_text = NULL, updated_at = ?2, status = CASE status"
	" WHEN 'pending' THEN 'cancelled' ELSE status END"
	" WHERE user_id = ?1 OR to_phone = ?1";
/* Before the messages: found through them (and their conversations). */
static const char sql_e_review[] =
	"UPDATE review_items SET text = NULL, signals = NULL, answer = NULL,"
	" marked_by = NULL, status = CASE status WHEN 'open' THEN 'erased'"
	" ELSE status END WHERE ?2 > 0 AND (inbound_id IN (SELECT id FROM"
	" inbound WHERE user_id = ?1 OR user_phone = ?1) OR conversation_id"
	" IN (SELECT id FROM conversations WHERE user_id = ?1"
	" OR user_phone = ?1))";
/* Before the messages and conversations it is found through. */
static const char sql_e_media[] =
	"DELETE FROM media WHERE ?2 > 0 AND (user_id = ?1 OR inbound_id IN"
	" (SELECT id FROM inbound WHERE user_id = ?1 OR user_phone = ?1)"
	" OR conversation_id IN (SELECT id FROM conversations"
	" WHERE user_id = ?1 OR user_phone = ?1))";
static const char sql_e_inbound[] =
	"UPDATE inbound SET user_id = '', user_phone = NULL, user_name = NULL,"
	" text = NULL, payload = NULL, raw = '' WHERE user_id = ?1"
	" OR user_phone = ?1";
static const char sql_e_statuses[] =
	"UPDATE statuses SET user_id = NULL, raw = '' WHERE user_id = ?1";
/* Bodies not understood are only found by their text; a short id would
 * match too much, so only ids of 6 characters or more (every WhatsApp
 * number and PSID) are looked for there. */
static const char sql_e_unexpected[] =
	"DELETE FROM unexpected WHERE length(?1) >= 6 AND ?2 > 0"
	" AND replace(raw, ?1, '') <> raw";
static const char sql_e_conv[] =
	"UPDATE conversations SET user_id = '', user_phone = NULL,"
	" user_name = NULL, data = '{}', open = 0, state = 'ended',"
	" ended_at = coalesce(ended_at, ?2) WHERE user_id = ?1"
	" OR user_phone = ?1";

static const struct step erase_steps[] = {
	{ sql_e_cases, CNT(cases) },
	{ sql_e_outbox, CNT(outbox) },
	{ sql_e_review, CNT(review) },
	{ sql_e_media, CNT(media) },
	{ sql_e_inbound, CNT(inbound) },
	{ sql_e_statuses, CNT(statuses) },
	{ sql_e_unexpected, CNT(unexpected) },
	{ sql_e_conv, CNT(conversations) },
};

static int
erase_step(struct store *st, const struct step *e, const char *user,
    long long now, struct report_purge_counts *c)
{
	struct store_stmt *s;
	int rc;

	if ((s = store_stmt(st, e->sql)) == NULL)
		return -1;
	store_bind_text(s, 1, user, -1);
	store_bind_int64(s, 2, now);
	rc = store_step(s);
	*counter(c, e->off) += store_changes(st);
	store_stmt_done(s);
	if (rc != STORE_DONE) {
		log_warnx("event=erase_failed msg=\"%s\"",
		    store_errmsg(st));
		return -1;
	}
	return 0;
}

int
report_erase(struct store *st, const char *user_id, long long now_ms,
    struct report_purge_counts *c)
{
	size_t i;

	/* An empty id would match every row purged before. */
	if (user_id == NULL || *user_id == '\0')
		return -1;
	if (store_begin(st) == -1)
		return -1;
	for (i = 0; i < sizeof(erase_steps) / sizeof(erase_steps[0]); i++)
		if (erase_step(st, &erase_steps[i], user_id, now_ms, c) == -1) {
			store_rollback(st);
			return -1;
		}
	return store_commit(st);
}

/* The server's daily run, carried over ticks until done. */
struct report_purge_state {
	long long			next_ms;
	long long			cutoff_ms;
	int				running;
	struct report_purge_cursor	cur;
	struct report_purge_counts	c;
};

static void
purge_log(const char *event, const struct report_purge_state *p)
{
	char cutoff[11];

	report_format_date(p->cutoff_ms, cutoff);
	log_info("event=%s before=%s conversations=%ld inbound=%ld "
	    "statuses=%ld outbox=%ld cases=%ld unexpected=%ld review=%ld "
	    "media=%ld", event, cutoff, p->c.conversations, p->c.inbound,
	    p->c.statuses, p->c.outbox, p->c.cases, p->c.unexpected,
	    p->c.review, p->c.media);
}

void
report_purge_maybe(struct report_purge_state **state, struct store *st,
    const struct config *cfg)
{
	struct report_purge_state *p = *state;
	long long now;
	int rc;

	if (cfg->retention_days <= 0 || st == NULL)
		return;
	if (p == NULL && (p = *state = calloc(1, sizeof(*p))) == NULL)
		return;
	now = store_now_ms();
	if (!p->running) {
		if (now < p->next_ms)
			return;
		memset(&p->c, 0, sizeof(p->c));
		memset(&p->cur, 0, sizeof(p->cur));
		p->cutoff_ms = now - (long long)cfg->retention_days *
		    REPORT_MS_PER_DAY;
		p->running = 1;
	}
	if ((rc = report_purge_run(st, p->cutoff_ms, 1, &p->cur,
	    &p->c)) == 0)
		return;		/* more next tick */
	p->running = 0;
	p->next_ms = now + REPORT_MS_PER_DAY;
	if (rc == 1)
		purge_log("retention_purge", p);
	else
		log_warnx("event=retention_purge_failed retry_in=1d");
}

void
report_purge_free(struct report_purge_state *state)
{
	free(state);
}
