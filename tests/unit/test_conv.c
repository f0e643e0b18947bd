/*
 * test_conv.c — the conversation engine against a temporary
 * SQLite file: inbound rows in, outbox rows, conversations, cases and
 * outcomes out; timeouts, staff operations, the Messenger handover
 * protocol, a restart in the middle.  Uses deploy/loket.conf, the real
 * phrase files and locales (run from the repository root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conv_int.h"
#include "conv.h"
#include "intent.h"
#include "locales.h"
#include "log.h"
#include "store.h"
#include "testhelp.h"
#include "testutil.h"

/* Tuesday 1 December 2026, 10:00 in Brussels (09:00 UTC). */
#define T0	1796115600000LL
#define HOUR	3600000LL

static char db_path[] = "/tmp/test_conversation.XXXXXX";
static struct config *cfg;
static struct store *st;
static struct intent_model *model;
static struct locales *loc;
static struct conv_engine *eng;
static int seq;
/* When the next inbound row was received: 10 s apart unless a test sets
 * burst_at (>= 0) to queue rows received together. */
static long long burst_at = -1;

static char db_name[600];	/* the SQLite path or PostgreSQL conninfo */

static struct store *
db(void)
{
	return st;
}

/* One inbound row; kind "message" unless given. */
static void
inbound(const char *channel, const char *agency, const char *user,
    const char *kind, const char *type, const char *text,
    const char *payload, int standby)
{
	struct store_stmt *s;
	char mid[32];

	snprintf(mid, sizeof(mid), "m%d", ++seq);
	s = store_prepare(db(), "INSERT INTO inbound (channel, agency, "
	    "account_id, user_id, user_phone, msg_id, kind, type, text, "
	    "payload, standby, meta_ts, received_at, raw) VALUES (?1, ?2, "
	    "'acct', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11, '{}')");
	store_bind_text(s, 1, channel, -1);
	if (agency != NULL)
		store_bind_text(s, 2, agency, -1);
	store_bind_text(s, 3, user, -1);
	if (strcmp(channel, "whatsapp") == 0)
		store_bind_text(s, 4, "32470998877", -1);
	store_bind_text(s, 5, mid, -1);
	store_bind_text(s, 6, kind ? kind : "message", -1);
	store_bind_text(s, 7, type ? type : "text", -1);
	if (text != NULL)
		store_bind_text(s, 8, text, -1);
	if (payload != NULL)
		store_bind_text(s, 9, payload, -1);
	store_bind_int(s, 10, standby);
	store_bind_int64(s, 11, burst_at >= 0 ? burst_at : seq * 10000LL);
	store_step(s);
	store_finalize(s);
}

static void
say(const char *agency, const char *user, const char *text, long long now)
{
	inbound("whatsapp", agency, user, NULL, NULL, text, NULL, 0);
	conv_process_pending(eng, now);
}

/* First column of the first row of sql with one optional text param. */
static long long
q_int(const char *sql, const char *p1)
{
	struct store_stmt *s;
	long long v = -1;

	if ((s = store_prepare(db(), sql)) == NULL)
		return -2;
	if (p1 != NULL)
		store_bind_text(s, 1, p1, -1);
	if (store_step(s) == STORE_ROW)
		v = store_col_int64(s, 0);
	store_finalize(s);
	return v;
}

static const char *
q_text(const char *sql, const char *p1)
{
	static char buf[2048];
	struct store_stmt *s;

	buf[0] = '\0';
	if ((s = store_prepare(db(), sql)) == NULL)
		return "(sql error)";
	if (p1 != NULL)
		store_bind_text(s, 1, p1, -1);
	if (store_step(s) == STORE_ROW && store_col_text(s, 0))
		snprintf(buf, sizeof(buf), "%s", store_col_text(s, 0));
	store_finalize(s);
	return buf;
}

static long long
conv_of(const char *user)
{
	return q_int("SELECT id FROM conversations WHERE user_id = ?1 ORDER "
	    "BY id DESC LIMIT 1", user);
}

static const char *
last_body(const char *user)
{
	return q_text("SELECT body FROM outbox WHERE user_id = ?1 ORDER BY "
	    "id DESC LIMIT 1", user);
}

