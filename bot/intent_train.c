/*
 * intent_train.c — fits the classifier at load time: multinomial
 * logistic regression by stochastic gradient descent over the sparse,
 * unit-length feature vectors.  A few thousand phrases train in a few
 * milliseconds, so there is no model file to keep in sync with the
 * phrases.  Deterministic: the shuffle uses a fixed seed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"

#define EPOCHS		((int)intent_tune(7, 20))
#define LR0		((float)intent_tune(8, 4))	/* learning rate at the start */
#define LR_DECAY	((float)intent_tune(9, 0.1))	/* per epoch: lr = LR0 / (1 + decay * e) */
#define L2		((float)intent_tune(10, 1e-4))	/* weight decay per example seen */
#define BALANCE		(intent_tune(11, 0.5))	/* 0 = none, 1 = every class weighs the
				   same however many phrases it has */

double
intent_tune(int i, double def)
{
	static double v[32];
	static int init;
	char *e, *p;
	int k;

	if (!init) {
		init = 1;
		for (k = 0; k < 32; k++)
			v[k] = -1;
		if ((e = getenv("LOKET_TUNE")) != NULL) {
			for (k = 0, p = e; k < 32 && *p; k++) {
				if (*p != ',')
					v[k] = strtod(p, &p);
				if (*p == ',')
					p++;
			}
		}
	}
	return v[i] >= 0 ? v[i] : def;
}

void
trainset_free(struct trainset *ts)
{
	free(ts->fid);
	free(ts->val);
	free(ts->ex);
	memset(ts, 0, sizeof(*ts));
}

static int
reserve(struct trainset *ts, size_t n)
{
	uint32_t *fid;
	float *val;
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
	ts->capval = cap;
	return 0;
}

int
trainset_add(struct trainset *ts, struct htab *feats, uint32_t *nfeat,
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

/* One SGD step on example ex. */
static void
step(const struct trainset *ts, const struct example *ex, int ncls,
    float lr, float cw, float *w, float *bias, float *z)
{
	const uint32_t *fid = ts->fid + ex->off;
	const float *val = ts->val + ex->off;
	float *row, g;
	uint32_t j;
	int c;

	memcpy(z, bias, ncls * sizeof(*z));
	for (j = 0; j < ex->n; j++) {
		row = w + (size_t)fid[j] * ncls;
		for (c = 0; c < ncls; c++)
			z[c] += row[c] * val[j];
	}
	softmax(z, ncls);
	z[ex->cls] -= 1;
	for (c = 0; c < ncls; c++) {
		g = z[c] * cw * lr;
		/* Most classes are already near 0: skip their updates. */
		if (fabsf(g) < 1e-5f)
			continue;
		bias[c] -= g * 0.1f;
		for (j = 0; j < ex->n; j++) {
			row = w + (size_t)fid[j] * ncls;
			row[c] -= g * val[j] + L2 * row[c];
		}
	}
}

int
train_softmax(const struct trainset *ts, const unsigned char *skip,
    uint32_t nfeat, int ncls, float *w, float *bias)
{
	uint32_t *order, seed = 0x9e3779b9u, t;
	float *z, *cw, lr;
	size_t i, n = 0, k;
	int e, rv = -1;

	memset(w, 0, (size_t)nfeat * ncls * sizeof(*w));
	memset(bias, 0, ncls * sizeof(*bias));
	order = malloc((ts->nex + 1) * sizeof(*order));
	z = malloc(ncls * sizeof(*z));
	cw = malloc(ncls * sizeof(*cw));
	if (order == NULL || z == NULL || cw == NULL)
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
		for (i = 0; i < n; i++)
			step(ts, &ts->ex[order[i]], ncls, lr,
			    cw[ts->ex[order[i]].cls], w, bias, z);
	}
	rv = 0;
out:
	free(order);
	free(z);
	free(cw);
	return rv;
}
