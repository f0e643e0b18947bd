/*
 * console_api.c — the console's HTTP side: authentication (session
 * cookie, CSRF token, Origin), login with slow-down, logout, /api/me,
 * the JSON helpers and the route table.  The other console_*.c files
 * hold the handlers for conversations, cases and the page itself.
 * Service thread.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console_int.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "staff.h"
#include "store.h"

#define LOGIN_MAX_BODY	4096
#define POST_MAX_BODY	(64 * 1024)

int
console_json(struct http_req *r, int status, json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (text == NULL)
		return http_reply(r, 500, "application/json",
		    STRLIT("{\"error\":\"internal\"}"));
	http_reply(r, status, "application/json; charset=utf-8", text,
	    strlen(text));
	free(text);
	return HTTP_DONE;
}

int
console_error(struct http_req *r, int status, const char *code)
{
	return console_json(r, status, json_pack("{s:s}", "error", code));
}

int
console_cookie_token(char *hdr, char *out, size_t outlen)
{
	char *p, *end;
	size_t n = strlen(SESSION_COOKIE);

	for (p = hdr; p != NULL && *p != '\0'; p = end ? end + 1 : NULL) {
		end = strchr(p, ';');
		if (end != NULL)
			*end = '\0';
		while (*p == ' ')
			p++;
		if (strncmp(p, SESSION_COOKIE, n) == 0 && p[n] == '=') {
			snprintf(out, outlen, "%s", p + n + 1);
			return 0;
		}
	}
	return -1;
}

int
console_origin_ok(const char *origin, const char *host)
{
	if (origin == NULL)
		return 1;
	if (host == NULL)
		return 0;
	if (strncmp(origin, "https://", 8) == 0)
		origin += 8;
	else if (strncmp(origin, "http://", 7) == 0)
		origin += 7;
	else
		return 0;
	return strcmp(origin, host) == 0;
}

static int
cookie_token(struct http_req *r, char *out, size_t outlen)
{
	char hdr[4096];

	if (http_std_header(r, HTTP_HDR_COOKIE, hdr, sizeof(hdr)) == -1)
		return -1;
	return console_cookie_token(hdr, out, outlen);
}

static int
origin_ok(struct http_req *r)
{
	char origin[512], host[512];
	int has_origin, has_host;

	has_origin = http_std_header(r, HTTP_HDR_ORIGIN, origin,
	    sizeof(origin)) == 0;
	has_host = http_std_header(r, HTTP_HDR_HOST, host, sizeof(host)) == 0;
	return console_origin_ok(has_origin ? origin : NULL, has_host ? host :
	    NULL);
}

int
console_auth(struct http_req *r, struct session *sess, int post)
{
	char token[128], csrf[128];
	int rc;

	if (cookie_token(r, token, sizeof(token)) == -1)
		return console_error(r, 401, "login_required");
	if ((rc = session_lookup(r->srv->store, token, sess)) == -1)
		return console_error(r, 503, "database");
	if (rc == 0)
		return console_error(r, 401, "login_required");
	/* An intent author sees the masked review, never a conversation. */
	if (strcmp(sess->role, "author") == 0 && strcmp(r->path, "/api/me") &&
	    strcmp(r->path, "/api/logout") && strcmp(r->path, "/api/review") &&
	    strcmp(r->path, "/api/intents") &&
	    strncmp(r->path, "/api/review/", 12) != 0)
		return console_error(r, 403, "review_only");
	if (!post)
		return 0;
	if (!origin_ok(r))
		return console_error(r, 403, "bad_origin");
	if (http_header(r, "x-csrf-token", csrf, sizeof(csrf)) == -1 ||
	    !staff_str_equal(csrf, sess->csrf))
		return console_error(r, 403, "csrf");
	return 0;
}

int
console_post_headers(struct http_req *r)
{
	struct session sess;

	if (console_auth(r, &sess, 1) == HTTP_DONE)
		return HTTP_DONE;
	return HTTP_READ_BODY;
}

json_t *
console_read_body(const char *data, size_t len)
{
	json_error_t e;
	json_t *o;

	o = len ? json_loadb(data, len, 0, &e) : json_object();
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
console_body(struct http_req *r)
{
	json_t *o = console_read_body(r->body.data, r->body.len);

	if (o == NULL)
		console_error(r, 400, "bad_json");
	return o;
}

int
console_is_coordinator(const struct session *sess)
{
	return strcmp(sess->role, "coordinator") == 0 ||
	    strcmp(sess->role, "admin") == 0;
}

/* The agencies by id and name, for the page's filters. */
static json_t *
agencies_json(const struct config *cfg)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < cfg->n_agencies; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "id",
		    cfg->agencies[i].id, "name", cfg->agencies[i].name ?
		    cfg->agencies[i].name : cfg->agencies[i].id));
	return list ? list : json_array();
}

/* {"name", "role", "csrf", "agencies"}, with one extra header line or
 * NULL. */
