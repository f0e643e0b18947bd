/*
 * review_group.c — near-duplicates together: the misunderstood messages
 * grouped by similarity, so an author handles "wnr zijn jullie open" and
 * "Wanneer zijn jullie open??" once.  Pure: no I/O; allocation only for
 * the features and the result.  See review.h.
 */
#include "review.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signals.h"

#define FOLD_MAX	512	/* bytes of a text compared */
#define ALIKE_WORDS	0.6	/* Jaccard of the word sets */
#define ALIKE_GRAMS	0.8	/* Dice of the letter trigrams */

/* A text as sorted, unique hashes of its words and trigrams. */
struct feat {
	uint32_t	*words;
	int		 nwords;
	uint32_t	*grams;
	int		 ngrams;
	const char	*raw;
};

static uint32_t
fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v and drops repeats; returns the new count. */
static int
uniq(uint32_t *v, int n)
{
	int i, k = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* Folded text with single spaces, no space at either end. */
static size_t
squeeze(const char *text, char *out)
{
	char tmp[FOLD_MAX + 1];
	size_t i, n = 0;

	signals_fold(text, tmp, sizeof(tmp));
	for (i = 0; tmp[i] != '\0'; i++) {
		if (tmp[i] == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = tmp[i];
	}
	if (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n;
}

static int
feat_init(struct feat *f, const char *text)
{
	char s[FOLD_MAX + 1];
	size_t n = squeeze(text, s), i, w;

	memset(f, 0, sizeof(*f));
	f->raw = text;
	/* At most n / 2 + 1 words and n trigrams (plus two at the ends). */
	f->words = malloc((n / 2 + 1) * sizeof(uint32_t));
	f->grams = malloc((n + 2) * sizeof(uint32_t));
	if (f->words == NULL || f->grams == NULL)
		return -1;
	for (i = 0; i < n; i = w + 1) {
		for (w = i; w < n && s[w] != ' '; w++)
			;
		f->words[f->nwords++] = fnv(s + i, w - i);
	}
	for (i = 0; n >= 3 && i + 3 <= n; i++)
		f->grams[f->ngrams++] = fnv(s + i, 3);
	if (n > 0 && n < 3)
		f->grams[f->ngrams++] = fnv(s, n);
	f->nwords = uniq(f->words, f->nwords);
	f->ngrams = uniq(f->grams, f->ngrams);
	return 0;
}

static void
feat_fini(struct feat *f)
{
	free(f->words);
	free(f->grams);
}

static int
common(const uint32_t *a, int na, const uint32_t *b, int nb)
{
	int i = 0, j = 0, c = 0;

	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			c++;
			i++;
			j++;
		} else if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return c;
}

/* A score in [0, 1+]: 1 or more means alike. */
static double
score(const struct feat *a, const struct feat *b)
{
	int cw, cg;
	double j = 0, d = 0;

	if (a->nwords == 0 && b->nwords == 0 && a->ngrams == 0 &&
	    b->ngrams == 0)
		return strcmp(a->raw, b->raw) == 0 ? 1.0 : 0.0;
	cw = common(a->words, a->nwords, b->words, b->nwords);
	if (a->nwords + b->nwords - cw > 0)
		j = (double)cw / (a->nwords + b->nwords - cw);
	cg = common(a->grams, a->ngrams, b->grams, b->ngrams);
	if (a->ngrams + b->ngrams > 0)
		d = 2.0 * cg / (a->ngrams + b->ngrams);
	j /= ALIKE_WORDS;
	d /= ALIKE_GRAMS;
	return j > d ? j : d;
}

double
review_similarity(const char *a, const char *b)
{
	struct feat fa, fb;
	double s = -1;

	if (feat_init(&fa, a) == 0 && feat_init(&fb, b) == 0)
		s = score(&fa, &fb);
	feat_fini(&fa);
	feat_fini(&fb);
	return s;
}

static int
by_size(const void *x, const void *y)
{
	const struct review_group *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	/* Members are in index order: the last is the newest. */
	return a->members[a->n - 1] > b->members[b->n - 1] ? -1 : 1;
}

/* Puts text i into the group whose leader it is most like, or a new one. */
static int
place(struct feat *f, int i, struct review_group *g, int *ng)
{
	int k, best = -1, *m;
	double s, bs = 0;

	for (k = 0; k < *ng; k++) {
		s = score(&f[i], &f[g[k].members[0]]);
		if (s >= 1.0 && s > bs) {
			bs = s;
			best = k;
		}
	}
	if (best == -1) {
		best = (*ng)++;
		g[best].members = NULL;
		g[best].n = 0;
	}
	if ((m = realloc(g[best].members, (size_t)(g[best].n + 1) *
	    sizeof(int))) == NULL)
		return -1;
	m[g[best].n++] = i;
	g[best].members = m;
	return 0;
}

int
review_group(const char *const *texts, int n, struct review_group **out)
{
	struct feat *f;
	struct review_group *g;
	int i, ng = 0, rc = 0;

	*out = NULL;
	if (n <= 0)
		return 0;
	f = calloc((size_t)n, sizeof(*f));
	g = calloc((size_t)n, sizeof(*g));
	if (f == NULL || g == NULL)
		rc = -1;
	/* f is zeroed: feat_fini() is safe on every entry. */
	for (i = 0; rc == 0 && i < n; i++)
		rc = feat_init(&f[i], texts[i] != NULL ? texts[i] : "");
	for (i = 0; rc == 0 && i < n; i++)
		rc = place(f, i, g, &ng);
	for (i = 0; f != NULL && i < n; i++)
		feat_fini(&f[i]);
	free(f);
	if (rc == -1) {
		review_groups_free(g, ng);
		return -1;
	}
	qsort(g, (size_t)ng, sizeof(*g), by_size);
	*out = g;
	return ng;
}

void
review_groups_free(struct review_group *g, int n)
{
	int i;

	for (i = 0; g != NULL && i < n; i++)
		free(g[i].members);
	free(g);
}
