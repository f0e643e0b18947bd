/*
 * test_graph.c — request builders (incl. UTF-8-safe truncation), error
 * classification, appsecret_proof, and the worker thread: in "log:" mode
 * and, when python3 is available, over real HTTP against
 * tests/mock_graph.py (run from the source root, or set LOKET_SRCDIR).
 */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "log.h"
#include "testhelp.h"

/* The value at a dotted path ("a.b.0.c") of JSON text, as a string. */
static char *
jpath(const char *text, const char *path)
{
	json_t *root = json_loads(text ? text : "", 0, NULL), *v = root;
	char buf[256], *tok, *save = NULL, *out = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v;
	    tok = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, strtoul(tok, NULL, 10))
		    : json_object_get(v, tok);
	if (json_is_string(v))
		out = strdup(json_string_value(v));
	else if (v != NULL)
		out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(root);
	return out;
}

#define TEST_JSON(descr, text, path, want) do {				\
	char *got_ = jpath(text, path);					\
	TEST_STR(descr, got_, want);					\
	free(got_);							\
} while (0)

static void
test_trunc(void)
{
	char *s;

#define T(in, max, want) do { s = graph_utf8_trunc(in, max);		\
	TEST_STR("trunc " in, s, want); free(s); } while (0)
	T("Klacht", 20, "Klacht");
	T("12345678901234567890", 20, "12345678901234567890");
	T("123456789012345678901", 20, "1234567890123456789\xe2\x80\xa6");
	/* "é" is two bytes but one character. */
	T("\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9\xc3\xa9\xc3\xa9");
	T("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3,
	    "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	/* An emoji outside the BMP counts as two (UTF-16 units). */
	T("ab\xf0\x9f\x98\x80", 4, "ab\xf0\x9f\x98\x80");
	T("ab\xf0\x9f\x98\x80" "c", 4, "ab\xe2\x80\xa6");
	T("abc\xf0\x9f\x98\x80" "d", 4, "abc\xe2\x80\xa6");
	/* Invalid bytes count one each and are never split further. */
	T("\xff\xfe" "abc", 3, "\xff\xfe\xe2\x80\xa6");
	T("", 5, "");
	T("abc", 0, "");
#undef T
}

static void
test_proof(void)
{
	char out[65];

	graph_appsecret_proof("key",
	    "The quick brown fox jumps over the lazy dog", out);
	TEST_STR("hmac vector", out, "f7bc83f430538424b13298e6aa6fb143"
	    "ef4d59a14946175997479dbc2d1a3cd8");
	graph_appsecret_proof("appsecret", "EAAGtoken123", out);
	TEST_STR("proof", out, "ef85552b52e72714b992174e2dd11fc6"
	    "d7f119c634917405a36ce1291eb225de");
}

static struct graph_send
wa(const char *kind, const char *body)
{
	struct graph_send s = { 7, "whatsapp", "https://graph.example/v24.0",
	    "1055", "TOKEN", NULL, "32471234567", kind, body, 0 };
	return s;
}

static struct graph_send
ms(const char *kind, const char *body)
{
	struct graph_send s = { 8, "messenger", "https://graph.example/v24.0",
	    "page1", "PAGETOKEN", NULL, "psid42", kind, body, 0 };
	return s;
}

/* Builds s and returns the job (NULL on error/skip, rc in *rc). */
static struct graph_job *
build(struct graph_send s, enum graph_build_rc *rc, char *err)
{
	struct graph_job *j = NULL;

	*rc = graph_build(&s, &j, err, 128);
	return j;
}

