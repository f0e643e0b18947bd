/*
 * conv_state.c — the dialog's slots and counters as the JSON in
 * conversations.data.  The step, language, first intent and outcome have
 * their own columns (conv_db.c).  Unknown or missing members decode as
 * empty, so a row written by an older loket still loads.
 */
#include "conv_int.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char	*name;
	size_t		 off;
	size_t		 len;
} strs[] = {
#define S(f) { #f, offsetof(struct dialog_state, f), \
	sizeof(((struct dialog_state *)0)->f) }
	S(topic), S(pending_topic), S(name), S(email), S(phone), S(dossier), S(description),
#undef S
};

static const struct {
	const char	*name;
	size_t		 off;
} ints[] = {
#define I(f) { #f, offsetof(struct dialog_state, f) }
	I(unknown), I(criticism), I(abuse), I(fix_field),
	I(referrals), I(invalid),
#undef I
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

char *
conv_state_encode(const struct dialog_state *st)
{
	json_t *o = json_object(), *asks = json_array();
	const char *base = (const char *)st;
	char *s = NULL;
	size_t i;

	if (o == NULL || asks == NULL)
		goto out;
	for (i = 0; i < N(strs); i++)
		if (base[strs[i].off] != '\0')
			json_object_set_new(o, strs[i].name,
			    json_string(base + strs[i].off));
	for (i = 0; i < N(ints); i++)
		json_object_set_new(o, ints[i].name,
		    json_integer(*(const int *)(base + ints[i].off)));
	for (i = 0; i < DS_COUNT; i++)
		json_array_append_new(asks, json_integer(st->asks[i]));
	json_object_set(o, "asks", asks);
	s = json_dumps(o, JSON_COMPACT);
out:
	json_decref(asks);
	json_decref(o);
	return s;
}

void
conv_state_decode(struct dialog_state *st, const char *json)
{
	json_t *o, *v;
	char *base = (char *)st;
	size_t i;

	if (json == NULL || (o = json_loads(json, 0, NULL)) == NULL)
		return;
	for (i = 0; i < N(strs); i++)
		if ((v = json_object_get(o, strs[i].name)) != NULL &&
		    json_is_string(v))
			snprintf(base + strs[i].off, strs[i].len, "%s",
			    json_string_value(v));
	for (i = 0; i < N(ints); i++)
		if ((v = json_object_get(o, ints[i].name)) != NULL &&
		    json_is_integer(v))
			*(int *)(base + ints[i].off) =
			    (int)json_integer_value(v);
	v = json_object_get(o, "asks");
	for (i = 0; json_is_array(v) && i < DS_COUNT &&
	    i < json_array_size(v); i++)
		st->asks[i] = (int)json_integer_value(json_array_get(v, i));
	json_decref(o);
}
