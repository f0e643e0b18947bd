/*
 * throttle.h — slows down password guessing.  Failed logins are counted
 * per key (an account name, a client address); after `free` failures
 * (fewer for an account than for an address, which a whole office may
 * share behind NAT) each further attempt must wait 1 s, 2 s, 4 s, ... up to
 * THROTTLE_MAX_MS after the last failure, and is refused (429) before
 * that without even checking the password.  A success clears the key; a
 * key quiet for an hour is forgotten.  Memory is fixed (THROTTLE_SLOTS
 * keys; the stalest is reused), so a flood of addresses cannot grow it.
 * Pure: the caller passes the clock.  Service thread only.
 */
#ifndef LOKET_THROTTLE_H
#define LOKET_THROTTLE_H

#define THROTTLE_SLOTS	1024
#define THROTTLE_FREE_ACCOUNT	3	/* failures before any delay (README) */
#define THROTTLE_FREE_ADDRESS	10
#define THROTTLE_MAX_MS	(15LL * 60 * 1000)
#define THROTTLE_FORGET_MS (3600LL * 1000)
#define THROTTLE_KEY_MAX 80

struct throttle_slot {
	char		key[THROTTLE_KEY_MAX];
	int		failures;
	long long	last_ms;	/* last failure */
	long long	until_ms;	/* no attempt before this */
};

struct throttle {
	struct throttle_slot slot[THROTTLE_SLOTS];
};

/* 0 if key may try now, else the milliseconds it must still wait. */
long long throttle_wait_ms(const struct throttle *t, const char *key,
	    long long now_ms);
void	throttle_fail(struct throttle *t, const char *key, int nfree,
	    long long now_ms);
void	throttle_clear(struct throttle *t, const char *key);

#endif