static void
open_all(void)
{
	char err[512];

	st = store_open(db_name, err, sizeof(err));
	eng = conv_new(cfg, st, model, loc);
}

static void
close_all(void)
{
	conv_free(eng);
	store_close(st);
}

static void
test_first_message(void)
{
	say("vmsw", "u1", "hallo", T0);
	TEST("one reply", q_int("SELECT COUNT(*) FROM outbox WHERE user_id = "
	    "?1", "u1") == 1);
	TEST("choices kind", q_int("SELECT COUNT(*) FROM outbox WHERE "
	    "user_id = ?1 AND kind = 'choices'", "u1") == 1);
	TEST("buttons in body", strstr(last_body("u1"), "\"id\":\"klacht\"")
	    != NULL);
	TEST("to_phone", strcmp(q_text("SELECT to_phone FROM outbox WHERE "
	    "user_id = ?1", "u1"), "32470998877") == 0);
	TEST_STR("state", q_text("SELECT state FROM conversations WHERE "
	    "user_id = ?1", "u1"), "choice");
	TEST("processed", q_int("SELECT COUNT(*) FROM inbound WHERE "
	    "processed = 0", NULL) == 0);
	TEST("linked", q_int("SELECT conversation_id FROM inbound WHERE "
	    "user_id = ?1", "u1") == conv_of("u1"));
	TEST("first reply time", q_int("SELECT first_reply_at FROM "
	    "conversations WHERE user_id = ?1", "u1") == T0);

	inbound("whatsapp", NULL, "u0", NULL, NULL, "hallo", NULL, 0);
	inbound("whatsapp", "vmsw", "u1", "reaction", "reaction", NULL, "👍",
	    0);
	TEST("two handled", conv_process_pending(eng, T0) == 2);
	/* Stored without agency, but today's config has a default: it is
	 * routed now and answered (issue 14 item 6). */
	TEST("unrouted then, routed now: answered", q_int("SELECT COUNT(*) "
	    "FROM outbox WHERE user_id = ?1", "u0") > 0);
	TEST("unrouted then: has its agency now", q_int("SELECT COUNT(*) "
	    "FROM inbound WHERE user_id = ?1 AND agency = 'vmsw'", "u0") == 1);
	TEST("reaction: no reply", q_int("SELECT COUNT(*) FROM outbox WHERE "
	    "user_id = ?1", "u1") == 1);
}

/* The back end rests only when it is behind: conv_behind_ms() says how
 * long the first row a round left has waited, 0 when it left none. */
static void
test_behind(void)
{
	long long second;

	TEST("nothing waiting", conv_process_pending(eng, T0) == 0 &&
	    conv_behind_ms(eng) == 0);
	inbound("whatsapp", "vmsw", "late1", NULL, NULL, "hallo", NULL, 0);
	inbound("whatsapp", "vmsw", "late2", NULL, NULL, "hallo", NULL, 0);
	second = seq * 10000LL;		/* its received_at */
	TEST("one of two handled", conv_process_some(eng, second + 250, 1) ==
	    1);
	TEST("behind by the row left", conv_behind_ms(eng) == 250);
	TEST("the other handled", conv_process_some(eng, second + 300, 8) ==
	    1);
	TEST("caught up", conv_behind_ms(eng) == 0);
}

