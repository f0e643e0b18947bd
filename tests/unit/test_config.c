/*
 * test_config.c — config_load() on the example file and the built-in
 * defaults, every parse error (with file and line), the LOKET_*
 * environment overrides, routing, durations, and the Europe/Brussels
 * clock behind office hours.  Expected epoch values were computed
 * independently (Python zoneinfo, Europe/Brussels) and are written out
 * with their local time.  Run from the repository root.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "phone.h"
#include "testhelp.h"

#define EXAMPLE	"deploy/loket.conf"

static char tmpdir[] = "/tmp/loket-test-config-XXXXXX";
static int nfiles;

static const char *const env_names[] = {
	"LOKET_PORT", "LOKET_DB", "LOKET_APP_SECRET", "LOKET_VERIFY_TOKEN",
	"LOKET_ACCESS_TOKEN", "LOKET_GRAPH_URL", "LOKET_METRICS_TOKEN", NULL
};

static void
clear_env(void)
{
	int i;

	for (i = 0; env_names[i] != NULL; i++)
		unsetenv(env_names[i]);
}

/* Writes len bytes of text to a new file in tmpdir; path receives it. */
static void
write_conf(const char *text, size_t len, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/c%d.conf", tmpdir, ++nfiles);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(2);
	}
	fwrite(text, 1, len, f);
	fclose(f);
}

static struct config *
load_text(const char *text, char *path, size_t pathlen, char *err,
    size_t errlen)
{
	write_conf(text, strlen(text), path, pathlen);
	return config_load(path, err, errlen);
}

/*
 * Loads text (len bytes) and expects failure with "PATH:LINE: " followed
 * by a message containing needle.
 */
static void
expect_error_len(const char *descr, const char *text, size_t len, int line,
    const char *needle)
{
	char path[256], prefix[300], err[512] = "";
	struct config *cfg;
	int ok;

	write_conf(text, len, path, sizeof(path));
	cfg = config_load(path, err, sizeof(err));
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	ok = cfg == NULL && strncmp(err, prefix, strlen(prefix)) == 0 &&
	    strstr(err + strlen(prefix), needle) != NULL;
	TEST(descr, ok);
	if (!ok)
		printf("     err:  %s\n     want: %s...%s\n", err, prefix,
		    needle);
	config_free(cfg);
}

static void
expect_error(const char *descr, const char *text, int line,
    const char *needle)
{
	expect_error_len(descr, text, strlen(text), line, needle);
}

static int
range_is(const struct day_hours *h, int i, int open, int close)
{
	return i < h->n && h->open[i] == open && h->close[i] == close;
}

/* Group 1 of pattern on s, or "" when it does not match. */
static void
match_group(const char *pattern, const char *s, char *out, size_t outlen)
{
	regex_t re;
	regmatch_t m[2];

	out[0] = '\0';
	if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE) != 0)
		return;
	if (regexec(&re, s, 2, m, 0) == 0 && m[1].rm_so >= 0)
		snprintf(out, outlen, "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
		    s + m[1].rm_so);
	regfree(&re);
}

static void
expect_phone(const char *in, enum phone_style style, const char *want,
    int rc)
{
	char out[64];
	int got = phone_write(in, style, out, sizeof(out));

	TEST_STR(in, out, want);
	TEST(in, got == rc);
}

/* Belgian numbers in one grouping; the rest left as written. */
static void
test_phone(void)
{
	const enum phone_style N = PHONE_NATIONAL, I = PHONE_INTERNATIONAL;

	expect_phone("+32 2 505 45 45", N, "02 505 45 45", 0);
	expect_phone("02/505.45.45", I, "+32 2 505 45 45", 0);
	expect_phone("+32 (0)2 505 45 45", N, "02 505 45 45", 0);
	expect_phone("0032 50 12 34 56", N, "050 12 34 56", 0);
	expect_phone("050123456", I, "+32 50 12 34 56", 0);
	expect_phone("+32470123456", I, "+32 470 12 34 56", 0);
	expect_phone("0470/12.34.56", N, "0470 12 34 56", 0);
	expect_phone("+32 800 20 555", I, "0800 20 555", 0);
	expect_phone("080020555", N, "0800 20 555", 0);
	expect_phone("0903 12 345", I, "0903 12 345", 0);
	expect_phone("1700", N, "1700", -1);
	expect_phone("+31612345678", N, "+31612345678", -1);
	expect_phone("0470 12 34 567", N, "0470 12 34 567", -1);
	expect_phone("03 123 45 67 89", N, "03 123 45 67 89", -1);
	expect_phone("bel 02 505 45 45", N, "bel 02 505 45 45", -1);
}

