/*
 * console_int.h — shared between the console's files only:
 * console_api.c (auth, login, helpers, the route table),
 * console_static.c (the page), console_conv.c (conversations),
 * console_ops.c (takeover, reply, handback, release, assign, close,
 * case), console_inbox.c (notes, the citizen's history, colleagues,
 * canned replies), console_cases.c
 * (cases), console_report.c and console_ws.c (live pushes).  A new tab
 * adds its own console_<tab>.c, its routes in console_api.c and its
 * section here.
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
struct console_canned;
struct conv_case_fields;

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
	struct console_canned	*canned;	/* canned replies, or NULL */
};

/* A search in the conversations (GET /api/conversations?...). */
struct console_filter {
	const char	*view;		/* open | waiting | mine | closed | all */
	const char	*me;		/* the caller, for "mine" */
	const char	*agency;	/* NULL: every agency */
	const char	*channel;	/* NULL: both */
	long long	 from_ms;	/* started at or after */
	long long	 to_ms;		/* started before; -1: no end */
	char		 q[200];	/* as typed */
	char		 like[420];	/* q as a LIKE pattern, "" none */
	char		 view_buf[16], agency_buf[64], channel_buf[16];
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
/* The same without a request: a new object, or NULL when data is not a
 * JSON object (an empty body is {}). */
json_t	*console_read_body(const char *data, size_t len);

/* A case decision as posted (strings borrowed from the body object). */
struct console_decision {
	const char	*step;
	int		 admissible;	/* -1 not given */
	const char	*reason;
	const char	*verdict;
	const char	*note;
};
/* Reads body into d; -1 without a step or with a note too long. */
int	console_parse_decision(json_t *body, struct console_decision *d);
/* The status d leads to from cur, or NULL with *why set to the error. */
const char *console_next_status(const char *cur,
	    const struct console_decision *d, const char **why);
/* 1 if the role may decide cases. */
int	console_is_coordinator(const struct session *sess);

/* --- console_report.c ---------------------------------------------- */
/* GET /api/report: the last 30 days, as `loket report --format json`. */
int	console_report_get(struct http_req *r);
/* GET /api/report.csv and /api/report.html: the same as downloads. */
int	console_report_csv_get(struct http_req *r);
int	console_report_html_get(struct http_req *r);

/* --- console_static.c ---------------------------------------------- */
int	console_static_get(struct http_req *r);
int	console_redirect(struct http_req *r);

/* --- console_conv.c ------------------------------------------------ */
/* {"type": "conversations", "now": ms, "conversations": [...]} or NULL. */
json_t	*console_conv_list(struct server *s);
/* {"type": "conversation", "conversation": {...}, "messages": [...],
 * "case": {...} | null}, or NULL if there is no such conversation. */
json_t	*console_conv_detail(struct server *s, long long id);
void	console_filter_init(struct console_filter *f);
int	console_conv_list_get(struct http_req *r);
int	console_conv_get(struct http_req *r);
int	console_conv_post(struct http_req *r);
/* A case row as JSON by reference, or NULL. */
json_t	*console_case_json(struct server *s, const char *ref);

/* --- console_ops.c ------------------------------------------------- */
/*
 * The staff operations on a conversation, by the session's member of
 * staff (a coordinator may also act on a colleague's).  Each returns 0,
 * or an HTTP status (404 unknown, 409 state conflict, 400 bad input, 403
 * not allowed, 503 database) with *why set to a short error code.
 */
int	console_op_takeover(struct server *s, long long id,
	    const struct session *who, const char **why);
int	console_op_reply(struct server *s, long long id,
	    const struct session *who, const char *text, const char **why);
int	console_op_handback(struct server *s, long long id,
	    const struct session *who, const char **why);
int	console_op_release(struct server *s, long long id,
	    const struct session *who, const char **why);
int	console_op_close(struct server *s, long long id,
	    const struct session *who, const char *outcome, const char **why);
/* Coordinators only: colleague holds it from now on. */
int	console_op_assign(struct server *s, long long id,
	    const struct session *who, const char *colleague,
	    const char **why);
int	console_op_case(struct server *s, long long id,
	    const struct session *who, const struct conv_case_fields *f,
	    const char **why);

/* --- console_inbox.c ----------------------------------------------- */
/* q as a LIKE pattern ("%q%", wildcards escaped with '\'); a phone
 * number is searched by its digits.  out is "" when q is blank. */
void	console_like_pattern(const char *q, char *out, size_t outlen);
/* Adds an internal note (never sent); 0 or a status with *why. */
int	console_note_add(struct server *s, long long id,
	    const struct session *who, const char *text, const char **why);
/* [{"author", "text", "at"}...] of a conversation; [] on error. */
json_t	*console_notes_json(struct server *s, long long conv_id);
/* The citizen's other conversations (same channel and user), latest
 * first, each with its case; [] on error. */
json_t	*console_history_json(struct server *s, long long conv_id);
/* GET /api/staff: colleagues' names and roles (for assigning). */
int	console_staff_get(struct http_req *r);
/* GET /api/canned?agency=ID: the canned replies for that agency. */
int	console_canned_get(struct http_req *r);
/* Loads DIR/standaardantwoorden.txt (at start and on SIGHUP); a broken
 * file keeps the old set (logged). */
void	console_canned_load(struct console *c, const char *locales_dir);
void	console_canned_free(struct console_canned *k);

/* --- console_review.c ---------------------------------------------- */
/* GET /api/review, POST /api/review/ID/ignore,
 * POST /api/messages/ID/misunderstood. */
int	console_review_get(struct http_req *r);
int	console_review_post(struct http_req *r);
int	console_misread_post(struct http_req *r);
/* GET /api/intents: {"intents": [{"id", "topic"}]}, the right answers a
 * mark may name. */
int	console_intents_get(struct http_req *r);
/* Adds "misunderstood": {"answer", "by"} (null when not known) to the
 * citizen messages of msgs (conversation conv_id's transcript) that
 * staff marked; leaves msgs as it was on a database error. */
void	console_review_marks(struct server *s, long long conv_id,
	    json_t *msgs);

/* --- console_media.c ----------------------------------------------- */
/* Adds "media" {id, kind, status, content_type, size, filename, error,
 * case_ref, inline} to the citizen's messages of msgs that carry one. */
void	console_media_annotate(struct server *s, long long conv_id,
	    json_t *msgs);
/* The photos and files that are evidence of case ref: [...] ([] on
 * error). */
json_t	*console_media_case(struct server *s, const char *ref);
/* GET /api/media/ID: the bytes, to logged-in staff. */
int	console_media_get(struct http_req *r);

/* --- console_cases.c ----------------------------------------------- */
int	console_cases_get(struct http_req *r);
int	console_case_get(struct http_req *r);
int	console_case_post(struct http_req *r);

#endif