static void
test_wa_text(void)
{
	enum graph_build_rc rc;
	char err[128];
	struct graph_job *j = build(wa("text", "{\"text\":\"Dag!\"}"), &rc,
	    err);

	TEST("wa text ok", rc == GRAPH_BUILD_OK && j != NULL);
	if (j == NULL)
		return;
	TEST_STR("wa url", j->url,
	    "https://graph.example/v24.0/1055/messages");
	TEST_STR("wa auth", j->auth, "Authorization: Bearer TOKEN");
	TEST_JSON("wa to has +", j->body, "to", "+32471234567");
	TEST_JSON("wa product", j->body, "messaging_product", "whatsapp");
	TEST_JSON("wa type", j->body, "type", "text");
	TEST_JSON("wa body", j->body, "text.body", "Dag!");
	TEST_JSON("wa tagged with the row", j->body,
	    "biz_opaque_callback_data", "loket:outbox:7");
	TEST("wa id", j->id == 7);
	TEST("tag parsed", graph_tag_id("loket:outbox:7") == 7);
	TEST("not a tag", graph_tag_id("case 12") == 0 &&
	    graph_tag_id("loket:outbox:") == 0 &&
	    graph_tag_id("loket:outbox:7x") == 0 && graph_tag_id(NULL) == 0);
	graph_job_free(j);
}

static void
test_wa_buttons(void)
{
	enum graph_build_rc rc;
	char err[128];
	struct graph_job *j = build(wa("choices", "{\"text\":\"Waarover?\","
	    "\"choices\":[{\"id\":\"vraag\",\"title\":\"Een vraag\"},"
	    "{\"id\":\"klacht\",\"title\":\"Een klacht indienen over iets\"},"
	    "{\"id\":\"sug\",\"title\":\"Suggesti\xc3\xa9 \xc3\xa9\xc3\xa9n "
	    "twee drie\"}]}"), &rc, err);

	TEST("buttons ok", rc == GRAPH_BUILD_OK && j != NULL);
	if (j == NULL)
		return;
	TEST_JSON("buttons type", j->body, "interactive.type", "button");
	TEST_JSON("buttons body", j->body, "interactive.body.text",
	    "Waarover?");
	TEST_JSON("button id", j->body,
	    "interactive.action.buttons.1.reply.id", "klacht");
	TEST_JSON("button 20 chars", j->body,
	    "interactive.action.buttons.1.reply.title",
	    "Een klacht indienen\xe2\x80\xa6");
	TEST_JSON("button utf-8 cut", j->body,
	    "interactive.action.buttons.2.reply.title",
	    "Suggesti\xc3\xa9 \xc3\xa9\xc3\xa9n twee \xe2\x80\xa6");
	TEST_JSON("button reply type", j->body,
	    "interactive.action.buttons.0.type", "reply");
	graph_job_free(j);
}

static void
test_wa_list(void)
{
	enum graph_build_rc rc;
	char err[128], body[2048];
	struct graph_job *j;
	size_t n = 0;
	int i;

	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    "{\"text\":\"Kies een onderwerp\",\"button\":\"Onderwerpen\","
	    "\"choices\":[");
	for (i = 0; i < 12; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s{\"id\":\"t%d\",\"title\":\"Onderwerp nummer %d met "
		    "een lange naam\"}", i ? "," : "", i, i);
	snprintf(body + n, sizeof(body) - n, "]}");
	j = build(wa("choices", body), &rc, err);
	TEST("list ok", rc == GRAPH_BUILD_OK && j != NULL);
	if (j == NULL)
		return;
	TEST_JSON("list type", j->body, "interactive.type", "list");
	TEST_JSON("list button", j->body, "interactive.action.button",
	    "Onderwerpen");
	TEST_JSON("row 9 id", j->body,
	    "interactive.action.sections.0.rows.9.id", "t9");
	TEST_JSON("no row 10", j->body,
	    "interactive.action.sections.0.rows.10", NULL);
	TEST_JSON("row title 24", j->body,
	    "interactive.action.sections.0.rows.0.title",
	    "Onderwerp nummer 0 met \xe2\x80\xa6");
	graph_job_free(j);
}