/* name.<lang>, privacy_url and phone_format, and the gaps --check shows. */
static void
test_words(void)
{
	char path[256], err[512] = "", *buf = NULL;
	size_t len = 0;
	struct config *cfg;
	const struct agency *a;
	FILE *f;
	int gaps;

	cfg = load_text("[agency x]\nname = Departement X\n"
	    "name.fr = le Département X\nphone = +32 2 553 10 00\n"
	    "coordinator_phone = 0800 20 555\nphone_format = international\n",
	    path, sizeof(path), err, sizeof(err));
	TEST("words config loads", cfg != NULL);
	if (cfg == NULL)
		return;
	a = config_agency(cfg, "x");
	TEST_STR("name.fr in French", config_agency_name(a, "fr"),
	    "le Département X");
	TEST_STR("no name.nl: official name", config_agency_name(a, "nl"),
	    "Departement X");
	TEST_STR("no name.en: official name", config_agency_name(a, "en"),
	    "Departement X");
	TEST_STR("international phone", a->phone, "+32 2 553 10 00");
	TEST_STR("0800 stays national", a->coordinator_phone, "0800 20 555");
	f = open_memstream(&buf, &len);
	gaps = config_print_gaps(cfg, f);
	fclose(f);
	TEST("three gaps", gaps == 3);
	TEST("gap name.nl named", strstr(buf, "agency x has no name.nl") &&
	    strstr(buf, "Dutch replies say \"Departement X\""));
	TEST("gap name.en named", strstr(buf, "has no name.en") != NULL);
	TEST("gap privacy_url named", strstr(buf, "has no privacy_url") != NULL);
	TEST("name.fr is no gap", strstr(buf, "name.fr") == NULL);
	free(buf);
	config_free(cfg);
	expect_error("bad phone_format", "[agency x]\nname = X\n"
	    "phone_format = e164\n", 3, "phone_format: use national or "
	    "international");
	cfg = config_load(EXAMPLE, err, sizeof(err));
	if (cfg == NULL)
		return;
	f = open_memstream(&buf, &len);
	TEST("example has no gaps", config_print_gaps(cfg, f) == 0);
	fclose(f);
	free(buf);
	a = config_agency(cfg, "vmsw");
	TEST_STR("vmsw name.nl", config_agency_name(a, "nl"),
	    "de Vlaamse Maatschappij voor Sociaal Wonen");
	TEST_STR("vmsw name.fr", config_agency_name(a, "fr"),
	    "la Société flamande du logement social");
	a = config_agency(cfg, "vlaio");
	TEST_STR("vlaio free number", a->coordinator_phone, "0800 20 555");
	config_free(cfg);
}