static void
test_case(void)
{
	const char *steps[] = { "ik wil een klacht indienen", "ja",
	    "Els Peeters", "els@telenet.be", "mijn aanvraag is kwijt", "ja" };
	size_t i;

	for (i = 0; i < 6; i++)
		say("wse", "u2", steps[i], T0 + (long long)i * 1000);
	TEST_STR("reference", q_text("SELECT reference FROM cases WHERE "
	    "agency = ?1", "wse"), "WSE-2026-00001");
	TEST_STR("status", q_text("SELECT status FROM cases WHERE agency = "
	    "?1", "wse"), "nieuw");
	TEST("deadline 45 days", q_int("SELECT deadline_at - received_at "
	    "FROM cases WHERE agency = ?1", "wse") == 45 * 24 * HOUR);
	TEST_STR("case e-mail", q_text("SELECT email FROM cases WHERE agency "
	    "= ?1", "wse"), "els@telenet.be");
	TEST_STR("case channel", q_text("SELECT channel FROM cases WHERE "
	    "agency = ?1", "wse"), "whatsapp");
	TEST("reply names it", strstr(last_body("u2"), "WSE-2026-00001"));
	say("wse", "u2", "bedankt", T0 + 10000);
	TEST_STR("outcome row", q_text("SELECT outcome FROM outcomes WHERE "
	    "agency = ?1", "wse"), "case_created");
	TEST_STR("outcome case", q_text("SELECT case_ref FROM outcomes WHERE "
	    "agency = ?1", "wse"), "WSE-2026-00001");
	TEST("turns", q_int("SELECT turns FROM outcomes WHERE agency = ?1",
	    "wse") == 7);
	TEST("closed", q_int("SELECT open FROM conversations WHERE user_id = "
	    "?1", "u2") == 0);
	TEST_STR("first intent", q_text("SELECT first_intent FROM outcomes "
	    "WHERE agency = ?1", "wse"), "klacht");

	say("wse", "u2", "hallo", T0 + 20000);
	TEST("new conversation", q_int("SELECT COUNT(*) FROM conversations "
	    "WHERE user_id = ?1", "u2") == 2);
	TEST("one open", q_int("SELECT COUNT(*) FROM conversations WHERE "
	    "user_id = ?1 AND open = 1", "u2") == 1);
}

static void
test_timeout(void)
{
	say("vmsw", "u3", "hallo", T0);
	TEST("nothing yet", conv_tick(eng, T0 + 23 * HOUR) == 0);
	TEST("ended after 24h", conv_tick(eng, T0 + 25 * HOUR) >= 1);
	TEST_STR("abandoned", q_text("SELECT outcome FROM outcomes WHERE "
	    "conversation_id = (SELECT id FROM conversations WHERE user_id = "
	    "?1)", "u3"), "abandoned");

	/* A waiting conversation does not time out. */
	say("vmsw", "u4", "ik wil een medewerker spreken", T0);
	conv_tick(eng, T0 + 100 * HOUR);
	TEST("waiting stays open", q_int("SELECT open FROM conversations "
	    "WHERE user_id = ?1", "u4") == 1);
	TEST("waiting since", q_int("SELECT waiting_since FROM conversations "
	    "WHERE user_id = ?1", "u4") == T0);
}

/* Messages queued while the bot was busy are read as one: one answer,
 * every row processed and kept with the conversation. */
static void
test_read_together(void)
{
	long long n0 = q_int("SELECT count(*) FROM outbox", NULL);

	burst_at = 5000;
	inbound("whatsapp", "vmsw", "rt1", NULL, NULL, "dag", NULL, 0);
	inbound("whatsapp", "vmsw", "rt1", NULL, NULL, "vraagje", NULL, 0);
	inbound("whatsapp", "vmsw", "rt1", NULL, NULL, "wanneer zijn jullie "
	    "open op zaterdag?", NULL, 0);
	conv_process_pending(eng, T0);
	TEST("three queued messages, one conversation", q_int("SELECT "
	    "count(*) FROM conversations WHERE user_id = ?1", "rt1") == 1);
	TEST("all three processed", q_int("SELECT count(*) FROM inbound "
	    "WHERE user_id = ?1 AND processed = 1 AND conversation_id = "
	    "(SELECT id FROM conversations WHERE user_id = ?1)", "rt1") == 3);
	TEST("answered with the topic, no menu first", strstr(last_body("rt1"),
	    "open") != NULL && strstr(last_body("rt1"), "klacht") == NULL);
	TEST("one answer (and its welcome), not three",
	    q_int("SELECT count(*) FROM outbox", NULL) - n0 <= 2);

	/* A photo in between keeps its place. */
	inbound("whatsapp", "vmsw", "rt2", NULL, NULL, "hallo", NULL, 0);
	inbound("whatsapp", "vmsw", "rt2", NULL, "image", NULL, NULL, 0);
	inbound("whatsapp", "vmsw", "rt2", NULL, NULL, "zie foto", NULL, 0);
	conv_process_pending(eng, T0);
	TEST("a photo is not merged over", q_int("SELECT mode FROM "
	    "conversations WHERE user_id = ?1", "rt2") != -2);
	TEST("rows after the photo still processed", q_int("SELECT count(*) "
	    "FROM inbound WHERE user_id = ?1 AND processed = 0", "rt2") == 0);
	burst_at = -1;
}

