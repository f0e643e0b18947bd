/*
 * cmd_migrate.c — `loket migrate --from loket.db --to postgresql://...`:
 * copies an installation, every table with its ids, into a new database
 * (in one transaction), and refuses a target that already has rows.
 * Both ends are brought to the newest schema first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: loket migrate --from FILE --to DATABASE\n\n"
	    "Copies every table of the SQLite database FILE into DATABASE "
	    "(a\npostgresql:// URI or a libpq key=value string), ids "
	    "included, in one\ntransaction.  DATABASE must be empty: loket "
	    "creates its schema there\nand refuses to write where rows "
	    "exist.  Stop the server first.\n");
}

static long long
count_rows(struct store *s, const char *table)
{
	struct store_stmt *st;
	char sql[200];
	long long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
	if ((st = store_prepare(s, sql)) != NULL && store_step(st) == STORE_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	return n;
}

/* "INSERT INTO t (a, b) VALUES (?1, ?2)" for the columns of src's row. */
static char *
insert_sql(const char *table, struct store_stmt *src, int *has_id)
{
	struct buf b;
	int i, n = store_col_count(src);
	char num[16];

	buf_init(&b, 65536);
	*has_id = 0;
	buf_appendf(&b, "INSERT INTO \"%s\" (", table);
	for (i = 0; i < n; i++) {
		buf_appendf(&b, "%s\"%s\"", i ? ", " : "",
		    store_col_name(src, i));
		if (strcmp(store_col_name(src, i), "id") == 0)
			*has_id = 1;
	}
	buf_appendf(&b, ") VALUES (");
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%s?%d", i ? ", " : "", i + 1);
		buf_appendf(&b, "%s", num);
	}
	if (buf_appendf(&b, ")") == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Copies one table; returns the number of rows, -1 on error. */
static long long
copy_table(struct store *from, struct store *to, const char *table)
{
	struct store_stmt *src, *dst = NULL;
	char sql[200], *ins = NULL;
	long long n = 0;
	int i, rc, has_id = 0;

	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", table);
	if ((src = store_prepare(from, sql)) == NULL)
		return -1;
	while ((rc = store_step(src)) == STORE_ROW) {
		if (dst == NULL && ((ins = insert_sql(table, src, &has_id)) ==
		    NULL || (dst = store_prepare(to, ins)) == NULL)) {
			rc = STORE_ERROR;
			break;
		}
		for (i = 0; i < store_col_count(src); i++)
			store_bind_value(dst, i + 1, store_col_text(src, i));
		if (store_step(dst) != STORE_DONE) {
			rc = STORE_ERROR;
			break;
		}
		store_stmt_done(dst);
		n++;
	}
	store_finalize(src);
	store_finalize(dst);
	free(ins);
	if (rc != STORE_DONE)
		return -1;
	if (has_id && store_reset_ids(to, table) == -1)
		return -1;
	return n;
}

static int
target_empty(struct store *to, char **tables, int n)
{
	long long rows;
	int i;

	for (i = 0; i < n; i++) {
		if ((rows = count_rows(to, tables[i])) != 0) {
			fprintf(stderr, "loket migrate: the target is not "
			    "empty (%s: %lld rows); nothing copied\n",
			    tables[i], rows);
			return 0;
		}
	}
	return 1;
}

static int
copy_all(struct store *from, struct store *to)
{
	char **tables = NULL;
	long long rows;
	int n = 0, i, rc = 1;

	if (store_tables(from, &tables, &n) == -1) {
		fprintf(stderr, "loket migrate: %s\n", store_errmsg(from));
		return 1;
	}
	if (!target_empty(to, tables, n) || store_begin(to) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rows = copy_table(from, to, tables[i])) < 0) {
			fprintf(stderr, "loket migrate: %s: %s\n", tables[i],
			    store_errmsg(to)[0] ? store_errmsg(to) :
			    store_errmsg(from));
			store_rollback(to);
			goto out;
		}
		printf("%-16s %lld rows\n", tables[i], rows);
	}
	if (store_commit(to) == -1) {
		fprintf(stderr, "loket migrate: commit: %s\n",
		    store_errmsg(to));
		goto out;
	}
	rc = 0;
out:
	store_tables_free(tables, n);
	return rc;
}

int
cmd_migrate(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	const struct cli_option opts[] = {
		{ "--from", &from, NULL },
		{ "--to", &to, NULL },
		{ NULL, NULL, NULL }
	};
	struct store *src = NULL, *dst = NULL;
	char err[512];
	int rc = 1;

	if (cli_parse(argc, argv, 1, opts, usage) == -1)
		return 2;
	if (from == NULL || to == NULL) {
		usage(stderr);
		return 2;
	}
	if (store_kind_of(from) != STORE_SQLITE) {
		fprintf(stderr, "loket migrate: --from is a SQLite file\n");
		return 2;
	}
	if ((src = store_open(from, err, sizeof(err))) == NULL)
		fprintf(stderr, "loket migrate: %s: %s\n", from, err);
	else if ((dst = store_open(to, err, sizeof(err))) == NULL)
		fprintf(stderr, "loket migrate: target: %s\n", err);
	else if ((rc = copy_all(src, dst)) == 0)
		log_info("event=migrated from=sqlite to=%s",
		    store_kind_name(dst));
	store_close(dst);
	store_close(src);
	return rc;
}