static void
test_example(void)
{
	char err[512] = "", grp[64];
	const struct agency *a;
	struct config *cfg;
	size_t i;
	int ok;

	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("example config loads", cfg != NULL);
	if (cfg == NULL) {
		printf("     err: %s\n", err);
		return;
	}
	TEST_STR("path kept", cfg->path, EXAMPLE);
	TEST("port 8080", cfg->port == 8080);
	TEST_STR("listen", cfg->listen_addr, "127.0.0.1");
	TEST_STR("db", cfg->db_path, "loket.db");
	TEST_STR("graph_url", cfg->graph_url,
	    "https://graph.facebook.com/v24.0");
	TEST_STR("intents", cfg->intents_dir, "intents/nl");
	TEST_STR("locales", cfg->locales_dir, "locales");
	TEST_STR("console", cfg->console_dir, "console");
	TEST_STR("default_agency", cfg->default_agency, "vmsw");
	TEST("retention 400 days", cfg->retention_days == 400);
	TEST("secure_cookies no", cfg->secure_cookies == 0);
	TEST("no secrets in the file", cfg->app_secret == NULL &&
	    cfg->verify_token == NULL && cfg->access_token == NULL);
	TEST("three agencies", cfg->n_agencies == 3);
	TEST_STR("agency 0", cfg->agencies[0].id, "vmsw");
	TEST_STR("agency 1", cfg->agencies[1].id, "vlaio");
	TEST_STR("agency 2", cfg->agencies[2].id, "wse");

	a = config_agency(cfg, "vmsw");
	TEST("vmsw found", a == &cfg->agencies[0]);
	TEST_STR("vmsw name", a->name,
	    "Vlaamse Maatschappij voor Sociaal Wonen");
	TEST_STR("vmsw prefix", a->case_prefix, "VMSW");
	TEST("vmsw policy redirect", a->policy == POLICY_REDIRECT);
	TEST("vmsw one phone id", a->wa_phone_ids.n == 1);
	TEST_STR("vmsw phone id", a->wa_phone_ids.v[0], "106540352242922");
	TEST("vmsw one page id", a->page_ids.n == 1);
	TEST_STR("vmsw page id", a->page_ids.v[0], "109876543210987");
	TEST_STR("vmsw complaint_url", a->complaint_url,
	    "https://www.vmsw.be/klachten");
	TEST_STR("vmsw coordinator_email", a->coordinator_email,
	    "klachten@vmsw.be");
	TEST_STR("vmsw coordinator_phone", a->coordinator_phone,
	    "02 505 45 45");
	TEST_STR("vmsw phone", a->phone, "02 505 45 45");
	TEST_STR("vmsw email", a->email, "info@vmsw.be");
	TEST_STR("vmsw website", a->website, "https://www.vmsw.be");
	TEST("vmsw no dossier_email", a->dossier_email == NULL);
	TEST("vmsw no dossier patterns", a->dossier_patterns.n == 0);
	for (i = 0, ok = 1; i < 4; i++)
		ok = ok && a->hours[i].n == 2 &&
		    range_is(&a->hours[i], 0, 9 * 60, 12 * 60) &&
		    range_is(&a->hours[i], 1, 13 * 60, 16 * 60);
	TEST("vmsw Mon-Thu 09:00-12:00 13:00-16:00", ok);
	TEST("vmsw Fri 09:00-12:00", a->hours[4].n == 1 &&
	    range_is(&a->hours[4], 0, 540, 720));
	TEST("vmsw weekend closed", a->hours[5].n == 0 &&
	    a->hours[6].n == 0);
	TEST("vmsw seven holidays", a->holidays.n == 7);
	TEST_STR("vmsw first holiday", a->holidays.v[0], "2026-12-25");
	TEST_STR("vmsw last holiday", a->holidays.v[6], "2027-07-21");
	TEST("vmsw languages nl fr en",
	    a->languages == (LANG_NL | LANG_FR | LANG_EN));
	TEST("vmsw timeout 86400", a->timeout_secs == 86400);
	TEST("vmsw handling_term 45", a->handling_term_days == 45);
	TEST("vmsw rate default 80", a->rate_per_sec == 80);
	TEST_STR("vmsw template lang default", a->wa_template_lang, "nl");
	TEST("vmsw no tokens", a->access_token == NULL &&
	    a->page_token == NULL && a->page_inbox_handover == 0);

	a = config_agency(cfg, "vlaio");
	TEST("vlaio found", a == &cfg->agencies[1]);
	TEST_STR("vlaio name", a->name, "Agentschap Innoveren & Ondernemen");
	TEST_STR("vlaio prefix", a->case_prefix, "VLAIO");
	TEST("vlaio policy redirect", a->policy == POLICY_REDIRECT);
	TEST_STR("vlaio phone id", a->wa_phone_ids.v[0], "106540352242923");
	TEST_STR("vlaio page id", a->page_ids.v[0], "109876543210988");
	TEST_STR("vlaio dossier_email", a->dossier_email,
	    "dossierbeheer@vlaio.be");
	TEST("vlaio two dossier patterns", a->dossier_patterns.n == 2);
	TEST("vlaio Mon-Fri 09:00-17:00", a->hours[0].n == 1 &&
	    range_is(&a->hours[0], 0, 540, 1020) &&
	    range_is(&a->hours[4], 0, 540, 1020));
	TEST("vlaio languages nl en", a->languages == (LANG_NL | LANG_EN));
	TEST("vlaio timeout and term", a->timeout_secs == 86400 &&
	    a->handling_term_days == 45);
	if (a->dossier_patterns.n == 2) {
		match_group(a->dossier_patterns.v[0],
		    "Over dossier nr. 2024/12345 heb ik een vraag", grp,
		    sizeof(grp));
		TEST_STR("pattern 1 compiles, group 1 = number", grp,
		    "2024/12345");
		match_group(a->dossier_patterns.v[0], "Dossiernummer: "
		    "AB-2025-0042", grp, sizeof(grp));
		TEST_STR("pattern 1, second form, case-insensitive", grp,
		    "AB-2025-0042");
		match_group(a->dossier_patterns.v[1], "mijn referentie "
		    "2023/987", grp, sizeof(grp));
		TEST_STR("pattern 2 compiles, group 1 = number", grp,
		    "2023/987");
		match_group(a->dossier_patterns.v[1], "geen nummer", grp,
		    sizeof(grp));
		TEST_STR("pattern 2 no match", grp, "");
	}

	a = config_agency(cfg, "wse");
	TEST("wse found", a == &cfg->agencies[2]);
	TEST_STR("wse name", a->name, "Departement Werk en Sociale Economie");
	TEST_STR("wse prefix", a->case_prefix, "WSE");
	TEST("wse policy case", a->policy == POLICY_CASE);
	TEST_STR("wse phone id", a->wa_phone_ids.v[0], "106540352242924");
	TEST_STR("wse page id", a->page_ids.v[0], "109876543210989");
	TEST("wse Mon 08:30-12:30 13:30-16:30", a->hours[0].n == 2 &&
	    range_is(&a->hours[0], 0, 510, 750) &&
	    range_is(&a->hours[0], 1, 810, 990));
	TEST("wse Fri 08:30-12:30", a->hours[4].n == 1 &&
	    range_is(&a->hours[4], 0, 510, 750));
	TEST("wse languages nl fr en",
	    a->languages == (LANG_NL | LANG_FR | LANG_EN));
	TEST("wse seven holidays", a->holidays.n == 7);
	TEST("wse timeout and term", a->timeout_secs == 86400 &&
	    a->handling_term_days == 45);

	TEST("unknown agency id", config_agency(cfg, "nope") == NULL);
	TEST("NULL agency id", config_agency(cfg, NULL) == NULL);
	config_free(cfg);
}

