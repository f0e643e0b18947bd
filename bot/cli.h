/*
 * cli.h — option helpers shared by the subcommands: every command takes
 * --config FILE and --db FILE the same way.
 */
#ifndef LOKET_CLI_H
#define LOKET_CLI_H

#include <stdio.h>

struct config;

/*
 * If argv[*i] is "--name VALUE" or "--name=VALUE", stores VALUE, advances
 * *i past it and returns 1; returns -1 (after printing why) when the
 * value is missing; 0 when argv[*i] is another option.
 */
int	cli_opt(int argc, char **argv, int *i, const char *name,
	    const char **value);
/* One option of a command: a value it takes, or a flag it sets. */
struct cli_option {
	const char	 *name;		/* "--config" */
	const char	**value;	/* stores the value, or NULL */
	int		 *flag;		/* set to 1 when given, or NULL */
};

/*
 * Parses argv[first..argc) against opts (terminated by a NULL name):
 * --help / -h prints usage to stdout and exits 0; anything unknown prints
 * "loket CMD: unknown option X" and the usage to stderr.  Returns 0, or
 * -1 after printing why.
 */
int	cli_parse(int argc, char **argv, int first,
	    const struct cli_option *opts, void (*usage)(FILE *));

/* True if argv[i] is --help or -h. */
int	cli_is_help(const char *arg);
/*
 * Loads the config file (NULL: built-in defaults) with its environment
 * overrides, then applies --db when given.  On error prints
 * "loket: FILE:LINE: problem" to stderr and returns NULL.
 */
struct config *cli_load_config(const char *config_path, const char *db_path);

#endif
