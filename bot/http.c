/*
 * http.c — the libwebsockets server: context, mounts, the HTTP protocol
 * callback, request routing and the reply helper.  Runs on the service
 * thread.  Route handlers live in their own modules (webhook_http.c, ...).
 */
#include "http.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "console_ws.h"
#include "log.h"
#include "server.h"

#define HEADER_BUF	8192	/* lws ah buffer; also bounds query args */

static const struct http_route *const route_tables[] = {
	webhook_routes,
	console_routes,
	metrics_routes,
};

#define SECURITY_HEADERS \
	"Content-Security-Policy: default-src 'self'; script-src 'self'; " \
	"style-src 'self'; connect-src 'self' ws: wss:; " \
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"X-Frame-Options: DENY\r\n" \
	"Referrer-Policy: no-referrer\r\n"

long long
http_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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

int
http_reply_hdr(struct http_req *r, int status, const char *ctype,
    const char *body, size_t len, const char *extra)
{
	struct buf out;
	int ok;

	if (r->replied)
		return HTTP_DONE;
	r->replied = 1;
	/* Built by hand: lws_add_http_common_headers in 4.1 cannot add the
	 * security headers we want on every reply in the same write. */
	buf_init(&out, LWS_PRE + 4096 + len);
	ok = buf_append(&out, "", 0) == 0 &&
	    buf_appendf(&out, "%*s", LWS_PRE, "") == 0 &&
	    buf_appendf(&out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n" SECURITY_HEADERS
	    "Cache-Control: %s\r\n%s%s\r\n", status, status_text(status),
	    ctype, len, r->cache_control ? r->cache_control : "no-store",
	    extra ? extra : "", extra ? "\r\n" : "") == 0 &&
	    buf_append(&out, body, len) == 0;
	if (ok) {
		size_t n = out.len - LWS_PRE;

		ok = lws_write(r->wsi, (unsigned char *)out.data + LWS_PRE, n,
		    LWS_WRITE_HTTP_FINAL) == (int)n;
	}
	buf_free(&out);
	return HTTP_DONE;
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

static const struct http_route *
find_route(enum http_method m, const char *path, int *path_known)
{
	const struct http_route *rt;
	size_t t, n;

	*path_known = 0;
	for (t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]); t++)
		for (rt = route_tables[t]; rt->path != NULL; rt++) {
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
 * A body refused before the route's handler ran (411, 413, 400).  For
 * the webhooks it is counted like the handler's own replies, so
 * /metrics shows Meta (or an attacker) sending what we refuse.
 */
static int
refuse(struct http_req *r, int status, const char *text)
{
	server_count_webhook(r->srv, r->path, status);
	return http_reply(r, status, "text/plain", text, strlen(text));
}

/* Content-Length: digits only, within the cap; chunked bodies refused
 * (lws 4.1 would hand us the chunk framing as body bytes). */
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
	return HTTP_READ_BODY;
}

static int
on_http(struct lws *wsi, struct http_req *r, struct server *s)
{
	char uri[sizeof(r->path)];
	int known, len;

	memset(r, 0, sizeof(*r));
	r->wsi = wsi;
	r->srv = s;
	r->t0_us = http_now_us();
	buf_init(&r->body, 0);
	if ((len = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_POST_URI)) > 0)
		r->method = HTTP_POST;
	else if ((len = lws_hdr_copy(wsi, uri, sizeof(uri),
	    WSI_TOKEN_GET_URI)) > 0)
		r->method = HTTP_GET;
	else
		r->method = HTTP_OTHER;
	if (r->method == HTTP_OTHER)
		return http_reply(r, 405, "text/plain", "method not allowed\n",
		    19);
	snprintf(r->path, sizeof(r->path), "%s", uri);
	if ((r->route = find_route(r->method, r->path, &known)) == NULL)
		return known ? http_reply(r, 405, "text/plain",
		    "method not allowed\n", 19) :
		    http_reply(r, 404, "text/plain", "not found\n", 10);
	if (r->method == HTTP_POST) {
		if (check_length(r) == HTTP_DONE)
			return HTTP_DONE;
		buf_init(&r->body, r->route->max_body);
	}
	return r->route->on_headers(r);
}

static int
on_body(struct http_req *r, const void *in, size_t len)
{
	if (r->replied || r->route == NULL)
		return HTTP_DONE;
	if (len == 0)
		return 0;	/* Content-Length: 0 gives in == NULL */
	if (buf_append(&r->body, in, len) == -1)
		return refuse(r, 413, "too large\n");
	return 0;
}

static int
on_body_done(struct http_req *r)
{
	/* lws 4.1 calls this again, for a pipelined request, while the
	 * first waits for its commit (and would spin if we kept waiting):
	 * commit now, answer the first and close; the client (never Meta
	 * behind the proxy) sends the rest again. */
	if (r->deferred) {
		server_intake_wait(r->srv, r->ticket);
		r->deferred = 0;
		return r->route->on_committed(r, r->deferred_status ?
		    r->deferred_status : 503);
	}
	if (r->replied || r->route == NULL || r->route->on_body == NULL)
		return HTTP_DONE;
	return r->route->on_body(r);
}

