/*
 * test_webhook.c — every fixture under tests/fixtures/{whatsapp,messenger}
 * parsed and compared event by event; malformed bodies from
 * tests/fixtures/bad and generated ones (deep nesting, 100k events,
 * wrong types) must fail or degrade without crashing.  Run from the
 * repository root.
 */
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "testhelp.h"
#include "testutil.h"
#include "webhook.h"


/* An inbound WhatsApp message from Lotte / Jan (contacts[] named). */
#define FROM_LOTTE .account = PNID, .user = LOTTE, .phone = LOTTE, \
		.name = "Lotte Peeters"
#define WA_LOTTE .kind = EV_MESSAGE, FROM_LOTTE
#define WA_JAN	.kind = EV_MESSAGE, .account = PNID, .user = JAN, \
		.phone = JAN, .name = "Jan Janssens"
#define WA_ST	.kind = EV_STATUS, .account = PNID
#define MS(k)	.kind = (k), .account = PAGE, .user = PSID

static int files_run[2];	/* fixtures checked, per channel */

struct want {
	enum event_kind	 kind;
	const char	*account, *user, *phone, *name, *msg_id, *type;
	const char	*text, *payload, *status, *ref, *error_text;
	int		 error_code, standby;
	long long	 ts, wm;
};

static char *
slurp(const char *path, size_t *len)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *f;

	buf_init(&b, 16u << 20);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) == -1)
			break;
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

static int
parse(enum channel ch, const char *body, size_t len, struct webhook_batch *b,
    char *err, size_t errlen)
{
	if (ch == CH_WHATSAPP)
		return webhook_parse_whatsapp(body, len, b, err, errlen);
	return webhook_parse_messenger(body, len, b, err, errlen);
}

static void
check_str(const char *what, size_t i, const char *field, const char *got,
    const char *want)
{
	char d[512];

	snprintf(d, sizeof(d), "%s[%zu].%s", what, i, field);
	TEST_STR(d, got, want);
}

static void
check_num(const char *what, size_t i, const char *field, long long got,
    long long want)
{
	char d[512];

	snprintf(d, sizeof(d), "%s[%zu].%s = %lld, want %lld", what, i, field,
	    got, want);
	TEST(d, got == want);
}

/*
 * raw must be the JSON of what was kept: an object for every understood
 * event, any value (a stray 7 in an array) for EV_UNKNOWN.
 */
static void
check_raw(const char *what, size_t i, const char *raw, int any)
{
	json_t *j = raw != NULL ? json_loads(raw, JSON_DECODE_ANY, NULL) :
	    NULL;
	char d[512];

	snprintf(d, sizeof(d), "%s[%zu].raw is JSON", what, i);
	TEST(d, any ? j != NULL : json_is_object(j));
	json_decref(j);
}

static void
check_event(const char *what, size_t i, const struct inbound_event *e,
    const struct want *w, enum channel ch)
{
	check_num(what, i, "channel", e->channel, ch);
	check_num(what, i, "kind", e->kind, w->kind);
	check_str(what, i, "account_id", e->account_id, w->account);
	check_str(what, i, "user_id", e->user_id, w->user);
	check_str(what, i, "user_phone", e->user_phone, w->phone);
	check_str(what, i, "user_name", e->user_name, w->name);
	check_str(what, i, "msg_id", e->msg_id, w->msg_id);
	check_str(what, i, "msg_type", e->msg_type, w->type);
	check_str(what, i, "text", e->text, w->text);
	check_str(what, i, "payload", e->payload, w->payload);
	check_str(what, i, "status", e->status, w->status);
	check_str(what, i, "ref_id", e->ref_id, w->ref);
	check_str(what, i, "error_text", e->error_text, w->error_text);
	check_num(what, i, "error_code", e->error_code, w->error_code);
	check_num(what, i, "standby", e->standby, w->standby);
	check_num(what, i, "timestamp_ms", e->timestamp_ms, w->ts);
	check_num(what, i, "watermark_ms", e->watermark_ms, w->wm);
	check_raw(what, i, e->raw, 0);
}

static void
run_file(enum channel ch, const char *name, const struct want *w, size_t n,
    int unexpected)
{
	struct webhook_batch b;
	char path[128], err[256];
	size_t len, i;
	char *body;

	snprintf(path, sizeof(path), "tests/fixtures/%s/%s",
	    webhook_channel_name(ch), name);
	if ((body = slurp(path, &len)) == NULL) {
		TEST(path, 0);
		return;
	}
	files_run[ch]++;
	TEST(path, parse(ch, body, len, &b, err, sizeof(err)) == 0);
	check_num(path, 0, "n", (long long)b.n, (long long)n);
	check_num(path, 0, "unexpected", b.unexpected, unexpected);
	for (i = 0; i < n && i < b.n; i++)
		check_event(path, i, &b.ev[i], &w[i], ch);
	webhook_batch_free(&b);
	free(body);
}

