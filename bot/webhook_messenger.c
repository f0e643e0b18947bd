/*
 * webhook_messenger.c — Messenger Platform webhook bodies (object "page")
 * into flat events.  Walks entry[] -> messaging[] and standby[]
 * (Meta's Messenger Platform webhook reference).  Pure, no I/O; called by
 * webhook_http.c on the service thread.  Anything signed but not understood is kept as an
 * EV_UNKNOWN event (see webhook.h); only a body that is not JSON fails.
 */
#include "webhook_int.h"

#include <string.h>

/* One messaging[] / standby[] element and where it came from. */
struct ms_event {
	const json_t	*entry;
	const json_t	*ev;
	const json_t	*sender;	/* sender.id, string or number */
	const json_t	*recipient;	/* recipient.id, or NULL */
	int		 standby;
};

typedef void handle_fn(struct webhook_parse *, const struct ms_event *,
    const json_t *);

/* Ids are strings; numbers (even past 64 bits) are tolerated. */
static const json_t *
as_id(const json_t *id)
{
	return json_is_string(id) || json_is_number(id) ? id : NULL;
}

static const json_t *
id_of(const json_t *ev, const char *key)
{
	return as_id(json_object_get(webhook_obj(ev, key), "id"));
}

/*
 * A new event with the fields every Messenger event shares.  For user
 * events the sender is the citizen (PSID) and the recipient the page;
 * echo says the page sent it, so the two swap.
 */
static struct inbound_event *
add(struct webhook_parse *p, const struct ms_event *m, enum event_kind k,
    int page_sent)
{
	const json_t *user = page_sent ? m->recipient : m->sender;
	const json_t *page = page_sent ? m->sender : m->recipient;
	struct inbound_event *e;

	if ((e = webhook_add(p, k, m->ev)) == NULL)
		return NULL;
	if (page == NULL)
		page = json_object_get(m->entry, "id");
	e->standby = m->standby;
	webhook_set_id(p, &e->account_id, page);
	webhook_set_id(p, &e->user_id, user);
	e->timestamp_ms = webhook_num(m->ev, "timestamp");
	if (e->timestamp_ms == 0)
		e->timestamp_ms = webhook_num(m->entry, "time");
	return e;
}

/*
 * Postbacks without mid and reactions have no id of their own; dedupe
 * needs one that a retry of the same body reproduces.
 */
static void
synthetic_id(struct webhook_parse *p, struct inbound_event *e)
{
	if (e->user_id != NULL && e->msg_type != NULL)
		webhook_setf(p, &e->msg_id, "syn:%s:%s:%lld", e->msg_type,
		    e->user_id, e->timestamp_ms);
}

/* Quick-reply tap, else first attachment, else plain text. */
static void
message_body(struct webhook_parse *p, struct inbound_event *e,
    const json_t *msg)
{
	json_t *qr = webhook_obj(msg, "quick_reply");
	json_t *att = json_array_get(webhook_arr(msg, "attachments"), 0);
	const char *type, *url;

	webhook_set(p, &e->text, webhook_str(msg, "text"));
	if (qr != NULL) {
		webhook_set(p, &e->msg_type, "quick_reply");
		webhook_set(p, &e->payload, webhook_str(qr, "payload"));
	} else if (json_is_object(att)) {
		if ((type = webhook_str(att, "type")) == NULL)
			type = "attachment";
		/* fallback (shared links) may carry url outside payload */
		if ((url = webhook_str(webhook_obj(att, "payload"), "url")) ==
		    NULL)
			url = webhook_str(att, "url");
		webhook_set(p, &e->msg_type, type);
		webhook_set(p, &e->payload, url);
	} else {
		webhook_set(p, &e->msg_type, e->text != NULL ? "text" :
		    "unknown");
	}
}