/* A closing word right after the end opens no second conversation;
 * after a time-out, or later, or with something to say, it does. */
static void
test_afterword(void)
{
	const char *convs = "SELECT count(*) FROM conversations WHERE "
	    "user_id = ?1";
	const char *outs = "SELECT count(*) FROM outcomes WHERE "
	    "conversation_id IN (SELECT id FROM conversations WHERE "
	    "user_id = ?1)";
	long long replies;

	say("vmsw", "aw1", "waarom duurt da allemaal zo lang bij jullie", T0);
	say("vmsw", "aw1", "laat maar zitten", T0 + 5000);
	TEST_STR("stopped", q_text("SELECT outcome FROM conversations WHERE "
	    "user_id = ?1", "aw1"), "stopped");
	replies = q_int("SELECT count(*) FROM outbox WHERE user_id = ?1",
	    "aw1");
	say("vmsw", "aw1", "stop aub, ik bel morgen wel", T0 + 6000);
	say("vmsw", "aw1", "\xf0\x9f\x91\x8d", T0 + 9000);
	TEST("stop after stop: one conversation", q_int(convs, "aw1") == 1);
	TEST("stop after stop: one outcome", q_int(outs, "aw1") == 1);
	TEST("stop after stop: no reply", q_int("SELECT count(*) FROM outbox "
	    "WHERE user_id = ?1", "aw1") == replies);
	TEST("afterword processed", q_int("SELECT count(*) FROM inbound "
	    "WHERE user_id = ?1 AND processed = 0", "aw1") == 0);
	say("vmsw", "aw1", "ik heb toch nog een vraag over mijn lening",
	    T0 + 20000);
	TEST("a real message opens a new one", q_int(convs, "aw1") == 2);

	say("vmsw", "aw2", "hallo", T0);
	conv_tick(eng, T0 + 25 * HOUR);
	say("vmsw", "aw2", "ja", T0 + 25 * HOUR + 1000);
	TEST("after a time-out 'ja' is answered", q_int(convs, "aw2") == 2);

	say("vmsw", "aw3", "laat maar, stop", T0);
	say("vmsw", "aw3", "ok", T0 + 10 * 60000);
	TEST("ten minutes later is a new start", q_int(convs, "aw3") == 2);
}

static void
test_staff(void)
{
	long long id;

	say("vmsw", "u5", "hallo", T0);
	id = conv_of("u5");
	TEST("takeover", conv_takeover(eng, id, "An", T0 + 1) == 0);
	say("vmsw", "u5", "is daar iemand?", T0 + 2);
	TEST("bot silent", q_int("SELECT COUNT(*) FROM outbox WHERE user_id "
	    "= ?1", "u5") == 1);
	TEST("staff reply", conv_staff_reply(eng, id, "An", "Dag, ik ben "
	    "An.", T0 + 3) == 0);
	TEST_STR("author", q_text("SELECT author FROM outbox WHERE user_id = "
	    "?1 ORDER BY id DESC LIMIT 1", "u5"), "An");
	TEST_STR("staff text", last_body("u5"), "{\"text\":\"Dag, ik ben An.\"}");
	TEST_STR("account kept", q_text("SELECT account_id FROM outbox WHERE "
	    "user_id = ?1 ORDER BY id DESC LIMIT 1", "u5"), "acct");
	TEST("handback", conv_handback(eng, id, T0 + 4) == 0);
	TEST_STR("mode bot", q_text("SELECT mode FROM conversations WHERE "
	    "user_id = ?1", "u5"), "bot");
	TEST("bad outcome", conv_close(eng, id, "bogus", T0 + 5) == -2);
	TEST("close", conv_close(eng, id, "answered", T0 + 5) == 0);
	TEST("staff involved", q_int("SELECT staff_involved FROM outcomes "
	    "WHERE conversation_id = (SELECT id FROM conversations WHERE "
	    "user_id = ?1)", "u5") == 1);
	TEST("closed twice", conv_close(eng, id, "answered", T0 + 6) == -2);
	TEST("unknown id", conv_takeover(eng, 999999, "An", T0) == -2);
}

