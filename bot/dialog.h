/*
 * dialog.h — the conversation as a pure state machine.  One call takes
 * the agency's policy, the conversation's state and slots, and one input
 * (a classified message, a button, media without text, or silence past
 * the timeout) and yields the new state, the replies (locale keys with
 * choices) and the actions for the engine (create a case, hand over, end
 * with an outcome, flag abuse).  No I/O, no clock, no database, no
 * allocation: conv.c does all that around it, so every path can
 * be tested in memory.
 */
#ifndef LOKET_DIALOG_H
#define LOKET_DIALOG_H

#include "contact.h"
#include "intent.h"
#include "signals.h"

struct agency;

enum dialog_step {
	DS_START,		/* nothing said yet */
	DS_CHOICE,		/* asked: question, complaint or suggestion */
	DS_CLARIFY,		/* asked: really a complaint? */
	DS_ASK_QUESTION,	/* asked: what is your question */
	DS_ASK_SUGGESTION,	/* asked: what is your suggestion */
	DS_ASK_NAME,		/* case: name */
	DS_ASK_CONTACT,		/* case: e-mail or phone */
	DS_ASK_DESC,		/* case: description */
	DS_CONFIRM,		/* case: is this right? */
	DS_FIX,			/* case: what to change? */
	DS_DONE,		/* an outcome was reached; open for more */
	DS_STAFF,		/* handed over: the bot keeps silent */
	DS_ENDED,		/* closed; the next message opens a new one */
	DS_COUNT
};

#define DIALOG_OUTCOME_MAX	24
#define DIALOG_DESC_MAX		1000	/* bytes of the complaint text kept */

/* Everything the dialog remembers between messages (stored as JSON). */
struct dialog_state {
	enum dialog_step step;
	char	lang[4];			/* reply language */
	char	outcome[DIALOG_OUTCOME_MAX];	/* reached so far, or "" */
	char	first_intent[INTENT_ID_MAX];
	char	topic[INTENT_ID_MAX];		/* last topic answered */
	char	pending_topic[INTENT_ID_MAX];	/* topic of the grievance
						   awaiting the clarify
						   answer: answered if
						   that answer is "vraag" */
	char	name[CONTACT_NAME_MAX];
	char	email[CONTACT_EMAIL_MAX];
	char	phone[CONTACT_PHONE_MAX];	/* E.164 */
	char	dossier[CONTACT_DOSSIER_MAX];
	char	description[DIALOG_DESC_MAX];
	int	asks[DS_COUNT];		/* times each question was asked */
	int	unknown;		/* messages not understood */
	int	criticism;		/* criticism answered (once only) */
	int	abuse;			/* abusive messages seen */
	int	fix_field;		/* DS_FIX: which slot is re-asked */
	int	referrals;		/* procedure or referral given */
	int	invalid;		/* invalid contact answers in a row */
};

enum dialog_input_kind {
	DI_TEXT,	/* typed text, or a button / quick reply */
	DI_MEDIA,	/* photo, file, voice, ... without text */
	DI_TIMEOUT	/* silence past the agency's timeout */
};

struct dialog_input {
	enum dialog_input_kind kind;
	const char	*text;		/* typed text or button title */
	const char	*payload;	/* button / quick reply id, or NULL */
	const struct intent_result *intent; /* NULL: not classified */
	const struct signals *sig;	/* NULL: not read */
	const char	*topic_key;	/* locale key answering the topic,
					   or NULL when there is none */
	const char	*pending_topic_key; /* the same for the state's
					   pending_topic, or NULL */
	int		 burst;		/* came within seconds of the last
					   message, already answered */
	int		 whatsapp;	/* channel offers the sender's number */
	const char	*user_phone;	/* sender's number, E.164, or NULL */
	int		 lang_offered;	/* agency and locales offer
					   intent->lang */
	int		 in_office;	/* staff at work now */
};

/* Actions for the engine, bits of dialog_output.actions. */
#define DA_CREATE_CASE	0x01	/* register a case from the slots */
#define DA_HANDOVER	0x02	/* wait for staff */
#define DA_END		0x04	/* close with end_outcome */
#define DA_FLAG_ABUSE	0x08	/* abusive message: staff moderates */
#define DA_LOG_SUGGESTION 0x10	/* the text is a suggestion */

/* "onderwerp.<agency>.<topic>": agency ids have at most 32 bytes. */
#define DIALOG_TOPIC_KEY_MAX	(sizeof("onderwerp..") + 32 + INTENT_ID_MAX)

#define DIALOG_MAX_REPLIES	3
#define DIALOG_MAX_CHOICES	3	/* WhatsApp reply buttons */

struct dialog_choice {
	const char	*id;		/* payload: "klacht", "ja", ... */
	const char	*title_key;	/* locale key of the button title */
};

struct dialog_reply {
	const char		*key;	/* locale key; "onderwerp.<topic>" */
	char			 topic_key[DIALOG_TOPIC_KEY_MAX];
	int			 staff_when; /* fill {staff_when} */
	struct dialog_choice	 choices[DIALOG_MAX_CHOICES];
	int			 n_choices;
};

struct dialog_output {
	struct dialog_reply	replies[DIALOG_MAX_REPLIES];
	int			n_replies;
	unsigned		actions;	/* DA_* */
	char			end_outcome[DIALOG_OUTCOME_MAX];
};

/* A fresh conversation in DS_START, replying in lang (NULL: "nl"). */
void	dialog_init(struct dialog_state *st, const char *lang);
/*
 * Runs one input.  st is updated in place; out is filled (replies in
 * order).  Never fails.
 */
void	dialog_step(const struct agency *a, struct dialog_state *st,
	    const struct dialog_input *in, struct dialog_output *out);

/* "start", "choice", ...; dialog_step_parse returns DS_START if unknown. */
const char	*dialog_step_name(enum dialog_step s);
enum dialog_step dialog_step_parse(const char *name);

/* Whether name is one of the outcome names below. */
int		 dialog_outcome_valid(const char *name);

/* Outcome names (for reports and conv_close). */
#define OUTCOME_REFERRED	"referred"
#define OUTCOME_REDIRECTED	"redirected"
#define OUTCOME_CASE		"case_created"
#define OUTCOME_ANSWERED	"answered"
#define OUTCOME_HANDED_OVER	"handed_over"
#define OUTCOME_SUGGESTION	"suggestion_logged"
#define OUTCOME_ABUSE		"abusive_ignored"
#define OUTCOME_STOPPED		"stopped"
#define OUTCOME_ABANDONED	"abandoned"

#endif
