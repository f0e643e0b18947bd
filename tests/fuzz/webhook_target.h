/*
 * webhook_target.h — the body of the WhatsApp and Messenger targets
 * (FUZZ_CHANNEL picks the parser): parse a signed body, then check what
 * webhook.h promises of every event and route the batch as the server
 * does.
 */
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "fuzz.h"
#include "intake.h"
#include "webhook.h"

static struct config *cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	if ((cfg = config_load(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	return 0;
}

/* The fields webhook.h guarantees per kind. */
static void
check_event(const struct inbound_event *e)
{
	FUZZ_NEED(e->channel == FUZZ_CHANNEL);
	switch (e->kind) {
	case EV_MESSAGE:
	case EV_REACTION:
	case EV_ECHO:
		FUZZ_NEED(e->account_id && e->user_id && e->msg_id &&
		    e->msg_type);
		break;
	case EV_STATUS:
		FUZZ_NEED(e->account_id && e->msg_type && e->status);
		FUZZ_NEED(e->channel != CH_MESSENGER || e->user_id);
		break;
	case EV_HANDOVER:
		FUZZ_NEED(e->account_id && e->user_id && e->msg_type);
		break;
	case EV_UNKNOWN:
		FUZZ_NEED(e->raw && e->msg_type);
		break;
	default:
		FUZZ_NEED(!"unknown kind");
	}
	if (e->raw != NULL) {	/* kept raw: must read back as JSON */
		json_t *j = json_loads(e->raw, JSON_DECODE_ANY, NULL);

		FUZZ_NEED(j != NULL);
		json_decref(j);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webhook_batch b;
	char err[256], **agencies;
	size_t i;
	int rc;

	rc = FUZZ_CHANNEL == CH_WHATSAPP ?
	    webhook_parse_whatsapp((const char *)data, size, &b, err,
	    sizeof(err)) :
	    webhook_parse_messenger((const char *)data, size, &b, err,
	    sizeof(err));
	if (rc == -1) {
		FUZZ_NEED(b.n == 0 && err[0] != '\0');
		webhook_batch_free(&b);
		return 0;
	}
	FUZZ_NEED(b.n <= WEBHOOK_MAX_EVENTS);
	for (i = 0; i < b.n; i++)
		check_event(&b.ev[i]);
	if ((agencies = intake_route(cfg, &b)) != NULL)
		intake_route_free(agencies, b.n);
	webhook_batch_free(&b);
	return 0;
}