#define RUN(ch, name, unexpected, ...) do {				\
	static const struct want w_[] = { __VA_ARGS__ };		\
	run_file((ch), (name), w_, sizeof(w_) / sizeof(w_[0]),		\
	    (unexpected));						\
} while (0)
#define WA(name, ...)	RUN(CH_WHATSAPP, name, 0, __VA_ARGS__)
#define FB(name, ...)	RUN(CH_MESSENGER, name, 0, __VA_ARGS__)

static void
test_whatsapp_messages(void)
{
	WA("text.json", { WA_LOTTE, .msg_id = WAMID("AT"), .type = "text",
	    .text = "Goeiedag, ik heb een vraag over mijn premie.",
	    .ts = 1764473400000LL });
	WA("interactive_button_reply.json", { WA_LOTTE,
	    .msg_id = WAMID("BU"), .type = "interactive", .text = "Klacht",
	    .payload = "kind_complaint", .ref = OURS,
	    .ts = 1764473410000LL });
	WA("interactive_list_reply.json", { WA_LOTTE, .msg_id = WAMID("LI"),
	    .type = "interactive", .text = "Renovatiepremie",
	    .payload = "topic_renovatiepremie", .ref = OURS,
	    .ts = 1764473420000LL });
	WA("button_template.json", { WA_LOTTE, .msg_id = WAMID("TB"),
	    .type = "button", .text = "Ja, heropen", .payload = "reopen_case",
	    .ref = OURS, .ts = 1764473430000LL });
	WA("image_caption.json", { WA_LOTTE, .msg_id = WAMID("IM"),
	    .type = "image", .text = "Foto van de put in het fietspad",
	    .payload = "1003383421387256", .ts = 1764473440000LL });
	WA("audio_voice.json", { WA_LOTTE, .msg_id = WAMID("AU"),
	    .type = "audio", .payload = "1219937149461932",
	    .ts = 1764473450000LL });
	WA("video.json", { WA_LOTTE, .msg_id = WAMID("VI"), .type = "video",
	    .payload = "1549871542578713", .ts = 1764473460000LL });
	WA("document.json", { WA_LOTTE, .msg_id = WAMID("DO"),
	    .type = "document", .payload = "862415249264930",
	    .ts = 1764473470000LL });
	WA("sticker.json", { WA_LOTTE, .msg_id = WAMID("ST"),
	    .type = "sticker", .payload = "1055411462849285",
	    .ts = 1764473480000LL });
	WA("location.json", { WA_LOTTE, .msg_id = WAMID("LO"),
	    .type = "location", .payload = "50.8503396,4.3517103",
	    .text = "Herman Teirlinckgebouw, Havenlaan 88, 1000 Brussel",
	    .ts = 1764473490000LL });
	WA("contacts.json", { WA_LOTTE, .msg_id = WAMID("CO"),
	    .type = "contacts", .text = "Els De Smet (+32 470 11 22 33, "
	    "+32 9 123 45 67); Koen Maes (+32 486 44 55 66)",
	    .ts = 1764473500000LL });
}

static void
test_whatsapp_other(void)
{
	WA("reaction.json", { .kind = EV_REACTION, FROM_LOTTE,
	    .msg_id = WAMID("RE"), .type = "reaction", .payload = "👍",
	    .ref = OURS, .ts = 1764473510000LL });
	WA("reaction_removed.json", { .kind = EV_REACTION, FROM_LOTTE,
	    .msg_id = WAMID("RR"), .type = "reaction", .ref = OURS,
	    .ts = 1764473520000LL });
	WA("unsupported.json", { WA_LOTTE, .msg_id = WAMID("UN"),
	    .type = "unsupported", .payload = "poll_creation",
	    .error_code = 131051, .error_text = "Message type unknown",
	    .ts = 1764473530000LL });
	WA("unknown_type.json", { WA_LOTTE, .msg_id = WAMID("FU"),
	    .type = "hologram", .ts = 1764473540000LL });
	WA("bsuid_user.json", { .kind = EV_MESSAGE, .account = PNID,
	    .user = "BE.13491208655302741918", .name = "Sofie",
	    .msg_id = WAMID("BS"), .type = "text",
	    .text = "Mag ik iemand spreken?", .ts = 1764473550000LL });
	WA("text_escapes.json", { .kind = EV_MESSAGE, .account = PNID,
	    .user = "32479556677", .phone = "32479556677",
	    .name = "Renée Vermêulen",
	    .msg_id = "wamid.HBgLMzI0Nzk1NTY2NzcVAgASGBQzRVNDQVBFU0Y1NEMwQkM2"
	    "RTcxNzIA", .type = "text", .text = "Café De Zwaan 😡 zie "
	    "https://www.vlaanderen.be/klachten \"dringend\"",
	    .ts = 1764473560000LL });
	WA("value_errors.json", { .kind = EV_UNKNOWN, .account = PNID,
	    .type = "error", .error_code = 130429,
	    .error_text = "Rate limit hit" });
	RUN(CH_WHATSAPP, "odd_other_field.json", 1, { .kind = EV_UNKNOWN,
	    .type = "phone_number_name_update" });
}

