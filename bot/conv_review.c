/*
 * conv_review.c — messages staff had to rescue, up for review (review.h):
 * the citizen's last message when staff take over a conversation the
 * bot was handling, and a message staff mark "de bot begreep dit
 * verkeerd".  Read and classified again here with the engine's model, so
 * the item carries the guess and signals as for a misread message.  Runs
 * where the staff operations run (under backend_lock).
 */
#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conv_int.h"
#include "review.h"
#include "signals.h"
#include "store.h"

int
conv_review_collect(struct conv_engine *e, long long inbound_id,
    long long conv_id, unsigned reasons, const char *answer,
    const char *by, long long now_ms)
{
	const struct config *cfg = conv_config(e);
	const struct agency *a;
	struct review_msg m;
	struct review_new n;
	struct intent_result ir;
	struct signals sig;
	char sigs[REVIEW_SIGNALS_MAX];
	int rc;

	if ((rc = review_message(conv_store(e), inbound_id, conv_id, &m)) != 1)
		return rc;
	a = cfg != NULL && m.agency[0] ? config_agency(cfg, m.agency) : NULL;
	conv_classify(e, m.text, &ir);
	signals_read(m.text, &ir, a != NULL ? &a->dossier_patterns : NULL, 0,
	    &sig);
	signals_decide(&sig, &ir);
	review_signals_text(&sig, sigs, sizeof(sigs));
	memset(&n, 0, sizeof(n));
	n.inbound_id = m.id;
	n.conversation_id = m.conversation_id;
	n.received_at = m.received_at;
	n.agency = m.agency;
	n.channel = m.channel;
	n.text = m.text;
	n.reasons = reasons;
	n.ir = &ir;
	n.signals = sigs;
	n.answer = answer;
	n.marked_by = by;
	rc = review_collect(conv_store(e), &n, now_ms);
	free(m.text);
	return rc == -1 ? -1 : 1;
}

int
conv_mark_misread(struct conv_engine *e, long long inbound_id,
    const char *staff_name, const char *answer, long long now_ms)
{
	struct store *s = conv_store(e);
	int rc;

	if (inbound_id <= 0)
		return -2;
	if (answer != NULL && !conv_knows(e, answer))
		return -3;
	if (store_begin(s) == -1)
		return -1;
	rc = conv_review_collect(e, inbound_id, 0, REVIEW_MARKED, answer,
	    staff_name != NULL ? staff_name : "", now_ms);
	if (rc != 1) {
		store_rollback(s);
		return rc == 0 ? -2 : -1;
	}
	return store_commit(s);
}
