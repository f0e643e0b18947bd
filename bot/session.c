/*
 * session.c — console login sessions.  See session.h.
 */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "throttle.h"

#define TOUCH_EVERY_MS	60000

int
session_create(struct store *s, const struct staff_account *a,
    char token[SESSION_TOKEN_LEN + 1], struct session *sess)
{
	static const char sql[] = "INSERT INTO staff_sessions (token_hash, "
	    "staff_id, csrf, created_at, last_seen_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id";
	struct store_stmt *st;
	char hash[65];
	int rc;

	memset(sess, 0, sizeof(*sess));
	if (staff_random_hex(token, SESSION_TOKEN_LEN / 2) == -1 ||
	    staff_random_hex(sess->csrf, SESSION_TOKEN_LEN / 2) == -1)
		return -1;
	staff_sha256_hex(token, hash);
	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, hash, -1);
	store_bind_int64(st, 2, a->id);
	store_bind_text(st, 3, sess->csrf, -1);
	store_bind_int64(st, 4, store_now_ms());
	if ((rc = store_step(st)) == STORE_ROW)
		sess->id = store_col_int64(st, 0);
	store_stmt_done(st);
	if (rc != STORE_ROW) {
		log_warnx("event=session_create_failed msg=\"%s\"",
		    store_errmsg(s));
		return -1;
	}
	sess->staff_id = a->id;
	snprintf(sess->name, sizeof(sess->name), "%s", a->name);
	snprintf(sess->role, sizeof(sess->role), "%s", a->role);
	return 0;
}

static void
delete_id(struct store *s, long long id)
{
	static const char sql[] = "DELETE FROM staff_sessions WHERE id = ?1";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql)) == NULL)
		return;
	store_bind_int64(st, 1, id);
	store_step(st);
	store_stmt_done(st);
}

static void
touch(struct store *s, long long id, long long now)
{
	static const char sql[] = "UPDATE staff_sessions SET last_seen_at = ?2 "
	    "WHERE id = ?1";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql)) == NULL)
		return;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, now);
	store_step(st);
	store_stmt_done(st);
}

/* Reads one row of the lookup statements and applies the expiry rules. */
static int
read_row(struct store *s, struct store_stmt *st, struct session *sess, int touch_it)
{
	long long now = store_now_ms(), created, seen;
	int rc = store_step(st);

	if (rc != STORE_ROW) {
		store_stmt_done(st);
		return rc == STORE_DONE ? 0 : -1;
	}
	memset(sess, 0, sizeof(*sess));
	sess->id = store_col_int64(st, 0);
	sess->staff_id = store_col_int64(st, 1);
	snprintf(sess->csrf, sizeof(sess->csrf), "%s",
	    store_col_text(st, 2));
	created = store_col_int64(st, 3);
	seen = store_col_int64(st, 4);
	snprintf(sess->name, sizeof(sess->name), "%s",
	    store_col_text(st, 5));
	snprintf(sess->role, sizeof(sess->role), "%s",
	    store_col_text(st, 6));
	store_stmt_done(st);
	if (now - seen > SESSION_IDLE_MS || now - created > SESSION_MAX_MS) {
		delete_id(s, sess->id);
		return 0;
	}
	if (touch_it && now - seen > TOUCH_EVERY_MS)
		touch(s, sess->id, now);
	return 1;
}

int
session_lookup(struct store *s, const char *token, struct session *sess)
{
	static const char sql[] = "SELECT x.id, x.staff_id, x.csrf, "
	    "x.created_at, x.last_seen_at, a.name, a.role "
	    "FROM staff_sessions x JOIN staff a ON a.id = x.staff_id "
	    "WHERE x.token_hash = ?1";
	struct store_stmt *st;
	char hash[65];

	if (strlen(token) != SESSION_TOKEN_LEN)
		return 0;
	staff_sha256_hex(token, hash);
	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, hash, -1);
	return read_row(s, st, sess, 1);
}

int
session_lookup_id(struct store *s, long long id, struct session *sess)
{
	static const char sql[] = "SELECT x.id, x.staff_id, x.csrf, "
	    "x.created_at, x.last_seen_at, a.name, a.role "
	    "FROM staff_sessions x JOIN staff a ON a.id = x.staff_id "
	    "WHERE x.id = ?1";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	return read_row(s, st, sess, 0);
}

void
session_destroy(struct store *s, const char *token)
{
	static const char sql[] = "DELETE FROM staff_sessions "
	    "WHERE token_hash = ?1";
	struct store_stmt *st;
	char hash[65];

	staff_sha256_hex(token, hash);
	if ((st = store_stmt(s, sql)) == NULL)
		return;
	store_bind_text(st, 1, hash, -1);
	store_step(st);
	store_stmt_done(st);
}

int
session_purge(struct store *s)
{
	static const char sql[] = "DELETE FROM staff_sessions "
	    "WHERE last_seen_at < ?1 OR created_at < ?2";
	struct store_stmt *st;
	long long now = store_now_ms();
	int rc;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, now - SESSION_IDLE_MS);
	store_bind_int64(st, 2, now - SESSION_MAX_MS);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? store_changes(s) : -1;
}