static void
test_whatsapp_statuses(void)
{
	WA("status_sent.json", { WA_ST, .user = LOTTE, .phone = LOTTE,
	    .msg_id = OURS, .type = "sent", .status = "sent",
	    .payload = "case-2026-000123", .ts = 1764473401000LL });
	WA("status_delivered.json", { WA_ST, .user = LOTTE, .phone = LOTTE,
	    .msg_id = OURS, .type = "delivered", .status = "delivered",
	    .ts = 1764473402000LL });
	WA("status_read.json", { WA_ST, .user = "BE.27718390112349087710",
	    .phone = LOTTE, .msg_id = OURS, .type = "read", .status = "read",
	    .ts = 1764473405000LL });
	WA("status_failed.json", { WA_ST, .user = JAN, .phone = JAN,
	    .msg_id = "wamid.HBgLMzI0ODY5ODc2NTQVAgARGBJGQUlMRUQxMzEwNDdF"
	    "WEFNUAA=", .type = "failed", .status = "failed",
	    .error_code = 131047, .error_text = "Re-engagement message",
	    .ts = 1764473600000LL });
	WA("batch.json",
	    { WA_LOTTE, .msg_id = WAMID("B1"), .type = "text",
	      .text = "Hallo", .ts = 1764473700000LL },
	    { WA_JAN, .msg_id = WAMID("B2"), .type = "text",
	      .text = "Ik wil een klacht indienen", .ts = 1764473701000LL },
	    { WA_ST, .user = LOTTE, .phone = LOTTE, .msg_id = OURS2,
	      .type = "delivered", .status = "delivered",
	      .ts = 1764473702000LL },
	    { WA_JAN, .msg_id = WAMID("B3"), .type = "image",
	      .payload = "771234567890123", .ts = 1764473703000LL });
}

static void
test_messenger_messages(void)
{
	FB("text.json", { MS(EV_MESSAGE), .msg_id = MID("TEXT001"),
	    .type = "text", .text = "Dag, waar kan ik een klacht over "
	    "wegenwerken indienen?", .ts = 1764473400123LL });
	FB("quick_reply.json", { MS(EV_MESSAGE), .msg_id = MID("QUICK01"),
	    .type = "quick_reply", .text = "Klacht",
	    .payload = "kind_complaint", .ts = 1764473410123LL });
	FB("attachment_image.json", { MS(EV_MESSAGE),
	    .msg_id = MID("IMAGE01"), .type = "image",
	    .payload = "https://scontent.xx.fbcdn.net/v/t1.15752-9/"
	    "470912345_1234567890_n.jpg?_nc_cat=1&oh=00_EXAMPLE&oe=6790ABCD",
	    .ts = 1764473420123LL });
	FB("attachment_fallback.json", { MS(EV_MESSAGE),
	    .msg_id = MID("FALLBK1"), .type = "fallback",
	    .text = "Kijk: https://www.vlaanderen.be/klachten",
	    .payload = "https://l.facebook.com/l.php?u=https%3A%2F%2F"
	    "www.vlaanderen.be%2Fklachten&h=AT0EXAMPLE",
	    .ts = 1764473430123LL });
	FB("reply_to.json", { MS(EV_MESSAGE), .msg_id = MID("REPLY01"),
	    .type = "text", .text = "Ja, dat klopt", .ref = OURMID,
	    .ts = 1764473440123LL });
	FB("postback.json", { MS(EV_MESSAGE), .msg_id = MID("POSTBK1"),
	    .type = "postback", .text = "Een vraag stellen",
	    .payload = "kind_question", .ts = 1764473450123LL });
	FB("postback_no_mid.json", { MS(EV_MESSAGE),
	    .msg_id = "syn:postback:" PSID ":1764473455123",
	    .type = "postback", .text = "Aan de slag",
	    .payload = "get_started", .ts = 1764473455123LL });
	FB("echo.json", { MS(EV_ECHO), .msg_id = MID("ECHO001"),
	    .type = "text", .text = "Bedankt voor uw bericht. Wat wilt u "
	    "doen?", .payload = "1517284925143877", .ts = 1764473460123LL });
	FB("standby_message.json", { MS(EV_MESSAGE), .standby = 1,
	    .msg_id = MID("STANDB1"), .type = "text",
	    .text = "Is er al iemand die mijn vraag bekijkt?",
	    .ts = 1764473500123LL });
	FB("text_escapes.json", { MS(EV_MESSAGE),
	    .msg_id = "m_ESCAPES1uwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxq"
	    "MvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P", .type = "text",
	    .text = "Café gesloten? 😡 https://www.vlaanderen.be/klachten",
	    .ts = 1764473550123LL });
}

