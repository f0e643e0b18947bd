/*
 * intent_train.c — fits the classifier at load time: multinomial
 * logistic regression by stochastic gradient descent over the sparse,
 * unit-length feature vectors, plus naive Bayes log-likelihoods folded
 * into the same weights.  Two thousand phrases train in about 20 ms,
 * so there is no model file to keep in sync with the phrases.
 * Deterministic: the shuffle uses a fixed seed.  The constants below
 * were chosen by 10-fold cross-validation over the phrase files
 * (`loket intents test --cross-validate 10`); with naive Bayes in the
 * weights a few passes suffice.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"

#define EPOCHS		6
#define LR0		4.0f	/* learning rate at the start */
#define LR_DECAY	0.1f	/* per epoch: lr = LR0 / (1 + decay * e) */
#define L2		1e-4f	/* weight decay per example seen */
#define NB_WEIGHT	0.5f	/* naive Bayes folded into the weights */
#define NB_SMOOTH	0.01f	/* its additive smoothing */
#define FITTED		0.02f	/* error below which an example is fitted */
#define RECHECK		4	/* epochs between visits of fitted examples */
#define BALANCE		0.5	/* 0 = none, 1 = every class weighs the
				   same however many phrases it has */

void
intent_trainset_free(struct trainset *ts)
{
	free(ts->fid);
	free(ts->val);
	free(ts->content);
	free(ts->ex);
	memset(ts, 0, sizeof(*ts));
}

static int
reserve(struct trainset *ts, size_t n)
{
	uint32_t *fid;
	float *val;
	unsigned char *content;
	size_t cap;

	if (ts->nval + n <= ts->capval)
		return 0;
	cap = ts->capval ? ts->capval : 4096;
	while (cap < ts->nval + n)
		cap *= 2;
	if ((fid = realloc(ts->fid, cap * sizeof(*fid))) == NULL)
		return -1;
	ts->fid = fid;
	if ((val = realloc(ts->val, cap * sizeof(*val))) == NULL)
		return -1;
	ts->val = val;
	if ((content = realloc(ts->content, cap)) == NULL)
		return -1;
	ts->content = content;
	ts->capval = cap;
	return 0;
}

int
intent_trainset_add(struct trainset *ts, struct htab *feats, uint32_t *nfeat,
    const struct featvec *fv, int cls)
{
	struct example *ex;
	uint32_t id;
	size_t i, cap;

	if (ts->nex == ts->capex) {
		cap = ts->capex ? ts->capex * 2 : 256;
		if ((ex = realloc(ts->ex, cap * sizeof(*ex))) == NULL)
			return -1;
		ts->ex = ex;
		ts->capex = cap;
	}
	if (reserve(ts, fv->n) == -1)
		return -1;
	ex = &ts->ex[ts->nex++];
	ex->off = ts->nval;
	ex->n = (uint32_t)fv->n;
	ex->cls = cls;
	for (i = 0; i < fv->n; i++) {
		if (!htab_get(feats, fv->f[i].h, &id)) {
			id = (*nfeat)++;
			if (htab_put(feats, fv->f[i].h, id) == -1)
				return -1;
		}
		ts->fid[ts->nval] = id;
		ts->content[ts->nval] = (unsigned char)fv->f[i].content;
		ts->val[ts->nval++] = fv->f[i].v;
	}
	return 0;
}

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Rare intents would be drowned by big ones; weigh each class by
 * (mean size / its size) ^ BALANCE. */
static void
class_weights(const struct trainset *ts, const unsigned char *skip,
    int ncls, float *cw)
{
	size_t i, n = 0;
	int c, used = 0;

	for (c = 0; c < ncls; c++)
		cw[c] = 0;
	for (i = 0; i < ts->nex; i++)
		if (skip == NULL || !skip[i])
			cw[ts->ex[i].cls]++, n++;
	for (c = 0; c < ncls; c++)
		used += cw[c] > 0;
	for (c = 0; c < ncls; c++)
		cw[c] = cw[c] > 0 ? (float)pow((double)n / used / cw[c],
		    BALANCE) : 0;
}

static void
softmax(float *z, int n)
{
	float max = z[0], sum = 0;
	int i;

	for (i = 1; i < n; i++)
		if (z[i] > max)
			max = z[i];
	for (i = 0; i < n; i++)
		sum += (z[i] = expf(z[i] - max));
	for (i = 0; i < n; i++)
		z[i] /= sum;
}

/* One SGD step on example ex.  z is scratch for 2 * ncls floats.
 * Returns 1 when the example is fitted (nothing to update). */
