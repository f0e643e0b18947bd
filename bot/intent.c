/*
 * intent.c — the intent model: built from the phrase files at load,
 * scores messages, turns class probabilities into a decision.  Runs on
 * the service thread (the model owns a stemmer and scratch buffers).
 * Training is in intent_train.c, features in intent_feat.c, the reading
 * of phrase files in intent_corpus.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"
#include "lang.h"
#include "normalize.h"

/* Fitted by cross-validation: the held-out log-likelihood is best at
 * 1.25, where the mean confidence (0.93) matches the accuracy. */
#define TEMPERATURE	1.25
/* Below this probability the core intent is "onbekend". */
#define THRESHOLD	0.30
/* A message whose words and grams the model mostly never saw is
 * onbekend (gibberish, another language) unless the grams it shares are
 * SURE of it: otherwise the length alone would decide. */
#define MIN_COVERAGE	0.25
#define SURE		0.80
/* A topic below TOPIC_FLOOR says nothing; see pick_topic(). */
#define TOPIC_MIN	0.30
#define TOPIC_FLOOR	0.05
#define TOPIC_FOREIGN	0.60	/* in French or English, see foreign_topic() */

/*
 * Intents whose consequence is hard on a citizen need more certainty:
 * a message taken for abuse is ignored, so a doubtful one is better
 * asked about (onbekend) than silenced.
 */
static const struct {
	const char	*id;
	double		 min;
} cautious[] = {
	{ "scheldwoorden", 0.40 },
};

struct first_error {
	char	*err;
	size_t	 errlen;
	int	 seen;
};

static void
keep_first(void *arg, int sev, const char *file, int line, const char *msg)
{
	struct first_error *fe = arg;

	if (sev != CORPUS_ERR || fe->seen++)
		return;
	snprintf(fe->err, fe->errlen, "%s:%d: %s", file, line, msg);
}

void
intent_free(struct intent_model *m)
{
	if (m == NULL)
		return;
	free(m->cls);
	htab_fini(&m->feats);
	free(m->w);
	free(m->trained);
	free(m->bias);
	stem_free(m->stem);
	intent_featvec_fini(&m->fv);
	free(m->p);
	free(m->core);
	free(m);
}

static struct intent_model *
model_new(const struct corpus *c)
{
	struct intent_model *m;
	int i;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	htab_init(&m->feats);
	intent_featvec_init(&m->fv);
	m->threshold = THRESHOLD;
	m->ncls = c->ncls;
	m->vraag = -1;
	m->nphrases = c->nph;
	m->cls = calloc(c->ncls, sizeof(*m->cls));
	m->p = calloc(c->ncls, sizeof(*m->p));
	m->core = calloc(c->ncls, sizeof(*m->core));
	m->bias = calloc(c->ncls, sizeof(*m->bias));
	if (m->cls == NULL || m->p == NULL || m->core == NULL ||
	    m->bias == NULL || (m->stem = stem_new()) == NULL) {
		intent_free(m);
		return NULL;
	}
	for (i = 0; i < c->ncls; i++) {
		m->cls[i] = c->cls[i];
		m->cls[i].path = NULL;	/* only the corpus needs it */
		if (strcmp(m->cls[i].id, "vraag") == 0)
			m->vraag = i;
	}
	return m;
}

struct intent_model *
intent_model_build(const struct corpus *c, struct trainset *ts)
{
	struct intent_model *m;
	const char *s;
	size_t i;

	if ((m = model_new(c)) == NULL)
		return NULL;
	for (i = 0; i < c->nph; i++) {
		s = intent_corpus_phrase(c, i);
		if (intent_feat_extract(m->stem, s, strlen(s), &m->fv, 0) ==
		    -1 || intent_trainset_add(ts, &m->feats, &m->nfeat, &m->fv,
		    c->ph[i].cls) == -1)
			goto fail;
	}
	if ((m->w = calloc((size_t)m->nfeat * m->ncls + 1,
	    sizeof(*m->w))) == NULL ||
	    (m->trained = calloc(m->nfeat + 1, 1)) == NULL)
		goto fail;
	return m;
fail:
	intent_free(m);
	return NULL;
}

int
intent_train(struct intent_model *m, const struct trainset *ts,
    const unsigned char *skip)
{
	const float *row;
	uint32_t i;
	int c;

	if (intent_train_softmax(ts, skip, m->nfeat, m->ncls, m->w,
	    m->bias) == -1)
		return -1;
	/* An all-zero row was never trained on: cross-validation keeps
	 * the features of held-out phrases in the table. */
	for (i = 0; i < m->nfeat; i++) {
		row = m->w + (size_t)i * m->ncls;
		for (c = 0; c < m->ncls && row[c] == 0; c++)
			;
		m->trained[i] = c < m->ncls;
	}
	return 0;
}

