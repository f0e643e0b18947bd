/*
 * webhook_whatsapp.c — WhatsApp Cloud API webhook bodies into flat events.
 * Walks entry[] -> changes[] -> value -> messages[] / statuses[] /
 * errors[] (Meta's Cloud API webhook reference).  Pure, no I/O; called by
 * webhook_http.c on the service thread.  Anything signed but not understood is kept as an
 * EV_UNKNOWN event (see webhook.h); only a body that is not JSON fails.
 */
#include "webhook_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* A summary of shared contacts longer than this is cut off. */
#define CONTACTS_TEXT_MAX	4096

/* What one change's value says about every message in it. */
struct wa_value {
	const char	*account;	/* metadata.phone_number_id */
	const json_t	*contacts;	/* value.contacts[], or NULL */
	json_t		*by_uid;	/* contacts by user_id (BSUID) */
	json_t		*by_wa;		/* contacts by wa_id */
};

/* Fills text/payload from the object named by the message type. */
typedef void fill_fn(struct webhook_parse *, struct inbound_event *,
    const json_t *);

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Meta's phone numbers are digits only; a BSUID ("US.134...") is not. */
static int
is_phone(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* WhatsApp sends Unix seconds as a string; events carry milliseconds. */
static long long
seconds_to_ms(const json_t *o, const char *key)
{
	long long s = webhook_num(o, key);

	if (s <= 0 || s > LLONG_MAX / 1000)
		return 0;
	return s * 1000;
}

/* errors[0] of a message or status: code and title (else message). */
static void
set_error(struct webhook_parse *p, struct inbound_event *e, const json_t *o)
{
	json_t *err = json_array_get(webhook_arr(o, "errors"), 0);
	const char *t;

	if (!json_is_object(err))
		return;
	e->error_code = (int)webhook_num(err, "code");
	if ((t = webhook_str(err, "title")) == NULL)
		t = webhook_str(err, "message");
	webhook_set(p, &e->error_text, t);
}

static void
fill_text(struct webhook_parse *p, struct inbound_event *e, const json_t *o)
{
	webhook_set(p, &e->text, webhook_str(o, "body"));
}

/*
 * button_reply {id, title}, list_reply {id, title, description} and
 * Flows' nfm_reply {response_json, body} share one shape for the dialog:
 * the id to branch on, the title the citizen saw.
 */
static void
fill_interactive(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	const char *t = webhook_str(o, "type");
	json_t *r = t != NULL ? webhook_obj(o, t) : NULL;
	const char *id, *title;

	if ((id = webhook_str(r, "id")) == NULL)
		id = webhook_str(r, "response_json");
	if ((title = webhook_str(r, "title")) == NULL)
		title = webhook_str(r, "body");
	webhook_set(p, &e->payload, id);
	webhook_set(p, &e->text, title);
}

/* Quick-reply button of a template. */
static void
fill_button(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	webhook_set(p, &e->payload, webhook_str(o, "payload"));
	webhook_set(p, &e->text, webhook_str(o, "text"));
}

/* Documents keep their filename in raw only: text is what was typed. */
static void
fill_media(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	webhook_set(p, &e->payload, webhook_str(o, "id"));
	webhook_set(p, &e->text, webhook_str(o, "caption"));
}

/* Shortest decimal that reads back as the same double (50.8503, not
 * 50.850299999999997). */
static void
fmt_coord(char *out, size_t n, double d)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static int
coord(const json_t *o, const char *key, char *out, size_t n)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		fmt_coord(out, n, json_number_value(v));
	else if (json_is_string(v))
		snprintf(out, n, "%s", json_string_value(v));
	else
		return -1;
	return 0;
}

static void
fill_location(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	const char *name = webhook_str(o, "name");
	const char *addr = webhook_str(o, "address");
	char lat[64], lon[64];

	if (coord(o, "latitude", lat, sizeof(lat)) == 0 &&
	    coord(o, "longitude", lon, sizeof(lon)) == 0)
		webhook_setf(p, &e->payload, "%s,%s", lat, lon);
	if (name != NULL && addr != NULL)
		webhook_setf(p, &e->text, "%s, %s", name, addr);
	else
		webhook_set(p, &e->text, name != NULL ? name : addr);
}