static void
test_defaults(void)
{
	char err[512] = "";
	struct config *cfg = config_load(NULL, err, sizeof(err));
	const struct agency *a;

	TEST("built-in defaults load", cfg != NULL);
	if (cfg == NULL) {
		printf("     err: %s\n", err);
		return;
	}
	TEST("defaults: no path", cfg->path == NULL);
	TEST("defaults: port 8080", cfg->port == 8080);
	TEST_STR("defaults: listen", cfg->listen_addr, "127.0.0.1");
	TEST_STR("defaults: db", cfg->db_path, "loket.db");
	TEST_STR("defaults: graph_url", cfg->graph_url,
	    "https://graph.facebook.com/v24.0");
	TEST_STR("defaults: intents", cfg->intents_dir, "intents/nl");
	TEST("defaults: one agency", cfg->n_agencies == 1);
	TEST_STR("defaults: default_agency demo", cfg->default_agency,
	    "demo");
	a = config_agency(cfg, "demo");
	TEST("defaults: demo agency", a != NULL);
	if (a == NULL)
		goto out;
	TEST_STR("demo name", a->name, "Demo-agentschap");
	TEST_STR("demo prefix", a->case_prefix, "DEMO");
	TEST("demo policy case", a->policy == POLICY_CASE);
	TEST("demo languages", a->languages == (LANG_NL | LANG_FR | LANG_EN));
	TEST("demo Fri 09:00-12:00", a->hours[4].n == 1 &&
	    range_is(&a->hours[4], 0, 540, 720));
	TEST("demo Mon two ranges", a->hours[0].n == 2);
	TEST("demo timeout 24h", a->timeout_secs == 86400);
	TEST("demo routes the fixture phone id",
	    config_route_whatsapp(cfg, "106540352242922") == a);
	TEST("demo routes the fixture page id",
	    config_route_messenger(cfg, "109876543210987") == a);
	TEST("demo is the fallback",
	    config_route_whatsapp(cfg, "1") == a);
out:
	config_free(cfg);
}

