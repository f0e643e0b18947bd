/*
 * fuzz_locale.c — the reply-text parser (a whole nl.txt), then every
 * text rendered with every placeholder filled.
 */
#include <string.h>

#include "fuzz.h"
#include "locales.h"

FUZZ_NO_INIT

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct locale_arg args[32];
	struct locales *l;
	char err[512], *out;
	size_t i, n = 0;

	err[0] = '\0';
	if ((l = locales_parse_nl((const char *)data, size, err,
	    sizeof(err))) == NULL) {
		FUZZ_NEED(err[0] != '\0');
		return 0;
	}
	for (i = 0; locales_placeholders[i] != NULL && n < 32; i++, n++) {
		args[n].name = locales_placeholders[i];
		args[n].value = "{x} ${y} %s";
	}
	for (i = 0; locales_keys[i] != NULL; i++) {
		FUZZ_NEED(locales_text(l, "nl", locales_keys[i]) != NULL);
		out = locales_render(l, "nl", locales_keys[i], args, n);
		FUZZ_NEED(out != NULL);
		free(out);
		free(locales_render(l, "fr", locales_keys[i], NULL, 0));
	}
	locales_free(l);
	return 0;
}
