/*
 * graph_error.c — what an answer of the Graph API means for the outbox:
 * accepted (with Meta's message id), retry later, or never.  Meta's notes
 * (§4.3) say to build this on the error `code` in the JSON body, not on
 * the HTTP status; the status only decides when the body has no known
 * code.  Pure; called on the service thread.
 */
#include "graph.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Transient: rate limits, maintenance, "unknown"/"service unavailable". */
static const int retry_codes[] = {
	1, 2, 4, 613, 80007, 130429, 131000, 131016, 131056, 131057, 133004,
};

/* Permanent: auth, permissions, bad parameters, window, policy. */
static const int permanent_codes[] = {
	0, 3, 10, 100, 190, 368, 551, 130403, 131008, 131009, 131026,
	131031, 131047, 131048, 131049, 131050, 131051, 131052, 131053,
	132000, 132001, 132012, 132015, 132016,
};

static int
in_table(const int *t, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i] == code)
			return 1;
	return 0;
}

int
graph_code_verdict(int code)
{
	if (in_table(retry_codes, sizeof(retry_codes) / sizeof(int), code))
		return GRAPH_RETRY;
	if (in_table(permanent_codes, sizeof(permanent_codes) / sizeof(int),
	    code))
		return GRAPH_PERMANENT;
	if (code >= 200 && code <= 299)		/* permission family */
		return GRAPH_PERMANENT;
	return -1;
}

/* Reads {"error": {...}} into out; returns 1 if the body had one. */
static int
read_error(json_t *root, struct graph_outcome *out)
{
	json_t *e = json_object_get(root, "error"), *c;
	const char *msg, *det;

	if (!json_is_object(e))
		return 0;
	c = json_object_get(e, "code");
	out->code = json_is_integer(c) ? (int)json_integer_value(c) : -1;
	msg = json_string_value(json_object_get(e, "message"));
	det = json_string_value(json_object_get(json_object_get(e,
	    "error_data"), "details"));
	if (det != NULL && msg != NULL && strcmp(det, msg) != 0)
		snprintf(out->text, sizeof(out->text), "%s: %s", msg, det);
	else
		snprintf(out->text, sizeof(out->text), "%s",
		    msg ? msg : (det ? det : "error without message"));
	return 1;
}

/* The message id of an accepted send (WhatsApp or Messenger shape). */
static void
read_id(json_t *root, struct graph_outcome *out)
{
	json_t *msgs = json_object_get(root, "messages");
	const char *id = json_string_value(json_object_get(root,
	    "message_id"));

	if (id == NULL)
		id = json_string_value(json_object_get(json_array_get(msgs, 0),
		    "id"));
	if (id != NULL)
		snprintf(out->msg_id, sizeof(out->msg_id), "%s", id);
}

/* No known code: decide on the HTTP status. */
static enum graph_verdict
by_status(long st)
{
	if (st >= 500 || st == 429 || st == 408)
		return GRAPH_RETRY;
	return GRAPH_PERMANENT;
}

void
graph_classify(long http_status, int curl_code, const char *curl_error,
    const char *body, struct graph_outcome *out)
{
	json_t *root;
	int v;

	memset(out, 0, sizeof(*out));
	out->code = -1;
	if (curl_code != 0) {
		out->verdict = graph_curl_permanent(curl_code) ? GRAPH_PERMANENT :
		    GRAPH_RETRY;
		snprintf(out->text, sizeof(out->text), "transport: %s",
		    curl_error ? curl_error : "transfer failed");
		return;
	}
	root = json_loads(body ? body : "", 0, NULL);
	if (read_error(root, out)) {
		v = graph_code_verdict(out->code);
		/* An unknown code on a 5xx is Meta's trouble, not ours. */
		out->verdict = v >= 0 ? (enum graph_verdict)v :
		    by_status(http_status);
	} else if (http_status >= 200 && http_status < 300) {
		out->verdict = GRAPH_ACCEPTED;
		read_id(root, out);
	} else {
		out->verdict = by_status(http_status);
		snprintf(out->text, sizeof(out->text), "HTTP %ld%s", http_status,
		    root == NULL && body != NULL && *body ? " (not JSON)" : "");
	}
	json_decref(root);
}
