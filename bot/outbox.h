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
 * the row id, or -1 on a database error (logged).  It goes out on the
 * next outbox_service(ob, 1) (or outbox_kick) after the commit.
 */
long long	outbox_enqueue(struct store *s, const struct outbox_item *it);

/*
 * The sender (outbox.c, outbox_send.c), on the back end thread.  It owns a
 * graph worker thread (graph.h) and the rows' life:
 *
 *   pending --submit--> (in flight: submitted_at set) --accepted--> sent
 *      ^                      |                     delivered, read (webhooks)
 *      +------- retry --------+--- permanent / out of attempts ---> failed
 *
 * Order: per citizen (agency, channel, user_id) only the oldest pending row
 * is ever submitted, and the next one only after Meta accepted (or we gave
 * up on) it.  Pacing: the agency's rate per sending number (rate_limit,
 * default 80/s; Messenger 40/s per Page) and, on WhatsApp, Meta's pair
 * limit (bursts of 6, then one per 6 s per citizen): rows wait, they are
 * never refused for it.
 *
 * 24-hour window (from the citizen's last message in `inbound`): outside
 * it a WhatsApp text or choice becomes the agency's wa_template with one
 * body parameter (the conversation's case reference, else the text), or
 * fails with a reason when no template is configured; on Messenger staff
 * messages get the HUMAN_AGENT tag up to 7 days, bot messages fail.  When
 * Meta answers 131047 (window closed) to a WhatsApp text or choice anyway,
 * the row is rewritten as the template and sent again at once (or fails
 * with 131047 when there is no template); 131047 by status webhook after
 * acceptance fails the row for staff.
 *
 * Crash safety: a row is marked in flight (submitted_at) in the same
 * transaction that chooses it; outbox_new() makes rows left in flight by
 * a crash pending again, so nothing is lost, but holds them for a grace
 * period (resend_grace_ms, default 60 s): each request carries the row
 * as a tag (graph.h) that Meta echoes in the message's status webhooks
 * (WhatsApp) or message echo (Messenger), and a status or echo naming the
 * row marks it sent instead of sending it again.  So a row is sent twice
 * only when Meta accepted it, the process died before the message id was
 * committed, and no status or echo for it arrived within the grace
 * period (Messenger echoes need the message_echoes subscription).  A row
 * with a message id is never sent again.
 *
 * How the server drives it (backend.c, on the back end thread):
 *   startup        outbox_new(cfg, store, backend_wake, backend)
 *   every round, outside any open transaction (after the engine's
 *                  commit): outbox_service(ob, new_rows), new_rows = 1
 *                  when rows may have been enqueued.  It drains results,
 *                  applies statuses, and kicks when rows are due; the
 *                  round's wait (next due row, or 1 s) is its timer.
 *   (finer: outbox_on_wake, outbox_kick, outbox_apply_statuses and
 *    outbox_next_due_ms are the parts, for a server with its own timer)
 *   SIGHUP         outbox_set_config(new cfg) (tokens, templates, rates;
 *                  a new graph_url needs a restart)
 *   shutdown       outbox_free()  (before store_close)
 * None of them does anything while a store transaction is open: they
 * commit their own work and must not join (or roll back) a caller's.
 */
struct config;
struct outbox;
struct graph_job;
struct graph_result;

struct outbox_stats {
	unsigned long	submitted;	/* requests handed to graph */
	unsigned long	accepted;	/* rows Meta took (-> sent) */
	unsigned long	retried;	/* transient failures, retried */
	unsigned long	failed;		/* rows marked failed */
	unsigned long	skipped;	/* nothing to send on the channel */
	unsigned long	templated;	/* sent as template (window) */
	unsigned long	paced;		/* held back by the pair limit */
	unsigned long	statuses;	/* delivery statuses applied */
	unsigned long	held;		/* rows left in flight, held for
					   their status after a restart */
	unsigned long	not_resent;	/* of those, found sent by a
					   status or echo */
};

struct outbox_opts {
	void		(*wake)(void *arg);	/* results ready (any thread) */
	void		*wake_arg;
	/* Tests only: answer requests without network (graph.h). */
	void		(*responder)(void *arg, const struct graph_job *job,
			    struct graph_result *res);
	void		*responder_arg;
	/* Tests only: the clock, ms since 1970 (default store_now_ms). */
	long long	(*now)(void *arg);
	void		*now_arg;
	int		 max_attempts;	/* 0: 10 */
	long long	 resend_grace_ms; /* 0: OUTBOX_RESEND_GRACE_MS; how
					   long a row left in flight waits
					   for its status before a resend */
	long		 timeout_ms;	/* per request; 0: 30 s */
};

/*
 * Starts the sender: the graph worker for cfg->graph_url, and makes rows
 * left in flight by an earlier run pending again.  cfg must outlive the
 * outbox (or be replaced with outbox_set_config).  NULL on error (logged).
 */
struct outbox	*outbox_new(const struct config *cfg, struct store *s,
		    void (*wake)(void *), void *wake_arg);
struct outbox	*outbox_new_opts(const struct config *cfg, struct store *s,
		    const struct outbox_opts *o);
void		 outbox_set_config(struct outbox *ob, const struct config *cfg);
/*
 * Submits due rows (in order, paced).  Returns the number submitted, or
 * -1 on a database error (logged; tried again on the next kick).
 */
int		 outbox_kick(struct outbox *ob);
/* Applies the worker's results in one transaction, then kicks.  Returns
 * the number of results applied (0 when the wake-up was for others). */
int		 outbox_on_wake(struct outbox *ob);
/* Milliseconds until the next row is due (0: now), or -1 if none waits
 * on a timer (rows in flight end with a wake-up). */
long long	 outbox_next_due_ms(struct outbox *ob);
/* Applies delivery statuses from webhooks (table statuses) to the rows.
 * Returns how many were applied, -1 on a database error. */
int		 outbox_apply_statuses(struct outbox *ob);
/* All of the above as due; see "How the server drives it".  */
void		 outbox_service(struct outbox *ob, int new_rows);
const struct outbox_stats *outbox_stats(const struct outbox *ob);
/* Lets requests in flight finish (up to 2 s), applies their results, stops
 * and joins the worker.  NULL ok. */
void		 outbox_free(struct outbox *ob);

#endif
