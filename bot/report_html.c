/*
 * report_html.c — the report as one self-contained HTML page: inline
 * CSS, inline SVG charts, no script, no external asset, so it can be
 * mailed, archived and printed to PDF as it is.  Everything comes from
 * the JSON object of report_build (one data model, two renderings); every
 * text from it is escaped.  Labels are in Dutch, for the annual report.
 */
#include "report_int.h"

#include <math.h>
#include <string.h>

#define W_CHART		640	/* SVG width, px */
#define W_LABEL		190	/* label column of horizontal bars */
#define W_BARS		360	/* longest horizontal bar */
#define H_ROW		22

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"sans-serif;color:#1b1b1b;max-width:60rem;margin:2rem auto;"
	"padding:0 1rem}"
	"h1{font-size:1.6rem;margin:0}h2{font-size:1.15rem;margin:2rem 0 .5rem;"
	"border-bottom:2px solid #ffe615;padding-bottom:.2rem}"
	".meta{color:#555;margin:.3rem 0 1.5rem}"
	".kpi{display:grid;grid-template-columns:repeat(4,1fr);gap:.6rem}"
	".kpi div{border:1px solid #ddd;border-radius:6px;padding:.5rem .7rem}"
	".kpi b{display:block;font-size:1.5rem}.kpi span{color:#555;"
	"font-size:.85rem}"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0}"
	"th,td{border-bottom:1px solid #e5e5e5;padding:.25rem .4rem;"
	"text-align:right}th:first-child,td:first-child{text-align:left}"
	"svg{max-width:100%;height:auto}svg text{font-size:12px;"
	"fill:#1b1b1b}.wa{fill:#25a244}.ms{fill:#3b6fd8}.bar{fill:#4a6b8a}"
	".legend span{display:inline-block;width:.8em;height:.8em;"
	"margin:0 .3em 0 1em;vertical-align:middle}"
	"@page{size:A4;margin:14mm}"
	"@media print{body{margin:0;max-width:none;font-size:10pt}"
	"section{break-inside:avoid}h2{break-after:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static const char *const outcome_nl[][2] = {
	{ "answered", "beantwoord" },
	{ "handed_over", "doorgegeven aan medewerker" },
	{ "suggestion_logged", "suggestie genoteerd" },
	{ "referred", "doorverwezen (dossier)" },
	{ "redirected", "naar klachtenprocedure" },
	{ "case_created", "klachtdossier" },
	{ "abusive_ignored", "misbruik genegeerd" },
	{ "stopped", "gestopt" },
	{ "abandoned", "afgebroken" },
	{ "closed_by_staff", "afgesloten door medewerker" },
	{ NULL, NULL }
};

static void
esc(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
}

static const char *
outcome_label(const char *k)
{
	size_t i;

	for (i = 0; outcome_nl[i][0] != NULL; i++)
		if (strcmp(outcome_nl[i][0], k) == 0)
			return outcome_nl[i][1];
	return k;
}

static json_int_t
geti(const json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_integer_value(json_object_get(o, path));
}

/* "45 s", "12 min", "3,5 u", "2,1 d"; "–" for null. */
static void
duration(FILE *f, const json_t *v)
{
	double s;

	if (!json_is_number(v)) {
		fputs("&ndash;", f);
		return;
	}
	s = json_number_value(v);
	if (s < 120)
		fprintf(f, "%.0f s", s);
	else if (s < 7200)
		fprintf(f, "%.0f min", s / 60);
	else if (s < 172800)
		fprintf(f, "%.1f u", s / 3600);
	else
		fprintf(f, "%.1f d", s / 86400);
}

static void
kpi(FILE *f, json_int_t n, const char *label)
{
	fprintf(f, "<div><b>%lld</b><span>", (long long)n);
	esc(f, label);
	fputs("</span></div>\n", f);
}

