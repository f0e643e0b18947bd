/*
 * media.c — the media rows and the checks on what is downloaded: kinds,
 * the type allow-list with a look at the first bytes, the hosts a URL may
 * name.  See media.h.  Any thread (the store is the caller's).
 */
#include "media.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "store.h"

static const char *const kinds[] = {
	"image", "audio", "video", "document", "sticker", "file", NULL
};

int
media_is_kind(const char *type)
{
	size_t i;

	for (i = 0; type != NULL && kinds[i] != NULL; i++)
		if (strcmp(type, kinds[i]) == 0)
			return 1;
	return 0;
}

/* The document's file name out of the raw WhatsApp event, cleaned of
 * anything a header or a file system would choke on; "" if none. */
static void
raw_filename(const char *raw, const char *type, char *out, size_t outlen)
{
	json_t *root = raw ? json_loads(raw, 0, NULL) : NULL;
	json_t *o = json_object_get(json_object_get(root, "message"), type);
	const char *fn = json_string_value(json_object_get(o, "filename"));
	size_t i, n = 0;

	out[0] = '\0';
	if (root != NULL && fn == NULL)
		fn = json_string_value(json_object_get(json_object_get(root,
		    type), "filename"));
	for (i = 0; fn != NULL && fn[i] != '\0' && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)fn[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' ||
		    c == '/')
			c = '_';
		out[n++] = (char)c;
	}
	out[n] = '\0';
	json_decref(root);
}

int
media_note(struct store *s, long long inbound_id, long long conv_id,
    const char *case_ref, long long now_ms)
{
	static const char sql_get[] = "SELECT type, payload, raw FROM inbound"
	    " WHERE id = ?1 AND kind = 'message'";
	static const char sql_ins[] = "INSERT INTO media (inbound_id,"
	    " conversation_id, case_ref, agency, channel, user_id, kind,"
	    " source, filename, created_at, updated_at) SELECT id, ?2, ?3,"
	    " agency, channel, user_id, type, payload, ?4, ?5, ?5 FROM inbound"
	    " WHERE id = ?1 ON CONFLICT (inbound_id) DO NOTHING";
	struct store_stmt *st;
	char fn[200] = "";
	int ok = 0, rc;

	if ((st = store_stmt(s, sql_get)) == NULL)
		return -1;
	store_bind_int64(st, 1, inbound_id);
	if ((rc = store_step(st)) == STORE_ROW) {
		ok = media_is_kind(store_col_text(st, 0)) &&
		    store_col_text(st, 1) != NULL && *store_col_text(st, 1);
		if (ok)
			raw_filename(store_col_text(st, 2),
			    store_col_text(st, 0), fn, sizeof(fn));
	}
	store_stmt_done(st);
	if (rc == STORE_ERROR)
		return -1;
	if (!ok)
		return 0;
	if ((st = store_stmt(s, sql_ins)) == NULL)
		return -1;
	store_bind_int64(st, 1, inbound_id);
	if (conv_id > 0)
		store_bind_int64(st, 2, conv_id);
	store_bind_text(st, 3, case_ref && *case_ref ? case_ref : NULL, -1);
	store_bind_text(st, 4, fn[0] ? fn : NULL, -1);
	store_bind_int64(st, 5, now_ms);
	rc = store_step(st);
	store_stmt_done(st);
	if (rc != STORE_DONE) {
		log_warnx("event=media_note_failed msg=\"%s\"",
		    store_errmsg(s));
		return -1;
	}
	return store_changes(s) > 0;
}

int
media_attach_case(struct store *s, long long conv_id, const char *ref)
{
	static const char sql[] = "UPDATE media SET case_ref = ?2"
	    " WHERE conversation_id = ?1 AND case_ref IS NULL";
	struct store_stmt *st;
	int rc;

	if (conv_id <= 0 || ref == NULL || *ref == '\0')
		return 0;
	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, conv_id);
	store_bind_text(st, 2, ref, -1);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? store_changes(s) : -1;
}

/* ---- types ---- */

enum magic { M_NONE, M_JPEG, M_PNG, M_GIF, M_WEBP, M_PDF };

static const struct allowed {
	const char	*type;
	enum magic	 magic;		/* bytes that must open the file */
	int		 show;		/* shown in the page */
} allowed[] = {
	{ "image/jpeg", M_JPEG, 1 },
	{ "image/png", M_PNG, 1 },
	{ "image/gif", M_GIF, 1 },
	{ "image/webp", M_WEBP, 1 },
	{ "application/pdf", M_PDF, 0 },
	{ "audio/ogg", M_NONE, 1 },
	{ "audio/mpeg", M_NONE, 1 },
	{ "audio/mp4", M_NONE, 1 },
	{ "audio/aac", M_NONE, 1 },
	{ "audio/amr", M_NONE, 0 },
	{ "audio/wav", M_NONE, 1 },
	{ "audio/x-wav", M_NONE, 1 },
	{ "audio/webm", M_NONE, 1 },
	{ "video/mp4", M_NONE, 0 },
	{ "video/3gpp", M_NONE, 0 },
	{ "text/plain", M_NONE, 0 },
	{ "application/msword", M_NONE, 0 },
	{ "application/vnd.ms-excel", M_NONE, 0 },
	{ "application/vnd.ms-powerpoint", M_NONE, 0 },
	{ "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document", M_NONE, 0 },
	{ "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet", M_NONE, 0 },
	{ "application/vnd.openxmlformats-officedocument."
	    "presentationml.presentation", M_NONE, 0 },
	{ "application/vnd.oasis.opendocument.text", M_NONE, 0 },
	{ "application/vnd.oasis.opendocument.spreadsheet", M_NONE, 0 },
	{ NULL, M_NONE, 0 }
};

