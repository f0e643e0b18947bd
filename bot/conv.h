/*
 * conv.h — the conversation engine: the store-backed shell
 * around the pure dialog (dialog.h).  It takes unprocessed `inbound`
 * rows in id order, one transaction per message: loads or opens the
 * conversation of (agency, channel, user), classifies the text, runs the
 * dialog, queues the replies in the outbox, writes the state, creates
 * cases, writes one `outcomes` row when a conversation ends, and marks
 * the row processed.  A restart loses nothing: all state is in SQLite.
 *
 * Runs on the service thread only (it owns the SQLite connection through
 * the store and the classifier's stemmer).  The config, intent model and
 * locales are borrowed: they must outlive the engine or be swapped in
 * with the setters (on SIGHUP) before the old ones are freed.
 *
 * Silence: a conversation in which the bot has the word ends when nothing
 * happened for the agency's timeout (conv_tick, or lazily when the user
 * writes again), with the outcome it reached or `abandoned`.  One that
 * waits for staff, or that staff or Meta's Page Inbox hold, does not time
 * out: a person has to close it (conv_close) or hand it back.
 */
#ifndef LOKET_CONVERSATION_H
#define LOKET_CONVERSATION_H

#include <stddef.h>

struct config;
struct store;
struct intent_model;
struct locales;
struct conv_engine;

/* Meta's Page Inbox app: the target of a Messenger hand-over. */
#define PAGE_INBOX_APP_ID	"263902037430900"

/* Returns NULL on out-of-memory.  model may be NULL (every text is then
 * "onbekend" and only typed choices are understood). */
struct conv_engine	*conv_new(const struct config *cfg, struct store *s,
		    struct intent_model *model, const struct locales *loc);
void		 conv_free(struct conv_engine *e);
void		 conv_set_config(struct conv_engine *e, const struct config *cfg);
void		 conv_set_model(struct conv_engine *e, struct intent_model *m);
void		 conv_set_locales(struct conv_engine *e, const struct locales *l);

/*
 * Handles the waiting inbound rows (at most 500 per call), in id order.
 * Returns how many were handled, or -1 after a database error (the row
 * stays unprocessed and is retried on the next call; a row that fails
 * three times in a row is marked processed and logged, so one bad row
 * cannot block a channel).
 */
int	conv_process_pending(struct conv_engine *e, long long now_ms);
/* The same, at most max rows: the server takes a few per loop round so
 * acknowledging webhooks never waits for a backlog. */
int	conv_process_some(struct conv_engine *e, long long now_ms, int max);
/* How long the first row the last conv_process_some() left waiting has
 * waited (it stopped at max, or to let the intake writer commit), in ms;
 * 0 if it left none. */
long long conv_behind_ms(const struct conv_engine *e);
/* Ends conversations silent past their agency's timeout; returns how
 * many were ended, or -1 on a database error. */
int	conv_tick(struct conv_engine *e, long long now_ms);

/*
 * Staff operations (the console).  Each returns 0, -1 on a database
 * error, or -2 when the conversation does not exist or is closed.
 *   takeover:   staff holds it; the bot is silent (staff_involved = 1).
 *   handback:   the bot has the word again (see below).
 *   close:      ends it with outcome (an OUTCOME_* name, dialog.h).
 *   staff_reply: queues text to the citizen, authored by staff_name; a
 *               reply also takes the conversation over.
 */
int	conv_takeover(struct conv_engine *e, long long conv_id,
	    const char *staff_name, long long now_ms);
int	conv_handback(struct conv_engine *e, long long conv_id, long long now_ms);
int	conv_close(struct conv_engine *e, long long conv_id, const char *outcome,
	    long long now_ms);
int	conv_staff_reply(struct conv_engine *e, long long conv_id,
	    const char *staff_name, const char *text, long long now_ms);
/*
 * More staff operations, same return values:
 *   release:    nobody holds it any more and it waits for staff again
 *               (since the citizen's last unanswered message, or now);
 *               the bot stays silent.  Also for a colleague who is away.
 *   handback (above) tells the citizen: back with the digital assistant,
 *               or, when the citizen was handed to staff and no staff
 *               reply came since their last message, that the message
 *               stays with staff; such a conversation stays waiting.
 *   staff_case: registers a case from what staff took down (fields given
 *               override the dialog's slots; NULL or "" keeps them);
 *               -3 when the conversation already has a case.
 */
int	conv_release(struct conv_engine *e, long long conv_id, long long now_ms);
struct conv_case_fields {
	const char	*name, *email, *phone, *description;
};
int	conv_staff_case(struct conv_engine *e, long long conv_id,
	    const struct conv_case_fields *f, long long now_ms,
	    char *ref, size_t reflen);

/*
 * Staff mark the citizen's message inbound_id "de bot begreep dit
 * verkeerd", with the right intent or topic when they know it (answer
 * may be NULL): it is put up for review (review.h), classified again.
 * Returns 0, -1 on a database error, -2 when there is no such citizen
 * text message (or its text was erased), -3 when answer is no intent or
 * topic of the model.  A takeover of a
 * conversation the bot was handling puts the citizen's last message up
 * for review by itself.
 */
int	conv_mark_misread(struct conv_engine *e, long long inbound_id,
	    const char *staff_name, const char *answer, long long now_ms);
/*
 * The intents and topics staff may give as the right answer (every id
 * conv_mark_misread accepts): fn is called once per id, in the model's
 * order, topic != 0 for a topic.  None without a model.
 */
void	conv_labels(struct conv_engine *e, void (*fn)(void *arg,
	    const char *id, int topic), void *arg);

#endif
