/*
 * outbox.h — the durable queue of everything sent to citizens.  A reply is
 * a row in the outbox table before any attempt to send it; the sender
 * (graph.c on its own thread) delivers rows in order per conversation.
 *
 * Body JSON per kind (written by the conversation engine and the console,
 * turned into Graph API requests by the sender):
 *   text      {"text": "..."}
 *   choices   {"text": "...", "choices": [{"id": "klacht", "title": "..."}],
 *              "button": "Kies"}  (<= 3: WhatsApp reply buttons, more: a
 *              WhatsApp list; Messenger quick replies; titles <= 20 chars)
 *   template  {"name": "...", "lang": "nl", "params": ["VMSW-2026-00042"]}
 *   read      {"message_id": "<wamid or mid>"}     (mark as read / seen)
 *   typing    {}
 *   handover  {"target_app_id": "263902037430900", "metadata": "..."}
 */
#ifndef LOKET_OUTBOX_H
#define LOKET_OUTBOX_H

struct store;

struct outbox_item {
	long long	 conversation_id;	/* 0 if none */
	const char	*agency;
	const char	*channel;	/* "whatsapp" | "messenger" */
	const char	*account_id;	/* phone_number_id / page id */
	const char	*user_id;
	const char	*to_phone;	/* WhatsApp digits, or NULL */
	const char	*kind;
	const char	*body;		/* JSON, see above */
	const char	*author;	/* "bot" or the staff member's name */
};

/*
 * Inserts one pending row (in the caller's transaction, if any).  Returns
 * the row id, or -1 on a database error (logged).
 */
long long	outbox_enqueue(struct store *s, const struct outbox_item *it);

#endif
