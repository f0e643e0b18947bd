/*
 * config_parse.c — reads `key = value` lines into struct config.
 * A `#` starts a comment only at the beginning of a line (values such as
 * URLs may contain it).  `[agency ID]` opens an agency section; keys
 * before the first section are global.  Keys are looked up in one table
 * per section; unknown keys, bad values and repeated agencies are errors
 * naming the file and line.
 */
#include "config_parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum key_type {
	K_STR, K_INT, K_BOOL, K_LIST, K_POLICY, K_DURATION, K_DAYS,
	K_HOURS, K_LANGS, K_PATTERNS, K_DATES, K_PHONE_STYLE
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	long		 min, max;	/* K_INT bounds */
};

#define G(n, t, f, lo, hi) { n, t, offsetof(struct config, f), lo, hi }
#define A(n, t, f, lo, hi) { n, t, offsetof(struct agency, f), lo, hi }

static const struct key global_keys[] = {
	G("port", K_INT, port, 0, 65535),
	G("listen", K_STR, listen_addr, 0, 0),
	G("db", K_STR, db_path, 0, 0),
	G("app_secret", K_STR, app_secret, 0, 0),
	G("verify_token", K_STR, verify_token, 0, 0),
	G("access_token", K_STR, access_token, 0, 0),
	G("graph_url", K_STR, graph_url, 0, 0),
	G("intents", K_STR, intents_dir, 0, 0),
	G("locales", K_STR, locales_dir, 0, 0),
	G("console", K_STR, console_dir, 0, 0),
	G("default_agency", K_STR, default_agency, 0, 0),
	G("metrics_token", K_STR, metrics_token, 0, 0),
	G("retention", K_DAYS, retention_days, 0, 36500),
	G("secure_cookies", K_BOOL, secure_cookies, 0, 0),
	G("media_max_mb", K_INT, media_max_mb, 1, 100),
	{ NULL, 0, 0, 0, 0 }
};

static const struct key agency_keys[] = {
	A("name", K_STR, name, 0, 0),
	A("name.nl", K_STR, name_nl, 0, 0),
	A("name.fr", K_STR, name_fr, 0, 0),
	A("name.en", K_STR, name_en, 0, 0),
	A("privacy_url", K_STR, privacy_url, 0, 0),
	A("phone_format", K_PHONE_STYLE, phone_intl, 0, 0),
	A("case_prefix", K_STR, case_prefix, 0, 0),
	A("policy", K_POLICY, policy, 0, 0),
	A("whatsapp_phone_number_id", K_LIST, wa_phone_ids, 0, 0),
	A("messenger_page_id", K_LIST, page_ids, 0, 0),
	A("complaint_url", K_STR, complaint_url, 0, 0),
	A("coordinator_email", K_STR, coordinator_email, 0, 0),
	A("coordinator_phone", K_STR, coordinator_phone, 0, 0),
	A("dossier_email", K_STR, dossier_email, 0, 0),
	A("dossier_pattern", K_PATTERNS, dossier_patterns, 0, 0),
	A("phone", K_STR, phone, 0, 0),
	A("email", K_STR, email, 0, 0),
	A("website", K_STR, website, 0, 0),
	A("hours.mon", K_HOURS, hours[0], 0, 0),
	A("hours.tue", K_HOURS, hours[1], 0, 0),
	A("hours.wed", K_HOURS, hours[2], 0, 0),
	A("hours.thu", K_HOURS, hours[3], 0, 0),
	A("hours.fri", K_HOURS, hours[4], 0, 0),
	A("hours.sat", K_HOURS, hours[5], 0, 0),
	A("hours.sun", K_HOURS, hours[6], 0, 0),
	A("holidays", K_DATES, holidays, 0, 0),
	A("languages", K_LANGS, languages, 0, 0),
	A("timeout", K_DURATION, timeout_secs, 60, 0),
	A("handling_term", K_DAYS, handling_term_days, 1, 3650),
	A("access_token", K_STR, access_token, 0, 0),
	A("page_token", K_STR, page_token, 0, 0),
	A("page_inbox_handover", K_BOOL, page_inbox_handover, 0, 0),
	A("messenger_app_id", K_STR, messenger_app_id, 0, 0),
	A("wa_template", K_STR, wa_template, 0, 0),
	A("wa_template_lang", K_STR, wa_template_lang, 0, 0),
	A("rate_limit", K_INT, rate_per_sec, 1, 1000),
	{ NULL, 0, 0, 0, 0 }
};

