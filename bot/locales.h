/*
 * locales.h — every text the bot sends, by key, per language, from
 * locales/<lang>.txt.  File format: `key = text` lines, `#` comments,
 * `\n` for a line break inside a text, `\\` for a backslash, named
 * placeholders like {reference}.
 *
 * Checked at load, each error naming FILE:LINE:
 *   - nl.txt must exist and hold every key of the catalogue (the texts the
 *     dialog sends, see locales.c); fr.txt and en.txt are optional, but
 *     when present they must hold every catalogue key too: a half
 *     translated conversation is worse than a Dutch one.  Only topic
 *     answers (`onderwerp.<topic>`) fall back to nl when a language lacks
 *     them.
 *   - the catalogue also holds the texts conv_text.c adds around the
 *     dialog's replies (chatbot.intro, taal.alleen_nl, privacy.uitleg,
 *     klacht.bevestig_ingekort).
 *   - an unknown key (not in the catalogue, not onderwerp.*), a duplicate
 *     key, an unknown placeholder, a button title (knop.*) longer than
 *     WhatsApp's 20 characters are errors.
 * A loaded set is immutable; reloading builds a new set and the caller
 * swaps it in only when the load succeeded (the old set stays otherwise).
 * The editor's rules a loader need not enforce (forbidden terms, sentence
 * length, links on their own line, placeholders alike in every language)
 * are checked by tests/locales.sh.
 * Service thread, or one-shot commands.
 */
#ifndef LOKET_LOCALE_H
#define LOKET_LOCALE_H

#include <stddef.h>

#define LOCALE_BUTTON_MAX	20	/* WhatsApp reply button title */

struct locales;

struct locale_arg {
	const char	*name;		/* placeholder without braces */
	const char	*value;		/* NULL renders as "" */
};

/*
 * Loads DIR/nl.txt and, when present, DIR/fr.txt and DIR/en.txt.
 * Returns NULL on error after writing "FILE:LINE: problem" into err.
 */
struct locales	*locales_load(const char *dir, char *err, size_t errlen);
void		 locales_free(struct locales *l);
/* The Dutch set alone from len bytes of text (a whole nl.txt), with the
 * same checks; for the fuzzer.  NULL with "nl.txt:LINE: problem". */
struct locales	*locales_parse_nl(const char *text, size_t len, char *err,
		    size_t errlen);

/* Whether lang ("nl", "fr", "en") was loaded; nl always is. */
int		 locales_has_lang(const struct locales *l, const char *lang);
/* Whether key has a text in lang (with the onderwerp.* fallback). */
int		 locales_has(const struct locales *l, const char *lang,
		    const char *key);
/*
 * The raw text of key in lang (fallback as above), or NULL.  Valid until
 * locales_free().
 */
const char	*locales_text(const struct locales *l, const char *lang,
		    const char *key);
/*
 * Renders key in lang with the placeholders replaced by args (a
 * placeholder without a value renders empty).  Returns a malloc'd
 * string, or NULL when the key is unknown or memory runs out.
 */
char		*locales_render(const struct locales *l, const char *lang,
		    const char *key, const struct locale_arg *args,
		    size_t nargs);

/* The catalogue, NULL-terminated: keys every language must have, and
 * the placeholder names texts may use. */
extern const char *const locales_keys[];
extern const char *const locales_placeholders[];

#endif
