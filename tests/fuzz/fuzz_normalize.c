/*
 * fuzz_normalize.c — a citizen's text through what reads it: the
 * normaliser (both outputs), the Dutch stemmer on every token, the
 * classifier on the phrase files of the repository, and the signals.
 * The first byte picks the flags; the rest is the text.
 */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "intent.h"
#include "normalize.h"
#include "signals.h"
#include "stem.h"

static struct stem *st;
static struct intent_model *model;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];

	(void)argc;
	(void)argv;
	st = stem_new();
	model = intent_load("intents/nl", err, sizeof(err));
	if (st == NULL || model == NULL) {
		fprintf(stderr, "fuzz: run from the repository root: %s\n",
		    err);
		abort();
	}
	return 0;
}

static void
stem_tokens(const struct buf *out)
{
	const char *p = out->data, *end = p + out->len, *sp;
	size_t n, slen;

	while (p != NULL && p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		n = (size_t)((sp ? sp : end) - p);
		FUZZ_NEED(n > 0);	/* single spaces, none at the ends */
		FUZZ_NEED(stem_word(st, p, n, &slen) != NULL);
		p = sp ? sp + 1 : end;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intent_result ir;
	struct signals sig;
	struct buf out, raw;
	char *text, fold[512];
	unsigned marks = 0;
	int flags = size > 0 ? data[0] & NORM_RAW : 0;

	if (size > 0) {
		data++;
		size--;
	}
	buf_init(&out, 64 * 1024);
	buf_init(&raw, 64 * 1024);
	if (normalize_raw_too((const char *)data, size, flags, &out, &marks,
	    &raw) == 0) {
		FUZZ_NEED(out.len == 0 || (out.data[0] != ' ' &&
		    out.data[out.len - 1] != ' '));
		stem_tokens(&out);
	}
	buf_free(&out);
	buf_free(&raw);
	if ((text = fuzz_cstr(data, size)) == NULL)
		return 0;
	if (intent_classify(model, text, &ir) == 0) {
		FUZZ_NEED(ir.confidence >= 0 && ir.confidence <= 1);
		signals_read(text, &ir, NULL, flags, &sig);
		signals_decide(&sig, &ir);
	}
	signals_fold(text, fold, sizeof(fold));
	free(text);
	return 0;
}
