/*
 * test_store_fault.c — the store when the disk misbehaves, through a
 * SQLite VFS that wraps the real one and fails on demand: a database
 * that can only be opened read-only is refused with a clear message
 * (issue 14 item 9), and a commit that fails because the disk is full
 * ends the transaction without a misleading second error ("cannot
 * rollback - no transaction is active", item 12) and leaves the store
 * usable.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "testhelp.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/loket-test-fault-XXXXXX";

/* ---- the faulty VFS ---------------------------------------------------- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs faulty_vfs;
static int force_readonly;	/* open the main database read-only */
static int fail_wal_writes;	/* writes to the WAL fail: disk full */

struct ffile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* follows this struct */
	int		 wal;
};

#define REAL(f)	(((struct ffile *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}

static int
f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (fail_wal_writes && ((struct ffile *)f)->wal)
		return SQLITE_FULL;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 n)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), n);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *n)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), n);
}

static int
f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
f_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}

static int
f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* Version 2 methods: no memory-mapped I/O, so no xFetch/xUnfetch. */
static const sqlite3_io_methods f_methods = {
	2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
	f_unlock, f_reserved, f_control, f_sector, f_device, f_shm_map,
	f_shm_lock, f_shm_barrier, f_shm_unmap, NULL, NULL
};

static int
f_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct ffile *ff = (struct ffile *)f;
	int rc;

	(void)v;
	ff->real = (sqlite3_file *)(ff + 1);
	ff->wal = (flags & SQLITE_OPEN_WAL) != 0;
	if (force_readonly && (flags & SQLITE_OPEN_MAIN_DB))
		flags = (flags & ~(SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	ff->base.pMethods = rc == SQLITE_OK && ff->real->pMethods ?
	    &f_methods : NULL;
	return rc;
}

static void
install_vfs(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	faulty_vfs = *real_vfs;
	faulty_vfs.zName = "faulty";
	faulty_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
	faulty_vfs.xOpen = f_open;
	sqlite3_vfs_register(&faulty_vfs, 1);	/* the default from now */
}

/* ---- stderr captured --------------------------------------------------- */

static int saved_err = -1;
static char capture_path[600];

static void
capture_start(void)
{
	int fd;

	snprintf(capture_path, sizeof(capture_path), "%s/stderr", tmpdir);
	fflush(stderr);
	saved_err = dup(2);
	fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
}

/* What went to stderr since capture_start(), into out. */
static void
capture_end(char *out, size_t outlen)
{
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	dup2(saved_err, 2);
	close(saved_err);
	if ((f = fopen(capture_path, "r")) != NULL) {
		n = fread(out, 1, outlen - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

/* ---- the tests --------------------------------------------------------- */

static void
test_readonly(void)
{
	char path[600], err[512] = "", log[4096];
	struct store *s;

	snprintf(path, sizeof(path), "%s/ro.db", tmpdir);
	s = store_open(path, err, sizeof(err));
	TEST("a writable database opens", s != NULL);
	store_close(s);
	force_readonly = 1;
	capture_start();
	s = store_open(path, err, sizeof(err));
	capture_end(log, sizeof(log));
	force_readonly = 0;
	TEST("a read-only database is refused", s == NULL);
	TEST("the error says read-only and what to check",
	    strstr(err, "read-only") != NULL && strstr(err, path) != NULL &&
	    strstr(err, "owner and mode") != NULL);
	store_close(s);
}

static int
exec(struct store *s, const char *sql)
{
	return store_exec(s, sql);
}

static long long
count(struct store *s)
{
	struct store_stmt *st = store_prepare(s, "SELECT count(*) FROM t");
	long long n = -1;

	if (st == NULL)
		return -1;
	if (store_step(st) == STORE_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	return n;
}

static void
test_commit_disk_full(void)
{
	char path[600], err[512] = "", log[4096];
	struct store *s;
	int rc;

	snprintf(path, sizeof(path), "%s/full.db", tmpdir);
	if ((s = store_open(path, err, sizeof(err))) == NULL) {
		TEST("open", 0);
		return;
	}
	TEST("table", exec(s, "CREATE TABLE t (x TEXT)") == 0);
	TEST("begin", store_begin(s) == 0);
	TEST("insert", exec(s, "INSERT INTO t VALUES ('lost')") == 0);
	fail_wal_writes = 1;
	capture_start();
	rc = store_commit(s);
	capture_end(log, sizeof(log));
	fail_wal_writes = 0;
	TEST("the commit fails on a full disk", rc == -1);
	TEST("the log names the real cause",
	    strstr(log, "store_commit_failed") != NULL &&
	    strstr(log, "full") != NULL);
	TEST("no 'cannot rollback' after SQLite rolled back itself",
	    strstr(log, "cannot rollback") == NULL);
	/* Callers log sqlite3_errmsg() after a failed commit. */
	TEST("the connection's error is still the cause",
	    strstr(store_errmsg(s), "full") != NULL);
	if (strstr(store_errmsg(s), "full") == NULL)
		printf("     errmsg: %s\n", store_errmsg(s));
	if (strstr(log, "cannot rollback") != NULL)
		printf("     log: %s", log);
	TEST("the transaction is over", !store_in_transaction(s));
	TEST("nothing of it was kept", count(s) == 0);
	TEST("the store works again", store_begin(s) == 0 &&
	    exec(s, "INSERT INTO t VALUES ('kept')") == 0 &&
	    store_commit(s) == 0 && count(s) == 1);
	store_close(s);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	install_vfs();
	test_readonly();
	test_commit_disk_full();
	test_rmdir(tmpdir);
	return TEST_REPORT();
}