struct intent_model *
intent_load(const char *dir, char *err, size_t errlen)
{
	struct first_error fe = { err, errlen, 0 };
	struct intent_model *m = NULL;
	struct trainset ts;
	struct corpus c;
	int rv;

	memset(&ts, 0, sizeof(ts));
	rv = intent_corpus_read(dir, &c, keep_first, &fe);
	if (rv == -1)
		snprintf(err, errlen, "%s:0: out of memory", dir);
	if (rv != 0)
		goto out;
	if ((m = intent_model_build(&c, &ts)) == NULL ||
	    intent_train(m, &ts, NULL) == -1) {
		snprintf(err, errlen, "%s:0: out of memory", dir);
		intent_free(m);
		m = NULL;
	}
out:
	intent_trainset_free(&ts);
	intent_corpus_free(&c);
	return m;
}

int
intent_reload(struct intent_model **mp, const char *dir, char *err,
    size_t errlen)
{
	struct intent_model *m;

	if ((m = intent_load(dir, err, errlen)) == NULL)
		return -1;
	intent_free(*mp);
	*mp = m;
	return 0;
}

/* Scores are divided by TEMPERATURE before the softmax, so confidences
 * can be read as probabilities. */
static void
softmax(double *p, int n)
{
	double max, sum = 0;
	int i;

	for (i = 0; i < n; i++)
		p[i] /= TEMPERATURE;
	max = p[0];
	for (i = 1; i < n; i++)
		if (p[i] > max)
			max = p[i];
	for (i = 0; i < n; i++)
		sum += (p[i] = exp(p[i] - max));
	for (i = 0; i < n; i++)
		p[i] /= sum;
}

static void
add_row(struct intent_model *m, uint32_t id, float v, int content)
{
	const float *row = m->w + (size_t)id * m->ncls;
	int c;

	for (c = 0; c < m->ncls; c++)
		m->p[c] += (double)row[c] * v;
	if (content && m->trained[id])
		m->coverage += (double)v * v;
}

static void
score_start(struct intent_model *m)
{
	int c;

	for (c = 0; c < m->ncls; c++)
		m->p[c] = m->bias[c];
	m->coverage = 0;
}

void
intent_score(struct intent_model *m, const struct featvec *fv)
{
	uint32_t id;
	size_t i;

	score_start(m);
	for (i = 0; i < fv->n; i++)
		if (htab_get(&m->feats, fv->f[i].h, &id))
			add_row(m, id, fv->f[i].v, fv->f[i].content);
	softmax(m->p, m->ncls);
}

void
intent_score_example(struct intent_model *m, const struct trainset *ts,
    size_t i)
{
	const struct example *ex = &ts->ex[i];
	uint32_t j;

	score_start(m);
	for (j = 0; j < ex->n; j++)
		add_row(m, ts->fid[ex->off + j], ts->val[ex->off + j],
		    ts->content[ex->off + j]);
	softmax(m->p, m->ncls);
}

static void
set_id(char *dst, const char *src)
{
	snprintf(dst, INTENT_ID_MAX, "%s", src);
}

/* What the message is about, whatever its intent.  A topic counts when
 * it beats plain vraag, or when it holds at least half of vraag's share
 * and TOPIC_MIN of the question family (vraag and its topics): "vraagje:
 * kan ik de kmo-portefeuille gebruiken voor ..." is worded like any
 * question but has a subject. */
static void
pick_topic(const struct intent_model *m, struct intent_result *r)
{
	double vraag;
	int c, best = -1;

	for (c = 0; c < m->ncls; c++)
		if (m->cls[c].topic && (best == -1 || m->p[c] > m->p[best]))
			best = c;
	if (best == -1 || m->p[best] < TOPIC_FLOOR)
		return;
	if (m->vraag < 0)
		return;
	vraag = m->p[m->vraag];
	if (m->p[best] > vraag || (m->p[best] >= 0.5 * vraag &&
	    m->p[best] >= TOPIC_MIN * m->core[m->vraag]))
		set_id(r->topic, m->cls[best].id);
}

static double
threshold(const struct intent_model *m, int c)
{
	size_t i;

	for (i = 0; i < sizeof(cautious) / sizeof(cautious[0]); i++)
		if (strcmp(m->cls[c].id, cautious[i].id) == 0)
			return cautious[i].min;
	return m->threshold;
}

void
intent_decide(const struct intent_model *m, struct intent_result *r)
{
	int c, b = -1, s = -1;

	memset(r, 0, sizeof(*r));
	memcpy(r->lang, "nl", 3);
	for (c = 0; c < m->ncls; c++)
		m->core[c] = 0;
	for (c = 0; c < m->ncls; c++)
		if (m->cls[c].core >= 0)
			m->core[m->cls[c].core] += m->p[c];
	for (c = 0; c < m->ncls; c++) {
		if (m->cls[c].topic)
			continue;
		if (b == -1 || m->core[c] > m->core[b])
			s = b, b = c;
		else if (s == -1 || m->core[c] > m->core[s])
			s = c;
	}
	if (b == -1)
		return;
	if (m->core[b] < threshold(m, b) || (m->coverage < MIN_COVERAGE &&
	    m->core[b] < SURE)) {
		set_id(r->intent, "onbekend");
		r->confidence = 1 - m->core[b];
		set_id(r->second, m->cls[b].id);
		r->second_confidence = m->core[b];
		return;
	}
	set_id(r->intent, m->cls[b].id);
	r->confidence = m->core[b];
	if (s != -1) {
		set_id(r->second, m->cls[s].id);
		r->second_confidence = m->core[s];
	}
	pick_topic(m, r);
}

