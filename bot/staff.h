/*
 * staff.h — console accounts: names, roles and password hashes in the
 * `staff` table, and the small crypto helpers the console needs (random
 * tokens, SHA-256 of a token, constant-time compare).  Used by
 * `loket staff` and by the console on the service thread.
 *
 * Passwords are stored as "pbkdf2-sha256$ITER$SALT$HASH" (salt 16 random
 * bytes, hash 32 bytes, both hex).  The iteration count travels with the
 * hash, so raising STAFF_PBKDF2_ITER later only affects new passwords.
 */
#ifndef LOKET_STAFF_H
#define LOKET_STAFF_H

#include <stddef.h>

struct store;

#define STAFF_PBKDF2_ITER	200000
#define STAFF_NAME_MAX		64	/* bytes incl. NUL */
#define STAFF_HASH_MAX		160	/* stored hash string incl. NUL */
#define STAFF_PW_MIN		10	/* shortest password accepted */

struct staff_account {
	long long	id;
	char		name[STAFF_NAME_MAX];
	char		role[16];	/* "staff" | "coordinator" | "admin" |
					   "author" */
	long long	created_at;	/* ms since 1970 */
};

/* 1 if role is one of the four roles. */
int	staff_role_valid(const char *role);
/* 1 if name is 1..63 bytes of letters, digits, '.', '-', '_', '@'. */
int	staff_name_valid(const char *name);

/* Hashes pw with a fresh salt into out (STAFF_HASH_MAX); 0 or -1. */
int	staff_hash_password(const char *pw, char *out, size_t outlen);
/* 1 if pw matches the stored hash, else 0 (also for a malformed hash).
 * Takes as long as the hash's iteration count says. */
int	staff_check_password(const char *pw, const char *stored);
/* Spends the time of one password check on nothing: login of an unknown
 * name costs the same as a wrong password. */
void	staff_dummy_check(const char *pw);

/*
 * Adds an account.  Returns 0, -1 on a database error, -2 if the name is
 * taken.  remove returns 0, -1, or -2 if there is no such account (its
 * sessions go with it).
 */
int	staff_add(struct store *s, const char *name, const char *role,
	    const char *pw);
int	staff_remove(struct store *s, const char *name);
/*
 * Looks up name.  Returns 1 and fills a (and hash, when not NULL) if it
 * exists, 0 if not, -1 on a database error.
 */
int	staff_find(struct store *s, const char *name, struct staff_account *a,
	    char *hash, size_t hashlen);
/* Calls fn for every account in name order; 0 or -1. */
int	staff_each(struct store *s,
	    void (*fn)(const struct staff_account *, void *), void *arg);

/* nbytes random bytes as lower-case hex into out (2 * nbytes + 1). 0/-1. */
int	staff_random_hex(char *out, size_t nbytes);
/* SHA-256 of the string s as 64 hex characters and a NUL. */
void	staff_sha256_hex(const char *s, char out[65]);
/* 1 if a and b are equal strings; time depends only on their lengths. */
int	staff_str_equal(const char *a, const char *b);

#endif
