/*
 * fuzz_console.c — the console's JSON request bodies: read as the API
 * reads them, then every field a route takes (login, reply, close, the
 * case decisions against each status, the websocket's watch) and the
 * reply written back.
 */
#include <string.h>

#include <jansson.h>

#include "console_int.h"
#include "fuzz.h"

FUZZ_NO_INIT

static void
decisions(json_t *o)
{
	static const char *const status[] = { "nieuw", "ontvankelijk",
	    "onontvankelijk", "beoordeeld", "afgehandeld" };
	struct console_decision d;
	const char *why, *next;
	size_t i;

	if (console_parse_decision(o, &d) == -1)
		return;
	for (i = 0; i < sizeof(status) / sizeof(status[0]); i++) {
		why = NULL;
		next = console_next_status(status[i], &d, &why);
		FUZZ_NEED(next != NULL || why != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name = NULL, *pw = NULL;
	json_t *o;
	char *text;

	if ((o = console_read_body((const char *)data, size)) == NULL)
		return 0;
	FUZZ_NEED(json_is_object(o));
	(void)json_unpack(o, "{s:s, s:s}", "name", &name, "password", &pw);
	(void)json_string_value(json_object_get(o, "text"));
	(void)json_string_value(json_object_get(o, "outcome"));
	(void)json_integer_value(json_object_get(o, "watch"));
	decisions(o);
	text = json_dumps(o, JSON_COMPACT);
	FUZZ_NEED(text != NULL);
	free(text);
	json_decref(o);
	return 0;
}
