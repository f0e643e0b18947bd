/*
 * staff.c — console accounts and their password hashes.  See staff.h.
 * Includes OpenSSL (besides signature.c) because PBKDF2 and the random
 * source are the whole point of this module; nothing else here does I/O.
 */
#include "staff.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "signature.h"
#include "store.h"

#define SALT_BYTES	16
#define KEY_BYTES	32

int
staff_role_valid(const char *role)
{
	return role != NULL && (strcmp(role, "staff") == 0 ||
	    strcmp(role, "coordinator") == 0 || strcmp(role, "admin") == 0 ||
	    strcmp(role, "author") == 0);
}

int
staff_name_valid(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n >= STAFF_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == '@'))
			return 0;
	}
	return 1;
}

int
staff_random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];

	if (nbytes > sizeof(b) || RAND_bytes(b, (int)nbytes) != 1)
		return -1;
	signature_hex(b, nbytes, out);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

void
staff_sha256_hex(const char *s, char out[65])
{
	signature_sha256_hex(s, strlen(s), "", 0, out);
}

int
staff_str_equal(const char *a, const char *b)
{
	return signature_equal(a, b);
}

static int
derive(const char *pw, const char *salt_hex, long iter, char out[2 *
    KEY_BYTES + 1])
{
	unsigned char key[KEY_BYTES];

	if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw),
	    (const unsigned char *)salt_hex, (int)strlen(salt_hex), (int)iter,
	    EVP_sha256(), sizeof(key), key) != 1)
		return -1;
	signature_hex(key, sizeof(key), out);
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

int
staff_hash_password(const char *pw, char *out, size_t outlen)
{
	char salt[2 * SALT_BYTES + 1], key[2 * KEY_BYTES + 1];
	int n;

	if (staff_random_hex(salt, SALT_BYTES) == -1 ||
	    derive(pw, salt, STAFF_PBKDF2_ITER, key) == -1)
		return -1;
	n = snprintf(out, outlen, "pbkdf2-sha256$%d$%s$%s", STAFF_PBKDF2_ITER,
	    salt, key);
	OPENSSL_cleanse(key, sizeof(key));
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* Splits "pbkdf2-sha256$ITER$SALT$HASH"; 0 if well formed. */
static int
parse_hash(const char *stored, long *iter, char *salt, size_t saltlen,
    const char **key)
{
	const char *p, *q;
	char *end;

	if (strncmp(stored, "pbkdf2-sha256$", 14) != 0)
		return -1;
	p = stored + 14;
	*iter = strtol(p, &end, 10);
	if (end == p || *end != '$' || *iter < 1000 || *iter > 10000000)
		return -1;
	p = end + 1;
	if ((q = strchr(p, '$')) == NULL || (size_t)(q - p) >= saltlen ||
	    q == p)
		return -1;
	memcpy(salt, p, (size_t)(q - p));
	salt[q - p] = '\0';
	*key = q + 1;
	return strlen(*key) == 2 * KEY_BYTES ? 0 : -1;
}

int
staff_check_password(const char *pw, const char *stored)
{
	char salt[128], got[2 * KEY_BYTES + 1];
	const char *want;
	long iter;
	int ok;

	if (parse_hash(stored, &iter, salt, sizeof(salt), &want) == -1 ||
	    derive(pw, salt, iter, got) == -1)
		return 0;
	ok = CRYPTO_memcmp(got, want, 2 * KEY_BYTES) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}

void
staff_dummy_check(const char *pw)
{
	char got[2 * KEY_BYTES + 1];

	derive(pw, "00000000000000000000000000000000", STAFF_PBKDF2_ITER, got);
}

int
staff_add(struct store *s, const char *name, const char *role,
    const char *pw)
{
	static const char sql[] = "INSERT INTO staff (name, role, pw_hash, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO NOTHING";
	struct store_stmt *st;
	char hash[STAFF_HASH_MAX];
	int rc;

	if (staff_hash_password(pw, hash, sizeof(hash)) == -1)
		return -1;
	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, name, -1);
	store_bind_text(st, 2, role, -1);
	store_bind_text(st, 3, hash, -1);
	store_bind_int64(st, 4, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		log_warnx("event=staff_add_failed msg=\"%s\"", store_errmsg(s));
		return -1;
	}
	return store_changes(s) > 0 ? 0 : -2;
}

/*
 * Removes the account and puts the conversations it held back in the
 * queue (waiting for staff since now), in one transaction: a colleague
 * who left must not leave citizens with nobody.
 */
int
staff_remove(struct store *s, const char *name)
{
	static const char del[] = "DELETE FROM staff WHERE name = ?1";
	static const char rel[] = "UPDATE conversations SET mode = 'bot', "
	    "staff = NULL, state = 'staff', waiting_since = ?2 "
	    "WHERE open = 1 AND mode = 'staff' AND staff = ?1";
	struct store_stmt *st;
	int rc, gone;

	if (store_begin(s) == -1)
		return -1;
	if ((st = store_stmt(s, del)) == NULL)
		goto fail;
	store_bind_text(st, 1, name, -1);
	rc = store_step(st);
	store_stmt_done(st);
	gone = store_changes(s) > 0;
	if (rc != STORE_DONE || (st = store_stmt(s, rel)) == NULL)
		goto fail;
	store_bind_text(st, 1, name, -1);
	store_bind_int64(st, 2, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE)
		goto fail;
	if (!gone) {
		store_rollback(s);
		return -2;
	}
	return store_commit(s);
fail:
	store_rollback(s);
	return -1;
}

static void
copy_col(struct store_stmt *st, int col, char *out, size_t outlen)
{
	const char *t = store_col_text(st, col);

	snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

static void
fill_account(struct store_stmt *st, struct staff_account *a)
{
	a->id = store_col_int64(st, 0);
	copy_col(st, 1, a->name, sizeof(a->name));
	copy_col(st, 2, a->role, sizeof(a->role));
	a->created_at = store_col_int64(st, 3);
}

int
staff_find(struct store *s, const char *name, struct staff_account *a,
    char *hash, size_t hashlen)
{
	static const char sql[] = "SELECT id, name, role, created_at, pw_hash "
	    "FROM staff WHERE name = ?1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, name, -1);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		fill_account(st, a);
		if (hash != NULL)
			copy_col(st, 4, hash, hashlen);
	}
	store_stmt_done(st);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int
staff_each(struct store *s, void (*fn)(const struct staff_account *, void *),
    void *arg)
{
	static const char sql[] = "SELECT id, name, role, created_at FROM staff "
	    "ORDER BY name";
	struct staff_account a;
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	while ((rc = store_step(st)) == STORE_ROW) {
		fill_account(st, &a);
		fn(&a, arg);
	}
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}
