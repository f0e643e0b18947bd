/*
 * session.h — console login sessions in the `staff_sessions` table.  The
 * browser holds a random 32-byte token (64 hex characters) in an HttpOnly
 * cookie; only its SHA-256 is stored, so a copy of the database does not
 * log anyone in.  Each session has its own CSRF token, which the page
 * sends back in X-CSRF-Token on every state-changing request.
 * Service thread only.
 */
#ifndef LOKET_SESSION_H
#define LOKET_SESSION_H

#include "staff.h"

struct store;
struct throttle;

#define SESSION_COOKIE		"loket_session"
#define SESSION_IDLE_MS		(12LL * 3600 * 1000)	/* unused this long */
#define SESSION_MAX_MS		(7LL * 24 * 3600 * 1000) /* logged in at most */
#define SESSION_TOKEN_LEN	64

struct session {
	long long	id;
	long long	staff_id;
	char		name[STAFF_NAME_MAX];
	char		role[16];
	char		csrf[SESSION_TOKEN_LEN + 1];
};

/*
 * Opens a session for the account: fills token (the cookie value, never
 * stored) and sess.  0, or -1 on a database or random-source error.
 */
int	session_create(struct store *s, const struct staff_account *a,
	    char token[SESSION_TOKEN_LEN + 1], struct session *sess);
/*
 * The live session for a cookie value: 1 and sess filled, 0 if unknown or
 * expired (an expired row is deleted), -1 on a database error.  Refreshes
 * the idle clock (at most once a minute, to spare writes).
 */
int	session_lookup(struct store *s, const char *token, struct session *sess);
/* Same by row id, without refreshing the idle clock: websocket pushes
 * re-check their session, but only the person's own requests keep it. */
int	session_lookup_id(struct store *s, long long id, struct session *sess);
/* Deletes every expired session; returns how many, -1 on error. */
int	session_purge(struct store *s);
/* Ends the session of this cookie value (no error if none). */
void	session_destroy(struct store *s, const char *token);

/*
 * Where the failed-login counts of throttle.h live (the policy is
 * throttle.c's): on SQLite, one process, in mem; on PostgreSQL in the
 * login_throttle table, so that every instance counts the same failures
 * (mem is then only scratch for the policy's arithmetic, one key at a
 * time, in the transaction that holds the key's row).  Same arguments
 * and results as throttle_wait_ms(), throttle_fail() and
 * throttle_clear().  A database error lets the attempt through (the
 * password check then fails on the same database) and is logged.
 */
long long session_throttle_wait(struct store *s, struct throttle *mem,
	    const char *key, long long now_ms);
void	session_throttle_fail(struct store *s, struct throttle *mem,
	    const char *key, int nfree, long long now_ms);
void	session_throttle_clear(struct store *s, struct throttle *mem,
	    const char *key);

#endif
