/*
 * main.c — argv dispatch to the subcommands.  Every subcommand parses its
 * own options (see cli.h for the shared --config / --db handling).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct command commands[] = {
	{ "serve", cmd_serve, "run the webhook server and staff console" },
	{ "staff", cmd_staff, "add, list and remove console accounts" },
	{ "classify", cmd_classify, "classify messages from stdin, JSON lines "
	    "out" },
	{ "intents", cmd_intents, "check the phrase files, score a labelled "
	    "set" },
	{ "chat", cmd_chat, "talk to the bot in the terminal, as a citizen" },
	{ "report", cmd_report, "figures, complaint register, HTML report" },
	{ "cases", cmd_cases, "cases export: the register with contact "
	    "details" },
	{ "purge", cmd_purge, "remove personal data older than a period" },
	{ "migrate", cmd_migrate, "copy a SQLite installation into "
	    "PostgreSQL" },
	{ "erase", cmd_erase, "remove one citizen's data on request" },
	{ NULL, NULL, NULL }
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: loket COMMAND [options]\n\n"
	    "Loket answers citizens on WhatsApp and Messenger for Flemish\n"
	    "government agencies.  Commands:\n\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nEvery command takes --config FILE and --db FILE; "
	    "'loket COMMAND --help' describes one.\n");
}

int
main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("loket %s\n", LOKET_VERSION);
		return 0;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "loket: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