static void
test_messenger(void)
{
	struct agency *a = (struct agency *)config_agency(cfg, "vmsw");

	inbound("messenger", "vmsw", "p1", NULL, NULL, "hallo", NULL, 1);
	conv_process_pending(eng, T0);
	TEST("standby: silent", q_int("SELECT COUNT(*) FROM outbox WHERE "
	    "user_id = ?1", "p1") == 0);
	TEST_STR("page inbox", q_text("SELECT mode FROM conversations WHERE "
	    "user_id = ?1", "p1"), "page_inbox");
	inbound("messenger", "vmsw", "p1", "handover", "pass_thread_control",
	    NULL, "1234", 0);
	inbound("messenger", "vmsw", "p1", NULL, NULL, "hallo", NULL, 0);
	conv_process_pending(eng, T0 + 1);
	TEST("control back: bot answers", q_int("SELECT COUNT(*) FROM outbox "
	    "WHERE user_id = ?1", "p1") == 1);
	inbound("messenger", "vmsw", "p1", "echo", "text", "Dag!",
	    PAGE_INBOX_APP_ID, 0);
	conv_process_pending(eng, T0 + 2);
	TEST_STR("echo from Page Inbox", q_text("SELECT mode FROM "
	    "conversations WHERE user_id = ?1", "p1"), "page_inbox");

	inbound("messenger", "vmsw", "p1", "handover", "pass_thread_control",
	    NULL, NULL, 0);
	inbound("messenger", "vmsw", "p1", "handover", "take_thread_control",
	    NULL, NULL, 0);
	conv_process_pending(eng, T0 + 2);
	TEST_STR("taken without owner", q_text("SELECT mode FROM "
	    "conversations WHERE user_id = ?1", "p1"), "page_inbox");

	a->page_inbox_handover = 1;
	inbound("messenger", "vmsw", "p2", NULL, NULL, "ik wil met een "
	    "medewerker spreken", NULL, 0);
	conv_process_pending(eng, T0 + 3);
	TEST("handover row", q_int("SELECT COUNT(*) FROM outbox WHERE "
	    "user_id = ?1 AND kind = 'handover'", "p2") == 1);
	TEST("to Page Inbox", strstr(last_body("p2"), PAGE_INBOX_APP_ID));
	a->page_inbox_handover = 0;
}

static void
test_restart_and_order(void)
{
	inbound("whatsapp", "wse", "u6", NULL, NULL, "klacht", NULL, 0);
	inbound("whatsapp", "wse", "u6", NULL, NULL, "ja", NULL, 0);
	TEST("both in one call", conv_process_pending(eng, T0) == 2);
	TEST("in order", strstr(last_body("u6"), "naam") != NULL);
	close_all();
	open_all();
	say("wse", "u6", "Jan Peeters", T0 + 1);
	TEST("continues after restart", strstr(last_body("u6"),
	    "Jan Peeters") != NULL);
}

static void
exec(const char *sql)
{
	store_exec(db(), sql);
}

/* A row that keeps failing is skipped after three tries. */
static void
test_poison_row(void)
{
	if (test_pg() != NULL)
		exec("CREATE FUNCTION no_outbox() RETURNS trigger AS $$ BEGIN "
		    "RAISE EXCEPTION 'test'; END $$ LANGUAGE plpgsql; "
		    "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox FOR EACH "
		    "ROW EXECUTE FUNCTION no_outbox()");
	else
		exec("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN "
		    "SELECT RAISE(ABORT, 'test'); END");
	inbound("whatsapp", "vmsw", "u7", NULL, NULL, "hallo", NULL, 0);
	TEST("fails once", conv_process_pending(eng, T0) == -1);
	TEST("rolled back", q_int("SELECT COUNT(*) FROM conversations WHERE "
	    "user_id = ?1", "u7") == 0);
	TEST("fails twice", conv_process_pending(eng, T0) == -1);
	TEST("third time skipped", conv_process_pending(eng, T0) == 0);
	TEST("marked processed", q_int("SELECT processed FROM inbound WHERE "
	    "user_id = ?1", "u7") == 1);
	exec(test_pg() != NULL ? "DROP TRIGGER no_outbox ON outbox" :
	    "DROP TRIGGER no_outbox");
}

