/*
 * test_intent.c — the intent engine on the fixture phrase sets in
 * tests/fixtures/intents/: clear cases, topics, onbekend, languages,
 * explanations, every `intents check` finding, a broken set refused
 * (and kept out by reload), scoring and cross-validation.
 */
#include <stdio.h>
#include <string.h>

#include "intent.h"
#include "testhelp.h"

#define GOOD	"tests/fixtures/intents/good"
#define CHECK	"tests/fixtures/intents/check"
#define BROKEN	"tests/fixtures/intents/broken"
#define NOVRAAG	"tests/fixtures/intents/novraag"

static const struct {
	const char	*text;
	const char	*intent;
	const char	*topic;
} clear[] = {
	{ "Ik wil graag een klacht indienen over mijn dossier", "klacht", "" },
	{ "ik wens een klacht in te dienen tegen uw dienst", "klacht", "" },
	{ "wat een belachelijk trage dienst", "ongenoegen", "" },
	{ "hoe vraag ik die premie aan?", "vraag", "" },
	{ "goeiedag", "begroeting", "" },
	{ "Hallooo!", "begroeting", "" },
	{ "merci!!", "bedankt", "" },
	{ "dank u wel voor de hulp \xf0\x9f\x99\x8f", "bedankt", "" },
	{ "kan ik een medewerker spreken aub", "medewerker", "" },
	{ "zijn jullie open op zaterdag?", "vraag", "openingsuren" },
	{ "wat zijn de openingsuren van het loket", "vraag", "openingsuren" },
	{ "stop", "stop", "" },
	{ "ja", "ja", "" },
	{ "jaaa zeker", "ja", "" },
	{ "neen", "nee", "" },
	{ "jullie zijn allemaal idioten", "scheldwoorden", "" },
	{ "suggestie: maak het formulier eenvoudiger", "suggestie", "" },
};

static void
test_clear(struct intent_model *m)
{
	struct intent_result r;
	char d[160];
	size_t i;

	for (i = 0; i < sizeof(clear) / sizeof(clear[0]); i++) {
		snprintf(d, sizeof(d), "classify \"%s\"", clear[i].text);
		TEST(d, intent_classify(m, clear[i].text, &r) == 0);
		TEST_STR(d, r.intent, clear[i].intent);
		TEST_STR(d, r.topic, clear[i].topic);
		TEST("confidence in [0,1]", r.confidence >= 0 &&
		    r.confidence <= 1 && r.second_confidence >= 0 &&
		    r.second_confidence <= r.confidence);
		TEST("runner-up differs", strcmp(r.second, r.intent) != 0);
	}
}