/* The class the explanation is about: the topic, else the core. */
static int
winner(const struct intent_model *m, const struct intent_result *r)
{
	const char *id = r->topic[0] ? r->topic : strcmp(r->intent,
	    "onbekend") == 0 ? r->second : r->intent;
	int c;

	for (c = 0; c < m->ncls; c++)
		if (strcmp(m->cls[c].id, id) == 0)
			return c;
	return -1;
}

/* Copies a feature name, cut at a code point boundary if too long. */
static void
copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Weight of feature id for class c above its mean over all classes: a
 * constant added to every class changes no probability, so only this
 * part says how much the feature pushed towards c.
 */
static double
centred(const struct intent_model *m, uint32_t id, int c)
{
	const float *row = m->w + (size_t)id * m->ncls;
	double sum = 0;
	int k;

	for (k = 0; k < m->ncls; k++)
		sum += row[k];
	return row[c] - sum / m->ncls;
}

static int
explain(struct intent_model *m, const struct intent_result *r,
    struct intent_feature *f, int n)
{
	const struct featvec *fv = &m->fv;
	double wt;
	uint32_t id;
	size_t i;
	int c, k, j, used = 0;

	if ((c = winner(m, r)) == -1)
		return 0;
	for (i = 0; i < fv->n; i++) {
		if (!htab_get(&m->feats, fv->f[i].h, &id))
			continue;
		wt = centred(m, id, c) * fv->f[i].v;
		if (wt <= 0)
			continue;
		for (k = used; k > 0 && f[k - 1].weight < wt; k--)
			;
		if (k == n)
			continue;
		j = used < n ? used++ : n - 1;
		memmove(f + k + 1, f + k, (size_t)(j - k) * sizeof(*f));
		copy_name(f[k].name, sizeof(f[k].name),
		    fv->names.data + fv->f[i].name);
		set_id(f[k].cls, m->cls[c].id);
		f[k].weight = wt;
	}
	return used;
}

/* The phrases are Dutch with a few French and English ones: in those
 * languages the shared words weigh too much, so only a clear topic
 * counts ("opening a branch" is no question about opening hours). */
static void
foreign_topic(const struct intent_model *m, struct intent_result *r)
{
	int c;

	if (r->topic[0] == '\0' || strcmp(r->lang, "nl") == 0)
		return;
	for (c = 0; c < m->ncls; c++)
		if (m->cls[c].topic && strcmp(m->cls[c].id, r->topic) == 0 &&
		    m->p[c] < TOPIC_FOREIGN)
			r->topic[0] = '\0';
}

int
intent_explain(struct intent_model *m, const char *text,
    struct intent_result *out, struct intent_feature *f, int n)
{
	size_t len = strlen(text);

	if (len > INTENT_NORM_MAX)
		len = INTENT_NORM_MAX;	/* the start says what it is */
	if (intent_feat_extract(m->stem, text, len, &m->fv, n > 0) == -1)
		return -1;
	intent_score(m, &m->fv);
	intent_decide(m, out);
	snprintf(out->lang, sizeof(out->lang), "%s",
	    lang_detect(m->fv.raw.data ? m->fv.raw.data : ""));
	foreign_topic(m, out);
	return n > 0 ? explain(m, out, f, n) : 0;
}

int
intent_classify(struct intent_model *m, const char *text,
    struct intent_result *out)
{
	return intent_explain(m, text, out, NULL, 0) == -1 ? -1 : 0;
}

int
intent_is_topic(const struct intent_model *m, const char *id)
{
	int c;

	for (c = 0; c < m->ncls; c++)
		if (m->cls[c].topic && strcmp(m->cls[c].id, id) == 0)
			return 1;
	return 0;
}

int
intent_is_known(const struct intent_model *m, const char *id)
{
	int c;

	for (c = 0; c < m->ncls; c++)
		if (strcmp(m->cls[c].id, id) == 0)
			return 1;
	return strcmp(id, "onbekend") == 0;
}

void
intent_stats(const struct intent_model *m, int *nintents, int *ntopics,
    size_t *nphrases)
{
	int c;

	*nintents = *ntopics = 0;
	for (c = 0; c < m->ncls; c++)
		(*(m->cls[c].topic ? ntopics : nintents))++;
	*nphrases = m->nphrases;
}

const char *
intent_label(const struct intent_model *m, int i, int *topic)
{
	if (i < 0 || i >= m->ncls)
		return NULL;
	*topic = m->cls[i].topic;
	return m->cls[i].id;
}
