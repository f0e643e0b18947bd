/*
 * webhook.c — what the WhatsApp and Messenger parsers share: loading the
 * body with jansson, growing the event array, copying strings out of the
 * json_t tree so a batch outlives it, and freeing a batch.  No state
 * but each thread's parse block (below); called on the lws service thread
 * through webhook.h.
 */
#include "webhook_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
webhook_channel_name(enum channel c)
{
	switch (c) {
	case CH_WHATSAPP:
		return "whatsapp";
	case CH_MESSENGER:
		return "messenger";
	}
	return "unknown";
}

static void
event_free(struct inbound_event *e)
{
	free(e->account_id);
	free(e->user_id);
	free(e->user_phone);
	free(e->user_name);
	free(e->msg_id);
	free(e->msg_type);
	free(e->text);
	free(e->payload);
	free(e->status);
	free(e->error_text);
	free(e->raw);
	free(e->ref_id);
	free(e->send_tag);
}

void
webhook_batch_free(struct webhook_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		event_free(&b->ev[i]);
	free(b->ev);
	b->ev = NULL;
	b->n = 0;
	b->unexpected = 0;
	b->overflow = 0;
}

/*
 * jansson's own text quotes the offending token, which may be part of a
 * citizen's message; the error only says what and where, so it can be
 * logged.
 */
static const char *
json_problem(const json_error_t *je)
{
	switch (json_error_code(je)) {
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_premature_end_of_input:
		return "truncated";
	case json_error_end_of_input_expected:
		return "garbage after the JSON value";
	case json_error_stack_overflow:
		return "nested too deep";
	case json_error_null_character:
		return "\\u0000 in a string";
	case json_error_numeric_overflow:
		return "number out of range";
	default:
		return "invalid syntax";
	}
}

static void
set_err(char *err, size_t errlen, const char *what, const json_error_t *je)
{
	if (err == NULL || errlen == 0)
		return;
	if (je != NULL)
		snprintf(err, errlen, "%s: %s at line %d column %d (byte %d)",
		    what, json_problem(je), je->line, je->column,
		    je->position);
	else
		snprintf(err, errlen, "%s", what);
}

/*
 * The tree of one body, parsed by jansson, is some hundred small
 * allocations freed together a moment later: on the busiest path of the
 * server that malloc and free traffic cost more than the parse itself.
 * While json_loadb() runs, jansson takes memory from this thread's block
 * instead (bump allocation); freeing it is a no-op, and the block starts
 * over when the last tree from it is gone.  Everything else, on every
 * thread, goes to malloc() and free() as before, so the functions may be
 * installed at any time: free() is never given memory of a block.
 */
#define PARSE_BLOCK_BYTES	(256 * 1024)

struct parse_block {
	char	*base;
	size_t	 used;
	long	 live;		/* allocations not yet freed */
	int	 active;	/* json_loadb() runs on this thread */
};

static _Thread_local struct parse_block parse_block;
static pthread_once_t parse_block_once = PTHREAD_ONCE_INIT;
static pthread_key_t parse_block_key;	/* frees a block when its thread
					   ends */

static int
in_block(const struct parse_block *b, const void *ptr)
{
	return b->base != NULL && (const char *)ptr >= b->base &&
	    (const char *)ptr < b->base + PARSE_BLOCK_BYTES;
}

static void *
block_malloc(size_t n)
{
	struct parse_block *b = &parse_block;
	size_t need = (n + 15) & ~(size_t)15;

	if (b->active && n > 0 && need <= PARSE_BLOCK_BYTES - b->used) {
		void *ptr = b->base + b->used;

		b->used += need;
		b->live++;
		return ptr;
	}
	return malloc(n);
}

static void
block_free(void *ptr)
{
	struct parse_block *b = &parse_block;

	if (in_block(b, ptr)) {
		b->live--;
		return;
	}
	free(ptr);
}

static void
install_block_alloc(void)
{
	if (pthread_key_create(&parse_block_key, free) == 0)
		json_set_alloc_funcs(block_malloc, block_free);
}

static json_t *
load_in_block(const char *body, size_t len, size_t flags, json_error_t *je)
{
	struct parse_block *b = &parse_block;
	json_t *root;

	pthread_once(&parse_block_once, install_block_alloc);
	if (b->base == NULL && (b->base = malloc(PARSE_BLOCK_BYTES)) != NULL &&
	    pthread_setspecific(parse_block_key, b->base) != 0) {
		free(b->base);
		b->base = NULL;
	}
	/* A tree still alive (never the case today) keeps its memory: this
	 * parse then simply uses malloc(). */
	if (b->base != NULL && b->live == 0) {
		b->used = 0;
		b->active = 1;
	}
	root = json_loadb(body, len, flags, je);
	b->active = 0;
	return root;
}