/* Echo: payload is the sending app's id (ours, Page Inbox, ...). */
static void
on_message(struct webhook_parse *p, const struct ms_event *m,
    const json_t *msg)
{
	const char *mid = webhook_str(msg, "mid");
	int echo = webhook_true(msg, "is_echo");
	struct inbound_event *e;

	/* An echo names the citizen only as recipient. */
	if (mid == NULL || (echo && m->recipient == NULL)) {
		webhook_unknown(p, m->ev, "message");
		return;
	}
	if ((e = add(p, m, echo ? EV_ECHO : EV_MESSAGE, echo)) == NULL)
		return;
	webhook_set(p, &e->msg_id, mid);
	webhook_set(p, &e->ref_id,
	    webhook_str(webhook_obj(msg, "reply_to"), "mid"));
	message_body(p, e, msg);
	if (echo)
		webhook_set_id(p, &e->payload, json_object_get(msg, "app_id"));
}

static void
on_postback(struct webhook_parse *p, const struct ms_event *m,
    const json_t *pb)
{
	struct inbound_event *e;
	const char *mid = webhook_str(pb, "mid");

	if ((e = add(p, m, EV_MESSAGE, 0)) == NULL)
		return;
	webhook_set(p, &e->msg_type, "postback");
	webhook_set(p, &e->text, webhook_str(pb, "title"));
	webhook_set(p, &e->payload, webhook_str(pb, "payload"));
	if (mid != NULL)
		webhook_set(p, &e->msg_id, mid);
	else
		synthetic_id(p, e);
}

static struct inbound_event *
add_status(struct webhook_parse *p, const struct ms_event *m,
    const char *status, const json_t *o)
{
	struct inbound_event *e;

	if ((e = add(p, m, EV_STATUS, 0)) == NULL)
		return NULL;
	webhook_set(p, &e->msg_type, status);
	webhook_set(p, &e->status, status);
	e->watermark_ms = webhook_num(o, "watermark");
	return e;
}

/*
 * The event with delivery.mids cut down to one mid: raw stays "this
 * event alone", and 100k mids do not cost 100k copies of the list.
 */
static json_t *
one_mid(const json_t *ev, const json_t *d, json_t *mid)
{
	json_t *e2 = json_copy((json_t *)ev), *d2 = json_copy((json_t *)d);
	int rc = -1;

	if (e2 != NULL && d2 != NULL &&
	    json_object_set_new(d2, "mids", json_pack("[O]", mid)) == 0)
		rc = json_object_set(e2, "delivery", d2);
	json_decref(d2);
	if (rc == -1) {
		json_decref(e2);
		return NULL;
	}
	return e2;
}

/* One event per mid, or a single watermark-only event without mids. */
static void
on_delivery(struct webhook_parse *p, const struct ms_event *m,
    const json_t *d)
{
	json_t *mids = webhook_arr(d, "mids"), *mid, *one;
	struct inbound_event *e;
	struct ms_event m1 = *m;
	size_t i, n = 0;

	json_array_foreach(mids, i, mid) {
		if (!json_is_string(mid))
			continue;
		if ((one = one_mid(m->ev, d, mid)) == NULL) {
			p->nomem = 1;
			return;
		}
		m1.ev = one;
		e = add_status(p, &m1, "delivered", d);
		json_decref(one);
		if (e == NULL)
			return;
		webhook_set(p, &e->msg_id, json_string_value(mid));
		n++;
	}
	if (n == 0)
		add_status(p, m, "delivered", d);
}

static void
on_read(struct webhook_parse *p, const struct ms_event *m, const json_t *r)
{
	add_status(p, m, "read", r);
}

/*
 * msg_type is the action (react / unreact), payload the emoji (else the
 * reaction name), ref_id the message reacted to.
 */
static void
on_reaction(struct webhook_parse *p, const struct ms_event *m,
    const json_t *r)
{
	const char *action = webhook_str(r, "action");
	const char *emoji = webhook_str(r, "emoji");
	struct inbound_event *e;

	if ((e = add(p, m, EV_REACTION, 0)) == NULL)
		return;
	webhook_set(p, &e->msg_type, action != NULL ? action : "react");
	webhook_set(p, &e->payload, emoji != NULL ? emoji :
	    webhook_str(r, "reaction"));
	webhook_set(p, &e->ref_id, webhook_str(r, "mid"));
	synthetic_id(p, e);
}

/*
 * payload = the app that owns (or asks for) the thread, text = the
 * metadata string the other app passed (e.g. its case id).
 */
