/*
 * fuzz_contact.c — contact details from free text: names, e-mail
 * addresses, phone numbers (and writing them back in both styles),
 * dossier numbers with the example config's patterns, and the JSON
 * `loket classify` adds.  The first byte says whether a name was asked.
 */
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "contact.h"
#include "contact_json.h"
#include "fuzz.h"
#include "phone.h"

static struct config *cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char conf[] = "[agency x]\nname = X\n"
	    "dossier_pattern = \\b(VLA-[0-9]{4}-[0-9]{4,6})\\b\n"
	    "dossier_pattern = dossier(nummer)?[: ]+([0-9]{6,10})\n";
	char err[512];

	(void)argc;
	(void)argv;
	if ((cfg = config_load_text("fuzz.conf", conf, sizeof(conf) - 1, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	return 0;
}

/* A found value fits its field and is what contact.h promises. */
static void
check(const struct contact_found *f)
{
	char out[64];

	FUZZ_NEED(strlen(f->name) < sizeof(f->name));
	FUZZ_NEED(f->phone[0] == '\0' || f->phone[0] == '+' ||
	    strcmp(f->phone, CONTACT_INVALID) == 0);
	if (f->phone[0] == '+') {
		phone_write(f->phone, PHONE_NATIONAL, out, sizeof(out));
		phone_write(f->phone, PHONE_INTERNATIONAL, out, sizeof(out));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contact_found f;
	char *text, out[CONTACT_NAME_MAX];
	int asked = size > 0 && (data[0] & 1);
	json_t *o;

	if (size > 0) {
		data++;
		size--;
	}
	if ((text = fuzz_cstr(data, size)) == NULL)
		return 0;
	contact_extract(text, &cfg->agencies[0].dossier_patterns, asked, &f);
	check(&f);
	contact_email(text, out, sizeof(out));
	contact_phone(text, out, sizeof(out));
	contact_name(text, asked, out, sizeof(out));
	phone_write(text, PHONE_NATIONAL, out, sizeof(out));
	if ((o = json_object()) != NULL) {
		contact_json_enrich(o, text);
		json_decref(o);
	}
	free(text);
	return 0;
}
