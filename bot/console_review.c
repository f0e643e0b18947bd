/*
 * console_review.c — the review of misunderstood messages in the console
 * API (issue 15):
 *   GET  /api/review[?agency=ID]       the open groups, masked (review.h);
 *                                      coordinator, admin, author
 *   GET  /api/intents                  the intents and topics a right
 *                                      answer may name; every role
 *   POST /api/review/ID/ignore         closes ID's group; same roles
 *   POST /api/messages/ID/misunderstood {"answer"?}  staff mark a citizen
 *                                      message "de bot begreep dit
 *                                      verkeerd"; not for authors, who see
 *                                      no conversations
 * Assigning a group to an intent writes phrase files and stays on the
 * command line (`loket intents review --assign`).  The marks on a
 * conversation's transcript come from console_review_marks().  Service
 * thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "console_int.h"
#include "conv.h"
#include "http.h"
#include "log.h"
#include "review.h"
#include "server.h"
#include "store.h"

#define ANSWER_MAX	47	/* INTENT_ID_MAX - 1 */

static int
is_role(const struct session *sess, const char *role)
{
	return strcmp(sess->role, role) == 0;
}

/* Coordinators, admins and intent authors review. */
static int
may_review(const struct session *sess)
{
	return console_is_coordinator(sess) || is_role(sess, "author");
}

int
console_review_get(struct http_req *r)
{
	struct session sess;
	struct review_set *s;
	json_t *o, *groups, *g;
	int k;

	char agency[64];

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if (!may_review(&sess))
		return console_error(r, 403, "review_only");
	/* One agency (the console's filter), or all. */
	if (http_query(r, "agency", agency, sizeof(agency)) != 0)
		agency[0] = '\0';
	if (agency[0] != '\0' && config_agency(r->srv->cfg, agency) == NULL)
		return console_error(r, 400, "bad_filter");
	if ((s = review_set_load(r->srv->store, r->srv->cfg, agency[0] ?
	    agency : NULL)) == NULL)
		return console_error(r, 503, "database");
	groups = json_array();
	for (k = 0; groups != NULL && k < review_set_count(s); k++) {
		/* Authors see the masked text, not the conversation. */
		if ((g = review_set_json(s, k, console_is_coordinator(&sess)))
		    == NULL || json_array_append_new(groups, g) == -1) {
			json_decref(groups);
			groups = NULL;
		}
	}
	o = groups != NULL ? json_pack("{s:o, s:i}", "groups", groups,
	    "messages", review_set_messages(s)) : NULL;
	review_set_free(s);
	if (o == NULL)
		return console_error(r, 503, "database");
	return console_json(r, 200, o);
}

/* "/api/review/12/ignore" -> 12; -1 when the path is another. */
static long long
path_id(const char *path, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix);
	char *end;
	long long id;

	if (strncmp(path, prefix, pl) != 0 || path[pl] < '1' || path[pl] > '9')
		return -1;
	id = strtoll(path + pl, &end, 10);
	return strcmp(end, suffix) == 0 && id > 0 ? id : -1;
}

int
console_review_post(struct http_req *r)
{
	struct session sess;
	struct review_set *s;
	long long id;
	int k, n;

	if (console_auth(r, &sess, 1) == HTTP_DONE)
		return HTTP_DONE;
	if ((id = path_id(r->path, "/api/review/", "/ignore")) == -1)
		return console_error(r, 404, "not_found");
	if (!may_review(&sess))
		return console_error(r, 403, "review_only");
	if ((s = review_set_load(r->srv->store, r->srv->cfg, NULL)) == NULL)
		return console_error(r, 503, "database");
	if ((k = review_set_find(s, id)) == -1) {
		review_set_free(s);
		return console_error(r, 404, "not_found");
	}
	n = review_set_resolve(r->srv->store, s, k, NULL, sess.name);
	review_set_free(s);
	if (n == -1)
		return console_error(r, 503, "database");
	log_info("event=review_ignored item=%lld items=%d staff=%s", id, n,
	    sess.name);
	return console_json(r, 200, json_pack("{s:b, s:i}", "ok", 1,
	    "items", n));
}