static void
test_texts(void)
{
	const struct agency *a = config_agency(cfg, "vmsw");
	char out[512];

	conv_office_hours(a, "nl", out, sizeof(out));
	TEST_STR("hours nl", out, "maandag tot donderdag: 9 tot 12 uur en "
	    "13 tot 16 uur\nvrijdag: 9 tot 12 uur");
	conv_office_hours(a, "fr", out, sizeof(out));
	TEST_STR("hours fr", out, "du lundi au jeudi : de 9 h à 12 h et "
	    "de 13 h à 16 h\nle vendredi : de 9 h à 12 h");
	conv_office_hours(a, "en", out, sizeof(out));
	TEST_STR("hours en", out, "Monday to Thursday: 9:00 to 12:00 and "
	    "13:00 to 16:00\nFriday: 9:00 to 12:00");
	a = config_agency(cfg, "wse");
	conv_office_hours(a, "nl", out, sizeof(out));
	TEST_STR("hours nl, half hours", out, "maandag tot donderdag: "
	    "8.30 tot 12.30 uur en 13.30 tot 16.30 uur\n"
	    "vrijdag: 8.30 tot 12.30 uur");
	conv_office_hours(a, "fr", out, sizeof(out));
	TEST_STR("hours fr, half hours", out, "du lundi au jeudi : de 8 h 30 "
	    "à 12 h 30 et de 13 h 30 à 16 h 30\nle vendredi : "
	    "de 8 h 30 à 12 h 30");
	conv_format_time(T0, "nl", out, sizeof(out));
	TEST_STR("time nl", out, "dinsdag 1 december om 10 uur");
	conv_format_time(T0 + 30 * 60000LL, "fr", out, sizeof(out));
	TEST_STR("time fr", out, "mardi 1 décembre à 10 h 30");
	conv_format_time(T0 + 200 * 24 * HOUR, "en", out, sizeof(out));
	TEST_STR("time en, summer time", out, "Saturday 19 June at 11:00");
}

/* The text of one rendered reply (the "text" of its JSON body). */
static char *
render(const char *agency, struct conv *c, const char *key)
{
	struct conv_render r = { loc, config_agency(cfg, agency), c, 1, 0 };
	struct dialog_reply reply;
	const char *kind = NULL;
	char *body, *p, *e, *text;

	memset(&reply, 0, sizeof(reply));
	reply.key = key;
	if ((body = conv_render_reply(&r, &reply, &kind)) == NULL)
		return NULL;
	/* {"text":"..."}: the tests only need the raw JSON string. */
	p = strstr(body, "\"text\":\"");
	e = p != NULL ? strstr(p + 8, "\"}") : NULL;
	text = p != NULL && e != NULL ? strndup(p + 8, (size_t)(e - p - 8)) :
	    NULL;
	free(body);
	return text;
}

static int
has(const char *s, const char *part)
{
	int ok = s != NULL && strstr(s, part) != NULL;

	if (!ok)
		printf("     in:   %s\n     want: %s\n", s ? s : "(null)", part);
	return ok;
}

/* What conv_text.c adds around the texts: names in sentences, the
 * chatbot and language notes, the privacy note, the shortened summary,
 * the citizen's number. */
