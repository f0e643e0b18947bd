/*
 * cmd_staff.c — `loket staff add|list|remove`: console accounts.  The
 * password comes from standard input (first line), or is generated and
 * printed once when stdin is a terminal or empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "staff.h"
#include "store.h"

static void
staff_usage(FILE *f)
{
	fprintf(f, "usage: loket staff add NAME "
	    "[--role staff|coordinator|admin|author]"
	    "\n       loket staff list\n       loket staff remove NAME\n\n"
	    "Console accounts.  'add' reads the password from the first line "
	    "of\nstandard input; when stdin is a terminal or empty it "
	    "generates one\nand prints it once.  Passwords need %d or more "
	    "characters.\nRoles: staff (conversations), coordinator and admin "
	    "(also decide cases\nand review misunderstood messages), author "
	    "(only the review of\nmisunderstood messages, masked).\n\n"
	    "  --config FILE  configuration\n"
	    "  --db FILE      SQLite database\n", STAFF_PW_MIN);
}

/* First line of stdin into pw, or a generated password (*generated = 1). */
static int
read_password(char *pw, size_t len, int *generated)
{
	size_t n;

	*generated = 0;
	if (!isatty(STDIN_FILENO) && fgets(pw, (int)len, stdin) != NULL) {
		n = strcspn(pw, "\r\n");
		pw[n] = '\0';
		if (n > 0)
			return 0;
	}
	*generated = 1;
	return staff_random_hex(pw, 12);	/* 24 hex chars, 96 bits */
}

static int
do_add(struct store *st, const char *name, const char *role)
{
	char pw[256];
	int generated, rc;

	if (!staff_name_valid(name)) {
		fprintf(stderr, "loket staff: invalid name '%s' (letters, "
		    "digits, . - _ @; at most %d)\n", name, STAFF_NAME_MAX - 1);
		return 2;
	}
	if (!staff_role_valid(role)) {
		fprintf(stderr, "loket staff: unknown role '%s'\n", role);
		return 2;
	}
	if (read_password(pw, sizeof(pw), &generated) == -1)
		return 1;
	if (strlen(pw) < STAFF_PW_MIN) {
		fprintf(stderr, "loket staff: password shorter than %d "
		    "characters\n", STAFF_PW_MIN);
		return 2;
	}
	rc = staff_add(st, name, role, pw);
	if (rc == -2) {
		fprintf(stderr, "loket staff: '%s' exists already\n", name);
		return 1;
	}
	if (rc == -1) {
		fprintf(stderr, "loket staff: database error\n");
		return 1;
	}
	if (generated)
		printf("password for %s: %s\n", name, pw);
	printf("added %s (%s)\n", name, role);
	return 0;
}

static void
print_account(const struct staff_account *a, void *arg)
{
	char when[32];
	time_t t = (time_t)(a->created_at / 1000);
	struct tm tm;

	(void)arg;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%MZ", &tm);
	printf("%-24s %-12s %s\n", a->name, a->role, when);
}

static int
run(struct store *st, const char *verb, const char *name, const char *role)
{
	int rc;

	if (strcmp(verb, "add") == 0)
		return do_add(st, name, role);
	if (strcmp(verb, "list") == 0)
		return staff_each(st, print_account, NULL) == 0 ? 0 : 1;
	rc = staff_remove(st, name);
	if (rc == -2)
		fprintf(stderr, "loket staff: no account '%s'\n", name);
	else if (rc == 0)
		printf("removed %s\n", name);
	return rc == 0 ? 0 : 1;
}

int
cmd_staff(int argc, char **argv)
{
	const char *config = NULL, *db = NULL, *role = "staff";
	const char *verb = NULL, *name = NULL;
	struct config *cfg;
	struct store *st;
	char err[512];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			staff_usage(stdout);
			return 0;
		}
		if ((rc = cli_opt(argc, argv, &i, "--config", &config)) != 0 ||
		    (rc = cli_opt(argc, argv, &i, "--db", &db)) != 0 ||
		    (rc = cli_opt(argc, argv, &i, "--role", &role)) != 0) {
			if (rc == -1)
				return 2;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "loket staff: unknown option %s\n",
			    argv[i]);
			return 2;
		} else if (verb == NULL) {
			verb = argv[i];
		} else if (name == NULL) {
			name = argv[i];
		} else {
			staff_usage(stderr);
			return 2;
		}
	}
	if (verb == NULL || (strcmp(verb, "list") != 0 && name == NULL) ||
	    (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 &&
	    strcmp(verb, "remove") != 0)) {
		staff_usage(stderr);
		return 2;
	}
	if ((cfg = cli_load_config(config, db)) == NULL)
		return 1;
	if ((st = store_open(cfg->db_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket staff: %s\n", err);
		config_free(cfg);
		return 1;
	}
	rc = run(st, verb, name, role);
	store_close(st);
	config_free(cfg);
	return rc;
}