static void
test_messenger_other(void)
{
	FB("delivery_mids.json",
	    { MS(EV_STATUS), .msg_id = OURMID, .type = "delivered",
	      .status = "delivered", .ts = 1764473470123LL,
	      .wm = 1764473469000LL },
	    { MS(EV_STATUS), .msg_id = MID("OURMSG2"), .type = "delivered",
	      .status = "delivered", .ts = 1764473470123LL,
	      .wm = 1764473469000LL });
	FB("delivery_watermark.json", { MS(EV_STATUS), .type = "delivered",
	    .status = "delivered", .ts = 1764473475123LL,
	    .wm = 1764473474000LL });
	FB("read.json", { MS(EV_STATUS), .type = "read", .status = "read",
	    .ts = 1764473480123LL, .wm = 1764473479000LL });
	FB("reaction.json", { MS(EV_REACTION),
	    .msg_id = "syn:react:" PSID ":1764473490123", .type = "react",
	    .payload = "❤️", .ref = OURMID, .ts = 1764473490123LL });
	FB("unreaction.json", { MS(EV_REACTION),
	    .msg_id = "syn:unreact:" PSID ":1764473495123",
	    .type = "unreact", .payload = "love", .ref = OURMID,
	    .ts = 1764473495123LL });
	FB("pass_thread_control.json", { MS(EV_HANDOVER),
	    .type = "pass_thread_control", .payload = "1517284925143877",
	    .text = "Gesprek afgerond door medewerker",
	    .ts = 1764473510123LL });
	FB("take_thread_control.json", { MS(EV_HANDOVER),
	    .type = "take_thread_control", .payload = "263902037430900",
	    .text = "Overgenomen in Inbox", .ts = 1764473520123LL });
	FB("request_thread_control.json", { MS(EV_HANDOVER),
	    .type = "request_thread_control", .payload = "263902037430900",
	    .text = "Medewerker wil overnemen", .ts = 1764473530123LL });
	FB("batch.json",
	    { MS(EV_MESSAGE), .msg_id = MID("BATCH01"), .type = "text",
	      .text = "Hallo", .ts = 1764473600123LL },
	    { .kind = EV_MESSAGE, .account = PAGE, .user = PSID2,
	      .msg_id = MID("BATCH02"), .type = "text",
	      .text = "Ik wil een klacht indienen", .ts = 1764473601123LL },
	    { .kind = EV_STATUS, .account = PAGE, .user = PSID2,
	      .type = "read", .status = "read", .ts = 1764473602123LL,
	      .wm = 1764473601999LL });
	RUN(CH_MESSENGER, "odd_optin.json", 1, { .kind = EV_UNKNOWN,
	    .type = "optin" });
	RUN(CH_MESSENGER, "odd_object_instagram.json", 1,
	    { .kind = EV_UNKNOWN, .type = "body" });
}

/* Parses an inline body that must succeed; the caller inspects b. */
static int
odd(enum channel ch, const char *body, struct webhook_batch *b)
{
	char err[256];

	return parse(ch, body, strlen(body), b, err, sizeof(err));
}

/* An odd body: n events, the first of this kind and type, unexpected. */
static void
odd_shape(enum channel ch, const char *body, size_t n, int unexpected,
    enum event_kind kind, const char *type)
{
	struct webhook_batch b;

	TEST(body, odd(ch, body, &b) == 0);
	check_num(body, 0, "n", (long long)b.n, (long long)n);
	check_num(body, 0, "unexpected", b.unexpected, unexpected);
	if (b.n > 0) {
		check_num(body, 0, "kind", b.ev[0].kind, kind);
		check_str(body, 0, "msg_type", b.ev[0].msg_type, type);
		check_raw(body, 0, b.ev[0].raw, kind == EV_UNKNOWN);
	}
	webhook_batch_free(&b);
}

static void
test_bad_files(void)
{
	static const char *bad[] = { "truncated.json", "not_json.json",
	    "invalid_utf8.json", "nul_escape.json", "lone_surrogate.json",
	    "empty.json", "trailing_garbage.json" };
	struct webhook_batch b;
	char path[128], err[256];
	size_t i, len;
	char *body;
	int ch;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "tests/fixtures/bad/%s", bad[i]);
		if ((body = slurp(path, &len)) == NULL) {
			TEST(path, 0);
			continue;
		}
		for (ch = CH_WHATSAPP; ch <= CH_MESSENGER; ch++) {
			err[0] = '\0';
			TEST(path, parse(ch, body, len, &b, err,
			    sizeof(err)) == -1);
			TEST(path, b.n == 0 && b.ev == NULL && err[0] != '\0');
			webhook_batch_free(&b);
		}
		free(body);
	}
	TEST("1e400", webhook_parse_messenger("[1e400]", 7, &b, err,
	    sizeof(err)) == -1);
	/* NULL err buffer is allowed. */
	TEST("null err", webhook_parse_whatsapp("{", 1, &b, NULL, 0) == -1);
}