static void
test_render(void)
{
	struct conv c;
	char *t;

	memset(&c, 0, sizeof(c));
	dialog_init(&c.st, "fr");
	t = render("wse", &c, "klacht.doorverwijzing");
	TEST("fr: du Département", has(t, "de plainte du Département de "
	    "l'Emploi"));
	TEST("first reply: chatbot intro", has(t, "assistant numérique du "
	    "Département") && strstr(t, "chatbot") < strstr(t, "Pour "));
	free(t);
	t = render("vlaio", &c, "klacht.doorverwijzing");
	TEST("fr: de l'Agence", has(t, "de plainte de l'Agence flamande"));
	free(t);
	t = render("vmsw", &c, "welkom");
	TEST("greeting introduces itself only once",
	    has(t, "chez la Société flamande") &&
	    strstr(t, "assistant numérique de") == NULL);
	free(t);
	c.first_reply_at = 1;
	c.last_out_at = 1;
	c.last_in_at = 2;
	t = render("vmsw", &c, "keuze.nog_iets");
	TEST("no intro after the first reply", has(t, "Puis-je") &&
	    strstr(t, "chatbot") == NULL);
	free(t);

	dialog_init(&c.st, "nl");
	snprintf(c.msg_lang, sizeof(c.msg_lang), "fr");
	t = render("vlaio", &c, "klacht.verduidelijk");
	TEST("French to an agency without French: told in French",
	    has(t, "Sur ce canal, l'Agence flamande pour l'Innovation et "
	    "l'Entrepreneuriat répond uniquement en néerlandais.\\nWilt u"));
	free(t);
	c.last_out_at = 2;
	t = render("vlaio", &c, "klacht.verduidelijk");
	TEST("language note once per message", strstr(t, "canal") == NULL);
	free(t);
	c.last_out_at = 1;
	t = render("vmsw", &c, "klacht.verduidelijk");
	TEST("no language note where French is offered",
	    strstr(t, "canal") == NULL);
	free(t);
	c.msg_lang[0] = '\0';

	c.st.asks[DS_ASK_NAME] = 1;
	t = render("wse", &c, "klacht.naam");
	TEST("name question: privacy note", has(t, "privacyverklaring:\\n"
	    "https://www.vlaanderen.be/werk/privacy\\nWat is uw naam"));
	free(t);
	c.st.asks[DS_ASK_CONTACT] = 1;
	t = render("wse", &c, "klacht.contact");
	TEST("contact after name: no second privacy note",
	    has(t, "Dank u, ") && strstr(t, "privacy") == NULL);
	free(t);
	c.st.asks[DS_ASK_NAME] = 0;
	t = render("wse", &c, "klacht.contact");
	TEST("contact asked first: privacy note", has(t, "privacyverklaring"));
	free(t);

	snprintf(c.st.name, sizeof(c.st.name), "Els Peeters");
	snprintf(c.st.phone, sizeof(c.st.phone), "+32470123456");
	memset(c.st.description, 'x', 400);
	c.st.description[400] = '\0';
	t = render("wse", &c, "klacht.bevestig");
	TEST("number grouped", has(t, "Contact: +32 470 12 34 56"));
	TEST("shortened summary says so", has(t, "Klacht (ingekort in dit "
	    "overzicht): xxx") && has(t, "x\xe2\x80\xa6"));
	free(t);
	c.st.description[10] = '\0';
	t = render("wse", &c, "klacht.bevestig");
	TEST("short summary not marked", has(t, "Klacht: xxxxxxxxxx") &&
	    strstr(t, "ingekort") == NULL);
	free(t);
}

int
main(void)
{
	char err[512];
	int fd = mkstemp(db_path);

	log_set_level(LOG_LVL_ERROR);
	if (fd == -1)
		return 1;
	close(fd);
	if (test_db(db_path, db_name, sizeof(db_name)) == NULL)
		return 1;
	cfg = config_load("deploy/loket.conf", err, sizeof(err));
	model = intent_load("intents/nl", err, sizeof(err));
	loc = locales_load("locales", err, sizeof(err));
	if (cfg == NULL || model == NULL || loc == NULL) {
		printf("setup: %s\n0 passed, 1 failed\n", err);
		return 1;
	}
	open_all();
	test_first_message();
	test_case();
	test_timeout();
	test_afterword();
	test_read_together();
	test_staff();
	test_messenger();
	test_restart_and_order();
	test_poison_row();
	test_texts();
	test_render();
	test_behind();		/* last: its clock is not T0's */
	close_all();
	locales_free(loc);
	intent_free(model);
	config_free(cfg);
	unlink(db_path);
	snprintf(err, sizeof(err), "%s-wal", db_path);
	unlink(err);
	snprintf(err, sizeof(err), "%s-shm", db_path);
	unlink(err);
	return TEST_REPORT();
}
