/*
 * console_media.c — photos, files and voice messages in the console: the
 * media of a transcript and the evidence of a case as JSON, and
 * GET /api/media/ID, which serves the bytes to logged-in staff only.  The
 * type served is the checked one from the allow-list (media.h), never
 * HTML or SVG; images and sound are shown in the page, everything else
 * is a download (Content-Disposition: attachment), and every reply
 * carries X-Content-Type-Options: nosniff (http.c).  Service thread.
 */
#include "console_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "media.h"
#include "server.h"
#include "store.h"

#define MEDIA_COLS "id, inbound_id, kind, status, content_type, size, " \
	"filename, error, case_ref"

static json_t *
str_or_null(struct store_stmt *st, int i)
{
	const char *t = store_col_text(st, i);

	return t != NULL ? json_string(t) : json_null();
}

/* One media row (MEDIA_COLS) as JSON, without its bytes. */
static json_t *
media_json(struct store_stmt *st)
{
	const char *ct = store_col_text(st, 4);

	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
	    "id", (json_int_t)store_col_int64(st, 0),
	    "message_id", (json_int_t)store_col_int64(st, 1),
	    "kind", str_or_null(st, 2),
	    "status", str_or_null(st, 3),
	    "content_type", str_or_null(st, 4),
	    "size", store_col_null(st, 5) ? json_null() :
	    json_integer(store_col_int64(st, 5)),
	    "filename", str_or_null(st, 6),
	    "error", str_or_null(st, 7),
	    "case_ref", str_or_null(st, 8),
	    "inline", ct != NULL && media_inline(ct));
}

void
console_media_annotate(struct server *s, long long conv_id, json_t *msgs)
{
	static const char sql[] = "SELECT " MEDIA_COLS " FROM media"
	    " WHERE conversation_id = ?1 ORDER BY id";
	struct store_stmt *st;
	json_t *m, *msg;
	size_t i;
	long long in_id;

	if ((st = store_stmt(s->store, sql)) == NULL)
		return;
	store_bind_int64(st, 1, conv_id);
	while (store_step(st) == STORE_ROW) {
		in_id = store_col_int64(st, 1);
		json_array_foreach(msgs, i, msg) {
			const char *from = json_string_value(
			    json_object_get(msg, "from"));

			if (from == NULL || strcmp(from, "citizen") != 0 ||
			    json_integer_value(json_object_get(msg, "id")) !=
			    in_id)
				continue;
			if ((m = media_json(st)) != NULL)
				json_object_set_new(msg, "media", m);
			break;
		}
	}
	store_stmt_done(st);
}

json_t *
console_media_case(struct server *s, const char *ref)
{
	static const char sql[] = "SELECT " MEDIA_COLS ", created_at"
	    " FROM media WHERE case_ref = ?1 ORDER BY id";
	struct store_stmt *st;
	json_t *list = json_array(), *m;

	if (list == NULL || (st = store_stmt(s->store, sql)) == NULL)
		return list ? list : json_array();
	store_bind_text(st, 1, ref, -1);
	while (store_step(st) == STORE_ROW)
		if ((m = media_json(st)) != NULL) {
			json_object_set_new(m, "at",
			    json_integer(store_col_int64(st, 9)));
			json_array_append_new(list, m);
		}
	store_stmt_done(st);
	return list;
}

/* "name.pdf" as an ASCII fallback and an RFC 5987 UTF-8 form. */
static void
disposition(char *out, size_t outlen, int show, const char *fn, long long id)
{
	char ascii[128], enc[400];
	size_t a = 0, e = 0, i;
	static const char hex[] = "0123456789ABCDEF";

	for (i = 0; fn != NULL && fn[i] != '\0'; i++) {
		unsigned char c = (unsigned char)fn[i];
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';

		if (a + 1 < sizeof(ascii))
			ascii[a++] = plain ? (char)c : '_';
		if (plain && e + 1 < sizeof(enc))
			enc[e++] = (char)c;
		else if (!plain && e + 3 < sizeof(enc)) {
			enc[e++] = '%';
			enc[e++] = hex[c >> 4];
			enc[e++] = hex[c & 15];
		}
	}
	ascii[a] = '\0';
	enc[e] = '\0';
	if (a == 0)
		snprintf(out, outlen, "Content-Disposition: %s; "
		    "filename=\"bestand-%lld\"", show ? "inline" : "attachment",
		    id);
	else
		snprintf(out, outlen, "Content-Disposition: %s; "
		    "filename=\"%s\"; filename*=UTF-8''%s", show ? "inline" :
		    "attachment", ascii, enc);
}

int
console_media_get(struct http_req *r)
{
	static const char sql[] = "SELECT status, content_type, filename,"
	    " data FROM media WHERE id = ?1";
	struct session sess;
	struct store_stmt *st;
	const char *p = r->path + strlen("/api/media/");
	char *end, hdr[700], ctype[128] = "", fn[200] = "";
	long long id;
	void *data = NULL;
	size_t n = 0;
	int rc, stored = 0;

	if (console_auth(r, &sess, 0) == HTTP_DONE)
		return HTTP_DONE;
	id = strtoll(p, &end, 10);
	if (*p < '1' || *p > '9' || *end != '\0' || id <= 0)
		return console_error(r, 404, "not_found");
	if ((st = store_stmt(r->srv->store, sql)) == NULL)
		return console_error(r, 503, "database");
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) == STORE_ROW) {
		stored = store_col_text(st, 0) != NULL &&
		    strcmp(store_col_text(st, 0), "stored") == 0;
		snprintf(ctype, sizeof(ctype), "%s", store_col_text(st, 1) ?
		    store_col_text(st, 1) : "");
		snprintf(fn, sizeof(fn), "%s", store_col_text(st, 2) ?
		    store_col_text(st, 2) : "");
		if (stored)
			data = store_col_blob_dup(st, 3, &n);
	}
	store_stmt_done(st);
	if (rc == STORE_ERROR)
		return console_error(r, 503, "database");
	if (!stored)
		return console_error(r, 404, "not_found");
	/* Only a type of the allow-list goes out as itself. */
	if (data == NULL || media_type_check(ctype, NULL, data, n, ctype,
	    sizeof(ctype)) == -1) {
		free(data);
		return console_error(r, 404, "not_found");
	}
	disposition(hdr, sizeof(hdr), media_inline(ctype), fn, id);
	r->cache_control = "private, max-age=600";
	http_reply_hdr(r, 200, ctype, data, n, hdr);
	free(data);
	return HTTP_DONE;
}
