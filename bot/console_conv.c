/*
 * console_conv.c — conversations for the console: the list (waiting for
 * staff first, then taken over, then the bot's), one conversation with
 * its transcript, contact details and case, and the POST dispatch to the
 * staff operations in console_ops.c.  The JSON builders are shared with
 * the websocket pushes (console_ws.c).  Service thread.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "console_int.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define LIST_MAX	500
#define TRANSCRIPT_MAX	2000
#define REPLY_MAX	4096	/* bytes of one staff reply (WhatsApp: 4096) */

/* Column as a JSON string, or null. */
static json_t *
col_str(struct store_stmt *st, int i)
{
	const char *t = store_col_text(st, i);

	return t ? json_string((const char *)t) : json_null();
}

static json_t *
col_int(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? json_null() :
	    json_integer(store_col_int64(st, i));
}

static const char *
agency_name(struct server *s, const char *id)
{
	const struct agency *a = id ? config_agency(s->cfg, id) : NULL;

	return a && a->name ? a->name : id ? id : "";
}

#define CONV_COLS "c.id, c.agency, c.channel, c.user_name, c.user_phone, " \
	"c.mode, c.staff, c.waiting_since, c.abuse, c.last_in_at, " \
	"c.started_at, c.case_ref, c.state, c.outcome, c.user_id, c.lang, " \
	"c.open, c.data, (SELECT CASE WHEN i.text IS NOT NULL THEN i.text " \
	"ELSE '[' || COALESCE(i.type, i.kind) || ']' END FROM inbound i " \
	"WHERE i.conversation_id = c.id AND i.kind = 'message' " \
	"ORDER BY i.id DESC LIMIT 1)"

/* One row of CONV_COLS as the list's JSON object. */
static json_t *
conv_summary(struct server *s, struct store_stmt *st, long long now)
{
	const char *mode = store_col_text(st, 5);
	int waiting = !store_col_null(st, 7);
	int staff = mode && strcmp(mode, "staff") == 0;
	long long last_in = store_col_int64(st, 9);
	json_t *o;

	o = json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, "
	    "s:b, s:o, s:b, s:o, s:o, s:o}",
	    "id", (json_int_t)store_col_int64(st, 0),
	    "agency", col_str(st, 1),
	    "agency_name", agency_name(s, store_col_text(st, 1)),
	    "channel", col_str(st, 2),
	    "name", col_str(st, 3),
	    "phone", col_str(st, 4),
	    "mode", col_str(st, 5),
	    "group", staff ? "staff" : waiting ? "waiting" : "bot",
	    "staff", col_str(st, 6),
	    "waiting_since", col_int(st, 7),
	    "abuse", store_col_int(st, 8) != 0,
	    "last_in_at", col_int(st, 9),
	    "outside_window", last_in == 0 || now - last_in > CONSOLE_WINDOW_MS,
	    "started_at", col_int(st, 10),
	    "case_ref", col_str(st, 11),
	    "last_text", col_str(st, 18));
	if (o != NULL && waiting && !staff)
		json_object_set_new(o, "waiting_ms", json_integer(now -
		    store_col_int64(st, 7)));
	return o;
}

json_t *
console_conv_list(struct server *s)
{
	static const char sql[] = "SELECT " CONV_COLS " FROM conversations c "
	    "WHERE c.open = 1 ORDER BY CASE WHEN c.mode = 'staff' THEN 1 "
	    "WHEN c.waiting_since IS NOT NULL THEN 0 ELSE 2 END, "
	    "c.waiting_since, COALESCE(c.last_in_at, c.started_at) DESC "
	    "LIMIT ?1";
	long long now = store_now_ms();
	struct store_stmt *st;
	json_t *list = json_array(), *o;
	int rc;

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL) {
		json_decref(list);
		return NULL;
	}
	store_bind_int(st, 1, LIST_MAX);
	while ((rc = store_step(st)) == STORE_ROW)
		if ((o = conv_summary(s, st, now)) != NULL)
			json_array_append_new(list, o);
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		json_decref(list);
		return NULL;
	}
	return json_pack("{s:s, s:I, s:o}", "type", "conversations", "now",
	    (json_int_t)now, "conversations", list);
}

