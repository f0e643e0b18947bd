/*
 * phone.c — Belgian phone numbers grouped for reading.  See phone.h.
 * The grouping follows the Belgian numbering plan (BIPT): a one-digit
 * zone (2 Brussels, 3 Antwerpen, 4 Luik, 9 Gent) is followed by 3-2-2
 * digits, a two-digit zone by 2-2-2, a mobile number (4xx, nine digits)
 * by 2-2-2, and 0800/090x by 2-3.
 */
#include "phone.h"

#include "contact.h"

#include <stdio.h>
#include <string.h>

#define NSN_MAX	9	/* national significant number: no 0, no 32 */

/*
 * The national significant number of a Belgian number, or -1.  Only
 * digits, a leading '+' and the usual separators may be there, so text
 * with a number in it ("02 553 10 00 (keuze 2)") is left as written;
 * reading the number itself is contact_phone()'s job.
 */
static int
belgian_nsn(const char *in, char *nsn)
{
	char e164[CONTACT_PHONE_MAX];

	if (in[strspn(in, "+0123456789 ./-()")] != '\0' ||
	    contact_phone(in, e164, sizeof(e164)) != CONTACT_FOUND ||
	    strncmp(e164, "+32", 3) != 0 || strlen(e164 + 3) > NSN_MAX)
		return -1;
	memcpy(nsn, e164 + 3, strlen(e164 + 3) + 1);
	return 0;
}

/* Free (0800) and paying (0900-0909) numbers. */
static int
is_special(const char *nsn)
{
	return strlen(nsn) == 8 && (strncmp(nsn, "800", 3) == 0 ||
	    strncmp(nsn, "90", 2) == 0);
}

/* The sizes of the groups after the prefix ("0" or "+32 "). */
static const char *
groups(const char *nsn)
{
	size_t n = strlen(nsn);

	if (n == 9)
		return "3222";		/* 470 12 34 56 */
	if (is_special(nsn))
		return "323";		/* 800 20 555 */
	if (strchr("2349", nsn[0]) != NULL)
		return "1322";		/* 2 505 45 45 */
	return "2222";			/* 50 12 34 56 */
}

int
phone_write(const char *in, enum phone_style style, char *out,
    size_t outlen)
{
	char nsn[NSN_MAX + 1], buf[32];
	const char *g, *p;
	size_t len;

	if (in == NULL || belgian_nsn(in, nsn) == -1) {
		snprintf(out, outlen, "%s", in != NULL ? in : "");
		return -1;
	}
	if (style == PHONE_INTERNATIONAL && !is_special(nsn))
		len = (size_t)snprintf(buf, sizeof(buf), "+32 ");
	else
		len = (size_t)snprintf(buf, sizeof(buf), "0");
	for (g = groups(nsn), p = nsn; *g != '\0'; g++) {
		memcpy(buf + len, p, (size_t)(*g - '0'));
		len += (size_t)(*g - '0');
		p += *g - '0';
		if (g[1] != '\0')
			buf[len++] = ' ';
	}
	buf[len] = '\0';
	snprintf(out, outlen, "%s", buf);
	return 0;
}
