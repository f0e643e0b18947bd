/*
 * intent_int.h — private to the intent engine (intent*.c).  The phrase
 * corpus as read from disk, the feature extractor, the trainer and the
 * model structure.  Other modules use intent.h only.
 */
#ifndef LOKET_INTENT_INT_H
#define LOKET_INTENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "htab.h"
#include "intent.h"
#include "stem.h"

#define INTENT_TOPIC_DIR	"onderwerpen"
#define INTENT_LINE_MAX		1000	/* bytes in one phrase line */
#define INTENT_FILE_MAX		(4u << 20)
#define INTENT_CLASSES_MAX	512
#define INTENT_NORM_MAX		4096	/* normalised message, bytes */

/* ---- corpus (intent_corpus.c) ---- */

enum { CORPUS_WARN, CORPUS_ERR };

/* Receives each problem found while reading; line 0 = the whole file. */
typedef void	corpus_report_fn(void *arg, int severity, const char *file,
		    int line, const char *msg);

struct intent_class {
	char	 id[INTENT_ID_MAX];
	char	*path;		/* the phrase file, for messages */
	int	 topic;		/* from onderwerpen/ */
	int	 core;		/* class index its core intent is (self,
				   or vraag for a topic), -1 if none */
	size_t	 nphrases;
};

struct phrase {
	size_t	 text;		/* offset of the NUL-terminated line */
	int	 cls;
	int	 line;
};

struct corpus {
	struct intent_class	*cls;
	int			 ncls;
	struct phrase		*ph;
	size_t			 nph;
	size_t			 capph;
	struct buf		 text;	/* all phrase lines, NUL-separated */
};

/*
 * Reads DIR/<id>.txt (core intents) and DIR/onderwerpen/<id>.txt
 * (topics) into c, reporting every problem through report.  Returns the
 * number of errors (0 = usable), or -1 when memory runs out.  c must be
 * freed with intent_corpus_free() in every case.
 */
int	intent_corpus_read(const char *dir, struct corpus *c,
	    corpus_report_fn *report, void *arg);
void	intent_corpus_free(struct corpus *c);
const char *intent_corpus_phrase(const struct corpus *c, size_t i);
/* Whether id is one of the eleven core intent ids. */
int	intent_is_core_id(const char *id);

/* ---- features (intent_feat.c) ---- */

struct feat {
	uint64_t	 h;	/* hash of the feature string */
	float		 v;	/* value; the whole vector has unit length */
	uint32_t	 name;	/* offset into featvec.names, if kept */
	int		 content; /* a word, pair or gram; not the length
				   or the question mark */
};

struct featvec {
	struct feat	*f;	/* unique by h */
	size_t		 n;
	size_t		 cap;
	uint32_t	*slot;	/* scratch: hash set used to sum duplicates */
	size_t		 nslot;
	struct buf	 names;	/* "w klacht\0b ik wil\0..." */
	struct buf	 norm;	/* scratch: the normalised text */
	struct buf	 raw;	/* scratch: its words before mapping, for
				   the language guess */
	struct buf	 stems;	/* scratch: stems, NUL-separated */
};

void	intent_featvec_init(struct featvec *fv);
void	intent_featvec_fini(struct featvec *fv);
/* Extracts the features of a message or phrase.  Returns 0 or -1 (OOM). */
int	intent_feat_extract(struct stem *st, const char *text, size_t len,
	    struct featvec *fv, int names);

/* ---- training (intent_train.c) ---- */

struct example {
	size_t		 off;	/* into trainset.fid / .val */
	uint32_t	 n;
	int		 cls;
};

struct trainset {
	uint32_t	*fid;
	float		*val;
	unsigned char	*content;	/* feat.content of each value */
	size_t		 nval;
	size_t		 capval;
	struct example	*ex;
	size_t		 nex;
	size_t		 capex;
};

void	intent_trainset_free(struct trainset *ts);
/* Appends fv as an example of class cls, mapping hashes to feature ids
 * through feats (adding new ones).  Returns 0 or -1 (OOM). */
int	intent_trainset_add(struct trainset *ts, struct htab *feats,
	    uint32_t *nfeat, const struct featvec *fv, int cls);
/*
 * Fits a multinomial logistic regression on the examples whose skip[i]
 * is 0 (skip may be NULL).  w holds nfeat * ncls weights, bias ncls;
 * both are overwritten.  Returns 0, or -1 when memory runs out.
 */
int	intent_train_softmax(const struct trainset *ts,
	    const unsigned char *skip, uint32_t nfeat, int ncls, float *w,
	    float *bias);

/* ---- the model (intent.c) ---- */

struct intent_model {
	struct intent_class	*cls;
	int			 ncls;
	int			 vraag;		/* class index, or -1 */
	struct htab		 feats;
	uint32_t		 nfeat;
	float			*w;		/* nfeat * ncls */
	float			*bias;		/* ncls */
	unsigned char		*trained;	/* nfeat: row not all zero
						   (features of held-out
						   phrases stay untrained) */
	double			 threshold;	/* below: onbekend */
	struct stem		*stem;
	struct featvec		 fv;
	double			*p;		/* ncls, scratch: class
						   probabilities */
	double			*core;		/* ncls, scratch */
	double			 coverage;	/* share of the last
						   vector the model knew */
	size_t			 nphrases;
};

/* Turns class probabilities m->p into a result (core, topic, runner-up,
 * onbekend below the threshold). */
void	intent_decide(const struct intent_model *m, struct intent_result *r);
/* Trains m on the examples of ts not skipped (skip may be NULL).
 * Returns 0 or -1 (OOM). */
int	intent_train(struct intent_model *m, const struct trainset *ts,
	    const unsigned char *skip);
/* Scores an extracted vector, or example i of a trainset, into m->p. */
void	intent_score(struct intent_model *m, const struct featvec *fv);
void	intent_score_example(struct intent_model *m,
	    const struct trainset *ts, size_t i);
/*
 * Builds an untrained model from a corpus: copies its classes and
 * extracts every phrase into ts (example i = phrase i).  Returns NULL
 * when memory runs out.
 */
struct intent_model *intent_model_build(const struct corpus *c,
	    struct trainset *ts);

#endif
