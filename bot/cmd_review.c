/*
 * cmd_review.c — `loket intents review`: the intent author's review of
 * the messages the bot misread (review.h).  --list prints the open items
 * grouped by similarity, masked; --assign writes a group's masked text to
 * an intent's phrase file (or a pending file beside it) after checking
 * the set and scoring the held-out files with and without it, and
 * refuses a change that makes a held-out score worse unless --force;
 * --ignore closes a group.  Command line only.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "contact.h"
#include "intent.h"
#include "log.h"
#include "review.h"
#include "store.h"

#define TESTS_MAX	8
#define PHRASE_MAX	1000	/* bytes of a phrase line (intent_check) */
#define EXAMPLES	3

static const char *const default_tests[] = {
	"tests/intents/blind2.tsv", "tests/intents/nl.tsv"
};

struct opts {
	const char	*config, *db, *intents, *agency, *format, *by;
	const char	*tests[TESTS_MAX];
	int		 ntests;
	int		 list, pending, force;
	long long	 assign, ignore;
	const char	*intent;
	char		 dir[PATH_MAX];
};

/* The open items, masked and grouped. */
struct set {
	struct review_item	*it;
	int			 n;
	char			**masked;
	struct review_group	*g;
	int			 ng;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: loket intents review --list [--format text|json] "
	    "[--agency ID]\n"
	    "       loket intents review --assign ID INTENT [--pending] "
	    "[--force]\n"
	    "                            [--intents DIR] [--test FILE]... "
	    "[--by NAME]\n"
	    "       loket intents review --ignore ID [--by NAME]\n"
	    "       (each also takes --config FILE and --db FILE)\n\n"
	    "The messages the bot did not understand (intent onbekend, a "
	    "question asked\nagain, a hand-over for not understanding), "
	    "those after which staff took\nover, and those staff marked "
	    "misunderstood, grouped by similarity\n(largest first), with "
	    "personal data masked ({naam}, {telefoon}, {email},\n{dossier}, "
	    "{iban}, {adres}).\n\n"
	    "  --list          one line per open group: ID, count, guess, "
	    "text; with\n"
	    "                  --format json one JSON object per line "
	    "(\"id\", \"text\",\n"
	    "                  \"count\", \"guess\", \"reasons\", "
	    "\"signals\", ...)\n"
	    "  --assign ID INTENT\n"
	    "                  adds the masked text of ID's group to "
	    "INTENT's phrase file\n"
	    "                  (an intent or a topic of onderwerpen/), "
	    "after `intents check`\n"
	    "                  and the held-out `intents test` before and "
	    "after; refused\n"
	    "                  when a held-out macro-F1 drops, unless "
	    "--force\n"
	    "  --pending       write to INTENT.txt.pending beside the "
	    "phrase file instead\n"
	    "  --test FILE     held-out file (repeatable; default "
	    "tests/intents/blind2.tsv\n"
	    "                  and tests/intents/nl.tsv)\n"
	    "  --ignore ID     closes ID's group without a change\n"
	    "Then reload the server (systemctl reload loket, SIGHUP).\n");
}

/* ---- options ------------------------------------------------------------- */

static int
id_arg(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out <= 0) {
		fprintf(stderr, "loket intents review: not an item id: %s\n",
		    s);
		return -1;
	}
	return 0;
}

static int
value_opt(int argc, char **argv, int *i, struct opts *o)
{
	const char *t = NULL;
	int rc;

	if ((rc = cli_opt(argc, argv, i, "--config", &o->config)) != 0 ||
	    (rc = cli_opt(argc, argv, i, "--db", &o->db)) != 0 ||
	    (rc = cli_opt(argc, argv, i, "--intents", &o->intents)) != 0 ||
	    (rc = cli_opt(argc, argv, i, "--agency", &o->agency)) != 0 ||
	    (rc = cli_opt(argc, argv, i, "--format", &o->format)) != 0 ||
	    (rc = cli_opt(argc, argv, i, "--by", &o->by)) != 0)
		return rc;
	if ((rc = cli_opt(argc, argv, i, "--test", &t)) == 1) {
		if (o->ntests == TESTS_MAX) {
			fprintf(stderr, "loket intents review: at most %d "
			    "--test files\n", TESTS_MAX);
			return -1;
		}
		o->tests[o->ntests++] = t;
	}
	return rc;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	int i, rc, acts;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			exit(0);
		}
		if ((rc = value_opt(argc, argv, &i, o)) != 0) {
			if (rc == -1)
				return -1;
			continue;
		}
		if (strcmp(argv[i], "--list") == 0)
			o->list = 1;
		else if (strcmp(argv[i], "--pending") == 0)
			o->pending = 1;
		else if (strcmp(argv[i], "--force") == 0)
			o->force = 1;
		else if (strcmp(argv[i], "--assign") == 0 && i + 2 < argc) {
			if (id_arg(argv[++i], &o->assign) == -1)
				return -1;
			o->intent = argv[++i];
		} else if (strcmp(argv[i], "--ignore") == 0 && i + 1 < argc) {
			if (id_arg(argv[++i], &o->ignore) == -1)
				return -1;
		} else {
			fprintf(stderr, "loket intents review: unknown or "
			    "incomplete option %s\n", argv[i]);
			return -1;
		}
	}
	acts = o->list + (o->assign > 0) + (o->ignore > 0);
	if (acts != 1) {
		fprintf(stderr, "loket intents review: give one of --list, "
		    "--assign ID INTENT, --ignore ID\n");
		return -1;
	}
	if (o->format != NULL && strcmp(o->format, "json") != 0 &&
	    strcmp(o->format, "text") != 0) {
		fprintf(stderr, "loket intents review: --format json or text\n");
		return -1;
	}
	return cmd_intents_dir(o->intents, o->config, o->db, o->dir,
	    sizeof(o->dir)) == -1 ? -1 : 0;
}

