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
#include "intent.h"

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
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: loket classify [--intents DIR] [--explain] "
	    "[--config FILE] [--db FILE]\n\n"
	    "Reads one message per line on stdin and writes one JSON object "
	    "per line:\n"
	    "  {\"intent\":\"klacht\",\"confidence\":0.91,\"second\":"
	    "\"ongenoegen\",\n   \"second_confidence\":0.05,\"lang\":\"nl\"}\n"
	    "with \"topic\" added when a topic of onderwerpen/ won (intent "
	    "is then vraag).\nBelow the threshold intent is \"onbekend\", "
	    "second the best guess.\n\n"
	    "  --intents DIR  phrase files (default " DEFAULT_INTENTS ")\n"
	    "  --explain      add \"explain\": the features that weighed "
	    "most\n"
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
	const char *intents = NULL, *config = NULL, *db = NULL;
	const struct cli_option opts[] = {
		{ "--explain", NULL, &o->explain },
		{ "--intents", &intents, NULL },
		{ "--config", &config, NULL },
		{ "--db", &db, NULL },
		{ NULL, NULL, NULL }
	};

	memset(o, 0, sizeof(*o));
	if (cli_parse(argc, argv, 1, opts, usage) == -1)
		return -1;
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

static int
classify_line(struct intent_model *m, const char *text, int explain)
{
	struct intent_feature f[EXPLAIN_MAX];
	struct intent_result r;
	json_t *obj;
	char *s;
	size_t i;
	int n;

	if ((n = intent_explain(m, text, &r, f, explain ? EXPLAIN_MAX :
	    0)) == -1 || (obj = result_json(&r)) == NULL)
		return -1;
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
		if (classify_line(m, line, o.explain) == -1) {
			fprintf(stderr, "loket classify: out of memory\n");
			rv = 1;
			break;
		}
	}
	free(line);
	intent_free(m);
	return rv;
}