struct parse {
	struct config	*cfg;
	struct agency	*agency;	/* current section, or NULL */
	const char	*where;
	int		 line;
	int		 section_line;	/* line of the current [agency] */
	int		 default_line;	/* line of default_agency, or 0 */
	char		*err;
	size_t		 errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static int
fail(struct parse *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->where, p->line, msg);
	return -1;
}

static int
strlist_add(struct strlist *l, const char *s, size_t len)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	l->v = v;
	if ((v[l->n] = strndup(s, len)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* Splits on blanks and commas; calls fn for every word. */
static int
each_word(struct parse *p, const char *val,
    int (*fn)(struct parse *, const char *, size_t, void *), void *arg)
{
	const char *s = val, *e;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			return 0;
		for (e = s; *e && *e != ' ' && *e != '\t' && *e != ','; e++)
			;
		if (fn(p, s, (size_t)(e - s), arg) == -1)
			return -1;
		s = e;
	}
}

static int
add_word(struct parse *p, const char *w, size_t n, void *arg)
{
	if (strlist_add(arg, w, n) == -1)
		return fail(p, "%s", "out of memory");
	return 0;
}

static int
add_date(struct parse *p, const char *w, size_t n, void *arg)
{
	int y, m, d;
	char tmp[16];

	if (n != 10)
		return fail(p, "holiday '%.*s' is not YYYY-MM-DD", (int)n, w);
	memcpy(tmp, w, n);
	tmp[n] = '\0';
	if (sscanf(tmp, "%4d-%2d-%2d", &y, &m, &d) != 3 || tmp[4] != '-' ||
	    tmp[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31)
		return fail(p, "holiday '%s' is not YYYY-MM-DD", tmp);
	return add_word(p, w, n, arg);
}

static int
add_lang(struct parse *p, const char *w, size_t n, void *arg)
{
	int *langs = arg, flag = 0;
	char code[3];

	if (n == 2) {
		memcpy(code, w, 2);
		code[2] = '\0';
		flag = config_lang_flag(code);
	}
	if (flag == 0)
		return fail(p, "%s", "languages: use nl, fr and en");
	*langs |= flag;
	return 0;
}

static int
parse_hhmm(const char *s, int *minutes)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	*minutes = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 +
	    (s[3] - '0') * 10 + (s[4] - '0');
	return *minutes <= 24 * 60 && (s[3] - '0') < 6 ? 0 : -1;
}

static int
add_range(struct parse *p, const char *w, size_t n, void *arg)
{
	struct day_hours *h = arg;
	int open, close;

	if (n == 6 && strncmp(w, "closed", 6) == 0)
		return 0;
	if (n != 11 || w[5] != '-' || parse_hhmm(w, &open) == -1 ||
	    parse_hhmm(w + 6, &close) == -1 || close <= open)
		return fail(p, "%s", "hours: use ranges like 09:00-12:00");
	if (h->n == CONFIG_MAX_RANGES)
		return fail(p, "%s", "hours: at most 4 ranges a day");
	h->open[h->n] = open;
	h->close[h->n] = close;
	h->n++;
	return 0;
}

#define PATTERN_MAX	256	/* bytes of a dossier_pattern */
#define PATTERN_GROWTH	100000	/* product of its repetition factors */

/* Past a bracket expression starting at s ('['), classes included. */
static const char *
skip_bracket(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')
		s++;
	for (; *s != '\0' && *s != ']'; s++)
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			const char *e = strchr(s + 2, s[1]);

			if (e == NULL || e[1] != ']')
				return s + strlen(s);
			s = e + 1;
		}
	return *s ? s + 1 : s;
}

/*
 * Why pattern could make glibc's regcomp() blow up, or NULL.  It copies
 * the tree under every repetition ("a{50}" is 50 copies, "a+" is "aa*"),
 * so nested ones multiply: a 1 KB pattern of stacked "+" took 2 GB (found
 * by fuzz_config).  Bounded: the length, repetitions of repetitions, and
 * the product of all repetition factors.
 */
