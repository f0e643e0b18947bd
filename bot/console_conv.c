/*
 * console_conv.c — conversations for the console: the list (waiting for
 * staff first, then taken over, then the bot's), one conversation with
 * its transcript, contact details, case, internal notes and the citizen's
 * other conversations, search with filters (closed conversations too),
 * and the POST dispatch to the staff operations in console_ops.c.  The JSON builders are shared with
 * the websocket pushes (console_ws.c).  Service thread.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "console_int.h"
#include "conv.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "report.h"
#include "staff.h"
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
	"c.open, c.data, (SELECT i.text FROM inbound i " \
	"WHERE i.conversation_id = c.id AND i.kind = 'message' " \
	"ORDER BY i.id DESC LIMIT 1), (SELECT i.type FROM inbound i " \
	"WHERE i.conversation_id = c.id AND i.kind = 'message' " \
	"ORDER BY i.id DESC LIMIT 1), c.ended_at"

/* The name the citizen gave in the conversation (the dialog's slot), for
 * channels that send none (Messenger), or NULL. */
static json_t *
slot_name(struct store_stmt *st)
{
	const char *data = store_col_text(st, 17);
	json_t *slots = data ? json_loads(data, 0, NULL) : NULL, *v, *res;

	v = json_object_get(slots, "name");
	res = json_is_string(v) && json_string_length(v) > 0 ?
	    json_string(json_string_value(v)) : NULL;
	json_decref(slots);
	return res;
}

/* One row of CONV_COLS as the list's JSON object. */
static json_t *
conv_summary(struct server *s, struct store_stmt *st, long long now)
{
	const char *mode = store_col_text(st, 5);
	int waiting = !store_col_null(st, 7);
	int staff = mode && strcmp(mode, "staff") == 0;
	int open = store_col_int(st, 16);
	long long last_in = store_col_int64(st, 9);
	json_t *o, *name = col_str(st, 3);

	if (json_is_null(name)) {
		json_t *given = slot_name(st);

		if (given != NULL) {
			json_decref(name);
			name = given;
		}
	}
	o = json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, "
	    "s:b, s:o, s:b, s:o, s:o, s:o, s:o, s:b, s:o}",
	    "id", (json_int_t)store_col_int64(st, 0),
	    "agency", col_str(st, 1),
	    "agency_name", agency_name(s, store_col_text(st, 1)),
	    "channel", col_str(st, 2),
	    "name", name,
	    "phone", col_str(st, 4),
	    "mode", col_str(st, 5),
	    "group", !open ? "closed" : staff ? "staff" : waiting ? "waiting" :
	    "bot",
	    "staff", col_str(st, 6),
	    "waiting_since", col_int(st, 7),
	    "abuse", store_col_int(st, 8) != 0,
	    "last_in_at", col_int(st, 9),
	    "outside_window", last_in == 0 || now - last_in > CONSOLE_WINDOW_MS,
	    "started_at", col_int(st, 10),
	    "case_ref", col_str(st, 11),
	    "last_text", col_str(st, 18),
	    "last_type", col_str(st, 19),
	    "open", open != 0,
	    "ended_at", col_int(st, 20));
	if (o != NULL && waiting && !staff && open)
		json_object_set_new(o, "waiting_ms", json_integer(now -
		    store_col_int64(st, 7)));
	return o;
}

void
console_filter_init(struct console_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->view = "open";
	f->to_ms = -1;
}

/*
 * The conversations of a view, with the search and filters of f.  One
 * statement: every filter is a parameter that is NULL when unused.
 * Text search looks in names, numbers, the dialog's slots (e-mail), the
 * case reference and the citizen's messages.
 */
static json_t *
conv_query(struct server *s, const struct console_filter *f)
{
	static const char sql[] = "SELECT " CONV_COLS " FROM conversations c "
	    "WHERE (?1 = 'all' OR (?1 = 'closed' AND c.open = 0) OR "
	    "(?1 <> 'closed' AND c.open = 1 AND (?1 = 'open' OR "
	    "(?1 = 'waiting' AND c.mode <> 'staff' AND c.waiting_since IS NOT "
	    "NULL) OR (?1 = 'mine' AND c.mode = 'staff' AND c.staff = ?2)))) "
	    "AND (CAST(?3 AS TEXT) IS NULL OR c.user_name LIKE ?3 ESCAPE '\\' OR "
	    "c.user_phone LIKE ?3 ESCAPE '\\' OR c.user_id LIKE ?3 ESCAPE "
	    "'\\' OR c.data LIKE ?3 ESCAPE '\\' OR c.case_ref LIKE ?3 "
	    "ESCAPE '\\' OR EXISTS (SELECT 1 FROM inbound i WHERE "
	    "i.conversation_id = c.id AND i.text LIKE ?3 ESCAPE '\\') OR "
	    "EXISTS (SELECT 1 FROM cases k WHERE k.conversation_id = c.id AND "
	    "(k.reference LIKE ?3 ESCAPE '\\' OR k.email LIKE ?3 ESCAPE "
	    "'\\' OR k.name LIKE ?3 ESCAPE '\\' OR k.phone LIKE ?3 ESCAPE "
	    "'\\'))) "
	    "AND (CAST(?4 AS TEXT) IS NULL OR c.agency = ?4) AND "
	    "(CAST(?5 AS TEXT) IS NULL OR c.channel = ?5)"
	    " AND c.started_at >= ?6 AND (?7 < 0 OR c.started_at < ?7) "
	    "ORDER BY c.open DESC, CASE WHEN c.open = 0 THEN 3 "
	    "WHEN c.mode = 'staff' THEN 1 WHEN c.waiting_since IS NOT NULL "
	    "THEN 0 ELSE 2 END, c.waiting_since, "
	    "COALESCE(c.ended_at, c.last_in_at, c.started_at) DESC LIMIT ?8";
	long long now = store_now_ms();
	struct store_stmt *st;
	json_t *list = json_array(), *o;
	int rc;

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL) {
		json_decref(list);
		return NULL;
	}
	store_bind_text(st, 1, f->view, -1);
	store_bind_text(st, 2, f->me, -1);
	store_bind_text(st, 3, f->like[0] ? f->like : NULL, -1);
	store_bind_text(st, 4, f->agency, -1);
	store_bind_text(st, 5, f->channel, -1);
	store_bind_int64(st, 6, f->from_ms);
	store_bind_int64(st, 7, f->to_ms);
	store_bind_int(st, 8, LIST_MAX);
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

