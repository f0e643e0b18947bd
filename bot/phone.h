/*
 * phone.h — phone numbers written the way citizens read them.  Belgian
 * numbers get the grouping of the Belgian numbering plan, so one agency
 * writes every number alike: 02 505 45 45, 050 12 34 56, 0470 12 34 56,
 * or with +32 in front.  Free and paying numbers (0800, 090x) are always
 * written nationally: "+32 800 …" hides that a call is free, and those
 * numbers cannot be dialled from abroad anyway.  Pure, any thread.
 */
#ifndef LOKET_PHONE_H
#define LOKET_PHONE_H

#include <stddef.h>

enum phone_style {
	PHONE_NATIONAL,		/* 02 505 45 45 */
	PHONE_INTERNATIONAL	/* +32 2 505 45 45 */
};

/*
 * Writes in (as typed: "+32 2 505.45.45", "0032470123456", "02/505 45
 * 45", E.164) into out in style.  Returns 0 when it was a Belgian number
 * and is now grouped; -1 when it is not (a short number like 1700, a
 * foreign number, text): out then holds in unchanged.
 */
int	phone_write(const char *in, enum phone_style style, char *out,
	    size_t outlen);

#endif
