/*
 * http.h — one HTTP request as the route handlers see it, and the reply
 * helper.  lws itself stays inside http.c: handlers (webhook_http.c,
 * console, metrics) only use these functions.
 *
 * Every reply carries the console's security headers (CSP without inline
 * script, nosniff, DENY framing, no referrer): harmless for Meta, and no
 * route can forget them.
 *
 * Every reply is written in one go with `Connection: close` and ends the
 * connection: libwebsockets 4.1 misreads pipelined POST bodies and can spin
 * when a reply is deferred (see the project notes), so one transaction per
 * connection is the safe shape.
 */
#ifndef LOKET_HTTP_H
#define LOKET_HTTP_H

#include <stddef.h>

#include "buf.h"

struct server;
struct lws;

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
};

#define HTTP_READ_BODY	0	/* handler wants the body: keep reading */
#define HTTP_DONE	(-1)	/* handler replied: close the connection */

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
int	http_resolve_deferred(struct server *s, unsigned long long ticket,
	    int status);
/* Microseconds on the monotonic clock. */
long long http_now_us(void);

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

/* Route tables, NULL-path terminated, searched in order. */
extern const struct http_route webhook_routes[];
extern const struct http_route console_routes[];	/* console_api.c */
extern const struct http_route metrics_routes[];	/* metrics.c */

#endif
