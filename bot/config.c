/*
 * config.c — table-driven `key = value` parser with `[agency ID]`
 * sections (Redis standardConfig style), built-in demo defaults and the
 * LOKET_* environment overrides.  Every error names file and line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config_parse.h"
#include "phone.h"

#define DEFAULT_GRAPH_URL "https://graph.facebook.com/v24.0"

static void
strlist_free(struct strlist *l)
{
	regex_t *re = l->compiled;
	size_t i;

	for (i = 0; re != NULL && i < l->n; i++)
		regfree(&re[i]);
	free(re);
	l->compiled = NULL;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
agency_fini(struct agency *a)
{
	free(a->id);
	free(a->name);
	free(a->name_nl);
	free(a->name_fr);
	free(a->name_en);
	free(a->privacy_url);
	free(a->case_prefix);
	strlist_free(&a->wa_phone_ids);
	strlist_free(&a->page_ids);
	free(a->complaint_url);
	free(a->coordinator_email);
	free(a->coordinator_phone);
	free(a->dossier_email);
	strlist_free(&a->dossier_patterns);
	free(a->phone);
	free(a->email);
	free(a->website);
	strlist_free(&a->holidays);
	free(a->access_token);
	free(a->page_token);
	free(a->messenger_app_id);
	free(a->wa_template);
	free(a->wa_template_lang);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->listen_addr);
	free(cfg->db_path);
	free(cfg->app_secret);
	free(cfg->verify_token);
	free(cfg->access_token);
	free(cfg->graph_url);
	free(cfg->intents_dir);
	free(cfg->locales_dir);
	free(cfg->console_dir);
	free(cfg->default_agency);
	free(cfg->metrics_token);
	for (i = 0; i < cfg->n_agencies; i++)
		agency_fini(&cfg->agencies[i]);
	free(cfg->agencies);
	free(cfg);
}

/* Defaults every agency starts with before its section is read. */
int
config_agency_defaults(struct agency *a)
{
	memset(a, 0, sizeof(*a));
	a->policy = POLICY_REDIRECT;
	a->languages = LANG_NL;
	a->timeout_secs = 24 * 3600;
	a->handling_term_days = 45;
	a->rate_per_sec = 80;
	a->wa_template_lang = strdup("nl");
	return a->wa_template_lang == NULL ? -1 : 0;
}