static void
test_errors(void)
{
	char longline[5000 + 16], okline[4096 + 24], path[256], err[512];
	char nul[] = "port = 8080\nlisten = 127.0.0.1\0x\n";
	struct config *cfg;
	int ok;

	expect_error("unknown global key", "port = 8080\nfoo = 1\n", 2,
	    "unknown key 'foo'");
	expect_error("agency key at global level", "name = X\n", 1,
	    "unknown key 'name'");
	expect_error("unknown agency key",
	    "[agency a]\nname = A\ncolour = red\n", 3,
	    "unknown agency key 'colour'");
	expect_error("global key inside a section",
	    "[agency a]\nname = A\nport = 80\n", 3,
	    "unknown agency key 'port'");
	expect_error("bad policy", "[agency a]\nname = A\npolicy = maybe\n",
	    3, "policy: use case or redirect");
	expect_error("hours 9-12", "[agency a]\nhours.mon = 9-12\n", 2,
	    "hours: use ranges like 09:00-12:00");
	expect_error("hours reversed",
	    "[agency a]\nhours.tue = 12:00-09:00\n", 2,
	    "hours: use ranges like 09:00-12:00");
	expect_error("hours empty range",
	    "[agency a]\nhours.tue = 09:00-09:00\n", 2, "hours: use ranges");
	expect_error("hours minute 60",
	    "[agency a]\nhours.wed = 09:60-10:00\n", 2, "hours: use ranges");
	expect_error("hours past midnight",
	    "[agency a]\nhours.wed = 23:00-24:01\n", 2, "hours: use ranges");
	expect_error("five ranges", "[agency a]\nname = A\n"
	    "hours.fri = 08:00-09:00 10:00-11:00 12:00-13:00 14:00-15:00 "
	    "16:00-17:00\n", 3, "hours: at most 4 ranges a day");
	expect_error("bad duration", "[agency a]\ntimeout = 5x\n", 2,
	    "timeout: use a duration like 24h or 30m");
	expect_error("duration below a minute", "[agency a]\ntimeout = 30s\n",
	    2, "timeout: use a duration");
	expect_error("bad handling_term",
	    "[agency a]\nhandling_term = 0\n", 2,
	    "handling_term: use a number of days");
	expect_error("bad retention", "retention = forever\n", 1,
	    "retention: use a number of days");
	expect_error("port too large", "port = 70000\n", 1,
	    "port: number out of range");
	expect_error("port not a number", "port = 80a\n", 1,
	    "port: number out of range");
	expect_error("negative port", "port = -1\n", 1,
	    "port: number out of range");
	expect_error("rate_limit 0", "[agency a]\nrate_limit = 0\n", 2,
	    "rate_limit: number out of range");
	expect_error("bad bool", "secure_cookies = maybe\n", 1,
	    "secure_cookies: use yes or no");
	expect_error("bad language", "[agency a]\nlanguages = nl de\n", 2,
	    "languages: use nl, fr and en");
	expect_error("bad holiday month",
	    "[agency a]\nholidays = 2026-12-25 2026-13-01\n", 2,
	    "holiday '2026-13-01' is not YYYY-MM-DD");
	expect_error("short holiday", "[agency a]\nholidays = 2026-1-1\n", 2,
	    "holiday '2026-1-1' is not YYYY-MM-DD");
	expect_error("holiday with slashes",
	    "[agency a]\nholidays = 2026/12/25\n", 2, "is not YYYY-MM-DD");
	expect_error("bad regex", "[agency a]\ndossier_pattern = ([0-9]\n", 2,
	    "dossier_pattern: ");
	expect_error("regex without group",
	    "[agency a]\ndossier_pattern = [0-9]{4}/[0-9]+\n", 2,
	    "dossier_pattern needs a (group)");
	expect_error("duplicate agency", "[agency a]\nname = A\n\n"
	    "[agency b]\nname = B\n[agency a]\nname = A2\n", 6,
	    "agency 'a' is defined twice");
	expect_error("section [foo]", "port = 80\n[foo]\n", 2,
	    "unknown section [foo]");
	expect_error("section without id", "[agency]\n", 1,
	    "unknown section [agency]");
	expect_error("section without ]", "[agency a\n", 1,
	    "section: use [agency ID]");
	expect_error("text after ]", "[agency a] x\n", 1,
	    "section: use [agency ID]");
	expect_error("agency id with capitals", "[agency VMSW]\n", 1,
	    "agency id 'VMSW': use a-z, 0-9, - and _");
	expect_error("agency id with a dot", "[agency a.b]\n", 1,
	    "agency id 'a.b'");
	expect_error("agency id too long", "[agency "
	    "abcdefghijklmnopqrstuvwxyz0123456]\n", 1,
	    "agency id: 1 to 32 characters");
	expect_error("empty value", "[agency a]\nname =\n", 2,
	    "name: empty value");
	expect_error("blank value", "db =   \t\n", 1, "db: empty value");
	expect_error("line without '='", "port = 8080\n\nlisten 127.0.0.1\n",
	    3, "expected key = value");
	expect_error_len("NUL byte", nul, sizeof(nul) - 1, 2,
	    "NUL byte in line");

	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "port = 80\n# ", 12);
	memcpy(longline + 12 + 4200, "\n", 2);	/* line 2: 4202 bytes */
	expect_error("line over 4095 bytes", longline, 2,
	    "line longer than 4095 bytes");
	memset(okline, 'x', sizeof(okline));
	okline[0] = '#';
	okline[4095] = '\n';
	memcpy(okline + 4096, "[agency x]\nname = X\n", 21);
	cfg = load_text(okline, path, sizeof(path), err, sizeof(err));
	TEST("a 4095-byte line is fine", cfg != NULL);
	config_free(cfg);
	okline[4095] = 'x';	/* now 4096 bytes, no newline at the end */
	write_conf(okline, 4096, path, sizeof(path));
	cfg = config_load(path, err, sizeof(err));
	TEST("a 4096-byte last line without newline fails", cfg == NULL &&
	    strstr(err, ":1: line longer than 4095 bytes") != NULL);
	config_free(cfg);

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	err[0] = '\0';
	cfg = config_load(path, err, sizeof(err));
	ok = cfg == NULL && strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, "No such file") != NULL;
	TEST("missing file names the file", ok);
	if (!ok)
		printf("     err: %s\n", err);

	expect_error("default_agency not defined",
	    "port = 8080\ndefault_agency = nope\n[agency a]\nname = A\n", 2,
	    "default_agency 'nope' is not defined");
	expect_error("agency without name", "[agency a]\nname = A\n"
	    "[agency b]\nphone = 1700\n[agency c]\nname = C\n", 3,
	    "agency 'b' has no name");
	expect_error("last agency without name",
	    "[agency a]\nname = A\n\n[agency b]\n", 4,
	    "agency 'b' has no name");
}

