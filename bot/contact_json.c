/*
 * contact_json.c — what contact.c finds in a message, as fields of a JSON
 * object: the enricher `loket classify` runs on every line.  Without an
 * agency at hand, dossier numbers are looked for with generic patterns
 * (after dossier/dossiernr/referentie, like 2025/11873 or AB-2024-000123).
 */
#include "contact_json.h"

#include <ctype.h>
#include <regex.h>
#include <string.h>

#include "config.h"
#include "contact.h"

static char *generic_patterns[] = {
	"dossier[a-z]*[ .:#-]*[nrume.]*[ .:#-]*([0-9]{4}/[0-9]{3,6}|"
	"[a-z]{2,5}-[0-9]{4}-[0-9]{3,6}|[0-9]{5,12})",
	"ref[a-z]*[ .:#-]*[nrume.]*[ .:#-]*([0-9]{4}/[0-9]{3,6}|"
	"[a-z]{2,5}-[0-9]{4}-[0-9]{3,6})",
};

/* Whether needle (lower case ASCII) occurs in text, ignoring case. */
static int
has_word_ci(const char *text, const char *needle)
{
	size_t n = strlen(needle), i;
	const char *p;

	for (p = text; *p != '\0'; p++) {
		for (i = 0; i < n; i++)
			if (tolower((unsigned char)p[i]) != needle[i])
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

static int
set(json_t *obj, const char *key, const char *value)
{
	if (value[0] == '\0')
		return 0;
	return json_object_set_new(obj, key, json_string(value));
}

int
contact_json_enrich(json_t *obj, const char *text)
{
	/* Compiled on the first line and kept for the rest of the run:
	 * `loket classify` calls this for every line of its input. */
	static regex_t compiled[2];
	static int ready;
	struct strlist pats = { generic_patterns, 2, NULL };
	struct contact_found f;

	if (!ready) {
		ready = regcomp(&compiled[0], generic_patterns[0],
		    REG_EXTENDED | REG_ICASE) == 0 && regcomp(&compiled[1],
		    generic_patterns[1], REG_EXTENDED | REG_ICASE) == 0 ? 1 : -1;
	}
	/* Both generic patterns start with one of these words: without
	 * them there is no dossier number to look for. */
	if (ready == 1 && (has_word_ci(text, "dossier") ||
	    has_word_ci(text, "ref")))
		pats.compiled = compiled;
	else
		pats.n = 0;

	contact_extract(text, &pats, 0, &f);
	if (set(obj, "email", f.email) == -1 ||
	    set(obj, "phone", f.phone) == -1 ||
	    set(obj, "dossier", f.dossier) == -1 ||
	    set(obj, "name", f.name) == -1)
		return -1;
	return 0;
}
