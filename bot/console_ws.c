/*
 * console_ws.c — live updates for the console over a websocket (lws
 * protocol "console", path /api/live).  The browser authenticates with
 * its session cookie at the upgrade; after that the server pushes
 *   {"type": "conversations", ...}  the whole list, after any change
 *   {"type": "conversation", ...}   the transcript the page watches
 *   {"type": "cases"}               cases changed: fetch the list again
 * and the page sends {"watch": ID} (0: none) when it opens a conversation.
 *
 * Changes are marked with console_notify() and turned into messages once
 * per loop round by console_flush(), so a batch of webhooks costs one list
 * query.  Each connection has its own queue; a newer list or transcript
 * replaces an unsent older one, so a slow browser never piles up more
 * than a few messages.  One lws_write per WRITEABLE (LWS_PRE headroom).
 * The session is checked again at every flush: logout or expiry closes
 * the socket.  Service thread only.
 */
#include "console_ws.h"

#include <jansson.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "console_int.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define QUEUE_MAX	32
#define CONSOLE_WS_RX_SIZE	1024	/* client sends {"watch": ID} */

enum msg_kind { MSG_LIST, MSG_DETAIL, MSG_OTHER };

struct ws_msg {
	struct ws_msg	*next;
	enum msg_kind	 kind;
	long long	 conv;		/* MSG_DETAIL */
	size_t		 len;
	unsigned char	 data[];	/* LWS_PRE + len */
};

struct console_conn {
	struct lws		*wsi;
	struct server		*srv;
	long long		 session_id;
	long long		 watch;		/* transcript it shows, or 0 */
	struct ws_msg		*head;
	int			 queued;
	int			 closing;
	struct console_conn	*next;
};

struct console *
console_new(void)
{
	return calloc(1, sizeof(struct console));
}

void
console_stop(struct server *s)
{
	if (s->console != NULL) {
		console_login_free(s->console->login);
		s->console->login = NULL;
	}
}

void
console_free(struct console *c)
{
	if (c != NULL) {
		console_login_free(c->login);
		console_canned_free(c->canned);
	}
	free(c);
}

void
console_reload(struct server *s)
{
	if (s->console != NULL)
		console_canned_load(s->console, s->cfg->locales_dir);
}

void
console_notify(struct server *s, long long conv_id)
{
	struct console *c = s->console;
	int i;

	if (c == NULL)
		return;
	if (conv_id <= 0 || c->ndirty == CONSOLE_DIRTY_MAX) {
		c->all_dirty = 1;
		return;
	}
	for (i = 0; i < c->ndirty; i++)
		if (c->dirty[i] == conv_id)
			return;
	c->dirty[c->ndirty++] = conv_id;
}

static void
drop_msg(struct console_conn *cc, struct ws_msg **pp)
{
	struct ws_msg *m = *pp;

	*pp = m->next;
	free(m);
	cc->queued--;
}

/* Queues text (replacing an unsent message it supersedes). */
static void
enqueue(struct console_conn *cc, enum msg_kind kind, long long conv,
    const char *text, size_t len)
{
	struct ws_msg **pp, *m;

	if (cc->closing)
		return;
	for (pp = &cc->head; *pp != NULL; ) {
		if (kind != MSG_OTHER && (*pp)->kind == kind &&
		    (*pp)->conv == conv)
			drop_msg(cc, pp);
		else
			pp = &(*pp)->next;
	}
	if (cc->queued >= QUEUE_MAX ||
	    (m = malloc(sizeof(*m) + LWS_PRE + len)) == NULL) {
		cc->closing = 1;	/* too far behind: it reconnects */
		lws_callback_on_writable(cc->wsi);
		return;
	}
	m->next = NULL;
	m->kind = kind;
	m->conv = conv;
	m->len = len;
	memcpy(m->data + LWS_PRE, text, len);
	*pp = m;
	cc->queued++;
	lws_callback_on_writable(cc->wsi);
}

static void
enqueue_json(struct console_conn *cc, enum msg_kind kind, long long conv,
    json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (text != NULL)
		enqueue(cc, kind, conv, text, strlen(text));
	free(text);
}

static void
push_detail(struct console_conn *cc)
{
	json_t *o;

	if (cc->watch <= 0)
		return;
	o = console_conv_detail(cc->srv, cc->watch);
	if (o == NULL)
		o = json_pack("{s:s, s:I}", "type", "gone", "id",
		    (json_int_t)cc->watch);
	enqueue_json(cc, MSG_DETAIL, cc->watch, o);
	json_decref(o);
}

static int
is_dirty(const struct console *c, long long id)
{
	int i;

	if (c->all_dirty)
		return 1;
	for (i = 0; i < c->ndirty; i++)
		if (c->dirty[i] == id)
			return 1;
	return 0;
}