/* ---- the failed-login counts (PostgreSQL: shared by the instances) ---- */

/* mem emptied, holding key's row (1), or empty when it has none (0). */
static int
throttle_load(struct store *s, struct throttle *mem, const char *key,
    int lock)
{
	static const char sel[] = "SELECT failures, last_ms, until_ms "
	    "FROM login_throttle WHERE name = ?1";
	static const char sel_lock[] = "SELECT failures, last_ms, until_ms "
	    "FROM login_throttle WHERE name = ?1 FOR UPDATE";
	struct store_stmt *st;
	struct throttle_slot *slot = &mem->slot[0];
	int rc;

	memset(mem, 0, sizeof(*mem));
	if ((st = store_stmt(s, lock ? sel_lock : sel)) == NULL)
		return -1;
	store_bind_text(st, 1, key, -1);
	if ((rc = store_step(st)) == STORE_ROW) {
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		slot->failures = store_col_int(st, 0);
		slot->last_ms = store_col_int64(st, 1);
		slot->until_ms = store_col_int64(st, 2);
	}
	store_stmt_done(st);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

long long
session_throttle_wait(struct store *s, struct throttle *mem, const char *key,
    long long now_ms)
{
	if (store_kind(s) != STORE_PG)
		return throttle_wait_ms(mem, key, now_ms);
	if (throttle_load(s, mem, key, 0) == -1) {
		log_warnx("event=throttle_read_failed msg=\"%s\"",
		    store_errmsg(s));
		return 0;
	}
	return throttle_wait_ms(mem, key, now_ms);
}

/* The slot the policy keeps key in, or NULL. */
static const struct throttle_slot *
slot_of(const struct throttle *mem, const char *key)
{
	int i;

	for (i = 0; i < THROTTLE_SLOTS; i++)
		if (mem->slot[i].key[0] != '\0' && strncmp(mem->slot[i].key,
		    key, THROTTLE_KEY_MAX - 1) == 0)
			return &mem->slot[i];
	return NULL;
}

void
session_throttle_fail(struct store *s, struct throttle *mem, const char *key,
    int nfree, long long now_ms)
{
	static const char ins[] = "INSERT INTO login_throttle (name, "
	    "failures, last_ms, until_ms) VALUES (?1, 0, 0, 0) "
	    "ON CONFLICT (name) DO NOTHING";
	static const char upd[] = "UPDATE login_throttle SET failures = ?2, "
	    "last_ms = ?3, until_ms = ?4 WHERE name = ?1";
	static const char forget[] = "DELETE FROM login_throttle "
	    "WHERE last_ms < ?1";
	const struct throttle_slot *slot;
	struct store_stmt *st;
	int rc = STORE_ERROR;

	if (store_kind(s) != STORE_PG) {
		throttle_fail(mem, key, nfree, now_ms);
		return;
	}
	if (store_begin(s) == -1)
		return;
	/* The row first, then its lock: two instances counting a failure
	 * of the same key at once take turns. */
	if ((st = store_stmt(s, ins)) != NULL) {
		store_bind_text(st, 1, key, -1);
		rc = store_step(st);
		store_stmt_done(st);
	}
	if (rc == STORE_DONE && throttle_load(s, mem, key, 1) != -1) {
		throttle_fail(mem, key, nfree, now_ms);
		rc = STORE_ERROR;
		if ((slot = slot_of(mem, key)) != NULL &&
		    (st = store_stmt(s, upd)) != NULL) {
			store_bind_text(st, 1, key, -1);
			store_bind_int(st, 2, slot->failures);
			store_bind_int64(st, 3, slot->last_ms);
			store_bind_int64(st, 4, slot->until_ms);
			rc = store_step(st);
			store_stmt_done(st);
		}
		/* Keys quiet for the policy's forgetting time go. */
		if (rc == STORE_DONE && (st = store_stmt(s, forget)) != NULL) {
			store_bind_int64(st, 1, now_ms - THROTTLE_FORGET_MS);
			rc = store_step(st);
			store_stmt_done(st);
		}
	}
	if (rc != STORE_DONE || store_commit(s) == -1) {
		log_warnx("event=throttle_write_failed msg=\"%s\"",
		    store_errmsg(s));
		store_rollback(s);
	}
}

void
session_throttle_clear(struct store *s, struct throttle *mem, const char *key)
{
	static const char sql[] = "DELETE FROM login_throttle WHERE name = ?1";
	struct store_stmt *st;

	if (store_kind(s) != STORE_PG) {
		throttle_clear(mem, key);
		return;
	}
	if ((st = store_stmt(s, sql)) == NULL)
		return;
	store_bind_text(st, 1, key, -1);
	if (store_step(st) != STORE_DONE)
		log_warnx("event=throttle_write_failed msg=\"%s\"",
		    store_errmsg(s));
	store_stmt_done(st);
}