int
http_defer(struct http_req *r)
{
	struct server *s = r->srv;

	r->deferred = 1;
	r->next_deferred = s->deferred;
	s->deferred = r;
	return 0;
}

static void
undefer(struct http_req *r)
{
	struct http_req **pp;

	if (!r->deferred)
		return;
	for (pp = &r->srv->deferred; *pp != NULL; pp = &(*pp)->next_deferred)
		if (*pp == r) {
			*pp = r->next_deferred;
			break;
		}
	r->deferred = 0;
}

int
http_resolve_deferred(struct server *s, unsigned long long ticket,
    int status)
{
	struct http_req **pp, *r;

	for (pp = &s->deferred; (r = *pp) != NULL; pp = &r->next_deferred)
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
	if (r->deferred_status == 0 || r->route == NULL)
		return 0;	/* spurious */
	r->deferred = 0;
	return r->route->on_committed(r, r->deferred_status);
}

static void
req_free(struct http_req *r)
{
	undefer(r);
	buf_free(&r->body);
	r->route = NULL;
}

static int
callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct server *s = lws_context_user(lws_get_context(wsi));
	struct http_req *r = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return on_http(wsi, r, s);
	case LWS_CALLBACK_HTTP_BODY:
		return on_body(r, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return on_body_done(r);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return on_writable(r);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (r != NULL)
			req_free(r);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return 1;	/* no websocket without a known subprotocol */
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		return 0;	/* the loop in http_run() looks at the flags */
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "loket-http", callback_http, sizeof(struct http_req), 0, 0, NULL, 0 },
	/* Chosen by the browser's subprotocol: new WebSocket(url, "console") */
	{ CONSOLE_WS_PROTOCOL, console_ws_callback, CONSOLE_WS_PSS_SIZE,
	    CONSOLE_WS_RX_SIZE, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

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

int
http_start(struct server *s)
{
	struct lws_context_creation_info info;
	const struct config *cfg = s->cfg;

	memset(&info, 0, sizeof(info));
	info.port = cfg->port;
	info.protocols = protocols;
	info.user = s;
	info.max_http_header_data = HEADER_BUF;
	info.timeout_secs = 10;
	info.options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND |
	    LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (cfg->listen_addr != NULL && cfg->listen_addr[0] == '/') {
		info.options |= LWS_SERVER_OPTION_UNIX_SOCK;
		info.iface = cfg->listen_addr;
		info.port = 0;
	} else if (cfg->listen_addr != NULL && strchr(cfg->listen_addr, ':')
	    == NULL) {
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
		info.iface = cfg->listen_addr;
	} else {
		info.iface = cfg->listen_addr;
	}
	info.mounts = &mount_root;
	lws_set_log_level(LLL_ERR, NULL);
	if ((s->lws = lws_create_context(&info)) == NULL) {
		log_error("event=listen_failed addr=%s port=%d",
		    cfg->listen_addr ? cfg->listen_addr : "*", cfg->port);
		return -1;
	}
	log_info("event=listening addr=%s port=%d", cfg->listen_addr ?
	    cfg->listen_addr : "*", cfg->port);
	return 0;
}

struct http_priv {
	lws_sorted_usec_list_t	 sul;
	lws_sorted_usec_list_t	 later;	/* http_wake_after() */
	struct server		*srv;
};

static void
on_later(lws_sorted_usec_list_t *sul)
{
	struct http_priv *p = lws_container_of(sul, struct http_priv, later);

	server_after_wake(p->srv);
}

void
http_wake_after(struct server *s, long long us)
{
	struct http_priv *p = s->http_priv;

	if (p != NULL)
		lws_sul_schedule(s->lws, 0, &p->later, on_later, us);
}

static void
on_tick(lws_sorted_usec_list_t *sul)
{
	struct http_priv *p = lws_container_of(sul, struct http_priv, sul);

	server_tick(p->srv);
	lws_sul_schedule(p->srv->lws, 0, &p->sul, on_tick, LWS_US_PER_SEC);
}

void
http_run(struct server *s)
{
	struct http_priv *p = calloc(1, sizeof(*p));

	if (p == NULL)
		fatalx("event=out_of_memory");
	p->srv = s;
	s->http_priv = p;
	lws_sul_schedule(s->lws, 0, &p->sul, on_tick, LWS_US_PER_SEC);
	while (!atomic_load(&s->stop)) {
		if (lws_service(s->lws, 0) < 0)
			break;
		server_after_wake(s);
	}
	lws_sul_cancel(&p->sul);
	lws_sul_cancel(&p->later);
}

void
http_wake(void *server)
{
	struct server *s = server;

	if (s->lws != NULL)
		lws_cancel_service(s->lws);
}

void
http_stop(struct server *s)
{
	if (s->lws != NULL)
		lws_context_destroy(s->lws);
	s->lws = NULL;
	free(s->http_priv);
	s->http_priv = NULL;
}
