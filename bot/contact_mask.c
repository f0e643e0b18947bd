/*
 * contact_mask.c — personal data out of a citizen's text before it
 * leaves the database (the review of misunderstood messages, issue 15):
 * names, phone numbers, e-mail addresses, dossier and case numbers, IBANs
 * and addresses become {naam}, {telefoon}, {email}, {dossier}, {iban}
 * and {adres}.  Built on the finders of contact.c and contact_name.c,
 * but it errs on the side of masking: anything that may be a number of
 * a person goes, a date or an amount stays.  Pure; see contact.h.
 */
#include "contact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "utf8.h"

enum kind { K_NAME, K_PHONE, K_EMAIL, K_DOSSIER, K_IBAN, K_ADDRESS };

static const char *const placeholder[] = {
	"{naam}", "{telefoon}", "{email}", "{dossier}", "{iban}", "{adres}"
};

#define MASK_IN_MAX	16384	/* bytes of text read; the rest is cut */
#define SPANS_MAX	256

struct span {
	size_t	a, b;		/* bytes [a, b) */
	int	kind;
};

/* A word: the token between spaces, punctuation trimmed at both ends. */
struct word {
	size_t	a, b;
};

struct masker {
	const char	*t;
	size_t		 n;
	struct word	*w;
	int		 nw;
	struct span	 sp[SPANS_MAX];
	int		 nsp;
};

/* ---- helpers ----------------------------------------------------------- */

