/*
 * fuzz_graph.c — what comes back from and goes out to the Graph API: an
 * answer body (Meta's or a proxy's) classified for the outbox, and a
 * reply text (a citizen's words quoted back, a staff member's reply)
 * built into a WhatsApp and a Messenger request.  The first byte is the
 * HTTP status class; the rest is the body, then the text.
 */
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "graph.h"

FUZZ_NO_INIT

static void
build(const char *channel, const char *body)
{
	struct graph_send s = { 1, channel, "https://graph.example/v24.0",
	    "106540352242922", "TOKEN", "secret", channel[0] == 'w' ?
	    "32470123456" : "7001002003", "text", body, 0 };
	struct graph_job *job = NULL;
	char err[256];
	json_t *j;

	if (graph_build(&s, &job, err, sizeof(err)) == GRAPH_BUILD_OK) {
		FUZZ_NEED(job != NULL && job->body != NULL);
		j = json_loads(job->body, 0, NULL);	/* must be JSON */
		FUZZ_NEED(j != NULL);
		json_decref(j);
		graph_job_free(job);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 200, 400, 403, 429, 500, 503, 0, 302 };
	struct graph_outcome o;
	char *text, *body, *cut;
	json_t *spec;

	if (size == 0)
		return 0;
	if ((text = fuzz_cstr(data + 1, size - 1)) == NULL)
		return 0;
	graph_classify(status[data[0] & 7], data[0] & 8 ? 28 : 0,
	    data[0] & 8 ? "Timeout was reached" : NULL, text, &o);
	FUZZ_NEED(o.verdict == GRAPH_ACCEPTED || o.verdict == GRAPH_RETRY ||
	    o.verdict == GRAPH_PERMANENT);
	FUZZ_NEED(memchr(o.msg_id, '\0', sizeof(o.msg_id)) != NULL &&
	    memchr(o.text, '\0', sizeof(o.text)) != NULL);
	if ((cut = graph_utf8_trunc(text, data[0])) != NULL)
		free(cut);
	spec = json_pack("{s:s}", "text", text);	/* NULL if not UTF-8 */
	if (spec != NULL && (body = json_dumps(spec, JSON_COMPACT)) != NULL) {
		build("whatsapp", body);
		build("messenger", body);
		free(body);
	}
	json_decref(spec);
	free(text);
	return 0;
}
