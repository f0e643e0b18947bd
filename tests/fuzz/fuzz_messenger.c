/* fuzz_messenger.c — the Messenger webhook parser. */
#define FUZZ_CHANNEL CH_MESSENGER
#include "webhook_target.h"
