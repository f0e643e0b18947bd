/*
 * console_inbox.c — what makes the console an inbox beside the
 * conversation itself: internal notes (for colleagues, never sent to the
 * citizen), the citizen's earlier conversations and cases, the list of
 * colleagues a coordinator can assign to, the search pattern, and the
 * canned replies per agency.
 *
 * Canned replies live in standaardantwoorden.txt beside the reply texts
 * (the config's locales directory), so the people who write the bot's
 * texts write these too.  Read at start and on SIGHUP; the page fills the
 * placeholders ({naam}, {medewerker}, {agentschap}, {dossier}), because
 * it knows the conversation they are used in.  Service thread.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "console_int.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "staff.h"
#include "store.h"

#define NOTES_MAX	200
#define HISTORY_MAX	20
#define NOTE_TEXT_MAX	4000
#define CANNED_FILE	"standaardantwoorden.txt"
#define CANNED_MAX_BYTES (256 * 1024)

struct console_canned {
	json_t	*by_agency;	/* {"*": [{"title", "text"}...], "wse": ...} */
};

void
console_like_pattern(const char *q, char *out, size_t outlen)
{
	char digits[64];
	size_t n = 0, nd = 0, o = 0;
	const char *p;
	int phone = 1;

	while (*q == ' ')
		q++;
	for (p = q; *p; p++) {
		if (isdigit((unsigned char)*p) && nd + 1 < sizeof(digits))
			digits[nd++] = *p;
		else if (!strchr("+ ./-()", *p))
			phone = 0;
		n++;
	}
	digits[nd] = '\0';
	out[0] = '\0';
	if (n == 0 || outlen < 4)
		return;
	/* "+32 470 12 34 56" is stored as 32470123456. */
	if (phone && nd >= 4)
		q = digits;
	out[o++] = '%';
	for (p = q; *p && o + 3 < outlen; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	while (o > 1 && out[o - 1] == ' ')
		o--;
	out[o++] = '%';
	out[o] = '\0';
}

int
console_note_add(struct server *s, long long id, const struct session *who,
    const char *text, const char **why)
{
	static const char sql[] = "INSERT INTO conv_notes (conversation_id, "
	    "author, text, created_at) SELECT id, ?2, ?3, ?4 FROM "
	    "conversations WHERE id = ?1";
	struct store_stmt *st;
	int rc;

	if (strlen(text) > NOTE_TEXT_MAX) {
		*why = "text_too_long";
		return 400;
	}
	if ((st = store_stmt(s->store, sql)) == NULL) {
		*why = "database";
		return 503;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, who->name, -1);
	store_bind_text(st, 3, text, -1);
	store_bind_int64(st, 4, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		*why = "database";
		return 503;
	}
	if (store_changes(s->store) == 0) {
		*why = "not_found";
		return 404;
	}
	return 0;
}

static json_t *
text_or_null(struct store_stmt *st, int i)
{
	const char *t = store_col_text(st, i);

	return t ? json_string((const char *)t) : json_null();
}

static json_t *
int_or_null(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? json_null() :
	    json_integer(store_col_int64(st, i));
}

json_t *
console_notes_json(struct server *s, long long conv_id)
{
	static const char sql[] = "SELECT author, text, created_at FROM "
	    "conv_notes WHERE conversation_id = ?1 ORDER BY id LIMIT ?2";
	struct store_stmt *st;
	json_t *list = json_array();

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL)
		return list ? list : json_array();
	store_bind_int64(st, 1, conv_id);
	store_bind_int(st, 2, NOTES_MAX);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(list, json_pack("{s:o, s:o, s:o}",
		    "author", text_or_null(st, 0), "text", text_or_null(st, 1),
		    "at", int_or_null(st, 2)));
	store_stmt_done(st);
	return list;
}

json_t *
console_history_json(struct server *s, long long conv_id)
{
	static const char sql[] = "SELECT o.id, o.agency, o.started_at, "
	    "o.ended_at, o.outcome, o.open, COALESCE(o.case_ref, (SELECT "
	    "k.reference FROM cases k WHERE k.conversation_id = o.id ORDER BY "
	    "k.id DESC LIMIT 1)), (SELECT k.status FROM cases k WHERE "
	    "k.conversation_id = o.id ORDER BY k.id DESC LIMIT 1) "
	    "FROM conversations c JOIN conversations o ON o.channel = "
	    "c.channel AND o.user_id = c.user_id AND o.id <> c.id "
	    "WHERE c.id = ?1 ORDER BY o.started_at DESC LIMIT ?2";
	struct store_stmt *st;
	json_t *list = json_array();
	const struct agency *a;
	const char *ag;

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL)
		return list ? list : json_array();
	store_bind_int64(st, 1, conv_id);
	store_bind_int(st, 2, HISTORY_MAX);
	while (store_step(st) == STORE_ROW) {
		ag = store_col_text(st, 1);
		a = ag ? config_agency(s->cfg, ag) : NULL;
		json_array_append_new(list, json_pack("{s:I, s:s, s:o, s:o, "
		    "s:o, s:b, s:o, s:o}",
		    "id", (json_int_t)store_col_int64(st, 0),
		    "agency_name", a && a->name ? a->name : ag ? ag : "",
		    "started_at", int_or_null(st, 2),
		    "ended_at", int_or_null(st, 3),
		    "outcome", text_or_null(st, 4),
		    "open", store_col_int(st, 5) != 0,
		    "case_ref", text_or_null(st, 6),
		    "case_status", text_or_null(st, 7)));
	}
	store_stmt_done(st);
	return list;
}

