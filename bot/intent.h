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

#endif
