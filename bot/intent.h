/*
 * intent.h — the Dutch intent classifier (contract shared by the engine,
 * the conversation and the commands).  A model is built from the phrase
 * files in intents/<lang>/ at load time; there is no training step.
 * Runs on the service thread only (it owns a Snowball stemmer).
 */
#ifndef LOKET_INTENT_H
#define LOKET_INTENT_H

#include <stddef.h>
#include <stdio.h>

#define INTENT_ID_MAX	48

struct intent_model;

/*
 * The decision for one message.  Topics count as vraag: intent is the
 * core id with the most probability, topics' included.  When that is
 * below the threshold (0.30; 0.40 for scheldwoorden, which gets a
 * message ignored) or most of the message is unknown to the model,
 * intent is "onbekend" with confidence 1 - p(best), and second /
 * second_confidence name the best guess.
 */
struct intent_result {
	char	intent[INTENT_ID_MAX];	/* core id, or "onbekend" */
	char	topic[INTENT_ID_MAX];	/* what the message is about, a
					   topic id whatever the intent (it
					   is answered only for "vraag"),
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
	double	weight;		/* value times the feature's weight for
				   that intent above its mean over all
				   intents: the push towards it */
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
/* Whether id is an intent or topic of the model, or "onbekend". */
int	intent_is_known(const struct intent_model *m, const char *id);
/* Number of intents and topics, and phrases they were built from. */
void	intent_stats(const struct intent_model *m, int *nintents,
	    int *ntopics, size_t *nphrases);
/* The id of intent or topic i (0, 1, ... in the model's order), *topic
 * set when it is a topic; NULL past the last.  Valid while m lives. */
const char *intent_label(const struct intent_model *m, int i, int *topic);

/*
 * Author tools (intent_check.c, intent_eval.c).
 */

/* Receives one finding of intent_check(); line 0 = the whole file. */
typedef void	intent_check_fn(void *arg, int error, const char *file,
		    int line, const char *msg);

/*
 * Checks a phrase directory for what makes a model worse or fails its
 * load.  Errors (the load would refuse the set, or two intents claim
 * the same phrase): unreadable file, invalid UTF-8, over-long line,
 * empty intent, bad intent id, topic without vraag, the same phrase
 * (after normalisation) in two intents.  Warnings: tiny intent, missing
 * core intent, unknown file, non-core id at the top, a phrase with no
 * words, a duplicate within one intent, near-duplicates (same stems, or
 * one character apart).  Returns the number of errors, or -1 when
 * memory runs out; *nwarn gets the number of warnings.
 */
int	intent_check(const char *dir, intent_check_fn *report, void *arg,
	    int *nwarn);

#define INTENT_TINY	10	/* fewer phrases than this: a warning */

/* Scores of a labelled run: per-label counts and a confusion matrix. */
struct intent_eval;

struct intent_eval *intent_eval_new(void);
void	intent_eval_free(struct intent_eval *e);
/* Counts one message.  Returns 0, or -1 past 256 distinct labels. */
int	intent_eval_add(struct intent_eval *e, const char *gold,
	    const char *pred);
double	intent_eval_accuracy(const struct intent_eval *e);
/* Mean F1 over the labels that occur as gold labels. */
double	intent_eval_macro_f1(const struct intent_eval *e);
size_t	intent_eval_count(const struct intent_eval *e);
/* The i-th label seen (gold or predicted), NULL past the last. */
const char *intent_eval_label(const struct intent_eval *e, int i);
/* F1 of label id (0 when unseen); *support gets its gold count. */
double	intent_eval_f1(const struct intent_eval *e, const char *id,
	    int *support);
/* Per-label precision, recall, F1 and the confusion matrix. */
void	intent_eval_print(const struct intent_eval *e, FILE *f);

/*
 * The label a result is scored as against a gold label: the topic when
 * a topic won and the gold label is a topic too, else the core intent
 * (so a topic predicted for a plain "vraag" counts as vraag).
 */
const char *intent_scored_label(const struct intent_result *r,
	    int gold_is_topic);

/* Receives each phrase cross-validation got wrong. */
typedef void	intent_miss_fn(void *arg, const char *file, int line,
		    const char *phrase, const char *gold,
		    const struct intent_result *r);

/*
 * k-fold cross-validation over the phrases of dir (stratified, fixed
 * seed): trains on k-1 folds, scores the held-out fold, adds every
 * phrase to fine (topics as topics) and core (topics as vraag), and
 * passes the wrong ones to miss (may be NULL).  Returns 0, or -1 with
 * "FILE:LINE: problem" in err.
 */
int	intent_crossval(const char *dir, int k, struct intent_eval *fine,
	    struct intent_eval *core, intent_miss_fn *miss, void *arg,
	    char *err, size_t errlen);

#endif
