/*
 * config_parse.h — the line parser behind config_load() (internal to the
 * config module).
 */
#ifndef LOKET_CONFIG_PARSE_H
#define LOKET_CONFIG_PARSE_H

#include <stddef.h>

struct config;
struct agency;

/*
 * Parses text into cfg, then checks that every agency has a name and that
 * default_agency names one of them; on error writes "where:LINE: problem"
 * to err (for those two checks, the line of the section or the key).
 */
int	config_parse_text(struct config *cfg, const char *where,
	    const char *text, size_t len, char *err, size_t errlen);
/* Fills a with the defaults; -1 when memory ran out. */
int	config_agency_defaults(struct agency *a);

#endif
