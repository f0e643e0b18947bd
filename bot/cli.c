/*
 * cli.c — shared option handling for the subcommands.  See cli.h.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int
cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "loket: %s needs a value\n", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

int
cli_parse(int argc, char **argv, int first, const struct cli_option *opts,
    void (*usage)(FILE *))
{
	const struct cli_option *o;
	int i, rc;

	for (i = first; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			exit(0);
		}
		for (o = opts, rc = 0; o->name != NULL && rc == 0; o++) {
			if (o->flag != NULL && strcmp(argv[i], o->name) == 0) {
				*o->flag = 1;
				rc = 1;
			} else if (o->value != NULL)
				rc = cli_opt(argc, argv, &i, o->name, o->value);
		}
		if (rc == -1)
			return -1;
		if (rc == 0) {
			fprintf(stderr, "loket %s: unknown option %s\n",
			    argv[0], argv[i]);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

int
cli_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

struct config *
cli_load_config(const char *config_path, const char *db_path)
{
	struct config *cfg;
	char err[512];

	if ((cfg = config_load(config_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket: %s\n", err);
		return NULL;
	}
	if (db_path != NULL) {
		free(cfg->db_path);
		if ((cfg->db_path = strdup(db_path)) == NULL) {
			config_free(cfg);
			return NULL;
		}
	}
	return cfg;
}