static int
is_sp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
is_dig(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(unsigned char c)
{
	return isalpha(c) || c >= 0x80;
}

static int
is_alnum(unsigned char c)
{
	return is_dig(c) || is_alpha(c);
}

/* Adds [a, b) unless it overlaps a span found before (earlier finders
 * win: an e-mail address is not also a name). */
static void
add(struct masker *m, size_t a, size_t b, int kind)
{
	int i;

	if (a >= b || b > m->n || m->nsp == SPANS_MAX)
		return;
	for (i = 0; i < m->nsp; i++)
		if (a < m->sp[i].b && m->sp[i].a < b)
			return;
	m->sp[m->nsp].a = a;
	m->sp[m->nsp].b = b;
	m->sp[m->nsp++].kind = kind;
}

static int
covered(const struct masker *m, size_t a)
{
	int i;

	for (i = 0; i < m->nsp; i++)
		if (a >= m->sp[i].a && a < m->sp[i].b)
			return 1;
	return 0;
}

static int
words_init(struct masker *m)
{
	const unsigned char *t = (const unsigned char *)m->t;
	size_t i = 0, a, b;

	m->w = malloc((m->n / 2 + 1) * sizeof(*m->w));
	if (m->w == NULL)
		return -1;
	while (i < m->n) {
		while (i < m->n && is_sp(t[i]))
			i++;
		a = i;
		while (i < m->n && !is_sp(t[i]))
			i++;
		b = i;
		while (a < b && strchr("([{\"'<*_", t[a]) != NULL)
			a++;
		while (b > a && strchr(".,;:!?)]}\"'>*_", t[b - 1]) != NULL)
			b--;
		if (a < b) {
			m->w[m->nw].a = a;
			m->w[m->nw++].b = b;
		}
	}
	return 0;
}

/* Whether word k is s (ASCII, case-insensitive). */
static int
word_is(const struct masker *m, int k, const char *s)
{
	size_t n = strlen(s);

	return k >= 0 && k < m->nw && m->w[k].b - m->w[k].a == n &&
	    strncasecmp(m->t + m->w[k].a, s, n) == 0;
}

static int
word_in(const struct masker *m, int k, const char *const *list)
{
	for (; *list != NULL; list++)
		if (word_is(m, k, *list))
			return 1;
	return 0;
}

static int
word_digits(const struct masker *m, int k)
{
	size_t i;
	int d = 0;

	for (i = m->w[k].a; i < m->w[k].b; i++)
		d += is_dig((unsigned char)m->t[i]);
	return d;
}

static int
word_letters(const struct masker *m, int k)
{
	size_t i;
	int l = 0;

	for (i = m->w[k].a; i < m->w[k].b; i++)
		l += is_alpha((unsigned char)m->t[i]);
	return l;
}

static int
word_upper(const struct masker *m, int k)
{
	return k >= 0 && k < m->nw &&
	    isupper((unsigned char)m->t[m->w[k].a]);
}

/* ---- e-mail addresses -------------------------------------------------- */

static void
find_emails(struct masker *m)
{
	int k;

	for (k = 0; k < m->nw; k++)
		if (memchr(m->t + m->w[k].a, '@', m->w[k].b - m->w[k].a))
			add(m, m->w[k].a, m->w[k].b, K_EMAIL);
}

/* ---- IBAN ---------------------------------------------------------------- */

/* "BE68 5390 0754 7034", "be68539007547034", "NL91-ABNA-0417-1643-00":
 * two letters, two digits, then groups of letters and digits (four at
 * most after a separator), 15 to 34 characters in all. */
static size_t
iban_at(const unsigned char *t, size_t n, size_t i)
{
	size_t j = i + 4, end = j, len = 4, g;
	int be = tolower(t[i]) == 'b' && tolower(t[i + 1]) == 'e';

	if (i + 4 > n || !isalpha(t[i]) || !isalpha(t[i + 1]) ||
	    !is_dig(t[i + 2]) || !is_dig(t[i + 3]))
		return 0;
	while (j < n && len < (be ? 16u : 34u)) {
		if (t[j] == ' ' || t[j] == '-' || t[j] == '.') {
			if (j + 1 >= n || !is_alnum(t[j + 1]))
				break;
			for (g = j + 1; g < n && isalnum(t[g]); g++)
				;
			if (g - (j + 1) > 4 && !(be && g - (j + 1) + len
			    <= 16))
				break;
			j++;
			continue;
		}
		if (!isalnum(t[j]) || (be && !is_dig(t[j])))
			break;
		len++;
		end = ++j;
	}
	if (len < (be ? 16u : 15u) || (j < n && isalnum(t[j])))
		return 0;
	return end;
}

static void
find_ibans(struct masker *m)
{
	const unsigned char *t = (const unsigned char *)m->t;
	size_t i, e;

	for (i = 0; i + 4 <= m->n; i++) {
		if (i > 0 && is_alnum(t[i - 1]))
			continue;
		if ((e = iban_at(t, m->n, i)) != 0) {
			add(m, i, e, K_IBAN);
			i = e;
		}
	}
}

/* ---- numbers: phones, dossiers, dates, amounts -------------------------- */

/* A run of digits with single separators ("0470 12 34 56", "+32 (0)470
 * 12.34.56", "85.07.30-033.61", "2025/11873"); its end. */
static size_t
number_run(const unsigned char *t, size_t n, size_t i, int *digits,
    int *date)
{
	size_t j = i, groups = 0, glen = 0, lens[8];
	int spaces = 0, seps = 0;

	*digits = 0;
	if (t[j] == '+')
		j++;
	while (j < n) {
		if (is_dig(t[j])) {
			(*digits)++;
			glen++;
			j++;
			continue;
		}
		if (strchr(" ./-()", t[j]) == NULL || j + 1 >= n)
			break;
		if (!is_dig(t[j + 1]) && !(t[j] != '(' && t[j + 1] == '(' &&
		    j + 2 < n && is_dig(t[j + 2])))
			break;
		if (glen > 0 && groups < 8)
			lens[groups++] = glen;
		glen = 0;
		spaces += t[j] == ' ';
		seps++;
		j++;
	}
	if (glen > 0 && groups < 8)
		lens[groups++] = glen;
	/* 03/06/2025, 2025-06-03, 3.6.25: a date, not a number of anyone. */
	*date = spaces == 0 && seps == 2 && groups == 3 &&
	    ((lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 2 ||
	    lens[2] == 4)) || (lens[0] == 4 && lens[1] <= 2 &&
	    lens[2] <= 2));
	while (j > i && !is_dig(t[j - 1]))
		j--;
	return j;
}

/* An amount: "€ 125000", "125000 euro". */
static int
amount(const unsigned char *t, size_t n, size_t a, size_t b)
{
	while (a > 0 && is_sp(t[a - 1]))
		a--;
	if (a >= 3 && memcmp(t + a - 3, "\xe2\x82\xac", 3) == 0)
		return 1;
	while (b < n && is_sp(t[b]))
		b++;
	return (b + 3 <= n && memcmp(t + b, "\xe2\x82\xac", 3) == 0) ||
	    (b + 3 <= n && strncasecmp((const char *)t + b, "eur", 3) == 0);
}

