/*
 * cmd_review_apply.c — safe to apply: a phrase from the review goes into
 * a copy of the phrase directory first; the copy is checked (`intents
 * check`) and the held-out files are scored against the old and the new
 * set (`intents test`); the change in macro-F1 and per class is shown,
 * and only then is the real file written (replaced by rename, so a
 * running server reading it on SIGHUP never sees half a file).  Command
 * line only.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "intent.h"

#define TESTS_MAX	8
#define FILE_MAX	(8u << 20)	/* a phrase file, bytes */
#define DEPTH_MAX	3
#define EPS		1e-9

static int
copy_file(const char *from, const char *to)
{
	struct buf b;
	FILE *f;
	int rc = -1;

	buf_init(&b, FILE_MAX);
	if (buf_read_file(&b, from) == 0 && (f = fopen(to, "w")) != NULL) {
		rc = b.len == 0 || fwrite(b.data, 1, b.len, f) == b.len ? 0 :
		    -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	buf_free(&b);
	return rc;
}

/* Copies the regular files and directories of from into to (made). */
static int
copy_tree(const char *from, const char *to, int depth)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct dirent *d;
	struct stat sb;
	DIR *dp;
	int rc = 0;

	if (depth > DEPTH_MAX || (mkdir(to, 0700) == -1 && errno != EEXIST) ||
	    (dp = opendir(from)) == NULL)
		return -1;
	while (rc == 0 && (d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(a, sizeof(a), "%s/%s", from, d->d_name) >=
		    sizeof(a) || (size_t)snprintf(b, sizeof(b), "%s/%s", to,
		    d->d_name) >= sizeof(b) || stat(a, &sb) == -1)
			rc = -1;
		else if (S_ISDIR(sb.st_mode))
			rc = copy_tree(a, b, depth + 1);
		else if (S_ISREG(sb.st_mode))
			rc = copy_file(a, b);
	}
	closedir(dp);
	return rc;
}

static void
remove_tree(const char *dir, int depth)
{
	char p[PATH_MAX];
	struct dirent *d;
	struct stat sb;
	DIR *dp;

	if (depth > DEPTH_MAX || (dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, d->d_name) >=
		    sizeof(p) || lstat(p, &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode))
			remove_tree(p, depth + 1);
		else
			unlink(p);
	}
	closedir(dp);
	rmdir(dir);
}

/* Appends line to path (created when missing); in place when direct is
 * 0 (a pending file), else through path.new and a rename. */
static int
append_line(const char *path, const char *line, int direct)
{
	char tmp[PATH_MAX];
	struct buf b;
	struct stat sb;
	FILE *f;
	int rc = -1;

	buf_init(&b, FILE_MAX);
	if (buf_read_file(&b, path) == -1 && errno != ENOENT) {
		buf_free(&b);
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) < sizeof(tmp) &&
	    (f = fopen(direct ? tmp : path, direct ? "w" : "a")) != NULL) {
		rc = 0;
		if (direct && b.len > 0 && fwrite(b.data, 1, b.len, f) != b.len)
			rc = -1;
		if (b.len > 0 && b.data[b.len - 1] != '\n' && fputc('\n', f) ==
		    EOF)
			rc = -1;
		if (fprintf(f, "%s\n", line) < 0)
			rc = -1;
		if (fclose(f) != 0)
			rc = -1;
		if (direct && rc == 0 && stat(path, &sb) == 0)
			chmod(tmp, sb.st_mode & 07777);
		if (direct && rc == 0 && rename(tmp, path) == -1)
			rc = -1;
		if (direct && rc == -1)
			unlink(tmp);
	}
	buf_free(&b);
	return rc;
}

/* ---- checking and scoring --------------------------------------------- */

static void
print_error(void *arg, int error, const char *file, int line,
    const char *msg)
{
	const char *base = arg;

	if (error)
		printf("  %s:%d: error: %s\n", file + strlen(base), line, msg);
}

/* Scores each test file against the set in dir; ev[i] filled. */
static int
score_all(const char *dir, const char *const *tests, int n,
    struct intent_eval **ev)
{
	struct intent_model *m;
	struct intent_eval *core;
	char err[512];
	int i, rc = 0;

	if ((m = intent_load(dir, err, sizeof(err))) == NULL) {
		printf("  the set does not load: %s\n", err);
		return -1;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		core = intent_eval_new();
		if ((ev[i] = intent_eval_new()) == NULL || core == NULL ||
		    cmd_intents_score(m, dir, tests[i], 0, ev[i], core) == -1)
			rc = -1;
		intent_eval_free(core);
	}
	intent_free(m);
	return rc;
}

/* Prints the change per test file and class; 1 when a macro-F1 drops. */
static int
compare(const char *const *tests, int n, struct intent_eval **before,
    struct intent_eval **after)
{
	const char *l;
	double a, b;
	int i, j, sa, sb, worse = 0;