static void
on_handover(struct webhook_parse *p, const struct ms_event *m,
    const json_t *h, const char *name)
{
	const json_t *owner = json_object_get(h, "new_owner_app_id");
	struct inbound_event *e;

	if (owner == NULL)
		owner = json_object_get(h, "requested_owner_app_id");
	if ((e = add(p, m, EV_HANDOVER, 0)) == NULL)
		return;
	webhook_set(p, &e->msg_type, name);
	webhook_set_id(p, &e->payload, owner);
	webhook_set(p, &e->text, webhook_str(h, "metadata"));
}

static void
on_pass(struct webhook_parse *p, const struct ms_event *m, const json_t *h)
{
	on_handover(p, m, h, "pass_thread_control");
}

static void
on_take(struct webhook_parse *p, const struct ms_event *m, const json_t *h)
{
	on_handover(p, m, h, "take_thread_control");
}

static void
on_request(struct webhook_parse *p, const struct ms_event *m,
    const json_t *h)
{
	on_handover(p, m, h, "request_thread_control");
}

static const struct {
	const char	*key;
	handle_fn	*handle;
} handlers[] = {
	{ "message",		    on_message },
	{ "postback",		    on_postback },
	{ "delivery",		    on_delivery },
	{ "read",		    on_read },
	{ "reaction",		    on_reaction },
	{ "pass_thread_control",    on_pass },
	{ "take_thread_control",    on_take },
	{ "request_thread_control", on_request },
};

/* The key that names an event we do not know (optin, referral, ...). */
static const char *
event_name(const json_t *ev)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)ev, k, v)
		if (strcmp(k, "sender") != 0 && strcmp(k, "recipient") != 0 &&
		    strcmp(k, "timestamp") != 0)
			return k;
	return "event";
}

static void
walk_event(struct webhook_parse *p, const json_t *entry, const json_t *ev,
    int standby)
{
	struct ms_event m;
	json_t *o;
	size_t i;

	m.entry = entry;
	m.ev = ev;
	m.sender = id_of(ev, "sender");
	m.recipient = id_of(ev, "recipient");
	m.standby = standby;
	/* Without a citizen or a page there is nobody to answer. */
	if (!json_is_object(ev) || m.sender == NULL || (m.recipient == NULL &&
	    as_id(json_object_get(entry, "id")) == NULL)) {
		webhook_unknown(p, ev, "event");
		return;
	}
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if ((o = webhook_obj(ev, handlers[i].key)) != NULL) {
			handlers[i].handle(p, &m, o);
			return;
		}
	webhook_unknown(p, ev, event_name(ev));
}

static void
walk_list(struct webhook_parse *p, const json_t *entry, const char *key,
    int standby)
{
	json_t *list = json_object_get(entry, key), *ev;
	size_t i;

	if (list == NULL)
		return;
	if (!json_is_array(list)) {
		webhook_unknown(p, list, key);
		return;
	}
	json_array_foreach(list, i, ev) {
		if (webhook_full(p))
			break;
		walk_event(p, entry, ev, standby);
	}
}

/* An entry with neither list (feed changes, ...) is kept whole. */
static void
walk_entry(struct webhook_parse *p, const json_t *entry)
{
	if (json_object_get(entry, "messaging") == NULL &&
	    json_object_get(entry, "standby") == NULL) {
		webhook_unknown(p, entry, "entry");
		return;
	}
	walk_list(p, entry, "messaging", 0);
	walk_list(p, entry, "standby", 1);
}

int
webhook_parse_messenger(const char *body, size_t len,
    struct webhook_batch *out, char *err, size_t errlen)
{
	struct webhook_parse p;
	json_t *root, *entries, *entry;
	const char *object;
	size_t i;

	root = webhook_load(&p, out, CH_MESSENGER, body, len, err, errlen);
	if (root == NULL)
		return -1;
	object = webhook_str(root, "object");
	entries = webhook_arr(root, "entry");
	if (object == NULL || strcmp(object, "page") != 0 || entries == NULL)
		webhook_unknown(&p, root, "body");
	else
		json_array_foreach(entries, i, entry) {
			if (webhook_full(&p))
				break;
			walk_entry(&p, entry);
		}
	return webhook_finish(&p, root, err, errlen);
}