static struct config *
config_defaults(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->port = 8080;
	cfg->media_max_mb = 16;
	cfg->listen_addr = strdup("127.0.0.1");
	cfg->db_path = strdup("loket.db");
	cfg->graph_url = strdup(DEFAULT_GRAPH_URL);
	cfg->intents_dir = strdup("intents/nl");
	cfg->locales_dir = strdup("locales");
	cfg->console_dir = strdup("console");
	if (cfg->listen_addr == NULL || cfg->db_path == NULL ||
	    cfg->graph_url == NULL || cfg->intents_dir == NULL ||
	    cfg->locales_dir == NULL || cfg->console_dir == NULL) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* The demo agency used when no --config is given. */
static int
add_demo_agency(struct config *cfg)
{
	static const char demo[] =
	    "default_agency = demo\n"
	    "[agency demo]\n"
	    "name = Demo-agentschap\n"
	    "name.nl = het Demo-agentschap\n"
	    "name.fr = l'agence de démonstration\n"
	    "name.en = the demo agency\n"
	    "privacy_url = https://www.vlaanderen.be/privacy\n"
	    "case_prefix = DEMO\n"
	    "policy = case\n"
	    "whatsapp_phone_number_id = 106540352242922\n"
	    "messenger_page_id = 109876543210987\n"
	    "complaint_url = https://www.vlaanderen.be/klachten\n"
	    "coordinator_email = klachten@demo.vlaanderen.be\n"
	    "coordinator_phone = +32 2 553 11 11\n"
	    "phone = 1700\n"
	    "email = info@demo.vlaanderen.be\n"
	    "website = https://www.vlaanderen.be\n"
	    "hours.mon = 09:00-12:00 13:00-16:00\n"
	    "hours.tue = 09:00-12:00 13:00-16:00\n"
	    "hours.wed = 09:00-12:00 13:00-16:00\n"
	    "hours.thu = 09:00-12:00 13:00-16:00\n"
	    "hours.fri = 09:00-12:00\n"
	    "languages = nl fr en\n";
	char err[256];

	return config_parse_text(cfg, "(built-in defaults)", demo,
	    strlen(demo), err, sizeof(err));
}

static int
read_file(const char *path, struct buf *out, char *err, size_t errlen)
{
	buf_init(out, 4 * 1024 * 1024);
	if (buf_read_file(out, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "larger than 4 MiB" : strerror(errno));
		return -1;
	}
	return 0;
}

static int
env_str(char **field, const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return 0;
	free(*field);
	*field = strdup(v);
	return *field ? 0 : -1;
}

/* Per-agency secrets: LOKET_ACCESS_TOKEN_VMSW, LOKET_PAGE_TOKEN_VMSW. */
static int
apply_agency_env(struct agency *a)
{
	char name[96];
	size_t i, n;

	n = (size_t)snprintf(name, sizeof(name), "LOKET_ACCESS_TOKEN_%s",
	    a->id);
	for (i = strlen("LOKET_ACCESS_TOKEN_"); i < n && i < sizeof(name);
	    i++)
		name[i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	if (env_str(&a->access_token, name) == -1)
		return -1;
	n = (size_t)snprintf(name, sizeof(name), "LOKET_PAGE_TOKEN_%s", a->id);
	for (i = strlen("LOKET_PAGE_TOKEN_"); i < n && i < sizeof(name); i++)
		name[i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	return env_str(&a->page_token, name);
}

static int
apply_env(struct config *cfg, char *err, size_t errlen)
{
	const char *port = getenv("LOKET_PORT");
	char *end;
	long v;

	if (port != NULL && *port != '\0') {
		errno = 0;
		v = strtol(port, &end, 10);
		if (errno || *end != '\0' || v < 0 || v > 65535) {
			snprintf(err, errlen, "LOKET_PORT: not a port: %s",
			    port);
			return -1;
		}
		cfg->port = (int)v;
	}
	if (env_str(&cfg->db_path, "LOKET_DB") == -1 ||
	    env_str(&cfg->app_secret, "LOKET_APP_SECRET") == -1 ||
	    env_str(&cfg->verify_token, "LOKET_VERIFY_TOKEN") == -1 ||
	    env_str(&cfg->access_token, "LOKET_ACCESS_TOKEN") == -1 ||
	    env_str(&cfg->graph_url, "LOKET_GRAPH_URL") == -1 ||
	    env_str(&cfg->metrics_token, "LOKET_METRICS_TOKEN") == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->n_agencies; i++)
		if (apply_agency_env(&cfg->agencies[i]) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	return 0;
}

/* Rewrites a phone number in the agency's one style (phone.h). */
static int
write_phone(char **field, enum phone_style style)
{
	char out[64], *dup;

	if (*field == NULL || phone_write(*field, style, out, sizeof(out))
	    == -1 || strcmp(out, *field) == 0)
		return 0;
	if ((dup = strdup(out)) == NULL)
		return -1;
	free(*field);
	*field = dup;
	return 0;
}

/*
 * Fills in what depends on other fields once everything is read.  The
 * cross-field errors (agency without name, undefined default_agency) are
 * found by config_parse_text(), which knows their lines.
 */
static int
validate(struct config *cfg, char *err, size_t errlen)
{
	size_t i, k;

	for (i = 0; i < cfg->n_agencies; i++) {
		struct agency *a = &cfg->agencies[i];
		enum phone_style style = a->phone_intl ? PHONE_INTERNATIONAL :
		    PHONE_NATIONAL;

		/* One way of writing numbers per agency, whatever the file
		 * says: citizens compare them. */
		if (write_phone(&a->phone, style) == -1 ||
		    write_phone(&a->coordinator_phone, style) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (a->case_prefix != NULL)
			continue;
		if ((a->case_prefix = strdup(a->id)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (k = 0; a->case_prefix[k]; k++)
			a->case_prefix[k] = (char)toupper(
			    (unsigned char)a->case_prefix[k]);
	}
	return 0;
}

/* What config_load() and config_load_text() share after the text. */
static struct config *
finish(struct config *cfg, int rc, char *err, size_t errlen)
{
	if (rc == -1 || apply_env(cfg, err, errlen) == -1 ||
	    validate(cfg, err, errlen) == -1) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *cfg;
	struct buf text;
	int rc;

	if (path != NULL) {
		if (read_file(path, &text, err, errlen) == -1)
			return NULL;
		cfg = config_load_text(path, text.data ? text.data : "",
		    text.len, err, errlen);
		buf_free(&text);
		return cfg;
	}
	if ((cfg = config_defaults()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = add_demo_agency(cfg);
	return finish(cfg, rc, err, errlen);
}

struct config *
config_load_text(const char *path, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct config *cfg;
	int rc;

	if ((cfg = config_defaults()) == NULL ||
	    (cfg->path = strdup(path)) == NULL) {
		config_free(cfg);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = config_parse_text(cfg, path, text, len, err, errlen);
	return finish(cfg, rc, err, errlen);
}

int
config_lang_flag(const char *lang)
{
	if (lang == NULL)
		return 0;
	if (strcmp(lang, "nl") == 0)
		return LANG_NL;
	if (strcmp(lang, "fr") == 0)
		return LANG_FR;
	return strcmp(lang, "en") == 0 ? LANG_EN : 0;
}

const char *
config_agency_name(const struct agency *a, const char *lang)
{
	const char *form = NULL;

	if (lang != NULL && strcmp(lang, "fr") == 0)
		form = a->name_fr;
	else if (lang != NULL && strcmp(lang, "en") == 0)
		form = a->name_en;
	else
		form = a->name_nl;
	return form != NULL ? form : a->name;
}

int
config_print_gaps(const struct config *cfg, FILE *f)
{
	const char *where = cfg->path ? cfg->path : "(built-in defaults)";
	size_t i;
	int n = 0;

	for (i = 0; i < cfg->n_agencies; i++) {
		const struct agency *a = &cfg->agencies[i];
		const struct { const char *key, *value, *lang; } forms[] = {
			{ "name.nl", a->name_nl, "Dutch" },
			{ "name.fr", a->name_fr, "French" },
			{ "name.en", a->name_en, "English" },
		};
		size_t k;

		for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
			if (forms[k].value != NULL)
				continue;
			fprintf(f, "%s: warning: agency %s has no %s: %s "
			    "replies say \"%s\"\n", where, a->id, forms[k].key,
			    forms[k].lang, a->name);
			n++;
		}
		if (a->privacy_url == NULL) {
			fprintf(f, "%s: warning: agency %s has no privacy_url: "
			    "replies asking for personal data link to %s\n",
			    where, a->id, a->website ? a->website :
			    "no privacy statement");
			n++;
		}
	}
	return n;
}

const struct agency *
config_agency(const struct config *cfg, const char *id)
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < cfg->n_agencies; i++)
		if (strcmp(cfg->agencies[i].id, id) == 0)
			return &cfg->agencies[i];
	return NULL;
}

static int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

const struct agency *
config_route_whatsapp(const struct config *cfg, const char *phone_number_id)
{
	size_t i;

	if (phone_number_id != NULL)
		for (i = 0; i < cfg->n_agencies; i++)
			if (strlist_has(&cfg->agencies[i].wa_phone_ids,
			    phone_number_id))
				return &cfg->agencies[i];
	return config_agency(cfg, cfg->default_agency);
}

const struct agency *
config_route_messenger(const struct config *cfg, const char *page_id)
{
	size_t i;

	if (page_id != NULL)
		for (i = 0; i < cfg->n_agencies; i++)
			if (strlist_has(&cfg->agencies[i].page_ids, page_id))
				return &cfg->agencies[i];
	return config_agency(cfg, cfg->default_agency);
}

long
config_parse_duration(const char *s)
{
	char *end;
	long v, mul = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v < 0)
		return -1;
	if (*end == 's')
		mul = 1;
	else if (*end == 'm')
		mul = 60;
	else if (*end == 'h')
		mul = 3600;
	else if (*end == 'd')
		mul = 86400;
	else if (*end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > LONG_MAX / mul)
		return -1;
	return v * mul;
}
