/*
 * test_intake.c — webhook fixtures parsed and stored into a temporary
 * database with the example config: inbound rows (routed by
 * phone_number_id / page id), statuses, duplicates, unrouted messages and
 * the deduplicated `unexpected` table.  Rows are read back with plain
 * sqlite3 statements.  Run from the repository root.
 */
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "intake.h"
#include "intake_writer.h"
#include "log.h"
#include "store.h"
#include "testhelp.h"
#include "testutil.h"
#include "webhook.h"

#define NOW	1764480000000LL

static char tmpdir[] = "/tmp/loket-test-intake-XXXXXX";
static struct config *cfg;
static struct store *st;

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b, 16u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) == -1)
			break;
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

/* s with every `from` replaced by `to` (malloc'd). */
static char *
subst(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from);
	const char *p;
	struct buf b;

	buf_init(&b, 16u << 20);
	while ((p = strstr(s, from)) != NULL) {
		buf_append(&b, s, (size_t)(p - s));
		buf_append(&b, to, strlen(to));
		s = p + fl;
	}
	buf_append(&b, s, strlen(s));
	return buf_take(&b);
}

/*
 * Parses fixture ch/name (after replacing from by to, when from is not
 * NULL) into b; -1 (said why) when it cannot be read or parsed.
 */
static int
parse_fixture(enum channel ch, const char *name, const char *from,
    const char *to, struct webhook_batch *b)
{
	char path[256], err[256];
	char *body, *tmp;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "tests/fixtures/%s/%s",
	    webhook_channel_name(ch), name);
	if ((body = slurp(path, &len)) == NULL) {
		printf("     cannot read %s\n", path);
		memset(b, 0, sizeof(*b));
		return -1;
	}
	if (from != NULL) {
		tmp = subst(body, from, to);
		free(body);
		body = tmp;
		len = strlen(body);
	}
	rc = ch == CH_WHATSAPP ?
	    webhook_parse_whatsapp(body, len, b, err, sizeof(err)) :
	    webhook_parse_messenger(body, len, b, err, sizeof(err));
	free(body);
	if (rc == -1) {
		printf("     %s: %s\n", path, err);
		webhook_batch_free(b);
	}
	return rc;
}

/*
 * Parses fixture ch/name (see parse_fixture) and stores it in one
 * transaction.  Returns intake_store's result, or -2 when the fixture
 * cannot be read or parsed.
 */
static int
store_fixture_with(struct store *s, const struct config *c, enum channel ch,
    const char *name, const char *from, const char *to,
    struct intake_counts *counts)
{
	struct webhook_batch b;
	int rc;

	memset(counts, 0, sizeof(*counts));
	if (parse_fixture(ch, name, from, to, &b) == -1)
		return -2;
	if (store_begin(s) == -1) {
		webhook_batch_free(&b);
		return -2;
	}
	rc = intake_store(s, c, &b, NOW, counts);
	if (rc == 0)
		rc = store_commit(s);
	else
		store_rollback(s);
	webhook_batch_free(&b);
	return rc;
}

static int
store_fixture(enum channel ch, const char *name, struct intake_counts *c)
{
	return store_fixture_with(st, cfg, ch, name, NULL, NULL, c);
}

static int
counts_are(const struct intake_counts *c, int stored, int statuses,
    int duplicates, int unexpected, int unrouted)
{
	int ok = c->stored == stored && c->statuses == statuses &&
	    c->duplicates == duplicates && c->unexpected == unexpected &&
	    c->unrouted == unrouted;

	if (!ok)
		printf("     counts: stored %d statuses %d duplicates %d "
		    "unexpected %d unrouted %d\n", c->stored, c->statuses,
		    c->duplicates, c->unexpected, c->unrouted);
	return ok;
}

static long long
q_count(struct store *s, const char *table)
{
	char sql[1024];
	struct store_stmt *q;
	long long n = -1;

	if ((size_t)snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
	    table) >= sizeof(sql))
		return -1;
	if ((q = store_prepare(s, sql)) == NULL)
		return -1;
	if (store_step(q) == STORE_ROW)
		n = store_col_int64(q, 0);
	store_finalize(q);
	return n;
}

