/*
 * cmd_classify.c — `loket classify`: one message per line on stdin, one
 * JSON object per line on stdout.  The JSON line is built in steps:
 * the intent fields, then every enricher in the table below (contact
 * extraction adds email, phone, dossier and name there), then printed.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "contact_json.h"
#include "dialog.h"
#include "intent.h"
#include "signals.h"

#define DEFAULT_INTENTS	"intents/nl"
#define EXPLAIN_MAX	8

/*
 * Adds fields for one message to obj; returns 0, or -1 on failure (the
 * line is then still printed).  Add new enrichers to the table.
 */
typedef int	classify_enrich_fn(json_t *obj, const char *text);

static classify_enrich_fn *const enrichers[] = {
	contact_json_enrich,
	NULL
};

struct opts {
	char		 intents[PATH_MAX];
	int		 explain;
	enum dialog_step expect;	/* DS_START: none */
};

/* --expect SLOT: the step whose question the message answers. */
static const struct {
	const char		*name;
	enum dialog_step	 step;
} slots[] = {
	{ "name", DS_ASK_NAME }, { "contact", DS_ASK_CONTACT },
	{ "description", DS_ASK_DESC }, { "confirm", DS_CONFIRM },
	{ "choice", DS_CLARIFY }, { NULL, DS_START }
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: loket classify [--intents DIR] [--explain] "
	    "[--expect SLOT] [--config FILE]\n"
	    "                      [--db FILE]\n\n"
	    "Reads one message per line on stdin and writes one JSON object "
	    "per line:\n"
	    "  {\"intent\":\"klacht\",\"confidence\":0.91,\"second\":"
	    "\"ongenoegen\",\n   \"second_confidence\":0.05,\"lang\":\"nl\"}\n"
	    "with \"topic\" added when the message is about a topic of "
	    "onderwerpen/\n(answered only when the intent is vraag).\nBelow the threshold intent is \"onbekend\", "
	    "second the best guess.\n\n"
	    "  --intents DIR  phrase files (default " DEFAULT_INTENTS ")\n"
	    "  --explain      add \"explain\": the features that weighed "
	    "most\n"
	    "  --expect SLOT  add \"expect\": what the dialog takes from the "
	    "message when it\n"
	    "                 has just asked for SLOT (name, contact, "
	    "description, confirm,\n"
	    "                 choice: the complaint-or-question question)\n"
	    "  --config FILE  take the intents directory from the config's "
	    "\"intents\" key\n"
	    "  --db FILE      accepted like every command; not used\n");
}

int
cmd_intents_dir(const char *dir, const char *config_path,
    const char *db_path, char *out, size_t outlen)
{
	struct config *cfg;

	if (dir == NULL && config_path != NULL) {
		if ((cfg = cli_load_config(config_path, db_path)) == NULL)
			return -1;
		snprintf(out, outlen, "%s", cfg->intents_dir != NULL ?
		    cfg->intents_dir : DEFAULT_INTENTS);
		config_free(cfg);
		return 0;
	}
	snprintf(out, outlen, "%s", dir != NULL ? dir : DEFAULT_INTENTS);
	return 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	const char *intents = NULL, *config = NULL, *db = NULL, *expect = NULL;
	const struct cli_option opts[] = {
		{ "--explain", NULL, &o->explain },
		{ "--expect", &expect, NULL },
		{ "--intents", &intents, NULL },
		{ "--config", &config, NULL },
		{ "--db", &db, NULL },
		{ NULL, NULL, NULL }
	};

	memset(o, 0, sizeof(*o));
	if (cli_parse(argc, argv, 1, opts, usage) == -1)
		return -1;
	if (expect != NULL) {
		int i;

		for (i = 0; slots[i].name != NULL; i++)
			if (strcmp(slots[i].name, expect) == 0)
				o->expect = slots[i].step;
		if (o->expect == DS_START) {
			fprintf(stderr, "loket classify: --expect is one of "
			    "name, contact, description, confirm, choice\n");
			return -1;
		}
	}
	return cmd_intents_dir(intents, config, db, o->intents,
	    sizeof(o->intents));
}

/* Three decimals are all a confidence means. */
static json_t *
num(double x)
{
	return json_real(round(x * 1000) / 1000);
}

static int
add_explain(json_t *obj, const struct intent_feature *f, int n)
{
	json_t *a, *o;
	int i;

	if ((a = json_array()) == NULL || json_object_set_new(obj, "explain",
	    a) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		/* A name that is not valid UTF-8 (a phrase file in
		 * another encoding) is left out, not fatal. */
		o = json_pack("{s:s, s:s, s:o}", "feature", f[i].name,
		    "intent", f[i].cls, "weight", num(f[i].weight));
		if (o != NULL && json_array_append_new(a, o) == -1)
			return -1;
	}
	return 0;
}

