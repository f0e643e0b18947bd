/*
 * http.h — one HTTP request as the route handlers see it, and the reply
 * helper.  lws itself stays inside http.c: handlers (webhook_http.c,
 * console, metrics) only use these functions.
 *
 * Every reply carries the console's security headers (CSP without inline
 * script, nosniff, DENY framing, no referrer): harmless for Meta, and no
 * route can forget them.
 *
 * Keep-alive, within what libwebsockets 4.1 parses correctly: a POST with
 * a body is answered from the connection's next writable callback, and the
 * connection stays open for the client's next request only if not one byte
 * of that request arrived before the reply was written.  lws 4.1 misreads
 * a pipelined request (and spins) once the first transaction completes, so
 * a pipelining client gets its first answer with `Connection: close` and
 * sends the rest again; so do replies from the header stage (GET, refusals)
 * and bodiless POSTs, whose leftover bytes lws would parse as new headers.
 *
 * The transport knows no handler: the route tables, the websocket protocol
 * and the hooks (loop wake-up, tick, counting refusals) are given to
 * http_start() by whoever composes the server (cmd_serve.c).
 */
#ifndef LOKET_HTTP_H
#define LOKET_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "buf.h"

struct server;		/* opaque here: the hooks' argument */
struct lws;
struct lws_protocols;
struct http;

enum http_method { HTTP_GET, HTTP_POST, HTTP_OTHER };

struct http_req {
	struct lws	*wsi;
	struct server	*srv;
	enum http_method method;
	char		 path[512];	/* without the query */
	const struct http_route *route;
	struct buf	 body;		/* POST body, capped by the route */
	char		 sig[128];	/* X-Hub-Signature-256, or "" */
	long long	 t0_us;		/* when the headers were complete */
	int		 replied;
	int		 deferred;	/* waits for the group commit */
	unsigned long long ticket;	/* its intake job */
	int		 deferred_status; /* reply once the commit is done */
	const char	*cache_control;	/* NULL: "no-store" */
	struct http_req	*next_deferred;
	struct http	*http;		/* the transport serving it */
	int		 body_done;	/* BODY_COMPLETION seen once */
	int		 pipelined;	/* bytes of a next request arrived
					   before the reply: close after it */
	int		 may_keep;	/* POST with a body: keep-alive ok */
	struct buf	 out;		/* reply: status line, headers */
	struct buf	 out_body;	/* reply: body */
	int		 out_failed;	/* composing it ran out of memory */
	int		 written;	/* the reply went out */
	int		 head;		/* HEAD: routed as GET, the reply
					   without its body */
};

#define HTTP_READ_BODY	0	/* handler wants the body: keep reading */
#define HTTP_DONE	(-1)	/* handler replied (the transport decides
				   whether the connection stays open) */

struct http_route {
	enum http_method method;
	const char	*path;		/* exact, or prefix when it ends in / */
	size_t		 max_body;	/* POST bodies larger get 413 */
	/* Headers complete.  Returns HTTP_READ_BODY or HTTP_DONE. */
	int		(*on_headers)(struct http_req *);
	/* Whole body read (POST).  Returns HTTP_DONE, or 0 after
	 * http_defer(). */
	int		(*on_body)(struct http_req *);
	/* Deferred request: the group commit ended with status (200 or
	 * 503).  Replies; returns HTTP_DONE. */
	int		(*on_committed)(struct http_req *, int status);
};

/* Writes status, headers and body in one write.  Returns HTTP_DONE. */
int	http_reply(struct http_req *r, int status, const char *content_type,
	    const char *body, size_t len);
/* Same with one extra header line ("Name: value", no CRLF) or NULL. */
int	http_reply_hdr(struct http_req *r, int status, const char *ctype,
	    const char *body, size_t len, const char *extra_header);
/*
 * Group commit: the handler handed its events to the intake writer under
 * r->ticket and wants to answer once they are committed.  Returns 0 (the
 * connection stays open).  http_resolve_deferred() answers the request
 * holding that ticket with status (200 after the commit, 503 after a
 * failure) from its next writable callback; 0 if it is still there, -1 if
 * the client went away.
 */
int	http_defer(struct http_req *r);
int	http_resolve_deferred(struct http *h, unsigned long long ticket,
	    int status);

/* Query argument (URL-decoded) into out; 0 if present, -1 if not. */
int	http_query(struct http_req *r, const char *name, char *out,
	    size_t outlen);
/* Copies a request header by lower-case name without colon, -1 if none
 * or too long. */
int	http_header(struct http_req *r, const char *name, char *out,
	    size_t outlen);
/* 1 if the request carries header name (lower case, no colon) at all:
 * also when its value is empty or too long to copy. */
int	http_header_sent(struct http_req *r, const char *name);
/* 1 if the peer is on loopback (127.0.0.0/8, ::1 or a unix socket). */
int	http_peer_is_loopback(struct http_req *r);

enum http_hdr { HTTP_HDR_COOKIE, HTTP_HDR_ORIGIN, HTTP_HDR_HOST,
	HTTP_HDR_XFF };
/* Copies a standard request header; -1 if absent or longer than outlen. */
int	http_std_header(struct http_req *r, enum http_hdr h, char *out,
	    size_t outlen);
/*
 * The client's address: the peer's, or behind a proxy on loopback the
 * last X-Forwarded-For entry (the one our proxy added).
 */
void	http_client_addr(struct http_req *r, char *out, size_t outlen);

/*
 * What the composer plugs in.  Every hook runs on the service thread and
 * gets arg (also each request's r->srv and the lws context user).
 */
struct http_hooks {
	struct server	*arg;
	/* After every loop wake-up (requests, timers, http_wake). */
	void		(*after_wake)(struct server *arg);
	/* Once a second. */
	void		(*tick)(struct server *arg);
	/* A request refused by the transport before its handler ran (411,
	 * 413, 400), for the handler's counters.  May be NULL. */
	void		(*refused)(struct server *arg, const char *path,
			    int status);
	/* Blocks until deferred request `ticket` can be resolved and
	 * resolves it (http_resolve_deferred): a pipelined request arrived
	 * behind it and lws must not be left spinning. */
	void		(*wait)(struct server *arg, unsigned long long ticket);
};

struct http_opts {
	const char	*listen_addr;	/* NULL, an address, or /unix/path */
	int		 port;
	/* Route tables, each NULL-path terminated, searched in order;
	 * the array itself ends with NULL.  Must outlive the server. */
	const struct http_route *const *routes;
	/* The websocket protocol (chosen by subprotocol), or NULL.
	 * Copied; its name must outlive the server. */
	const struct lws_protocols *ws;
	struct http_hooks hooks;
};

/* Creates the lws context listening per o; NULL on error (logged). */
struct http	*http_start(const struct http_opts *o);
/* Runs the loop until *stop is set (http_wake makes it look). */
void		 http_run(struct http *h, const atomic_int *stop);
/* Closes every connection and frees h.  NULL ok. */
void		 http_stop(struct http *h);
/* Wakes the service loop from any thread (lws_cancel_service).  arg is a
 * struct http; NULL ok. */
void		 http_wake(void *http);
/* Runs the after_wake hook in us microseconds (service thread only). */
void		 http_wake_after(struct http *h, long long us);

#endif