/*
 * Flags: JSON_DECODE_ANY because a bare "42" is JSON, just not Meta's
 * shape, so it must become `unexpected`, not a 400.  Duplicate keys are
 * accepted (last one wins, jansson's default): RFC 8259 only says names
 * SHOULD be unique, and refusing a signed body makes Meta retry it for
 * up to 7 days and, on Messenger, unsubscribe the page after an hour.
 * NUL in strings (no JSON_ALLOW_NUL: C strings would silently cut the
 * text), invalid UTF-8, lone surrogates, numbers past a double and
 * nesting past JSON_PARSER_MAX_DEPTH (2048) are refused by jansson: such
 * a body is "not parsed", and the server keeps it raw.
 */
json_t *
webhook_load(struct webhook_parse *p, struct webhook_batch *out,
    enum channel ch, const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;

	out->ev = NULL;
	out->n = 0;
	out->unexpected = 0;
	out->overflow = 0;
	p->b = out;
	p->ch = ch;
	p->nomem = 0;
	p->cap = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* RFC 8259 §8.1: a parser may ignore a leading byte order mark. */
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		body += 3;
		len -= 3;
	}
	root = load_in_block(body, len, JSON_DECODE_ANY, &je);
	/*
	 * An integer past 64 bits is valid JSON; Meta sends ids as strings,
	 * but rather than 400 a signed body, read integers as doubles.
	 */
	if (root == NULL && json_error_code(&je) == json_error_numeric_overflow)
		root = load_in_block(body, len,
		    JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
	/*
	 * jansson 2.14 leaves the error empty when a json_object_set fails
	 * while parsing; a syntax error always has text.
	 */
	if (root == NULL && (json_error_code(&je) == json_error_out_of_memory ||
	    je.text[0] == '\0'))
		set_err(err, errlen, "out of memory", NULL);
	else if (root == NULL)
		set_err(err, errlen, "not JSON", &je);
	return root;
}

int
webhook_finish(struct webhook_parse *p, json_t *root, char *err,
    size_t errlen)
{
	json_decref(root);
	if (!p->nomem)
		return 0;
	webhook_batch_free(p->b);
	set_err(err, errlen, "out of memory", NULL);
	return -1;
}

/* Doubling growth keeps a 100k-event batch linear. */
static int
grow(struct webhook_parse *p)
{
	struct inbound_event *ev;
	size_t cap;

	if (p->b->n < p->cap)
		return 0;
	cap = p->cap == 0 ? 8 : p->cap * 2;
	if (cap > SIZE_MAX / sizeof(*ev))
		return -1;
	if ((ev = realloc(p->b->ev, cap * sizeof(*ev))) == NULL)
		return -1;
	p->b->ev = ev;
	p->cap = cap;
	return 0;
}

int
webhook_full(const struct webhook_parse *p)
{
	if (p->b->n < WEBHOOK_MAX_EVENTS)
		return 0;
	p->b->overflow = 1;
	return 1;
}

struct inbound_event *
webhook_add(struct webhook_parse *p, enum event_kind k, const json_t *raw)
{
	struct inbound_event *e;

	if (p->nomem || webhook_full(p))
		return NULL;
	if (grow(p) == -1) {
		p->nomem = 1;
		return NULL;
	}
	e = &p->b->ev[p->b->n++];
	memset(e, 0, sizeof(*e));
	e->channel = p->ch;
	e->kind = k;
	if (raw != NULL) {
		e->raw = json_dumps(raw, JSON_COMPACT | JSON_ENCODE_ANY);
		if (e->raw == NULL)
			p->nomem = 1;
	}
	return e;
}

struct inbound_event *
webhook_unknown(struct webhook_parse *p, const json_t *raw, const char *type)
{
	struct inbound_event *e;

	p->b->unexpected++;
	if (raw == NULL)
		return NULL;
	if ((e = webhook_add(p, EV_UNKNOWN, raw)) == NULL)
		return NULL;
	webhook_set(p, &e->msg_type, type);
	return e;
}

void
webhook_set(struct webhook_parse *p, char **dst, const char *s)
{
	char *c = NULL;

	if (s != NULL && (c = strdup(s)) == NULL)
		p->nomem = 1;
	free(*dst);
	*dst = c;
}

void
webhook_set_id(struct webhook_parse *p, char **dst, const json_t *v)
{
	if (json_is_string(v))
		webhook_set(p, dst, json_string_value(v));
	else if (json_is_integer(v))
		webhook_setf(p, dst, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		webhook_setf(p, dst, "%.0f", json_real_value(v));
	else
		webhook_set(p, dst, NULL);
}

void
webhook_setf(struct webhook_parse *p, char **dst, const char *fmt, ...)
{
	va_list ap;
	char *c = NULL;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && (c = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(c, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else {
		p->nomem = 1;
	}
	free(*dst);
	*dst = c;
}

const char *
webhook_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

json_t *
webhook_obj(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : NULL;
}

json_t *
webhook_arr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

long long
webhook_num(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	char *end;
	long long n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) > -9.2e18 &&
	    json_real_value(v) < 9.2e18)
		return (long long)json_real_value(v);
	if ((s = json_string_value(v)) == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return n;
}

int
webhook_true(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}
