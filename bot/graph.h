/*
 * graph.h — the Graph API client: WhatsApp Cloud API and Messenger Send API
 * requests, a curl worker thread that sends them, and the classification
 * of Meta's answers.
 *
 * Threads: graph_new/graph_submit/graph_drain/graph_free are called on the
 * service thread; the worker thread owns the curl multi handle.  Only plain
 * structs with owned strings cross between them (no json_t, no sqlite3 *).
 * The worker announces results through the wake callback, which must be
 * safe to call from another thread (the server passes one that calls
 * lws_cancel_service; graph.c never includes libwebsockets).
 *
 * The builders (graph_build*) and graph_classify are pure and unit-tested.
 */
#ifndef LOKET_GRAPH_H
#define LOKET_GRAPH_H

#include <stddef.h>

/* Meta's limits, from the platform notes (§0, §4.2, §6). */
#define GRAPH_WA_TEXT_MAX	4096	/* text body, list body */
#define GRAPH_WA_BUTTON_BODY	1024	/* reply-button body */
#define GRAPH_WA_BUTTONS	3
#define GRAPH_WA_BUTTON_TITLE	20
#define GRAPH_WA_BUTTON_ID	256
#define GRAPH_WA_LIST_ROWS	10
#define GRAPH_WA_ROW_TITLE	24
#define GRAPH_WA_ROW_ID		200
#define GRAPH_WA_LIST_BUTTON	20
#define GRAPH_WA_PARAM_MAX	1024	/* one template text parameter */
#define GRAPH_MS_TEXT_MAX	1999	/* "< 2000" */
#define GRAPH_MS_QUICK		13
#define GRAPH_MS_QUICK_TITLE	20
#define GRAPH_MS_PAYLOAD	1000

/* One HTTP request.  All strings are owned (malloc'd) by the job. */
struct graph_job {
	long long	 id;		/* caller's id (the outbox row id) */
	char		*method;	/* "POST", or "GET" (downloads) */
	char		*url;		/* full URL incl. appsecret_proof */
	char		*auth;		/* "Authorization: Bearer ..." header,
					   or NULL (GET only) */
	char		*body;		/* JSON; NULL for GET */
	size_t		 max_bytes;	/* answer cap; 0: 256 KiB.  A larger
					   answer fails with too_big set */
	struct graph_job *next;		/* queue link, owned by graph */
};

/* The answer to one job.  Strings owned by the result. */
struct graph_result {
	long long	 id;		/* the job's id */
	long		 http_status;	/* 0 when no HTTP answer came */
	int		 curl_code;	/* CURLcode, 0 = transfer completed */
	char		*curl_error;	/* curl's error text, or NULL */
	char		*body;		/* response body (capped), or NULL;
					   NUL-terminated, may hold NULs */
	size_t		 body_len;	/* its length in bytes */
	char		*content_type;	/* Content-Type header, or NULL */
	int		 too_big;	/* answer was over the job's cap */
	long		 retry_after_s;	/* Retry-After header, -1 if none */
	struct graph_result *next;	/* list link */
};

/*
 * Tests replace the network: called on the worker thread for each job, it
 * fills res (http_status, body as malloc'd string, ...) as if an answer had
 * come.  "log:" mode is such a responder built in.
 */
typedef void	(*graph_responder)(void *arg, const struct graph_job *job,
		    struct graph_result *res);

struct graph_opts {
	const char	*base_url;	/* "https://graph.facebook.com/v24.0",
					   "http://127.0.0.1:PORT", or "log:" */
	long		 connect_timeout_ms; /* 0: 5000 */
	long		 timeout_ms;	/* whole transfer; 0: 30000 */
	int		 max_connections; /* 0: 16 */
	void		(*wake)(void *arg); /* results are ready (any thread) */
	void		*wake_arg;
	graph_responder	 responder;	/* tests: answer without network */
	void		*responder_arg;
};

struct graph;

/*
 * Starts the worker thread (and curl_global_init).  Returns NULL on error
 * (logged).  Strings in opts are copied.
 */
struct graph	*graph_new(const struct graph_opts *opts);
/*
 * Stops the worker: queued jobs are dropped, transfers in flight get up to
 * grace_ms to finish; joins it.  graph_drain still works afterwards.
 */
void		 graph_stop(struct graph *g, long grace_ms);
/* Stops and joins the worker (if not yet), frees queued jobs and undrained results,
 * cleans up curl.  Jobs in flight are abandoned (no result).  NULL ok. */