static void
headline(FILE *f, const json_t *r)
{
	const json_t *fr = json_object_get(json_object_get(json_object_get(r,
	    "response_times"), "first_reply"), "all");

	fputs("<section class=\"kpi\">\n", f);
	kpi(f, geti(r, "inbound.total"), "berichten ontvangen");
	kpi(f, geti(r, "conversations"), "gesprekken afgerond");
	kpi(f, geti(r, "complaints.total"), "klachten");
	kpi(f, geti(r, "cases.total"), "klachtdossiers");
	kpi(f, geti(r, "questions.answered_by_bot"), "vragen beantwoord "
	    "door de bot");
	kpi(f, geti(r, "questions.answered_by_staff"), "vragen beantwoord "
	    "door medewerkers");
	kpi(f, geti(r, "suggestions"), "suggesties");
	kpi(f, geti(r, "cases.overdue"), "dossiers over termijn");
	fputs("</section>\n<p>Mediaan tijd tot eerste antwoord: ", f);
	duration(f, json_object_get(fr, "median_s"));
	fputs("; 90% binnen ", f);
	duration(f, json_object_get(fr, "p90_s"));
	fputs(".</p>\n", f);
}

/* Horizontal bars, one per key of obj (integer values). */
static void
hbars(FILE *f, const json_t *obj, const char *(*label)(const char *))
{
	const char *k;
	json_t *v;
	json_int_t max = 1;
	size_t n = json_object_size(obj), i = 0;

	json_object_foreach((json_t *)obj, k, v)
		if (json_integer_value(v) > max)
			max = json_integer_value(v);
	fprintf(f, "<svg viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" "
	    "role=\"img\">\n", W_CHART, n * H_ROW + 4, W_CHART,
	    n * H_ROW + 4);
	json_object_foreach((json_t *)obj, k, v) {
		long w = (long)(W_BARS * json_integer_value(v) / max);

		fprintf(f, "<text x=\"0\" y=\"%zu\">", i * H_ROW + 15);
		esc(f, label ? label(k) : k);
		fprintf(f, "</text><rect class=\"bar\" x=\"%d\" y=\"%zu\" "
		    "width=\"%ld\" height=\"%d\"/><text x=\"%ld\" y=\"%zu\">"
		    "%lld</text>\n", W_LABEL, i * H_ROW + 3, w, H_ROW - 6,
		    W_LABEL + w + 6, i * H_ROW + 15,
		    (long long)json_integer_value(v));
		i++;
	}
	fputs("</svg>\n", f);
}

/* Weekly messages per channel, stacked columns. */
static void
weekly_chart(FILE *f, const json_t *weeks)
{
	size_t n = json_array_size(weeks), i;
	json_int_t max = 1, wa, ms;
	const int h = 180, base = 200;
	double bw;

	for (i = 0; i < n; i++) {
		const json_t *w = json_array_get(weeks, i);

		if (geti(w, "inbound.total") > max)
			max = geti(w, "inbound.total");
	}
	bw = n ? (double)(W_CHART - 40) / (double)n : 1;
	fprintf(f, "<p class=\"legend\"><span class=\"wa\" style=\"background:"
	    "#25a244\"></span>WhatsApp<span style=\"background:#3b6fd8\">"
	    "</span>Messenger (hoogste week: %lld)</p>\n<svg viewBox=\"0 0 %d"
	    " 220\" width=\"%d\" height=\"220\" role=\"img\">\n",
	    (long long)max, W_CHART, W_CHART);
	for (i = 0; i < n; i++) {
		const json_t *w = json_array_get(weeks, i);
		double x = 30 + bw * (double)i, hw, hm;
		const char *label = json_string_value(json_object_get(w,
		    "week"));

		wa = geti(w, "inbound.whatsapp");
		ms = geti(w, "inbound.messenger");
		hw = (double)h * (double)wa / (double)max;
		hm = (double)h * (double)ms / (double)max;
		fprintf(f, "<rect class=\"wa\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"/><rect class=\"ms\" "
		    "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
		    x, base - hw, bw * 0.8, hw, x, base - hw - hm, bw * 0.8,
		    hm);
		if (label != NULL && strlen(label) == 8 && (n <= 16 ||
		    i % ((n + 15) / 16) == 0)) {
			fprintf(f, "<text x=\"%.1f\" y=\"215\">", x);
			esc(f, label + 5);	/* "W07" */
			fputs("</text>", f);
		}
		fputc('\n', f);
	}
	fputs("</svg>\n", f);
}

