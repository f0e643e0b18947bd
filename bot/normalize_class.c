/*
 * normalize_class.c — recognises chunks that stand for a class of
 * values rather than words: a dossier number means the same whatever
 * its digits, so "2025/11873" and "AB-2024-000123" both become
 * _dossier_.  ASCII only; anything else is left to the word reader.
 */
#include <string.h>

#include "normalize.h"

struct groups {
	int	n;		/* digit groups */
	int	len[4];		/* digits in each */
	long	val[4];
	int	other;		/* bytes that are neither digit nor sep */
};

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Splits "12/03/2025" into digit groups at '/', '-' and '.'. */
static void
split_groups(const char *s, size_t n, struct groups *g)
{
	size_t i;
	int in = 0;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < n; i++) {
		if (digit(s[i])) {
			if (!in) {
				if (g->n == 4) {
					g->other++;
					return;
				}
				g->n++;
			}
			in = 1;
			g->len[g->n - 1]++;
			if (g->val[g->n - 1] < 100000)
				g->val[g->n - 1] = g->val[g->n - 1] * 10 +
				    (s[i] - '0');
		} else if (strchr("/-.", s[i]) != NULL && in && i + 1 < n) {
			in = 0;
		} else
			g->other++;
	}
}

static int
is_date(const char *s, size_t n)
{
	struct groups g;

	split_groups(s, n, &g);
	if (g.other || g.n < 2 || g.n > 3)
		return 0;
	if (g.len[0] <= 2 && g.len[1] <= 2 && g.val[0] >= 1 &&
	    g.val[0] <= 31 && g.val[1] >= 1 && g.val[1] <= 12)
		return g.n == 2 || g.len[2] == 2 || g.len[2] == 4;
	/* ISO 2025-03-12 */
	return g.n == 3 && g.len[0] == 4 && g.len[1] <= 2 && g.len[2] <= 2 &&
	    g.val[1] >= 1 && g.val[1] <= 12 && g.val[2] >= 1 &&
	    g.val[2] <= 31;
}

/* "14u", "14u30", "9h", "14:30", "9.30u" */
static int
is_time(const char *s, size_t n)
{
	size_t i = 0, h = 0, m = 0;
	int sep;

	while (i < n && digit(s[i]) && h < 3)
		h++, i++;
	if (h == 0 || h > 2 || i == n)
		return 0;
	sep = s[i++];
	if (sep != ':' && sep != 'u' && sep != 'h' && sep != '.')
		return 0;
	while (i < n && digit(s[i]))
		m++, i++;
	if (m != 0 && m != 2)
		return 0;
	if (i < n && (s[i] == 'u' || s[i] == 'h') && sep != 'u' && sep != 'h')
		i++;
	else if ((sep == ':' || sep == '.') && m == 0)
		return 0;
	if (sep == '.' && s[i - 1] != 'u' && s[i - 1] != 'h')
		return 0;
	return i == n;
}

static int
is_phone(const char *s, size_t n)
{
	size_t i, digits = 0;

	if (n == 0 || (s[0] != '+' && s[0] != '0'))
		return 0;
	for (i = 0; i < n; i++) {
		if (digit(s[i]))
			digits++;
		else if (strchr("+./-()", s[i]) == NULL || (s[i] == '+' && i))
			return 0;
	}
	return digits >= 9 && digits <= 13;
}

/*
 * A dossier code has at least four digits and five characters, and
 * either separators, letters, or at least five digits in a row: so
 * "2025/11873", "AB-2024-000123" and "1234567", but not "2025".
 */
static int
is_dossier(const char *s, size_t n)
{
	size_t i, digits = 0, letters = 0, seps = 0;

	if (n < 5 || !(digit(s[0]) || letter(s[0])))
		return 0;
	for (i = 0; i < n; i++) {
		if (digit(s[i]))
			digits++;
		else if (letter(s[i]))
			letters++;
		else if (strchr("/-._", s[i]) != NULL)
			seps++;
		else
			return 0;
	}
	if (digits < 4)
		return 0;
	/* "covid2020"-like words stay words: letters must not dominate */
	if (letters > 4 && letters > digits)
		return 0;
	return seps > 0 || letters > 0 || digits >= 5;
}

static int
is_number(const char *s, size_t n)
{
	size_t i;
	int seps = 0;

	if (n == 0 || !digit(s[0]) || !digit(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++) {
		if (digit(s[i]))
			continue;
		if ((s[i] == ',' || s[i] == '.') && seps++ == 0)
			continue;
		return 0;
	}
	return 1;
}

static int
is_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	return at != NULL && at > s && memchr(at, '.', n - (size_t)(at - s))
	    != NULL && s[n - 1] != '.';
}

static int
is_url(const char *s, size_t n)
{
	return (n > 7 && strncmp(s, "http://", 7) == 0) ||
	    (n > 8 && strncmp(s, "https://", 8) == 0) ||
	    (n > 4 && strncmp(s, "www.", 4) == 0);
}

const char *
normalize_chunk_class(const char *s, size_t n)
{
	if (is_url(s, n))
		return NORM_TOK_URL;
	if (is_email(s, n))
		return NORM_TOK_EMAIL;
	if (is_date(s, n))
		return NORM_TOK_DATE;
	if (is_time(s, n))
		return NORM_TOK_TIME;
	if (is_phone(s, n))
		return NORM_TOK_PHONE;
	if (is_dossier(s, n))
		return NORM_TOK_DOSSIER;
	if (is_number(s, n))
		return NORM_TOK_NUM;
	return NULL;
}