/* ---- the open items, masked and grouped ---------------------------------- */

static void
set_free(struct set *s)
{
	int i;

	for (i = 0; s->masked != NULL && i < s->n; i++)
		free(s->masked[i]);
	free(s->masked);
	review_groups_free(s->g, s->ng);
	review_items_free(s->it, s->n);
	memset(s, 0, sizeof(*s));
}

static int
set_load(struct set *s, struct store *st, const struct config *cfg,
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
static int
set_find(const struct set *s, long long id)
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
group_guess(const struct set *s, const struct review_group *g)
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

static json_t *
group_json(const struct set *s, const struct review_group *g)
{
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
	    "conversation", (json_int_t)l->conversation_id,
	    "first_at", (json_int_t)first, "last_at", (json_int_t)last,
	    "items", ids, "examples", ex);
	return o;
}

static int
do_list(const struct set *s, int json)
{
	json_t *o;
	char *line;
	int k;

	for (k = 0; k < s->ng; k++) {
		if (!json) {
			printf("%6lld %5d  %-14s %s\n",
			    s->it[s->g[k].members[0]].id, s->g[k].n,
			    group_guess(s, &s->g[k]),
			    s->masked[s->g[k].members[0]]);
			continue;
		}
		if ((o = group_json(s, &s->g[k])) == NULL)
			return -1;
		line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(o);
		if (line == NULL)
			return -1;
		printf("%s\n", line);
		free(line);
	}
	if (!json)
		printf("%d open group%s, %d message%s\n", s->ng,
		    s->ng == 1 ? "" : "s", s->n, s->n == 1 ? "" : "s");
	return 0;
}

/* ---- closing a group ------------------------------------------------------ */

static int
resolve(struct store *st, const struct set *s, int k, const char *intent,
    const char *by)
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

static const char *
who(const struct opts *o)
{
	const char *u = getenv("USER");

	return o->by != NULL ? o->by : u != NULL && *u ? u : "cli";
}

/* ---- assigning ------------------------------------------------------------ */

/* The masked text as one phrase line: no line breaks, no comment mark. */
static int
phrase_line(const char *masked, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = masked;

	while (*p == ' ' || *p == '#' || *p == '\n' || *p == '\t' ||
	    *p == '\r')
		p++;
	for (; *p != '\0' && n + 1 < outlen; p++) {
		char c = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;

		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	if (*p != '\0' || n > PHRASE_MAX) {
		fprintf(stderr, "loket intents review: the text is longer "
		    "than a phrase line (%d bytes)\n", PHRASE_MAX);
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "loket intents review: nothing is left of "
		    "the text to write\n");
		return -1;
	}
	return 0;
}

static int
cmd_assign(const struct opts *o, struct store *st, const struct set *s)
{
	char phrase[PHRASE_MAX + 2];
	int k, rc;

	if ((k = set_find(s, o->assign)) == -1) {
		fprintf(stderr, "loket intents review: no open item %lld\n",
		    o->assign);
		return 1;
	}
	if (phrase_line(s->masked[s->g[k].members[0]], phrase,
	    sizeof(phrase)) == -1)
		return 1;
	if ((rc = cmd_review_apply(o->dir, o->intent, phrase, o->tests,
	    o->ntests, o->pending, o->force)) != 0)
		return rc;
	if (resolve(st, s, k, o->intent, who(o)) == -1) {
		fprintf(stderr, "loket intents review: the phrase was written "
		    "but the items could not be closed\n");
		return 1;
	}
	printf("assigned %d message%s to %s\n", s->g[k].n,
	    s->g[k].n == 1 ? "" : "s", o->intent);
	return 0;
}

static int
cmd_ignore(const struct opts *o, struct store *st, const struct set *s)
{
	int k;

	if ((k = set_find(s, o->ignore)) == -1) {
		fprintf(stderr, "loket intents review: no open item %lld\n",
		    o->ignore);
		return 1;
	}
	if (resolve(st, s, k, NULL, who(o)) == -1)
		return 1;
	printf("ignored %d message%s\n", s->g[k].n, s->g[k].n == 1 ? "" : "s");
	return 0;
}

int
cmd_intents_review(int argc, char **argv)
{
	struct opts o;
	struct config *cfg;
	struct store *st;
	struct set s;
	char err[512];
	int rc = 1, i;

	if (parse(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	if (o.ntests == 0)
		for (i = 0; i < 2; i++)
			o.tests[o.ntests++] = default_tests[i];
	log_level_from_env();
	if ((cfg = cli_load_config(o.config, o.db)) == NULL)
		return 1;
	if ((st = store_open(cfg->db_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket: %s\n", err);
		config_free(cfg);
		return 1;
	}
	if (set_load(&s, st, cfg, o.agency) == -1)
		fprintf(stderr, "loket intents review: cannot read the "
		    "items (database or memory)\n");
	else if (o.list)
		rc = do_list(&s, o.format != NULL &&
		    strcmp(o.format, "json") == 0) == -1;
	else if (o.assign > 0)
		rc = cmd_assign(&o, st, &s);
	else
		rc = cmd_ignore(&o, st, &s);
	set_free(&s);
	store_close(st);
	config_free(cfg);
	return rc;
}
