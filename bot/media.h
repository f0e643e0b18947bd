/*
 * media.h — photos, files and voice messages that citizens send.  Each
 * inbound media message gets a row in the `media` table (migration 9)
 * when the conversation engine handles it; the back end's downloader
 * (media_fetch.c, its own graph worker) fetches the bytes through the
 * Graph API (WhatsApp: media id -> URL -> bytes, with the token;
 * Messenger: the attachment URL) and keeps them in the row, within a
 * size limit and for an allow-list of types.  The console serves them to
 * staff (console_media.c); purge and erase delete them (report_purge.c).
 *
 * The bytes live in the database, not in files: a backup of the database
 * is a backup of the evidence, several instances on one PostgreSQL serve
 * the same media without a shared disk, and purge and erase remove them
 * in the same statements that blank the message.
 *
 * media.c is pure except media_note/media_attach_case (the caller's
 * store and transaction); media_fetch.c runs on the back end thread.
 */
#ifndef LOKET_MEDIA_H
#define LOKET_MEDIA_H

#include <stddef.h>

struct config;
struct store;

#define MEDIA_MAX_ATTEMPTS	5	/* downloads tried before giving up */
#define MEDIA_URL_MAX		2048

/* Whether an inbound message type carries media we keep (image, audio,
 * video, document, sticker; Messenger's file). */
int		 media_is_kind(const char *type);

/*
 * Records the media of inbound row inbound_id (a citizen's message of a
 * media type with a media id or URL) as pending, in conversation conv_id
 * (0: none) and as evidence of case_ref (NULL: none yet).  In the
 * caller's transaction.  Returns 1 recorded, 0 nothing to record (not
 * media, or already there), -1 on a database error.
 */
int		 media_note(struct store *s, long long inbound_id,
		    long long conv_id, const char *case_ref, long long now_ms);
/* The conversation's media not yet evidence of a case become evidence
 * of ref (a case was just registered from it).  Rows changed, or -1. */
int		 media_attach_case(struct store *s, long long conv_id,
		    const char *ref);

/*
 * The content type to keep for a download, into out: the declared type
 * (the answer's Content-Type, else Meta's mime_type; parameters dropped,
 * lower case) when it is on the allow-list and, for images and PDF, the
 * first bytes match it; a declared application/octet-stream is named by
 * its bytes.  Returns 0, or -1 when the type is not allowed (HTML, SVG,
 * scripts, archives, executables, anything unknown).
 */
int		 media_type_check(const char *declared, const char *meta_type,
		    const void *data, size_t n, char *out, size_t outlen);
/* Whether staff's browser may show ctype in the page (an allowed image
 * or sound); everything else is served as a download. */
int		 media_inline(const char *ctype);
/*
 * Whether the downloader may fetch url: https on a Meta content host
 * (*.fbcdn.net, *.fbsbx.com, *.facebook.com, *.whatsapp.net), or any
 * URL under graph_url's own scheme, host and port (the test mock).  No
 * user:password@, no whitespace or control characters, at most
 * MEDIA_URL_MAX bytes.
 */
int		 media_url_ok(const char *url, const char *graph_url);
/* Whether id can be a WhatsApp media id (1-128 of [A-Za-z0-9._-]). */
int		 media_id_ok(const char *id);

/* ---- the downloader (media_fetch.c), back end thread ---- */

struct media_fetch;
struct graph_job;
struct graph_result;

struct media_fetch_opts {
	void		(*wake)(void *arg);	/* results ready (any thread) */
	void		*wake_arg;
	long		 base_backoff_ms;	/* 0: 2000, doubled per try */
};

/* Starts the downloader's graph worker; NULL on error (logged).  With
 * graph_url "log:" nothing is fetched: rows fail as "offline". */
struct media_fetch *media_fetch_new(const struct config *cfg,
		    struct store *s, const struct media_fetch_opts *o);
void		 media_fetch_set_config(struct media_fetch *m,
		    const struct config *cfg);
/* Applies finished downloads and starts due ones; outside any open
 * transaction.  Returns 1 when a row changed (the console refreshes). */
int		 media_fetch_service(struct media_fetch *m);
/* Stops the worker (transfers in flight are abandoned: their rows are
 * claimed and go again after the claim expires).  NULL ok. */
void		 media_fetch_free(struct media_fetch *m);

#endif
