/* fuzz_whatsapp.c — the WhatsApp Cloud API webhook parser. */
#define FUZZ_CHANNEL CH_WHATSAPP
#include "webhook_target.h"
