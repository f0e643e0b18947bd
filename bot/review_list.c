/*
 * review_list.c — the open items as authors see them: masked with the
 * agency's dossier patterns and the sender's profile name
 * (contact_mask), grouped by similarity (review_group), as JSON; and a
 * group closed at once.  Shared by `loket intents review` and the
 * console's review routes.  Runs on whichever thread owns the store.
 */
#include "review.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "contact.h"
#include "store.h"

#define EXAMPLES	3

struct review_set {
	struct review_item	*it;
	int			 n;
	char			**masked;
	struct review_group	*g;
	int			 ng;
};

void
review_set_free(struct review_set *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; s->masked != NULL && i < s->n; i++)
		free(s->masked[i]);
	free(s->masked);
	review_groups_free(s->g, s->ng);
	review_items_free(s->it, s->n);
	free(s);
}

static int
set_load(struct review_set *s, struct store *st, const struct config *cfg,
    const char *agency)
{
	const struct agency *a;
	const char *known[2];
	int i;

	memset(s, 0, sizeof(*s));
	if ((s->n = review_open(st, agency, &s->it)) < 0) {
		s->n = 0;
		return -1;
	}
	if (s->n > 0 && (s->masked = calloc((size_t)s->n, sizeof(char *))) ==
	    NULL)
		return -1;
	for (i = 0; i < s->n; i++) {
		a = config_agency(cfg, s->it[i].agency);
		known[0] = s->it[i].user_name;
		known[1] = NULL;
		if ((s->masked[i] = contact_mask(s->it[i].text, a != NULL ?
		    &a->dossier_patterns : NULL, known)) == NULL)
			return -1;
	}
	if ((s->ng = review_group((const char *const *)s->masked, s->n,
	    &s->g)) < 0) {
		s->ng = 0;
		return -1;
	}
	return 0;
}

/* The group holding item id, or -1. */
int
review_set_find(const struct review_set *s, long long id)
{
	int k, j;

	for (k = 0; k < s->ng; k++)
		for (j = 0; j < s->g[k].n; j++)
			if (s->it[s->g[k].members[j]].id == id)
				return k;
	return -1;
}

/* The guess most members share (the leader's on a tie). */
static const char *
group_guess(const struct review_set *s, const struct review_group *g)
{
	const char *best = s->it[g->members[0]].guess, *x;
	int i, j, c, bc = 0;

	for (i = 0; i < g->n; i++) {
		x = s->it[g->members[i]].guess;
		for (j = c = 0; j < g->n; j++)
			c += strcmp(s->it[g->members[j]].guess, x) == 0;
		if (c > bc) {
			bc = c;
			best = x;
		}
	}
	return best;
}

json_t *
review_set_json(const struct review_set *s, int k, int with_conv)
{
	const struct review_group *g = &s->g[k];
	const struct review_item *l = &s->it[g->members[0]], *m;
	json_t *o, *ids, *ex, *reasons, *answers;
	unsigned why = 0, bit;
	long long first = l->received_at, last = l->received_at;
	int i, j, dup;

	ids = json_array();
	ex = json_array();
	reasons = json_array();
	answers = json_object();
	for (i = 0; i < g->n; i++) {
		m = &s->it[g->members[i]];
		why |= m->reasons;
		json_array_append_new(ids, json_integer(m->id));
		if (m->answer[0] != '\0')
			json_object_set_new(answers, m->answer, json_integer(
			    json_integer_value(json_object_get(answers,
			    m->answer)) + 1));
		first = m->received_at < first ? m->received_at : first;
		last = m->received_at > last ? m->received_at : last;
		for (j = 0, dup = 0; j < i; j++)
			dup |= strcmp(s->masked[g->members[j]],
			    s->masked[g->members[i]]) == 0;
		if (i > 0 && !dup && json_array_size(ex) < EXAMPLES)
			json_array_append_new(ex, json_string(
			    s->masked[g->members[i]]));
	}
	for (bit = 1; bit <= REVIEW_ALL; bit <<= 1)
		if (why & bit)
			json_array_append_new(reasons, json_string(
			    review_reason_name(bit)));
	o = json_pack("{s:I, s:s, s:i, s:s, s:f, s:s*, s:s*, s:o, s:s, "
	    "s:o, s:s, s:s, s:I, s:I, s:I, s:o, s:o}",
	    "id", (json_int_t)l->id, "text", s->masked[g->members[0]],
	    "count", g->n, "guess", group_guess(s, g),
	    "confidence", l->confidence,
	    "second", l->second[0] ? l->second : NULL,
	    "topic", l->topic[0] ? l->topic : NULL,
	    "reasons", reasons, "signals", l->signals, "answers", answers,
	    "agency", l->agency, "channel", l->channel,
	    "conversation", (json_int_t)(with_conv ? l->conversation_id : 0),
	    "first_at", (json_int_t)first, "last_at", (json_int_t)last,
	    "items", ids, "examples", ex);
	return o;
}

int
review_set_resolve(struct store *st, const struct review_set *s, int k,
    const char *intent, const char *by)
{
	long long *ids;
	int i, rc;

	if ((ids = calloc((size_t)s->g[k].n, sizeof(*ids))) == NULL)
		return -1;
	for (i = 0; i < s->g[k].n; i++)
		ids[i] = s->it[s->g[k].members[i]].id;
	rc = -1;
	if (store_begin(st) == 0) {
		rc = review_resolve(st, ids, s->g[k].n, intent, by,
		    store_now_ms());
		if (rc == -1)
			store_rollback(st);
		else if (store_commit(st) == -1)
			rc = -1;
	}
	free(ids);
	return rc;
}

struct review_set *
review_set_load(struct store *st, const struct config *cfg,
    const char *agency)
{
	struct review_set *s = calloc(1, sizeof(*s));

	if (s != NULL && set_load(s, st, cfg, agency) == -1) {
		review_set_free(s);
		return NULL;
	}
	return s;
}

int
review_set_count(const struct review_set *s)
{
	return s->ng;
}

long long
review_set_id(const struct review_set *s, int k)
{
	return s->it[s->g[k].members[0]].id;
}

int
review_set_size(const struct review_set *s, int k)
{
	return s->g[k].n;
}

const char *
review_set_text(const struct review_set *s, int k)
{
	return s->masked[s->g[k].members[0]];
}

const char *
review_set_guess(const struct review_set *s, int k)
{
	return group_guess(s, &s->g[k]);
}

int
review_set_messages(const struct review_set *s)
{
	return s->n;
}