static int
reply_me(struct http_req *r, const struct session *sess, const char *extra)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "name", sess->name,
	    "role", sess->role, "csrf", sess->csrf, "agencies",
	    agencies_json(r->srv->cfg));
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (text == NULL)
		return console_error(r, 500, "internal");
	http_reply_hdr(r, 200, "application/json; charset=utf-8", text,
	    strlen(text), extra);
	free(text);
	return HTTP_DONE;
}

static int
me_get(struct http_req *r)
{
	struct session sess;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	return reply_me(r, &sess, NULL);
}

static int
too_many(struct http_req *r, long long wait_ms)
{
	char hdr[64];

	snprintf(hdr, sizeof(hdr), "Retry-After: %lld", (wait_ms + 999) / 1000);
	http_reply_hdr(r, 429, "application/json",
	    STRLIT("{\"error\":\"too_many_attempts\"}"), hdr);
	return HTTP_DONE;
}

static int
login_headers(struct http_req *r)
{
	struct console *c = r->srv->console;
	char addr[64], key[THROTTLE_KEY_MAX];
	long long wait;

	if (!origin_ok(r))
		return console_error(r, 403, "bad_origin");
	http_client_addr(r, addr, sizeof(addr));
	snprintf(key, sizeof(key), "a:%s", addr);
	wait = session_throttle_wait(r->srv->store, &c->throttle, key,
	    store_now_ms());
	if (wait > 0)
		return too_many(r, wait);
	return HTTP_READ_BODY;
}

static int
login_ok(struct http_req *r, const struct staff_account *a)
{
	char token[SESSION_TOKEN_LEN + 1], cookie[256];
	struct session sess;

	if (session_create(r->srv->store, a, token, &sess) == -1)
		return console_error(r, 503, "database");
	snprintf(cookie, sizeof(cookie), "Set-Cookie: %s=%s; Path=/; "
	    "HttpOnly; SameSite=Strict; Max-Age=%lld%s", SESSION_COOKIE, token,
	    SESSION_IDLE_MS / 1000, r->srv->cfg->secure_cookies ?
	    "; Secure" : "");
	log_info("event=login name=%s role=%s", a->name, a->role);
	return reply_me(r, &sess, cookie);
}

/*
 * Name and password, read again from the body when the check is done
 * (the request keeps its body; nothing else needs to wait with it).
 * Returns the parsed object (its strings are *name and *pw), or NULL
 * after replying 400.
 */
static json_t *
login_fields(struct http_req *r, const char **name, const char **pw)
{
	json_t *o;

	if ((o = console_body(r)) == NULL)
		return NULL;
	if (json_unpack(o, "{s:s, s:s}", "name", name, "password", pw) ||
	    strlen(*name) >= STAFF_NAME_MAX || strlen(*pw) > 1024) {
		json_decref(o);
		console_error(r, 400, "name_and_password_required");
		return NULL;
	}
	return o;
}

static void
throttle_keys(struct http_req *r, const char *name, char *kaddr,
    char *kname, char *addr, size_t addrlen)
{
	http_client_addr(r, addr, addrlen);
	snprintf(kaddr, THROTTLE_KEY_MAX, "a:%s", addr);
	snprintf(kname, THROTTLE_KEY_MAX, "u:%s", name);
}

/*
 * The password check is done (console_login.c): ok is 1 when it matched,
 * 2 when not (or the name is unknown).  The account is looked up again:
 * it may have been removed meanwhile.
 */
static int
login_done(struct http_req *r, int ok)
{
	struct throttle *t = &r->srv->console->throttle;
	struct store *db = r->srv->store;
	char addr[64], kaddr[THROTTLE_KEY_MAX], kname[THROTTLE_KEY_MAX];
	char hash[STAFF_HASH_MAX];
	const char *name, *pw;
	struct staff_account a;
	long long now = store_now_ms();
	json_t *o;
	int rc = 0;

	if ((o = login_fields(r, &name, &pw)) == NULL)
		return HTTP_DONE;
	throttle_keys(r, name, kaddr, kname, addr, sizeof(addr));
	if (ok == 1)
		rc = staff_find(r->srv->store, name, &a, hash, sizeof(hash));
	json_decref(o);
	if (rc == -1)
		return console_error(r, 503, "database");
	if (rc == 0) {
		session_throttle_fail(db, t, kname, THROTTLE_FREE_ACCOUNT, now);
		session_throttle_fail(db, t, kaddr, THROTTLE_FREE_ADDRESS, now);
		log_warnx("event=login_failed addr=%s", addr);
		return console_error(r, 401, "invalid_login");
	}
	session_throttle_clear(db, t, kname);
	session_throttle_clear(db, t, kaddr);
	return login_ok(r, &a);
}

