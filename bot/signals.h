/*
 * signals.h — what one message says besides its intent.  The classifier
 * gives one label; a citizen's message often carries several acts at
 * once ("geen klacht, eerder een vraag: ...", an insult and a question, a
 * story with "niet" in it).  signals_read() reads them apart: whether the
 * message calls itself a complaint, is abusive, tells a story or is a
 * short answer, opens with yes or no or a menu choice, is a stop or a
 * request for a person as a whole (not a word inside a story), corrects a
 * detail, and which contact details it holds.  The dialog reads these in
 * the light of the question it asked.  Pure: no I/O, no allocation.
 */
#ifndef LOKET_SIGNALS_H
#define LOKET_SIGNALS_H

#include "contact.h"
#include "intent.h"

struct strlist;

enum signals_answer { SIGNALS_NONE, SIGNALS_YES, SIGNALS_NO };

/* Which detail a correction is about. */
enum signals_field {
	SIGNALS_FIELD_NONE, SIGNALS_FIELD_NAME, SIGNALS_FIELD_CONTACT,
	SIGNALS_FIELD_DOSSIER
};

#define SIGNALS_SHORT_WORDS	4	/* a short answer has at most this */
#define SIGNALS_STORY_WORDS	7	/* a narrative has at least this */

struct signals {
	int	words;		/* words, contact details not counted */
	int	short_answer;	/* at most SIGNALS_SHORT_WORDS words */
	int	narrative;	/* tells what happened: a description */
	int	explicit_complaint; /* calls itself a klacht, wants to complain */
	int	not_complaint;	/* "geen klacht", "pas une plainte" */
	int	explicit_suggestion; /* calls itself an idea or tip */
	int	proposal;	/* proposes by its form: "zet X op de site",
				   "waarom maken jullie geen X?" */
	int	abuse;		/* an insult aimed at staff or the agency */
	int	stop;		/* the message (or a sentence) is a stop */
	int	person;		/* the message asks for a person */
	int	question;	/* a question mark or an opening question word */
	int	thanks;		/* a thank-you or goodbye and nothing more */
	int	resolved;	/* short, says it is sorted out: "top,
				   gevonden, merci", "al gelukt" */
	int	thanked;	/* opens with thanks: "merci aan de
				   medewerker die mij hielp" */
	int	unsure;		/* "geen idee", "weet ik niet" */
	int	discontent;	/* 2: waiting, repetition, judgement,
				   sarcasm; 1: a "!" and nothing more */
	int	rhetorical;	/* a question that vents: "hoe lang nog??" */
	int	negation;	/* "niet", "geen", "pas" anywhere */
	int	greeting;	/* greeting words and nothing else */
	int	wait;		/* asks for a moment ("ff wachten, ik zoek") */
	int	why;		/* asks why, in few words: "waarom moet ge dat
				   weten?", "waarvoor is dat nodig?" */
	enum signals_answer answer; /* yes or no, when short or opening */
	char	choice[16];	/* "vraag", "klacht", "suggestie" when short,
				   opening or after "geen klacht": else "" */
	char	denied[16];	/* the option the opening denies other than
				   klacht: "nee, geen vraag, ..." gives "vraag" */
	int	rest;		/* offset of what follows the opening answer
				   or choice, or -1 */
	enum signals_field correction; /* "mijn nummer is ...", "sorry, ..." */
	char	surname[CONTACT_NAME_MAX]; /* "mijn achternaam is X": X */
	char	firstname[CONTACT_NAME_MAX];
	struct contact_found contact; /* details stated in the message */
};

/* What name_asked of signals_read says about the step. */
#define SIGNALS_NAME_ASKED	1	/* just asked: a bare name counts */
#define SIGNALS_NAME_GIVEN	2	/* just given: "Jos Claessen bedoel
					   ik, sorry" corrects it */

/*
 * Reads text.  ir (may be NULL) is the classifier's result; patterns are
 * the agency's dossier patterns (may be NULL); name_asked is 0 or one of
 * the values above.
 */
void	signals_read(const char *text, const struct intent_result *ir,
	    const struct strlist *patterns, int name_asked,
	    struct signals *s);

/*
 * The intent after the signals: a message that calls itself a klacht is
 * klacht whatever its topic.  Changes ir in place; returns 1 if changed.
 */
int	signals_decide(const struct signals *s, struct intent_result *ir);

/* Lower case ASCII words of text: accents folded, other bytes spaces. */
void	signals_fold(const char *text, char *out, size_t outlen);

#endif
