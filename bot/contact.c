/*
 * contact.c — e-mail addresses, Belgian phone numbers and dossier numbers
 * from free text (names: contact_name.c).  See contact.h.  Citizens type on phones: the
 * finders accept the notations people really use and only call a value
 * INVALID when it is clearly meant as an address or number, so a date or
 * an amount never triggers a "that number is wrong" reply.
 */
#include "contact.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

static void
copy_out(char *out, size_t outlen, const char *s, size_t n)
{
	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void
set_invalid(char *out, size_t outlen)
{
	copy_out(out, outlen, CONTACT_INVALID, strlen(CONTACT_INVALID));
}

/* ---- e-mail ---------------------------------------------------------- */

static int
is_email_sep(int c)
{
	return isspace(c) || strchr(",;<>()[]\"", c) != NULL;
}

static int
valid_local(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' && s[i + 1] == '.')
			return 0;
		if (!isalnum(c) && strchr(".!#$%&'*+/=?^_`{|}~-", c) == NULL)
			return 0;
	}
	return 1;
}

/* Labels of letters, digits and '-', at least two, TLD of letters. */
static int
valid_domain(const char *s, size_t n)
{
	size_t i, start = 0, labels = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return 0;
			continue;
		}
		if (i == start || i - start > 63 || s[start] == '-' ||
		    s[i - 1] == '-')
			return 0;
		labels++;
		if (i == n) {
			size_t k;

			if (i - start < 2)
				return 0;
			for (k = start; k < i; k++)
				if (!isalpha((unsigned char)s[k]))
					return 0;
		}
		start = i + 1;
	}
	return labels >= 2;
}

static int
valid_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return 0;
	return valid_local(s, (size_t)(at - s)) &&
	    valid_domain(at + 1, n - (size_t)(at - s) - 1);
}

/* The next word (letters and digits) at or after p, before end, and its
 * length in *n; NULL when there is none. */
static const char *
next_word(const char *p, const char *end, size_t *n)
{
	while (p < end && *p != '\0' && !isalnum((unsigned char)*p))
		p++;
	for (*n = 0; p + *n < end && isalnum((unsigned char)p[*n]); (*n)++)
		;
	return *n > 0 ? p : NULL;
}

/* Between two addresses (the first 16 words), a word that takes the
 * first back. */
static int
corrects(const char *from, const char *to)
{
	static const char *const cues[] = {
		"nee", "neen", "wacht", "sorry", "oeps", "bedoel", "bedoelde",
		"neem", "liever", "beter", "correctie", "pardon", "non",
		"plutot", "no", "rather", "instead", NULL
	};
	const char *w;
	size_t n;
	int k;

	if (from == NULL)
		return 0;
	for (k = 0; k < 16 && (w = next_word(from, to, &n)) != NULL; k++) {
		if (contact_word_in(cues, w, n))
			return 1;
		from = w + n;
	}
	return 0;
}

/* "marc punt willems at example punt com": an address written out, to
 * be asked again, never put together by guessing.  An "at" word after
 * the first, then a "dot" word among the next three with a word after
 * it (in the first 64 words). */
static int
spelled_out(const char *text)
{
	static const char *const at[] = {
		"at", "apenstaart", "arobase", "aapje", NULL
	};
	static const char *const dot[] = { "punt", "dot", "point", NULL };
	struct { const char *w; size_t n; } words[64];
	const char *p = text, *end = text + strlen(text);
	int n = 0, k, j;

	while (n < 64 && (words[n].w = next_word(p, end, &words[n].n)) !=
	    NULL) {
		p = words[n].w + words[n].n;
		n++;
	}
	for (k = 1; k + 2 < n; k++) {
		if (!contact_word_in(at, words[k].w, words[k].n))
			continue;
		for (j = k + 1; j + 1 < n && j <= k + 3; j++)
			if (contact_word_in(dot, words[j].w, words[j].n))
				return 1;
	}
	return 0;
}