void
console_flush(struct server *s)
{
	struct console *c = s->console;
	struct console_conn *cc;
	struct session sess;
	json_t *list;

	console_login_collect(s);
	if (c == NULL || (c->ndirty == 0 && !c->all_dirty && !c->cases_dirty))
		return;
	list = c->conns ? console_conv_list(s) : NULL;
	for (cc = c->conns; cc != NULL; cc = cc->next) {
		if (session_lookup_id(s->store, cc->session_id, &sess) == 0) {
			cc->closing = 1;	/* logged out or expired */
			lws_callback_on_writable(cc->wsi);
			continue;
		}
		enqueue_json(cc, MSG_LIST, 0, list);
		if (cc->watch > 0 && is_dirty(c, cc->watch))
			push_detail(cc);
		if (c->cases_dirty)
			enqueue(cc, MSG_OTHER, 0,
			    STRLIT("{\"type\":\"cases\"}"));
	}
	json_decref(list);
	c->ndirty = 0;
	c->all_dirty = 0;
	c->cases_dirty = 0;
}

void
console_tick(struct server *s)
{
	struct console *c = s->console;
	long long now = store_now_ms();
	int n;

	if (c == NULL || now - c->purged_at < 3600 * 1000)
		return;
	c->purged_at = now;
	if ((n = session_purge(s->store)) > 0)
		log_info("event=sessions_expired count=%d", n);
}

/* The upgrade: right path, same origin, live session.  0 accepts. */
static int
on_filter(struct lws *wsi, struct server *s, struct console_conn **slot)
{
	char uri[128], cookie[4096], token[128], origin[512], host[512];
	struct session sess;
	int has_o, has_h;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(uri, CONSOLE_WS_PATH) != 0)
		return 1;
	has_o = lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) > 0;
	has_h = lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) > 0;
	if (!console_origin_ok(has_o ? origin : NULL, has_h ? host : NULL))
		return 1;
	if (lws_hdr_copy(wsi, cookie, sizeof(cookie), WSI_TOKEN_HTTP_COOKIE)
	    <= 0 || console_cookie_token(cookie, token, sizeof(token)) == -1 ||
	    session_lookup(s->store, token, &sess) != 1 ||
	    strcmp(sess.role, "author") == 0)	/* no conversations */
		return 1;
	if (slot == NULL || (*slot = calloc(1, sizeof(**slot))) == NULL)
		return 1;
	(*slot)->wsi = wsi;
	(*slot)->srv = s;
	(*slot)->session_id = sess.id;
	log_info("event=console_connected name=%s", sess.name);
	return 0;
}

static void
on_established(struct server *s, struct console_conn *cc)
{
	json_t *list;

	cc->next = s->console->conns;
	s->console->conns = cc;
	list = console_conv_list(s);
	enqueue_json(cc, MSG_LIST, 0, list);
	json_decref(list);
}

/* {"watch": ID}: send that transcript now and after every change. */
static void
on_receive(struct console_conn *cc, const void *in, size_t len)
{
	json_t *o = json_loadb(in, len, 0, NULL), *w;

	w = json_object_get(o, "watch");
	if (json_is_integer(w)) {
		cc->watch = json_integer_value(w);
		push_detail(cc);
	}
	json_decref(o);
}

static int
on_writeable(struct console_conn *cc)
{
	struct ws_msg *m = cc->head;
	int n;

	if (cc->closing)
		return -1;
	if (m == NULL)
		return 0;	/* spurious */
	n = lws_write(cc->wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT);
	drop_msg(cc, &cc->head);
	if (n < 0)
		return -1;
	if (cc->head != NULL)
		lws_callback_on_writable(cc->wsi);
	return 0;
}

static void
on_closed(struct server *s, struct console_conn *cc)
{
	struct console_conn **pp;

	for (pp = &s->console->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	while (cc->head != NULL)
		drop_msg(cc, &cc->head);
	free(cc);
}

static int
callback_console(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct server *s = lws_context_user(lws_get_context(wsi));
	struct console_conn **slot = user, *cc = slot ? *slot : NULL;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return s->console == NULL ? 1 : on_filter(wsi, s, slot);
	case LWS_CALLBACK_ESTABLISHED:
		if (cc == NULL)
			return -1;
		on_established(s, cc);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (cc != NULL && len <= CONSOLE_WS_RX_SIZE)
			on_receive(cc, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return cc ? on_writeable(cc) : 0;
	case LWS_CALLBACK_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:	/* accepted, but never established */
		if (cc != NULL)
			on_closed(s, cc);
		if (slot != NULL)
			*slot = NULL;
		return 0;
	default:
		return 0;
	}
}

/* lws keeps a pointer per connection; the state is our own allocation. */
const struct lws_protocols console_ws_protocol = {
	"console", callback_console, sizeof(struct console_conn *),
	CONSOLE_WS_RX_SIZE, 0, NULL, 0
};
