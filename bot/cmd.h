/*
 * cmd.h — the subcommands of the loket binary.  Each lives in its own
 * cmd_<name>.c, takes argc/argv starting at the subcommand name, and
 * returns the process exit status.  main.c only dispatches.
 */
#ifndef LOKET_CMD_H
#define LOKET_CMD_H

#include <stddef.h>

struct command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*summary;
};

int	cmd_serve(int argc, char **argv);
int	cmd_staff(int argc, char **argv);
int	cmd_chat(int argc, char **argv);
int	cmd_classify(int argc, char **argv);
int	cmd_intents(int argc, char **argv);
int	cmd_report(int argc, char **argv);
int	cmd_cases(int argc, char **argv);
int	cmd_purge(int argc, char **argv);
int	cmd_erase(int argc, char **argv);
int	cmd_migrate(int argc, char **argv);

/*
 * The phrase directory for classify and intents: dir when given, else
 * the config file's "intents" key when config_path is given, else
 * "intents/nl".  Writes it into out; returns 0, or -1 after printing
 * why the config could not be loaded.
 */
int	cmd_intents_dir(const char *dir, const char *config_path,
	    const char *db_path, char *out, size_t outlen);

/* `loket intents review` (cmd_review.c). */
int	cmd_intents_review(int argc, char **argv);
/*
 * Adds phrase to intent's phrase file in dir (or to FILE.pending beside
 * it when pending is set) after checking the set and scoring the
 * held-out tests[0..ntests) with and without it (cmd_review_apply.c);
 * refused when a held-out macro-F1 drops, unless force.  Prints what it
 * did; returns the exit status (0 applied).
 */
int	cmd_review_apply(const char *dir, const char *intent,
	    const char *phrase, const char *const *tests, int ntests,
	    int pending, int force);

struct intent_model;
struct intent_eval;
/*
 * Scores the labelled file ("intent<TAB>message" lines) against model m
 * (built from dir, named in warnings) as `loket intents test` does: the
 * classifier, then the signals.  show_errors prints each miss.  Returns
 * 0, or -1 after printing why.
 */
int	cmd_intents_score(struct intent_model *m, const char *dir,
	    const char *file, int show_errors, struct intent_eval *fine,
	    struct intent_eval *core);

#endif
