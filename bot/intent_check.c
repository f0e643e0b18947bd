/*
 * intent_check.c — `loket intents check`: everything the loader refuses
 * plus what silently makes a model worse: the same phrase in two
 * intents (an error: the intents contradict each other), duplicates,
 * near-duplicates, tiny intents, phrases that normalise to nothing.
 * Phrases are compared after normalisation, as the classifier sees them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"
#include "normalize.h"

#define NEAR_MIN	12	/* shorter phrases differ too easily */
#define NEAR_MAX	300	/* longer ones are not compared */

struct checker {
	intent_check_fn		*report;
	void			*arg;
	int			 errors;
	int			 warnings;
	const struct corpus	*c;
	struct htab		 full;	/* normalised phrase -> index */
	struct htab		 stems;	/* sorted stems -> index */
	struct htab		 dels;	/* phrase minus one byte -> index */
	struct stem		*stem;
	struct buf		 norm;
};

static void
forward(void *arg, int sev, const char *file, int line, const char *msg)
{
	struct checker *k = arg;

	if (sev == CORPUS_ERR)
		k->errors++;
	else
		k->warnings++;
	k->report(k->arg, sev == CORPUS_ERR, file, line, msg);
}

static void
finding(struct checker *k, int error, size_t i, const char *fmt, ...)
    __attribute__((__format__(printf, 4, 5)));

static void
finding(struct checker *k, int error, size_t i, const char *fmt, ...)
{
	const struct phrase *p = &k->c->ph[i];
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	forward(k, error ? CORPUS_ERR : CORPUS_WARN,
	    k->c->cls[p->cls].path, p->line, msg);
}

/* "line 12" in the same file, else "FILE:12 (intent X)". */
static void
where(const struct checker *k, size_t i, size_t j, char *s, size_t n)
{
	const struct phrase *a = &k->c->ph[i], *b = &k->c->ph[j];
	const struct intent_class *cb = &k->c->cls[b->cls];

	if (a->cls == b->cls)
		snprintf(s, n, "line %d", b->line);
	else
		snprintf(s, n, "%s:%d (intent %s)", cb->path, b->line, cb->id);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hash of the sorted stems: word order and inflection ignored. */
static int
stem_key(struct checker *k, uint64_t *key)
{
	char *tok[256], *p, *save = NULL, *copy;
	const char *s;
	size_t n = 0, i, len;
	uint64_t h = 0;

	if ((copy = strdup(k->norm.data)) == NULL)
		return -1;
	for (p = strtok_r(copy, " ", &save); p != NULL && n < 256;
	    p = strtok_r(NULL, " ", &save))
		tok[n++] = p;
	qsort(tok, n, sizeof(tok[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if ((s = stem_word(k->stem, tok[i], strlen(tok[i]), &len)) ==
		    NULL) {
			free(copy);
			return -1;
		}
		h = htab_hash(s, len + 1, h);	/* with its NUL: a separator */
	}
	free(copy);
	*key = h;
	return 0;
}

/* Hash of s without byte at (at == n: all of s), equal to the hash of
 * the shortened string itself. */
static uint64_t
del_hash(const char *s, size_t n, size_t at)
{
	char tmp[NEAR_MAX];

	memcpy(tmp, s, at);
	memcpy(tmp + at, s + at + 1, n - at - 1);
	return htab_hash(tmp, n - 1, 0);
}

/* One byte inserted, deleted or changed: returns the other phrase+1. */
static uint32_t
near_one(struct checker *k, uint32_t i)
{
	const char *s = k->norm.data;
	size_t n = k->norm.len, at;
	uint32_t j;

	if (n < NEAR_MIN || n > NEAR_MAX)
		return 0;
	if (htab_get(&k->dels, htab_hash(s, n, 0), &j))
		return j + 1;
	for (at = 0; at < n; at++)
		if (htab_get(&k->full, del_hash(s, n, at), &j) ||
		    htab_get(&k->dels, del_hash(s, n, at), &j))
			return j + 1;
	for (at = 0; at < n; at++)
		if (htab_put(&k->dels, del_hash(s, n, at), i) == -1)
			return UINT32_MAX;
	return 0;
}

static int
check_phrase(struct checker *k, uint32_t i)
{
	const struct corpus *c = k->c;
	const char *s = intent_corpus_phrase(c, i);
	char at[300];
	uint64_t h, sk;
	uint32_t j;

	if (normalize(s, strlen(s), 0, &k->norm, NULL) == -1)
		return -1;
	if (k->norm.len == 0) {
		finding(k, 0, i, "no words left after normalisation");
		return 0;
	}
	h = htab_hash(k->norm.data, k->norm.len, 0);
	if (htab_get(&k->full, h, &j)) {
		where(k, i, j, at, sizeof(at));
		if (c->ph[j].cls == c->ph[i].cls)
			finding(k, 0, i, "duplicate of %s (same after "
			    "normalisation)", at);
		else
			finding(k, 1, i, "same phrase as %s", at);
		return 0;
	}
	if (htab_put(&k->full, h, i) == -1 || stem_key(k, &sk) == -1)
		return -1;
	if (htab_get(&k->stems, sk, &j)) {
		where(k, i, j, at, sizeof(at));
		finding(k, 0, i, "near-duplicate of %s (same words)", at);
		return 0;
	}
	if (htab_put(&k->stems, sk, i) == -1)
		return -1;
	if ((j = near_one(k, i)) == UINT32_MAX)
		return -1;
	if (j > 0) {
		where(k, i, j - 1, at, sizeof(at));
		finding(k, 0, i, "near-duplicate of %s (one character "
		    "apart)", at);
	}
	return 0;
}

static void
check_sizes(struct checker *k)
{
	const struct intent_class *cl;
	char msg[128];
	int i;

	for (i = 0; i < k->c->ncls; i++) {
		cl = &k->c->cls[i];
		if (cl->nphrases == 0 || cl->nphrases >= INTENT_TINY)
			continue;
		snprintf(msg, sizeof(msg), "only %zu phrase%s; aim for %d or "
		    "more, worded differently", cl->nphrases,
		    cl->nphrases == 1 ? "" : "s", INTENT_TINY);
		forward(k, CORPUS_WARN, cl->path, 0, msg);
	}
}

int
intent_check(const char *dir, intent_check_fn *report, void *arg,
    int *nwarn)
{
	struct checker k;
	struct corpus c;
	size_t i;
	int rv = -1;

	memset(&k, 0, sizeof(k));
	k.report = report;
	k.arg = arg;
	k.c = &c;
	htab_init(&k.full);
	htab_init(&k.stems);
	htab_init(&k.dels);
	buf_init(&k.norm, INTENT_NORM_MAX);
	if (intent_corpus_read(dir, &c, forward, &k) == -1 ||
	    (k.stem = stem_new()) == NULL)
		goto out;
	check_sizes(&k);
	for (i = 0; i < c.nph; i++)
		if (check_phrase(&k, (uint32_t)i) == -1)
			goto out;
	rv = k.errors;
	*nwarn = k.warnings;
out:
	intent_corpus_free(&c);
	stem_free(k.stem);
	htab_fini(&k.full);
	htab_fini(&k.stems);
	htab_fini(&k.dels);
	buf_free(&k.norm);
	return rv;
}