#define SENDER	"\"sender\":{\"id\":\"" PSID "\"},\"recipient\":{\"id\":\"" \
		PAGE "\"},\"timestamp\":1764473400123"
#define FBE(ev)	"{\"object\":\"page\",\"entry\":[{\"id\":\"" PAGE \
		"\",\"messaging\":[{" ev "}]}]}"
#define WAV(v)	"{\"object\":\"whatsapp_business_account\",\"entry\":[{" \
		"\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":" \
		"{\"metadata\":{\"phone_number_id\":\"" PNID "\"}" v "}}]}]}"

static void
test_odd_messenger(void)
{
	struct webhook_batch b;

	odd_shape(CH_MESSENGER, "42", 1, 1, EV_UNKNOWN, "body");
	odd_shape(CH_MESSENGER, "[]", 1, 1, EV_UNKNOWN, "body");
	odd_shape(CH_MESSENGER, "{}", 1, 1, EV_UNKNOWN, "body");
	odd_shape(CH_MESSENGER, "{\"object\":\"page\"}", 1, 1, EV_UNKNOWN,
	    "body");
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":{}}", 1, 1,
	    EV_UNKNOWN, "body");
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":[]}", 0, 0,
	    EV_UNKNOWN, NULL);
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":[1,\"x\","
	    "null]}", 3, 3, EV_UNKNOWN, "entry");
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":[{\"id\":\"1\","
	    "\"changes\":[]}]}", 1, 1, EV_UNKNOWN, "entry");
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":[{"
	    "\"messaging\":{}}]}", 1, 1, EV_UNKNOWN, "messaging");
	odd_shape(CH_MESSENGER, FBE("\"timestamp\":1,\"message\":{\"mid\":"
	    "\"m\"}"), 1, 1, EV_UNKNOWN, "event");
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":[{"
	    "\"messaging\":[{\"sender\":{\"id\":\"1\"},\"read\":{}}]}]}",
	    1, 1, EV_UNKNOWN, "event");
	odd_shape(CH_MESSENGER, FBE(SENDER ",\"message\":{\"mid\":7}"), 1, 1,
	    EV_UNKNOWN, "message");
	odd_shape(CH_MESSENGER, FBE(SENDER ",\"message\":\"hi\""), 1, 1,
	    EV_UNKNOWN, "message");
	odd_shape(CH_MESSENGER, FBE(SENDER ",\"message\":{\"mid\":\"m\"}"), 1,
	    0, EV_MESSAGE, "unknown");
	/* Numbers where strings belong: ids converted, text dropped. */
	TEST("numeric ids", odd(CH_MESSENGER, FBE("\"sender\":{\"id\":5},"
	    "\"recipient\":{\"id\":6},\"timestamp\":\"7\",\"message\":{"
	    "\"mid\":\"m9\",\"text\":5}"), &b) == 0 && b.n == 1);
	if (b.n == 1) {
		TEST_STR("numeric sender", b.ev[0].user_id, "5");
		TEST_STR("numeric recipient", b.ev[0].account_id, "6");
		TEST("numeric text", b.ev[0].text == NULL);
		TEST("string timestamp", b.ev[0].timestamp_ms == 7);
	}
	webhook_batch_free(&b);
	/* Duplicate keys: accepted, the last one wins. */
	odd_shape(CH_MESSENGER, "{\"object\":\"x\",\"object\":\"page\","
	    "\"entry\":[{\"messaging\":[{" SENDER ",\"read\":{\"watermark\":1}"
	    "}]}]}", 1, 0, EV_STATUS, "read");
	/* Integers past 64 bits are valid JSON, not a 400. */
	odd_shape(CH_MESSENGER, "{\"object\":\"page\",\"entry\":[{\"id\":"
	    "123456789012345678901234567890,\"messaging\":[{\"sender\":{\"id\":"
	    "\"1\"},\"timestamp\":1,\"message\":{\"mid\":\"m\",\"text\":\"t\"}}"
	    "]}]}", 1, 0, EV_MESSAGE, "text");
}

