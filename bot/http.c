/*
 * http.c — the libwebsockets server: context, mounts, the HTTP protocol
 * callback, request routing, keep-alive and the reply helper.  Runs on the
 * service thread.  It serves the routes, websocket protocol and hooks it
 * is given (http_start) and calls nothing above it.
 */
#include "http.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "mono.h"

#define HEADER_BUF	8192	/* lws ah buffer; also bounds query args */
/*
 * lws 4.1 restarts its body timeout (timeout_secs) on every chunk, so a
 * client sending one byte every few seconds held a connection forever.
 * The whole body must arrive within this many seconds of the headers.
 */
#define BODY_DEADLINE_S	10
/*
 * Descriptors kept free for everything that is not a client connection:
 * three SQLite connections (database, WAL, shm each), the Graph API's
 * sockets (16), the wake-up pipes, stdio, the console's files.  lws stops
 * accepting (and leaves new clients in the listen backlog) when its table
 * is full, so a cap below the process limit means accept() never meets
 * EMFILE.
 */
#define FD_RESERVE	128

#define SECURITY_HEADERS \
	"Content-Security-Policy: default-src 'self'; script-src 'self'; " \
	"style-src 'self'; connect-src 'self' ws: wss:; " \
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"X-Frame-Options: DENY\r\n" \
	"Referrer-Policy: no-referrer\r\n"

/* The reply head is composed on every request: appended piece by piece,
 * since snprintf's parsing of the format cost more than the rest of
 * the reply.  The strings up to a NULL; 0, or -1 when out of memory. */
static int
append_strs(struct buf *b, ...)
{
	va_list ap;
	const char *p;
	int rc = 0;

	va_start(ap, b);
	while (rc == 0 && (p = va_arg(ap, const char *)) != NULL)
		rc = buf_append(b, p, strlen(p));
	va_end(ap);
	return rc;
}

/* n in decimal, in out (at least 21 bytes); returns out. */
static const char *
decimal(char *out, size_t n)
{
	char tmp[24];
	size_t i = 0, j = 0;

	do
		tmp[i++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (i > 0)
		out[j++] = tmp[--i];
	out[j] = '\0';
	return out;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default:  return "Error";
	}
}

/*
 * Composes the reply into r->out: status line and headers up to, not
 * including, the Connection header, then r->out_body.  The transport
 * writes it (send_reply) once it knows whether the connection stays.
 */
int
http_reply_hdr(struct http_req *r, int status, const char *ctype,
    const char *body, size_t len, const char *extra)
{
	static const char pre[LWS_PRE];	/* lws's room before the bytes */
	char num[24], len_s[24];

	if (r->replied)
		return HTTP_DONE;
	r->replied = 1;
	buf_init(&r->out, LWS_PRE + 4096 + len);
	buf_init(&r->out_body, len);
	/* Built by hand: lws_add_http_common_headers in 4.1 cannot add the
	 * security headers we want on every reply in the same write. */
	if (buf_append(&r->out, pre, sizeof(pre)) == -1 ||
	    append_strs(&r->out, "HTTP/1.1 ", decimal(num, (size_t)status),
	    " ", status_text(status), "\r\nContent-Type: ", ctype,
	    "\r\nContent-Length: ", decimal(len_s, len), "\r\n"
	    SECURITY_HEADERS "Cache-Control: ", r->cache_control ?
	    r->cache_control : "no-store", "\r\n", extra ? extra : "",
	    extra ? "\r\n" : "", (const char *)NULL) == -1 ||
	    buf_append(&r->out_body, body, len) == -1)
		r->out_failed = 1;
	return HTTP_DONE;
}

/* Peer bytes waiting in the kernel (or its EOF) while we answer: a
 * client that waits for each reply has sent nothing yet. */