static void
test_edges(struct intent_model *m)
{
	struct intent_result r;
	struct intent_feature f[5];
	char big[20000];
	int n, i;

	TEST("gibberish", intent_classify(m, "qwzx vbnmk pfff", &r) == 0);
	TEST_STR("gibberish is onbekend", r.intent, "onbekend");
	TEST("onbekend names a best guess", r.second[0] != '\0');
	TEST("empty message", intent_classify(m, "", &r) == 0);
	TEST_STR("empty message is onbekend", r.intent, "onbekend");
	TEST("bad UTF-8 classified", intent_classify(m, "kl\xff\xfe" "acht "
	    "\xc3\x28 indienen \xf0\x9f", &r) == 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	TEST("huge message classified", intent_classify(m, big, &r) == 0);
	TEST_STR("language nl", (intent_classify(m, "ik heb een vraag over "
	    "mijn dossier", &r), r.lang), "nl");
	TEST_STR("language fr", (intent_classify(m, "bonjour, j'ai une "
	    "question pour vous", &r), r.lang), "fr");
	TEST_STR("language en", (intent_classify(m, "hello, I have a "
	    "question about my application", &r), r.lang), "en");
	TEST_STR("merci alone stays nl", (intent_classify(m, "merci", &r),
	    r.lang), "nl");
	TEST_STR("help stays nl", (intent_classify(m, "help", &r), r.lang),
	    "nl");
	TEST_STR("salut, thanks stays nl", (intent_classify(m, "salut, "
	    "thanks", &r), r.lang), "nl");
	TEST_STR("thank you is en", (intent_classify(m, "thank you", &r),
	    r.lang), "en");
	n = intent_explain(m, "ik wil een klacht indienen", &r, f, 5);
	TEST("explain gives features", n > 0 && n <= 5);
	for (i = 0; i < n; i++)
		TEST("explained feature weighs for the winner", f[i].weight >
		    0 && strcmp(f[i].cls, "klacht") == 0 && (i == 0 ||
		    f[i].weight <= f[i - 1].weight));
	TEST("a word explains klacht", n > 0 && strstr(f[0].name, "klacht")
	    != NULL);
}

struct finding {
	const char	*file;	/* suffix */
	int		 line;
	int		 error;
	const char	*what;
	int		 seen;
};

static struct finding want[] = {
	{ "/Bad Name.txt", 0, 1, "not a valid intent id", 0 },
	{ "/extra", 0, 0, "unknown directory", 0 },
	{ "/notes.md", 0, 0, "unknown file", 0 },
	{ "check/klacht.txt", 14, 1, "longer than", 0 },
	{ "check/nee.txt", 0, 1, "no phrases", 0 },
	{ "onderwerpen/klacht.txt", 0, 1, "core intent id", 0 },
	{ "check/openingsuren.txt", 0, 0, "not a core intent", 0 },
	{ "check/stop.txt", 3, 1, "invalid UTF-8", 0 },
	{ CHECK, 0, 0, "'ja' missing", 0 },
	{ "check/bedankt.txt", 0, 0, "only 2 phrases", 0 },
	{ "check/bedankt.txt", 3, 0, "duplicate of line 2", 0 },
	{ "check/klacht.txt", 3, 0, "duplicate of line 2", 0 },
	{ "check/klacht.txt", 4, 0, "near-duplicate of line 2 (same", 0 },
	{ "check/klacht.txt", 5, 0, "near-duplicate of line 2 (one", 0 },
	{ "check/klacht.txt", 6, 0, "no words", 0 },
	{ "check/vraag.txt", 2, 1, "klacht.txt:7 (intent klacht)", 0 },
	{ "onderwerpen/klacht.txt", 1, 1, "same phrase as", 0 },
	{ "novraag/openingsuren.txt", 0, 1, "defined twice", 0 },
	{ "novraag/onderwerpen/openingsuren.txt", 0, 1, "need a vraag", 0 },
};

static int unexpected;

static void
collect(void *arg, int error, const char *file, int line, const char *msg)
{
	size_t i, fl = strlen(file), wl;

	(void)arg;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		wl = strlen(want[i].file);
		if (fl >= wl && strcmp(file + fl - wl, want[i].file) == 0 &&
		    line == want[i].line && error == want[i].error &&
		    strstr(msg, want[i].what) != NULL) {
			want[i].seen++;
			return;
		}
	}
	if (strstr(msg, "missing") == NULL && strstr(msg, "only 1") == NULL &&
	    strstr(msg, "only 2") == NULL) {
		printf("     unexpected: %s:%d: %s\n", file, line, msg);
		unexpected++;
	}
}

static void
test_check(void)
{
	char d[160];
	size_t i;
	int errors, warnings;

	errors = intent_check(CHECK, collect, NULL, &warnings);
	TEST("check counts 7 errors", errors == 7);
	TEST("check counts warnings", warnings >= 12);
	errors = intent_check(NOVRAAG, collect, NULL, &warnings);
	TEST("topic errors counted", errors == 2);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(d, sizeof(d), "check finds %s:%d %s", want[i].file,
		    want[i].line, want[i].what);
		TEST(d, want[i].seen == 1);
	}
	TEST("no unexpected findings", unexpected == 0);
	unexpected = 0;
	errors = intent_check(GOOD, collect, NULL, &warnings);
	TEST("good set checks clean", errors == 0 && warnings == 0 &&
	    unexpected == 0);
}

