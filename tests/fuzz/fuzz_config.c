/*
 * fuzz_config.c — the configuration file parser, then what the server
 * asks of a loaded config: routing, the gaps `serve --check` lists,
 * office hours.
 */
#include <time.h>

#include "config.h"
#include "fuzz.h"

static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg;
	char err[512];
	time_t next;
	size_t i;

	err[0] = '\0';
	cfg = config_load_text("fuzz.conf", (const char *)data, size, err,
	    sizeof(err));
	if (cfg == NULL) {
		FUZZ_NEED(err[0] != '\0');
		return 0;
	}
	FUZZ_NEED(cfg->n_agencies > 0);
	config_print_gaps(cfg, devnull);
	config_route_whatsapp(cfg, "106540352242922");
	config_route_messenger(cfg, "109876543210987");
	for (i = 0; i < cfg->n_agencies; i++) {
		const struct agency *a = &cfg->agencies[i];

		FUZZ_NEED(a->name != NULL && a->case_prefix != NULL);
		FUZZ_NEED(config_agency(cfg, a->id) != NULL);
		config_agency_in_office(a, (time_t)1764500000, &next);
		config_agency_name(a, "fr");
	}
	config_free(cfg);
	return 0;
}
