/*
 * throttle.c — per-key exponential delay after failed logins.  See
 * throttle.h.  A linear scan over 1024 slots costs microseconds and only
 * runs on login attempts.
 */
#include "throttle.h"

#include <stdio.h>
#include <string.h>

/* Index of the live slot for key, or -1. */
static int
find(const struct throttle *t, const char *key, long long now_ms)
{
	int i;

	for (i = 0; i < THROTTLE_SLOTS; i++) {
		const struct throttle_slot *s = &t->slot[i];

		if (s->key[0] != '\0' && strncmp(s->key, key,
		    THROTTLE_KEY_MAX - 1) == 0 &&
		    now_ms - s->last_ms < THROTTLE_FORGET_MS)
			return i;
	}
	return -1;
}

long long
throttle_wait_ms(const struct throttle *t, const char *key, long long now_ms)
{
	int i = find(t, key, now_ms);

	return i >= 0 && t->slot[i].until_ms > now_ms ?
	    t->slot[i].until_ms - now_ms : 0;
}

/*
 * Which slot to give a new key: a free or forgotten one, else the
 * stalest that slows nobody down yet, else (every slot delays someone)
 * the one whose delay ends first.  Never the stalest outright: a flood
 * of single failures on fresh names or addresses would otherwise evict
 * a locked account and hand its attacker fresh free attempts.
 */
static int
rank(const struct throttle_slot *s, int nfree_max, long long now_ms)
{
	if (s->key[0] == '\0' || now_ms - s->last_ms >= THROTTLE_FORGET_MS)
		return 0;
	if (s->until_ms <= now_ms && s->failures < nfree_max)
		return 1;
	return 2;
}

static struct throttle_slot *
victim(struct throttle *t, long long now_ms)
{
	struct throttle_slot *best = NULL;
	int i, r, best_r = 3;

	for (i = 0; i < THROTTLE_SLOTS; i++) {
		struct throttle_slot *s = &t->slot[i];

		if ((r = rank(s, THROTTLE_FREE_ACCOUNT, now_ms)) == 0)
			return s;
		if (r < best_r || (r == best_r && (r == 1 ?
		    s->last_ms < best->last_ms : s->until_ms <
		    best->until_ms))) {
			best = s;
			best_r = r;
		}
	}
	return best;
}

void
throttle_fail(struct throttle *t, const char *key, int nfree, long long now_ms)
{
	int i = find(t, key, now_ms), over;
	struct throttle_slot *s = i >= 0 ? &t->slot[i] : NULL;
	long long delay;

	if (s == NULL) {
		s = victim(t, now_ms);
		memset(s, 0, sizeof(*s));
		snprintf(s->key, sizeof(s->key), "%s", key);
	}
	s->failures++;
	s->last_ms = now_ms;
	/* nfree failures are free; the attempt after them waits 1 s. */
	over = s->failures - nfree + 1;
	if (over <= 0)
		return;
	delay = over > 20 ? THROTTLE_MAX_MS : 1000LL << (over - 1);
	if (delay > THROTTLE_MAX_MS)
		delay = THROTTLE_MAX_MS;
	s->until_ms = now_ms + delay;
}

void
throttle_clear(struct throttle *t, const char *key)
{
	int i = find(t, key, 0);

	if (i >= 0)
		memset(&t->slot[i], 0, sizeof(t->slot[i]));
}
