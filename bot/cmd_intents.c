/*
 * cmd_intents.c — `loket intents check` and `loket intents test`, the
 * tools of the intent authors.  Command line only.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "intent.h"
#include "signals.h"

#define DEFAULT_INTENTS	"intents/nl"
#define DEFAULT_TESTSET	"tests/intents/nl.tsv"

struct test_opts {
	const char	*file;
	char		 intents[PATH_MAX];
	int		 folds;
	double		 min_f1;
	int		 show_errors;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: loket intents check [DIR] [--config FILE]\n"
	    "       loket intents review --list | --assign ID INTENT | "
	    "--ignore ID ...\n"
	    "       loket intents test [FILE] [--intents DIR] "
	    "[--cross-validate K]\n"
	    "                          [--min-macro-f1 X] [--errors] "
	    "[--config FILE]\n\n"
	    "DIR defaults to the config's \"intents\" key with --config, "
	    "else " DEFAULT_INTENTS ".\n\n"
	    "check  lists problems in the phrase files as FILE:LINE: "
	    "error|warning: ...\n"
	    "       (line 0 = the whole file); exits 1 when there are "
	    "errors.\n"
	    "       Errors make the server refuse the set or contradict "
	    "themselves:\n"
	    "       unreadable file, invalid UTF-8, line over 1000 bytes, "
	    "empty intent,\n"
	    "       bad file name, the same phrase in two intents.  "
	    "Warnings: fewer\n"
	    "       than %d phrases, duplicates, near-duplicates, unknown "
	    "files,\n"
	    "       missing core intents.\n"
	    "test   scores FILE (default " DEFAULT_TESTSET "; lines "
	    "\"intent<TAB>message\")\n"
	    "       against the model of DIR (default " DEFAULT_INTENTS "): "
	    "precision,\n"
	    "       recall, F1 per intent, macro-F1, accuracy, confusion "
	    "matrix.\n"
	    "       A topic label is scored as a topic; every other label "
	    "against the\n"
	    "       core intent (a topic answer to a plain vraag counts as "
	    "vraag).\n"
	    "       A second table scores core intents only (topics as "
	    "vraag).\n"
	    "  --cross-validate K  score K-fold cross-validation over the "
	    "phrase files\n"
	    "  --min-macro-f1 X    exit 1 when macro-F1 is below X\n"
	    "  --errors            list every wrong message\n",
	    INTENT_TINY);
}

static void
print_finding(void *arg, int error, const char *file, int line,
    const char *msg)
{
	(void)arg;
	printf("%s:%d: %s: %s\n", file, line, error ? "error" : "warning",
	    msg);
}

static int
cmd_check(int argc, char **argv)
{
	const char *dir = NULL, *config = NULL, *db = NULL;
	char path[PATH_MAX];
	int i, rc, errors, warnings;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if ((rc = cli_opt(argc, argv, &i, "--config", &config)) != 0 ||
		    (rc = cli_opt(argc, argv, &i, "--db", &db)) != 0) {
			if (rc == -1)
				return 2;
			continue;
		}
		if (argv[i][0] == '-' || dir != NULL) {
			usage(stderr);
			return 2;
		}
		dir = argv[i];
	}
	if (cmd_intents_dir(dir, config, db, path, sizeof(path)) == -1)
		return 1;
	if ((errors = intent_check(path, print_finding, NULL, &warnings)) ==
	    -1) {
		fprintf(stderr, "loket intents check: out of memory\n");
		return 1;
	}
	printf("%d error%s, %d warning%s\n", errors, errors == 1 ? "" : "s",
	    warnings, warnings == 1 ? "" : "s");
	return errors ? 1 : 0;
}

/* --cross-validate K and --min-macro-f1 X: 1 taken, 0 not, -1 bad. */
static int
number_opt(int argc, char **argv, int *i, struct test_opts *o)
{
	const char *v;
	char *end;
	int rc;

	if ((rc = cli_opt(argc, argv, i, "--cross-validate", &v)) == 1) {
		o->folds = (int)strtol(v, &end, 10);
		return *end == '\0' && o->folds >= 2 && o->folds <= 100 ? 1 :
		    -1;
	}
	if (rc == 0 && (rc = cli_opt(argc, argv, i, "--min-macro-f1",
	    &v)) == 1) {
		o->min_f1 = strtod(v, &end);
		return *end == '\0' && v[0] != '\0' ? 1 : -1;
	}
	return rc;
}

static int
parse_test(int argc, char **argv, struct test_opts *o)
{
	const char *intents = NULL, *config = NULL, *db = NULL;
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->file = DEFAULT_TESTSET;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(argv[i], "--errors") == 0) {
			o->show_errors = 1;
			continue;
		}
		rc = number_opt(argc, argv, &i, o);
		if (rc == 0)
			rc = cli_opt(argc, argv, &i, "--intents", &intents);
		if (rc == 0)
			rc = cli_opt(argc, argv, &i, "--config", &config);
		if (rc == 0)
			rc = cli_opt(argc, argv, &i, "--db", &db);
		if (rc == -1 || (rc == 0 && argv[i][0] == '-')) {
			fprintf(stderr, "loket intents test: bad argument "
			    "'%s'\n", argv[i]);
			usage(stderr);
			return -1;
		}
		if (rc == 0)
			o->file = argv[i];
	}
	return cmd_intents_dir(intents, config, db, o->intents,
	    sizeof(o->intents));
}