json_t *
console_conv_list(struct server *s)
{
	struct console_filter f;

	console_filter_init(&f);
	return conv_query(s, &f);
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
		/* The page names a photo, a voice message ... in words. */
		return json_pack("{s:s, s:I, s:I, s:o, s:o}", "from",
		    "citizen", "id", (json_int_t)store_col_int64(st, 1),
		    "at", (json_int_t)store_col_int64(st, 2), "text",
		    col_str(st, 4), "type", col_str(st, 3));
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
	    "status, error_code, error_text FROM outbox WHERE conversation_id = ?1 AND kind IN ('text', "
	    "'choices', 'template') ORDER BY 3 DESC, 2 DESC LIMIT ?2) "
	    "AS t ORDER BY 3, 2";
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
	console_media_annotate(s, id, msgs);
	console_review_marks(s, id, msgs);
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "type",
	    "conversation", "conversation", conv, "messages", msgs, "case",
	    conv_case(s, id), "notes", console_notes_json(s, id), "history",
	    console_history_json(s, id));
}

/* The query string as a filter; 0, or -1 for a value that cannot be. */
static int
parse_filter(struct http_req *r, const struct session *sess,
    struct console_filter *f)
{
	static const char *const views[] = { "open", "waiting", "mine",
	    "closed", "all" };
	char date[16];
	size_t i;

	console_filter_init(f);
	f->me = sess->name;
	if (http_query(r, "view", f->view_buf, sizeof(f->view_buf)) == 0 &&
	    f->view_buf[0] != '\0') {
		for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
			if (strcmp(f->view_buf, views[i]) == 0)
				f->view = views[i];
		if (strcmp(f->view, f->view_buf) != 0)
			return -1;
	}
	if (http_query(r, "q", f->q, sizeof(f->q)) == 0)
		console_like_pattern(f->q, f->like, sizeof(f->like));
	if (http_query(r, "agency", f->agency_buf, sizeof(f->agency_buf)) ==
	    0 && f->agency_buf[0] != '\0')
		f->agency = f->agency_buf;
	if (http_query(r, "channel", f->channel_buf, sizeof(f->channel_buf))
	    == 0 && f->channel_buf[0] != '\0')
		f->channel = f->channel_buf;
	if (http_query(r, "from", date, sizeof(date)) == 0 && date[0] &&
	    report_parse_date(date, 0, &f->from_ms) == -1)
		return -1;
	if (http_query(r, "to", date, sizeof(date)) == 0 && date[0] &&
	    report_parse_date(date, 1, &f->to_ms) == -1)
		return -1;
	return 0;
}

int
console_conv_list_get(struct http_req *r)
{
	struct console_filter f;
	struct session sess;
	json_t *o;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if (parse_filter(r, &sess, &f) == -1)
		return console_error(r, 400, "bad_filter");
	if ((o = conv_query(r->srv, &f)) == NULL)
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

/* A string member of body, or NULL when absent, not a string or over
 * max bytes (*bad set then). */
static const char *
member(json_t *body, const char *key, size_t max, int *bad)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > max) {
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

static int
case_op(struct http_req *r, const struct session *sess, long long id,
    json_t *body, const char **why)
{
	struct conv_case_fields f;
	int bad = 0;

	f.name = member(body, "name", 200, &bad);
	f.email = member(body, "email", 200, &bad);
	f.phone = member(body, "phone", 40, &bad);
	f.description = member(body, "description", 2000, &bad);
	*why = "bad_case";
	if (bad || f.description == NULL || *f.description == '\0')
		return 400;
	return console_op_case(r->srv, id, sess, &f, why);
}

static int
run_op(struct http_req *r, const struct session *sess, long long id,
    const char *action, json_t *body, const char **why)
{
	int bad = 0;
	const char *text = member(body, "text", REPLY_MAX, &bad);

	if (strcmp(action, "takeover") == 0)
		return console_op_takeover(r->srv, id, sess, why);
	if (strcmp(action, "handback") == 0)
		return console_op_handback(r->srv, id, sess, why);
	if (strcmp(action, "release") == 0)
		return console_op_release(r->srv, id, sess, why);
	if (strcmp(action, "close") == 0)
		return console_op_close(r->srv, id, sess, member(body,
		    "outcome", 32, &bad), why);
	if (strcmp(action, "assign") == 0)
		return console_op_assign(r->srv, id, sess, member(body, "staff",
		    STAFF_NAME_MAX, &bad), why);
	if (strcmp(action, "case") == 0)
		return case_op(r, sess, id, body, why);
	if (strcmp(action, "note") != 0 && strcmp(action, "reply") != 0) {
		*why = "not_found";
		return 404;
	}
	if (bad || text == NULL || *text == '\0') {
		*why = "text_required";
		return 400;
	}
	if (strcmp(action, "note") == 0)
		return console_note_add(r->srv, id, sess, text, why);
	return console_op_reply(r->srv, id, sess, text, why);
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
