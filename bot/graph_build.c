/*
 * graph_build.c — turns an outbox row (kind + body JSON, see outbox.h) into
 * a Graph API request: URL, bearer header and JSON body.  Pure functions,
 * called on the service thread; the result crosses to the worker as a
 * plain struct graph_job.  Meta's limits are applied here, so the dialog
 * and the console may write long texts without knowing them.
 */
#include "graph.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signature.h"

/* Meta's Page Inbox, the default handover target (notes §6.1). */
#define PAGE_INBOX_APP_ID	263902037430900LL

/* Length of the UTF-8 sequence starting at s, 1 for an invalid byte. */
static size_t
utf8_seq(const unsigned char *s, size_t *units)
{
	size_t n, i;

	*units = 1;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4;
	else
		return 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	/* Outside the BMP UTF-16 needs two units; count two to stay under
	 * Meta's limits whichever way it counts. */
	if (n == 4)
		*units = 2;
	return n;
}

char *
graph_utf8_trunc(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t off = 0, chars = 0, keep = 0, units, n;
	char *out;

	if (s == NULL)
		s = "";
	while (p[off] != '\0') {
		n = utf8_seq(p + off, &units);
		if (chars + units > max)
			break;
		chars += units;
		off += n;
		/* Where to cut if an ellipsis (1 unit) must fit as well. */
		if (chars + 1 <= max)
			keep = off;
	}
	if (p[off] == '\0')
		return strdup(s);
	if (max == 0)
		return strdup("");
	if ((out = malloc(keep + sizeof("\xe2\x80\xa6"))) == NULL)
		return NULL;
	memcpy(out, s, keep);
	memcpy(out + keep, "\xe2\x80\xa6", sizeof("\xe2\x80\xa6"));
	return out;
}

void
graph_appsecret_proof(const char *secret, const char *token, char out[65])
{
	/* OpenSSL stays behind signature.c (house style). */
	signature_hmac_hex(secret, token, strlen(token), out);
}

/* Sets key to a truncated copy of s (a json string). */
static int
set_trunc(json_t *o, const char *key, const char *s, size_t max)
{
	char *t = graph_utf8_trunc(s, max);
	int rc;

	if (t == NULL)
		return -1;
	rc = json_object_set_new(o, key, json_string(t));
	free(t);
	return rc;
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
is_log(const char *base)
{
	return base != NULL && strcmp(base, "log:") == 0;
}

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Wraps the finished body and URL path into a new job. */
static enum graph_build_rc
make_job(const struct graph_send *s, const char *path, json_t *body,
    struct graph_job **out, char *err, size_t errlen)
{
	struct graph_job *j;
	char proof[65];
	size_t n;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		goto oom;
	j->id = s->id;
	j->method = strdup("POST");
	j->body = json_dumps(body, JSON_COMPACT);
	n = strlen(s->token ? s->token : "") + 32;
	if ((j->auth = malloc(n)) != NULL)
		snprintf(j->auth, n, "Authorization: Bearer %s",
		    s->token ? s->token : "");
	n = strlen(s->base_url) + strlen(path) + 100;
	j->url = malloc(n);
	if (j->method == NULL || j->body == NULL || j->url == NULL ||
	    j->auth == NULL)
		goto oom;
	if (!empty(s->app_secret) && !empty(s->token)) {
		graph_appsecret_proof(s->app_secret, s->token, proof);
		snprintf(j->url, n, "%s%s?appsecret_proof=%s", s->base_url,
		    path, proof);
	} else
		snprintf(j->url, n, "%s%s", s->base_url, path);
	json_decref(body);
	*out = j;
	return GRAPH_BUILD_OK;
oom:
	json_decref(body);
	graph_job_free(j);
	snprintf(err, errlen, "out of memory");
	return GRAPH_BUILD_ERR;
}

static enum graph_build_rc
fail(json_t *o, char *err, size_t errlen, const char *why)
{
	json_decref(o);
	snprintf(err, errlen, "%s", why);
	return GRAPH_BUILD_ERR;
}

long long
graph_tag_id(const char *s)
{
	size_t n = sizeof(GRAPH_TAG_PREFIX) - 1;
	long long id = 0;

	if (s == NULL || strncmp(s, GRAPH_TAG_PREFIX, n) != 0 || s[n] == '\0')
		return 0;
	for (s += n; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || id > 100000000000000LL)
			return 0;
		id = id * 10 + (*s - '0');
	}
	return id;
}

/* Sets the row's tag (graph.h) as o[key]. */
static void
set_tag(json_t *o, const char *key, long long id)
{
	char tag[64];

	snprintf(tag, sizeof(tag), GRAPH_TAG_PREFIX "%lld", id);
	json_object_set_new(o, key, json_string(tag));
}

