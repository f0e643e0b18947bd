/*
 * media_fetch.c — the downloader of media rows, on the back end thread,
 * with a graph worker of its own (graph.c owns libcurl), so a large file
 * never holds up a reply in the outbox.  See media.h.
 *
 * A pending row that is due is claimed (claimed_at; a claim older than
 * CLAIM_MS is taken as abandoned by a crashed instance) and fetched:
 *   WhatsApp   GET {graph_url}/{media id} with the agency's token ->
 *              {url, mime_type, file_size}; then GET url with the token
 *   Messenger  GET the attachment URL (no token)
 * Then the row is stored (bytes, checked type, size), failed for good
 * (too_big, type, refused: a URL or id that cannot be Meta's) or tried
 * again later (network, HTTP errors; MEDIA_MAX_ATTEMPTS in all, the wait
 * doubling from base_backoff_ms), after which it fails as "download".
 */
#include "media.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "graph.h"
#include "log.h"
#include "store.h"

#define INFLIGHT	4		/* downloads at once */
#define CLAIM_MS	(10LL * 60 * 1000)
#define META_MAX	(16 * 1024)	/* the media id's JSON answer */
#define TIMEOUT_MS	120000

struct slot {
	long long	 id;		/* media row, 0 = free */
	int		 step;		/* 0: WhatsApp metadata, 1: bytes */
	char		 meta_type[128]; /* Meta's mime_type, step 1 */
	char		 agency[128];	/* whose token */
};

struct media_fetch {
	const struct config	*cfg;
	struct store		*store;
	struct graph		*graph;
	struct media_fetch_opts	 o;
	int			 offline;	/* graph_url "log:" */
	long long		 key;		/* claimed_by */
	struct slot		 slots[INFLIGHT];
};

/* What a row needs for its next request. */
struct row {
	long long	 id;
	char		 channel[16];
	char		 agency[128];
	char		 source[MEDIA_URL_MAX + 1];
	int		 attempts;
};

static struct slot *
slot_of(struct media_fetch *m, long long id)
{
	int i;

	for (i = 0; i < INFLIGHT; i++)
		if (m->slots[i].id == id)
			return &m->slots[i];
	return NULL;
}

static int
exec_row(struct media_fetch *m, const char *sql, long long id,
    const char *text, long long n)
{
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(m->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, text, -1);
	store_bind_int64(st, 3, n);
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? store_changes(m->store) : -1;
}

/* Gives up on the row: error is a code the console words in Dutch. */
static void
fail_row(struct media_fetch *m, long long id, const char *error)
{
	static const char sql[] = "UPDATE media SET status = 'failed',"
	    " error = ?2, claimed_at = NULL, updated_at = ?3 WHERE id = ?1";

	exec_row(m, sql, id, error, store_now_ms());
	log_warnx("event=media_failed id=%lld error=%s", id, error);
}

/* Tries again later, or fails it when out of attempts. */
static void
retry_row(struct media_fetch *m, long long id, const char *why)
{
	static const char sql_att[] = "SELECT attempts FROM media"
	    " WHERE id = ?1";
	static const char sql[] = "UPDATE media SET claimed_at = NULL,"
	    " error = 'retry', next_attempt_at = ?2, updated_at = ?3"
	    " WHERE id = ?1";
	struct store_stmt *st;
	long long wait;
	int att = MEDIA_MAX_ATTEMPTS;

	if ((st = store_stmt(m->store, sql_att)) != NULL) {
		store_bind_int64(st, 1, id);
		if (store_step(st) == STORE_ROW)
			att = store_col_int(st, 0);
		store_stmt_done(st);
	}
	if (att >= MEDIA_MAX_ATTEMPTS) {
		fail_row(m, id, "download");
		return;
	}
	wait = m->o.base_backoff_ms << (att > 1 ? att - 1 : 0);
	if ((st = store_stmt(m->store, sql)) != NULL) {
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, store_now_ms() + wait);
		store_bind_int64(st, 3, store_now_ms());
		store_step(st);
		store_stmt_done(st);
	}
	log_info("event=media_retry id=%lld attempt=%d why=\"%s\" "
	    "in_ms=%lld", id, att, why, wait);
}

static const char *
token_for(struct media_fetch *m, const char *agency)
{
	const struct agency *a = config_agency(m->cfg, agency);

	return a != NULL && a->access_token ? a->access_token :
	    m->cfg->access_token;
}

static struct graph_job *
new_job(long long id, const char *url, const char *token, size_t max)
{
	struct graph_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->id = id;
	j->max_bytes = max;
	j->method = strdup("GET");
	j->url = strdup(url);
	if (token != NULL && (j->auth = malloc(strlen(token) + 32)) != NULL)
		snprintf(j->auth, strlen(token) + 32,
		    "Authorization: Bearer %s", token);
	if (j->method == NULL || j->url == NULL ||
	    (token != NULL && j->auth == NULL)) {
		graph_job_free(j);
		return NULL;
	}
	return j;
}