static void
find_numbers(struct masker *m)
{
	const unsigned char *t = (const unsigned char *)m->t;
	size_t i, e;
	int d, date, phone_start;

	for (i = 0; i < m->n; i++) {
		if (!(is_dig(t[i]) || (t[i] == '+' && i + 1 < m->n &&
		    is_dig(t[i + 1]))) || (i > 0 && (is_alnum(t[i - 1]) ||
		    t[i - 1] == '+')) || covered(m, i))
			continue;
		e = number_run(t, m->n, i, &d, &date);
		phone_start = t[i] == '+' || t[i] == '0' ||
		    (t[i] == '3' && i + 1 < m->n && t[i + 1] == '2' && d >= 11);
		if (e < m->n && is_alpha(t[e]) && d < 6) {
			/* "12a", "3de": part of a word */
		} else if (date || amount(t, m->n, i, e)) {
			/* kept */
		} else if (phone_start && d >= 8 && d <= 15)
			add(m, i, e, K_PHONE);
		else if (d >= 6)
			add(m, i, e, K_DOSSIER);
		i = e > i ? e - 1 : i;
	}
}

/* ---- dossier and case numbers ------------------------------------------- */

static const char *const dossier_words[] = {
	"dossier", "dossiernummer", "dossiernr", "dossiernr.", "referentie",
	"referentienummer", "ref", "ref.", "refnr", "kenmerk", "zaak",
	"zaaknummer", "zaaknr", "klantnummer", "klantnr", "factuurnummer",
	"rijksregisternummer", "ondernemingsnummer", "btw-nummer",
	"aanvraagnummer", "ticket", "ticketnummer", "case", "reference",
	"référence", "numéro", NULL
};
static const char *const filler_words[] = {
	"is", "nr", "nr.", "nummer", "number", "met", "=", "#", "n°", "no",
	NULL
};

/* A word mixing letters and at least three digits ("VL-2024-12345",
 * "HP2023/0458"), or any word with digits after "dossier", "ref", ...;
 * "10u30" and "2de" are not. */
static int
code_like(const struct masker *m, int k)
{
	const unsigned char *s = (const unsigned char *)m->t + m->w[k].a;
	size_t n = m->w[k].b - m->w[k].a;

	if (word_digits(m, k) < 3 || word_letters(m, k) == 0 || n < 5)
		return 0;
	return !(n <= 5 && is_dig(s[0]) && (tolower(s[n - 3]) == 'u' ||
	    tolower(s[n - 3]) == 'h'));
}

static void
find_dossiers(struct masker *m, const struct strlist *patterns)
{
	char found[CONTACT_DOSSIER_MAX];
	const char *p;
	size_t len;
	int k, j;

	if (contact_dossier(m->t, patterns, found, sizeof(found)) ==
	    CONTACT_FOUND && (len = strlen(found)) > 0)
		for (p = m->t; (p = strstr(p, found)) != NULL; p += len)
			add(m, (size_t)(p - m->t), (size_t)(p - m->t) + len,
			    K_DOSSIER);
	for (k = 0; k < m->nw; k++) {
		if (code_like(m, k))
			add(m, m->w[k].a, m->w[k].b, K_DOSSIER);
		if (!word_in(m, k, dossier_words))
			continue;
		for (j = k + 1; j < m->nw && j <= k + 3 &&
		    word_in(m, j, filler_words); j++)
			;
		if (j < m->nw && word_digits(m, j) >= 2)
			add(m, m->w[j].a, m->w[j].b, K_DOSSIER);
	}
}

/* ---- addresses ----------------------------------------------------------- */

static const char *const street_ends[] = {
	"straat", "str.", "laan", "lei", "steenweg", "plein", "dreef", "weg",
	"baan", "kaai", "markt", "vest", "singel", "dijk", "wegel", "hof",
	"pad", "gracht", "kouter", "rei", "stwg", "stwg.", NULL
};
static const char *const street_starts[] = {
	"rue", "avenue", "av.", "chaussée", "boulevard", "bd", "place",
	"square", "quai", "street", "road", NULL
};

static int
ends_with(const struct masker *m, int k, const char *suf)
{
	size_t n = m->w[k].b - m->w[k].a, s = strlen(suf);

	return n >= s && strncasecmp(m->t + m->w[k].b - s, suf, s) == 0;
}