/*
 * "Jan Peeters (+32 470 12 34 56, +32 2 553 11 11)".  Returns -1 once the
 * buffer is full (buf_appendf then empties it and the summary is lost).
 */
static int
contact_summary(struct buf *b, const json_t *c)
{
	json_t *name = webhook_obj(c, "name"), *ph;
	const char *n, *num;
	size_t i, k = 0;

	if ((n = webhook_str(name, "formatted_name")) == NULL)
		n = webhook_str(name, "first_name");
	if (buf_appendf(b, "%s%s", b->len > 0 ? "; " : "",
	    n != NULL ? n : "?") == -1)
		return -1;
	json_array_foreach(webhook_arr(c, "phones"), i, ph) {
		if ((num = webhook_str(ph, "phone")) == NULL &&
		    (num = webhook_str(ph, "wa_id")) == NULL)
			continue;
		if (buf_appendf(b, "%s%s", k++ == 0 ? " (" : ", ", num) == -1)
			return -1;
	}
	return k > 0 ? buf_putc(b, ')') : 0;
}

/* Too many contacts to summarise: text stays NULL, raw keeps them all. */
static void
fill_contacts(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	struct buf b;
	json_t *c;
	size_t i;

	buf_init(&b, CONTACTS_TEXT_MAX);
	json_array_foreach(o, i, c)
		if (contact_summary(&b, c) == -1)
			return;
	if (b.data != NULL && b.len > 0)
		webhook_set(p, &e->text, b.data);
	buf_free(&b);
}

/* emoji absent (or empty) means the reaction was removed. */
static void
fill_reaction(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	const char *emoji = webhook_str(o, "emoji");

	webhook_set(p, &e->payload, emoji != NULL && *emoji != '\0' ?
	    emoji : NULL);
	webhook_set(p, &e->ref_id, webhook_str(o, "message_id"));
}

/* The code is in errors[]; payload names what it was ("poll_creation"). */
static void
fill_unsupported(struct webhook_parse *p, struct inbound_event *e,
    const json_t *o)
{
	webhook_set(p, &e->payload, webhook_str(o, "type"));
}

static const struct {
	const char	*type;
	fill_fn		*fill;
} fillers[] = {
	{ "text",	 fill_text },
	{ "interactive", fill_interactive },
	{ "button",	 fill_button },
	{ "image",	 fill_media },
	{ "audio",	 fill_media },
	{ "video",	 fill_media },
	{ "document",	 fill_media },
	{ "sticker",	 fill_media },
	{ "location",	 fill_location },
	{ "contacts",	 fill_contacts },
	{ "reaction",	 fill_reaction },
	{ "unsupported", fill_unsupported },
};

/* Unknown types stay messages with only ids: the dialog hands them over. */
static void
fill_body(struct webhook_parse *p, struct inbound_event *e,
    const json_t *msg, const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++)
		if (strcmp(type, fillers[i].type) == 0) {
			fillers[i].fill(p, e, json_object_get(msg, type));
			return;
		}
}

/*
 * Indexes contacts[] by BSUID and by wa_id, so a value with many
 * messages and many contacts is not matched in quadratic time.
 */
static void
index_contacts(struct webhook_parse *p, struct wa_value *v)
{
	const char *k;
	json_t *c;
	size_t i;

	v->by_uid = v->by_wa = NULL;
	if (json_array_size(v->contacts) < 2)
		return;
	v->by_uid = json_object();
	v->by_wa = json_object();
	if (v->by_uid == NULL || v->by_wa == NULL) {
		p->nomem = 1;
		return;
	}
	json_array_foreach(v->contacts, i, c) {
		if ((k = webhook_str(c, "user_id")) != NULL &&
		    json_object_set(v->by_uid, k, c) == -1)
			p->nomem = 1;
		if ((k = webhook_str(c, "wa_id")) != NULL &&
		    json_object_set(v->by_wa, k, c) == -1)
			p->nomem = 1;
	}
}

