/*
 * contact_json.h — contact details of a message as JSON fields ("email",
 * "phone" in E.164, "dossier", "name"; "INVALID" when an address or
 * number is meant but invalid), for `loket classify`.
 */
#ifndef LOKET_CONTACT_JSON_H
#define LOKET_CONTACT_JSON_H

#include <jansson.h>

/* Adds the fields found in text to obj; 0, or -1 on out-of-memory. */
int	contact_json_enrich(json_t *obj, const char *text);

#endif