static void
test_file_syntax(void)
{
	char path[256], err[512] = "";
	struct config *cfg;
	const struct agency *a;

	cfg = load_text("# comment\r\n  port = 9000  \r\n\r\n"
	    "[ agency  abc-1_x ]\r\n"
	    "name = A # not a comment\r\n"
	    "website = https://example.org/#top\n"
	    "   # indented comment\n"
	    "hours.mon = closed\n"
	    "hours.tue = 09:00-12:00,13:00-24:00\n"
	    "languages = fr\n"
	    "timeout = 30m\n"
	    "handling_term = 10\n"
	    "whatsapp_phone_number_id = 1, 2 3\n"
	    "page_inbox_handover = yes\n"
	    "rate_limit = 20\n"
	    "policy = case\n"
	    "policy = redirect\n", path, sizeof(path), err, sizeof(err));
	TEST("CRLF, blanks, comments load", cfg != NULL);
	if (cfg == NULL) {
		printf("     err: %s\n", err);
		return;
	}
	TEST("port with blanks", cfg->port == 9000);
	TEST("no default agency", cfg->default_agency == NULL);
	a = config_agency(cfg, "abc-1_x");
	TEST("section with blanks", a != NULL);
	if (a == NULL)
		goto out;
	TEST_STR("# inside a value kept", a->name, "A # not a comment");
	TEST_STR("URL fragment kept", a->website, "https://example.org/#top");
	TEST_STR("case_prefix defaults to upper-cased id", a->case_prefix,
	    "ABC-1_X");
	TEST("closed day", a->hours[0].n == 0);
	TEST("comma-separated ranges up to 24:00", a->hours[1].n == 2 &&
	    range_is(&a->hours[1], 1, 780, 1440));
	TEST("languages always include nl",
	    a->languages == (LANG_NL | LANG_FR));
	TEST("timeout 30m", a->timeout_secs == 1800);
	TEST("bare handling_term is days", a->handling_term_days == 10);
	TEST("three phone ids", a->wa_phone_ids.n == 3 &&
	    strcmp(a->wa_phone_ids.v[2], "3") == 0);
	TEST("bool yes", a->page_inbox_handover == 1);
	TEST("rate_limit", a->rate_per_sec == 20);
	TEST("last policy wins", a->policy == POLICY_REDIRECT);
	TEST("no-default routing gives NULL",
	    config_route_whatsapp(cfg, "999") == NULL &&
	    config_route_messenger(cfg, "999") == NULL &&
	    config_route_whatsapp(cfg, NULL) == NULL);
	TEST("routing by one of several ids",
	    config_route_whatsapp(cfg, "2") == a);
out:
	config_free(cfg);

	/* Found by the fuzzer: patterns whose compilation takes gigabytes. */
	expect_error("stacked repetitions", "[agency x]\nname = X\n"
	    "dossier_pattern = (2+++++++++++++++++++++++++++++)\n", 3,
	    "a repetition of a repetition");
	expect_error("huge count", "[agency x]\nname = X\n"
	    "dossier_pattern = ([0-9]{1000})\n", 3,
	    "a repetition count over 100");
	expect_error("nested counts", "[agency x]\nname = X\n"
	    "dossier_pattern = ((((a{50}){50}){50}))\n", 3,
	    "too many nested repetitions");
	cfg = load_text("[agency x]\nname = X\ndossier_pattern = "
	    "([[:digit:]{]{4}[0-9]+-[0-9]{3,6})\n", path, sizeof(path), err,
	    sizeof(err));
	TEST("brackets, classes and ordinary counts are fine", cfg != NULL);
	config_free(cfg);
	/* Found by the fuzzer: a bare day count past LONG_MAX seconds. */
	expect_error("huge handling_term", "[agency x]\nname = X\n"
	    "handling_term = 2000430646668538014\n", 3,
	    "use a number of days");
	/* An empty or truncated file must not replace a working config. */
	expect_error("empty file", "", 0, "no [agency ID] section");
	expect_error("cut before the first agency", "port = 8080\n"
	    "db = /var/lib/loket/loket.db\n", 2, "no [agency ID] section");
	expect_error("only comments", "# nothing yet\n\n", 2,
	    "no [agency ID] section");
	cfg = load_text("[agency x]\nname = X\n", path, sizeof(path), err,
	    sizeof(err));
	TEST("one agency is enough", cfg != NULL && cfg->n_agencies == 1 &&
	    cfg->port == 8080);
	config_free(cfg);
}

static void
test_env(void)
{
	char err[512] = "";
	struct config *cfg;

	setenv("LOKET_PORT", "9090", 1);
	setenv("LOKET_DB", "/tmp/x.db", 1);
	setenv("LOKET_APP_SECRET", "s3cret", 1);
	setenv("LOKET_VERIFY_TOKEN", "vt", 1);
	setenv("LOKET_ACCESS_TOKEN", "at", 1);
	setenv("LOKET_GRAPH_URL", "log:", 1);
	setenv("LOKET_METRICS_TOKEN", "mt", 1);
	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("example loads with env", cfg != NULL);
	if (cfg != NULL) {
		TEST("LOKET_PORT", cfg->port == 9090);
		TEST_STR("LOKET_DB", cfg->db_path, "/tmp/x.db");
		TEST_STR("LOKET_APP_SECRET", cfg->app_secret, "s3cret");
		TEST_STR("LOKET_VERIFY_TOKEN", cfg->verify_token, "vt");
		TEST_STR("LOKET_ACCESS_TOKEN", cfg->access_token, "at");
		TEST_STR("LOKET_GRAPH_URL", cfg->graph_url, "log:");
		TEST_STR("LOKET_METRICS_TOKEN", cfg->metrics_token, "mt");
	}
	config_free(cfg);

	cfg = config_load(NULL, err, sizeof(err));
	TEST("env applies to the defaults too", cfg != NULL &&
	    cfg->port == 9090 && strcmp(cfg->graph_url, "log:") == 0);
	config_free(cfg);

	setenv("LOKET_PORT", "", 1);
	setenv("LOKET_DB", "", 1);
	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("empty LOKET_PORT and LOKET_DB are ignored", cfg != NULL &&
	    cfg->port == 8080 && strcmp(cfg->db_path, "loket.db") == 0);
	config_free(cfg);

	setenv("LOKET_PORT", "80x", 1);
	err[0] = '\0';
	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("invalid LOKET_PORT refused", cfg == NULL);
	TEST_STR("invalid LOKET_PORT message", err,
	    "LOKET_PORT: not a port: 80x");
	setenv("LOKET_PORT", "65536", 1);
	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("LOKET_PORT 65536 refused", cfg == NULL &&
	    strstr(err, "LOKET_PORT") != NULL);
	setenv("LOKET_PORT", "-1", 1);
	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("LOKET_PORT -1 refused", cfg == NULL);
	setenv("LOKET_PORT", "99999999999999999999999", 1);
	cfg = config_load(EXAMPLE, err, sizeof(err));
	TEST("LOKET_PORT overflow refused", cfg == NULL);
	clear_env();
}