static void
test_odd_whatsapp(void)
{
	struct webhook_batch b;

	odd_shape(CH_WHATSAPP, "{\"object\":\"page\",\"entry\":[]}", 1, 1,
	    EV_UNKNOWN, "body");
	odd_shape(CH_WHATSAPP, "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[{\"id\":\"1\"}]}", 1, 1, EV_UNKNOWN, "entry");
	odd_shape(CH_WHATSAPP, "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{}}]}"
	    "]}", 1, 1, EV_UNKNOWN, "messages");
	odd_shape(CH_WHATSAPP, WAV(""), 1, 1, EV_UNKNOWN, "messages");
	odd_shape(CH_WHATSAPP, WAV(",\"messages\":{}"), 1, 1, EV_UNKNOWN,
	    "messages");
	odd_shape(CH_WHATSAPP, WAV(",\"messages\":[7]"), 1, 1, EV_UNKNOWN,
	    "messages");
	odd_shape(CH_WHATSAPP, WAV(",\"messages\":[{\"id\":5,\"type\":"
	    "\"text\"}]"), 1, 1, EV_UNKNOWN, "message");
	odd_shape(CH_WHATSAPP, WAV(",\"statuses\":[{\"id\":\"w\"}]"), 1, 1,
	    EV_UNKNOWN, "status");
	/* Nobody to answer: kept, but not as a message. */
	odd_shape(CH_WHATSAPP, WAV(",\"messages\":[{\"id\":\"w\",\"type\":"
	    "\"text\"}]"), 1, 1, EV_UNKNOWN, "text");
	TEST("wrong types", odd(CH_WHATSAPP, WAV(",\"messages\":[{\"id\":\"w1\","
	    "\"from\":\"3247\",\"type\":\"text\",\"text\":{\"body\":7},"
	    "\"timestamp\":7},{\"id\":\"w2\",\"from\":\"3247\",\"type\":"
	    "\"location\",\"location\":{\"latitude\":\"51.05\",\"longitude\":"
	    "3.72},\"timestamp\":\"99999999999999999999\"},{\"id\":\"w3\","
	    "\"from\":\"3247\",\"type\":\"contacts\",\"contacts\":{},"
	    "\"timestamp\":\"-5\"}]"), &b) == 0 && b.n == 3);
	if (b.n == 3) {
		TEST("number body", b.ev[0].text == NULL);
		TEST("number timestamp", b.ev[0].timestamp_ms == 7000);
		TEST_STR("string coords", b.ev[1].payload, "51.05,3.72");
		TEST("overflow timestamp", b.ev[1].timestamp_ms == 0);
		TEST("contacts object", b.ev[2].text == NULL);
		TEST("negative timestamp", b.ev[2].timestamp_ms == 0);
	}
	webhook_batch_free(&b);
	webhook_batch_free(&b);	/* freeing twice is harmless */
	webhook_batch_free(NULL);
	TEST_STR("channel whatsapp", webhook_channel_name(CH_WHATSAPP), "whatsapp");
	TEST_STR("channel messenger", webhook_channel_name(CH_MESSENGER), "messenger");
}

#define HUGE	100000

static double
seconds_since(clock_t t0)
{
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

/* Appends n copies of item, each '@' replaced by the index. */
static int
list_n(struct buf *b, const char *item, size_t n)
{
	const char *c;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (i > 0)
			rc |= buf_putc(b, ',');
		for (c = item; *c != '\0'; c++)
			rc |= *c == '@' ? buf_appendf(b, "%zu", i) :
			    buf_putc(b, *c);
	}
	return rc;
}

static int
list(struct buf *b, const char *item)
{
	return list_n(b, item, HUGE);
}

/*
 * Parses body (freed here); every event must be whole and of kind, and
 * only the first WEBHOOK_MAX_EVENTS are read (issue 14: one body must
 * not become 100k rows).
 */
static void
run_huge(enum channel ch, const char *what, struct buf *body, int built,
    enum event_kind kind)
{
	struct webhook_batch b;
	char err[256];
	clock_t t0;
	size_t i, bad = 0;

	TEST(what, built == 0);
	if (built != 0) {
		buf_free(body);
		return;
	}
	t0 = clock();
	TEST(what, parse(ch, body->data, body->len, &b, err,
	    sizeof(err)) == 0);
	printf("     %s: %zu events in %.2fs\n", what, b.n,
	    seconds_since(t0));
	TEST(what, b.n == WEBHOOK_MAX_EVENTS && b.overflow &&
	    b.unexpected == 0);
	TEST(what, seconds_since(t0) < 20.0);	/* quadratic takes hours */
	for (i = 0; i < b.n; i++)
		if (b.ev[i].kind != kind || b.ev[i].user_id == NULL ||
		    b.ev[i].msg_id == NULL || b.ev[i].raw == NULL)
			bad++;
	TEST(what, bad == 0);
	if (ch == CH_WHATSAPP && b.n > 0)	/* matched through the index */
		TEST_STR(what, b.ev[b.n - 1].user_name, "n");
	webhook_batch_free(&b);
	buf_free(body);
}

/* Exactly the cap is read whole; one more overflows. */
static void
test_cap_edge(void)
{
	struct webhook_batch wb;
	struct buf b;
	char err[256];
	size_t n;

	for (n = WEBHOOK_MAX_EVENTS; n <= WEBHOOK_MAX_EVENTS + 1; n++) {
		buf_init(&b, 16u << 20);
		if (buf_appendf(&b, "%s", "{\"object\":\"page\",\"entry\":[{"
		    "\"messaging\":[{" SENDER ",\"delivery\":{\"watermark\":1,"
		    "\"mids\":[") || list_n(&b, "\"m@\"", n) ||
		    buf_appendf(&b, "%s", "]}}]}]}")) {
			TEST("cap edge body", 0);
			buf_free(&b);
			return;
		}
		TEST("cap edge parses", parse(CH_MESSENGER, b.data, b.len, &wb,
		    err, sizeof(err)) == 0);
		TEST("cap edge: all up to the cap, overflow only past it",
		    wb.n == WEBHOOK_MAX_EVENTS &&
		    wb.overflow == (n > WEBHOOK_MAX_EVENTS));
		webhook_batch_free(&wb);
		buf_free(&b);
	}
}