/* Columns for the first-reply histogram. */
static void
histogram_chart(FILE *f, const json_t *hist)
{
	static const char *const labels[] = { "≤ 1 min", "≤ 5 min",
	    "≤ 15 min", "≤ 1 u", "≤ 4 u", "≤ 10 u", "≤ 24 u", "≤ 3 d",
	    "> 3 d" };
	size_t n = json_array_size(hist), i;
	json_int_t max = 1, c;
	double bw = (double)(W_CHART - 20) / 9;

	for (i = 0; i < n; i++)
		if ((c = geti(json_array_get(hist, i), "count")) > max)
			max = c;
	fprintf(f, "<svg viewBox=\"0 0 %d 200\" width=\"%d\" height=\"200\" "
	    "role=\"img\">\n", W_CHART, W_CHART);
	for (i = 0; i < n && i < 9; i++) {
		double hgt, x = 10 + bw * (double)i;

		c = geti(json_array_get(hist, i), "count");
		hgt = 150.0 * (double)c / (double)max;
		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"/><text x=\"%.1f\" "
		    "y=\"%.1f\">%lld</text><text x=\"%.1f\" y=\"190\">%s"
		    "</text>\n", x, 170 - hgt, bw * 0.8, hgt, x, 165 - hgt,
		    (long long)c, x, labels[i]);
	}
	fputs("</svg>\n", f);
}

static void
time_row(FILE *f, const char *label, const json_t *st)
{
	fputs("<tr><td>", f);
	esc(f, label);
	fprintf(f, "</td><td>%lld</td><td>", (long long)geti(st, "count"));
	duration(f, json_object_get(st, "median_s"));
	fputs("</td><td>", f);
	duration(f, json_object_get(st, "mean_s"));
	fputs("</td><td>", f);
	duration(f, json_object_get(st, "p90_s"));
	fputs("</td></tr>\n", f);
}

static void
times_table(FILE *f, const json_t *rt)
{
	static const char *const who[] = { "bot", "staff" };
	static const char *const who_nl[] = { "bot", "medewerker" };
	const json_t *fr = json_object_get(rt, "first_reply");
	const json_t *cl = json_object_get(rt, "close");
	char label[64];
	int i;

	fputs("<table><tr><th></th><th>aantal</th><th>mediaan</th>"
	    "<th>gemiddeld</th><th>90e percentiel</th></tr>\n", f);
	for (i = 0; i < 2; i++) {
		snprintf(label, sizeof(label), "eerste antwoord, %s",
		    who_nl[i]);
		time_row(f, label, json_object_get(fr, who[i]));
	}
	for (i = 0; i < 2; i++) {
		snprintf(label, sizeof(label), "afsluiting, %s", who_nl[i]);
		time_row(f, label, json_object_get(cl, who[i]));
	}
	fputs("</table>\n", f);
}