/*
 * The contacts[] entry of the sender: same BSUID, else same wa_id, else
 * the only one (wa_id and from may differ in format, Meta warns).
 */
static const json_t *
match_contact(const struct wa_value *v, const char *from, const char *fuid)
{
	json_t *c = NULL;

	if (json_array_size(v->contacts) == 1)
		return json_array_get(v->contacts, 0);
	if (fuid != NULL)
		c = json_object_get(v->by_uid, fuid);
	if (c == NULL && from != NULL)
		c = json_object_get(v->by_wa, from);
	return c;
}

/* user_id = BSUID when there is one, else the phone number. */
static void
set_user(struct webhook_parse *p, struct inbound_event *e,
    const struct wa_value *v, const json_t *msg)
{
	const char *from = webhook_str(msg, "from");
	const char *fuid = webhook_str(msg, "from_user_id");
	const json_t *c = match_contact(v, from, fuid);
	const char *id = fuid, *phone = is_phone(from) ? from : NULL;

	if (id == NULL)
		id = webhook_str(c, "user_id");
	if (phone == NULL && is_phone(webhook_str(c, "wa_id")))
		phone = webhook_str(c, "wa_id");
	if (id == NULL)
		id = from != NULL ? from : phone;
	webhook_set(p, &e->user_id, id);
	webhook_set(p, &e->user_phone, phone);
	webhook_set(p, &e->user_name,
	    webhook_str(webhook_obj(c, "profile"), "name"));
}

/* Without an id (dedupe) or a type there is nothing to handle. */
static void
walk_message(struct webhook_parse *p, const struct wa_value *v,
    const json_t *msg)
{
	const char *id = webhook_str(msg, "id");
	const char *type = webhook_str(msg, "type");
	struct inbound_event *e;

	if (id == NULL || type == NULL) {
		if ((e = webhook_unknown(p, msg, "message")) != NULL)
			webhook_set(p, &e->account_id, v->account);
		return;
	}
	e = webhook_add(p, strcmp(type, "reaction") == 0 ? EV_REACTION :
	    EV_MESSAGE, msg);
	if (e == NULL)
		return;
	webhook_set(p, &e->account_id, v->account);
	set_user(p, e, v, msg);
	webhook_set(p, &e->msg_id, id);
	webhook_set(p, &e->msg_type, type);
	webhook_set(p, &e->ref_id,
	    webhook_str(webhook_obj(msg, "context"), "id"));
	e->timestamp_ms = seconds_to_ms(msg, "timestamp");
	set_error(p, e, msg);
	fill_body(p, e, msg, type);
	if (e->user_id == NULL) {
		/* Nobody to answer: keep it, but not as a message. */
		e->kind = EV_UNKNOWN;
		p->b->unexpected++;
	}
}

/* user_id = the recipient's BSUID when present, else the phone. */
static void
walk_status(struct webhook_parse *p, const struct wa_value *v,
    const json_t *st)
{
	const char *id = webhook_str(st, "id");
	const char *status = webhook_str(st, "status");
	const char *rid = webhook_str(st, "recipient_id");
	const char *uid = webhook_str(st, "recipient_user_id");
	struct inbound_event *e;

	if (id == NULL || status == NULL) {
		if ((e = webhook_unknown(p, st, "status")) != NULL)
			webhook_set(p, &e->account_id, v->account);
		return;
	}
	if ((e = webhook_add(p, EV_STATUS, st)) == NULL)
		return;
	if (uid == NULL)
		uid = webhook_str(st, "user_id");
	webhook_set(p, &e->account_id, v->account);
	webhook_set(p, &e->user_id, uid != NULL ? uid : rid);
	webhook_set(p, &e->user_phone, is_phone(rid) ? rid : NULL);
	webhook_set(p, &e->msg_id, id);
	webhook_set(p, &e->msg_type, status);
	webhook_set(p, &e->status, status);
	webhook_set(p, &e->payload,
	    webhook_str(st, "biz_opaque_callback_data"));
	e->timestamp_ms = seconds_to_ms(st, "timestamp");
	set_error(p, e, st);
}

