/*
 * outbox.c — durable outbound queue.  See outbox.h.
 */
#include "outbox.h"

#include <sqlite3.h>

#include "log.h"
#include "store.h"

long long
outbox_enqueue(struct store *s, const struct outbox_item *it)
{
	static const char sql[] = "INSERT INTO outbox (conversation_id, "
	    "agency, channel, account_id, user_id, to_phone, kind, body, "
	    "author, status, next_attempt_at, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', 0, "
	    "?10, ?10)";
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	long long id = -1, now = store_now_ms();

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (it->conversation_id > 0)
		sqlite3_bind_int64(st, 1, it->conversation_id);
	sqlite3_bind_text(st, 2, it->agency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, it->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, it->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, it->to_phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, it->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, it->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, it->author ? it->author : "bot", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(db);
out:
	if (id == -1)
		log_warnx("event=outbox_enqueue_failed msg=\"%s\"",
		    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return id;
}