static int
street_word(const struct masker *m, int k)
{
	const char *const *s;

	if (word_digits(m, k) > 0)
		return 0;
	for (s = street_ends; *s != NULL; s++)
		if (ends_with(m, k, *s))
			return 1;
	return 0;
}

/* A house number: "12", "12a", "12/3", "12-14". */
static int
house_number(const struct masker *m, int k)
{
	return k < m->nw && is_dig((unsigned char)m->t[m->w[k].a]) &&
	    m->w[k].b - m->w[k].a <= 8 && word_digits(m, k) <= 4;
}

/* The last word of the address that starts at house number k. */
static int
address_tail(const struct masker *m, int k)
{
	if (k + 2 < m->nw && (word_is(m, k + 1, "bus") ||
	    word_is(m, k + 1, "boîte")) && word_digits(m, k + 2) > 0)
		k += 2;
	/* ", 9000 Gent" */
	if (k + 2 < m->nw && word_digits(m, k + 1) == 4 &&
	    m->w[k + 1].b - m->w[k + 1].a == 4 && word_letters(m, k + 2) > 0)
		k += 2;
	return k;
}

static void
find_addresses(struct masker *m)
{
	int k, j, first;

	for (k = 0; k < m->nw; k++) {
		first = -1;
		if (street_word(m, k) && house_number(m, k + 1)) {
			first = k;
			/* "Koning Albertlaan", "Grote Markt" */
			while (first > 0 && word_upper(m, first - 1) &&
			    word_digits(m, first - 1) == 0 && first > k - 3 &&
			    !strchr(".!?", m->t[m->w[first - 1].b]))
				first--;
			j = k + 1;
		} else if (word_in(m, k, street_starts)) {
			for (j = k + 1; j < m->nw && j <= k + 5 &&
			    !house_number(m, j); j++)
				;
			if (j < m->nw && j <= k + 5 && j > k + 1)
				first = k;
		} else if (word_digits(m, k) == 4 &&
		    m->w[k].b - m->w[k].a == 4 && m->t[m->w[k].a] != '0' &&
		    word_upper(m, k + 1) && word_digits(m, k + 1) == 0) {
			/* "9000 Gent" alone */
			add(m, m->w[k].a, m->w[k + 1].b, K_ADDRESS);
			continue;
		}
		if (first == -1)
			continue;
		j = address_tail(m, j);
		add(m, m->w[first].a, m->w[j].b, K_ADDRESS);
		k = j;
	}
}

/* ---- names --------------------------------------------------------------- */

static const char *const titles[] = {
	"meneer", "mijnheer", "mevrouw", "mevr", "mevr.", "mr", "mr.", "dhr",
	"dhr.", "mw", "mw.", "juffrouw", "madame", "monsieur", "mme",
	"mister", "mrs", "mrs.", "ms", "ms.", "dokter", "dr", "dr.", NULL
};
static const char *const signoffs[] = {
	"groeten", "groetjes", "grtjs", "grts", "mvg", "gr", "vriendelijke",
	"cordialement", "regards", "salutations", "bisous", "dank", "merci",
	"bedankt", "thanks", "kusjes", "xxx", NULL
};
static const char *const particles[] = {
	"van", "de", "den", "der", "het", "ter", "ten", "te", "la", "le",
	"du", "di", "da", "vanden", "vander", "d'", "op", "in", "t", "'t",
	NULL
};

/* Every word equal to a word of name (not a particle, two letters at
 * least). */
static void
mask_name_words(struct masker *m, const char *name)
{
	const char *p = name, *e;
	int k;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '.')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != ','; e++)
			;
		if (e - p >= 2 && !contact_name_stopword(p, (size_t)(e - p)))
			for (k = 0; k < m->nw; k++)
				if (m->w[k].b - m->w[k].a == (size_t)(e - p) &&
				    strncasecmp(m->t + m->w[k].a, p,
				    (size_t)(e - p)) == 0)
					add(m, m->w[k].a, m->w[k].b, K_NAME);
		p = e;
	}
}

