/*
 * intent_corpus.c — reads a phrase directory: DIR/<id>.txt for the core
 * intents, DIR/onderwerpen/<id>.txt for topics.  One phrase per line,
 * '#' starts a comment line, blank lines are skipped, UTF-8 only.
 * Every problem goes to a report callback so `loket intents check` can
 * list them all while intent_load() stops at the first error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "intent_int.h"
#include "utf8.h"

static const char *const core_ids[] = {
	"klacht", "ongenoegen", "vraag", "suggestie", "begroeting",
	"bedankt", "medewerker", "scheldwoorden", "ja", "nee", "stop",
};

struct reader {
	struct corpus	*c;
	corpus_report_fn *report;
	void		*arg;
	int		 errors;
};

int
intent_is_core_id(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(core_ids) / sizeof(core_ids[0]); i++)
		if (strcmp(id, core_ids[i]) == 0)
			return 1;
	return 0;
}

static void
problem(struct reader *r, int sev, const char *file, int line,
    const char *fmt, ...) __attribute__((__format__(printf, 5, 6)));

static void
problem(struct reader *r, int sev, const char *file, int line,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sev == CORPUS_ERR)
		r->errors++;
	r->report(r->arg, sev, file, line, msg);
}

const char *
intent_corpus_phrase(const struct corpus *c, size_t i)
{
	return c->text.data + c->ph[i].text;
}

void
intent_corpus_free(struct corpus *c)
{
	int i;

	for (i = 0; i < c->ncls; i++)
		free(c->cls[i].path);
	free(c->cls);
	free(c->ph);
	buf_free(&c->text);
	memset(c, 0, sizeof(*c));
}

/* An id is what authors see in reports and logs: keep it plain. */
static int
valid_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= INTENT_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p;

	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int
add_phrase(struct reader *r, int cls, int line, const char *s, size_t n)
{
	struct corpus *c = r->c;
	struct phrase *p;
	size_t cap;

	if (c->nph == c->capph) {
		cap = c->capph ? c->capph * 2 : 256;
		if ((p = realloc(c->ph, cap * sizeof(*p))) == NULL)
			return -1;
		c->ph = p;
		c->capph = cap;
	}
	p = &c->ph[c->nph++];
	p->text = c->text.len;
	p->cls = cls;
	p->line = line;
	if (buf_append(&c->text, s, n) == -1 || buf_putc(&c->text, '\0') ==
	    -1)
		return -1;
	c->cls[cls].nphrases++;
	return 0;
}

static int
read_line(struct reader *r, int cls, const char *path, int lineno,
    const char *s, size_t n)
{
	long bad;

	if ((bad = utf8_check(s, n)) >= 0) {
		problem(r, CORPUS_ERR, path, lineno,
		    "invalid UTF-8 at byte %ld of the line", bad + 1);
		return 0;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 0 || *s == '#')
		return 0;
	if (n > INTENT_LINE_MAX) {
		problem(r, CORPUS_ERR, path, lineno,
		    "phrase longer than %d bytes", INTENT_LINE_MAX);
		return 0;
	}
	return add_phrase(r, cls, lineno, s, n);
}

static int
read_file(struct reader *r, int cls, const char *path)
{
	struct buf b;
	size_t i, start;
	int line = 1;

	buf_init(&b, INTENT_FILE_MAX);
	if (buf_read_file(&b, path) == -1) {
		if (errno == EFBIG)
			problem(r, CORPUS_ERR, path, 0, "larger than %u bytes",
			    INTENT_FILE_MAX);
		else
			problem(r, CORPUS_ERR, path, 0, "cannot open: %s",
			    strerror(errno));
		return 0;
	}
	if (b.len >= 3 && memcmp(b.data, "\xef\xbb\xbf", 3) == 0)
		memset(b.data, ' ', 3);	/* a BOM from Notepad */
	for (i = start = 0; i <= b.len; i++) {
		if (i < b.len && b.data[i] != '\n')
			continue;
		if (read_line(r, cls, path, line++, b.data + start,
		    i - start) == -1) {
			buf_free(&b);
			return -1;
		}
		start = i + 1;
	}
	buf_free(&b);
	if (r->c->cls[cls].nphrases == 0)
		problem(r, CORPUS_ERR, path, 0, "no phrases");
	return 0;
}

static int
find_class(const struct corpus *c, const char *id)
{
	int i;

	for (i = 0; i < c->ncls; i++)
		if (strcmp(c->cls[i].id, id) == 0)
			return i;
	return -1;
}