static void
add_staff(const struct staff_account *a, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s}", "name", a->name,
	    "role", a->role));
}

int
console_staff_get(struct http_req *r)
{
	struct session sess;
	json_t *list;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	if ((list = json_array()) == NULL ||
	    staff_each(r->srv->store, add_staff, list) == -1) {
		json_decref(list);
		return console_error(r, 503, "database");
	}
	return console_json(r, 200, json_pack("{s:o}", "staff", list));
}

/* ---- canned replies ---------------------------------------------------- */

static char *
trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return p;
}

/* "\n" in the file is a new line in the reply. */
static json_t *
unescape(const char *t)
{
	char *o = malloc(strlen(t) + 1), *q = o;
	json_t *j;

	if (o == NULL)
		return NULL;
	for (; *t; t++) {
		if (t[0] == '\\' && t[1] == 'n') {
			*q++ = '\n';
			t++;
		} else {
			*q++ = *t;
		}
	}
	*q = '\0';
	j = json_string(o);
	free(o);
	return j;
}

/*
 * One line: "[agency]" starts a section ("[*]": every agency), and
 * "title = text" adds a reply to it.  -1 with err filled on a bad line.
 */
static int
canned_line(json_t *out, char *line, char *section, size_t seclen,
    char *err, size_t errlen)
{
	char *p = trim(line), *eq;
	json_t *list, *text;

	if (*p == '\0' || *p == '#')
		return 0;
	if (*p == '[') {
		eq = strchr(p, ']');
		if (eq == NULL || eq[1] != '\0' || eq == p + 1) {
			snprintf(err, errlen, "section without ']'");
			return -1;
		}
		*eq = '\0';
		snprintf(section, seclen, "%s", trim(p + 1));
		return 0;
	}
	if ((eq = strstr(p, " = ")) == NULL || section[0] == '\0') {
		snprintf(err, errlen, section[0] ? "expected 'titel = tekst'" :
		    "reply before the first [section]");
		return -1;
	}
	*eq = '\0';
	if ((list = json_object_get(out, section)) == NULL) {
		list = json_array();
		json_object_set_new(out, section, list);
	}
	text = unescape(trim(eq + 3));
	return json_array_append_new(list, json_pack("{s:s, s:o}", "title",
	    trim(p), "text", text ? text : json_string(""))) == 0 ? 0 : -1;
}

void
console_canned_load(struct console *c, const char *dir)
{
	char path[1024], section[64] = "", err[128], *line, *save = NULL;
	struct console_canned *k;
	struct buf b;
	int n = 0;

	if (c == NULL || dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, CANNED_FILE);
	buf_init(&b, CANNED_MAX_BYTES);
	if (buf_read_file(&b, path) == -1 || buf_append(&b, "", 1) == -1) {
		buf_free(&b);
		log_info("event=canned_replies_none path=%s", path);
		return;	/* none: the page offers none */
	}
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->by_agency = json_object()) == NULL)
		goto bad;
	for (line = strtok_r(b.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (canned_line(k->by_agency, line, section, sizeof(section),
		    err, sizeof(err)) == -1) {
			log_error("event=canned_replies_refused path=%s line=%d "
			    "msg=\"%s\"", path, n, err);
			goto bad;
		}
	}
	buf_free(&b);
	console_canned_free(c->canned);
	c->canned = k;
	return;
bad:
	buf_free(&b);
	console_canned_free(k);
}

void
console_canned_free(struct console_canned *k)
{
	if (k == NULL)
		return;
	json_decref(k->by_agency);
	free(k);
}

int
console_canned_get(struct http_req *r)
{
	struct console_canned *k = r->srv->console->canned;
	struct session sess;
	char agency[64] = "";
	json_t *list, *v;
	size_t i;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	http_query(r, "agency", agency, sizeof(agency));
	if ((list = json_array()) == NULL)
		return console_error(r, 503, "internal");
	/* The agency's own first: they are the most specific. */
	json_array_foreach(k ? json_object_get(k->by_agency, agency) : NULL,
	    i, v)
		json_array_append(list, v);
	json_array_foreach(k ? json_object_get(k->by_agency, "*") : NULL, i, v)
		json_array_append(list, v);
	return console_json(r, 200, json_pack("{s:o}", "canned", list));
}