static void
test_wa_other(void)
{
	enum graph_build_rc rc;
	char err[128];
	struct graph_job *j;
	struct graph_send s;

	j = build(wa("template", "{\"name\":\"klacht_ref\",\"lang\":\"nl_BE\","
	    "\"params\":[\"VMSW-2026-00042\"]}"), &rc, err);
	TEST("template ok", rc == GRAPH_BUILD_OK && j != NULL);
	TEST_JSON("template name", j ? j->body : NULL, "template.name",
	    "klacht_ref");
	TEST_JSON("template lang", j ? j->body : NULL,
	    "template.language.code", "nl_BE");
	TEST_JSON("template param", j ? j->body : NULL,
	    "template.components.0.parameters.0.text", "VMSW-2026-00042");
	graph_job_free(j);

	j = build(wa("read", "{\"message_id\":\"wamid.IN1\"}"), &rc, err);
	TEST_JSON("read status", j ? j->body : NULL, "status", "read");
	TEST_JSON("read id", j ? j->body : NULL, "message_id", "wamid.IN1");
	TEST_JSON("read has no to", j ? j->body : NULL, "to", NULL);
	graph_job_free(j);
	j = build(wa("typing", "{\"message_id\":\"wamid.IN1\"}"), &rc, err);
	TEST_JSON("typing indicator", j ? j->body : NULL,
	    "typing_indicator.type", "text");
	graph_job_free(j);
	j = build(wa("typing", "{}"), &rc, err);
	TEST("typing without id skipped", rc == GRAPH_BUILD_SKIP && !j);
	j = build(wa("handover", "{}"), &rc, err);
	TEST("wa handover skipped", rc == GRAPH_BUILD_SKIP && !j);

	s = wa("text", "{\"text\":\"x\"}");
	s.to = "US.13491208655302741918";
	j = build(s, &rc, err);
	TEST("bsuid without phone refused", rc == GRAPH_BUILD_ERR && !j);
	TEST_STR("no phone reason", err, "recipient has no phone number");
	s.to = "+32471234567";
	j = build(s, &rc, err);
	TEST_JSON("leading + not doubled", j ? j->body : NULL, "to",
	    "+32471234567");
	graph_job_free(j);
	j = build(wa("text", "not json"), &rc, err);
	TEST("bad body refused", rc == GRAPH_BUILD_ERR && !j);
	j = build(wa("text", "{}"), &rc, err);
	TEST("empty text refused", rc == GRAPH_BUILD_ERR && !j);
	j = build(wa("sticker", "{\"text\":\"x\"}"), &rc, err);
	TEST("unknown kind refused", rc == GRAPH_BUILD_ERR && !j);
}

static void
test_fallback_template(void)
{
	struct graph_send s = wa("text", "{\"text\":\"x\"}");
	struct graph_job *j = NULL;
	char err[128];

	TEST("fallback ok", graph_build_template(&s, "loket_update", NULL,
	    "Uw klacht\n\tis   geregistreerd ", &j, err, sizeof(err)) ==
	    GRAPH_BUILD_OK);
	TEST_JSON("fallback default lang", j ? j->body : NULL,
	    "template.language.code", "nl");
	TEST_JSON("param cleaned", j ? j->body : NULL,
	    "template.components.0.parameters.0.text",
	    "Uw klacht is geregistreerd");
	graph_job_free(j);
	j = NULL;
	TEST("empty param refused", graph_build_template(&s, "t", "nl", " \n",
	    &j, err, sizeof(err)) == GRAPH_BUILD_ERR && j == NULL);
	{
		char *t = graph_body_text("{\"text\":\"Hallo\"}");
		TEST_STR("body text", t, "Hallo");
		free(t);
	}
}

