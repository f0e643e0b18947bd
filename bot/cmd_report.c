/*
 * cmd_report.c — `loket report` (the figures as JSON, the complaint
 * register or outcomes as CSV, an HTML page) and `loket cases export`
 * (the register with contact details, for the klachtencoördinator).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "store.h"

#define DEFAULT_DAYS	30

struct opts {
	const char	*config;
	const char	*db;
	const char	*from;
	const char	*to;
	const char	*agency;
	const char	*format;	/* json | csv | html */
	const char	*what;		/* cases | conversations */
	const char	*out;
};

static void
report_usage(FILE *f)
{
	fprintf(f, "usage: loket report [--from DATE] [--to DATE] "
	    "[--agency ID]\n"
	    "                    [--format json|csv|html] "
	    "[--what cases|conversations]\n"
	    "                    [--out FILE] [--config FILE] [--db FILE]\n\n"
	    "Figures per agency, channel, intent and outcome, response "
	    "times,\ncases against the legal term, weekly series and topic "
	    "signals.\n\n"
	    "  --from, --to  first and last day, YYYY-MM-DD (Europe/Brussels);"
	    "\n                default the last %d days up to today\n"
	    "  --agency ID   one agency only\n"
	    "  --format      json (default), csv (the complaint register) or "
	    "html\n"
	    "  --what        with csv: cases (default) or conversations "
	    "(one row per outcome)\n"
	    "  --out FILE    write there instead of standard output\n",
	    DEFAULT_DAYS);
}

static void
cases_usage(FILE *f)
{
	fprintf(f, "usage: loket cases export [--agency ID] [--from DATE] "
	    "[--to DATE]\n"
	    "                          [--out FILE] [--config FILE] "
	    "[--db FILE]\n\n"
	    "The complaint register with contact details (name, e-mail, "
	    "phone,\ndossier, description) as CSV, for the "
	    "klachtencoördinator.\nWithout --from/--to: every case.  The "
	    "file is created mode 0600.\n");
}

/* Parses the shared options; -1 after printing why. */
static int
parse(int argc, char **argv, int first, struct opts *o,
    void (*usage)(FILE *))
{
	const struct cli_option opts[] = {
		{ "--config", &o->config, NULL },
		{ "--db", &o->db, NULL },
		{ "--from", &o->from, NULL },
		{ "--to", &o->to, NULL },
		{ "--agency", &o->agency, NULL },
		{ "--format", &o->format, NULL },
		{ "--what", &o->what, NULL },
		{ "--out", &o->out, NULL },
		{ NULL, NULL, NULL }
	};

	return cli_parse(argc, argv, first, opts, usage);
}

/* The period from --from/--to; without --from, the `days` days up to
 * --to or today (days 0: all time). */
static int
period(const struct opts *o, int days, struct report_query *q)
{
	long long now = store_now_ms(), to = 0;

	if (o->to != NULL && report_parse_date(o->to, 1, &to) == -1) {
		fprintf(stderr, "loket: --to: not a date (YYYY-MM-DD): %s\n",
		    o->to);
		return -1;
	}
	/* Counted back in dates from the last day, as the console does. */
	report_query_last_days(q, days ? days : 1, o->to ? to - 1 : now);
	q->now_ms = now;
	if (days == 0) {
		q->from_ms = 0;
		if (o->to == NULL)
			q->to_ms = now + 366 * REPORT_MS_PER_DAY;
	}
	if (o->from != NULL && report_parse_date(o->from, 0, &q->from_ms) ==
	    -1) {
		fprintf(stderr, "loket: --from: not a date (YYYY-MM-DD): %s\n",
		    o->from);
		return -1;
	}
	if (q->from_ms >= q->to_ms) {
		fprintf(stderr, "loket: --from is after --to\n");
		return -1;
	}
	q->agency = o->agency;
	return 0;
}

/* stdout, or FILE created 0600 (reports may carry case references, the
 * export carries contact details). */
static FILE *
open_out(const char *path)
{
	FILE *f;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
	    == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "loket: %s: cannot write\n", path);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