/* ---- WhatsApp ---- */

/* The common part of a WhatsApp message; NULL if `to` is not a number. */
static json_t *
wa_message(const char *to, const char *type)
{
	char plus[64];
	const char *p;

	if (to != NULL && *to == '+')
		to++;
	if (empty(to) || strlen(to) > 20)
		return NULL;
	for (p = to; *p; p++)
		if (*p < '0' || *p > '9')
			return NULL;
	/* Without "+" Meta prepends the business number's country code. */
	snprintf(plus, sizeof(plus), "+%s", to);
	return json_pack("{s:s, s:s, s:s, s:s}", "messaging_product",
	    "whatsapp", "recipient_type", "individual", "to", plus,
	    "type", type);
}

static json_t *
wa_buttons(const char *text, json_t *choices)
{
	json_t *buttons = json_array(), *c, *b;
	size_t i;

	json_array_foreach(choices, i, c) {
		b = json_pack("{s:s, s:{}}", "type", "reply", "reply");
		set_trunc(json_object_get(b, "reply"), "id", jstr(c, "id"),
		    GRAPH_WA_BUTTON_ID);
		set_trunc(json_object_get(b, "reply"), "title",
		    jstr(c, "title"), GRAPH_WA_BUTTON_TITLE);
		json_array_append_new(buttons, b);
	}
	b = json_pack("{s:s, s:{}, s:{s:o}}", "type", "button", "body",
	    "action", "buttons", buttons);
	set_trunc(json_object_get(b, "body"), "text", text,
	    GRAPH_WA_BUTTON_BODY);
	return b;
}

static json_t *
wa_list(const char *text, const char *button, json_t *choices)
{
	json_t *rows = json_array(), *c, *r, *l;
	size_t i;

	json_array_foreach(choices, i, c) {
		/* Meta refuses more than 10 rows; the dialog never asks
		 * for more, so the cut only guards against a bad body. */
		if (i >= GRAPH_WA_LIST_ROWS)
			break;
		r = json_object();
		set_trunc(r, "id", jstr(c, "id"), GRAPH_WA_ROW_ID);
		set_trunc(r, "title", jstr(c, "title"), GRAPH_WA_ROW_TITLE);
		json_array_append_new(rows, r);
	}
	l = json_pack("{s:s, s:{}, s:{s:[{s:o}]}}", "type", "list", "body",
	    "action", "sections", "rows", rows);
	set_trunc(json_object_get(l, "body"), "text", text, GRAPH_WA_TEXT_MAX);
	set_trunc(json_object_get(l, "action"), "button",
	    empty(button) ? "Kies" : button, GRAPH_WA_LIST_BUTTON);
	return l;
}

static int
choices_ok(json_t *choices)
{
	json_t *c;
	size_t i;

	if (!json_is_array(choices) || json_array_size(choices) == 0)
		return 0;
	json_array_foreach(choices, i, c)
		if (empty(jstr(c, "id")) || empty(jstr(c, "title")))
			return 0;
	return 1;
}

static json_t *
wa_template_obj(const char *name, const char *lang, json_t *params)
{
	json_t *t, *ps, *p;
	size_t i;

	t = json_pack("{s:s, s:{s:s}}", "name", name, "language", "code",
	    empty(lang) ? "nl" : lang);
	if (json_array_size(params) == 0)
		return t;
	ps = json_array();
	json_array_foreach(params, i, p)
		json_array_append_new(ps, json_pack("{s:s, s:O}", "type",
		    "text", "text", p));
	json_object_set_new(t, "components", json_pack("[{s:s, s:o}]",
	    "type", "body", "parameters", ps));
	return t;
}