static void
test_messenger(void)
{
	enum graph_build_rc rc;
	char err[128], body[2048];
	struct graph_job *j;
	struct graph_send s;
	size_t n = 0;
	int i;

	j = build(ms("text", "{\"text\":\"Dag!\"}"), &rc, err);
	TEST_STR("ms url", j ? j->url : NULL,
	    "https://graph.example/v24.0/me/messages");
	TEST_STR("ms auth", j ? j->auth : NULL,
	    "Authorization: Bearer PAGETOKEN");
	TEST_JSON("ms recipient", j ? j->body : NULL, "recipient.id",
	    "psid42");
	TEST_JSON("ms response", j ? j->body : NULL, "messaging_type",
	    "RESPONSE");
	TEST_JSON("ms no tag", j ? j->body : NULL, "tag", NULL);
	TEST_JSON("ms text", j ? j->body : NULL, "message.text", "Dag!");
	graph_job_free(j);

	s = ms("text", "{\"text\":\"Een medewerker antwoordt\"}");
	s.human_agent = 1;
	j = build(s, &rc, err);
	TEST_JSON("human agent type", j ? j->body : NULL, "messaging_type",
	    "MESSAGE_TAG");
	TEST_JSON("human agent tag", j ? j->body : NULL, "tag",
	    "HUMAN_AGENT");
	graph_job_free(j);

	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    "{\"text\":\"Kies\",\"choices\":[");
	for (i = 0; i < 15; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s{\"id\":\"c%d\",\"title\":\"Keuze %d met een lange "
		    "titel\"}", i ? "," : "", i, i);
	snprintf(body + n, sizeof(body) - n, "]}");
	j = build(ms("choices", body), &rc, err);
	TEST_JSON("quick reply 12", j ? j->body : NULL,
	    "message.quick_replies.12.payload", "c12");
	TEST_JSON("no quick reply 13", j ? j->body : NULL,
	    "message.quick_replies.13", NULL);
	TEST_JSON("quick reply title", j ? j->body : NULL,
	    "message.quick_replies.0.title", "Keuze 0 met een lan\xe2\x80\xa6");
	TEST_JSON("quick reply type", j ? j->body : NULL,
	    "message.quick_replies.0.content_type", "text");
	TEST_JSON("messenger tagged with the row", j ? j->body : NULL,
	    "message.metadata", "loket:outbox:8");
	graph_job_free(j);

	j = build(ms("read", "{\"message_id\":\"m1\"}"), &rc, err);
	TEST_JSON("mark_seen", j ? j->body : NULL, "sender_action",
	    "mark_seen");
	graph_job_free(j);
	j = build(ms("typing", "{}"), &rc, err);
	TEST_JSON("typing_on", j ? j->body : NULL, "sender_action",
	    "typing_on");
	graph_job_free(j);
	j = build(ms("handover", "{\"target_app_id\":\"263902037430900\","
	    "\"metadata\":\"case 12\"}"), &rc, err);
	TEST_STR("handover url", j ? j->url : NULL,
	    "https://graph.example/v24.0/me/pass_thread_control");
	TEST_JSON("handover target", j ? j->body : NULL, "target_app_id",
	    "263902037430900");
	TEST_JSON("handover metadata", j ? j->body : NULL, "metadata",
	    "case 12");
	graph_job_free(j);
	j = build(ms("template", "{\"name\":\"x\"}"), &rc, err);
	TEST("ms template refused", rc == GRAPH_BUILD_ERR && !j);
}

static void
test_config_cases(void)
{
	enum graph_build_rc rc;
	char err[128];
	struct graph_job *j;
	struct graph_send s = wa("text", "{\"text\":\"x\"}");

	s.app_secret = "appsecret";
	s.token = "EAAGtoken123";
	j = build(s, &rc, err);
	TEST_STR("proof in url", j ? j->url : NULL,
	    "https://graph.example/v24.0/1055/messages?appsecret_proof="
	    "ef85552b52e72714b992174e2dd11fc6d7f119c634917405a36ce1291eb225de");
	graph_job_free(j);
	s.token = NULL;
	j = build(s, &rc, err);
	TEST("no token refused", rc == GRAPH_BUILD_ERR && !j);
	s.base_url = "log:";
	j = build(s, &rc, err);
	TEST("log: needs no token", rc == GRAPH_BUILD_OK && j != NULL);
	graph_job_free(j);
}

static void
check_class(long st, int cc, const char *body, enum graph_verdict want,
    int code)
{
	struct graph_outcome o;
	char d[200];

	graph_classify(st, cc, NULL, body, &o);
	snprintf(d, sizeof(d), "classify %ld/%d/%.40s -> %d code %d (got %d "
	    "code %d)", st, cc, body ? body : "", want, code, o.verdict,
	    o.code);
	TEST(d, o.verdict == want && o.code == code);
}