/*
 * value.errors[]: account-level trouble (130429 rate limit, ...).  It is
 * understood, so not counted as unexpected, but nothing to converse
 * about: EV_UNKNOWN with msg_type "error" and the code, for the server
 * to store and log.
 */
static void
walk_error(struct webhook_parse *p, const struct wa_value *v,
    const json_t *err)
{
	struct inbound_event *e;
	const char *t;

	if (!json_is_object(err)) {
		webhook_unknown(p, err, "error");
		return;
	}
	if ((e = webhook_add(p, EV_UNKNOWN, err)) == NULL)
		return;
	webhook_set(p, &e->account_id, v->account);
	webhook_set(p, &e->msg_type, "error");
	e->error_code = (int)webhook_num(err, "code");
	if ((t = webhook_str(err, "title")) == NULL)
		t = webhook_str(err, "message");
	webhook_set(p, &e->error_text, t);
}

typedef void walk_fn(struct webhook_parse *, const struct wa_value *,
    const json_t *);

/* Walks value[key] with fn; returns 1 if the key was there at all. */
static int
walk_list(struct webhook_parse *p, const struct wa_value *v,
    const json_t *value, const char *key, walk_fn *fn)
{
	json_t *list = json_object_get(value, key), *it;
	size_t i;

	if (list == NULL)
		return 0;
	if (!json_is_array(list)) {
		webhook_unknown(p, list, key);
		return 1;
	}
	json_array_foreach(list, i, it) {
		if (webhook_full(p))
			break;
		if (json_is_object(it))
			fn(p, v, it);
		else
			webhook_unknown(p, it, key);
	}
	return 1;
}

/*
 * A change of another field (account_alerts, template status, ...) or
 * without a phone_number_id is kept whole as one EV_UNKNOWN.
 */
static void
walk_change(struct webhook_parse *p, const json_t *change)
{
	const char *field = webhook_str(change, "field");
	json_t *value = webhook_obj(change, "value");
	struct wa_value v;
	int seen;

	v.account = webhook_str(webhook_obj(value, "metadata"),
	    "phone_number_id");
	v.contacts = webhook_arr(value, "contacts");
	if (!streq(field, "messages") || v.account == NULL) {
		struct inbound_event *e = webhook_unknown(p, change,
		    field != NULL ? field : "change");

		if (e != NULL)
			webhook_set(p, &e->account_id, v.account);
		return;
	}
	index_contacts(p, &v);
	seen = walk_list(p, &v, value, "messages", walk_message);
	seen += walk_list(p, &v, value, "statuses", walk_status);
	seen += walk_list(p, &v, value, "errors", walk_error);
	json_decref(v.by_uid);
	json_decref(v.by_wa);
	if (seen == 0) {
		struct inbound_event *e = webhook_unknown(p, change, field);

		if (e != NULL)
			webhook_set(p, &e->account_id, v.account);
	}
}

static void
walk_entry(struct webhook_parse *p, const json_t *entry)
{
	json_t *changes = webhook_arr(entry, "changes"), *c;
	size_t i;

	if (changes == NULL) {
		webhook_unknown(p, entry, "entry");
		return;
	}
	json_array_foreach(changes, i, c) {
		if (webhook_full(p))
			break;
		walk_change(p, c);
	}
}

int
webhook_parse_whatsapp(const char *body, size_t len,
    struct webhook_batch *out, char *err, size_t errlen)
{
	struct webhook_parse p;
	json_t *root, *entries, *entry;
	size_t i;

	root = webhook_load(&p, out, CH_WHATSAPP, body, len, err, errlen);
	if (root == NULL)
		return -1;
	entries = webhook_arr(root, "entry");
	if (!streq(webhook_str(root, "object"), "whatsapp_business_account") ||
	    entries == NULL)
		webhook_unknown(&p, root, "body");
	else
		json_array_foreach(entries, i, entry) {
			if (webhook_full(&p))
				break;
			walk_entry(&p, entry);
		}
	return webhook_finish(&p, root, err, errlen);
}
