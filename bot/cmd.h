/*
 * cmd.h — the subcommands of the loket binary.  Each lives in its own
 * cmd_<name>.c, takes argc/argv starting at the subcommand name, and
 * returns the process exit status.  main.c only dispatches.
 */
#ifndef LOKET_CMD_H
#define LOKET_CMD_H

struct command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*summary;
};

int	cmd_serve(int argc, char **argv);
int	cmd_staff(int argc, char **argv);
int	cmd_classify(int argc, char **argv);
int	cmd_intents(int argc, char **argv);

/* The table, NULL-terminated; main.c defines it. */
extern const struct command commands[];

#endif