static void
test_classify(void)
{
	static const int retry[] = { 130429, 131056, 4, 80007, 131000, 131016,
	    131057, 133004, 1, 2, 613 };
	static const int perm[] = { 131047, 131026, 190, 0, 100, 131008,
	    131009, 10, 200, 250, 299, 132000, 132001, 132015, 132016, 130403,
	    131048, 131049, 131050, 368, 131031, 551 };
	struct graph_outcome o;
	char body[200];
	size_t i;

	for (i = 0; i < sizeof(retry) / sizeof(int); i++) {
		snprintf(body, sizeof(body), "{\"error\":{\"message\":\"m\","
		    "\"code\":%d}}", retry[i]);
		check_class(400, 0, body, GRAPH_RETRY, retry[i]);
	}
	for (i = 0; i < sizeof(perm) / sizeof(int); i++) {
		snprintf(body, sizeof(body), "{\"error\":{\"message\":\"m\","
		    "\"code\":%d}}", perm[i]);
		check_class(400, 0, body, GRAPH_PERMANENT, perm[i]);
		/* A permanent code wins over a 5xx status. */
		check_class(500, 0, body, GRAPH_PERMANENT, perm[i]);
	}
	check_class(500, 0, "Internal Server Error", GRAPH_RETRY, -1);
	check_class(503, 0, NULL, GRAPH_RETRY, -1);
	check_class(500, 0, "{\"error\":{\"code\":999999}}", GRAPH_RETRY,
	    999999);
	check_class(400, 0, "{\"error\":{\"code\":999999}}", GRAPH_PERMANENT,
	    999999);
	check_class(404, 0, "nope", GRAPH_PERMANENT, -1);
	check_class(429, 0, "", GRAPH_RETRY, -1);
	check_class(0, 28, NULL, GRAPH_RETRY, -1);	/* timeout */
	check_class(0, 7, NULL, GRAPH_RETRY, -1);	/* cannot connect */
	check_class(0, 52, NULL, GRAPH_RETRY, -1);	/* empty reply */
	check_class(0, 3, NULL, GRAPH_PERMANENT, -1);	/* bad URL */
	/* HTTP 200 with an error body is an error. */
	check_class(200, 0, "{\"error\":{\"code\":131047}}", GRAPH_PERMANENT,
	    131047);

	graph_classify(200, 0, NULL, "{\"messaging_product\":\"whatsapp\","
	    "\"contacts\":[{\"input\":\"+3247\",\"wa_id\":\"3247\"}],"
	    "\"messages\":[{\"id\":\"wamid.ABC\"}]}", &o);
	TEST("wa accepted", o.verdict == GRAPH_ACCEPTED);
	TEST_STR("wa msg id", o.msg_id, "wamid.ABC");
	graph_classify(200, 0, NULL, "{\"recipient_id\":\"1\","
	    "\"message_id\":\"m_XYZ\"}", &o);
	TEST_STR("ms msg id", o.msg_id, "m_XYZ");
	graph_classify(200, 0, NULL, "{\"success\":true}", &o);
	TEST("read accepted without id", o.verdict == GRAPH_ACCEPTED &&
	    o.msg_id[0] == '\0');
	graph_classify(400, 0, NULL, "{\"error\":{\"message\":\"(#131047) "
	    "Re-engagement message\",\"code\":131047,\"error_data\":{"
	    "\"details\":\"More than 24 hours have passed\"}}}", &o);
	TEST_STR("error text with details", o.text, "(#131047) Re-engagement "
	    "message: More than 24 hours have passed");
}

/* ---- worker ---- */

static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcv = PTHREAD_COND_INITIALIZER;
static int wakes;

static void
on_wake(void *arg)
{
	pthread_mutex_lock(&wmu);
	wakes++;
	pthread_cond_broadcast(&wcv);
	pthread_mutex_unlock(&wmu);
}

/* Collects n results (appended to *acc) within ms; returns how many. */
static int
collect(struct graph *g, struct graph_result **acc, int n, int ms)
{
	struct graph_result *r, **tail = acc;
	struct timespec dl;
	int got = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	while (*tail != NULL)
		tail = &(*tail)->next;
	for (;;) {
		for (r = graph_drain(g); r != NULL; r = r->next, got++) {
			*tail = r;
			tail = &r->next;
		}
		if (got >= n)
			return got;
		pthread_mutex_lock(&wmu);
		if (pthread_cond_timedwait(&wcv, &wmu, &dl) != 0) {
			pthread_mutex_unlock(&wmu);
			for (r = graph_drain(g); r != NULL; r = r->next)
				got++, *tail = r, tail = &r->next;
			return got;
		}
		pthread_mutex_unlock(&wmu);
	}
}

