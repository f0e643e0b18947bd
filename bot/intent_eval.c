/*
 * intent_eval.c — scoring for `loket intents test`: precision, recall,
 * F1 per label, macro-F1, accuracy, confusion matrix, and k-fold
 * cross-validation over the phrase files themselves.  Command-line
 * use only; not on the server path.
 */
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"

#define LABELS_MAX	256

struct intent_eval {
	char	 label[LABELS_MAX][INTENT_ID_MAX];
	int	 nlabel;
	int	*m;		/* LABELS_MAX * LABELS_MAX, [gold][pred] */
	size_t	 n;
	size_t	 correct;
};

struct intent_eval *
intent_eval_new(void)
{
	struct intent_eval *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->m = calloc(LABELS_MAX * LABELS_MAX, sizeof(int))) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
intent_eval_free(struct intent_eval *e)
{
	if (e == NULL)
		return;
	free(e->m);
	free(e);
}

static int
label(struct intent_eval *e, const char *id)
{
	int i;

	for (i = 0; i < e->nlabel; i++)
		if (strcmp(e->label[i], id) == 0)
			return i;
	if (e->nlabel == LABELS_MAX)
		return -1;
	snprintf(e->label[e->nlabel], INTENT_ID_MAX, "%s", id);
	return e->nlabel++;
}

int
intent_eval_add(struct intent_eval *e, const char *gold, const char *pred)
{
	int g = label(e, gold), p = label(e, pred);

	if (g == -1 || p == -1)
		return -1;
	e->m[g * LABELS_MAX + p]++;
	e->n++;
	e->correct += g == p;
	return 0;
}

size_t
intent_eval_count(const struct intent_eval *e)
{
	return e->n;
}

double
intent_eval_accuracy(const struct intent_eval *e)
{
	return e->n ? (double)e->correct / e->n : 0;
}

static void
prf(const struct intent_eval *e, int l, double *p, double *r, double *f,
    int *support)
{
	int i, tp = e->m[l * LABELS_MAX + l], gold = 0, pred = 0;

	for (i = 0; i < e->nlabel; i++) {
		gold += e->m[l * LABELS_MAX + i];
		pred += e->m[i * LABELS_MAX + l];
	}
	*p = pred ? (double)tp / pred : 0;
	*r = gold ? (double)tp / gold : 0;
	*f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
	*support = gold;
}

double
intent_eval_macro_f1(const struct intent_eval *e)
{
	double p, r, f, sum = 0;
	int l, s, n = 0;

	for (l = 0; l < e->nlabel; l++) {
		prf(e, l, &p, &r, &f, &s);
		if (s > 0)
			sum += f, n++;
	}
	return n ? sum / n : 0;
}

const char *
intent_eval_label(const struct intent_eval *e, int i)
{
	return i >= 0 && i < e->nlabel ? e->label[i] : NULL;
}

double
intent_eval_f1(const struct intent_eval *e, const char *id, int *support)
{
	double p, r, f;
	int l, s;

	*support = 0;
	for (l = 0; l < e->nlabel; l++)
		if (strcmp(e->label[l], id) == 0) {
			prf(e, l, &p, &r, &f, &s);
			*support = s;
			return f;
		}
	return 0;
}

static void
print_matrix(const struct intent_eval *e, FILE *f)
{
	int g, p;

	fprintf(f, "\nconfusion matrix (rows: expected, columns: "
	    "predicted, by number)\n%16s", "");
	for (p = 0; p < e->nlabel; p++)
		fprintf(f, "%4d", p + 1);
	fputc('\n', f);
	for (g = 0; g < e->nlabel; g++) {
		fprintf(f, "%2d %-13.13s", g + 1, e->label[g]);
		for (p = 0; p < e->nlabel; p++) {
			if (e->m[g * LABELS_MAX + p])
				fprintf(f, "%4d", e->m[g * LABELS_MAX + p]);
			else
				fprintf(f, "%4s", ".");
		}
		fputc('\n', f);
	}
}

void
intent_eval_print(const struct intent_eval *e, FILE *f)
{
	double p, r, f1;
	int l, s;

	fprintf(f, "%-3s %-22s %9s %9s %9s %8s\n", "", "intent",
	    "precision", "recall", "f1", "support");
	for (l = 0; l < e->nlabel; l++) {
		prf(e, l, &p, &r, &f1, &s);
		fprintf(f, "%2d  %-22s %9.3f %9.3f %9.3f %8d\n", l + 1,
		    e->label[l], p, r, f1, s);
	}
	fprintf(f, "\nmessages %zu  accuracy %.3f  macro-F1 %.3f\n", e->n,
	    intent_eval_accuracy(e), intent_eval_macro_f1(e));
	print_matrix(e, f);
}