static json_t *
result_json(const struct intent_result *r)
{
	json_t *o;

	o = json_pack("{s:s, s:o, s:s, s:o, s:s}", "intent", r->intent,
	    "confidence", num(r->confidence), "second", r->second,
	    "second_confidence", num(r->second_confidence), "lang", r->lang);
	if (o != NULL && r->topic[0] != '\0' && json_object_set_new(o,
	    "topic", json_string(r->topic)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The signals that are set, as JSON fields. */
static int
add_signals(json_t *obj, const struct signals *s)
{
	json_t *o = json_object();
	static const char *const answers[] = { NULL, "yes", "no" };

	if (o == NULL || json_object_set_new(obj, "signals", o) == -1)
		return -1;
#define FLAG(f) if (s->f) json_object_set_new(o, #f, json_true())
	FLAG(explicit_complaint); FLAG(not_complaint);
	FLAG(explicit_suggestion); FLAG(proposal); FLAG(abuse); FLAG(narrative);
	FLAG(short_answer); FLAG(stop); FLAG(person); FLAG(question);
	FLAG(thanks); FLAG(thanked); FLAG(unsure); FLAG(wait); FLAG(why);
	FLAG(resolved);
	FLAG(discontent); FLAG(rhetorical);
#undef FLAG
	if (answers[s->answer] != NULL)
		json_object_set_new(o, "answer", json_string(answers[s->answer]));
	if (s->choice[0] != '\0')
		json_object_set_new(o, "choice", json_string(s->choice));
	if (s->denied[0] != '\0')
		json_object_set_new(o, "denied", json_string(s->denied));
	if (s->correction != SIGNALS_FIELD_NONE)
		json_object_set_new(o, "correction", json_string(
		    s->correction == SIGNALS_FIELD_NAME ? "name" :
		    s->correction == SIGNALS_FIELD_CONTACT ? "contact" :
		    "dossier"));
	return 0;
}

static void
set_changed(json_t *o, const char *key, const char *before,
    const char *after)
{
	if (strcmp(before, after) != 0)
		json_object_set_new(o, key, json_string(after));
}

/*
 * Runs the real dialog on the message, in a complaint of an agency that
 * registers cases, just after it asked for `step`; reports what it took
 * (changed slots), the step it went to, its first reply and actions.
 */
static int
add_expect(json_t *obj, enum dialog_step step, const char *text,
    const struct intent_result *r, const struct signals *sig)
{
	struct agency a;
	struct dialog_state st, before;
	struct dialog_input in;
	struct dialog_output out;
	json_t *o = json_object(), *took = json_object();

	if (o == NULL || took == NULL || json_object_set_new(obj, "expect",
	    o) == -1) {
		json_decref(took);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.id = "classify";
	a.policy = POLICY_CASE;
	dialog_init(&st, "nl");
	st.step = step;
	st.asks[step] = 1;
	st.asks[DS_CLARIFY] = 1;
	if (step > DS_ASK_NAME)
		snprintf(st.name, sizeof(st.name), "Els Peeters");
	if (step > DS_ASK_CONTACT)
		snprintf(st.email, sizeof(st.email), "els@example.be");
	if (step > DS_ASK_DESC)
		snprintf(st.description, sizeof(st.description),
		    "(de klacht)");
	before = st;
	memset(&in, 0, sizeof(in));
	in.kind = DI_TEXT;
	in.text = text;
	in.intent = r;
	in.sig = sig;
	in.lang_offered = 1;
	in.in_office = 1;
	dialog_step(&a, &st, &in, &out);
	set_changed(took, "name", before.name, st.name);
	set_changed(took, "email", before.email, st.email);
	set_changed(took, "phone", before.phone, st.phone);
	set_changed(took, "description", before.description, st.description);
	set_changed(took, "dossier", before.dossier, st.dossier);
	json_object_set_new(o, "slot", json_string(
	    dialog_step_name(step)));
	json_object_set_new(o, "took", took);
	json_object_set_new(o, "next", json_string(dialog_step_name(
	    st.step)));
	if (out.n_replies > 0 && out.replies[0].key != NULL)
		json_object_set_new(o, "reply", json_string(
		    out.replies[0].key));
	if (out.actions & DA_CREATE_CASE)
		json_object_set_new(o, "case", json_true());
	if (out.actions & DA_HANDOVER)
		json_object_set_new(o, "handover", json_true());
	if (out.actions & DA_FLAG_ABUSE)
		json_object_set_new(o, "abuse", json_true());
	if (out.actions & DA_END)
		json_object_set_new(o, "end", json_string(out.end_outcome));
	return 0;
}

static int
classify_line(struct intent_model *m, const char *text, int explain,
    enum dialog_step expect)
{
	struct signals sig;
	struct intent_result raw;
	struct intent_feature f[EXPLAIN_MAX];
	struct intent_result r;
	json_t *obj;
	char *s;
	size_t i;
	int n;

	if ((n = intent_explain(m, text, &r, f, explain ? EXPLAIN_MAX :
	    0)) == -1)
		return -1;
	raw = r;
	signals_read(text, &r, NULL, expect == DS_ASK_NAME ?
	    SIGNALS_NAME_ASKED : expect == DS_ASK_CONTACT ?
	    SIGNALS_NAME_GIVEN : 0, &sig);
	signals_decide(&sig, &r);
	if ((obj = result_json(&r)) == NULL)
		return -1;
	if (strcmp(raw.intent, r.intent) != 0)
		json_object_set_new(obj, "classifier", json_string(raw.intent));
	if (add_signals(obj, &sig) == -1 || (expect != DS_START &&
	    add_expect(obj, expect, text, &r, &sig) == -1)) {
		json_decref(obj);
		return -1;
	}
	if (explain && add_explain(obj, f, n) == -1) {
		json_decref(obj);
		return -1;
	}
	for (i = 0; enrichers[i] != NULL; i++)
		enrichers[i](obj, text);
	s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(4));
	json_decref(obj);
	if (s == NULL)
		return -1;
	puts(s);
	free(s);
	return 0;
}

int
cmd_classify(int argc, char **argv)
{
	struct intent_model *m;
	char err[512], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct opts o;
	int rv = 0;

	if (parse(argc, argv, &o) == -1)
		return 2;
	if ((m = intent_load(o.intents, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket classify: %s\n", err);
		return 1;
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (classify_line(m, line, o.explain, o.expect) == -1) {
			fprintf(stderr, "loket classify: out of memory\n");
			rv = 1;
			break;
		}
	}
	free(line);
	intent_free(m);
	return rv;
}
