/*
 * log.h — one key=value line per event on stderr (OpenBSD log.h shape).
 * Callers write the key=value pairs in the format string; the prefix
 * "ts=... level=..." is added here.  Never pass secrets or message texts
 * at info level.  Safe from any thread (one fprintf per line).
 */
#ifndef LOKET_LOG_H
#define LOKET_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

#define LOG_PRINTF(a, b) __attribute__((__format__(printf, a, b)))

/* Sets the lowest level written; LOKET_LOG_LEVEL=debug|info|warn|error. */
void	log_set_level(enum log_level level);
void	log_level_from_env(void);
int	log_enabled(enum log_level level);

void	log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
/* log_warn appends errno's text as err="..."; log_warnx does not. */
void	log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Log and exit(1); for startup failures and broken invariants only. */
void	log_fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#define BOT_ASSERT(x) do { if (!(x)) log_fatalx("event=assert_failed " \
	"expr=\"%s\" at=%s:%d", #x, __FILE__, __LINE__); } while (0)

#endif
