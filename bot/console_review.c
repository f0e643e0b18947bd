/*
 * console_review.c — the review of misunderstood messages in the console
 * API (issue 15):
 *   GET  /api/review                   the open groups, masked (review.h);
 *                                      coordinator, admin, author
 *   POST /api/review/ID/ignore         closes ID's group; same roles
 *   POST /api/messages/ID/misunderstood {"answer"?}  staff mark a citizen
 *                                      message "de bot begreep dit
 *                                      verkeerd"; not for authors, who see
 *                                      no conversations
 * Assigning a group to an intent writes phrase files and stays on the
 * command line (`loket intents review --assign`).  Service thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
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

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if (!may_review(&sess))
		return console_error(r, 403, "review_only");
	if ((s = review_set_load(r->srv->store, r->srv->cfg, NULL)) == NULL)
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
