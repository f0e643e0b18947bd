/*
 * intent_feat.c — the features of a phrase or message, identical for
 * both: stemmed words, word pairs (with start and end markers, so "nee"
 * alone differs from "nee maar ..."), character 3- to 5-grams of every
 * word (typos and unseen inflections still share most of them), a
 * question-mark flag and a length bucket.  Each group has a weight; the
 * vector is scaled to unit length so long and short messages train at
 * the same rate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"
#include "normalize.h"

#define TOKENS_MAX	256

/* Group weights, chosen by cross-validation on the phrase files. */
#define W_WORD		1.0f
#define W_PAIR		1.0f
#define W_CHAR		0.4f
#define W_MARK		0.5f
#define W_LEN		0.4f
#define GRAM_MIN	3
#define GRAM_MAX	5

struct tok {
	const char	*w;	/* normalised word */
	size_t		 wn;
	size_t		 s;	/* offset of its stem in fv->stems */
	size_t		 sn;
};

void
intent_featvec_init(struct featvec *fv)
{
	memset(fv, 0, sizeof(*fv));
	buf_init(&fv->names, 1u << 20);
	buf_init(&fv->norm, INTENT_NORM_MAX);
	buf_init(&fv->raw, 2 * INTENT_NORM_MAX);
	buf_init(&fv->stems, 2 * INTENT_NORM_MAX);
}

void
intent_featvec_fini(struct featvec *fv)
{
	free(fv->f);
	free(fv->slot);
	buf_free(&fv->names);
	buf_free(&fv->norm);
	buf_free(&fv->raw);
	buf_free(&fv->stems);
	memset(fv, 0, sizeof(*fv));
}

#define FNV_INIT	0xcbf29ce484222325ULL

/* FNV-1a over the parts of a feature string; htab_hash() mixes the
 * result once, so the parts need no copy into one string. */
static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Adds feature "<kind> a[ b]" with value v. */
static int
add(struct featvec *fv, char kind, const char *a, size_t an, const char *b,
    size_t bn, float v, int names)
{
	struct feat *f;
	uint64_t h;
	size_t cap;
	char pfx[2] = { kind, ' ' };

	if (fv->n == fv->cap) {
		cap = fv->cap ? fv->cap * 2 : 256;
		if ((f = realloc(fv->f, cap * sizeof(*f))) == NULL)
			return -1;
		fv->f = f;
		fv->cap = cap;
	}
	h = fnv(fnv(FNV_INIT, pfx, 2), a, an);
	if (b != NULL)
		h = fnv(fnv(h, STRLIT(" ")), b, bn);
	h = htab_hash(&h, sizeof(h), 0);
	f = &fv->f[fv->n++];
	f->h = h;
	f->v = v;
	f->name = (uint32_t)fv->names.len;
	f->content = kind == 'w' || kind == 'b' || kind == 'c';
	if (names && (buf_append(&fv->names, pfx, 2) == -1 ||
	    buf_append(&fv->names, a, an) == -1 || (b != NULL &&
	    (buf_putc(&fv->names, ' ') == -1 || buf_append(&fv->names, b,
	    bn) == -1)) || buf_putc(&fv->names, '\0') == -1))
		return -1;
	return 0;
}

/* Character n-grams of "<word>", counted in code points so a gram never
 * splits a UTF-8 sequence. */
static int
add_grams(struct featvec *fv, const char *w, size_t n, int names)
{
	char g[NORM_WORD_MAX + 2];
	size_t pos[NORM_WORD_MAX + 3], len, nc = 0, i, k;

	if (n < 2 || normalize_is_symbol(w))
		return 0;
	g[0] = '<';
	memcpy(g + 1, w, n);
	g[n + 1] = '>';
	len = n + 2;
	for (i = 0; i < len; i++)
		if (((unsigned char)g[i] & 0xC0) != 0x80)
			pos[nc++] = i;
	pos[nc] = len;
	for (k = GRAM_MIN; k <= GRAM_MAX && k <= nc; k++)
		for (i = 0; i + k <= nc; i++)
			if (add(fv, 'c', g + pos[i], pos[i + k] - pos[i], NULL,
			    0, W_CHAR, names) == -1)
				return -1;
	return 0;
}