/* The optional right answer: an intent or topic id, or absent/null. */
static int
answer_of(json_t *body, const char **answer)
{
	json_t *a = json_object_get(body, "answer");
	const char *v;
	size_t i;

	*answer = NULL;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_string(a) || (v = json_string_value(a))[0] == '\0' ||
	    strlen(v) > ANSWER_MAX)
		return -1;
	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' &&
		    v[i] <= '9') || v[i] == '_' || v[i] == '-'))
			return -1;
	*answer = v;
	return 0;
}

int
console_misread_post(struct http_req *r)
{
	struct session sess;
	struct conv_engine *e;
	const char *answer;
	long long id;
	json_t *body;
	int rc;

	if (console_auth(r, &sess, 1) == HTTP_DONE)
		return HTTP_DONE;
	if ((id = path_id(r->path, "/api/messages/", "/misunderstood")) == -1)
		return console_error(r, 404, "not_found");
	if (is_role(&sess, "author"))
		return console_error(r, 403, "staff_only");
	if ((body = console_body(r)) == NULL)
		return HTTP_DONE;
	if (answer_of(body, &answer) == -1) {
		json_decref(body);
		return console_error(r, 400, "bad_answer");
	}
	if ((e = backend_lock(r->srv->backend)) == NULL) {
		json_decref(body);
		return console_error(r, 503, "engine_unavailable");
	}
	rc = conv_mark_misread(e, id, sess.name, answer, store_now_ms());
	backend_unlock(r->srv->backend);
	json_decref(body);
	if (rc == -2)
		return console_error(r, 404, "not_found");
	if (rc == -3)
		return console_error(r, 400, "bad_answer");
	if (rc != 0)
		return console_error(r, 503, "database");
	log_info("event=message_marked_misread inbound=%lld staff=%s", id,
	    sess.name);
	return console_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void
add_label(void *arg, const char *id, int topic)
{
	json_array_append_new((json_t *)arg, json_pack("{s:s, s:b}", "id", id,
	    "topic", topic));
}

/* The right answers staff may give, from the model the engine uses now
 * (it changes on SIGHUP, hence under the back end's lock). */
int
console_intents_get(struct http_req *r)
{
	struct session sess;
	struct conv_engine *e;
	json_t *list;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if ((list = json_array()) == NULL)
		return console_error(r, 503, "database");
	if ((e = backend_lock(r->srv->backend)) == NULL) {
		json_decref(list);
		return console_error(r, 503, "engine_unavailable");
	}
	conv_labels(e, add_label, list);
	backend_unlock(r->srv->backend);
	return console_json(r, 200, json_pack("{s:o}", "intents", list));
}

/* The citizen message id of msgs, as MESSAGE objects, or NULL. */
static json_t *
citizen_message(json_t *msgs, long long id)
{
	json_t *m;
	size_t i;

	json_array_foreach(msgs, i, m)
		if (json_integer_value(json_object_get(m, "id")) == id &&
		    strcmp(json_string_value(json_object_get(m, "from")) ?
		    json_string_value(json_object_get(m, "from")) : "",
		    "citizen") == 0)
			return m;
	return NULL;
}

void
console_review_marks(struct server *s, long long conv_id, json_t *msgs)
{
	static const char sql[] = "SELECT inbound_id, answer, marked_by "
	    "FROM review_items WHERE conversation_id = ?1 "
	    "AND (reasons & 16) <> 0";
	struct store_stmt *st;
	const char *answer, *by;
	json_t *m;

	_Static_assert(REVIEW_MARKED == 16, "the mark's bit in sql");

	if ((st = store_stmt(s->store, sql)) == NULL)
		return;
	store_bind_int64(st, 1, conv_id);
	while (store_step(st) == STORE_ROW) {
		if ((m = citizen_message(msgs, store_col_int64(st, 0))) ==
		    NULL)
			continue;
		answer = store_col_text(st, 1);
		by = store_col_text(st, 2);
		json_object_set_new(m, "misunderstood", json_pack(
		    "{s:s?, s:s?}", "answer", answer && answer[0] ? answer :
		    NULL, "by", by && by[0] ? by : NULL));
	}
	store_stmt_done(st);
}