static const char *
pattern_problem(const char *re)
{
	double growth = 1;
	long lo, hi;
	char *end;
	int quant = 0;

	if (strlen(re) > PATTERN_MAX)
		return "longer than 256 characters";
	while (*re != '\0') {
		if (*re == '[') {
			re = skip_bracket(re);
			quant = 0;
			continue;
		}
		if (*re == '\\') {
			re += re[1] ? 2 : 1;
			quant = 0;
			continue;
		}
		if (*re == '*' || *re == '+' || *re == '?' || *re == '{') {
			if (quant)
				return "a repetition of a repetition";
			quant = 1;
			if (*re == '+')
				growth *= 2;
			if (*re++ != '{')
				continue;
			lo = strtol(re, &end, 10);
			hi = *end == ',' ? strtol(end + 1, &end, 10) : lo;
			if (*end != '}' || lo > 100 || hi > 100)
				return "a repetition count over 100";
			growth *= (double)(hi > 1 ? hi : 1);
			re = end + 1;
			continue;
		}
		quant = 0;
		re++;
	}
	return growth > PATTERN_GROWTH ? "too many nested repetitions" : NULL;
}

/* Compiled once here: matching runs for every message of a citizen. */
static int
add_pattern(struct parse *p, const char *val, struct strlist *l)
{
	regex_t *all;
	const char *why;
	int rc;

	if ((why = pattern_problem(val)) != NULL)
		return fail(p, "dossier_pattern: %s", why);
	if ((all = realloc(l->compiled, (l->n + 1) * sizeof(regex_t))) == NULL)
		return fail(p, "%s", "out of memory");
	l->compiled = all;
	if ((rc = regcomp(&all[l->n], val, REG_EXTENDED | REG_ICASE)) != 0) {
		char msg[128];

		regerror(rc, &all[l->n], msg, sizeof(msg));
		return fail(p, "dossier_pattern: %s", msg);
	}
	if (all[l->n].re_nsub < 1) {
		regfree(&all[l->n]);
		return fail(p, "%s", "dossier_pattern needs a (group) around "
		    "the number");
	}
	if (add_word(p, val, strlen(val), l) == -1) {
		regfree(&all[l->n]);
		return -1;
	}
	return 0;
}

static int
set_int(struct parse *p, const struct key *k, const char *val, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end != '\0' || v < k->min ||
	    (k->max && v > k->max))
		return fail(p, "%s: number out of range", k->name);
	*out = v;
	return 0;
}

static int
set_value(struct parse *p, const struct key *k, void *base, const char *val)
{
	void *f = (char *)base + k->offset;
	long v = 0, secs;

	switch (k->type) {
	case K_STR:
		free(*(char **)f);
		if ((*(char **)f = strdup(val)) == NULL)
			return fail(p, "%s", "out of memory");
		return 0;
	case K_INT:
		if (set_int(p, k, val, &v) == -1)
			return -1;
		*(int *)f = (int)v;
		return 0;
	case K_BOOL:
		if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0 ||
		    strcmp(val, "1") == 0)
			*(int *)f = 1;
		else if (strcmp(val, "no") == 0 ||
		    strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
			*(int *)f = 0;
		else
			return fail(p, "%s: use yes or no", k->name);
		return 0;
	case K_LIST:
		return each_word(p, val, add_word, f);
	case K_DATES:
		return each_word(p, val, add_date, f);
	case K_PATTERNS:
		return add_pattern(p, val, f);
	case K_LANGS:
		*(int *)f = LANG_NL;
		return each_word(p, val, add_lang, f);
	case K_HOURS:
		memset(f, 0, sizeof(struct day_hours));
		return each_word(p, val, add_range, f);
	case K_POLICY:
		if (strcmp(val, "case") == 0)
			*(enum policy *)f = POLICY_CASE;
		else if (strcmp(val, "redirect") == 0)
			*(enum policy *)f = POLICY_REDIRECT;
		else
			return fail(p, "%s", "policy: use case or redirect");
		return 0;
	case K_PHONE_STYLE:
		if (strcmp(val, "national") == 0)
			*(int *)f = 0;
		else if (strcmp(val, "international") == 0)
			*(int *)f = 1;
		else
			return fail(p, "%s: use national or international",
			    k->name);
		return 0;
	case K_DURATION:
		if ((secs = config_parse_duration(val)) < k->min)
			return fail(p, "%s: use a duration like 24h or 30m",
			    k->name);
		*(long *)f = secs;
		return 0;
	case K_DAYS:
		secs = config_parse_duration(val);
		/* A bare number means days here; a huge one is no term (the
		 * fuzzer found the overflow). */
		if (secs >= 0 && strchr("smhd", val[strlen(val) - 1]) == NULL)
			secs = secs > LONG_MAX / 86400 ? -1 : secs * 86400;
		if (secs < 0 || secs % 86400 != 0 || secs / 86400 < k->min ||
		    (k->max && secs / 86400 > k->max))
			return fail(p, "%s: use a number of days like 45d",
			    k->name);
		*(int *)f = (int)(secs / 86400);
		return 0;
	}
	return fail(p, "%s", "internal: unknown key type");
}