	for (i = 0; i < n; i++) {
		b = intent_eval_macro_f1(before[i]);
		a = intent_eval_macro_f1(after[i]);
		printf("%s: macro-F1 %.4f -> %.4f (%+.4f)\n", tests[i], b, a,
		    a - b);
		if (a < b - EPS)
			worse = 1;
		for (j = 0; (l = intent_eval_label(after[i], j)) != NULL;
		    j++) {
			a = intent_eval_f1(after[i], l, &sa);
			b = intent_eval_f1(before[i], l, &sb);
			if (fabs(a - b) > EPS && (sa > 0 || sb > 0))
				printf("  %-24s F1 %.4f -> %.4f (%+.4f)\n", l,
				    b, a, a - b);
		}
	}
	return worse;
}

/* The phrase file of intent (a topic lives in onderwerpen/). */
static int
phrase_path(const char *dir, const char *intent, int topic, char *out,
    size_t outlen)
{
	return (size_t)snprintf(out, outlen, "%s/%s%s.txt", dir,
	    topic ? "onderwerpen/" : "", intent) < outlen ? 0 : -1;
}

/* intent must be an intent or topic of the set now. */
static int
known_intent(const char *dir, const char *intent, int *topic)
{
	struct intent_model *m;
	char err[512];
	int ok;

	if ((m = intent_load(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket intents review: %s\n", err);
		return -1;
	}
	ok = strcmp(intent, "onbekend") != 0 && intent_is_known(m, intent);
	*topic = intent_is_topic(m, intent);
	intent_free(m);
	if (!ok)
		fprintf(stderr, "loket intents review: %s is no intent or "
		    "topic of %s (a new one starts as a file %s/%s.txt)\n",
		    intent, dir, dir, intent);
	return ok ? 0 : -1;
}

/* Writes phrase into the copy at tmp, checks and scores it. */
static int
try_copy(const char *tmp, const char *intent, int topic, const char *phrase,
    const char *const *tests, int ntests, struct intent_eval **after)
{
	char path[PATH_MAX];
	int errors, warnings;

	if (phrase_path(tmp, intent, topic, path, sizeof(path)) == -1 ||
	    append_line(path, phrase, 1) == -1) {
		fprintf(stderr, "loket intents review: cannot write the "
		    "trial copy in %s\n", tmp);
		return -1;
	}
	errors = intent_check(tmp, print_error, (void *)tmp, &warnings);
	if (errors != 0) {
		printf("refused: `intents check` finds %d error%s with the "
		    "phrase\n", errors, errors == 1 ? "" : "s");
		return -1;
	}
	return score_all(tmp, tests, ntests, after);
}

int
cmd_review_apply(const char *dir, const char *intent, const char *phrase,
    const char *const *tests, int ntests, int pending, int force)
{
	struct intent_eval *before[TESTS_MAX] = { 0 }, *after[TESTS_MAX] = { 0 };
	char tmp[PATH_MAX], path[PATH_MAX], pend[PATH_MAX];
	const char *td = getenv("TMPDIR");
	int i, rc = 1, topic, worse;

	if (ntests > TESTS_MAX || known_intent(dir, intent, &topic) == -1)
		return 1;
	snprintf(tmp, sizeof(tmp), "%s/loket-review-XXXXXX",
	    td != NULL && *td ? td : "/tmp");
	if (mkdtemp(tmp) == NULL || copy_tree(dir, tmp, 0) == -1) {
		fprintf(stderr, "loket intents review: cannot copy %s to a "
		    "temporary directory: %s\n", dir, strerror(errno));
		goto out;
	}
	printf("phrase for %s: %s\n", intent, phrase);
	if (score_all(dir, tests, ntests, before) == -1 ||
	    try_copy(tmp, intent, topic, phrase, tests, ntests, after) == -1)
		goto out;
	worse = compare(tests, ntests, before, after);
	if (worse && !force) {
		printf("refused: a held-out macro-F1 drops; --force applies "
		    "it anyway\n");
		goto out;
	}
	if (phrase_path(dir, intent, topic, path, sizeof(path)) == -1 ||
	    (size_t)snprintf(pend, sizeof(pend), "%s.pending", path) >=
	    sizeof(pend) || append_line(pending ? pend : path, phrase,
	    !pending) == -1) {
		fprintf(stderr, "loket intents review: cannot write %s: %s\n",
		    pending ? pend : path, strerror(errno));
		goto out;
	}
	printf("written to %s%s\n", pending ? pend : path, pending ?
	    " (pending: move it into the phrase file to use it)" :
	    "; reload the server to use it (systemctl reload loket, SIGHUP)");
	rc = 0;
out:
	for (i = 0; i < TESTS_MAX; i++) {
		intent_eval_free(before[i]);
		intent_eval_free(after[i]);
	}
	if (strstr(tmp, "XXXXXX") == NULL)
		remove_tree(tmp, 0);
	return rc;
}