static struct graph_job *
job(const char *base, long long id, const char *text)
{
	struct graph_send s = wa("text", NULL);
	struct graph_job *j = NULL;
	char body[128], err[128];

	s.base_url = base;
	s.id = id;
	snprintf(body, sizeof(body), "{\"text\":\"%s\"}", text);
	s.body = body;
	graph_build(&s, &j, err, sizeof(err));
	return j;
}

static void
test_log_mode(void)
{
	struct graph_opts o = { "log:", 0, 0, 0, on_wake, NULL, NULL, NULL };
	struct graph *g = graph_new(&o);
	struct graph_result *res = NULL;
	struct graph_outcome out;

	TEST("log graph", g != NULL && graph_is_log(g));
	if (g == NULL)
		return;
	graph_submit(g, job("log:", 11, "een"));
	graph_submit(g, job("log:", 12, "twee"));
	TEST("log results", collect(g, &res, 2, 3000) == 2);
	TEST("log ids", res && res->id == 11 && res->next &&
	    res->next->id == 12);
	if (res != NULL) {
		graph_classify(res->http_status, res->curl_code,
		    res->curl_error, res->body, &out);
		TEST("log accepted", out.verdict == GRAPH_ACCEPTED &&
		    strncmp(out.msg_id, "log.11.", 7) == 0);
	}
	graph_result_free(res);
	graph_free(g);
}

static pid_t mock_pid;

/* Starts the mock; returns its port or 0 when python3 is missing. */
static int
start_mock(const char *record)
{
	const char *src = getenv("LOKET_SRCDIR") ? getenv("LOKET_SRCDIR") :
	    ".";
	char script[512], pf[64];
	FILE *f;
	int port = 0, i;

	snprintf(script, sizeof(script), "%s/tests/mock_graph.py", src);
	snprintf(pf, sizeof(pf), "/tmp/loket-mock-%d.port", (int)getpid());
	unlink(pf);
	if (access(script, R_OK) != 0)
		return 0;
	fflush(stdout);
	if ((mock_pid = fork()) == 0) {
		freopen("/dev/null", "w", stdout);
		execlp("python3", "python3", script, "--port", "0",
		    "--port-file", pf, "--record", record, "--idle", "60",
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && port == 0; i++) {
		usleep(50000);
		if ((f = fopen(pf, "r")) != NULL) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
	}
	unlink(pf);
	return port;
}

static void
stop_mock(void)
{
	if (mock_pid > 0) {
		kill(mock_pid, SIGTERM);
		waitpid(mock_pid, NULL, 0);
	}
}

/* Tells the mock what to do next, through the graph itself. */
static void
fault(struct graph *g, const char *base, const char *json)
{
	struct graph_job *j = calloc(1, sizeof(*j));
	struct graph_result *r = NULL;
	size_t n = strlen(base) + 32;

	j->id = -1;
	j->method = strdup("POST");
	j->url = malloc(n);
	/* The control endpoint sits at the root, not under /v24.0. */
	snprintf(j->url, n, "%.*s/_mock/fault",
	    (int)(strstr(base, "/v24.0") ? strstr(base, "/v24.0") - base :
	    (long)strlen(base)), base);
	j->auth = strdup("X-Test: 1");
	j->body = strdup(json);
	graph_submit(g, j);
	collect(g, &r, 1, 3000);
	graph_result_free(r);
}

static enum graph_verdict
send_one(struct graph *g, const char *base, long long id,
    struct graph_outcome *o, struct graph_result **keep)
{
	struct graph_result *r = NULL;

	graph_submit(g, job(base, id, "hallo"));
	if (collect(g, &r, 1, 5000) != 1) {
		graph_result_free(r);
		o->verdict = GRAPH_PERMANENT;
		o->code = -2;
		return o->verdict;
	}
	graph_classify(r->http_status, r->curl_code, r->curl_error, r->body,
	    o);
	if (keep != NULL)
		*keep = r;
	else
		graph_result_free(r);
	return o->verdict;
}

/* Distinct connections used by the accepted requests in the record. */
static int
record_conns(const char *record, int *lines)
{
	char line[8192];
	int conns[64], n = 0, i, c;
	FILE *f = fopen(record, "r");

	*lines = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *v = jpath(line, "conn");

		(*lines)++;
		c = v ? atoi(v) : -1;
		free(v);
		for (i = 0; i < n && conns[i] != c; i++)
			;
		if (i == n && n < 64)
			conns[n++] = c;
	}
	if (f != NULL)
		fclose(f);
	return n;
}

