/*
 * console_int.h — shared between the console's files only:
 * console_api.c (auth, login, helpers, the route table),
 * console_static.c (the page), console_conv.c (conversations),
 * console_ops.c (takeover, reply, handback, close), console_cases.c
 * (cases) and console_ws.c (live pushes).
 */
#ifndef LOKET_CONSOLE_INT_H
#define LOKET_CONSOLE_INT_H

#include <jansson.h>

#include "console.h"
#include "session.h"
#include "throttle.h"

struct http_req;
struct server;
struct console_conn;
struct console_login;

#define CONSOLE_DIRTY_MAX	64	/* conversation ids marked per round */
#define CONSOLE_WINDOW_MS	(24LL * 3600 * 1000) /* Meta's reply window */

struct console {
	struct throttle		 throttle;	/* failed logins */
	struct console_conn	*conns;		/* open websockets */
	long long		 dirty[CONSOLE_DIRTY_MAX];
	int			 ndirty;
	int			 all_dirty;	/* refresh every transcript */
	int			 cases_dirty;	/* tell pages to refetch cases */
	long long		 purged_at;	/* last session purge, ms */
	struct console_login	*login;		/* password checks (started
						   at the first login) */
};

/* --- console_login.c ----------------------------------------------- */
/*
 * Queues a password check of pw against the stored hash (NULL: unknown
 * name, the same time is spent on nothing).  Returns the ticket for
 * http_defer (CONSOLE_LOGIN_TICKET set), or 0 when the queue is full or
 * memory ran out.  The request is resolved with 1 (match) or 2 (no).
 */
unsigned long long console_login_submit(struct server *s, const char *pw,
	    const char *hash);
/* Resolves the requests whose check is done (console_flush). */
void	console_login_collect(struct server *s);
/* Stops the worker, drops what is queued.  NULL ok. */
void	console_login_free(struct console_login *l);

/* --- console_api.c ------------------------------------------------- */

/* Replies with o as JSON (takes the reference); returns HTTP_DONE. */
int	console_json(struct http_req *r, int status, json_t *o);
/* {"error": code}; returns HTTP_DONE. */
int	console_error(struct http_req *r, int status, const char *code);
/*
 * The caller's session.  For state-changing requests (post != 0) also
 * requires X-CSRF-Token to equal the session's token, and a same-origin
 * Origin header when there is one.  Returns 0 with sess filled, or
 * replies (401 / 403 / 503) and returns HTTP_DONE.
 */
int	console_auth(struct http_req *r, struct session *sess, int post);
/* The session cookie's value out of a Cookie header (modified); 0/-1. */
int	console_cookie_token(char *cookie_hdr, char *out, size_t outlen);
/* 1 if origin is NULL (no Origin header) or http(s)://host exactly. */
int	console_origin_ok(const char *origin, const char *host);
/* on_headers for authenticated POST routes: checks, then reads the body. */
int	console_post_headers(struct http_req *r);
/* The POST body as a JSON object, or NULL after replying 400. */
json_t	*console_body(struct http_req *r);
/* 1 if the role may decide cases. */
int	console_is_coordinator(const struct session *sess);

/* --- console_report.c ---------------------------------------------- */
/* GET /api/report: the last 30 days, as `loket report --format json`. */
int	console_report_get(struct http_req *r);

/* --- console_static.c ---------------------------------------------- */
int	console_static_get(struct http_req *r);
int	console_redirect(struct http_req *r);

/* --- console_conv.c ------------------------------------------------ */
/* {"type": "conversations", "now": ms, "conversations": [...]} or NULL. */
json_t	*console_conv_list(struct server *s);
/* {"type": "conversation", "conversation": {...}, "messages": [...],
 * "case": {...} | null}, or NULL if there is no such conversation. */
json_t	*console_conv_detail(struct server *s, long long id);
int	console_conv_list_get(struct http_req *r);
int	console_conv_get(struct http_req *r);
int	console_conv_post(struct http_req *r);
/* A case row as JSON by reference, or NULL. */
json_t	*console_case_json(struct server *s, const char *ref);

/* --- console_ops.c ------------------------------------------------- */
/*
 * The four staff operations on a conversation.  Each returns 0, or an
 * HTTP status (404 unknown, 409 state conflict, 400 bad input, 503 database)
 * with *why set to a short error code.
 */
int	console_op_takeover(struct server *s, long long id, const char *staff,
	    const char **why);
int	console_op_reply(struct server *s, long long id, const char *staff,
	    const char *text, const char **why);
int	console_op_handback(struct server *s, long long id, const char *staff,
	    const char **why);
int	console_op_close(struct server *s, long long id, const char *staff,
	    const char *outcome, const char **why);

/* --- console_review.c ---------------------------------------------- */
/* GET /api/review, POST /api/review/ID/ignore,
 * POST /api/messages/ID/misunderstood. */
int	console_review_get(struct http_req *r);
int	console_review_post(struct http_req *r);
int	console_misread_post(struct http_req *r);

/* --- console_cases.c ----------------------------------------------- */
int	console_cases_get(struct http_req *r);
int	console_case_get(struct http_req *r);
int	console_case_post(struct http_req *r);

#endif
