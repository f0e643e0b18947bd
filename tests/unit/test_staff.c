/*
 * test_staff.c — the console's pure parts and its tables: password hashes,
 * name and role checks, the login throttle, accounts and sessions in a
 * temporary database (expiry, CSRF token, removal ends sessions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console_int.h"
#include "session.h"
#include "staff.h"
#include "store.h"
#include "testhelp.h"
#include "testutil.h"
#include "throttle.h"

static void
test_hash(void)
{
	char h1[STAFF_HASH_MAX], h2[STAFF_HASH_MAX], hex[65];

	TEST("hash", staff_hash_password("correct horse", h1, sizeof(h1)) == 0);
	TEST("hash again", staff_hash_password("correct horse", h2,
	    sizeof(h2)) == 0);
	TEST("format", strncmp(h1, "pbkdf2-sha256$200000$", 21) == 0);
	TEST("salted: two hashes differ", strcmp(h1, h2) != 0);
	TEST("right password", staff_check_password("correct horse", h1));
	TEST("wrong password", !staff_check_password("correct hors", h1));
	TEST("empty password", !staff_check_password("", h1));
	TEST("malformed hash", !staff_check_password("x", "pbkdf2-sha256$1$"));
	TEST("too few iterations refused",
	    !staff_check_password("a", "pbkdf2-sha256$1$00$" "0000000000000000"
	    "000000000000000000000000000000000000000000000000"));
	TEST("other scheme", !staff_check_password("a", "$6$salt$x"));
	TEST("too small buffer", staff_hash_password("x", h1, 20) == -1);
	staff_sha256_hex("abc", hex);
	TEST_STR("sha256", hex, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
	TEST("equal", staff_str_equal("abc", "abc"));
	TEST("not equal", !staff_str_equal("abc", "abd"));
	TEST("length differs", !staff_str_equal("abc", "abcd"));
	TEST("random hex", staff_random_hex(hex, 32) == 0 && strlen(hex) == 64);
}

static void
test_names(void)
{
	TEST("name", staff_name_valid("anna.peeters@vmsw"));
	TEST("empty name", !staff_name_valid(""));
	TEST("space", !staff_name_valid("anna peeters"));
	TEST("quote", !staff_name_valid("a'b"));
	TEST("too long", !staff_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	TEST("roles", staff_role_valid("staff") &&
	    staff_role_valid("coordinator") && staff_role_valid("admin"));
	TEST("bad role", !staff_role_valid("root") && !staff_role_valid(NULL));
}

static void
test_throttle(void)
{
	struct throttle *t = calloc(1, sizeof(*t));
	long long now = 1000000;
	int i;

	TEST("fresh key may try", throttle_wait_ms(t, "u:a", now) == 0);
	for (i = 0; i < 2; i++)
		throttle_fail(t, "u:a", 3, now);
	TEST("two failures: no delay yet", throttle_wait_ms(t, "u:a", now) ==
	    0);
	throttle_fail(t, "u:a", 3, now);
	TEST("after three failures the next attempt waits 1 s (README)",
	    throttle_wait_ms(t, "u:a", now) == 1000);
	TEST("after 1 s free", throttle_wait_ms(t, "u:a", now + 1000) == 0);
	throttle_fail(t, "u:a", 3, now + 1000);
	TEST("fourth: 2 s", throttle_wait_ms(t, "u:a", now + 1000) == 2000);
	for (i = 0; i < 40; i++)
		throttle_fail(t, "u:a", 3, now + 2000);
	TEST("capped", throttle_wait_ms(t, "u:a", now + 2000) ==
	    THROTTLE_MAX_MS);
	TEST("other key untouched", throttle_wait_ms(t, "u:b", now) == 0);
	TEST("forgotten after an hour", throttle_wait_ms(t, "u:a", now + 2000 +
	    THROTTLE_FORGET_MS) == 0);
	throttle_clear(t, "u:a");
	TEST("cleared", throttle_wait_ms(t, "u:a", now + 2001) == 0);
	for (i = 0; i < 9; i++)
		throttle_fail(t, "a:x", THROTTLE_FREE_ADDRESS, now);
	TEST("an address has ten free failures", throttle_wait_ms(t, "a:x",
	    now) == 0);
	throttle_fail(t, "a:x", THROTTLE_FREE_ADDRESS, now);
	TEST("the eleventh attempt waits", throttle_wait_ms(t, "a:x", now) ==
	    1000);
	free(t);
}

/* Single failures on ever new names and addresses (a login costs one of
 * each) fill the table; a locked account must stay locked. */
static void
test_throttle_eviction(void)
{
	struct throttle *t = calloc(1, sizeof(*t));
	long long now = 1000000;
	char key[32];
	int i;

	for (i = 0; i < 10; i++)
		throttle_fail(t, "u:victim", THROTTLE_FREE_ACCOUNT, now);
	TEST("victim locked", throttle_wait_ms(t, "u:victim", now) > 0);
	for (i = 0; i < 560; i++) {
		snprintf(key, sizeof(key), "u:name%d", i);
		throttle_fail(t, key, THROTTLE_FREE_ACCOUNT, now + 1 + i);
		snprintf(key, sizeof(key), "a:10.0.%d.%d", i / 256, i % 256);
		throttle_fail(t, key, THROTTLE_FREE_ADDRESS, now + 1 + i);
	}
	TEST("560 failures elsewhere leave the lock in place",
	    throttle_wait_ms(t, "u:victim", now + 600) > 0);
	for (i = 0; i < THROTTLE_SLOTS + 10; i++) {
		snprintf(key, sizeof(key), "a:%d", i);
		throttle_fail(t, key, 1, now + 700 + i);
	}
	TEST("a table full of locked keys gives up the lock ending first",
	    throttle_wait_ms(t, "a:0", now + 700 + THROTTLE_SLOTS + 10) == 0 &&
	    throttle_wait_ms(t, "a:1033", now + 700 + 1033) == 1000);
	free(t);
}