static int
step(const struct trainset *ts, const struct example *ex, int ncls,
    float lr, float cw, float *w, float *bias, float *z)
{
	const uint32_t *fid = ts->fid + ex->off;
	const float *val = ts->val + ex->off;
	float *row, *g = z + ncls;
	int act[INTENT_CLASSES_MAX];
	uint32_t j;
	int c, k, na = 0;
	float worst = 0;

	memcpy(z, bias, ncls * sizeof(*z));
	for (j = 0; j < ex->n; j++) {
		row = w + (size_t)fid[j] * ncls;
		for (c = 0; c < ncls; c++)
			z[c] += row[c] * val[j];
	}
	softmax(z, ncls);
	z[ex->cls] -= 1;
	/* Most classes are already near 0: skip their updates. */
	for (c = 0; c < ncls; c++) {
		if (fabsf(z[c]) > worst)
			worst = fabsf(z[c]);
		if (fabsf(z[c]) < 1e-3f)
			continue;
		g[c] = z[c] * cw * lr;
		bias[c] -= g[c] * 0.1f;
		act[na++] = c;
	}
	for (j = 0; j < ex->n; j++) {
		row = w + (size_t)fid[j] * ncls;
		for (k = 0; k < na; k++) {
			c = act[k];
			row[c] -= g[c] * val[j] + L2 * row[c];
		}
	}
	return worst < FITTED;
}

/*
 * Adds NB_WEIGHT times the naive Bayes log-likelihood of every trained
 * feature to its weights.  The sum is still linear in the features, so
 * classifying costs nothing more; naive Bayes is steadier on the words
 * seen once or twice, where the regression learns little.
 */
static int
fold_bayes(const struct trainset *ts, const unsigned char *skip,
    uint32_t nfeat, int ncls, float *w)
{
	size_t i, k, nw = (size_t)nfeat * ncls;
	const struct example *ex;
	float *cnt, *tot, *row, *crow;
	uint32_t j;
	int c, seen;

	if ((cnt = calloc(nw + ncls, sizeof(*cnt))) == NULL)
		return -1;
	tot = cnt + nw;
	for (i = 0; i < ts->nex; i++) {
		if (skip != NULL && skip[i])
			continue;
		ex = &ts->ex[i];
		for (j = 0; j < ex->n; j++) {
			k = (size_t)ts->fid[ex->off + j] * ncls + ex->cls;
			cnt[k] += ts->val[ex->off + j];
			tot[ex->cls] += ts->val[ex->off + j];
		}
	}
	for (i = 0; i < nfeat; i++) {
		row = w + i * ncls;
		crow = cnt + i * ncls;
		for (c = seen = 0; c < ncls; c++)
			seen |= crow[c] > 0;
		if (!seen)
			continue;	/* keep untrained rows all zero */
		for (c = 0; c < ncls; c++)
			row[c] += NB_WEIGHT * logf((crow[c] + NB_SMOOTH) /
			    (tot[c] + NB_SMOOTH * nfeat));
	}
	free(cnt);
	return 0;
}

int
intent_train_softmax(const struct trainset *ts, const unsigned char *skip,
    uint32_t nfeat, int ncls, float *w, float *bias)
{
	uint32_t *order, seed = 0x9e3779b9u, t;
	float *z, *cw, lr;
	unsigned char *fit;
	size_t i, n = 0, k;
	int e, rv = -1;

	memset(w, 0, (size_t)nfeat * ncls * sizeof(*w));
	memset(bias, 0, ncls * sizeof(*bias));
	order = malloc((ts->nex + 1) * sizeof(*order));
	z = malloc(2 * ncls * sizeof(*z));
	cw = malloc(ncls * sizeof(*cw));
	fit = calloc(ts->nex + 1, 1);
	if (order == NULL || z == NULL || cw == NULL || fit == NULL)
		goto out;
	for (i = 0; i < ts->nex; i++)
		if (skip == NULL || !skip[i])
			order[n++] = (uint32_t)i;
	class_weights(ts, skip, ncls, cw);
	for (e = 0; e < EPOCHS; e++) {
		for (i = n; i > 1; i--) {
			k = rnd(&seed) % i;
			t = order[i - 1], order[i - 1] = order[k],
			    order[k] = t;
		}
		lr = LR0 / (1 + LR_DECAY * e);
		for (i = 0; i < n; i++) {
			k = order[i];
			/* A fitted example is only rechecked every few
			 * epochs: this halves the training time. */
			if (fit[k] && e % RECHECK != RECHECK - 1)
				continue;
			fit[k] = (unsigned char)step(ts, &ts->ex[k], ncls,
			    lr, cw[ts->ex[k].cls], w, bias, z);
		}
	}
	rv = fold_bayes(ts, skip, nfeat, ncls, w);
out:
	free(order);
	free(z);
	free(cw);
	free(fit);
	return rv;
}