enum contact_rc
contact_email(const char *text, char *out, size_t outlen)
{
	const char *p = text, *w, *found_end = NULL;
	enum contact_rc rc = CONTACT_NONE;
	size_t n, i;

	while (*p != '\0') {
		while (*p != '\0' && is_email_sep((unsigned char)*p))
			p++;
		w = p;
		while (*p != '\0' && !is_email_sep((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		if (n == 0 || memchr(w, '@', n) == NULL)
			continue;
		if (n > 7 && strncmp(w, "mailto:", 7) == 0) {
			w += 7;
			n -= 7;
		}
		while (n > 0 && strchr(".!?:'", w[n - 1]) != NULL)
			n--;
		if (n < CONTACT_EMAIL_MAX && n < outlen && valid_email(w, n)) {
			/* "koen@work.example nee wacht, neem koen@home.example":
			 * a later address after a correction replaces it */
			if (rc == CONTACT_FOUND && !corrects(found_end, w))
				continue;
			for (i = 0; i < n; i++)
				out[i] = (char)tolower((unsigned char)w[i]);
			out[n] = '\0';
			rc = CONTACT_FOUND;
			found_end = w + n;
			continue;
		}
		if (rc != CONTACT_FOUND)
			rc = CONTACT_BAD;
	}
	if (rc == CONTACT_NONE && spelled_out(text))
		rc = CONTACT_BAD;
	if (rc == CONTACT_BAD)
		set_invalid(out, outlen);
	return rc;
}

/* ---- phone ----------------------------------------------------------- */

static int
is_phone_sep(int c)
{
	return c == ' ' || c == '.' || c == '/' || c == '-' || c == '(' ||
	    c == ')';
}

/* Belgian national significant number: mobile 4[5-9] + 7, landline 8. */
static int
valid_be_nsn(const char *d, size_t n)
{
	if (n == 9 && d[0] == '4' && d[1] >= '5' && d[1] <= '9')
		return 1;
	/* 046x-049x are mobile: eight digits there are a number cut
	 * short, not a Liège (04) landline. */
	if (n == 8 && d[0] == '4' && d[1] >= '5' && d[1] <= '9')
		return 0;
	return n == 8 && d[0] >= '1' && d[0] <= '9';
}

/*
 * Normalises the digits of one candidate (plus: it started with '+').
 * Returns 1 and fills out, 0 when it is not a phone number at all, -1
 * when it starts like one but is invalid.
 */
static int
normalise_phone(const char *d, size_t n, int plus, char *out, size_t outlen)
{
	if (!plus && n >= 2 && d[0] == '0' && d[1] == '0') {
		d += 2;
		n -= 2;
		plus = 1;
	}
	if (plus && n >= 2 && d[0] == '3' && d[1] == '2') {
		d += 2;
		n -= 2;
		if (n > 0 && d[0] == '0')	/* +32 (0)470 ... */
			d++, n--;
		if (!valid_be_nsn(d, n))
			return -1;
	} else if (plus) {
		if (n < 8 || n > 15 || d[0] == '0')
			return -1;
		if (n + 2 > outlen)
			return -1;
		out[0] = '+';
		memcpy(out + 1, d, n);
		out[n + 1] = '\0';
		return 1;
	} else if (n > 0 && d[0] == '0') {
		d++;
		n--;
		if (!valid_be_nsn(d, n))
			return -1;
	} else {
		return 0;
	}
	if (n + 4 > outlen)
		return -1;
	memcpy(out, "+32", 3);
	memcpy(out + 3, d, n);
	out[n + 3] = '\0';
	return 1;
}

/* dd/mm, dd/mm/yy(yy), with / . or - : a date, not a number. */
static int
looks_like_date(const char *s, size_t n)
{
	int groups = 0, len = 0, lens[4] = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			len++;
			continue;
		}
		if (strchr("/.-", s[i]) == NULL || len == 0 || groups >= 3)
			return 0;
		lens[groups++] = len;
		len = 0;
	}
	lens[groups++] = len;
	if (groups < 2 || groups > 3 || lens[0] > 2 || lens[1] > 2)
		return 0;
	return groups == 2 || lens[2] == 2 || lens[2] == 4;
}

/*
 * Examines the run of digits and separators at s (length n).  Tries the
 * longest prefix ending at a digit group first, so two numbers in a row
 * do not spoil the first one.
 */
static int
phone_run(const char *s, size_t n, char *out, size_t outlen)
{
	char digits[32];
	size_t i, nd = 0, ends[16], ne = 0;
	int plus = (s[0] == '+'), rc;

	if (looks_like_date(s, n))
		return 0;
	for (i = plus; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			if (nd == sizeof(digits) - 1)
				break;
			digits[nd++] = s[i];
			if ((i + 1 == n || !isdigit((unsigned char)s[i + 1])) &&
			    ne < 16)
				ends[ne++] = nd;
		}
	}
	/* A shorter prefix counts only when what follows is long enough to
	 * be a number of its own: "0486 55 44 33 2" has a digit too many and
	 * is invalid, never cut to the first ten digits. */
	while (ne > 0) {
		ne--;
		if (ends[ne] != nd && nd - ends[ne] < 6)
			continue;
		rc = normalise_phone(digits, ends[ne], plus, out, outlen);
		if (rc == 1)
			return 1;
		if (rc == 0)
			return 0;
	}
	if (nd >= 6 && (plus || digits[0] == '0'))
		return -1;
	return 0;
}