/* Splits the normalised text into tokens and stems each. */
static int
tokenize(struct stem *st, struct featvec *fv, struct tok *t, size_t *nt)
{
	char *p = fv->norm.data, *q;
	const char *s;
	size_t n = 0, sn;

	buf_reset(&fv->stems);
	while (*p != '\0' && n < TOKENS_MAX) {
		if ((q = strchr(p, ' ')) == NULL)
			q = p + strlen(p);
		t[n].w = p;
		t[n].wn = (size_t)(q - p);
		if ((s = stem_word(st, p, t[n].wn, &sn)) == NULL)
			return -1;
		t[n].s = fv->stems.len;
		t[n].sn = sn;
		if (buf_append(&fv->stems, s, sn) == -1 ||
		    buf_putc(&fv->stems, '\0') == -1)
			return -1;
		n++;
		p = *q ? q + 1 : q;
	}
	*nt = n;
	return 0;
}

/* Sums duplicate features (a hash set over the vector, no sort: this
 * runs for every message) and scales the vector to unit length. */
static int
finish(struct featvec *fv)
{
	size_t need = 64, i, j, k, mask;
	uint32_t *slot;
	double sq = 0;
	float inv;

	while (need < fv->n * 2)
		need *= 2;
	if (need > fv->nslot) {
		if ((slot = realloc(fv->slot, need * sizeof(*slot))) == NULL)
			return -1;
		fv->slot = slot;
		fv->nslot = need;
	}
	memset(fv->slot, 0xff, need * sizeof(*fv->slot));
	mask = need - 1;
	for (i = j = 0; i < fv->n; i++) {
		k = (size_t)fv->f[i].h & mask;
		while (fv->slot[k] != UINT32_MAX &&
		    fv->f[fv->slot[k]].h != fv->f[i].h)
			k = (k + 1) & mask;
		if (fv->slot[k] != UINT32_MAX)
			fv->f[fv->slot[k]].v += fv->f[i].v;
		else {
			fv->f[j] = fv->f[i];
			fv->slot[k] = (uint32_t)j++;
		}
	}
	fv->n = j;
	for (i = 0; i < fv->n; i++)
		sq += (double)fv->f[i].v * fv->f[i].v;
	if (sq <= 0)
		return 0;
	inv = (float)(1.0 / sqrt(sq));
	for (i = 0; i < fv->n; i++)
		fv->f[i].v *= inv;
	return 0;
}

static int
add_words(struct featvec *fv, const struct tok *t, size_t nt, int names)
{
	const char *sb = fv->stems.data;
	size_t i;

	for (i = 0; i < nt; i++) {
		if (add(fv, 'w', sb + t[i].s, t[i].sn, NULL, 0, W_WORD,
		    names) == -1)
			return -1;
		if (add(fv, 'b', i ? sb + t[i - 1].s : "^", i ? t[i - 1].sn :
		    1, sb + t[i].s, t[i].sn, W_PAIR, names) == -1)
			return -1;
		if (add_grams(fv, t[i].w, t[i].wn, names) == -1)
			return -1;
	}
	if (nt > 0 && add(fv, 'b', sb + t[nt - 1].s, t[nt - 1].sn, "$", 1,
	    W_PAIR, names) == -1)
		return -1;
	return 0;
}

int
intent_feat_extract(struct stem *st, const char *text, size_t len,
    struct featvec *fv, int names)
{
	struct tok t[TOKENS_MAX];
	static const char *const lens[] = { "0", "1", "2", "3", "4-6",
	    "4-6", "4-6", "7+" };
	unsigned marks;
	size_t nt;
	const char *l;

	fv->n = 0;
	buf_reset(&fv->names);
	if (normalize_raw_too(text, len, 0, &fv->norm, &marks, &fv->raw) == -1 ||
	    tokenize(st, fv, t, &nt) == -1 ||
	    add_words(fv, t, nt, names) == -1)
		return -1;
	if ((marks & NORM_MARK_QUESTION) && add(fv, 'm', "?", 1, NULL, 0,
	    W_MARK, names) == -1)
		return -1;
	l = lens[nt < 7 ? nt : 7];
	if (add(fv, 'l', l, strlen(l), NULL, 0, W_LEN, names) == -1)
		return -1;
	return finish(fv);
}
