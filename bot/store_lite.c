/*
 * store_lite.c — the SQLite back end of the store: one file, WAL mode,
 * synchronous=FULL, schema version in PRAGMA user_version.  Only this
 * file includes sqlite3.h.  See store.h.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

static void
set_err(struct store *s)
{
	snprintf(s->err, sizeof(s->err), "%s", s->lite != NULL ?
	    sqlite3_errmsg(s->lite) : "cannot open");
}

int
store_lite_exec(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	const char *tail = sql;
	int rc;

	while (tail != NULL && *tail != '\0') {
		if (sqlite3_prepare_v2(s->lite, tail, -1, &st, &tail) !=
		    SQLITE_OK) {
			set_err(s);
			return -1;
		}
		if (st == NULL)		/* only whitespace or comments left */
			break;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			set_err(s);
			return -1;
		}
	}
	s->changes = sqlite3_changes(s->lite);
	return 0;
}

int
store_lite_open(struct store *s, const char *path)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;

	if (sqlite3_open_v2(path, &s->lite, flags, NULL) != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "%s: %s", path,
		    s->lite ? sqlite3_errmsg(s->lite) : "cannot open");
		return -1;
	}
	/* SQLite quietly opens a file it may not write read-only; every
	 * later write would then fail.  Say so now, with the way out. */
	if (sqlite3_db_readonly(s->lite, "main") == 1) {
		snprintf(s->err, sizeof(s->err), "%s: the database is "
		    "read-only: loket must write it (check the owner and mode "
		    "of the file and its directory, and that the disk is "
		    "mounted read-write)", path);
		return -1;
	}
	sqlite3_busy_timeout(s->lite, 2000);
	sqlite3_extended_result_codes(s->lite, 1);
	if (store_lite_exec(s, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;") == -1)
		return -1;
	return 0;
}

void
store_lite_close(struct store *s)
{
	if (s->lite == NULL)
		return;
	store_lite_exec(s, "PRAGMA optimize");
	if (sqlite3_close(s->lite) != SQLITE_OK)
		log_warnx("event=store_close_busy msg=\"%s\"",
		    sqlite3_errmsg(s->lite));
}

int
store_lite_prepare(struct store_stmt *st, const char *sql)
{
	if (sqlite3_prepare_v3(st->s->lite, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st->lite, NULL) != SQLITE_OK) {
		set_err(st->s);
		return -1;
	}
	return 0;
}

void
store_lite_finalize(struct store_stmt *st)
{
	sqlite3_finalize(st->lite);
}

void
store_lite_reset(struct store_stmt *st)
{
	sqlite3_reset(st->lite);
	sqlite3_clear_bindings(st->lite);
}

int
store_lite_bind(struct store_stmt *st, int i, int type, long long n,
    const char *t, int len)
{
	switch (type) {
	case STORE_B_INT:
		return sqlite3_bind_int64(st->lite, i, n) == SQLITE_OK ? 0 : -1;
	case STORE_B_TEXT:
		return sqlite3_bind_text(st->lite, i, t, len,
		    SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
	case STORE_B_BLOB:
		return sqlite3_bind_blob64(st->lite, i, t, (sqlite3_uint64)n,
		    SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
	default:
		return sqlite3_bind_null(st->lite, i) == SQLITE_OK ? 0 : -1;
	}
}

int
store_lite_step(struct store_stmt *st)
{
	int rc = sqlite3_step(st->lite);

	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE) {
		st->s->changes = sqlite3_changes(st->s->lite);
		return STORE_DONE;
	}
	set_err(st->s);
	return STORE_ERROR;
}

const char *
store_lite_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st->lite, i);
}

/* The bytes of column i, *n their count (NULL for NULL or empty). */
const void *
store_lite_blob(struct store_stmt *st, int i, size_t *n)
{
	const void *p = sqlite3_column_blob(st->lite, i);

	*n = (size_t)sqlite3_column_bytes(st->lite, i);
	return p;
}

long long
store_lite_int64(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(st->lite, i);
}

int
store_lite_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
}

int
store_lite_ncols(struct store_stmt *st)
{
	return sqlite3_column_count(st->lite);
}

const char *
store_lite_colname(struct store_stmt *st, int i)
{
	return sqlite3_column_name(st->lite, i);
}

int
store_lite_autocommit(struct store *s)
{
	return sqlite3_get_autocommit(s->lite);
}

int
store_lite_get_version(struct store *s, int *v)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(s->lite, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK) {
		set_err(s);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_lite_set_version(struct store *s, int v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	return store_lite_exec(s, sql);
}