static int
open_agency(struct parse *p, const char *id)
{
	struct config *cfg = p->cfg;
	struct agency *a;
	const char *c;

	if (*id == '\0' || strlen(id) > 32)
		return fail(p, "%s", "agency id: 1 to 32 characters");
	for (c = id; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c)
		    && *c != '_' && *c != '-')
			return fail(p, "agency id '%s': use a-z, 0-9, - and _",
			    id);
	if (config_agency(cfg, id) != NULL)
		return fail(p, "agency '%s' is defined twice", id);
	a = realloc(cfg->agencies, (cfg->n_agencies + 1) * sizeof(*a));
	if (a == NULL)
		return fail(p, "%s", "out of memory");
	cfg->agencies = a;
	if (config_agency_defaults(&a[cfg->n_agencies]) == -1 ||
	    (a[cfg->n_agencies].id = strdup(id)) == NULL) {
		free(a[cfg->n_agencies].wa_template_lang);
		return fail(p, "%s", "out of memory");
	}
	p->agency = &a[cfg->n_agencies++];
	p->section_line = p->line;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Checks the section that ends here; the error names its [agency] line. */
static int
close_section(struct parse *p)
{
	if (p->agency == NULL || p->agency->name != NULL)
		return 0;
	p->line = p->section_line;
	return fail(p, "agency '%s' has no name", p->agency->id);
}

static int
parse_section(struct parse *p, char *s)
{
	char *end = strchr(s, ']');

	if (close_section(p) == -1)
		return -1;
	if (end == NULL || trim(end + 1)[0] != '\0')
		return fail(p, "%s", "section: use [agency ID]");
	*end = '\0';
	s = trim(s + 1);
	if (strncmp(s, "agency", 6) != 0 || (s[6] != ' ' && s[6] != '\t'))
		return fail(p, "unknown section [%s]: use [agency ID]", s);
	return open_agency(p, trim(s + 6));
}

static int
parse_line(struct parse *p, char *s)
{
	const struct key *k, *table;
	char *eq, *key, *val;
	void *base;

	s = trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[')
		return parse_section(p, s);
	if ((eq = strchr(s, '=')) == NULL)
		return fail(p, "%s", "expected key = value");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*val == '\0')
		return fail(p, "%s: empty value", key);
	table = p->agency ? agency_keys : global_keys;
	base = p->agency ? (void *)p->agency : (void *)p->cfg;
	if (table == global_keys && strcmp(key, "default_agency") == 0)
		p->default_line = p->line;
	for (k = table; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return set_value(p, k, base, val);
	return fail(p, "unknown %skey '%s'", p->agency ? "agency " : "", key);
}

int
config_parse_text(struct config *cfg, const char *where, const char *text,
    size_t len, char *err, size_t errlen)
{
	struct parse p = { cfg, NULL, where, 0, 0, 0, err, errlen };
	const char *s = text, *end = text + len, *nl;
	char line[4096];
	size_t n;

	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = (size_t)((nl ? nl : end) - s);
		if (memchr(s, '\0', n) != NULL)
			return fail(&p, "%s", "NUL byte in line");
		if (n >= sizeof(line))
			return fail(&p, "%s", "line longer than 4095 bytes");
		memcpy(line, s, n);
		line[n] = '\0';
		if (parse_line(&p, line) == -1)
			return -1;
		s = nl ? nl + 1 : end;
	}
	if (close_section(&p) == -1)
		return -1;
	if (cfg->n_agencies == 0)
		return fail(&p, "%s", "no [agency ID] section: a configuration "
		    "needs at least one agency (empty or truncated file?)");
	if (cfg->default_agency != NULL &&
	    config_agency(cfg, cfg->default_agency) == NULL) {
		p.line = p.default_line;
		return fail(&p, "default_agency '%s' is not defined",
		    cfg->default_agency);
	}
	return 0;
}