static int
login_body(struct http_req *r)
{
	struct console *c = r->srv->console;
	char addr[64], kaddr[THROTTLE_KEY_MAX], kname[THROTTLE_KEY_MAX];
	char hash[STAFF_HASH_MAX];
	const char *name = NULL, *pw = NULL;
	struct staff_account a;
	long long now = store_now_ms(), wait, wait2;
	json_t *o;
	int rc;

	if ((o = login_fields(r, &name, &pw)) == NULL)
		return HTTP_DONE;
	throttle_keys(r, name, kaddr, kname, addr, sizeof(addr));
	/* The counts may be shared by several instances (session.h). */
	wait = session_throttle_wait(r->srv->store, &c->throttle, kname, now);
	if (wait < (wait2 = session_throttle_wait(r->srv->store, &c->throttle,
	    kaddr, now)))
		wait = wait2;
	if (wait > 0) {
		json_decref(o);
		return too_many(r, wait);
	}
	rc = staff_name_valid(name) ? staff_find(r->srv->store, name, &a, hash,
	    sizeof(hash)) : 0;
	if (rc != -1)
		r->ticket = console_login_submit(r->srv, pw, rc == 1 ? hash :
		    NULL);
	explicit_bzero(hash, sizeof(hash));
	json_decref(o);
	if (rc == -1)
		return console_error(r, 503, "database");
	if (r->ticket == 0)
		return console_error(r, 503, "busy");
	/* PBKDF2 on the worker; login_done() answers. */
	return http_defer(r);
}

static int
logout_body(struct http_req *r)
{
	char token[128], cookie[160];

	if (cookie_token(r, token, sizeof(token)) == 0)
		session_destroy(r->srv->store, token);
	console_notify(r->srv, 0);	/* its websockets re-check and close */
	snprintf(cookie, sizeof(cookie), "Set-Cookie: %s=; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=0%s", SESSION_COOKIE,
	    r->srv->cfg->secure_cookies ? "; Secure" : "");
	http_reply_hdr(r, 200, "application/json", "{\"ok\":true}", 11,
	    cookie);
	return HTTP_DONE;
}

/* Unknown /api/ paths: 401 without a session (reveals nothing), else 404. */
static int
api_unknown(struct http_req *r)
{
	struct session sess;

	if (console_auth(r, &sess, r->method == HTTP_POST) == HTTP_DONE)
		return HTTP_DONE;
	return console_error(r, 404, "not_found");
}

const struct http_route console_routes[] = {
	{ HTTP_POST, "/api/login", LOGIN_MAX_BODY, login_headers, login_body,
	    login_done },
	{ HTTP_POST, "/api/logout", LOGIN_MAX_BODY, console_post_headers,
	    logout_body, NULL },
	{ HTTP_GET, "/api/me", 0, me_get, NULL, NULL },
	{ HTTP_GET, "/api/conversations", 0, console_conv_list_get, NULL,
	    NULL },
	{ HTTP_GET, "/api/conversations/", 0, console_conv_get, NULL, NULL },
	{ HTTP_POST, "/api/conversations/", POST_MAX_BODY,
	    console_post_headers, console_conv_post, NULL },
	{ HTTP_GET, "/api/cases", 0, console_cases_get, NULL, NULL },
	{ HTTP_GET, "/api/report", 0, console_report_get, NULL, NULL },
	{ HTTP_GET, "/api/report.csv", 0, console_report_csv_get, NULL, NULL },
	{ HTTP_GET, "/api/report.html", 0, console_report_html_get, NULL,
	    NULL },
	{ HTTP_GET, "/api/staff", 0, console_staff_get, NULL, NULL },
	{ HTTP_GET, "/api/canned", 0, console_canned_get, NULL, NULL },
	{ HTTP_GET, "/api/cases/", 0, console_case_get, NULL, NULL },
	{ HTTP_POST, "/api/cases/", POST_MAX_BODY, console_post_headers,
	    console_case_post, NULL },
	{ HTTP_GET, "/api/media/", 0, console_media_get, NULL, NULL },
	{ HTTP_GET, "/api/review", 0, console_review_get, NULL, NULL },
	{ HTTP_GET, "/api/intents", 0, console_intents_get, NULL, NULL },
	{ HTTP_POST, "/api/review/", POST_MAX_BODY, console_post_headers,
	    console_review_post, NULL },
	{ HTTP_POST, "/api/messages/", POST_MAX_BODY, console_post_headers,
	    console_misread_post, NULL },
	{ HTTP_GET, "/api/", 0, api_unknown, NULL, NULL },
	{ HTTP_POST, "/api/", LOGIN_MAX_BODY, console_post_headers, api_unknown,
	    NULL },
	{ HTTP_GET, "/console", 0, console_redirect, NULL, NULL },
	{ HTTP_GET, "/console/", 0, console_static_get, NULL, NULL },
	{ HTTP_GET, "/favicon.ico", 0, console_static_get, NULL, NULL },
	{ 0, NULL, 0, NULL, NULL, NULL }
};