/* Contact details: the conversation's, completed by the dialog's slots. */
static json_t *
contact_json(struct store_stmt *st)
{
	const char *data = store_col_text(st, 17);
	json_t *slots = data ? json_loads(data, 0, NULL) : NULL, *v;
	json_t *o = json_pack("{s:o, s:o, s:o, s:o}", "name", col_str(st, 3),
	    "phone", col_str(st, 4), "user_id", col_str(st, 14), "email",
	    json_null());
	static const char *const keys[] = { "name", "email", "phone" };
	size_t i;

	for (i = 0; o != NULL && json_is_object(slots) && i < 3; i++)
		if (json_is_string(v = json_object_get(slots, keys[i])) &&
		    json_string_length(v) > 0)
			json_object_set(o, keys[i], v);
	json_decref(slots);
	return o;
}

/* The readable text of an outbox body (text, choices or template). */
static json_t *
out_text(const char *kind, const char *body)
{
	json_t *b = body ? json_loads(body, 0, NULL) : NULL, *t, *res;
	const char *name;

	t = json_object_get(b, "text");
	if (json_is_string(t)) {
		res = json_string(json_string_value(t));
	} else if (kind && strcmp(kind, "template") == 0 &&
	    (name = json_string_value(json_object_get(b, "name"))) != NULL) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "[template %s]", name);
		res = json_string(tmp);
	} else {
		res = json_string("");
	}
	json_decref(b);
	return res;
}

static json_t *
message_json(struct store_stmt *st)
{
	int in = strcmp(store_col_text(st, 0), "in") == 0;
	const char *author = store_col_text(st, 5);
	json_t *o;

	if (in) {
		const char *t = store_col_text(st, 4);
		char tmp[64];

		snprintf(tmp, sizeof(tmp), "[%s]", store_col_text(st, 3) ?
		    store_col_text(st, 3) : "media");
		return json_pack("{s:s, s:I, s:I, s:s}", "from", "citizen",
		    "id", (json_int_t)store_col_int64(st, 1), "at",
		    (json_int_t)store_col_int64(st, 2), "text",
		    t ? (const char *)t : tmp);
	}
	o = json_pack("{s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
	    "from", author && strcmp(author, "bot") != 0 ? "staff" : "bot",
	    "author", col_str(st, 5),
	    "id", (json_int_t)store_col_int64(st, 1),
	    "at", (json_int_t)store_col_int64(st, 2),
	    "text", out_text(store_col_text(st, 3),
	    store_col_text(st, 4)),
	    "status", col_str(st, 6),
	    "error_code", col_int(st, 7),
	    "error_text", col_str(st, 8),
	    "kind", col_str(st, 3));
	return o;
}

static json_t *
transcript(struct server *s, long long id)
{
	static const char sql[] = "SELECT * FROM ("
	    "SELECT 'in', id, received_at, type, text, NULL, NULL, NULL, NULL "
	    "FROM inbound WHERE conversation_id = ?1 AND kind = 'message' "
	    "UNION ALL SELECT 'out', id, created_at, kind, body, author, "
	    "status, error_code, error_text FROM outbox "
	    "WHERE conversation_id = ?1 AND kind IN ('text', 'choices', "
	    "'template') ORDER BY 3 DESC, 2 DESC LIMIT ?2) ORDER BY 3, 2";
	struct store_stmt *st;
	json_t *list = json_array(), *o;
	int rc;

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL) {
		json_decref(list);
		return NULL;
	}
	store_bind_int64(st, 1, id);
	store_bind_int(st, 2, TRANSCRIPT_MAX);
	while ((rc = store_step(st)) == STORE_ROW)
		if ((o = message_json(st)) != NULL)
			json_array_append_new(list, o);
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* The case registered from conversation id, or null. */
static json_t *
conv_case(struct server *s, long long id)
{
	static const char sql[] = "SELECT reference FROM cases "
	    "WHERE conversation_id = ?1 ORDER BY id DESC LIMIT 1";
	struct store_stmt *st;
	char ref[64] = "";
	json_t *c;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return json_null();
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW)
		snprintf(ref, sizeof(ref), "%s", store_col_text(st, 0));
	store_stmt_done(st);
	c = ref[0] ? console_case_json(s, ref) : NULL;
	return c ? c : json_null();
}

