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
#include "intent.h"
#include "log.h"
#include "review.h"
#include "store.h"

#define TESTS_MAX	8
#define PHRASE_MAX	1000	/* bytes of a phrase line (intent_check) */

static const char *const default_tests[] = {
	"tests/intents/blind5.tsv", "tests/intents/nl.tsv"
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
	    "tests/intents/blind5.tsv\n"
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

/* ---- listing and closing ------------------------------------------------- */

static int
do_list(const struct review_set *s, int json)
{
	json_t *o;
	char *line;
	int k, n = review_set_count(s), m = review_set_messages(s);

	for (k = 0; k < n; k++) {
		if (!json) {
			printf("%6lld %5d  %-14s %s\n", review_set_id(s, k),
			    review_set_size(s, k), review_set_guess(s, k),
			    review_set_text(s, k));
			continue;
		}
		/* The operator may see the conversation: with_conv. */
		if ((o = review_set_json(s, k, 1)) == NULL)
			return -1;
		line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(o);
		if (line == NULL)
			return -1;
		printf("%s\n", line);
		free(line);
	}
	if (!json)
		printf("%d open group%s, %d message%s\n", n, n == 1 ? "" : "s",
		    m, m == 1 ? "" : "s");
	return 0;
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
cmd_assign(const struct opts *o, struct store *st, const struct review_set *s)
{
	char phrase[PHRASE_MAX + 2];
	int k, rc;

	if ((k = review_set_find(s, o->assign)) == -1) {
		fprintf(stderr, "loket intents review: no open item %lld\n",
		    o->assign);
		return 1;
	}
	if (phrase_line(review_set_text(s, k), phrase, sizeof(phrase)) == -1)
		return 1;
	if ((rc = cmd_review_apply(o->dir, o->intent, phrase, o->tests,
	    o->ntests, o->pending, o->force)) != 0)
		return rc;
	if (review_set_resolve(st, s, k, o->intent, who(o)) == -1) {
		fprintf(stderr, "loket intents review: the phrase was written "
		    "but the items could not be closed\n");
		return 1;
	}
	printf("assigned %d message%s to %s\n", review_set_size(s, k),
	    review_set_size(s, k) == 1 ? "" : "s", o->intent);
	return 0;
}

static int
cmd_ignore(const struct opts *o, struct store *st, const struct review_set *s)
{
	int k;

	if ((k = review_set_find(s, o->ignore)) == -1) {
		fprintf(stderr, "loket intents review: no open item %lld\n",
		    o->ignore);
		return 1;
	}
	if (review_set_resolve(st, s, k, NULL, who(o)) == -1)
		return 1;
	printf("ignored %d message%s\n", review_set_size(s, k),
	    review_set_size(s, k) == 1 ? "" : "s");
	return 0;
}

int
cmd_intents_review(int argc, char **argv)
{
	struct opts o;
	struct config *cfg;
	struct store *st;
	struct review_set *s;
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
	if ((s = review_set_load(st, cfg, o.agency)) == NULL)
		fprintf(stderr, "loket intents review: cannot read the "
		    "items (database or memory)\n");
	else if (o.list)
		rc = do_list(s, o.format != NULL &&
		    strcmp(o.format, "json") == 0) == -1;
	else if (o.assign > 0)
		rc = cmd_assign(&o, st, s);
	else
		rc = cmd_ignore(&o, st, s);
	review_set_free(s);
	store_close(st);
	config_free(cfg);
	return rc;
}