static void
test_cookie_origin(void)
{
	char hdr[256], out[128];

	snprintf(hdr, sizeof(hdr), "a=1; loket_session=abc; b=2");
	TEST("cookie among others", console_cookie_token(hdr, out,
	    sizeof(out)) == 0 && strcmp(out, "abc") == 0);
	snprintf(hdr, sizeof(hdr), "loket_sessionx=1; xloket_session=2");
	TEST("only the exact name", console_cookie_token(hdr, out,
	    sizeof(out)) == -1);
	snprintf(hdr, sizeof(hdr), "loket_session=");
	TEST("empty value", console_cookie_token(hdr, out, sizeof(out)) == 0 &&
	    out[0] == '\0');
	TEST("no Origin header", console_origin_ok(NULL, "loket.example.be"));
	TEST("same origin https", console_origin_ok("https://loket.example.be",
	    "loket.example.be"));
	TEST("same origin with port", console_origin_ok(
	    "http://127.0.0.1:8080", "127.0.0.1:8080"));
	TEST("other host", !console_origin_ok("https://evil.example",
	    "loket.example.be"));
	TEST("suffix trick", !console_origin_ok(
	    "https://loket.example.be.evil.example", "loket.example.be"));
	TEST("null origin", !console_origin_ok("null", "loket.example.be"));
	TEST("no Host", !console_origin_ok("https://a", NULL));
}

static void
age_session(struct store *st, long long id, long long ms)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "UPDATE staff_sessions SET "
	    "last_seen_at = last_seen_at - %lld, created_at = created_at - %lld"
	    " WHERE id = %lld", ms, ms, id);
	store_exec(st, sql);
}

static void
test_sessions(struct store *st)
{
	char token[SESSION_TOKEN_LEN + 1], hash[STAFF_HASH_MAX];
	struct staff_account a;
	struct session s1, s2;

	TEST("add", staff_add(st, "anna", "coordinator", "long password") == 0);
	TEST("add twice", staff_add(st, "anna", "staff", "other pass") == -2);
	TEST("find", staff_find(st, "anna", &a, hash, sizeof(hash)) == 1 &&
	    strcmp(a.role, "coordinator") == 0 &&
	    staff_check_password("long password", hash));
	TEST("find unknown", staff_find(st, "nobody", &a, NULL, 0) == 0);
	staff_find(st, "anna", &a, NULL, 0);
	TEST("create", session_create(st, &a, token, &s1) == 0 &&
	    strlen(token) == 64 && strlen(s1.csrf) == 64);
	TEST("lookup", session_lookup(st, token, &s2) == 1 &&
	    s2.id == s1.id && strcmp(s2.name, "anna") == 0 &&
	    strcmp(s2.csrf, s1.csrf) == 0);
	TEST("by id", session_lookup_id(st, s1.id, &s2) == 1);
	TEST("wrong token", session_lookup(st, "00", &s2) == 0);
	age_session(st, s1.id, SESSION_IDLE_MS - 60000);
	TEST("still alive before the idle limit",
	    session_lookup(st, token, &s2) == 1);
	age_session(st, s1.id, SESSION_IDLE_MS + 1);
	TEST("expired after idling", session_lookup(st, token, &s2) == 0);
	TEST("and deleted", session_lookup_id(st, s1.id, &s2) == 0);
	session_create(st, &a, token, &s1);
	session_destroy(st, token);
	TEST("destroyed", session_lookup(st, token, &s2) == 0);
	session_create(st, &a, token, &s1);
	age_session(st, s1.id, SESSION_IDLE_MS + 1);
	session_create(st, &a, token, &s2);
	TEST("purge removes only the expired one", session_purge(st) == 1 &&
	    session_lookup_id(st, s2.id, &s1) == 1);
	TEST("remove", staff_remove(st, "anna") == 0);
	TEST("removal ends sessions", session_lookup(st, token, &s2) == 0);
	TEST("remove unknown", staff_remove(st, "anna") == -2);
}

int
main(void)
{
	char path[] = "/tmp/loket-test-staff-XXXXXX", db[64], err[256];
	char name[600];
	struct store *st;
	int fd = mkstemp(path);

	test_hash();
	test_names();
	test_throttle();
	test_throttle_eviction();
	test_cookie_origin();
	if (fd >= 0)
		close(fd);
	snprintf(db, sizeof(db), "%s.db", path);
	st = test_db(db, name, sizeof(name)) == NULL ? NULL :
	    store_open(name, err, sizeof(err));
	TEST("store opens", st != NULL);
	if (st != NULL)
		test_sessions(st);
	store_close(st);
	unlink(path);
	unlink(db);
	{
		char x[80];

		snprintf(x, sizeof(x), "%s-wal", db);
		unlink(x);
		snprintf(x, sizeof(x), "%s-shm", db);
		unlink(x);
	}
	return TEST_REPORT();
}