const char *
intent_scored_label(const struct intent_result *r, int gold_is_topic)
{
	/* The topic is answered only when the intent is vraag. */
	return r->topic[0] != '\0' && gold_is_topic &&
	    strcmp(r->intent, "vraag") == 0 ? r->topic : r->intent;
}

struct first_err {
	char	*err;
	size_t	 len;
};

static void
first_err(void *arg, int sev, const char *file, int line, const char *msg)
{
	struct first_err *fe = arg;

	if (sev == CORPUS_ERR && fe->err[0] == '\0')
		snprintf(fe->err, fe->len, "%s:%d: %s", file, line, msg);
}

/* Stratified folds: each class's phrases are dealt round-robin in a
 * shuffled order, so every fold sees every intent. */
static unsigned char *
make_folds(const struct corpus *c, int k)
{
	unsigned char *fold;
	uint32_t seed = 12345;
	size_t i, *next;
	int cls;

	fold = malloc(c->nph + 1);
	next = calloc(c->ncls + 1, sizeof(*next));
	if (fold == NULL || next == NULL) {
		free(fold);
		free(next);
		return NULL;
	}
	for (cls = 0; cls < c->ncls; cls++) {
		seed = seed * 1103515245u + 12345u;
		next[cls] = (seed >> 16) % (size_t)k;
	}
	for (i = 0; i < c->nph; i++) {
		cls = c->ph[i].cls;
		fold[i] = (unsigned char)(next[cls]++ % (size_t)k);
	}
	free(next);
	return fold;
}

struct cv {
	int		 k;
	struct intent_eval *fine;
	struct intent_eval *core;
	intent_miss_fn	*miss;
	void		*arg;
};

static int
score_phrase(const struct corpus *c, size_t i, const struct cv *cv,
    const struct intent_result *r)
{
	const struct intent_class *g = &c->cls[c->ph[i].cls];
	const char *pred = intent_scored_label(r, g->topic);

	if (intent_eval_add(cv->fine, g->id, pred) == -1 ||
	    intent_eval_add(cv->core, g->topic ? "vraag" : g->id,
	    r->intent) == -1)
		return -1;
	if (cv->miss != NULL && strcmp(pred, g->id) != 0)
		cv->miss(cv->arg, g->path, c->ph[i].line,
		    intent_corpus_phrase(c, i), g->id, r);
	return 0;
}

static int
run_folds(const struct corpus *c, struct intent_model *m,
    const struct trainset *ts, const struct cv *cv)
{
	struct intent_result r;
	unsigned char *fold, *skip;
	size_t i;
	int f, rv = -1;

	fold = make_folds(c, cv->k);
	skip = malloc(c->nph + 1);
	if (fold == NULL || skip == NULL)
		goto out;
	for (f = 0; f < cv->k; f++) {
		for (i = 0; i < c->nph; i++)
			skip[i] = fold[i] == f;
		if (intent_train(m, ts, skip) == -1)
			goto out;
		for (i = 0; i < c->nph; i++) {
			if (!skip[i])
				continue;
			intent_score_example(m, ts, i);
			intent_decide(m, &r);
			if (score_phrase(c, i, cv, &r) == -1)
				goto out;
		}
	}
	rv = 0;
out:
	free(fold);
	free(skip);
	return rv;
}

int
intent_crossval(const char *dir, int k, struct intent_eval *fine,
    struct intent_eval *core, intent_miss_fn *miss, void *arg, char *err,
    size_t errlen)
{
	struct first_err fe = { err, errlen };
	struct cv cv = { k, fine, core, miss, arg };
	struct intent_model *m = NULL;
	struct trainset ts;
	struct corpus c;
	int rv = -1;

	err[0] = '\0';
	memset(&ts, 0, sizeof(ts));
	if (k < 2 || k > 100) {
		snprintf(err, errlen, "%s:0: folds must be 2 to 100", dir);
		return -1;
	}
	if (intent_corpus_read(dir, &c, first_err, &fe) != 0)
		goto out;
	if ((m = intent_model_build(&c, &ts)) == NULL ||
	    run_folds(&c, m, &ts, &cv) == -1) {
		snprintf(err, errlen, "%s:0: out of memory", dir);
		goto out;
	}
	rv = 0;
out:
	if (rv == -1 && err[0] == '\0')
		snprintf(err, errlen, "%s:0: out of memory", dir);
	intent_free(m);
	intent_trainset_free(&ts);
	intent_corpus_free(&c);
	return rv;
}