static void
cases_section(FILE *f, const json_t *c)
{
	const json_t *adm = json_object_get(c, "admissibility");
	const json_t *days = json_object_get(c, "days_taken");

	fputs("<section><h2>Klachtdossiers per status</h2>\n", f);
	hbars(f, json_object_get(c, "by_status"), NULL);
	fprintf(f, "<table><tr><th>ontvankelijk</th><th>onontvankelijk</th>"
	    "<th>nog niet beslist</th><th>gegrond</th><th>deels gegrond</th>"
	    "<th>ongegrond</th></tr><tr><td>%lld</td><td>%lld</td><td>%lld"
	    "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr></table>\n",
	    (long long)geti(adm, "ontvankelijk"),
	    (long long)geti(adm, "onontvankelijk"),
	    (long long)geti(adm, "undecided"),
	    (long long)geti(c, "by_verdict.gegrond"),
	    (long long)geti(c, "by_verdict.deels_gegrond"),
	    (long long)geti(c, "by_verdict.ongegrond"));
	if (json_object_size(json_object_get(adm, "reasons")) > 0) {
		fputs("<p>Redenen van onontvankelijkheid:</p>\n", f);
		hbars(f, json_object_get(adm, "reasons"), NULL);
	}
	fprintf(f, "<p>Afgehandeld: %lld, waarvan %lld binnen de termijn en "
	    "%lld te laat; nog open: %lld, waarvan %lld over de termijn.",
	    (long long)geti(c, "handled"),
	    (long long)geti(c, "handled_within_term"),
	    (long long)geti(c, "handled_late"), (long long)geti(c, "open"),
	    (long long)geti(c, "overdue"));
	if (geti(days, "count") > 0)
		fprintf(f, " Behandelingsduur: mediaan %.1f dagen, gemiddeld "
		    "%.1f, 90e percentiel %lld, langste %lld.",
		    json_number_value(json_object_get(days, "median")),
		    json_number_value(json_object_get(days, "mean")),
		    (long long)geti(days, "p90"), (long long)geti(days, "max"));
	fputs("</p></section>\n", f);
}

static void
group_row(FILE *f, const char *agency, const char *channel, const json_t *g)
{
	fputs("<tr><td>", f);
	esc(f, agency);
	if (channel != NULL) {
		fputs(" &middot; ", f);
		esc(f, channel);
	}
	fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld"
	    "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n",
	    (long long)geti(g, "inbound.total"),
	    (long long)geti(g, "conversations"),
	    (long long)geti(g, "complaints.total"),
	    (long long)geti(g, "cases.total"),
	    (long long)geti(g, "questions.answered_by_bot"),
	    (long long)geti(g, "questions.answered_by_staff"),
	    (long long)geti(g, "suggestions"));
}

static void
agencies_table(FILE *f, const json_t *agencies)
{
	const char *id, *ch;
	json_t *a, *g;

	fputs("<section><h2>Per entiteit en kanaal</h2>\n<table><tr><th></th>"
	    "<th>berichten</th><th>gesprekken</th><th>klachten</th>"
	    "<th>dossiers</th><th>vragen (bot)</th><th>vragen (medewerker)"
	    "</th><th>suggesties</th></tr>\n", f);
	json_object_foreach((json_t *)agencies, id, a) {
		group_row(f, id, NULL, a);
		json_object_foreach(json_object_get(a, "channels"), ch, g)
			group_row(f, id, ch, g);
	}
	fputs("</table></section>\n", f);
}

static void
signals_section(FILE *f, const json_t *r)
{
	const json_t *sig = json_object_get(r, "signals");
	size_t i;

	fprintf(f, "<section><h2>Signalen</h2>\n<p>Een onderwerp wordt "
	    "gesignaleerd als het in een week minstens %d vragen kreeg en "
	    "minstens %d keer het gemiddelde van de %d weken ervoor.</p>\n",
	    REPORT_SIGNAL_MIN, REPORT_SIGNAL_FACTOR, REPORT_SIGNAL_WEEKS);
	if (json_array_size(sig) == 0)
		fputs("<p>Geen onderwerpen met een opvallende piek.</p>\n", f);
	else
		fputs("<table><tr><th>onderwerp</th><th>week</th>"
		    "<th>vragen</th><th>gemiddelde ervoor</th></tr>\n", f);
	for (i = 0; i < json_array_size(sig); i++) {
		const json_t *s = json_array_get(sig, i);

		fputs("<tr><td>", f);
		esc(f, json_string_value(json_object_get(s, "topic")));
		fputs("</td><td>", f);
		esc(f, json_string_value(json_object_get(s, "week")));
		fprintf(f, "</td><td>%lld</td><td>%.2f</td></tr>\n",
		    (long long)geti(s, "questions"),
		    json_number_value(json_object_get(s, "baseline_mean")));
	}
	if (json_array_size(sig) > 0)
		fputs("</table>\n", f);
	fputs("</section>\n", f);
}

