/*
 * store_pg.c — the PostgreSQL back end of the store, through libpq.  Only
 * this file includes libpq-fe.h.  Statements are prepared on first use
 * (parameter types from their first bindings: integers int8, text text,
 * NULL left to the server) and run with text parameters; a connection
 * that broke is reset before the next transaction or ping, and its
 * prepared statements, LISTENs and session locks are made again.
 * See store.h.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define OID_INT8	20
#define OID_TEXT	25
#define OID_BYTEA	17
#define RECONNECT_MS	1000	/* between attempts on a dead server */

static void
set_err(struct store *s, const PGresult *res)
{
	const char *m = res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(s->pg);
	size_t n;

	snprintf(s->err, sizeof(s->err), "%s", m != NULL && *m ? m :
	    "connection lost");
	n = strlen(s->err);
	while (n > 0 && (s->err[n - 1] == '\n' || s->err[n - 1] == ' '))
		s->err[--n] = '\0';
	for (n = 0; s->err[n] != '\0'; n++)	/* one log line */
		if (s->err[n] == '\n' || s->err[n] == '"')
			s->err[n] = ' ';
}

/* Server notices (IF NOT EXISTS, ...) are not Loket's business. */
static void
quiet(void *arg, const char *message)
{
}

static int
connect_db(struct store *s)
{
	const char *keys[] = { "connect_timeout", "application_name",
	    "dbname", NULL };
	const char *vals[] = { "5", "loket", s->conninfo, NULL };

	if (s->pg != NULL)
		PQfinish(s->pg);
	s->pg = PQconnectdbParams(keys, vals, 1);
	if (s->pg == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (PQstatus(s->pg) != CONNECTION_OK) {
		set_err(s, NULL);
		return -1;
	}
	PQsetNoticeProcessor(s->pg, quiet, NULL);
	return 0;
}

int
store_pg_exec(struct store *s, const char *sql)
{
	PGresult *res = PQexec(s->pg, sql);
	ExecStatusType rc = PQresultStatus(res);

	if (rc != PGRES_COMMAND_OK && rc != PGRES_TUPLES_OK) {
		set_err(s, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int
store_pg_open(struct store *s, const char *conninfo)
{
	if ((s->conninfo = strdup(conninfo)) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	return connect_db(s);
}

void
store_pg_close(struct store *s)
{
	if (s->pg != NULL)
		PQfinish(s->pg);
	free(s->conninfo);
}

/* What a new session must have again: LISTENs and session locks. */
static int
restore_session(struct store *s)
{
	char sql[64];
	const char *v[1];
	char key[24];
	PGresult *res;
	size_t i;
	int j, ok = 1;

	for (i = 0; i < s->ncache; i++)
		s->cache[i]->prepared = 0;
	for (j = 0; j < s->nlisten; j++) {
		snprintf(sql, sizeof(sql), "LISTEN loket_%s", s->listen[j]);
		if (store_pg_exec(s, sql) == -1)
			ok = 0;
	}
	for (j = 0; j < s->nkeys; j++) {
		snprintf(key, sizeof(key), "%lld", s->keys[j]);
		v[0] = key;
		res = PQexecParams(s->pg, "SELECT pg_try_advisory_lock($1)", 1,
		    NULL, v, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		    strcmp(PQgetvalue(res, 0, 0), "t") != 0)
			ok = 0;
		PQclear(res);
	}
	return ok ? 0 : -1;
}

int
store_pg_ready(struct store *s)
{
	long long now;

	if (PQstatus(s->pg) == CONNECTION_OK)
		return 0;
	if ((now = store_now_ms()) < s->retry_at) {
		snprintf(s->err, sizeof(s->err), "database unreachable");
		return -1;
	}
	s->retry_at = now + RECONNECT_MS;
	PQreset(s->pg);
	if (PQstatus(s->pg) != CONNECTION_OK) {
		set_err(s, NULL);
		return -1;
	}
	PQsetNoticeProcessor(s->pg, quiet, NULL);
	if (restore_session(s) == -1)
		log_warnx("event=store_session_restore_failed msg=\"%s\"",
		    s->err);
	s->relistened = s->nlisten > 0;
	log_info("event=store_reconnected");
	return 0;
}

void
store_pg_reset(struct store_stmt *st)
{
	int i;

	PQclear(st->res);
	st->res = NULL;
	st->ran = 0;
	st->row = st->nrows = 0;
	for (i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

void
store_pg_finalize(struct store_stmt *st)
{
	if (st->vals != NULL)
		store_pg_reset(st);
}

int
store_pg_bind(struct store_stmt *st, int i, int type, long long n,
    const char *t, int len)
{
	char num[24], *v = NULL;

	if (i < 1 || i > st->nparams)
		return -1;
	if (type == STORE_B_INT) {
		snprintf(num, sizeof(num), "%lld", n);
		v = strdup(num);
		st->types[i - 1] = OID_INT8;
	} else if (type == STORE_B_TEXT) {
		v = len < 0 ? strdup(t) : strndup(t, (size_t)len);
		st->types[i - 1] = OID_TEXT;
	} else if (type == STORE_B_BLOB) {	/* t: "\\x" and hex */
		v = strdup(t);
		st->types[i - 1] = OID_BYTEA;
	}
	free(st->vals[i - 1]);
	st->vals[i - 1] = v;
	return type != STORE_B_NULL && v == NULL ? -1 : 0;
}

/* A parameter the SQL never uses has no type the server could infer;
 * bound as text it is accepted and ignored, as on SQLite. */
static void
type_unused(struct store_stmt *st)
{
	const char *p;
	char num[16];
	int i, used;

	for (i = 0; i < st->nparams; i++) {
		if (st->types[i] != 0)
			continue;
		snprintf(num, sizeof(num), "$%d", i + 1);
		for (used = 0, p = st->sql; !used &&
		    (p = strstr(p, num)) != NULL; p++)
			used = p[strlen(num)] < '0' || p[strlen(num)] > '9';
		if (!used)
			st->types[i] = OID_TEXT;
	}
}

static PGresult *
run(struct store_stmt *st)
{
	struct store *s = st->s;
	const char *const *vals = (const char *const *)st->vals;
	PGresult *res;

	if (!st->prepared)
		type_unused(st);
	if (st->name[0] == '\0')
		return PQexecParams(s->pg, st->sql, st->nparams, st->types,
		    vals, NULL, NULL, 0);
	if (!st->prepared) {
		res = PQprepare(s->pg, st->name, st->sql, st->nparams,
		    st->types);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		st->prepared = 1;
	}
	return PQexecPrepared(s->pg, st->name, st->nparams, vals, NULL, NULL,
	    0);
}

int
store_pg_step(struct store_stmt *st)
{
	struct store *s = st->s;
	ExecStatusType rc;
	PGresult *res;

	if (st->ran)
		return ++st->row < st->nrows ? STORE_ROW : STORE_DONE;
	if (s->depth == 0 && store_pg_ready(s) == -1)
		return STORE_ERROR;
	res = run(st);
	rc = PQresultStatus(res);
	if (rc != PGRES_COMMAND_OK && rc != PGRES_TUPLES_OK) {
		set_err(s, res);
		PQclear(res);
		log_debug("event=sql_failed sql=\"%.60s\" msg=\"%s\"", st->sql,
		    s->err);
		return STORE_ERROR;
	}
	if (strncmp(PQcmdStatus(res), "SELECT", 6) != 0)
		s->changes = atoi(PQcmdTuples(res));
	st->res = res;
	st->ran = 1;
	st->row = 0;
	st->nrows = rc == PGRES_TUPLES_OK ? PQntuples(res) : 0;
	return st->nrows > 0 ? STORE_ROW : STORE_DONE;
}

const char *
store_pg_text(struct store_stmt *st, int i)
{
	if (st->res == NULL || st->row >= st->nrows || i >= PQnfields(st->res)
	    || PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

int
store_pg_null(struct store_stmt *st, int i)
{
	return store_pg_text(st, i) == NULL;
}

int
store_pg_ncols(struct store_stmt *st)
{
	return st->res != NULL ? PQnfields(st->res) : 0;
}

const char *
store_pg_colname(struct store_stmt *st, int i)
{
	return st->res != NULL ? PQfname(st->res, i) : NULL;
}

int
store_pg_get_version(struct store *s, int *v)
{
	PGresult *res;

	if (store_pg_exec(s, "CREATE TABLE IF NOT EXISTS loket_schema ("
	    "version BIGINT NOT NULL)") == -1)
		return -1;
	res = PQexecParams(s->pg, "SELECT COALESCE(MAX(version), 0) FROM "
	    "loket_schema", 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_err(s, res);
		PQclear(res);
		return -1;
	}
	*v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int
store_pg_set_version(struct store *s, int v)
{
	char num[16];
	const char *vals[1] = { num };
	PGresult *res;
	int rc = 0;

	snprintf(num, sizeof(num), "%d", v);
	if (store_pg_exec(s, "DELETE FROM loket_schema") == -1)
		return -1;
	res = PQexecParams(s->pg, "INSERT INTO loket_schema (version) "
	    "VALUES ($1)", 1, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_err(s, res);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

int
store_pg_notified(struct store *s)
{
	PGnotify *n;
	int got;

	if (store_pg_ready(s) == -1 || PQconsumeInput(s->pg) == 0)
		return 0;
	got = s->relistened;
	s->relistened = 0;
	while ((n = PQnotifies(s->pg)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

static int
word_at(const char *p, const char *start, const char *w)
{
	size_t n = strlen(w);
	char after;

	if (strncmp(p, w, n) != 0)
		return 0;
	after = p[n];		/* within the string: p matched w */
	return (p == start || p[-1] == ' ' ||
	    p[-1] == '(' || p[-1] == ',') && (after == ' ' || after == ',' ||
	    after == ')' || after == ';' || after == '\0');
}

/*
 * The schema is written once, in SQLite's words; the only words that
 * differ are the types of the integer columns: 64-bit everywhere (times
 * are milliseconds), a rowid primary key becomes an identity column, and
 * BLOB is BYTEA.
 */
char *
store_pg_ddl(const char *sql)
{
	static const char pk[] = "INTEGER PRIMARY KEY";
	static const char pg_pk[] = "BIGINT GENERATED BY DEFAULT AS IDENTITY "
	    "PRIMARY KEY";
	size_t n = strlen(sql);
	char *out = malloc(n * 3 + 1), *o = out;
	const char *p;

	if (out == NULL)
		return NULL;
	for (p = sql; *p != '\0';) {
		if (strncmp(p, pk, sizeof(pk) - 1) == 0 && word_at(p, sql,
		    "INTEGER")) {
			o += sprintf(o, "%s", pg_pk);
			p += sizeof(pk) - 1;
		} else if (word_at(p, sql, "INTEGER")) {
			o += sprintf(o, "BIGINT");
			p += 7;
		} else if (word_at(p, sql, "BLOB")) {
			o += sprintf(o, "BYTEA");
			p += 4;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}
