/*
 * testutil.h — helpers shared by the unit tests: a temporary directory
 * removed afterwards, and the ids used in the webhook fixtures
 * (tests/fixtures/).
 */
#ifndef LOKET_TESTUTIL_H
#define LOKET_TESTUTIL_H

#include <ctype.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Removes the files in dir, then dir (one level: tests make no more). */
static inline void
test_rmdir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The PostgreSQL server of this run (tests/run.sh starts one and names
 * it, "host=... port=... user=..." without a dbname), or NULL: SQLite. */
static inline const char *
test_pg(void)
{
	const char *c = getenv("LOKET_TEST_PG");

	return c != NULL && *c != '\0' ? c : NULL;
}

/*
 * The database a suite opens for path: path itself on SQLite, or a new,
 * empty PostgreSQL database named after path's file name (dropped first
 * if a crashed run left it).  Call it once per database: each call
 * starts empty.  Returns out, or NULL if the server refused.
 */
static inline const char *
test_db(const char *path, char *out, size_t outlen)
{
	const char *pg = test_pg(), *base = strrchr(path, '/');
	char name[64], sql[160], admin[512];
	PGconn *c;
	PGresult *r;
	size_t i, n;
	int ok;

	if (pg == NULL) {
		snprintf(out, outlen, "%s", path);
		return out;
	}
	base = base != NULL ? base + 1 : path;
	n = (size_t)snprintf(name, sizeof(name), "t_");
	for (i = 0; base[i] != '\0' && n < 40; i++)
		name[n++] = isalnum((unsigned char)base[i]) ?
		    (char)tolower((unsigned char)base[i]) : '_';
	snprintf(name + n, sizeof(name) - n, "_%d", (int)getpid());
	snprintf(admin, sizeof(admin), "%s dbname=postgres", pg);
	if ((c = PQconnectdb(admin)) == NULL || PQstatus(c) != CONNECTION_OK) {
		printf("postgresql: %s\n", c ? PQerrorMessage(c) : "no memory");
		PQfinish(c);
		return NULL;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		printf("postgresql: %s\n", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	snprintf(out, outlen, "%s dbname=%s", pg, name);
	return ok ? out : NULL;
}

/* Ids in the fixtures. */
#define PNID	"106540352242922"
#define PAGE	"109876543210987"
#define LOTTE	"32470123456"
#define JAN	"32486987654"
#define PSID	"7234567890123456"
#define PSID2	"6543210987654321"
#define WAMID(t) "wamid.HBgLMzI0NzAxMjM0NTYVAgASGBQzQT" t \
		"RjU0QzBCQzZFNzE3MkJGNwA="
#define OURS	"wamid.HBgLMzI0NzAxMjM0NTYVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
#define OURS2	"wamid.HBgLMzI0NzAxMjM0NTYVAgARGBJCQVRDSDJEMEU3RjFBQkMA"
#define MID(t)	"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMv" \
		t "8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
#define OURMID	MID("OURMSG1")

#endif