static void
test_routing(void)
{
	char err[512] = "";
	struct config *cfg = config_load(EXAMPLE, err, sizeof(err));
	const struct agency *a;

	if (cfg == NULL) {
		TEST("example loads for routing", 0);
		return;
	}
	a = config_route_whatsapp(cfg, "106540352242922");
	TEST_STR("WA id -> vmsw", a ? a->id : NULL, "vmsw");
	a = config_route_whatsapp(cfg, "106540352242923");
	TEST_STR("WA id -> vlaio", a ? a->id : NULL, "vlaio");
	a = config_route_whatsapp(cfg, "106540352242924");
	TEST_STR("WA id -> wse", a ? a->id : NULL, "wse");
	a = config_route_messenger(cfg, "109876543210987");
	TEST_STR("page id -> vmsw", a ? a->id : NULL, "vmsw");
	a = config_route_messenger(cfg, "109876543210988");
	TEST_STR("page id -> vlaio", a ? a->id : NULL, "vlaio");
	a = config_route_messenger(cfg, "109876543210989");
	TEST_STR("page id -> wse", a ? a->id : NULL, "wse");
	a = config_route_whatsapp(cfg, "106540352242999");
	TEST_STR("unknown WA id -> default", a ? a->id : NULL, "vmsw");
	a = config_route_messenger(cfg, "1");
	TEST_STR("unknown page id -> default", a ? a->id : NULL, "vmsw");
	a = config_route_whatsapp(cfg, "109876543210989");
	TEST_STR("a page id is not a WA id", a ? a->id : NULL, "vmsw");
	a = config_route_messenger(cfg, "106540352242924");
	TEST_STR("a WA id is not a page id", a ? a->id : NULL, "vmsw");
	a = config_route_whatsapp(cfg, NULL);
	TEST_STR("NULL WA id -> default", a ? a->id : NULL, "vmsw");
	a = config_route_messenger(cfg, "");
	TEST_STR("empty page id -> default", a ? a->id : NULL, "vmsw");
	config_free(cfg);
}

static void
test_duration(void)
{
	TEST("90s", config_parse_duration("90s") == 90);
	TEST("30m", config_parse_duration("30m") == 1800);
	TEST("24h", config_parse_duration("24h") == 86400);
	TEST("45d", config_parse_duration("45d") == 45L * 86400);
	TEST("10", config_parse_duration("10") == 10);
	TEST("0", config_parse_duration("0") == 0);
	TEST("empty", config_parse_duration("") == -1);
	TEST("NULL", config_parse_duration(NULL) == -1);
	TEST("5x", config_parse_duration("5x") == -1);
	TEST("5mm", config_parse_duration("5mm") == -1);
	TEST("5 m", config_parse_duration("5 m") == -1);
	TEST("h alone", config_parse_duration("h") == -1);
	TEST("-1", config_parse_duration("-1") == -1);
	TEST("+1", config_parse_duration("+1") == -1);
	TEST(" 1", config_parse_duration(" 1") == -1);
	TEST("overflow of the number",
	    config_parse_duration("99999999999999999999") == -1);
	TEST("overflow by the unit",
	    config_parse_duration("106751991167301d") == -1);
	TEST("largest day count",
	    config_parse_duration("106751991167300d") ==
	    106751991167300L * 86400);
}

static void
test_brussels(void)
{
	/* 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST. */
	TEST("1 s before spring change", config_brussels_utc_offset(1774745999) ==
	    3600);
	TEST("spring change", config_brussels_utc_offset(1774746000) == 7200);
	TEST("1 s after spring change", config_brussels_utc_offset(1774746001) ==
	    7200);
	/* 2026-10-25 01:00 UTC: 03:00 CEST becomes 02:00 CET. */
	TEST("1 s before autumn change", config_brussels_utc_offset(1792889999) ==
	    7200);
	TEST("autumn change", config_brussels_utc_offset(1792890000) == 3600);
	TEST("1 s after autumn change", config_brussels_utc_offset(1792890001) ==
	    3600);
	TEST("winter (2026-01-15 12:00 UTC)",
	    config_brussels_utc_offset(1768478400) == 3600);
	TEST("summer (2026-07-15 12:00 UTC)",
	    config_brussels_utc_offset(1784116800) == 7200);
	TEST("new year's eve (2026-12-31 23:30 UTC)",
	    config_brussels_utc_offset(1798759800) == 3600);
	TEST("day before spring change (2026-03-28 12:00 UTC)",
	    config_brussels_utc_offset(1774699200) == 3600);
	TEST("2027 spring change (2027-03-28 01:00 UTC)",
	    config_brussels_utc_offset(1806195600) == 7200 &&
	    config_brussels_utc_offset(1806195599) == 3600);
}

/* in_office result and next_open, with next_open preset to a marker. */
static int
office(const struct agency *a, time_t t, time_t *next)
{
	*next = -42;
	return config_agency_in_office(a, t, next);
}