/* One row: label, messages, misunderstood, share. */
static void
misread_row(FILE *f, const char *label, const json_t *g)
{
	const json_t *share = json_object_get(json_object_get(g,
	    "misunderstood"), "share");

	fputs("<tr><td>", f);
	esc(f, label);
	fprintf(f, "</td><td>%lld</td><td>%lld</td><td>",
	    (long long)geti(g, "inbound.total"),
	    (long long)geti(g, "misunderstood.messages"));
	if (json_is_number(share))
		fprintf(f, "%.1f%%", 100.0 * json_number_value(share));
	else
		fputs("&ndash;", f);
	fputs("</td></tr>\n", f);
}

/* The share of messages the bot misunderstood, per week and agency:
 * whether the intent authors' work pays off. */
static void
misread_section(FILE *f, const json_t *r)
{
	const json_t *weeks = json_object_get(r, "weekly"), *a;
	const char *id;
	size_t i;

	fputs("<section><h2>Niet begrepen berichten</h2>\n<p>Berichten die "
	    "de bot niet begreep, opnieuw moest vragen of aan een medewerker "
	    "gaf, of waarbij een medewerker het gesprek overnam of aangaf dat "
	    "de bot het verkeerd begreep.</p>\n<table><tr><th></th>"
	    "<th>berichten</th><th>niet begrepen</th><th>aandeel</th></tr>\n",
	    f);
	for (i = 0; i < json_array_size(weeks); i++)
		misread_row(f, json_string_value(json_object_get(
		    json_array_get(weeks, i), "week")), json_array_get(weeks, i));
	json_object_foreach((json_t *)json_object_get(r, "agencies"), id, a)
		misread_row(f, id, a);
	misread_row(f, "totaal", r);
	fputs("</table></section>\n", f);
}

static void
header(FILE *f, const json_t *r)
{
	const json_t *p = json_object_get(r, "period");
	const char *agency = json_string_value(json_object_get(r, "agency"));

	fputs("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8"
	    "\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>Loket &ndash; rapport ", f);
	esc(f, json_string_value(json_object_get(p, "from")));
	fputs(" tot ", f);
	esc(f, json_string_value(json_object_get(p, "to")));
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<header><h1>"
	    "Loket &ndash; berichten, vragen en klachten via sociale media"
	    "</h1>\n<p class=\"meta\">Periode ", css);
	esc(f, json_string_value(json_object_get(p, "from")));
	fputs(" tot en met ", f);
	esc(f, json_string_value(json_object_get(p, "to")));
	fputs(agency ? " &middot; entiteit " : " &middot; alle entiteiten", f);
	esc(f, agency);
	fputs(" &middot; gemaakt ", f);
	esc(f, json_string_value(json_object_get(r, "generated_at")));
	fputs(" (Europe/Brussels)</p></header>\n", f);
}

int
report_write_html(FILE *f, const json_t *r)
{
	const json_t *rt = json_object_get(r, "response_times");

	header(f, r);
	headline(f, r);
	fputs("<section><h2>Berichten per week en kanaal</h2>\n", f);
	weekly_chart(f, json_object_get(r, "weekly"));
	fputs("</section>\n<section><h2>Uitkomsten van gesprekken</h2>\n", f);
	hbars(f, json_object_get(r, "outcomes"), outcome_label);
	fputs("</section>\n<section><h2>Tijd tot eerste antwoord</h2>\n", f);
	histogram_chart(f, json_object_get(rt, "first_reply_histogram"));
	times_table(f, rt);
	fputs("</section>\n", f);
	cases_section(f, json_object_get(r, "cases"));
	agencies_table(f, json_object_get(r, "agencies"));
	misread_section(f, r);
	signals_section(f, r);
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