static int
close_out(FILE *f, const char *path)
{
	int bad = ferror(f) != 0;

	if (f == stdout)
		bad |= fflush(f) != 0;
	else
		bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "loket: %s: write failed\n", path ? path :
		    "standard output");
	return bad ? -1 : 0;
}

static int
write_report(FILE *f, struct store *st, const struct opts *o,
    const struct report_query *q)
{
	char err[256], *text;
	json_t *r;
	int rc;

	if (strcmp(o->format, "csv") == 0)
		return o->what == NULL || strcmp(o->what, "cases") == 0 ?
		    report_write_cases_csv(f, st, q, 0) :
		    report_write_conversations_csv(f, st, q);
	if ((r = report_build(st, q, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket: %s\n", err);
		return -1;
	}
	if (strcmp(o->format, "html") == 0) {
		rc = report_write_html(f, r);
	} else {
		text = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		rc = text != NULL && fprintf(f, "%s\n", text) > 0 ? 0 : -1;
		free(text);
	}
	json_decref(r);
	return rc;
}

static int
check_format(struct opts *o)
{
	if (o->format == NULL)
		o->format = "json";
	if (strcmp(o->format, "json") != 0 && strcmp(o->format, "csv") != 0
	    && strcmp(o->format, "html") != 0) {
		fprintf(stderr, "loket report: --format json, csv or html\n");
		return -1;
	}
	if (o->what != NULL && strcmp(o->what, "cases") != 0 &&
	    strcmp(o->what, "conversations") != 0) {
		fprintf(stderr, "loket report: --what cases or "
		    "conversations\n");
		return -1;
	}
	return 0;
}

/* Config, store, output; runs fn; closes everything. */
static int
run(const struct opts *o, const struct report_query *q0,
    int (*fn)(FILE *, struct store *, const struct opts *,
    const struct report_query *))
{
	struct report_query q = *q0;
	struct config *cfg;
	struct store *st;
	char err[512];
	FILE *f;
	int rc = 1;

	log_level_from_env();
	if ((cfg = cli_load_config(o->config, o->db)) == NULL)
		return 1;
	q.cfg = cfg;
	if (o->agency != NULL && o->config != NULL &&
	    config_agency(cfg, o->agency) == NULL)
		fprintf(stderr, "loket: warning: agency '%s' is not in the "
		    "config\n", o->agency);
	if ((st = store_open(cfg->db_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket: %s\n", err);
	} else if ((f = open_out(o->out)) != NULL) {
		rc = fn(f, st, o, &q) == 0 ? 0 : 1;
		if (close_out(f, o->out) == -1)
			rc = 1;
	}
	store_close(st);
	config_free(cfg);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	struct report_query q;
	struct opts o;

	memset(&o, 0, sizeof(o));
	if (parse(argc, argv, 1, &o, report_usage) == -1 ||
	    check_format(&o) == -1 || period(&o, DEFAULT_DAYS, &q) == -1)
		return 2;
	return run(&o, &q, write_report);
}

static int
write_export(FILE *f, struct store *st, const struct opts *o,
    const struct report_query *q)
{
	int rc = report_write_cases_csv(f, st, q, 1);

	/* Who exported is the operator's shell; the log says what. */
	log_info("event=cases_export agency=%s with_contact=1 ok=%d",
	    q->agency ? q->agency : "all", rc == 0);
	return rc;
}

int
cmd_cases(int argc, char **argv)
{
	struct report_query q;
	struct opts o;

	if (argc < 2 || strcmp(argv[1], "export") != 0) {
		if (argc >= 2 && cli_is_help(argv[1])) {
			cases_usage(stdout);
			return 0;
		}
		cases_usage(stderr);
		return 2;
	}
	memset(&o, 0, sizeof(o));
	if (parse(argc, argv, 2, &o, cases_usage) == -1 ||
	    period(&o, 0, &q) == -1)
		return 2;
	if (o.format != NULL || o.what != NULL) {
		fprintf(stderr, "loket cases export: CSV only\n");
		return 2;
	}
	return run(&o, &q, write_export);
}
