/*
 * webhook.h — Meta webhook bodies (WhatsApp Cloud API, Messenger) parsed
 * into flat events.  Pure: no I/O, no database.  jansson stays inside the
 * parsers; callers only see these structs.
 */
#ifndef LOKET_WEBHOOK_H
#define LOKET_WEBHOOK_H

#include <stddef.h>

enum channel { CH_WHATSAPP, CH_MESSENGER };

enum event_kind {
	EV_MESSAGE,	/* citizen -> business: text, media, button, postback,
			   location, contacts, unsupported, ... */
	EV_REACTION,	/* citizen reacted to a message (emoji, or removed) */
	EV_STATUS,	/* fate of one of our messages: sent/delivered/read/
			   failed (WhatsApp statuses, Messenger delivery and
			   read watermarks) */
	EV_ECHO,	/* Messenger echo of a message the page sent */
	EV_HANDOVER,	/* Messenger pass/take/request_thread_control */
	EV_UNKNOWN	/* signed but not understood: kept raw, not handled */
};

struct inbound_event {
	enum channel	 channel;
	enum event_kind	 kind;
	int		 standby;	/* Messenger: came under standby[], a
					   person in another app has the thread */
	char		*account_id;	/* phone_number_id or page id */
	char		*user_id;	/* BSUID, else phone (WhatsApp); PSID */
	char		*user_phone;	/* WhatsApp wa_id / from, or NULL */
	char		*user_name;	/* WhatsApp profile name, or NULL */
	char		*msg_id;	/* wamid / mid; for EV_STATUS the id of
					   our message (NULL for watermarks) */
	char		*msg_type;	/* text, interactive, button, image,
					   audio, video, document, sticker,
					   location, contacts, unsupported,
					   postback, quick_reply, reaction,
					   sent/delivered/read/failed, ... */
	char		*text;		/* text body, caption, button title */
	char		*payload;	/* reply id, quick-reply or postback
					   payload, media id, emoji, owner app */
	char		*status;	/* EV_STATUS: sent/delivered/read/failed */
	int		 error_code;	/* Meta's error code, 0 if none */
	char		*error_text;	/* Meta's error title/message, or NULL */
	long long	 timestamp_ms;	/* Meta's time, milliseconds since 1970 */
	long long	 watermark_ms;	/* Messenger delivery/read watermark */
	char		*raw;		/* compact JSON of this event alone */
	char		*ref_id;	/* the message this one points at, or
					   NULL: reaction target (WA
					   reaction.message_id, Messenger
					   reaction.mid), WA context.id (our
					   message a button answers), Messenger
					   reply_to.mid */
};

/*
 * Events read from one body at most.  One signed body must not turn into
 * hundreds of thousands of rows (a 3.9 MB array did, and stalled every
 * other request for seconds); past the cap the walk stops, overflow is
 * set and the caller keeps the whole body raw, once.  Meta batches far
 * fewer events per POST.
 */
#define WEBHOOK_MAX_EVENTS	1000
#define WEBHOOK_MAX_EVENTS_S	"1000"	/* the same, for texts */

struct webhook_batch {
	struct inbound_event	*ev;
	size_t			 n;
	int			 unexpected; /* parts not understood (kept as
						EV_UNKNOWN events or counted) */
	int			 overflow; /* more than WEBHOOK_MAX_EVENTS:
					      the rest was not read */
};

/*
 * Parse a signed body.  Return 0 and fill out (even when nothing inside
 * was understood: then out->unexpected > 0), or -1 when jansson cannot
 * read the body (the caller keeps it raw in `unexpected` and answers
 * 200: a signed body is never refused); err names the problem.  -1 also
 * when memory runs out (err then starts with "out of memory": answer 500
 * so Meta retries; jansson may report a failed allocation in its lexer
 * as a syntax error, so a rare OOM can still look like "not JSON").
 * Either way out is safe to webhook_batch_free(), and
 * every string in it is a private copy: the body may be freed at once.
 *
 * Not parsed (-1): truncated or empty bodies, trailing garbage, invalid
 * UTF-8, \u0000 inside a string, a lone surrogate (\ud83d alone), nesting
 * deeper than 2048 (jansson's JSON_PARSER_MAX_DEPTH), a number past the
 * range of a double.  A leading byte order mark is skipped (RFC 8259
 * allows it), so such a body is read like any other.  Duplicate keys are accepted (the last wins): names
 * SHOULD be unique (RFC 8259), and a 400 for a signed body only makes
 * Meta retry it for days.  Integers past 64 bits are read as doubles.
 *
 * Fields guaranteed non-NULL (others may be NULL):
 *   EV_MESSAGE, EV_REACTION, EV_ECHO: account_id, user_id, msg_id,
 *	msg_type;
 *   EV_STATUS: account_id, msg_type, status; msg_id except Messenger
 *	watermark-only delivery/read events; user_id on Messenger always,
 *	on WhatsApp when Meta names a recipient (it always has so far);
 *   EV_HANDOVER: account_id, user_id, msg_type;
 *   EV_UNKNOWN: raw (JSON of what was kept, not always an object) and
 *	msg_type (what it seemed to be: "body", "entry", "event", the
 *	change field or Messenger event key, or the message type when a
 *	WhatsApp message names no user).
 *
 * Decisions (the reasons are next to the code):
 * - WhatsApp value.errors[] (account-level, e.g. 130429) become
 *   EV_UNKNOWN events with msg_type "error", error_code and error_text;
 *   they are understood, so they do NOT count in unexpected.
 * - Ids Meta does not give get a synthetic, retry-stable msg_id
 *   "syn:<msg_type>:<user_id>:<timestamp_ms>": Messenger postbacks
 *   without mid ("syn:postback:..."), Messenger reactions
 *   ("syn:react:..." / "syn:unreact:...").
 * - Reactions: payload = emoji (NULL when a WhatsApp reaction is
 *   removed; Messenger: the emoji, else the reaction name), ref_id = the
 *   message reacted to; msg_type "reaction" (WhatsApp) or the Messenger
 *   action "react" / "unreact".
 * - WhatsApp statuses: payload = biz_opaque_callback_data.  WhatsApp
 *   unsupported messages: payload = unsupported.type ("poll_creation").
 *   WhatsApp location: payload "lat,lon", text "name, address".
 *   WhatsApp contacts: text "Name (phone, phone); Name2 (phone)".
 * - Messenger handover: payload = new (or requested) owner app id, text
 *   = the metadata string.  Echo: payload = app_id of the sending app.
 * - Messenger delivery with n mids gives n events; each raw holds only
 *   its own mid.  A message with neither text, quick reply nor
 *   attachment has msg_type "unknown".
 */
int	webhook_parse_whatsapp(const char *body, size_t len,
	    struct webhook_batch *out, char *err, size_t errlen);
int	webhook_parse_messenger(const char *body, size_t len,
	    struct webhook_batch *out, char *err, size_t errlen);
void	webhook_batch_free(struct webhook_batch *b);

const char *webhook_channel_name(enum channel c);	/* "whatsapp", "messenger" */

#endif