static void
test_office(void)
{
	char err[512] = "", path[256];
	struct config *cfg = config_load(EXAMPLE, err, sizeof(err));
	const struct agency *vmsw, *vlaio, *wse;
	time_t next;

	if (cfg == NULL) {
		TEST("example loads for office hours", 0);
		return;
	}
	vmsw = config_agency(cfg, "vmsw");
	vlaio = config_agency(cfg, "vlaio");
	wse = config_agency(cfg, "wse");

	/* Tue 2026-12-01 10:00 CET */
	TEST("inside a range", office(vmsw, 1796115600, &next) == 1);
	TEST("NULL next_open allowed",
	    config_agency_in_office(vmsw, 1796115600, NULL) == 1);
	/* Tue 2026-12-01 07:30 CET -> 09:00 CET = 08:00 UTC */
	TEST("before opening", office(vmsw, 1796106600, &next) == 0 &&
	    next == 1796112000);
	/* Tue 2026-12-01 09:00 CET exactly */
	TEST("at opening", office(vmsw, 1796112000, &next) == 1);
	/* 11:59 CET */
	TEST("a minute before lunch", office(vmsw, 1796122740, &next) == 1);
	/* 12:30 CET -> 13:00 CET = 12:00 UTC */
	TEST("lunch gap", office(vmsw, 1796124600, &next) == 0 &&
	    next == 1796126400);
	/* 12:00 CET exactly: closed */
	TEST("at closing", office(vmsw, 1796124600 - 1800, &next) == 0 &&
	    next == 1796126400);
	/* Fri 2026-12-04 13:00 CET -> Mon 2026-12-07 09:00 CET */
	TEST("after closing on Friday", office(vmsw, 1796385600, &next) ==
	    0 && next == 1796630400);
	/* Sat 2026-12-05 11:00 CET -> Mon 09:00 CET */
	TEST("weekend", office(vmsw, 1796464800, &next) == 0 &&
	    next == 1796630400);
	/* Fri 2026-12-25 10:00 CET (holiday) -> Mon 2026-12-28 09:00 CET */
	TEST("on a holiday", office(vmsw, 1798189200, &next) == 0 &&
	    next == 1798444800);
	/* Thu 2026-12-24 17:00 CET, vlaio closes at 17:00; Fri is a
	 * holiday -> Mon 2026-12-28 09:00 CET */
	TEST("day before a holiday", office(vlaio, 1798128000, &next) == 0 &&
	    next == 1798444800);
	/* Mon 2027-03-29 10:00 CEST (Easter Monday) -> Tue 09:00 CEST */
	TEST("holiday in summer time", office(vmsw, 1806307200, &next) ==
	    0 && next == 1806390000);
	/* Sat 2026-07-04 12:00 CEST -> Mon 2026-07-06 09:00 CEST */
	TEST("summer weekend", office(vmsw, 1783159200, &next) == 0 &&
	    next == 1783321200);
	/* Wed 2026-07-01 15:30 CEST: in; 16:00: out -> Thu 09:00 CEST */
	TEST("summer afternoon", office(vmsw, 1782912600, &next) == 1);
	TEST("summer after closing", office(vmsw, 1782914400, &next) == 0 &&
	    next == 1782975600);
	/* Fri 2026-03-27 13:00 CET -> Mon 2026-03-30 09:00 CEST */
	TEST("over the spring change", office(vmsw, 1774612800, &next) ==
	    0 && next == 1774854000);
	/* Fri 2026-10-23 13:00 CEST -> Mon 2026-10-26 09:00 CET */
	TEST("over the autumn change", office(vmsw, 1792753200, &next) ==
	    0 && next == 1793001600);
	/* vlaio Tue 2026-12-01 12:30 CET: no lunch break */
	TEST("vlaio over lunch", office(vlaio, 1796124600, &next) == 1);
	/* wse Tue 2026-12-01 08:15 CET -> 08:30 CET = 07:30 UTC */
	TEST("wse before 08:30", office(wse, 1796109300, &next) == 0 &&
	    next == 1796110200);
	TEST("wse at 08:30", office(wse, 1796110200, &next) == 1);
	config_free(cfg);

	cfg = load_text("[agency nohours]\nname = Nooit open\n", path,
	    sizeof(path), err, sizeof(err));
	TEST("agency without hours loads", cfg != NULL);
	if (cfg != NULL) {
		TEST("no hours: never in office",
		    office(&cfg->agencies[0], 1796115600, &next) == 0 &&
		    next == 0);
		config_free(cfg);
	}
}

int
main(void)
{
	char path[sizeof(tmpdir) + 32];
	int i;

	clear_env();
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_example();
	test_phone();
	test_words();
	test_defaults();
	test_errors();
	test_file_syntax();
	test_env();
	test_routing();
	test_duration();
	test_brussels();
	test_office();
	for (i = 1; i <= nfiles; i++) {
		snprintf(path, sizeof(path), "%s/c%d.conf", tmpdir, i);
		unlink(path);
	}
	rmdir(tmpdir);
	return TEST_REPORT();
}