/* One "label<TAB>message" line; 0 skipped, 1 scored, -1 error. */
static int
test_line(struct intent_model *m, const struct test_opts *o, char *s,
    int lineno, struct intent_eval *fine, struct intent_eval *core)
{
	struct intent_result r;
	struct signals sig;
	const char *pred;
	char *tab;
	int topic;

	if (s[0] == '\0' || s[0] == '#')
		return 0;
	if ((tab = strchr(s, '\t')) == NULL) {
		fprintf(stderr, "%s:%d: error: no TAB between intent and "
		    "message\n", o->file, lineno);
		return -1;
	}
	*tab = '\0';
	if (!intent_is_known(m, s))
		fprintf(stderr, "%s:%d: warning: '%s' is no intent or topic "
		    "of %s\n", o->file, lineno, s, o->intents);
	/* Scored as the dialog sees it: the classifier, then the signals
	 * (a message that calls itself a klacht is klacht). */
	if (intent_classify(m, tab + 1, &r) == -1)
		return -1;
	signals_read(tab + 1, &r, NULL, 0, &sig);
	signals_decide(&sig, &r);
	topic = intent_is_topic(m, s);
	pred = intent_scored_label(&r, topic);
	if (intent_eval_add(fine, s, pred) == -1 || intent_eval_add(core,
	    topic ? "vraag" : s, r.intent) == -1)
		return -1;
	if (o->show_errors && strcmp(s, pred) != 0)
		printf("%s:%d: expected %s, got %s (%.2f; then %s %.2f): %s\n",
		    o->file, lineno, s, pred, r.confidence, r.second,
		    r.second_confidence, tab + 1);
	return 1;
}

static void
print_miss(void *arg, const char *file, int line, const char *phrase,
    const char *gold, const struct intent_result *r)
{
	(void)arg;
	printf("%s:%d: expected %s, got %s (%.2f; then %s %.2f): %s\n", file,
	    line, gold, r->topic[0] ? r->topic : r->intent, r->confidence,
	    r->second, r->second_confidence, phrase);
}

int
cmd_intents_score(struct intent_model *m, const char *dir, const char *file,
    int show_errors, struct intent_eval *fine, struct intent_eval *core)
{
	struct test_opts o;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int lineno = 0, rv = 0;

	memset(&o, 0, sizeof(o));
	o.file = file;
	snprintf(o.intents, sizeof(o.intents), "%s", dir);
	o.show_errors = show_errors;
	if ((f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "loket intents: %s:0: cannot open\n", file);
		return -1;
	}
	while (rv == 0 && (n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (test_line(m, &o, line, lineno, fine, core) == -1)
			rv = -1;
	}
	free(line);
	fclose(f);
	return rv;
}

static int
score_file(const struct test_opts *o, struct intent_eval *fine,
    struct intent_eval *core)
{
	struct intent_model *m;
	char err[512];
	int rv;

	if ((m = intent_load(o->intents, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket intents test: %s\n", err);
		return -1;
	}
	rv = cmd_intents_score(m, o->intents, o->file, o->show_errors, fine,
	    core);
	intent_free(m);
	return rv;
}

static int
cmd_test(int argc, char **argv)
{
	struct intent_eval *fine, *core;
	struct test_opts o;
	char err[512];
	double f1;
	int rv = 1;

	if (parse_test(argc, argv, &o) == -1)
		return 2;
	fine = intent_eval_new();
	core = intent_eval_new();
	if (fine == NULL || core == NULL)
		goto out;
	if (o.folds > 0) {
		if (intent_crossval(o.intents, o.folds, fine, core,
		    o.show_errors ? print_miss : NULL, NULL, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "loket intents test: %s\n", err);
			goto out;
		}
		printf("%d-fold cross-validation over %s\n\n", o.folds,
		    o.intents);
	} else {
		if (score_file(&o, fine, core) == -1)
			goto out;
		printf("%s scored against %s\n\n", o.file, o.intents);
	}
	intent_eval_print(fine, stdout);
	printf("\ncore intents only (topics as vraag): accuracy %.3f  "
	    "macro-F1 %.3f\n", intent_eval_accuracy(core),
	    intent_eval_macro_f1(core));
	f1 = intent_eval_macro_f1(fine);
	rv = 0;
	if (f1 < o.min_f1) {
		printf("FAIL: macro-F1 %.3f below %.3f\n", f1, o.min_f1);
		rv = 1;
	}
out:
	intent_eval_free(fine);
	intent_eval_free(core);
	return rv;
}

int
cmd_intents(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return cmd_test(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "review") == 0)
		return cmd_intents_review(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