enum contact_rc
contact_phone(const char *text, char *out, size_t outlen)
{
	const char *p = text, *start;
	enum contact_rc rc = CONTACT_NONE;
	int seps, r;

	while (*p != '\0') {
		int at_boundary = (p == text ||
		    !isalnum((unsigned char)p[-1]));

		if (!at_boundary || !(isdigit((unsigned char)*p) ||
		    (*p == '+' && isdigit((unsigned char)p[1])))) {
			p++;
			continue;
		}
		start = p++;
		for (seps = 0; *p != '\0'; p++) {
			if (isdigit((unsigned char)*p))
				seps = 0;
			else if (is_phone_sep((unsigned char)*p) && ++seps <= 2)
				continue;
			else
				break;
		}
		while (p > start && !isdigit((unsigned char)p[-1]))
			p--;
		/* A letter glued to the digits: "14u", "3de", "ab12". */
		if (isalpha((unsigned char)*p)) {
			p++;
			continue;
		}
		r = phone_run(start, (size_t)(p - start), out, outlen);
		if (r == 1)
			return CONTACT_FOUND;
		if (r == -1)
			rc = CONTACT_BAD;
		if (p == start)
			p++;
	}
	if (rc == CONTACT_BAD)
		set_invalid(out, outlen);
	return rc;
}

/* ---- dossier --------------------------------------------------------- */

/* A code with at least four digits and a letter or separator, right
 * after a word that names it: "dossier HP-2023-045871", "nummer
 * KMOG-2024-00731", "ref. 2024/KMO/118342".  Agencies write their own
 * formats in dossier_pattern; this catches the ones they did not. */
/* "KMO-2024-118734", "HP/2023/0458": capitals, a separator and digits
 * name a dossier by their shape, whatever word comes before. */
static int
coded(const char *w, size_t n)
{
	size_t caps = 0;

	while (caps < n && (isupper((unsigned char)w[caps]) ||
	    (caps > 0 && w[caps] == '&')))	/* "O&O-2023-5521" */
		caps++;
	return caps >= 2 && caps < n && strchr("-/", w[caps]) != NULL &&
	    n >= 8;
}

static int
generic_dossier(const char *text, regoff_t *so, regoff_t *eo,
    regoff_t *gso, regoff_t *geo)
{
	static const char *const names[] = {
		"dossier", "dossiernummer", "dossiernr", "referentie",
		"referentienummer", "ref", "refnr", "nummer", "nr", "file",
		"case", "reference", "numero", "no", "n", "aanvraag",
		"aanvraagnummer", "kenmerk", "zaaknummer", "demande",
		"application", NULL
	};
	const char *p = text, *w, *q;
	int after = 0, digits, letters, seps, i, known;
	size_t n, k;

	while (*p != '\0') {
		p += strspn(p, " \t\r\n,;:()\"#");
		w = p;
		n = strcspn(p, " \t\r\n,;:()\"#");
		p += n;
		while (n > 0 && (w[n - 1] == '.' || w[n - 1] == '?' ||
		    w[n - 1] == '!'))
			n--;
		for (digits = letters = seps = 0, k = 0; k < n; k++) {
			if (isdigit((unsigned char)w[k]))
				digits++;
			else if (isalpha((unsigned char)w[k]))
				letters++;
			else if (strchr("/.-_&", w[k]) != NULL)
				seps++;	/* '&': "O&O-2023-5521" */
			else
				break;
		}
		if ((after > 0 || coded(w, n)) && k == n && digits >= 4 &&
		    n >= 6 &&
		    (letters > 0 || seps > 0) && memchr(w, '@', n) == NULL &&
		    !looks_like_date(w, n) && isalnum((unsigned char)w[0]) &&
		    (letters > 0 || (w[0] != '0' && w[0] != '+'))) {
			*so = *gso = (regoff_t)(w - text);
			*eo = *geo = (regoff_t)(w - text + (long)n);
			return 1;
		}
		for (known = 0, i = 0; names[i] != NULL && !known; i++) {
			q = names[i];
			known = strlen(q) == n && strncasecmp(q, w, n) == 0;
		}
		if (known || (n > 7 && strncasecmp(w, "dossier", 7) == 0))
			after = 3;
		else if (after > 0)
			after--;
	}
	return 0;
}

