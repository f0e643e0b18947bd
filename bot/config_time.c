/*
 * config_time.c — Europe/Brussels local time and office hours, computed
 * from the EU summer-time rule (last Sunday of March to last Sunday of
 * October, changing at 01:00 UTC) so the server needs no tzdata and no
 * process-wide TZ setting.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
static int
weekday(long days)
{
	long w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static long
last_sunday(int y, int m)
{
	long last = days_from_civil(y, m, 31);	/* March and October */

	return last - (weekday(last) + 1) % 7;
}

int
config_brussels_utc_offset(time_t t)
{
	int y, m, d;
	long start, end;

	civil_from_days((long)(t / 86400), &y, &m, &d);
	start = last_sunday(y, 3) * 86400 + 3600;
	end = last_sunday(y, 10) * 86400 + 3600;
	return (long)t >= start && (long)t < end ? 7200 : 3600;
}

static int
is_holiday(const struct agency *a, long days)
{
	char date[16];
	int y, m, d;
	size_t i;

	civil_from_days(days, &y, &m, &d);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
	for (i = 0; i < a->holidays.n; i++)
		if (strcmp(a->holidays.v[i], date) == 0)
			return 1;
	return 0;
}

int
config_agency_in_office(const struct agency *a, time_t t, time_t *next_open)
{
	long local = (long)t + config_brussels_utc_offset(t);
	long days = local / 86400, day;
	int minute = (int)(local % 86400 / 60), i;

	for (day = days; day < days + 14; day++) {
		const struct day_hours *h = &a->hours[weekday(day)];

		if (is_holiday(a, day))
			continue;
		for (i = 0; i < h->n; i++) {
			if (day == days && minute >= h->close[i])
				continue;
			if (day == days && minute >= h->open[i])
				return 1;
			if (next_open != NULL) {
				long lt = day * 86400 + h->open[i] * 60L;

				/* Local to UTC with the offset of that
				 * moment (right except within the hour
				 * of a change, when offices are closed). */
				*next_open = (time_t)(lt -
				    config_brussels_utc_offset((time_t)(lt - 3600)));
			}
			return 0;
		}
	}
	if (next_open != NULL)
		*next_open = 0;
	return 0;
}