void		 graph_free(struct graph *g);
/* Queues job for sending; takes ownership of job (freed by graph). */
void		 graph_submit(struct graph *g, struct graph_job *job);
/* Takes every finished result, oldest first; free with graph_result_free. */
struct graph_result *graph_drain(struct graph *g);
/* Frees a whole result list.  NULL ok. */
void		 graph_result_free(struct graph_result *r);
void		 graph_job_free(struct graph_job *j);
/* Whether a transfer error (CURLcode) is our own mistake (bad URL,
 * protocol not built in) that no retry can fix. */
int		 graph_curl_permanent(int curl_code);
/* Whether g sends nowhere but the log ("log:"). */
int		 graph_is_log(const struct graph *g);

/* ---- request builders (graph_build.c) ---- */

/* What to send, as the outbox knows it. */
struct graph_send {
	long long	 id;		/* becomes job->id */
	const char	*channel;	/* "whatsapp" | "messenger" */
	const char	*base_url;	/* config graph_url ("log:" allowed) */
	const char	*account_id;	/* WhatsApp phone_number_id */
	const char	*token;		/* WA bearer token / page token */
	const char	*app_secret;	/* for appsecret_proof, or NULL */
	const char	*to;		/* WA phone digits (no +) or PSID */
	const char	*kind;		/* outbox kind (outbox.h) */
	const char	*body;		/* outbox body JSON (outbox.h) */
	int		 human_agent;	/* Messenger: MESSAGE_TAG HUMAN_AGENT */
};

enum graph_build_rc {
	GRAPH_BUILD_OK = 0,	/* *out holds a job */
	GRAPH_BUILD_SKIP = 1,	/* nothing to send on this channel (typing
				   without a message id on WhatsApp) */
	GRAPH_BUILD_ERR = -1	/* cannot be sent: err says why */
};

/* Builds the request for s.  On GRAPH_BUILD_OK *out is a new job. */
enum graph_build_rc graph_build(const struct graph_send *s,
		    struct graph_job **out, char *err, size_t errlen);
/*
 * Builds a WhatsApp template send (the 24-hour window fallback) with one
 * body parameter param (NULL: none), cleaned up the way Meta wants text
 * parameters (no newlines or tabs, at most GRAPH_WA_PARAM_MAX chars).
 */
enum graph_build_rc graph_build_template(const struct graph_send *s,
		    const char *name, const char *lang, const char *param,
		    struct graph_job **out, char *err, size_t errlen);
/* The outbox body of kind "template" (outbox.h) for these values, the
 * parameter cleaned as above (malloc'd); NULL if param is empty or on
 * OOM. */
char		*graph_template_body(const char *name, const char *lang,
		    const char *param);
/* The "text" of an outbox body (malloc'd), or NULL if it has none. */
char		*graph_body_text(const char *body);

/*
 * Copies at most max characters (code points) of the UTF-8 string s into a
 * new string; when s was longer, the last kept character is replaced by
 * "…" so the reader sees it was cut.  Never splits a multi-byte sequence;
 * invalid bytes count as one character each.  NULL if out of memory.
 */
char		*graph_utf8_trunc(const char *s, size_t max);
/* Hex HMAC-SHA256 of token keyed with secret, into out[65]. */
void		 graph_appsecret_proof(const char *secret, const char *token,
		    char out[65]);

/* ---- answers (graph_error.c) ---- */

enum graph_verdict {
	GRAPH_ACCEPTED,		/* Meta took it; msg_id may be set */
	GRAPH_RETRY,		/* transient: back off and try again */
	GRAPH_PERMANENT		/* will never work as is: fail the row */
};

struct graph_outcome {
	enum graph_verdict verdict;
	int		 code;		/* Meta's error code, -1 if none */
	char		 msg_id[256];	/* wamid / mid when accepted */
	char		 text[512];	/* error description when not accepted */
};

/* What to do with a Meta error code: GRAPH_RETRY, GRAPH_PERMANENT, or -1
 * when the code is not in the tables. */
int		 graph_code_verdict(int code);
/* Classifies one answer by Meta's error code, then by transport and HTTP
 * status (see graph_error.c).  Pure. */
void		 graph_classify(long http_status, int curl_code,
		    const char *curl_error, const char *body,
		    struct graph_outcome *out);

#endif
