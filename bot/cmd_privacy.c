/*
 * cmd_privacy.c — `loket purge --older-than 400d` (retention) and
 * `loket erase --user ID` (a citizen's request).  Both log and print what
 * they changed, as counts; never the data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "store.h"

static void
purge_usage(FILE *f)
{
	fprintf(f, "usage: loket purge --older-than DURATION [--config FILE] "
	    "[--db FILE]\n\n"
	    "Removes the personal data (names, e-mail, phone numbers, user "
	    "ids,\nmessage texts, raw JSON, case contact details and "
	    "descriptions) of\nconversations closed and cases handled longer "
	    "ago than DURATION\n(400d, 24h, ...).  Outcome rows and counts "
	    "stay: reports do not change.\n");
}

static void
erase_usage(FILE *f)
{
	fprintf(f, "usage: loket erase --user ID [--config FILE] "
	    "[--db FILE]\n\n"
	    "Removes one citizen's data on request, on every channel and "
	    "agency:\nmessages, names and numbers, case contact details, "
	    "replies; open\nconversations are closed.  ID is the WhatsApp "
	    "number or user id, or\nthe Messenger PSID.\n");
}

static int
parse(int argc, char **argv, const char *name, const char **value,
    const char **config, const char **db, void (*usage)(FILE *))
{
	const struct cli_option opts[] = {
		{ "--config", config, NULL },
		{ "--db", db, NULL },
		{ name, value, NULL },
		{ NULL, NULL, NULL }
	};

	if (cli_parse(argc, argv, 1, opts, usage) == -1)
		return -1;
	if (*value == NULL || **value == '\0') {
		fprintf(stderr, "loket: %s is required\n", name);
		usage(stderr);
		return -1;
	}
	return 0;
}

static struct store *
open_store(const char *config, const char *db, struct config **cfg)
{
	struct store *st;
	char err[512];

	log_level_from_env();
	if ((*cfg = cli_load_config(config, db)) == NULL)
		return NULL;
	if ((st = store_open((*cfg)->db_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket: %s\n", err);
		config_free(*cfg);
	}
	return st;
}

static void
print_counts(const char *what, const struct report_purge_counts *c)
{
	printf("%s: conversations %ld, messages %ld, delivery statuses %ld, "
	    "replies %ld, cases %ld, unexpected bodies %ld, review items %ld, "
	    "photos and files %ld\n", what, c->conversations, c->inbound,
	    c->statuses, c->outbox, c->cases, c->unexpected, c->review,
	    c->media);
}

int
cmd_purge(int argc, char **argv)
{
	const char *config = NULL, *db = NULL, *age = NULL;
	struct report_purge_counts c;
	struct config *cfg;
	struct store *st;
	char cutoff_day[11], what[64];
	long long cutoff;
	long secs;
	int rc;

	if (parse(argc, argv, "--older-than", &age, &config, &db,
	    purge_usage) == -1)
		return 2;
	if ((secs = config_parse_duration(age)) <= 0) {
		fprintf(stderr, "loket purge: --older-than: a duration like "
		    "400d: %s\n", age);
		return 2;
	}
	if ((st = open_store(config, db, &cfg)) == NULL)
		return 1;
	memset(&c, 0, sizeof(c));
	cutoff = store_now_ms() - (long long)secs * 1000;
	rc = report_purge(st, cutoff, 0, &c);
	report_format_date(cutoff, cutoff_day);
	log_info("event=purge before=%s conversations=%ld inbound=%ld "
	    "statuses=%ld outbox=%ld cases=%ld unexpected=%ld review=%ld "
	    "media=%ld ok=%d", cutoff_day, c.conversations, c.inbound,
	    c.statuses, c.outbox, c.cases, c.unexpected, c.review, c.media,
	    rc == 1);
	snprintf(what, sizeof(what), "purged before %s", cutoff_day);
	print_counts(what, &c);
	store_close(st);
	config_free(cfg);
	return rc == 1 ? 0 : 1;
}

int
cmd_erase(int argc, char **argv)
{
	const char *config = NULL, *db = NULL, *user = NULL;
	struct report_purge_counts c;
	struct config *cfg;
	struct store *st;
	int rc;

	if (parse(argc, argv, "--user", &user, &config, &db,
	    erase_usage) == -1)
		return 2;
	if ((st = open_store(config, db, &cfg)) == NULL)
		return 1;
	memset(&c, 0, sizeof(c));
	rc = report_erase(st, user, store_now_ms(), &c);
	/* The id itself is personal data: not logged. */
	log_info("event=erase conversations=%ld inbound=%ld statuses=%ld "
	    "outbox=%ld cases=%ld unexpected=%ld review=%ld media=%ld ok=%d",
	    c.conversations, c.inbound, c.statuses, c.outbox, c.cases,
	    c.unexpected, c.review, c.media, rc == 0);
	if (rc == 0)
		print_counts("erased", &c);
	else
		fprintf(stderr, "loket erase: failed, nothing changed\n");
	store_close(st);
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}