static void
test_huge(void)
{
	struct buf b;
	int rc;

	buf_init(&b, 64u << 20);
	rc = buf_appendf(&b, "%s", "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{"
	    "\"metadata\":{\"phone_number_id\":\"" PNID "\"},\"contacts\":[");
	rc |= list(&b, "{\"wa_id\":\"32@\",\"profile\":{\"name\":\"n\"}}");
	rc |= buf_appendf(&b, "%s", "],\"messages\":[");
	rc |= list(&b, "{\"from\":\"32@\",\"id\":\"w@\",\"type\":\"text\","
	    "\"text\":{\"body\":\"t\"},\"timestamp\":\"1\"}");
	rc |= buf_appendf(&b, "%s", "]}}]}]}");
	run_huge(CH_WHATSAPP, "100k WA messages x 100k contacts", &b, rc,
	    EV_MESSAGE);

	buf_init(&b, 64u << 20);
	rc = buf_appendf(&b, "%s", "{\"object\":\"page\",\"entry\":[");
	rc |= list(&b, "{\"id\":\"" PAGE "\",\"messaging\":[{" SENDER
	    ",\"message\":{\"mid\":\"m@\",\"text\":\"t\"}}]}");
	rc |= buf_appendf(&b, "%s", "]}");
	run_huge(CH_MESSENGER, "100k Messenger entries", &b, rc, EV_MESSAGE);

	buf_init(&b, 64u << 20);
	rc = buf_appendf(&b, "%s", "{\"object\":\"page\",\"entry\":[{"
	    "\"messaging\":[{" SENDER ",\"delivery\":{\"watermark\":1,"
	    "\"mids\":[");
	rc |= list(&b, "\"m@\"");
	rc |= buf_appendf(&b, "%s", "]}}]}]}");
	run_huge(CH_MESSENGER, "100k delivery mids", &b, rc, EV_STATUS);
	test_cap_edge();
}

#define SMALL_WA "{\"object\":\"whatsapp_business_account\",\"entry\":[{" \
	"\"changes\":[{\"field\":\"messages\",\"value\":{\"metadata\":{" \
	"\"phone_number_id\":\"" PNID "\"},\"messages\":[{\"from\":\"32470\"," \
	"\"id\":\"wamid.t\",\"type\":\"text\",\"text\":{\"body\":\"dag\"}," \
	"\"timestamp\":\"1\"}]}}]}]}"

/* Parses SMALL_WA n times: the number of times one event came out. */
static void *
parse_small(void *arg)
{
	int n = *(int *)arg, i, ok = 0;
	struct webhook_batch b;
	char err[200];

	for (i = 0; i < n; i++) {
		if (webhook_parse_whatsapp(SMALL_WA, strlen(SMALL_WA), &b, err,
		    sizeof(err)) == 0 && b.n == 1 &&
		    strcmp(b.ev[0].text, "dag") == 0)
			ok++;
		webhook_batch_free(&b);
	}
	*(int *)arg = ok;
	return NULL;
}

/* Parsing takes memory from a block per thread (webhook.c): two threads
 * at once, a thread that ends (its block freed: the sanitizer build
 * reports a leak otherwise) and jansson used for other things meanwhile. */
static void
test_threads(void)
{
	int mine = 2000, theirs = 2000;
	pthread_t t;
	json_t *other;
	char *dump;

	TEST("a second thread starts",
	    pthread_create(&t, NULL, parse_small, &theirs) == 0);
	other = json_pack("{s:s}", "a", "b");
	parse_small(&mine);
	pthread_join(t, NULL);
	TEST("every parse on this thread", mine == 2000);
	TEST("every parse on the other thread", theirs == 2000);
	dump = json_dumps(other, JSON_COMPACT);
	TEST("a tree made outside a parse is whole",
	    dump != NULL && strcmp(dump, "{\"a\":\"b\"}") == 0);
	free(dump);
	json_decref(other);
}