static void
test_http(void)
{
	char record[64], base[64];
	struct graph_opts o = { NULL, 1000, 1000, 4, on_wake, NULL, NULL,
	    NULL };
	struct graph_outcome out;
	struct graph_result *r = NULL;
	struct graph *g;
	int port, i, lines;

	snprintf(record, sizeof(record), "/tmp/loket-mock-%d.jsonl",
	    (int)getpid());
	unlink(record);
	if ((port = start_mock(record)) == 0) {
		printf("skip: mock Graph API (python3) not available\n");
		return;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/v24.0", port);
	o.base_url = base;
	g = graph_new(&o);
	for (i = 0; i < 3; i++)
		TEST("http accepted", send_one(g, base, 100 + i, &out, NULL) ==
		    GRAPH_ACCEPTED && strncmp(out.msg_id, "wamid.mock.", 11) ==
		    0);
	TEST("one connection reused", record_conns(record, &lines) == 1 &&
	    lines == 3);
	fault(g, base, "{\"mode\":\"error\",\"code\":131047,\"count\":1}");
	TEST("131047 permanent", send_one(g, base, 200, &out, NULL) ==
	    GRAPH_PERMANENT && out.code == 131047);
	fault(g, base, "{\"mode\":\"429\",\"retry_after\":3,\"count\":1}");
	TEST("429 retry", send_one(g, base, 201, &out, &r) == GRAPH_RETRY);
	TEST("retry-after read", r != NULL && r->retry_after_s == 3 &&
	    r->http_status == 429);
	graph_result_free(r);
	fault(g, base, "{\"mode\":\"500\",\"count\":1}");
	TEST("500 retry", send_one(g, base, 202, &out, NULL) == GRAPH_RETRY);
	/* curl resends once by itself when a reused connection dies before
	 * any answer (at-least-once, like ours), so drop two in a row. */
	fault(g, base, "{\"mode\":\"drop\",\"count\":2}");
	send_one(g, base, 203, &out, NULL);
	TEST("drop retry", out.verdict == GRAPH_RETRY &&
	    strncmp(out.text, "transport:", 10) == 0);
	fault(g, base, "{\"mode\":\"slow\",\"delay\":2.5,\"count\":1}");
	TEST("timeout retry", send_one(g, base, 204, &out, NULL) ==
	    GRAPH_RETRY);
	TEST("after faults accepted", send_one(g, base, 205, &out, NULL) ==
	    GRAPH_ACCEPTED);
	/* A burst goes out concurrently and every job gets its result. */
	for (i = 0; i < 20; i++)
		graph_submit(g, job(base, 300 + i, "burst"));
	r = NULL;
	TEST("burst results", collect(g, &r, 20, 10000) == 20);
	graph_result_free(r);
	/* Freeing with a transfer in flight must not leak or hang. */
	fault(g, base, "{\"mode\":\"slow\",\"delay\":0.5,\"count\":1}");
	graph_submit(g, job(base, 400, "in flight"));
	usleep(100000);
	graph_free(g);
	stop_mock();
	unlink(record);
}

int
main(void)
{
	log_set_level(LOG_LVL_WARN);
	test_trunc();
	test_proof();
	test_wa_text();
	test_wa_buttons();
	test_wa_list();
	test_wa_other();
	test_fallback_template();
	test_messenger();
	test_config_cases();
	test_classify();
	test_log_mode();
	test_http();
	return TEST_REPORT();
}