struct want_in {
	const char	*channel, *msg_id, *agency, *account, *user, *phone;
	const char	*name, *kind, *type, *text, *payload;
	int		 standby;
	long long	 meta_ts;
};

static const char *
col(struct store_stmt *q, int i)
{
	return store_col_text(q, i);
}

/* Compares the inbound row (channel, msg_id) with w. */
static void
check_inbound(struct store *s, const char *what, const struct want_in *w)
{
	static const char sql[] = "SELECT agency, account_id, user_id, "
	    "user_phone, user_name, kind, type, text, payload, standby, "
	    "meta_ts, received_at, raw, processed FROM inbound "
	    "WHERE channel = ?1 AND msg_id = ?2";
	char d[256];
	struct store_stmt *q;
	int row;

	if ((q = store_prepare(s, sql)) == NULL) {
		TEST("prepare inbound query", 0);
		return;
	}
	store_bind_text(q, 1, w->channel, -1);
	store_bind_text(q, 2, w->msg_id, -1);
	snprintf(d, sizeof(d), "%s: inbound row exists", what);
	row = store_step(q) == STORE_ROW;
	TEST(d, row);
	if (!row) {
		store_finalize(q);
		return;
	}
#define S(i, field, want) do {						\
	snprintf(d, sizeof(d), "%s: %s", what, field);			\
	TEST_STR(d, col(q, i), want);					\
} while (0)
	S(0, "agency", w->agency);
	S(1, "account_id", w->account);
	S(2, "user_id", w->user);
	S(3, "user_phone", w->phone);
	S(4, "user_name", w->name);
	S(5, "kind", w->kind);
	S(6, "type", w->type);
	S(7, "text", w->text);
	S(8, "payload", w->payload);
#undef S
	snprintf(d, sizeof(d), "%s: standby", what);
	TEST(d, store_col_int(q, 9) == w->standby);
	snprintf(d, sizeof(d), "%s: meta_ts", what);
	TEST(d, store_col_int64(q, 10) == w->meta_ts);
	snprintf(d, sizeof(d), "%s: received_at", what);
	TEST(d, store_col_int64(q, 11) == NOW);
	snprintf(d, sizeof(d), "%s: raw is a JSON object", what);
	TEST(d, col(q, 12) != NULL && col(q, 12)[0] == '{');
	snprintf(d, sizeof(d), "%s: not yet processed", what);
	TEST(d, store_col_int(q, 13) == 0);
	store_finalize(q);
}

/* Compares the status row (channel, msg_id, status). */
static void
check_status(const char *what, const char *channel, const char *msg_id,
    const char *status, const char *user, int error_code,
    const char *error_text, long long meta_ts)
{
	static const char sql[] = "SELECT user_id, error_code, error_text, "
	    "meta_ts, received_at, raw, applied FROM statuses "
	    "WHERE channel = ?1 AND msg_id = ?2 AND status = ?3";
	char d[256];
	struct store_stmt *q;
	int row;

	if ((q = store_prepare(st, sql)) == NULL) {
		TEST("prepare status query", 0);
		return;
	}
	store_bind_text(q, 1, channel, -1);
	store_bind_text(q, 2, msg_id, -1);
	store_bind_text(q, 3, status, -1);
	snprintf(d, sizeof(d), "%s: status row exists", what);
	row = store_step(q) == STORE_ROW;
	TEST(d, row);
	if (!row) {
		store_finalize(q);
		return;
	}
	snprintf(d, sizeof(d), "%s: user_id", what);
	TEST_STR(d, col(q, 0), user);
	snprintf(d, sizeof(d), "%s: error_code", what);
	TEST(d, error_code ? store_col_int(q, 1) == error_code :
	    store_col_null(q, 1));
	snprintf(d, sizeof(d), "%s: error_text", what);
	TEST_STR(d, col(q, 2), error_text);
	snprintf(d, sizeof(d), "%s: meta_ts, received_at", what);
	TEST(d, store_col_int64(q, 3) == meta_ts &&
	    store_col_int64(q, 4) == NOW);
	snprintf(d, sizeof(d), "%s: raw, not applied", what);
	TEST(d, col(q, 5) != NULL && col(q, 5)[0] == '{' &&
	    store_col_int(q, 6) == 0);
	store_finalize(q);
}

