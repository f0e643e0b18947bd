/*
 * lang.h — guesses whether a message is Dutch, French or English from
 * built-in stop-word lists.  Dutch unless the text clearly says
 * otherwise: Flemish chat borrows "merci", "sorry", "ok" and "please",
 * so those count for no language.  Pure, any thread.
 */
#ifndef LOKET_LANG_H
#define LOKET_LANG_H

/* tokens: the NORM_RAW normalisation of the message.  Returns "nl",
 * "fr" or "en" (static strings). */
const char *lang_detect(const char *tokens);
/* For the unit test: 1 if the stop-word table is sorted. */
int	lang_table_sorted(void);

#endif