static void
test_load_errors(void)
{
	struct intent_model *m, *old;
	struct intent_result r;
	char err[512];

	err[0] = '\0';
	TEST("broken set refused", intent_load(BROKEN, err, sizeof(err)) ==
	    NULL);
	TEST("refusal says file:line", strstr(err, BROKEN "/ja.txt:3: "
	    "invalid UTF-8") == err);
	TEST("missing dir refused", intent_load("tests/fixtures/none", err,
	    sizeof(err)) == NULL && strstr(err, "cannot read") != NULL);
	TEST("set with errors refused", intent_load(CHECK, err, sizeof(err))
	    == NULL);
	m = old = intent_load(GOOD, err, sizeof(err));
	TEST("good set loads", m != NULL);
	if (m == NULL)
		return;
	TEST("reload of a broken set fails", intent_reload(&m, BROKEN, err,
	    sizeof(err)) == -1 && strstr(err, "ja.txt:3:") != NULL);
	TEST("old model kept", m == old && intent_classify(m, "stop", &r) ==
	    0 && strcmp(r.intent, "stop") == 0);
	TEST("reload of a good set", intent_reload(&m, GOOD, err,
	    sizeof(err)) == 0 && m != NULL);
	TEST("reloaded model works", intent_classify(m, "stop", &r) == 0 &&
	    strcmp(r.intent, "stop") == 0);
	intent_free(m);
	intent_free(NULL);
}

static void
test_eval(struct intent_model *m)
{
	struct intent_eval *e = intent_eval_new(), *c = intent_eval_new();
	struct intent_result r;
	char err[512];
	int nt, ni;
	size_t np;

	intent_eval_add(e, "ja", "ja");
	intent_eval_add(e, "ja", "nee");
	intent_eval_add(e, "nee", "nee");
	intent_eval_add(e, "nee", "nee");
	TEST("accuracy", intent_eval_accuracy(e) == 0.75);
	/* ja: p 1, r .5, f .667; nee: p .667, r 1, f .8 */
	TEST("macro-F1", intent_eval_macro_f1(e) > 0.733 &&
	    intent_eval_macro_f1(e) < 0.734);
	memset(&r, 0, sizeof(r));
	strcpy(r.intent, "vraag");
	strcpy(r.topic, "openingsuren");
	TEST_STR("topic scored as topic", intent_scored_label(&r, 1),
	    "openingsuren");
	TEST_STR("topic for plain vraag scored as vraag",
	    intent_scored_label(&r, 0), "vraag");
	TEST("topic known", intent_is_topic(m, "openingsuren") &&
	    !intent_is_topic(m, "vraag"));
	TEST("known labels", intent_is_known(m, "vraag") &&
	    intent_is_known(m, "openingsuren") &&
	    intent_is_known(m, "onbekend") && !intent_is_known(m, "vrag"));
	intent_stats(m, &ni, &nt, &np);
	TEST("stats", ni == 11 && nt == 1 && np == 144);
	intent_eval_free(e);
	intent_eval_free(c);
	e = intent_eval_new();
	c = intent_eval_new();
	TEST("cross-validation runs", intent_crossval(GOOD, 4, e, c, NULL, NULL,
	    err, sizeof(err)) == 0 && intent_eval_count(e) == np &&
	    intent_eval_count(c) == np);
	TEST("cross-validation learns", intent_eval_accuracy(c) > 0.5);
	TEST("cross-validation refuses k=1", intent_crossval(GOOD, 1, e, c,
	    NULL, NULL, err, sizeof(err)) == -1);
	intent_eval_free(e);
	intent_eval_free(c);
}

int
main(void)
{
	struct intent_model *m;
	char err[512];

	m = intent_load(GOOD, err, sizeof(err));
	TEST("fixture loads", m != NULL);
	if (m == NULL) {
		printf("     %s\n", err);
		return TEST_REPORT();
	}
	test_clear(m);
	test_edges(m);
	test_eval(m);
	intent_free(m);
	test_check();
	test_load_errors();
	return TEST_REPORT();
}