static void
test_whatsapp(void)
{
	struct intake_counts c;
	long long n0, n1;

	TEST("wa text stored", store_fixture(CH_WHATSAPP, "text.json", &c)
	    == 0 && counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "wa text", &(struct want_in){ "whatsapp",
	    WAMID("AT"), "vmsw", PNID, LOTTE, LOTTE, "Lotte Peeters",
	    "message", "text",
	    "Goeiedag, ik heb een vraag over mijn premie.", NULL, 0,
	    1764473400000LL });
	n0 = q_count(st, "inbound");
	TEST("wa text again: duplicate",
	    store_fixture(CH_WHATSAPP, "text.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 1, 0, 0));
	TEST("duplicate not inserted", q_count(st, "inbound") == n0);

	TEST("wa batch stored", store_fixture(CH_WHATSAPP, "batch.json", &c)
	    == 0 && counts_are(&c, 3, 1, 0, 0, 0));
	check_inbound(st, "wa batch 1", &(struct want_in){ "whatsapp",
	    WAMID("B1"), "vmsw", PNID, LOTTE, LOTTE, "Lotte Peeters",
	    "message", "text", "Hallo", NULL, 0, 1764473700000LL });
	check_inbound(st, "wa batch 2", &(struct want_in){ "whatsapp",
	    WAMID("B2"), "vmsw", PNID, JAN, JAN, "Jan Janssens", "message",
	    "text", "Ik wil een klacht indienen", NULL, 0,
	    1764473701000LL });
	check_inbound(st, "wa batch image", &(struct want_in){ "whatsapp",
	    WAMID("B3"), "vmsw", PNID, JAN, JAN, "Jan Janssens", "message",
	    "image", NULL, "771234567890123", 0, 1764473703000LL });
	check_status("wa batch status", "whatsapp", OURS2, "delivered",
	    LOTTE, 0, NULL, 1764473702000LL);
	n0 = q_count(st, "inbound");
	n1 = q_count(st, "statuses");
	TEST("wa batch again: all duplicates",
	    store_fixture(CH_WHATSAPP, "batch.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 4, 0, 0));
	TEST("batch duplicates not inserted", q_count(st, "inbound") == n0 &&
	    q_count(st, "statuses") == n1);

	TEST("wa reaction stored",
	    store_fixture(CH_WHATSAPP, "reaction.json", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	TEST("reaction row kind", q_count(st,
	    "inbound WHERE kind = 'reaction' AND type = 'reaction'") == 1);

	/* Routing by phone_number_id: vlaio, wse, unknown -> default. */
	TEST("vlaio number", store_fixture_with(st, cfg, CH_WHATSAPP,
	    "image_caption.json", PNID, "106540352242923", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "routed to vlaio", &(struct want_in){ "whatsapp",
	    WAMID("IM"), "vlaio", "106540352242923", LOTTE, LOTTE,
	    "Lotte Peeters", "message", "image",
	    "Foto van de put in het fietspad", "1003383421387256", 0,
	    1764473440000LL });
	TEST("wse number", store_fixture_with(st, cfg, CH_WHATSAPP,
	    "interactive_button_reply.json", PNID, "106540352242924", &c)
	    == 0 && counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "routed to wse", &(struct want_in){ "whatsapp",
	    WAMID("BU"), "wse", "106540352242924", LOTTE, LOTTE,
	    "Lotte Peeters", "message", "interactive", "Klacht",
	    "kind_complaint", 0, 1764473410000LL });
	TEST("unknown number", store_fixture_with(st, cfg, CH_WHATSAPP,
	    "interactive_list_reply.json", PNID, "106540352242999", &c) == 0
	    && counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "unknown number -> default", &(struct want_in){
	    "whatsapp", WAMID("LI"), "vmsw", "106540352242999", LOTTE, LOTTE,
	    "Lotte Peeters", "message", "interactive", "Renovatiepremie",
	    "topic_renovatiepremie", 0, 1764473420000LL });
}

static void
test_whatsapp_statuses(void)
{
	struct intake_counts c;
	long long n;

	n = q_count(st, "statuses");
	TEST("sent", store_fixture(CH_WHATSAPP, "status_sent.json", &c) == 0
	    && counts_are(&c, 0, 1, 0, 0, 0));
	TEST("delivered", store_fixture(CH_WHATSAPP, "status_delivered.json",
	    &c) == 0 && counts_are(&c, 0, 1, 0, 0, 0));
	TEST("read", store_fixture(CH_WHATSAPP, "status_read.json", &c) == 0
	    && counts_are(&c, 0, 1, 0, 0, 0));
	TEST("failed", store_fixture(CH_WHATSAPP, "status_failed.json", &c)
	    == 0 && counts_are(&c, 0, 1, 0, 0, 0));
	TEST("four status rows", q_count(st, "statuses") == n + 4);
	TEST("statuses are not inbound rows",
	    q_count(st, "inbound WHERE msg_id = '" OURS "'") == 0);
	check_status("sent", "whatsapp", OURS, "sent", LOTTE, 0, NULL,
	    1764473401000LL);
	check_status("read", "whatsapp", OURS, "read",
	    "BE.27718390112349087710", 0, NULL, 1764473405000LL);
	check_status("failed", "whatsapp", "wamid.HBgLMzI0ODY5ODc2NTQVAgAR"
	    "GBJGQUlMRUQxMzEwNDdFWEFNUAA=", "failed", JAN, 131047,
	    "Re-engagement message", 1764473600000LL);
	TEST("read again: duplicate",
	    store_fixture(CH_WHATSAPP, "status_read.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 1, 0, 0));
	TEST("status duplicate not inserted",
	    q_count(st, "statuses") == n + 4);
}

static void
test_messenger(void)
{
	struct intake_counts c;

	TEST("fb text", store_fixture(CH_MESSENGER, "text.json", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "fb text", &(struct want_in){ "messenger",
	    MID("TEXT001"), "vmsw", PAGE, PSID, NULL, NULL, "message", "text",
	    "Dag, waar kan ik een klacht over wegenwerken indienen?", NULL, 0,
	    1764473400123LL });
	TEST("fb text again: duplicate",
	    store_fixture(CH_MESSENGER, "text.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 1, 0, 0));
	TEST("one row for the mid",
	    q_count(st, "inbound WHERE msg_id = '" MID("TEXT001") "'") == 1);
	TEST("same id on the other channel is not a duplicate",
	    store_fixture_with(st, cfg, CH_WHATSAPP, "sticker.json",
	    WAMID("ST"), MID("TEXT001"), &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0) &&
	    q_count(st, "inbound WHERE msg_id = '" MID("TEXT001") "'") == 2);

	TEST("fb batch", store_fixture(CH_MESSENGER, "batch.json", &c) == 0
	    && counts_are(&c, 2, 1, 0, 0, 0));
	check_inbound(st, "fb batch 2", &(struct want_in){ "messenger",
	    MID("BATCH02"), "vmsw", PAGE, PSID2, NULL, NULL, "message", "text",
	    "Ik wil een klacht indienen", NULL, 0, 1764473601123LL });
	check_status("fb read watermark", "messenger",
	    "watermark:" PSID2 ":1764473601999", "read", PSID2, 0, NULL,
	    1764473602123LL);
	TEST("fb batch again: duplicates",
	    store_fixture(CH_MESSENGER, "batch.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 3, 0, 0));

	TEST("fb delivery mids", store_fixture(CH_MESSENGER,
	    "delivery_mids.json", &c) == 0 && counts_are(&c, 0, 2, 0, 0, 0));
	check_status("fb delivery", "messenger", OURMID, "delivered", PSID, 0,
	    NULL, 1764473470123LL);

	TEST("fb echo", store_fixture(CH_MESSENGER, "echo.json", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "fb echo", &(struct want_in){ "messenger",
	    MID("ECHO001"), "vmsw", PAGE, PSID, NULL, NULL, "echo", "text",
	    "Bedankt voor uw bericht. Wat wilt u doen?", "1517284925143877",
	    0, 1764473460123LL });
	TEST("fb standby", store_fixture(CH_MESSENGER, "standby_message.json",
	    &c) == 0 && counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "fb standby", &(struct want_in){ "messenger",
	    MID("STANDB1"), "vmsw", PAGE, PSID, NULL, NULL, "message", "text",
	    "Is er al iemand die mijn vraag bekijkt?", NULL, 1,
	    1764473500123LL });
	TEST("fb handover", store_fixture(CH_MESSENGER,
	    "pass_thread_control.json", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "fb handover (no mid)", &(struct want_in){
	    "messenger", "handover:" PSID ":1764473510123", "vmsw", PAGE,
	    PSID, NULL, NULL, "handover", "pass_thread_control",
	    "Gesprek afgerond door medewerker", "1517284925143877", 0,
	    1764473510123LL });
	TEST("fb handover again: duplicate", store_fixture(CH_MESSENGER,
	    "pass_thread_control.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 1, 0, 0));

	/* Routing by page id. */
	TEST("wse page", store_fixture_with(st, cfg, CH_MESSENGER,
	    "quick_reply.json", PAGE, "109876543210989", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "routed to wse page", &(struct want_in){
	    "messenger", MID("QUICK01"), "wse", "109876543210989", PSID,
	    NULL, NULL, "message", "quick_reply", "Klacht", "kind_complaint",
	    0, 1764473410123LL });
	TEST("unknown page", store_fixture_with(st, cfg, CH_MESSENGER,
	    "postback.json", PAGE, "100000000000001", &c) == 0 &&
	    counts_are(&c, 1, 0, 0, 0, 0));
	check_inbound(st, "unknown page -> default", &(struct want_in){
	    "messenger", MID("POSTBK1"), "vmsw", "100000000000001", PSID,
	    NULL, NULL, "message", "postback", "Een vraag stellen",
	    "kind_question", 0, 1764473450123LL });
}

static void
test_unexpected(void)
{
	static const char body[] = "{\"object\":\"something_new\"}";
	static const char odd[] = "{\"a\":\"\\\xff\0\xc3\xa9\"}";
	struct intake_counts c;
	long long n = q_count(st, "unexpected");

	TEST("odd WA field kept", store_fixture(CH_WHATSAPP,
	    "odd_other_field.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 0, 1, 0));
	TEST("odd WA row", q_count(st, "unexpected WHERE channel = "
	    "'whatsapp' AND reason = 'phone_number_name_update' AND "
	    "received_at = 1764480000000 AND length(digest) = 64") == 1);
	TEST("odd WA again: duplicate", store_fixture(CH_WHATSAPP,
	    "odd_other_field.json", &c) == 0 &&
	    counts_are(&c, 0, 0, 1, 0, 0));
	TEST("odd FB optin kept", store_fixture(CH_MESSENGER,
	    "odd_optin.json", &c) == 0 && counts_are(&c, 0, 0, 0, 1, 0));
	TEST("value errors kept as 'error'", store_fixture(CH_WHATSAPP,
	    "value_errors.json", &c) == 0 && counts_are(&c, 0, 0, 0, 1, 0) &&
	    q_count(st, "unexpected WHERE reason = 'error'") == 1);
	TEST("three unexpected rows", q_count(st, "unexpected") == n + 3);

	TEST("raw body stored once",
	    intake_store_unexpected(st, CH_WHATSAPP, "body", body,
	    strlen(body), NOW) == 1);
	TEST("same bytes again: 0",
	    intake_store_unexpected(st, CH_WHATSAPP, "other reason", body,
	    strlen(body), NOW + 1) == 0);
	TEST("same bytes on the other channel: 1",
	    intake_store_unexpected(st, CH_MESSENGER, "body", body,
	    strlen(body), NOW) == 1);
	TEST("a prefix of the bytes is new",
	    intake_store_unexpected(st, CH_WHATSAPP, "body", body,
	    strlen(body) - 1, NOW) == 1);
	TEST("NULL raw stored as empty",
	    intake_store_unexpected(st, CH_WHATSAPP, "empty", NULL, 0, NOW)
	    == 1);
	TEST("empty raw is the same as NULL",
	    intake_store_unexpected(st, CH_WHATSAPP, "empty", "", 0, NOW)
	    == 0);
	TEST("raw kept byte for byte", q_count(st, "unexpected WHERE raw = "
	    "'{\"object\":\"something_new\"}' AND reason = 'body'") == 2);
	TEST("seven unexpected rows", q_count(st, "unexpected") == n + 7);

	/* Bytes a PostgreSQL text column refuses: kept as \xNN, once. */
	TEST("invalid UTF-8 and NUL stored",
	    intake_store_unexpected(st, CH_WHATSAPP, "bytes", odd,
	    sizeof(odd) - 1, NOW) == 1);
	TEST("the same bytes again: 0",
	    intake_store_unexpected(st, CH_WHATSAPP, "bytes", odd,
	    sizeof(odd) - 1, NOW) == 0);
	TEST("kept as \\xNN, a backslash doubled, UTF-8 as it came",
	    q_count(st, "unexpected WHERE reason = 'bytes' AND raw = "
	    "'{\"a\":\"\\\\\\xff\\x00\xc3\xa9\"}'") == 1);
}

/* Without default_agency, an unknown number is stored unrouted. */
static void
test_unrouted(void)
{
	char path[256], dbpath[256], err[256], name[600];
	struct intake_counts c;
	struct config *c2;
	struct store *s2;
	FILE *f;

	snprintf(path, sizeof(path), "%s/nodefault.conf", tmpdir);
	snprintf(dbpath, sizeof(dbpath), "%s/unrouted.db", tmpdir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs("[agency x]\nname = X\nwhatsapp_phone_number_id = 1\n", f);
	fclose(f);
	c2 = config_load(path, err, sizeof(err));
	s2 = test_db(dbpath, name, sizeof(name)) == NULL ? NULL :
	    store_open(name, err, sizeof(err));
	TEST("no-default config and second store", c2 != NULL && s2 != NULL);
	if (c2 != NULL && s2 != NULL) {
		TEST("unrouted message stored",
		    store_fixture_with(s2, c2, CH_WHATSAPP, "text.json", NULL,
		    NULL, &c) == 0 && counts_are(&c, 1, 0, 0, 0, 1));
		check_inbound(s2, "unrouted", &(struct want_in){ "whatsapp",
		    WAMID("AT"), NULL, PNID, LOTTE, LOTTE, "Lotte Peeters",
		    "message", "text",
		    "Goeiedag, ik heb een vraag over mijn premie.", NULL, 0,
		    1764473400000LL });
		TEST("routed message for agency x",
		    store_fixture_with(s2, c2, CH_WHATSAPP, "document.json",
		    PNID, "1", &c) == 0 && counts_are(&c, 1, 0, 0, 0, 0));
		TEST("unrouted again: duplicate, not unrouted",
		    store_fixture_with(s2, c2, CH_WHATSAPP, "text.json", NULL,
		    NULL, &c) == 0 && counts_are(&c, 0, 0, 1, 0, 0));
	}
	store_close(s2);
	config_free(c2);
}

/* A job for the intake writer: fixture text.json with its message id
 * ending in tag; NULL if it cannot be parsed. */
static struct intake_job *
writer_job(unsigned long long id, const char *tag)
{
	struct intake_job *job;
	char to[32];

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->id = id;
	job->channel = CH_WHATSAPP;
	job->received_ms = NOW;
	snprintf(to, sizeof(to), "%s\"", tag);
	if (parse_fixture(CH_WHATSAPP, "text.json", "wA=\"", to,
	    &job->batch) == -1 || (job->agencies = intake_route(cfg,
	    &job->batch)) == NULL) {
		intake_job_free(job);
		return NULL;
	}
	return job;
}

static void
no_wake(void *arg)
{
	(void)arg;
}

/* The status the writer gave each of n jobs, in order of id (0: none). */
static void
writer_statuses(struct intake_writer *w, int *status, int n)
{
	struct intake_job *j, *next;

	memset(status, 0, sizeof(*status) * (size_t)n);
	for (j = intake_writer_take_done(w); j != NULL; j = next) {
		next = j->next;
		if (j->id >= 1 && j->id <= (unsigned long long)n)
			status[j->id - 1] = j->status;
		intake_job_free(j);
	}
}

/*
 * The intake writer commits what was queued meanwhile as one group; one
 * job the database refuses (here a trigger) is answered 503 and loses
 * only its own events: the others of its group are stored and answered
 * 200.  The jobs are queued while this thread holds the write lock, so
 * they are one group.
 */
static void
test_writer_group(const char *db)
{
	static const char *const refuse_lite = "CREATE TRIGGER refuse_x "
	    "BEFORE INSERT ON inbound WHEN NEW.msg_id LIKE '%xx' "
	    "BEGIN SELECT RAISE(ABORT, 'refused'); END";
	static const char *const refuse_pg[] = {
	    "CREATE FUNCTION refuse_x() RETURNS trigger AS $f$ BEGIN "
	    "IF NEW.msg_id LIKE '%xx' THEN RAISE EXCEPTION 'refused'; "
	    "END IF; RETURN NEW; END $f$ LANGUAGE plpgsql",
	    "CREATE TRIGGER refuse_x BEFORE INSERT ON inbound FOR EACH ROW "
	    "EXECUTE FUNCTION refuse_x()" };
	static const char *const tags[] = { "w1", "xx", "w3" };
	struct store_wlock lock;
	struct intake_writer *w;
	struct intake_job *job;
	int status[3], i, ok;
	char err[256];
	long long n0;

	if (test_pg() != NULL)
		ok = store_exec(st, refuse_pg[0]) == 0 &&
		    store_exec(st, refuse_pg[1]) == 0;
	else
		ok = store_exec(st, refuse_lite) == 0;
	TEST("writer: trigger that refuses one message", ok);
	n0 = q_count(st, "inbound");
	store_wlock_init(&lock);
	store_set_write_lock(st, &lock);
	w = intake_writer_start(db, &lock, no_wake, NULL, err, sizeof(err));
	TEST("writer starts", w != NULL);
	if (w == NULL || !ok) {
		printf("     err: %s\n", err);
		store_set_write_lock(st, NULL);
		return;
	}
	TEST("writer: lock held", store_begin(st) == 0);
	for (i = 0; i < 3; i++) {
		if ((job = writer_job((unsigned long long)i + 1, tags[i])) ==
		    NULL) {
			TEST("writer: job parsed", 0);
			continue;
		}
		intake_writer_submit(w, job);
		while (i == 0 && !store_write_contended(st))
			sched_yield();	/* the writer waits for the lock */
	}
	store_commit(st);
	intake_writer_wait(w, 3);
	writer_statuses(w, status, 3);
	TEST("writer: the good jobs of the group are stored (200)",
	    status[0] == 200 && status[2] == 200);
	TEST("writer: the refused job is answered 503", status[1] == 503);
	TEST("writer: two rows stored", q_count(st, "inbound") == n0 + 2);

	/* Alone in its group, a good job goes the fast way. */
	if ((job = writer_job(4, "w4")) != NULL)
		intake_writer_submit(w, job);
	intake_writer_wait(w, 4);
	writer_statuses(w, status, 3);
	TEST("writer: a later job is stored",
	    q_count(st, "inbound") == n0 + 3);
	intake_writer_stop(w);
	store_set_write_lock(st, NULL);
	store_wlock_destroy(&lock);
}

static void
remove_tmpdir(void)
{
	test_rmdir(tmpdir);
}

int
main(void)
{
	char path[256], err[256] = "", name[600];

	log_set_level(LOG_LVL_ERROR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/intake.db", tmpdir);
	cfg = config_load("deploy/loket.conf", err, sizeof(err));
	st = test_db(path, name, sizeof(name)) == NULL ? NULL :
	    store_open(name, err, sizeof(err));
	TEST("config and store", cfg != NULL && st != NULL);
	if (cfg != NULL && st != NULL) {
		test_whatsapp();
		test_whatsapp_statuses();
		test_messenger();
		test_unexpected();
		test_unrouted();
		test_writer_group(name);
	} else {
		printf("     err: %s\n", err);
	}
	store_close(st);
	config_free(cfg);
	remove_tmpdir();
	return TEST_REPORT();
}