static size_t
max_bytes(const struct media_fetch *m)
{
	return (size_t)m->cfg->media_max_mb * 1024 * 1024;
}

/* The first request for a claimed row; 0 submitted, -1 failed it. */
static int
start_row(struct media_fetch *m, struct slot *sl, const struct row *r)
{
	const char *tok = NULL;
	char url[MEDIA_URL_MAX + 512], proof[65];
	struct graph_job *j;

	memset(sl, 0, sizeof(*sl));
	sl->id = r->id;
	snprintf(sl->agency, sizeof(sl->agency), "%s", r->agency);
	if (strcmp(r->channel, "whatsapp") == 0) {
		if (!media_id_ok(r->source))
			goto refused;
		tok = token_for(m, r->agency);
		if (tok != NULL && m->cfg->app_secret != NULL) {
			graph_appsecret_proof(m->cfg->app_secret, tok, proof);
			snprintf(url, sizeof(url), "%s/%s?appsecret_proof=%s",
			    m->cfg->graph_url, r->source, proof);
		} else
			snprintf(url, sizeof(url), "%s/%s", m->cfg->graph_url,
			    r->source);
		j = new_job(r->id, url, tok, META_MAX);
	} else {
		if (!media_url_ok(r->source, m->cfg->graph_url))
			goto refused;
		sl->step = 1;
		j = new_job(r->id, r->source, NULL, max_bytes(m));
	}
	if (j == NULL) {
		sl->id = 0;
		retry_row(m, r->id, "out of memory");
		return -1;
	}
	graph_submit(m->graph, j);
	return 0;
refused:
	sl->id = 0;
	fail_row(m, r->id, "refused");
	return -1;
}

/* Claims up to n due rows into rows[]; returns how many. */
static int
claim(struct media_fetch *m, struct row *rows, int n)
{
	static const char sql_due[] = "SELECT id, channel, agency, source,"
	    " attempts FROM media WHERE status = 'pending'"
	    " AND next_attempt_at <= ?1 AND (claimed_at IS NULL"
	    " OR claimed_at < ?2) ORDER BY next_attempt_at, id LIMIT ?3";
	static const char sql_claim[] = "UPDATE media SET claimed_at = ?3,"
	    " claimed_by = ?4, attempts = attempts + 1 WHERE id = ?1"
	    " AND status = 'pending' AND (claimed_at IS NULL"
	    " OR claimed_at < ?2)";
	struct store_stmt *st;
	long long now = store_now_ms();
	int k = 0, i, got = 0;

	if ((st = store_stmt(m->store, sql_due)) == NULL)
		return 0;
	store_bind_int64(st, 1, now);
	store_bind_int64(st, 2, now - CLAIM_MS);
	store_bind_int(st, 3, n);
	while (k < n && store_step(st) == STORE_ROW) {
		memset(&rows[k], 0, sizeof(rows[k]));
		rows[k].id = store_col_int64(st, 0);
		snprintf(rows[k].channel, sizeof(rows[k].channel), "%s",
		    store_col_text(st, 1) ? store_col_text(st, 1) : "");
		snprintf(rows[k].agency, sizeof(rows[k].agency), "%s",
		    store_col_text(st, 2) ? store_col_text(st, 2) : "");
		snprintf(rows[k].source, sizeof(rows[k].source), "%s",
		    store_col_text(st, 3) ? store_col_text(st, 3) : "");
		rows[k].attempts = store_col_int(st, 4);
		k++;
	}
	store_stmt_done(st);
	for (i = 0; i < k; i++) {
		if ((st = store_stmt(m->store, sql_claim)) == NULL)
			break;
		store_bind_int64(st, 1, rows[i].id);
		store_bind_int64(st, 2, now - CLAIM_MS);
		store_bind_int64(st, 3, now);
		store_bind_int64(st, 4, m->key);
		if (store_step(st) == STORE_DONE &&
		    store_changes(m->store) == 1)
			rows[got++] = rows[i];	/* ours, not another's */
		store_stmt_done(st);
	}
	return got;
}

/* WhatsApp's answer about the media id: the URL to fetch next. */
static void
on_meta(struct media_fetch *m, struct slot *sl, const struct graph_result *r)
{
	json_t *o = json_loads(r->body, 0, NULL);
	const char *url = json_string_value(json_object_get(o, "url"));
	const char *mt = json_string_value(json_object_get(o, "mime_type"));
	json_t *fs = json_object_get(o, "file_size");
	long long id = sl->id;
	struct graph_job *j;

	if (url == NULL) {
		sl->id = 0;
		retry_row(m, id, "no url in the media answer");
	} else if (json_is_integer(fs) && json_integer_value(fs) >
	    (json_int_t)max_bytes(m)) {
		sl->id = 0;
		fail_row(m, id, "too_big");
	} else if (!media_url_ok(url, m->cfg->graph_url)) {
		sl->id = 0;
		fail_row(m, id, "refused");
	} else if ((j = new_job(id, url, token_for(m, sl->agency), max_bytes(m))) ==
	    NULL) {
		sl->id = 0;
		retry_row(m, id, "out of memory");
	} else {
		sl->step = 1;
		snprintf(sl->meta_type, sizeof(sl->meta_type), "%s",
		    mt ? mt : "");
		graph_submit(m->graph, j);
	}
	json_decref(o);
}