/* Up to three capitalised words after k (a title or a greeting). */
static void
mask_after(struct masker *m, int k, int need_upper)
{
	int j;

	for (j = k + 1; j < m->nw && j <= k + 3; j++) {
		if (word_digits(m, j) > 0 || word_in(m, j, signoffs) ||
		    contact_name_stopword(m->t + m->w[j].a,
		    m->w[j].b - m->w[j].a))
			break;
		if (!word_upper(m, j) && (need_upper || !word_in(m, j,
		    particles)))
			break;
		add(m, m->w[j].a, m->w[j].b, K_NAME);
	}
}

static void
find_names(struct masker *m, const char *const *known)
{
	char name[CONTACT_NAME_MAX];
	int k;

	if (contact_name(m->t, 0, name, sizeof(name)) == CONTACT_FOUND)
		mask_name_words(m, name);
	for (; known != NULL && *known != NULL; known++)
		mask_name_words(m, *known);
	for (k = 0; k < m->nw; k++) {
		if (word_in(m, k, titles))
			mask_after(m, k, 0);
		else if (word_in(m, k, signoffs) && k + 4 >= m->nw)
			/* "groetjes, Els" at the end */
			mask_after(m, k, 1);
	}
}

/* ---- output -------------------------------------------------------------- */

static int
by_start(const void *x, const void *y)
{
	const struct span *a = x, *b = y;

	return a->a < b->a ? -1 : a->a > b->a;
}

/* Whether the gap [a, b) between two spans of one kind joins them: only
 * spaces and commas, or (names) particles ("Els van den Broeck"). */
static int
joins(const struct masker *m, size_t a, size_t b, int kind)
{
	const char *const *p;
	size_t i = a, n;

	while (i < b) {
		if (is_sp((unsigned char)m->t[i]) || m->t[i] == ',' ||
		    (kind == K_NAME && m->t[i] == '-')) {
			i++;
			continue;
		}
		if (kind != K_NAME && kind != K_ADDRESS)
			return 0;
		for (p = particles; *p != NULL; p++) {
			n = strlen(*p);
			if (i + n <= b && strncasecmp(m->t + i, *p, n) == 0 &&
			    (i + n == b || is_sp((unsigned char)m->t[i + n])))
				break;
		}
		if (*p == NULL || kind != K_NAME)
			return 0;
		i += n;
	}
	return 1;
}

/* Copies bytes, invalid UTF-8 as '?', so the result is always valid. */
static int
put_text(struct buf *o, const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp == UTF8_BAD || (cp < 0x20 && cp != '\n' && cp != '\t')) {
			if (buf_append(o, cp == UTF8_BAD ? "?" : " ", 1) == -1)
				return -1;
		} else if (buf_append(o, s + i, k) == -1)
			return -1;
		i += k;
	}
	return 0;
}

static char *
render(struct masker *m)
{
	struct buf o;
	size_t at = 0;
	int i, j;

	qsort(m->sp, (size_t)m->nsp, sizeof(m->sp[0]), by_start);
	buf_init(&o, MASK_IN_MAX * 2);
	for (i = 0; i < m->nsp; i = j) {
		for (j = i + 1; j < m->nsp && m->sp[j].kind == m->sp[i].kind &&
		    joins(m, m->sp[j - 1].b, m->sp[j].a, m->sp[i].kind); j++)
			;
		if (put_text(&o, m->t + at, m->sp[i].a - at) == -1 ||
		    buf_append(&o, placeholder[m->sp[i].kind],
		    strlen(placeholder[m->sp[i].kind])) == -1)
			goto fail;
		at = m->sp[j - 1].b;
	}
	if (put_text(&o, m->t + at, m->n - at) == -1)
		goto fail;
	return buf_take(&o);
fail:
	buf_free(&o);
	return NULL;
}

char *
contact_mask(const char *text, const struct strlist *patterns,
    const char *const *known_names)
{
	struct masker m;
	char *out = NULL;

	memset(&m, 0, sizeof(m));
	m.t = text != NULL ? text : "";
	m.n = strlen(m.t);
	if (m.n > MASK_IN_MAX)
		m.n = MASK_IN_MAX;
	if (words_init(&m) == -1)
		return NULL;
	find_emails(&m);
	find_ibans(&m);
	find_dossiers(&m, patterns);
	find_numbers(&m);
	find_addresses(&m);
	find_names(&m, known_names);
	out = render(&m);
	free(m.w);
	return out;
}
