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

struct webhook_batch {
	struct inbound_event	*ev;
	size_t			 n;
	int			 unexpected; /* parts not understood (kept as
						EV_UNKNOWN events or counted) */
};

/*
 * Parse a signed body.  Return 0 and fill out (even when nothing inside
 * was understood: then out->unexpected > 0), or -1 when the body is not
 * JSON at all (the caller answers 400); err names the problem.
 */
int	webhook_parse_whatsapp(const char *body, size_t len,
	    struct webhook_batch *out, char *err, size_t errlen);
int	webhook_parse_messenger(const char *body, size_t len,
	    struct webhook_batch *out, char *err, size_t errlen);
void	webhook_batch_free(struct webhook_batch *b);

const char *channel_name(enum channel c);	/* "whatsapp", "messenger" */

#endif