static int
store_bytes(struct media_fetch *m, long long id, const char *ctype,
    const void *data, size_t n)
{
	static const char sql[] = "UPDATE media SET status = 'stored',"
	    " data = ?2, size = ?3, content_type = ?4, error = NULL,"
	    " claimed_at = NULL, updated_at = ?5 WHERE id = ?1";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(m->store, sql)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_blob(st, 2, data, n);
	store_bind_int64(st, 3, (long long)n);
	store_bind_text(st, 4, ctype, -1);
	store_bind_int64(st, 5, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE ? 0 : -1;
}

/* The bytes came: checked and kept, or the row fails. */
static void
on_bytes(struct media_fetch *m, struct slot *sl, const struct graph_result *r)
{
	char ct[128];
	long long id = sl->id;

	sl->id = 0;
	if (r->body_len == 0) {
		retry_row(m, id, "empty answer");
	} else if (media_type_check(r->content_type, sl->meta_type, r->body,
	    r->body_len, ct, sizeof(ct)) == -1) {
		fail_row(m, id, "type");
	} else if (store_bytes(m, id, ct, r->body, r->body_len) == -1) {
		retry_row(m, id, "database");
	} else {
		log_info("event=media_stored id=%lld type=%s bytes=%zu", id,
		    ct, r->body_len);
	}
}

static void
apply(struct media_fetch *m, const struct graph_result *r)
{
	struct slot *sl = slot_of(m, r->id);
	char why[128];

	if (sl == NULL || r->id == 0)
		return;
	if (r->too_big) {
		sl->id = 0;
		fail_row(m, r->id, "too_big");
	} else if (r->curl_code != 0 || r->http_status != 200) {
		snprintf(why, sizeof(why), "http %ld curl %d", r->http_status,
		    r->curl_code);
		sl->id = 0;
		retry_row(m, r->id, why);
	} else if (sl->step == 0) {
		on_meta(m, sl, r);
	} else {
		on_bytes(m, sl, r);
	}
}

/* With graph_url "log:" there is nobody to fetch from. */
static int
fail_offline(struct media_fetch *m)
{
	static const char sql[] = "UPDATE media SET status = 'failed',"
	    " error = 'offline', updated_at = ?1 WHERE status = 'pending'";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(m->store, sql)) == NULL)
		return 0;
	store_bind_int64(st, 1, store_now_ms());
	rc = store_step(st);
	store_stmt_done(st);
	return rc == STORE_DONE && store_changes(m->store) > 0;
}

int
media_fetch_service(struct media_fetch *m)
{
	struct graph_result *res, *r;
	struct row rows[INFLIGHT];
	int i, n, free_slots = 0, changed = 0;

	if (m == NULL || store_in_transaction(m->store))
		return 0;
	if (m->offline)
		return fail_offline(m);
	res = graph_drain(m->graph);
	for (r = res; r != NULL; r = r->next) {
		apply(m, r);
		changed = 1;
	}
	graph_result_free(res);
	for (i = 0; i < INFLIGHT; i++)
		free_slots += m->slots[i].id == 0;
	if (free_slots == 0)
		return changed;
	n = claim(m, rows, free_slots);
	for (i = 0; i < n; i++) {
		struct slot *sl = slot_of(m, 0);

		if (sl == NULL)
			break;
		if (start_row(m, sl, &rows[i]) == -1)
			changed = 1;
	}
	return changed;
}

struct media_fetch *
media_fetch_new(const struct config *cfg, struct store *s,
    const struct media_fetch_opts *o)
{
	struct media_fetch *m = calloc(1, sizeof(*m));
	struct graph_opts go;

	if (m == NULL)
		return NULL;
	m->cfg = cfg;
	m->store = s;
	m->o = *o;
	if (m->o.base_backoff_ms <= 0)
		m->o.base_backoff_ms = 2000;
	m->key = (long long)getpid() * 1000003LL + store_now_ms() % 1000003;
	m->offline = strcmp(cfg->graph_url, "log:") == 0;
	if (m->offline)
		return m;
	memset(&go, 0, sizeof(go));
	go.base_url = cfg->graph_url;
	go.timeout_ms = TIMEOUT_MS;
	go.max_connections = INFLIGHT;
	go.wake = o->wake;
	go.wake_arg = o->wake_arg;
	if ((m->graph = graph_new(&go)) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
media_fetch_set_config(struct media_fetch *m, const struct config *cfg)
{
	if (m != NULL)
		m->cfg = cfg;
}

void
media_fetch_free(struct media_fetch *m)
{
	if (m == NULL)
		return;
	graph_free(m->graph);
	free(m);
}
