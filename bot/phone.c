/*
 * phone.c — Belgian phone numbers grouped for reading.  See phone.h.
 * The grouping follows the Belgian numbering plan (BIPT): a one-digit
 * zone (2 Brussels, 3 Antwerpen, 4 Luik, 9 Gent) is followed by 3-2-2
 * digits, a two-digit zone by 2-2-2, a mobile number (4xx, nine digits)
 * by 2-2-2, and 0800/090x by 2-3.
 */
#include "phone.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NSN_MAX	9	/* national significant number: no 0, no 32 */

/*
 * The national significant number of a Belgian number, or -1.  Only
 * blanks and the usual separators may sit between the digits, so text
 * with a number in it is not mistaken for one.
 */
static int
belgian_nsn(const char *in, char *nsn)
{
	char d[24];
	size_t n = 0;
	const char *p;

	for (p = in; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(d))
				return -1;
			d[n++] = *p;
		} else if (*p == '+' && n == 0 && p == in) {
			continue;
		} else if (strchr(" ./-()", *p) == NULL) {
			return -1;
		}
	}
	d[n] = '\0';
	if (n < 8)
		return -1;
	if (in[0] == '+')
		p = d[0] == '3' && d[1] == '2' ? d + 2 : NULL;
	else if (d[0] == '0' && d[1] == '0')
		p = d[2] == '3' && d[3] == '2' ? d + 4 : NULL;
	else
		p = d[0] == '0' ? d + 1 : NULL;
	if (p == NULL)
		return -1;
	if (*p == '0')		/* "+32 (0)2 …" */
		p++;
	n = strlen(p);
	if (n < 8 || n > NSN_MAX || (n == 9 && p[0] != '4'))
		return -1;
	memcpy(nsn, p, n + 1);
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
