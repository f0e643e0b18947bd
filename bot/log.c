/*
 * log.c — key=value logging to stderr.  See log.h.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_LVL_INFO;

void
log_set_level(enum log_level level)
{
	min_level = level;
}

void
log_level_from_env(void)
{
	const char *v = getenv("LOKET_LOG_LEVEL");

	if (v == NULL)
		return;
	if (strcmp(v, "debug") == 0)
		min_level = LOG_LVL_DEBUG;
	else if (strcmp(v, "info") == 0)
		min_level = LOG_LVL_INFO;
	else if (strcmp(v, "warn") == 0)
		min_level = LOG_LVL_WARN;
	else if (strcmp(v, "error") == 0)
		min_level = LOG_LVL_ERROR;
}

int
log_enabled(enum log_level level)
{
	return level >= min_level;
}

static void vlog(enum log_level, int, const char *, va_list)
    __attribute__((__format__(printf, 3, 0)));

static void
vlog(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char line[2048], stamp[32];
	struct timespec ts;
	struct tm tm;
	int saved = errno, n;

	if (!log_enabled(level))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s ", stamp,
	    ts.tv_nsec / 1000000, names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s err=\"%s\"\n", line, strerror(saved));
	else
		fprintf(stderr, "%s\n", line);
	errno = saved;
}

#define LOG_FN(name, level, with_errno)			\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	vlog(level, with_errno, fmt, ap);		\
	va_end(ap);					\
}

LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_error, LOG_LVL_ERROR, 0)

void
log_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