/* n times open, then n times close (close may be NULL). */
static char *
nested(size_t n, const char *head, const char *open, const char *mid,
    const char *close, const char *tail)
{
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b, 64u << 20);
	rc = buf_appendf(&b, "%s", head);
	for (i = 0; i < n; i++)
		rc |= buf_appendf(&b, "%s", open);
	rc |= buf_appendf(&b, "%s", mid);
	for (i = 0; close != NULL && i < n; i++)
		rc |= buf_appendf(&b, "%s", close);
	rc |= buf_appendf(&b, "%s", tail);
	if (rc != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

static void
deep(enum channel ch, const char *what, char *body, int want)
{
	struct webhook_batch b;
	char err[256];
	clock_t t0 = clock();

	TEST(what, body != NULL);
	if (body == NULL)
		return;
	TEST(what, parse(ch, body, strlen(body), &b, err, sizeof(err)) ==
	    want);
	TEST(what, seconds_since(t0) < 2.0);
	if (want == 0)
		TEST(what, b.n == 1 && b.ev[0].kind == EV_MESSAGE &&
		    b.ev[0].raw != NULL);
	webhook_batch_free(&b);
	free(body);
}

/* jansson stops at depth 2048 (JSON_PARSER_MAX_DEPTH): -1, quickly. */
static void
test_deep(void)
{
	deep(CH_MESSENGER, "100000 x [", nested(100000, "", "[", "", NULL,
	    ""), -1);
	deep(CH_WHATSAPP, "100000 x [ ]", nested(100000, "", "[", "1", "]",
	    ""), -1);
	deep(CH_WHATSAPP, "100000 x {\"a\":", nested(100000, "", "{\"a\":",
	    "1", "}", ""), -1);
	deep(CH_MESSENGER, "1500 deep inside a message", nested(1500,
	    "{\"object\":\"page\",\"entry\":[{\"messaging\":[{" SENDER
	    ",\"message\":{\"mid\":\"m\",\"text\":\"t\",\"x\":", "[", "0", "]",
	    "}}]}]}"), 0);
}

static long alloc_left = -1;	/* jansson allocations until one fails */

static void *
failing_malloc(size_t n)
{
	if (alloc_left == 0)
		return NULL;
	if (alloc_left > 0)
		alloc_left--;
	return malloc(n);
}

/* How many jansson allocations parsing body takes. */
static long
parse_allocs(const char *body, size_t len)
{
	json_t *j;

	alloc_left = 1L << 30;
	j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	json_decref(j);
	return (1L << 30) - alloc_left;
}

/*
 * SQLite's fault tests: fail jansson's 1st, 2nd, ... allocation (parse,
 * raw dumps, contact index, delivery copies) until a run needs no more.
 * Each run must succeed or fail cleanly (ASan checks for leaks).  Past
 * the parse, -1 must say "out of memory"; inside it jansson 2.14 may
 * report a failed buffer growth as a syntax error, so any -1 goes.
 */
static void
fault(enum channel ch, const char *path)
{
	struct webhook_batch b;
	char err[256];
	size_t len;
	long n, parsing;
	int rc = -1, bad = 0;
	char *body = slurp(path, &len);

	TEST(path, body != NULL);
	if (body == NULL)
		return;
	json_set_alloc_funcs(failing_malloc, free);
	parsing = parse_allocs(body, len);
	for (n = 0;; n++) {
		alloc_left = n;
		rc = parse(ch, body, len, &b, err, sizeof(err));
		if (rc == -1 && n >= parsing &&
		    strncmp(err, "out of memory", 13) != 0)
			bad++;
		webhook_batch_free(&b);
		if (alloc_left > 0)	/* not all of n were needed */
			break;
	}
	alloc_left = -1;
	json_set_alloc_funcs(malloc, free);
	printf("     %s: %ld allocation failures survived\n", path, n);
	TEST(path, bad == 0 && rc == 0 && n > parsing);
	free(body);
}

static void
test_fault(void)
{
	fault(CH_WHATSAPP, "tests/fixtures/whatsapp/batch.json");
	fault(CH_WHATSAPP, "tests/fixtures/whatsapp/contacts.json");
	fault(CH_MESSENGER, "tests/fixtures/messenger/delivery_mids.json");
	fault(CH_MESSENGER, "tests/fixtures/messenger/batch.json");
}

/* A fixture added without expectations here fails the test. */
static void
test_all_fixtures_checked(enum channel ch)
{
	char path[128];
	struct dirent *d;
	size_t len;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "tests/fixtures/%s", webhook_channel_name(ch));
	if ((dir = opendir(path)) == NULL) {
		TEST(path, 0);
		return;
	}
	while ((d = readdir(dir)) != NULL)
		if ((len = strlen(d->d_name)) > 5 &&
		    strcmp(d->d_name + len - 5, ".json") == 0)
			n++;
	closedir(dir);
	check_num(path, 0, "fixtures checked", files_run[ch], n);
}

int
main(void)
{
	test_whatsapp_messages();
	test_whatsapp_other();
	test_whatsapp_statuses();
	test_messenger_messages();
	test_messenger_other();
	test_bad_files();
	test_odd_messenger();
	test_odd_whatsapp();
	test_huge();
	test_threads();
	test_deep();
	test_fault();
	test_all_fixtures_checked(CH_WHATSAPP);
	test_all_fixtures_checked(CH_MESSENGER);
	return TEST_REPORT();
}
