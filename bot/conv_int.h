/*
 * conv_int.h — private to the conversation engine (conv.c,
 * conv_db.c, conv_text.c): the row structs and the helpers between them.
 */
#ifndef LOKET_CONV_INT_H
#define LOKET_CONV_INT_H

#include "buf.h"
#include "dialog.h"

struct agency;
struct config;
struct locales;
struct store;

#define CONV_ID_MAX	128
#define CONV_REF_MAX	40

/* One `inbound` row. */
struct conv_inrow {
	long long	 id;
	char		*channel, *agency, *account_id, *user_id, *user_phone;
	char		*user_name, *msg_id, *kind, *type, *text, *payload;
	int		 standby;
	long long	 received_at;	/* ms, when the webhook came */
};

/* One `conversations` row, with the dialog state decoded. */
struct conv {
	long long		 id;
	char			 agency[CONV_ID_MAX];
	char			 channel[16];
	char			 user_id[CONV_ID_MAX];
	char			 user_phone[32];	/* digits, no '+' */
	char			 mode[16];		/* bot|staff|page_inbox */
	char			 staff[CONV_ID_MAX];
	char			 case_ref[CONV_REF_MAX];
	struct dialog_state	 st;
	char			 msg_lang[4];	/* language the message being
						   answered is written in, ""
						   unknown; not stored */
	long long		 started_at, first_reply_at, last_in_at;
	long long		 last_out_at, waiting_since;
	int			 turns, staff_involved, abuse;
};

struct conv_engine;

/* conv.c: the engine's store and config, for conv_staff.c and
 * conv_review.c. */
struct store *conv_store(struct conv_engine *e);
const struct config *conv_config(struct conv_engine *e);
/* The reply texts, for conv_staff.c (valid until the next reload, which
 * happens between the engine's rounds). */
const struct locales *conv_locales(const struct conv_engine *e);
struct intent_result;
/* Whether id is an intent or topic of the engine's model (any id
 * without a model; never "onbekend"). */
int	conv_knows(struct conv_engine *e, const char *id);
/* Classifies text with the engine's model ("onbekend" without one). */
void	conv_classify(struct conv_engine *e, const char *text,
	    struct intent_result *ir);

/* conv_review.c: the message behind a staff action up for review (the
 * last citizen message of conv_id when inbound_id is 0), classified
 * again; 0 also when there is no such text, -1 on error. */
int	conv_review_collect(struct conv_engine *e, long long inbound_id,
	    long long conv_id, unsigned reasons, const char *answer,
	    const char *by, long long now_ms);

/* conv_db.c — every statement binds its parameters. */
int	conv_db_next_inbound(struct store *s, long long after,
	    struct conv_inrow *r);
void	conv_inrow_free(struct conv_inrow *r);
/* Id of the citizen's oldest row still waiting (r's channel, agency and
 * user), 0 if none, -1 on error. */
long long conv_db_oldest_waiting(struct store *s, const struct conv_inrow *r);
/*
 * The user's text messages queued right behind r (unprocessed, received
 * within window_ms of r, before any other kind of row of that user),
 * appended to out one per line, at most max_bytes in all.  Their ids go
 * to ids (at most nids).  Returns how many, or -1.
 */
int	conv_db_burst(struct store *s, const struct conv_inrow *r,
	    long long window_ms, size_t max_bytes, struct buf *out,
	    long long *ids, int nids);
int	conv_db_mark_processed(struct store *s, long long inbound_id,
	    long long conv_id);
/* The id of the user's conversation that ended at or after since_ms
 * while the user wrote in it since then (not a time-out): 1 found, 0
 * none, -1 error. */
int	conv_db_ended_since(struct store *s, const char *agency,
	    const char *channel, const char *user_id, long long since_ms,
	    long long *id);
/* 1 found, 0 none, -1 error. */
int	conv_db_load_open(struct store *s, const char *agency,
	    const char *channel, const char *user_id, struct conv *c);
int	conv_db_load(struct store *s, long long id, struct conv *c);
int	conv_db_create(struct store *s, struct conv *c, const char *user_name,
	    long long now_ms);
int	conv_db_save(struct store *s, const struct conv *c);
/* Closes c with outcome and writes its `outcomes` row. */
int	conv_db_end(struct store *s, struct conv *c, const char *outcome,
	    long long now_ms);
/* Registers a case from the slots; fills c->case_ref. */
int	conv_db_create_case(struct store *s, const struct agency *a,
	    struct conv *c, long long now_ms);
/* The account (phone_number_id / page id) the citizen last wrote to. */
int	conv_db_account(struct store *s, long long conv_id, char *out,
	    size_t outlen);
/* An open conversation in which the bot has the word. */
struct conv_idle {
	long long	id;
	char		agency[CONV_ID_MAX];
	long long	last;		/* last message either way, ms */
};
/* Those silent since before cutoff_ms (the caller applies each agency's
 * own timeout).  Returns the count, -1 on error; *out is malloc'd. */
int	conv_db_idle(struct store *s, long long cutoff_ms,
	    struct conv_idle **out);

/* conv_state.c — the dialog slots as the JSON `data` column. */
char	*conv_state_encode(const struct dialog_state *st);
void	conv_state_decode(struct dialog_state *st, const char *json);

/* conv_text.c — texts and outbox bodies. */
struct conv_render {
	const struct locales	*loc;
	const struct agency	*agency;
	const struct conv	*conv;
	int			 in_office;
	long long		 next_open_ms;	/* 0: unknown */
};
/* The JSON body of one reply (kind "text" or "choices" in *kind);
 * malloc'd, NULL on error. */
char	*conv_render_reply(const struct conv_render *r,
	    const struct dialog_reply *reply, const char **kind);
/* {"text": text}; malloc'd. */
char	*conv_text_body(const char *text);
/* One line per group of days: "maandag tot donderdag: 9 tot 12 uur en
 * 13 tot 16 uur\nvrijdag: 9 tot 12 uur"; fr and en alike. */
void	conv_office_hours(const struct agency *a, const char *lang, char *out,
	    size_t outlen);
/* "maandag 1 december om 9 uur", "lundi 1 décembre à 8 h 30",
 * "Monday 1 December at 9:00" (Europe/Brussels). */
void	conv_format_time(long long ms, const char *lang, char *out,
	    size_t outlen);

#endif
