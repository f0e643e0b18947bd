/*
 * contact.h — contact details and dossier numbers found in a citizen's
 * free text: names, e-mail addresses, Belgian phone numbers (normalised
 * to E.164) and dossier numbers recognised by an agency's patterns.
 * Pure functions: no I/O, no allocation that outlives a call.  Used by
 * the dialog (service thread) and by `loket classify`.
 */
#ifndef LOKET_CONTACT_H
#define LOKET_CONTACT_H

#include <stddef.h>

struct strlist;

/* Value stored when an address or number is clearly meant but invalid. */
#define CONTACT_INVALID	"INVALID"

#define CONTACT_NAME_MAX	96
#define CONTACT_EMAIL_MAX	128
#define CONTACT_PHONE_MAX	20	/* "+32470123456" and foreign E.164 */
#define CONTACT_DOSSIER_MAX	64

/* Results of the finders below. */
enum contact_rc {
	CONTACT_NONE = 0,	/* nothing that looks like one */
	CONTACT_FOUND = 1,	/* out holds the normalised value */
	CONTACT_BAD = -1	/* looks meant but invalid; out = "INVALID" */
};

struct contact_found {
	char	name[CONTACT_NAME_MAX];		/* "" when none */
	char	email[CONTACT_EMAIL_MAX];	/* lower case, or "INVALID" */
	char	phone[CONTACT_PHONE_MAX];	/* E.164, or "INVALID" */
	char	dossier[CONTACT_DOSSIER_MAX];
};

/*
 * The first e-mail address in text, lower-cased.  A word with an '@'
 * that is not a valid address ("jan@@telenet") gives CONTACT_BAD.
 */
enum contact_rc	contact_email(const char *text, char *out, size_t outlen);

/*
 * The first phone number in text, as E.164 ("+32470123456").  Accepts
 * Belgian mobile and landline numbers in the usual notations (0470 12 34
 * 56, 0470/12.34.56, +32 470 12 34 56, 0032 ..., 02 553 11 11,
 * 09/123.45.67) and other +CC numbers.  A number that starts like a
 * phone number but has the wrong length gives CONTACT_BAD.  Dates such as
 * 03/06/2025 are not numbers.
 */
enum contact_rc	contact_phone(const char *text, char *out, size_t outlen);

/*
 * A name the citizen states: "ik ben Els Peeters", "mijn naam is ...",
 * "naam: ...", "ik heet ...", and French/English equivalents.  When
 * asked is set (the bot just asked for a name) a bare name is accepted
 * too ("els peeters", "Peeters, Els").  All-lower-case names are
 * capitalised ("els van den broeck" -> "Els van den Broeck").
 */
enum contact_rc	contact_name(const char *text, int asked, char *out,
		    size_t outlen);

/*
 * The name just before byte at of text, where an address or number
 * starts: "... vrijdag. Ann Willems, ann@example.org".  Only two or more
 * capitalised words alone in their part of the sentence (after a full
 * stop, colon, comma ...) count.  1 and the name in out, else 0.
 */
int		contact_name_before(const char *text, size_t at, char *out,
		    size_t outlen);

/* Whether the n-byte word w, lower-cased, is in the NULL-ended list of
 * lower-case words. */
int		contact_word_in(const char *const *list, const char *w,
		    size_t n);

/*
 * Whether the n-byte word w can never be part of a name: an everyday
 * word ("fout", "niet", "ok"), an insult; particles ("van", "de") can.
 */
int		contact_name_stopword(const char *w, size_t n);

/*
 * The first dossier number matched by one of patterns (POSIX extended
 * regular expressions, case-insensitive, group 1 = the number, or the
 * whole match without a group).  Patterns that do not compile are
 * skipped.  patterns may be NULL.
 */
enum contact_rc	contact_dossier(const char *text,
		    const struct strlist *patterns, char *out, size_t outlen);

/*
 * All of the above at once.  The dossier number is looked for first and
 * blanked out, so its digits are never mistaken for a phone number.
 */
void		contact_extract(const char *text,
		    const struct strlist *patterns, int name_asked,
		    struct contact_found *out);

/*
 * The text with personal data replaced by placeholders (contact_mask.c),
 * for what leaves the database: e-mail addresses {email}, IBANs {iban},
 * phone numbers (also invalid ones: eight to fifteen digits from 0, + or
 * 32) {telefoon}, dossier and case numbers (the agency's patterns, codes
 * mixing letters and digits, numbers after "dossier", "ref", "kenmerk",
 * ..., and other numbers of six digits or more) {dossier}, street
 * addresses and "9000 Gent" {adres}, names (stated as contact_name()
 * finds them, after a title or a closing greeting, and every word of
 * known_names, a NULL-terminated list that may be NULL) {naam}.  Dates,
 * times and amounts stay.  Neighbouring placeholders of one kind become
 * one; invalid UTF-8 becomes '?'; only the first 16 KiB are read.
 * Returns a malloc'd string, or NULL on out-of-memory.
 */
char		*contact_mask(const char *text, const struct strlist *patterns,
		    const char *const *known_names);

#endif