static int
dossier_span(const char *text, const struct strlist *patterns,
    regoff_t *so, regoff_t *eo, regoff_t *gso, regoff_t *geo)
{
	const regex_t *compiled;
	regex_t re;
	regmatch_t m[2];
	size_t i, nsub;
	int hit;

	if (patterns == NULL)
		return generic_dossier(text, so, eo, gso, geo);
	compiled = patterns->compiled;
	for (i = 0; i < patterns->n; i++) {
		if (compiled != NULL) {		/* from the config */
			hit = regexec(&compiled[i], text, 2, m, 0) == 0;
			nsub = compiled[i].re_nsub;
		} else {
			if (regcomp(&re, patterns->v[i],
			    REG_EXTENDED | REG_ICASE))
				continue;
			hit = regexec(&re, text, 2, m, 0) == 0;
			nsub = re.re_nsub;
			regfree(&re);
		}
		if (!hit)
			continue;
		*so = m[0].rm_so;
		*eo = m[0].rm_eo;
		if (nsub >= 1 && m[1].rm_so != -1) {
			*gso = m[1].rm_so;
			*geo = m[1].rm_eo;
		} else {
			*gso = m[0].rm_so;
			*geo = m[0].rm_eo;
		}
		return 1;
	}
	return generic_dossier(text, so, eo, gso, geo);
}

enum contact_rc
contact_dossier(const char *text, const struct strlist *patterns,
    char *out, size_t outlen)
{
	regoff_t so, eo, gso, geo;

	if (!dossier_span(text, patterns, &so, &eo, &gso, &geo) || geo <= gso)
		return CONTACT_NONE;
	copy_out(out, outlen, text + gso, (size_t)(geo - gso));
	return CONTACT_FOUND;
}

/* ---- all at once ------------------------------------------------------ */

/* Where a phone number or an address may start: an '@' in the word, or
 * "+32..." / "04..." (a house number or a date does not start so). */
static int
contact_start(const char *w, size_t n)
{
	return memchr(w, '@', n) != NULL || (n >= 2 && (w[0] == '+' ||
	    (w[0] == '0' && isdigit((unsigned char)w[1]))));
}

/* Words with digits or an '@' (numbers, addresses) become commas, so a
 * name before, between or after them stands on its own: "0471 23 45 67 -
 * els@example.com - Els Maes".  *first is the offset of the first that may
 * start a phone number or an address, or -1. */
static void
blank_data(char *s, long *first)
{
	char *w = s;
	size_t n, i;

	*first = -1;
	while (*w != '\0') {
		w += strspn(w, " \t\r\n");
		n = strcspn(w, " \t\r\n");
		for (i = 0; i < n; i++)
			if (isdigit((unsigned char)w[i]) || w[i] == '@')
				break;
		if (i < n) {
			if (*first == -1 && contact_start(w, n))
				*first = w - s;
			memset(w, ' ', n);
			w[0] = ',';
		}
		w += n;
	}
}

void
contact_extract(const char *text, const struct strlist *patterns,
    int name_asked, struct contact_found *out)
{
	regoff_t so, eo, gso, geo;
	char *copy;
	long first;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return;
	copy = strdup(text);
	if (copy == NULL)
		return;
	if (dossier_span(copy, patterns, &so, &eo, &gso, &geo) && geo > gso) {
		copy_out(out->dossier, sizeof(out->dossier), copy + gso,
		    (size_t)(geo - gso));
		memset(copy + so, ' ', (size_t)(eo - so));
	}
	contact_email(copy, out->email, sizeof(out->email));
	contact_phone(copy, out->phone, sizeof(out->phone));
	blank_data(copy, &first);
	contact_name(copy, name_asked, out->name, sizeof(out->name));
	/* "... Ann Willems, ann@example.org, 04 95 ...": the name that
	 * stands with the details, also when it was not asked for */
	if (out->name[0] == '\0' && first >= 0 && (out->email[0] != '\0' ||
	    out->phone[0] != '\0'))
		contact_name_before(copy, (size_t)first, out->name,
		    sizeof(out->name));
	free(copy);
}
