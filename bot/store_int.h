/*
 * store_int.h — private to the store module: the connection and statement
 * structs shared by store.c (the dialect-neutral part: cache, nesting,
 * migrations, locks) and its two back ends, store_lite.c (sqlite3) and
 * store_pg.c (libpq).  Nothing outside store*.c includes it.
 */
#ifndef LOKET_STORE_INT_H
#define LOKET_STORE_INT_H

#include "store.h"

#define STORE_CACHE	256
#define STORE_KEYS	4		/* session locks kept over reconnects */
#define STORE_LISTEN	4		/* channels kept over reconnects */

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;
struct pg_result;

struct store_stmt {
	struct store	*s;
	const char	*key;		/* cached: the caller's string */
	struct sqlite3_stmt *lite;	/* SQLite */
	char		*sql;		/* PostgreSQL: with $N placeholders */
	char		 name[16];	/* its prepared name ("" uncached) */
	int		 prepared;	/* on this connection (reconnects) */
	int		 nparams;
	char		**vals;		/* bound values as text, NULL = NULL */
	unsigned int	*types;		/* Oid of each first binding */
	struct pg_result *res;		/* the rows, once run */
	int		 ran, row, nrows;
	char		 num[24];	/* scratch for integer columns */
};

struct store {
	enum store_kind	 kind;
	struct sqlite3	*lite;
	struct pg_conn	*pg;
	char		*conninfo;
	struct store_stmt *cache[STORE_CACHE];
	size_t		 ncache;
	int		 depth;		/* nested store_begin() calls */
	struct store_wlock *wlock;	/* shared write lock, or NULL */
	int		 version;
	int		 changes;	/* of the last statement */
	unsigned long	 nnames;	/* prepared-statement names used */
	long long	 retry_at;	/* next reconnect attempt (ms) */
	long long	 keys[STORE_KEYS];
	int		 nkeys;
	char		 listen[STORE_LISTEN][32];
	int		 nlisten;
	int		 relistened;	/* LISTENs made again after a lost
					   session: what was notified
					   meanwhile is lost */
	char		 err[256];
};

/* Copies sql with ?N turned into $N (PostgreSQL) or with a trailing
 * FOR UPDATE clause cut (SQLite); *nparams gets the highest N.  Returns
 * NULL when out of memory. */
char	*store_translate(const char *sql, enum store_kind k, int *nparams);

/* SQLite back end (store_lite.c). */
int	 store_lite_open(struct store *s, const char *path);
void	 store_lite_close(struct store *s);
int	 store_lite_prepare(struct store_stmt *st, const char *sql);
void	 store_lite_finalize(struct store_stmt *st);
void	 store_lite_reset(struct store_stmt *st);
int	 store_lite_bind(struct store_stmt *st, int i, int type,
	    long long n, const char *t, int len);
int	 store_lite_step(struct store_stmt *st);
const char *store_lite_text(struct store_stmt *st, int i);
long long store_lite_int64(struct store_stmt *st, int i);
int	 store_lite_null(struct store_stmt *st, int i);
const void *store_lite_blob(struct store_stmt *st, int i, size_t *n);
int	 store_lite_ncols(struct store_stmt *st);
const char *store_lite_colname(struct store_stmt *st, int i);
int	 store_lite_exec(struct store *s, const char *sql);
int	 store_lite_autocommit(struct store *s);
int	 store_lite_get_version(struct store *s, int *v);
int	 store_lite_set_version(struct store *s, int v);
void	 store_lite_busy_timeout(struct store *s, int ms);
int	 store_lite_wal_truncate(struct store *s);

/* PostgreSQL back end (store_pg.c). */
int	 store_pg_open(struct store *s, const char *conninfo);
void	 store_pg_close(struct store *s);
int	 store_pg_ready(struct store *s);
void	 store_pg_reset(struct store_stmt *st);
void	 store_pg_finalize(struct store_stmt *st);
int	 store_pg_bind(struct store_stmt *st, int i, int type, long long n,
	    const char *t, int len);
int	 store_pg_step(struct store_stmt *st);
const char *store_pg_text(struct store_stmt *st, int i);
int	 store_pg_null(struct store_stmt *st, int i);
int	 store_pg_ncols(struct store_stmt *st);
const char *store_pg_colname(struct store_stmt *st, int i);
int	 store_pg_exec(struct store *s, const char *sql);
int	 store_pg_get_version(struct store *s, int *v);
int	 store_pg_set_version(struct store *s, int v);
int	 store_pg_notified(struct store *s);
/* The schema's SQLite DDL in PostgreSQL's words (malloc'd). */
char	*store_pg_ddl(const char *sqlite_ddl);

enum { STORE_B_INT, STORE_B_TEXT, STORE_B_NULL, STORE_B_BLOB };

#endif