static enum graph_build_rc
wa_build(const struct graph_send *s, json_t *in, struct graph_job **out,
    char *err, size_t errlen)
{
	const char *text = jstr(in, "text"), *mid = jstr(in, "message_id");
	json_t *choices = json_object_get(in, "choices"), *m;
	char path[300];

	snprintf(path, sizeof(path), "/%s/messages", s->account_id);
	if (empty(s->account_id))
		return fail(NULL, err, errlen, "no WhatsApp phone_number_id");
	if (strcmp(s->kind, "read") == 0 || strcmp(s->kind, "typing") == 0) {
		if (empty(mid) && strcmp(s->kind, "typing") == 0)
			return GRAPH_BUILD_SKIP;
		if (empty(mid))
			return fail(NULL, err, errlen, "read: no message_id");
		m = json_pack("{s:s, s:s, s:s}", "messaging_product",
		    "whatsapp", "status", "read", "message_id", mid);
		if (strcmp(s->kind, "typing") == 0)
			json_object_set_new(m, "typing_indicator",
			    json_pack("{s:s}", "type", "text"));
		return make_job(s, path, m, out, err, errlen);
	}
	if (strcmp(s->kind, "handover") == 0)
		return GRAPH_BUILD_SKIP;	/* staff answer in Loket */
	if (strcmp(s->kind, "template") == 0) {
		if (empty(jstr(in, "name")))
			return fail(NULL, err, errlen, "template: no name");
		if ((m = wa_message(s->to, "template")) == NULL)
			goto noto;
		json_object_set_new(m, "template", wa_template_obj(
		    jstr(in, "name"), jstr(in, "lang"),
		    json_object_get(in, "params")));
		set_tag(m, "biz_opaque_callback_data", s->id);
		return make_job(s, path, m, out, err, errlen);
	}
	if (empty(text))
		return fail(NULL, err, errlen, "message has no text");
	if (strcmp(s->kind, "text") == 0) {
		if ((m = wa_message(s->to, "text")) == NULL)
			goto noto;
		json_object_set_new(m, "text", json_pack("{s:b}",
		    "preview_url", 0));
		set_trunc(json_object_get(m, "text"), "body", text,
		    GRAPH_WA_TEXT_MAX);
		set_tag(m, "biz_opaque_callback_data", s->id);
		return make_job(s, path, m, out, err, errlen);
	}
	if (!choices_ok(choices))
		return fail(NULL, err, errlen, "choices: missing id or title");
	if ((m = wa_message(s->to, "interactive")) == NULL)
		goto noto;
	json_object_set_new(m, "interactive",
	    json_array_size(choices) <= GRAPH_WA_BUTTONS ?
	    wa_buttons(text, choices) :
	    wa_list(text, jstr(in, "button"), choices));
	set_tag(m, "biz_opaque_callback_data", s->id);
	return make_job(s, path, m, out, err, errlen);
noto:
	return fail(NULL, err, errlen, "recipient has no phone number");
}

/* ---- Messenger ---- */

static json_t *
ms_quick_replies(json_t *choices)
{
	json_t *qs = json_array(), *c, *q;
	size_t i;

	json_array_foreach(choices, i, c) {
		if (i >= GRAPH_MS_QUICK)
			break;
		q = json_pack("{s:s}", "content_type", "text");
		set_trunc(q, "title", jstr(c, "title"), GRAPH_MS_QUICK_TITLE);
		set_trunc(q, "payload", jstr(c, "id"), GRAPH_MS_PAYLOAD);
		json_array_append_new(qs, q);
	}
	return qs;
}

static enum graph_build_rc
ms_handover(const struct graph_send *s, json_t *in, struct graph_job **out,
    char *err, size_t errlen)
{
	const char *app = jstr(in, "target_app_id"), *meta;
	long long id = app ? strtoll(app, NULL, 10) : PAGE_INBOX_APP_ID;
	json_t *m;

	if (id <= 0)
		return fail(NULL, err, errlen, "handover: bad target_app_id");
	m = json_pack("{s:{s:s}, s:I}", "recipient", "id", s->to,
	    "target_app_id", (json_int_t)id);
	if ((meta = jstr(in, "metadata")) != NULL)
		set_trunc(m, "metadata", meta, 1000);
	return make_job(s, "/me/pass_thread_control", m, out, err, errlen);
}

static enum graph_build_rc
ms_build(const struct graph_send *s, json_t *in, struct graph_job **out,
    char *err, size_t errlen)
{
	const char *text = jstr(in, "text");
	json_t *choices = json_object_get(in, "choices"), *m, *msg;

	if (empty(s->to))
		return fail(NULL, err, errlen, "recipient has no PSID");
	if (strcmp(s->kind, "handover") == 0)
		return ms_handover(s, in, out, err, errlen);
	if (strcmp(s->kind, "read") == 0 || strcmp(s->kind, "typing") == 0) {
		m = json_pack("{s:{s:s}, s:s}", "recipient", "id", s->to,
		    "sender_action", strcmp(s->kind, "read") == 0 ?
		    "mark_seen" : "typing_on");
		return make_job(s, "/me/messages", m, out, err, errlen);
	}
	if (strcmp(s->kind, "template") == 0)
		return fail(NULL, err, errlen, "templates are WhatsApp only");
	if (strcmp(s->kind, "text") != 0 && strcmp(s->kind, "choices") != 0 &&
	    strcmp(s->kind, "buttons") != 0 && strcmp(s->kind, "list") != 0)
		return fail(NULL, err, errlen, "unknown kind");
	if (empty(text))
		return fail(NULL, err, errlen, "message has no text");
	msg = json_object();
	set_trunc(msg, "text", text, GRAPH_MS_TEXT_MAX);
	if (strcmp(s->kind, "text") != 0) {
		if (!choices_ok(choices))
			return fail(msg, err, errlen,
			    "choices: missing id or title");
		json_object_set_new(msg, "quick_replies",
		    ms_quick_replies(choices));
	}
	set_tag(msg, "metadata", s->id);
	m = json_pack("{s:{s:s}, s:s, s:o}", "recipient", "id", s->to,
	    "messaging_type", s->human_agent ? "MESSAGE_TAG" : "RESPONSE",
	    "message", msg);
	if (s->human_agent)
		json_object_set_new(m, "tag", json_string("HUMAN_AGENT"));
	return make_job(s, "/me/messages", m, out, err, errlen);
}