static int
add_class(struct reader *r, const char *dir, const char *name, int topic)
{
	struct corpus *c = r->c;
	struct intent_class *k;
	size_t n = strlen(name) - 4;
	char *path;
	int i;

	if ((path = join(dir, name)) == NULL)
		return -1;
	if (!valid_id(name, n)) {
		problem(r, CORPUS_ERR, path, 0, "file name is not a valid "
		    "intent id (a-z, 0-9, '-', '_', under %d characters)",
		    INTENT_ID_MAX);
		free(path);
		return 0;
	}
	if (c->ncls == INTENT_CLASSES_MAX) {
		problem(r, CORPUS_ERR, path, 0, "more than %d intents",
		    INTENT_CLASSES_MAX);
		free(path);
		return 0;
	}
	i = c->ncls++;
	k = &c->cls[i];
	memset(k, 0, sizeof(*k));
	memcpy(k->id, name, n);
	k->path = path;
	k->topic = topic;
	if (topic && intent_is_core_id(k->id))
		problem(r, CORPUS_ERR, path, 0, "topic has a core intent id");
	else if (find_class(c, k->id) != i)
		problem(r, CORPUS_ERR, path, 0, "intent '%s' defined twice",
		    k->id);
	else if (!topic && !intent_is_core_id(k->id))
		problem(r, CORPUS_WARN, path, 0, "'%s' is not a core intent; "
		    "topics belong in " INTENT_TOPIC_DIR "/", k->id);
	return read_file(r, i, path);
}

static int
is_txt(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

static int read_dir(struct reader *, const char *, int);

static int
read_entry(struct reader *r, const char *dir, const char *name, int topic)
{
	struct stat sb;
	char *path;
	int rv = 0;

	if ((path = join(dir, name)) == NULL)
		return -1;
	if (stat(path, &sb) == -1)
		problem(r, CORPUS_ERR, path, 0, "%s", strerror(errno));
	else if (S_ISDIR(sb.st_mode) && !topic &&
	    strcmp(name, INTENT_TOPIC_DIR) == 0)
		rv = read_dir(r, path, 1);
	else if (S_ISREG(sb.st_mode) && is_txt(name))
		rv = add_class(r, dir, name, topic);
	else if (S_ISREG(sb.st_mode) && strlen(name) > 12 &&
	    strcmp(name + strlen(name) - 12, ".txt.pending") == 0)
		problem(r, CORPUS_WARN, path, 0, "phrases from `loket intents "
		    "review --pending`, not used until moved into %.*s",
		    (int)(strlen(name) - 8), name);
	else
		problem(r, CORPUS_WARN, path, 0, "unknown %s, ignored "
		    "(phrase files end in .txt%s)", S_ISDIR(sb.st_mode) ?
		    "directory" : "file", topic ? "" : "; topics go in "
		    INTENT_TOPIC_DIR "/");
	free(path);
	return rv;
}

static int
read_dir(struct reader *r, const char *dir, int topic)
{
	struct dirent **ents;
	int i, n, rv = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		problem(r, CORPUS_ERR, dir, 0, "cannot read directory: %s",
		    strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		/* Dot files are editor and VCS litter, never phrases. */
		if (rv == 0 && ents[i]->d_name[0] != '.')
			rv = read_entry(r, dir, ents[i]->d_name, topic);
		free(ents[i]);
	}
	free(ents);
	return rv;
}

/* Topics answer questions: they count as vraag in the core set. */
static void
link_cores(struct reader *r, const char *dir)
{
	struct corpus *c = r->c;
	int i, vraag = find_class(c, "vraag");

	for (i = 0; i < c->ncls; i++)
		c->cls[i].core = c->cls[i].topic ? vraag : i;
	for (i = 0; i < c->ncls; i++)
		if (c->cls[i].topic && vraag == -1) {
			problem(r, CORPUS_ERR, c->cls[i].path, 0,
			    "topics need a vraag.txt intent");
			break;
		}
	for (i = 0; i < (int)(sizeof(core_ids) / sizeof(core_ids[0])); i++)
		if (find_class(c, core_ids[i]) == -1)
			problem(r, CORPUS_WARN, dir, 0, "core intent '%s' "
			    "missing (no %s.txt)", core_ids[i], core_ids[i]);
}

int
intent_corpus_read(const char *dir, struct corpus *c, corpus_report_fn *report,
    void *arg)
{
	struct reader r = { c, report, arg, 0 };

	memset(c, 0, sizeof(*c));
	buf_init(&c->text, 64u << 20);
	if ((c->cls = calloc(INTENT_CLASSES_MAX, sizeof(*c->cls))) == NULL)
		return -1;
	if (read_dir(&r, dir, 0) == -1)
		return -1;
	if (c->ncls == 0)
		problem(&r, CORPUS_ERR, dir, 0, "no intents (no .txt files)");
	link_cores(&r, dir);
	return r.errors;
}