static int
peer_sent_more(struct lws *wsi)
{
	char c;
	int fd = (int)lws_get_socket_fd(wsi);

	return fd < 0 || recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) >= 0 ||
	    (errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Adds the Connection header and the body to the composed reply; the
 * bytes to write start at o->data + LWS_PRE.  0, or -1 when out of
 * memory. */
static int
finish_reply(struct http_req *r, int keep)
{
	struct buf *o = &r->out;

	BOT_ASSERT(r->replied && !r->written);
	r->written = 1;
	return !r->out_failed && append_strs(o, keep ? "" :
	    "Connection: close\r\n", "\r\n", (const char *)NULL) == 0 &&
	    (r->head ||
	    buf_append(o, r->out_body.data, r->out_body.len) == 0) ? 0 : -1;
}

/*
 * Writes the composed reply in one lws_write.  Returns 0 when the
 * connection stays open for the next request (the transaction is
 * completed), -1 when it must close.
 */
static int
send_reply(struct http_req *r, int keep)
{
	struct buf *o = &r->out;
	size_t n;
	int ok;

	ok = finish_reply(r, keep) == 0;
	if (ok) {
		n = o->len - LWS_PRE;
		ok = lws_write(r->wsi, (unsigned char *)o->data + LWS_PRE, n,
		    LWS_WRITE_HTTP_FINAL) == (int)n;
	}
	buf_free(o);
	buf_free(&r->out_body);
	if (!ok || !keep)
		return -1;
	/* Nonzero when the client asked to close (HTTP/1.0, close). */
	return lws_http_transaction_completed(r->wsi) ? -1 : 0;
}

int
http_reply(struct http_req *r, int status, const char *ctype,
    const char *body, size_t len)
{
	return http_reply_hdr(r, status, ctype, body, len, NULL);
}

int
http_query(struct http_req *r, const char *name, char *out, size_t outlen)
{
	char key[128], tmp[HEADER_BUF];
	const char *v;
	size_t n;

	snprintf(key, sizeof(key), "%s=", name);
	v = lws_get_urlarg_by_name(r->wsi, key, tmp, (int)sizeof(tmp));
	if (v == NULL || (n = strlen(v)) >= outlen)
		return -1;
	memcpy(out, v, n + 1);
	return 0;
}

/* The lws token for a header lws knows by name ("x-forwarded-for:"),
 * or WSI_TOKEN_COUNT. */
static int
known_token(const char *key)
{
	const unsigned char *t;
	int tok;

	for (tok = 0; tok < WSI_TOKEN_COUNT; tok++) {
		t = lws_token_to_string((enum lws_token_indexes)tok);
		if (t != NULL && strcmp((const char *)t, key) == 0)
			break;
	}
	return tok;
}

/* Headers lws knows (Authorization, X-Forwarded-For, ...) are kept by
 * token, not as custom headers: look the name up among the tokens. */
static int
known_header(struct http_req *r, const char *key, char *out, size_t outlen)
{
	int tok = known_token(key);

	if (tok == WSI_TOKEN_COUNT ||
	    lws_hdr_total_length(r->wsi, (enum lws_token_indexes)tok) <= 0 ||
	    (size_t)lws_hdr_total_length(r->wsi,
	    (enum lws_token_indexes)tok) >= outlen)
		return -1;
	return lws_hdr_copy(r->wsi, out, (int)outlen,
	    (enum lws_token_indexes)tok) < 0 ? -1 : 0;
}

int
http_header_sent(struct http_req *r, const char *name)
{
	char key[128], one[1];
	int n, tok;

	n = snprintf(key, sizeof(key), "%s:", name);
	if (n <= 0 || (size_t)n >= sizeof(key))
		return 0;
	if (lws_hdr_custom_length(r->wsi, key, n) >= 0)
		return 1;
	if ((tok = known_token(key)) == WSI_TOKEN_COUNT)
		return 0;
	/* An empty value has a fragment of length 0: the copy of fragment
	 * 0 into one byte succeeds only then. */
	return lws_hdr_total_length(r->wsi, (enum lws_token_indexes)tok) > 0 ||
	    lws_hdr_copy_fragment(r->wsi, one, sizeof(one),
	    (enum lws_token_indexes)tok, 0) == 0;
}

int
http_header(struct http_req *r, const char *name, char *out, size_t outlen)
{
	char key[128];
	int n;

	n = snprintf(key, sizeof(key), "%s:", name);
	if (n <= 0 || (size_t)n >= sizeof(key))
		return -1;
	if (lws_hdr_custom_length(r->wsi, key, n) < 0)
		return known_header(r, key, out, outlen);
	return lws_hdr_custom_copy(r->wsi, out, (int)outlen, key, n) < 0 ?
	    -1 : 0;
}

int
http_peer_is_loopback(struct http_req *r)
{
	char ip[64];

	lws_get_peer_simple(r->wsi, ip, sizeof(ip));
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
	    strncmp(ip, "::ffff:127.", 11) == 0 || ip[0] == '\0';
}

int
http_std_header(struct http_req *r, enum http_hdr h, char *out,
    size_t outlen)
{
	static const enum lws_token_indexes tok[] = {
		[HTTP_HDR_COOKIE] = WSI_TOKEN_HTTP_COOKIE,
		[HTTP_HDR_ORIGIN] = WSI_TOKEN_ORIGIN,
		[HTTP_HDR_HOST] = WSI_TOKEN_HOST,
		[HTTP_HDR_XFF] = WSI_TOKEN_X_FORWARDED_FOR,
	};

	if (outlen == 0 || lws_hdr_total_length(r->wsi, tok[h]) <= 0)
		return -1;
	return lws_hdr_copy(r->wsi, out, (int)outlen, tok[h]) < 0 ? -1 : 0;
}

void
http_client_addr(struct http_req *r, char *out, size_t outlen)
{
	char xff[256], *p;

	lws_get_peer_simple(r->wsi, out, outlen);
	if (!http_peer_is_loopback(r) ||
	    http_std_header(r, HTTP_HDR_XFF, xff, sizeof(xff)) == -1)
		return;
	p = strrchr(xff, ',');
	p = p ? p + 1 : xff;
	while (*p == ' ')
		p++;
	if (*p != '\0')
		snprintf(out, outlen, "%s", p);
}

/*
 * accept() failures (EMFILE, ENFILE, ENOBUFS) are only seen in lws's own
 * log line; lws then returns with the listen socket still readable and
 * would try again at once, thousands of times a second.  The emit hook
 * counts them and http_run() backs off.  Written on the service thread
 * only (lws logs from there); atomic for the odd line from elsewhere.
 */
static atomic_ulong accept_failures;

static void
lws_emit(int level, const char *line)
{
	size_t n = strlen(line);

	if (strstr(line, "accept: errno") != NULL) {
		atomic_fetch_add(&accept_failures, 1);
		return;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_warnx("event=lws level=%d msg=\"%.*s\"", level, (int)n, line);
}

struct http {
	struct lws_context	*lws;
	struct http_opts	 o;
	struct lws_protocols	 protocols[3];
	struct http_req		*deferred;	/* waiting for their commit */
	lws_sorted_usec_list_t	 sul;		/* the 1 s tick */
	lws_sorted_usec_list_t	 later;		/* http_wake_after() */
	unsigned long		 accept_seen;	/* accept failures so far */
	unsigned long		 accept_logged;	/* failures seen when last
						   logged */
	long long		 accept_log_us;	/* when */
};

static const struct http_route *
find_route(const struct http *h, enum http_method m, const char *path,
    int *path_known)
{
	const struct http_route *const *t, *rt;
	size_t n;

	*path_known = 0;
	for (t = h->o.routes; *t != NULL; t++)
		for (rt = *t; rt->path != NULL; rt++) {
			n = strlen(rt->path);
			if (rt->path[n - 1] == '/' ?
			    strncmp(path, rt->path, n) != 0 :
			    strcmp(path, rt->path) != 0)
				continue;
			*path_known = 1;
			if (rt->method == m)
				return rt;
		}
	return NULL;
}

/*
 * A body refused before the route's handler ran (411, 413, 400).  The
 * composer counts it like the handler's own replies, so /metrics shows
 * Meta (or an attacker) sending what we refuse.
 */
static int
refuse(struct http_req *r, int status, const char *text)
{
	const struct http_hooks *hk = &r->http->o.hooks;

	if (hk->refused != NULL)
		hk->refused(hk->arg, r->path, status);
	return http_reply(r, status, "text/plain", text, strlen(text));
}

/* Content-Length: digits only, within the cap; chunked bodies refused
 * (lws 4.1 would hand us the chunk framing as body bytes).  A body of
 * at least one byte may keep the connection (see http.h). */
static int
check_length(struct http_req *r)
{
	char cl[32];
	size_t i, n;
	unsigned long long v = 0;

	if (lws_hdr_total_length(r->wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
		return refuse(r, 411, "length required\n");
	if (lws_hdr_copy(r->wsi, cl, sizeof(cl),
	    WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return refuse(r, 411, "length required\n");
	n = strlen(cl);
	for (i = 0; i < n; i++) {
		if (cl[i] < '0' || cl[i] > '9' || i > 15)
			return refuse(r, 400, "bad content-length\n");
		v = v * 10 + (unsigned long long)(cl[i] - '0');
	}
	if (v > r->route->max_body)
		return refuse(r, 413, "too large\n");
	r->may_keep = v > 0;
	return HTTP_READ_BODY;
}

static void
req_init(struct http_req *r, struct lws *wsi, struct http *h)
{
	memset(r, 0, sizeof(*r));
	r->wsi = wsi;
	r->http = h;
	r->srv = h->o.hooks.arg;
	r->t0_us = mono_us();
	buf_init(&r->body, 0);
	buf_init(&r->out, 0);
	buf_init(&r->out_body, 0);
}

/* Headers complete.  Replies from here always close: the body (if any)
 * is unread, and leftover bytes would be parsed as new headers. */
static int
on_http(struct lws *wsi, struct http_req *r, struct http *h)
{
	char uri[sizeof(r->path)];
	int known, len;

	req_init(r, wsi, h);
	if ((len = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_POST_URI)) > 0)
		r->method = HTTP_POST;
	else if ((len = lws_hdr_copy(wsi, uri, sizeof(uri),
	    WSI_TOKEN_GET_URI)) > 0)
		r->method = HTTP_GET;
	else if ((len = lws_hdr_copy(wsi, uri, sizeof(uri),
	    WSI_TOKEN_HEAD_URI)) > 0) {
		/* Monitors and proxies check a page with HEAD: the GET
		 * route answers, its body is not sent. */
		r->method = HTTP_GET;
		r->head = 1;
	} else
		r->method = HTTP_OTHER;
	if (r->method == HTTP_OTHER) {
		http_reply(r, 405, "text/plain", STRLIT("method not allowed\n"));
		return send_reply(r, 0);
	}
	snprintf(r->path, sizeof(r->path), "%s", uri);
	if ((r->route = find_route(h, r->method, r->path, &known)) == NULL) {
		if (known)
			http_reply(r, 405, "text/plain",
			    STRLIT("method not allowed\n"));
		else
			http_reply(r, 404, "text/plain", STRLIT("not found\n"));
		return send_reply(r, 0);
	}
	if (r->method == HTTP_POST && check_length(r) == HTTP_READ_BODY)
		buf_init(&r->body, r->route->max_body);
	if (!r->replied)
		r->route->on_headers(r);
	if (r->replied)
		return send_reply(r, 0);
	if (r->method == HTTP_POST)
		lws_set_timer_usecs(wsi, BODY_DEADLINE_S * LWS_US_PER_SEC);
	return 0;
}

/* The body deadline passed (LWS_CALLBACK_TIMER): close the connection.
 * Nothing was acknowledged, so Meta sends the webhook again. */
static int
on_timer(struct http_req *r)
{
	if (r == NULL || r->route == NULL || r->body_done)
		return 0;
	log_debug("event=body_timeout path=%s after_s=%d", r->path,
	    BODY_DEADLINE_S);
	return -1;
}

/*
 * An h2c upgrade (RFC 7540 3.2) would be answered 101 by lws 4.1, after
 * which our HTTP/1.1 reply goes out inside an h2 DATA frame.  We only
 * speak HTTP/1.1 (http.h): refuse it with 400 and close.  Websocket
 * upgrades go on to the console's checks.
 */
static int
on_confirm_upgrade(struct lws *wsi, const char *up)
{
	static const char refusal[] = "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 22\r\n"
	    "Connection: close\r\n\r\nupgrade not supported\n";
	unsigned char b[LWS_PRE + sizeof(refusal)];

	if (up != NULL && strcasecmp(up, "websocket") == 0)
		return 0;
	memcpy(b + LWS_PRE, refusal, sizeof(refusal) - 1);
	lws_write(wsi, b + LWS_PRE, sizeof(refusal) - 1, LWS_WRITE_HTTP_FINAL);
	return -1;
}

static int
on_body(struct http_req *r, const void *in, size_t len)
{
	if (r->replied || r->route == NULL || r->deferred)
		return -1;	/* bytes past a finished body: close */
	if (len == 0)
		return 0;	/* Content-Length: 0 gives in == NULL */
	if (buf_append(&r->body, in, len) == -1) {
		refuse(r, 413, "too large\n");
		return send_reply(r, 0);
	}
	return 0;
}

/*
 * Called again by lws 4.1 whenever bytes arrive after the body and
 * before the transaction completes (it stays in its body state): that is
 * the next request of a pipelining client.  Answer the first now and
 * close; lws would otherwise call again and again (and misparse the
 * next request once we completed the transaction).
 */
static int
on_pipelined(struct http_req *r)
{
	const struct http_hooks *hk = &r->http->o.hooks;

	r->pipelined = 1;
	if (r->deferred && r->deferred_status == 0)
		hk->wait(hk->arg, r->ticket);	/* resolves it */
	if (r->deferred) {
		BOT_ASSERT(r->deferred_status != 0);
		r->deferred = 0;
		r->route->on_committed(r, r->deferred_status);
	}
	if (r->replied && !r->written)
		return send_reply(r, 0);
	return -1;
}

static int
on_body_done(struct http_req *r)
{
	if (r->route == NULL)
		return -1;
	if (r->body_done)
		return on_pipelined(r);
	r->body_done = 1;
	if (!r->replied && r->route->on_body != NULL)
		r->route->on_body(r);
	lws_set_timer_usecs(r->wsi, LWS_SET_TIMER_USEC_CANCEL);
	if (r->deferred)
		return 0;	/* http_resolve_deferred() wakes it */
	if (!r->replied)
		http_reply(r, 500, "text/plain", STRLIT("no reply\n"));
	if (!r->may_keep)
		return send_reply(r, 0);
	lws_callback_on_writable(r->wsi);
	return 0;
}

int
http_defer(struct http_req *r)
{
	struct http *h = r->http;

	BOT_ASSERT(!r->deferred && !r->replied);
	r->deferred = 1;
	r->next_deferred = h->deferred;
	h->deferred = r;
	return 0;
}

static void
undefer(struct http_req *r)
{
	struct http_req **pp;

	if (!r->deferred)
		return;
	for (pp = &r->http->deferred; *pp != NULL; pp = &(*pp)->next_deferred)
		if (*pp == r) {
			*pp = r->next_deferred;
			break;
		}
	r->deferred = 0;
}

int
http_resolve_deferred(struct http *h, unsigned long long ticket,
    int status)
{
	struct http_req **pp, *r;

	for (pp = &h->deferred; (r = *pp) != NULL; pp = &r->next_deferred)
		if (r->ticket == ticket) {
			*pp = r->next_deferred;
			r->next_deferred = NULL;
			r->deferred_status = status;
			lws_callback_on_writable(r->wsi);
			return 0;
		}
	return -1;
}

static int
on_writable(struct http_req *r)
{
	if (r->route == NULL)
		return 0;	/* spurious */
	if (r->deferred) {
		if (r->deferred_status == 0)
			return 0;	/* spurious: still committing */
		r->deferred = 0;
		r->route->on_committed(r, r->deferred_status);
	}
	if (!r->replied || r->written)
		return 0;
	return send_reply(r, r->may_keep && !r->pipelined &&
	    !peer_sent_more(r->wsi));
}

/*
 * lws closes a connection as soon as it reads the client's EOF, also
 * when the client only shut down its sending side after a complete
 * request (shutdown(SHUT_WR)) and still waits for the answer.  The
 * events may be committed already or about to be: wait for the commit
 * (as for a pipelined request) and send the answer on the socket, which
 * is still open and writable when lws tells us it closes.  A client that
 * is really gone makes send() fail, which is harmless.
 */
static void
answer_on_close(struct http_req *r)
{
	const struct http_hooks *hk;
	struct buf *o = &r->out;
	int fd;

	/* A connection closed before its headers has no request yet. */
	if (r->route == NULL || !r->body_done || !r->deferred ||
	    (fd = (int)lws_get_socket_fd(r->wsi)) < 0)
		return;
	hk = &r->http->o.hooks;
	if (r->deferred_status == 0)
		hk->wait(hk->arg, r->ticket);	/* resolves it */
	if (r->deferred_status == 0)
		return;
	r->deferred = 0;
	r->route->on_committed(r, r->deferred_status);
	if (r->replied && !r->written && finish_reply(r, 0) == 0 &&
	    send(fd, o->data + LWS_PRE, o->len - LWS_PRE,
	    MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)(o->len - LWS_PRE))
		log_debug("event=answered_on_close path=%s", r->path);
}

static void
req_free(struct http_req *r)
{
	undefer(r);
	buf_free(&r->body);
	buf_free(&r->out);
	buf_free(&r->out_body);
	r->route = NULL;
}

static int
callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct http_req *r = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:		/* other reasons may have no vhost */
		return on_http(wsi, r, lws_vhost_user(lws_get_vhost(wsi)));
	case LWS_CALLBACK_HTTP_BODY:
		return on_body(r, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return on_body_done(r);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return on_writable(r);
	case LWS_CALLBACK_TIMER:
		return on_timer(r);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return on_confirm_upgrade(wsi, in);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (r != NULL) {
			answer_on_close(r);
			req_free(r);
		}
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return 1;	/* no websocket without a known subprotocol */
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		return 0;	/* the loop in http_run() runs the hook */
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/*
 * No file mount for /console: console_static.c serves the three files
 * itself, so they get the same security headers as the API (lws's
 * HEADERS_SECURITY_BEST_PRACTICES_ENFORCE would add a different,
 * 'none'-based CSP to every vhost response) and explicit content types.
 */
static const struct lws_http_mount mount_root = {
	.mount_next = NULL,
	.mountpoint = "/",
	.mountpoint_len = 1,
	.protocol = "loket-http",
	.origin_protocol = LWSMPRO_CALLBACK,
};

static void
listen_on(struct lws_context_creation_info *info, const char *addr,
    int port)
{
	info->port = port;
	info->iface = addr;
	if (addr != NULL && addr[0] == '/') {
		info->options |= LWS_SERVER_OPTION_UNIX_SOCK;
		info->port = 0;		/* lws requires 0 for a unix socket */
	} else if (addr != NULL && strchr(addr, ':') == NULL) {
		info->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	}
}

/* The connection cap: the descriptor limit less FD_RESERVE (a quarter
 * of a small limit). */
static unsigned int
connection_cap(void)
{
	struct rlimit rl;
	rlim_t cur;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return 0;	/* lws's own default */
	cur = rl.rlim_cur > 1u << 20 ? 1u << 20 : rl.rlim_cur;
	return (unsigned int)(cur >= 4 * FD_RESERVE ? cur - FD_RESERVE :
	    cur - cur / 4);
}

struct http *
http_start(const struct http_opts *o)
{
	struct lws_context_creation_info info;
	struct http *h = calloc(1, sizeof(*h));
	const struct lws_protocols http_proto = { "loket-http",
	    callback_http, sizeof(struct http_req), 0, 0, NULL, 0 };

	if (h == NULL)
		return NULL;
	h->o = *o;
	h->protocols[0] = http_proto;
	if (o->ws != NULL)
		h->protocols[1] = *o->ws;	/* [2] stays the terminator */
	memset(&info, 0, sizeof(info));
	listen_on(&info, o->listen_addr, o->port);
	info.protocols = h->protocols;
	info.user = o->hooks.arg;
	info.max_http_header_data = HEADER_BUF;
	info.timeout_secs = 10;
	info.keepalive_timeout = 10;	/* idle between requests */
	info.options |= LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND |
	    LWS_SERVER_OPTION_VALIDATE_UTF8 |
	    LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.mounts = &mount_root;
	info.fd_limit_per_thread = connection_cap();
	lws_set_log_level(LLL_ERR, lws_emit);
	if ((h->lws = lws_create_context(&info)) == NULL ||
	    (info.user = h, lws_create_vhost(h->lws, &info)) == NULL) {
		log_error("event=listen_failed addr=%s port=%d",
		    o->listen_addr ? o->listen_addr : "*", o->port);
		http_stop(h);
		return NULL;
	}
	log_info("event=listening addr=%s port=%d max_fds=%u", o->listen_addr ?
	    o->listen_addr : "*", o->port, info.fd_limit_per_thread);
	return h;
}

static void
on_later(lws_sorted_usec_list_t *sul)
{
	struct http *h = lws_container_of(sul, struct http, later);

	h->o.hooks.after_wake(h->o.hooks.arg);
}

void
http_wake_after(struct http *h, long long us)
{
	lws_sul_schedule(h->lws, 0, &h->later, on_later, us);
}

static void
on_tick(lws_sorted_usec_list_t *sul)
{
	struct http *h = lws_container_of(sul, struct http, sul);

	h->o.hooks.tick(h->o.hooks.arg);
	lws_sul_schedule(h->lws, 0, &h->sul, on_tick, LWS_US_PER_SEC);
}

/*
 * accept() failed since the last look: log it (once, then at most once a
 * minute with the count) and pause the loop 100 ms so the still-readable
 * listen socket does not spin it.  Connections already open are served
 * between the pauses; one closing frees a descriptor.
 */
static void
accept_backoff(struct http *h)
{
	unsigned long n = atomic_load(&accept_failures);
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	long long now;

	if (n == h->accept_seen)
		return;
	h->accept_seen = n;
	now = mono_us();
	if (h->accept_log_us == 0 || now - h->accept_log_us > 60000000LL) {
		log_error("event=accept_failing count=%lu msg=\"out of "
		    "descriptors? backing off\"", n - h->accept_logged);
		h->accept_logged = n;
		h->accept_log_us = now;
	}
	nanosleep(&ts, NULL);
}

void
http_run(struct http *h, const atomic_int *stop)
{
	lws_sul_schedule(h->lws, 0, &h->sul, on_tick, LWS_US_PER_SEC);
	while (!atomic_load(stop)) {
		if (lws_service(h->lws, 0) < 0)
			break;
		h->o.hooks.after_wake(h->o.hooks.arg);
		accept_backoff(h);
	}
	lws_sul_cancel(&h->sul);
	lws_sul_cancel(&h->later);
}

void
http_wake(void *http)
{
	struct http *h = http;

	if (h != NULL && h->lws != NULL)
		lws_cancel_service(h->lws);
}

void
http_stop(struct http *h)
{
	if (h == NULL)
		return;
	if (h->lws != NULL)
		lws_context_destroy(h->lws);
	free(h);
}