static enum graph_build_rc
check_send(const struct graph_send *s, char *err, size_t errlen)
{
	if (empty(s->base_url))
		return fail(NULL, err, errlen, "no graph_url configured");
	if (empty(s->token) && !is_log(s->base_url))
		return fail(NULL, err, errlen, "no access token configured");
	if (empty(s->kind) || s->channel == NULL)
		return fail(NULL, err, errlen, "no kind or channel");
	if (strcmp(s->channel, "whatsapp") != 0 &&
	    strcmp(s->channel, "messenger") != 0)
		return fail(NULL, err, errlen, "unknown channel");
	return GRAPH_BUILD_OK;
}

enum graph_build_rc
graph_build(const struct graph_send *s, struct graph_job **out, char *err,
    size_t errlen)
{
	enum graph_build_rc rc;
	json_t *in;

	*out = NULL;
	if ((rc = check_send(s, err, errlen)) != GRAPH_BUILD_OK)
		return rc;
	in = json_loads(s->body ? s->body : "{}", 0, NULL);
	if (!json_is_object(in))
		return fail(in, err, errlen, "body is not a JSON object");
	if (strcmp(s->channel, "whatsapp") == 0) {
		if (strcmp(s->kind, "text") != 0 &&
		    strcmp(s->kind, "choices") != 0 &&
		    strcmp(s->kind, "buttons") != 0 &&
		    strcmp(s->kind, "list") != 0 &&
		    strcmp(s->kind, "template") != 0 &&
		    strcmp(s->kind, "read") != 0 &&
		    strcmp(s->kind, "typing") != 0 &&
		    strcmp(s->kind, "handover") != 0)
			rc = fail(NULL, err, errlen, "unknown kind");
		else
			rc = wa_build(s, in, out, err, errlen);
	} else
		rc = ms_build(s, in, out, err, errlen);
	json_decref(in);
	return rc;
}

/* Meta refuses newlines, tabs and runs of spaces in text parameters. */
static char *
clean_param(const char *p)
{
	char *c = malloc(strlen(p) + 1), *t;
	size_t n = 0;

	if (c == NULL)
		return NULL;
	for (; *p; p++) {
		char ch = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;

		if (ch == ' ' && (n == 0 || c[n - 1] == ' '))
			continue;
		c[n++] = ch;
	}
	while (n > 0 && c[n - 1] == ' ')
		n--;
	c[n] = '\0';
	t = graph_utf8_trunc(c, GRAPH_WA_PARAM_MAX);
	free(c);
	return t;
}

char *
graph_template_body(const char *name, const char *lang, const char *param)
{
	json_t *in, *params = json_array();
	char *p = NULL, *out;

	if (param != NULL) {
		if ((p = clean_param(param)) == NULL || *p == '\0') {
			free(p);
			json_decref(params);
			return NULL;
		}
		json_array_append_new(params, json_string(p));
		free(p);
	}
	in = json_pack("{s:s, s:s, s:o}", "name", name ? name : "", "lang",
	    lang ? lang : "", "params", params);
	out = in ? json_dumps(in, JSON_COMPACT) : NULL;
	json_decref(in);
	return out;
}

enum graph_build_rc
graph_build_template(const struct graph_send *s, const char *name,
    const char *lang, const char *param, struct graph_job **out, char *err,
    size_t errlen)
{
	struct graph_send t = *s;
	enum graph_build_rc rc;
	char *body = graph_template_body(name, lang, param);

	*out = NULL;
	if (body == NULL)
		return fail(NULL, err, errlen, "template parameter is empty");
	t.kind = "template";
	t.body = body;
	rc = graph_build(&t, out, err, errlen);
	free(body);
	return rc;
}

char *
graph_body_text(const char *body)
{
	json_t *in = json_loads(body ? body : "", 0, NULL);
	const char *t = jstr(in, "text");
	char *out = t ? strdup(t) : NULL;

	json_decref(in);
	return out;
}
