/*
 * intent.h — the Dutch intent classifier (contract shared by the engine,
 * the conversation and the commands).  A model is built from the phrase
 * files in intents/<lang>/ at load time; there is no training step.
 * Runs on the service thread only (it owns a Snowball stemmer).
 */
#ifndef LOKET_INTENT_H
#define LOKET_INTENT_H

#include <stddef.h>

#define INTENT_ID_MAX	48

struct intent_model;

struct intent_result {
	char	intent[INTENT_ID_MAX];	/* core id, or "onbekend" */
	char	topic[INTENT_ID_MAX];	/* topic id when the best match is a
					   topic (intent is then "vraag"),
					   else "" */
	double	confidence;		/* of intent, in [0,1] */
	char	second[INTENT_ID_MAX];	/* runner-up core id, or "" */
	double	second_confidence;
	char	lang[4];		/* "nl", "fr" or "en" */
};

/*
 * Builds a model from DIR (intents/nl).  Returns NULL on error after
 * writing "FILE:LINE: problem" into err.
 */
struct intent_model *intent_load(const char *dir, char *err, size_t errlen);
void	intent_free(struct intent_model *m);
/* Classifies one message; returns 0, or -1 on out-of-memory. */
int	intent_classify(struct intent_model *m, const char *text,
	    struct intent_result *out);

/*
 * Extensions (intent engine, issue 3).
 */

/* One weighted feature of a decision, for `loket classify --explain`. */
struct intent_feature {
	char	name[64];	/* "w klacht" (stemmed word), "b ik wil"
				   (word pair, ^ = start, $ = end),
				   "c <kla" (characters), "m ?", "l 1"
				   (message length in words) */
	char	cls[INTENT_ID_MAX];	/* the intent it weighed for */
	double	weight;		/* its share of that intent's score */
};

/*
 * Classifies like intent_classify() and fills up to n features that
 * weighed most for the winning intent or topic, heaviest first.  Returns
 * the number filled, or -1 on out-of-memory.
 */
int	intent_explain(struct intent_model *m, const char *text,
	    struct intent_result *out, struct intent_feature *f, int n);

/*
 * For SIGHUP: builds a model from dir and, only when that succeeds,
 * frees *mp and stores the new one there.  On failure *mp is untouched
 * (the old phrases stay in use), err holds "FILE:LINE: problem" and -1
 * is returned.
 */
int	intent_reload(struct intent_model **mp, const char *dir, char *err,
	    size_t errlen);

/* Whether id is a topic (from onderwerpen/) of the model. */
int	intent_is_topic(const struct intent_model *m, const char *id);
/* Number of intents and topics, and phrases they were built from. */
void	intent_stats(const struct intent_model *m, int *nintents,
	    int *ntopics, size_t *nphrases);

#endif