static int
has_magic(enum magic m, const unsigned char *d, size_t n)
{
	switch (m) {
	case M_JPEG:
		return n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
	case M_PNG:
		return n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
	case M_GIF:
		return n >= 6 && (memcmp(d, "GIF87a", 6) == 0 ||
		    memcmp(d, "GIF89a", 6) == 0);
	case M_WEBP:
		return n >= 12 && memcmp(d, "RIFF", 4) == 0 &&
		    memcmp(d + 8, "WEBP", 4) == 0;
	case M_PDF:
		return n >= 5 && memcmp(d, "%PDF-", 5) == 0;
	default:
		return 1;
	}
}

/* "Image/PNG; charset=x " -> "image/png". */
static void
base_type(const char *t, char *out, size_t outlen)
{
	size_t n = 0;

	while (t != NULL && (*t == ' ' || *t == '\t'))
		t++;
	for (; t != NULL && *t && *t != ';' && *t != ' ' && n + 1 < outlen;
	    t++)
		out[n++] = (char)tolower((unsigned char)*t);
	out[n] = '\0';
}

static const struct allowed *
find_allowed(const char *t)
{
	size_t i;

	for (i = 0; allowed[i].type != NULL; i++)
		if (strcmp(allowed[i].type, t) == 0)
			return &allowed[i];
	return NULL;
}

int
media_type_check(const char *declared, const char *meta_type,
    const void *data, size_t n, char *out, size_t outlen)
{
	const struct allowed *a;
	char t[128];
	size_t i;

	base_type(declared, t, sizeof(t));
	if (t[0] == '\0' || strcmp(t, "application/octet-stream") == 0 ||
	    strcmp(t, "binary/octet-stream") == 0)
		base_type(meta_type, t, sizeof(t));
	if (t[0] == '\0' || strcmp(t, "application/octet-stream") == 0) {
		/* Named by its bytes, for the types that have a signature. */
		for (i = 0; allowed[i].type != NULL; i++)
			if (allowed[i].magic != M_NONE &&
			    has_magic(allowed[i].magic, data, n))
				break;
		if (allowed[i].type == NULL)
			return -1;
		snprintf(t, sizeof(t), "%s", allowed[i].type);
	}
	if ((a = find_allowed(t)) == NULL || !has_magic(a->magic, data, n))
		return -1;
	snprintf(out, outlen, "%s", a->type);
	return 0;
}

int
media_inline(const char *ctype)
{
	const struct allowed *a;
	char t[128];

	base_type(ctype, t, sizeof(t));
	return (a = find_allowed(t)) != NULL && a->show;
}

/* ---- URLs ---- */

static const char *const meta_hosts[] = {
	".fbcdn.net", ".fbsbx.com", ".facebook.com", ".whatsapp.net", NULL
};

/* Length of "scheme://authority" at the start of u, 0 if none. */
static size_t
origin_len(const char *u)
{
	const char *p = strstr(u, "://");

	if (p == NULL)
		return 0;
	p += 3;
	p += strcspn(p, "/?#");
	return (size_t)(p - u);
}

static int
host_is_meta(const char *host, size_t n)
{
	size_t i, k;

	for (i = 0; meta_hosts[i] != NULL; i++) {
		k = strlen(meta_hosts[i]);
		if ((n > k && strncasecmp(host + n - k, meta_hosts[i], k) ==
		    0) || (n == k - 1 && strncasecmp(host, meta_hosts[i] + 1,
		    n) == 0))
			return 1;
	}
	return 0;
}

int
media_url_ok(const char *url, const char *graph_url)
{
	size_t n, o, i;
	const char *host;

	if (url == NULL || (n = strlen(url)) == 0 || n > MEDIA_URL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f ||
		    url[i] == '\\')
			return 0;
	if ((o = origin_len(url)) == 0 || memchr(url, '@', o) != NULL)
		return 0;
	/* The test mock: exactly graph_url's scheme, host and port. */
	if (graph_url != NULL && origin_len(graph_url) == o &&
	    strncasecmp(url, graph_url, o) == 0)
		return 1;
	if (strncasecmp(url, "https://", 8) != 0)
		return 0;
	host = url + 8;
	n = o - 8;
	if (memchr(host, ':', n) != NULL)	/* no odd ports */
		return 0;
	return host_is_meta(host, n);
}

int
media_id_ok(const char *id)
{
	size_t i;

	if (id == NULL || id[0] == '\0')
		return 0;
	for (i = 0; id[i] != '\0'; i++)
		if (i >= 128 || !(isalnum((unsigned char)id[i]) ||
		    id[i] == '.' || id[i] == '_' || id[i] == '-'))
			return 0;
	return 1;
}
