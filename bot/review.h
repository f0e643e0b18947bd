/*
 * review.h — the review of misunderstood messages (issue 15): what the
 * bot did not understand, what staff had to rescue and what staff marked
 * "de bot begreep dit verkeerd" is kept in `review_items`, one row per
 * inbound message, with the classifier's guess and signals, so intent
 * authors learn from real conversations.  The raw text stays in the
 * database under the conversation's retention and erase rules
 * (report_purge.c blanks it with the message); what leaves the database
 * is masked (contact_mask(), contact.h) and grouped by similarity
 * (review_group()).
 *
 * Storage functions run on whichever thread owns the store (the back
 * end for collection, the service thread for the console, a command);
 * the grouping is pure.  Every statement is prepared in review.c.
 */
#ifndef LOKET_REVIEW_H
#define LOKET_REVIEW_H

#include <stddef.h>

#include "intent.h"

struct signals;
struct store;

/* Why a message is up for review: bits of review_items.reasons. */
#define REVIEW_UNKNOWN	0x01	/* intent onbekend (below the threshold or
				   mostly unknown words) */
#define REVIEW_REASKED	0x02	/* the bot asked its question again */
#define REVIEW_HANDOVER	0x04	/* handed to staff for not understanding
				   ("overdracht.onbekend", ".herhaald") */
#define REVIEW_TAKEOVER	0x08	/* staff took over from the bot after it */
#define REVIEW_MARKED	0x10	/* staff marked it misunderstood */
#define REVIEW_ALL	0x1f

#define REVIEW_SIGNALS_MAX	256
#define REVIEW_LIST_MAX		5000	/* open items read at most */
#define REVIEW_NAME_MAX		64

/* Reason names for bits ("onbekend", "herhaald", "overdracht",
 * "overgenomen", "gemarkeerd"): the name of the lowest bit set in
 * reason, or NULL. */
const char	*review_reason_name(unsigned reason);

/* The set signals of s as space-separated names ("narrative question
 * answer:no choice:vraag"); "" when none. */
void	review_signals_text(const struct signals *s, char *out, size_t outlen);

/* One message to collect (borrowed pointers). */
struct review_new {
	long long		 inbound_id;
	long long		 conversation_id;	/* 0: none */
	long long		 received_at;		/* ms, when the inbound
						   row has none */
	const char		*agency;
	const char		*channel;
	const char		*text;		/* raw, as classified */
	unsigned		 reasons;	/* REVIEW_* */
	const struct intent_result *ir;		/* the guess */
	const char		*signals;	/* review_signals_text(), or
						   NULL */
	const char		*answer;	/* right intent/topic, or NULL */
	const char		*marked_by;	/* staff name, or NULL */
};

/*
 * Stores n, or adds its reasons to the item of the same message (a mark
 * also sets the answer and reopens an ignored item).  Returns 0, or -1
 * on a database error.  Call it inside the caller's transaction.
 */
int	review_collect(struct store *s, const struct review_new *n,
	    long long now_ms);

/* One inbound citizen message, as review needs it. */
struct review_msg {
	long long	id;
	long long	conversation_id;
	long long	received_at;
	char		agency[REVIEW_NAME_MAX];
	char		channel[16];
	char		*text;		/* malloc'd; NULL when blank */
};
/*
 * Loads the citizen text message inbound_id (kind message, with text;
 * last_of_conv != 0: the last one of conversation last_of_conv instead).
 * 1 found, 0 none (or no text left), -1 error.  Free m->text.
 */
int	review_message(struct store *s, long long inbound_id,
	    long long last_of_conv, struct review_msg *m);

/* An item as read back. */
struct review_item {
	long long	id;
	long long	inbound_id;
	long long	conversation_id;
	long long	received_at;
	unsigned	reasons;
	double		confidence;
	char		agency[REVIEW_NAME_MAX];
	char		channel[16];
	char		guess[INTENT_ID_MAX];
	char		topic[INTENT_ID_MAX];
	char		second[INTENT_ID_MAX];
	char		answer[INTENT_ID_MAX];
	char		signals[REVIEW_SIGNALS_MAX];
	char		user_name[REVIEW_NAME_MAX * 2]; /* the profile name of
					   the sender, to mask, or "" */
	char		*text;		/* raw, malloc'd */
};

/*
 * The open items that still have their text (agency NULL: all), oldest
 * first, at most REVIEW_LIST_MAX.  *out is malloc'd (free with
 * review_items_free); returns the count, or -1.
 */
int	review_open(struct store *s, const char *agency,
	    struct review_item **out);
void	review_items_free(struct review_item *v, int n);

/*
 * Closes the open items ids[0..n) as "assigned" (to intent) or "ignored"
 * (intent NULL), by whom.  Returns how many changed, or -1.
 */
int	review_resolve(struct store *s, const long long *ids, int n,
	    const char *intent, const char *by, long long now_ms);

/*
 * Grouping (review_group.c, pure).  Near-duplicates together: two texts
 * (masked) are alike when their word sets overlap by at least 0.6
 * (Jaccard) or their letter trigrams by at least 0.8 (Dice), so "wnr
 * zijn jullie open" and "wanneer zijn jullie open?" meet.  Each text
 * joins the group whose first text it is most like.
 */
/* How alike a and b are: 1 or more means alike (the larger of Jaccard /
 * 0.6 and Dice / 0.8); -1 on out-of-memory. */
double	review_similarity(const char *a, const char *b);

struct review_group {
	int	*members;	/* indexes into the texts, first = leader */
	int	 n;
};
/*
 * Groups texts[0..n): *out (malloc'd, free with review_groups_free) gets
 * the groups, largest first (ties: the one with the newest member, i.e.
 * the highest index, first).  Returns the number of groups, or -1 on
 * out-of-memory.
 */
int	review_group(const char *const *texts, int n, struct review_group **out);
void	review_groups_free(struct review_group *g, int n);

/*
 * The open items as authors see them (review_list.c): masked
 * (contact_mask with the agency's dossier patterns and the sender's
 * profile name) and grouped, largest group first.  Group k of
 * 0..review_set_count()-1 is named by the id of its first item.
 */
struct review_set;
struct config;
/* agency NULL: all.  NULL on a database error or out-of-memory. */
struct review_set *review_set_load(struct store *st, const struct config *cfg,
	    const char *agency);
void	review_set_free(struct review_set *s);
int	review_set_count(const struct review_set *s);
int	review_set_messages(const struct review_set *s);	/* items */
long long review_set_id(const struct review_set *s, int k);
int	review_set_size(const struct review_set *s, int k);
const char *review_set_text(const struct review_set *s, int k); /* masked */
/* The guess most of the group share. */
const char *review_set_guess(const struct review_set *s, int k);
/* The group holding item id, or -1. */
int	review_set_find(const struct review_set *s, long long id);
/*
 * Group k as a JSON object (new reference, NULL on out-of-memory): "id",
 * "text" (masked), "count", "guess", "confidence", "second", "topic",
 * "reasons", "signals", "answers" (staff's right answers and how often),
 * "agency", "channel", "conversation" (0 unless with_conv), "first_at",
 * "last_at", "items" (ids), "examples" (up to three other masked texts).
 */
struct json_t;
struct json_t *review_set_json(const struct review_set *s, int k,
	    int with_conv);
/* Closes group k: assigned to intent, or ignored (intent NULL), in one
 * transaction.  Returns how many items changed, or -1. */
int	review_set_resolve(struct store *st, const struct review_set *s, int k,
	    const char *intent, const char *by);

#endif