json_t *
console_conv_detail(struct server *s, long long id)
{
	static const char sql[] = "SELECT " CONV_COLS " FROM conversations c "
	    "WHERE c.id = ?1";
	struct store_stmt *st;
	json_t *conv = NULL, *msgs;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return NULL;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		conv = conv_summary(s, st, store_now_ms());
		if (conv != NULL) {
			json_object_set_new(conv, "state", col_str(st, 12));
			json_object_set_new(conv, "outcome", col_str(st, 13));
			json_object_set_new(conv, "lang", col_str(st, 15));
			json_object_set_new(conv, "open",
			    json_boolean(store_col_int(st, 16)));
			json_object_set_new(conv, "contact", contact_json(st));
		}
	}
	store_stmt_done(st);
	if (conv == NULL)
		return NULL;
	if ((msgs = transcript(s, id)) == NULL) {
		json_decref(conv);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:o, s:o}", "type", "conversation",
	    "conversation", conv, "messages", msgs, "case", conv_case(s, id));
}

int
console_conv_list_get(struct http_req *r)
{
	struct session sess;
	json_t *o;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if ((o = console_conv_list(r->srv)) == NULL)
		return console_error(r, 503, "database");
	return console_json(r, 200, o);
}

/* "/api/conversations/ID[/ACTION]": the id, and the action or "". */
static long long
parse_path(const char *path, char *action, size_t len)
{
	const char *p = path + strlen("/api/conversations/");
	char *end;
	long long id;

	if (*p < '1' || *p > '9')
		return 0;
	id = strtoll(p, &end, 10);
	if (*end == '/')
		snprintf(action, len, "%s", end + 1);
	else if (*end == '\0')
		action[0] = '\0';
	else
		return 0;
	return id;
}

int
console_conv_get(struct http_req *r)
{
	struct session sess;
	char action[32];
	long long id;
	json_t *o;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if ((id = parse_path(r->path, action, sizeof(action))) <= 0 ||
	    action[0] != '\0')
		return console_error(r, 404, "not_found");
	if ((o = console_conv_detail(r->srv, id)) == NULL)
		return console_error(r, 404, "not_found");
	return console_json(r, 200, o);
}

static int
run_op(struct http_req *r, const struct session *sess, long long id,
    const char *action, json_t *body, const char **why)
{
	const char *text = json_string_value(json_object_get(body, "text"));
	const char *outcome = json_string_value(json_object_get(body,
	    "outcome"));

	if (strcmp(action, "takeover") == 0)
		return console_op_takeover(r->srv, id, sess->name, why);
	if (strcmp(action, "handback") == 0)
		return console_op_handback(r->srv, id, sess->name, why);
	if (strcmp(action, "close") == 0)
		return console_op_close(r->srv, id, sess->name, outcome, why);
	if (strcmp(action, "reply") != 0) {
		*why = "not_found";
		return 404;
	}
	if (text == NULL || *text == '\0' || strlen(text) > REPLY_MAX) {
		*why = "text_required";
		return 400;
	}
	return console_op_reply(r->srv, id, sess->name, text, why);
}

int
console_conv_post(struct http_req *r)
{
	struct session sess;
	const char *why = "error";
	char action[32];
	long long id;
	json_t *body, *o;
	int rc;

	if (console_auth(r, &sess, 1) == HTTP_DONE)
		return HTTP_DONE;
	if ((id = parse_path(r->path, action, sizeof(action))) <= 0)
		return console_error(r, 404, "not_found");
	if ((body = console_body(r)) == NULL)
		return HTTP_DONE;
	rc = run_op(r, &sess, id, action, body, &why);
	json_decref(body);
	if (rc != 0)
		return console_error(r, rc, why);
	log_info("event=console_%s conversation=%lld staff=%s", action, id,
	    sess.name);
	if (strcmp(action, "reply") == 0)
		backend_wake(r->srv->backend);	/* send it now */
	console_notify(r->srv, id);
	store_notify(r->srv->store, "console");	/* the other instances */
	if ((o = console_conv_detail(r->srv, id)) == NULL)
		return console_error(r, 503, "database");
	return console_json(r, 200, o);
}
