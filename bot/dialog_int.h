/*
 * dialog_int.h — private to dialog.c, dialog_case.c and dialog_match.c:
 * the helpers the steps share.  Not for other modules.
 */
#ifndef LOKET_DIALOG_INT_H
#define LOKET_DIALOG_INT_H

#include "dialog.h"

/* Every question is asked at most this often; then staff takes over. */
#define DIALOG_MAX_ASKS	2

/* A menu: the buttons in order ("2" picks the second). */
struct dlg_menu {
	const char	*ids[DIALOG_MAX_CHOICES];
	const char	*keys[DIALOG_MAX_CHOICES];
	int		 n;
};

extern const struct dlg_menu dlg_menu_main;	/* vraag, klacht, suggestie */
extern const struct dlg_menu dlg_menu_clarify;	/* klacht, vraag, suggestie */
extern const struct dlg_menu dlg_menu_confirm;	/* ja, nee */
extern const struct dlg_menu dlg_menu_fix;	/* naam, contact, beschr. */

/* dialog_match.c */
int	dlg_words(const char *text);
/* The detail of a summary named in text ("de naam", "het nummer"):
 * "naam", "contact" or "beschrijving", skipping negated words; NULL. */
const char *dlg_field(const char *text);
/* A button pressed or a menu number typed ("2"); else NULL. */
const char *dlg_menu_pick(const struct dialog_input *in,
	    const struct dlg_menu *menu, const char *const *extra);
/* A menu choice: picked, or named in a short or opening phrase. */
const char *dlg_choice(const struct dialog_input *in,
	    const struct dlg_menu *menu);
/* "ja" or "nee" (when the menu offers them): picked, or said short or
 * at the start of the message; else NULL. */
const char *dlg_answer(const struct dialog_input *in,
	    const struct dlg_menu *menu);
/* Whether text opens with a plain "ja" / "graag" (not "ok" or 👍). */
int	dlg_plain_yes(const char *text);
/* Whether at least n words follow the opening answer or choice. */
int	dlg_rest_words(const struct dialog_input *in, int n);
/* Whether the citizen takes the complaint back ("toch geen klacht"). */
int	dlg_withdraws(const char *text);
/* Whether the citizen points at the number they write from. */
int	dlg_this_number(const char *text);
int	dlg_is(const struct dialog_input *in, const char *intent);

/* dialog.c */
struct dialog_reply *dlg_reply(struct dialog_output *out, const char *key);
/* Adds the menu's buttons to r (NULL: nothing). */
void	dlg_add_menu(struct dialog_reply *r, const struct dlg_menu *m);
void	dlg_reply_menu(struct dialog_output *out, const char *key,
	    const struct dlg_menu *m);
void	dlg_outcome(struct dialog_state *st, const char *outcome);
/* Drops name, e-mail and phone: they live only as long as a case. */
void	dlg_forget_contact(struct dialog_state *st);
void	dlg_handover(struct dialog_state *st, struct dialog_output *out,
	    const char *key);
/*
 * Asks the question of step (first_key the first time, again_key the
 * second), or hands over with handover_key when it was asked twice.
 * Returns the reply to add choices to, or NULL after a hand-over.
 */
struct dialog_reply *dlg_ask(struct dialog_state *st,
	    struct dialog_output *out, enum dialog_step step,
	    const char *first_key, const char *again_key,
	    const char *handover_key);
void	dlg_general(const struct agency *a, struct dialog_state *st,
	    const struct dialog_input *in, struct dialog_output *out);
void	dlg_copy(char *dst, size_t len, const char *src);
void	dlg_keep_description(struct dialog_state *st,
	    const struct dialog_input *in);

/* dialog_case.c */
/* Whether the agency sends complaints about a dossier to a service of
 * their own (a's dossier_email). */
int	dlg_refers_dossiers(const struct agency *a);
void	dlg_confirmed_complaint(const struct agency *a,
	    struct dialog_state *st, const struct dialog_input *in,
	    struct dialog_output *out);
/* Whether the input is what a case step asked for (a name, an address
 * or number, even an invalid one, a description, a choice). */
int	dlg_case_expected(const struct agency *a,
	    const struct dialog_state *st, const struct dialog_input *in);
/* Steps DS_ASK_NAME .. DS_FIX; 1 if handled, 0 to fall through to the
 * general handling (the citizen changed the subject). */
int	dlg_case_step(const struct agency *a, struct dialog_state *st,
	    const struct dialog_input *in, struct dialog_output *out);

#endif
