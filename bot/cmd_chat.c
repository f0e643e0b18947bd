/*
 * cmd_chat.c — `loket chat`: a conversation in the terminal with the real
 * engine, for intent authors and testers.  Every line read is stored as
 * an inbound message of one citizen, the engine runs, and the replies it
 * queued in the outbox are printed (buttons as numbered choices) and
 * marked sent.  Works from a pipe: each input line is echoed as "> line",
 * each reply line printed as "< line", and at the end of input
 * "outcome: NAME" (or "open") and "case: REFERENCE" when one was made.
 *
 * Commands: "/wait 25h" lets simulated time pass (the engine takes the
 * clock as a parameter), "/after 1s" sends the next message that soon
 * after the previous one (a burst; by default CHAT_GAP passes between
 * messages, as when a person reads and types), "/image" sends a photo
 * without text, "/restart" closes and reopens the database and engine as
 * a server restart would.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "conv.h"
#include "intent.h"
#include "locales.h"
#include "log.h"
#include "store.h"

#define CHAT_USER	"chat-citizen"
#define CHAT_PHONE	"32470998877"
#define CHAT_GAP_MS	20000	/* reading the reply and typing */

struct chat {
	struct config		*cfg;
	const struct agency	*agency;
	const char		*channel;
	const char		*db_path;
	struct store		*store;
	struct intent_model	*model;
	struct locales		*loc;
	struct conv_engine		*engine;
	long long		 offset_ms;	/* simulated time passed */
	long long		 start_ms;	/* --at, or 0: the real clock */
	long long		 gap_ms;	/* before the next message */
	int			 seq;		/* message ids */
	char			 last_ids[3][48];	/* last buttons */
	char			 last_titles[3][64];
	int			 n_last;
};

struct chat_opts {
	const char	*agency, *channel, *config, *db, *intents, *locales;
	const char	*at;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: loket chat [--agency ID] [--channel whatsapp|"
	    "messenger] [--config FILE]\n"
	    "                  [--db FILE] [--intents DIR] [--locales DIR] "
	    "[--at YYYY-MM-DDTHH:MM]\n\n"
	    "Talk to the bot as a citizen; lines come from stdin.  /wait 25h "
	    "lets time pass,\n/image sends a photo, /restart reopens the "
	    "database.  --at starts the clock\nat a Brussels time (default: "
	    "now).  Without --db a temporary database is used.\n");
}

static long long
now_ms(const struct chat *c)
{
	return (c->start_ms ? c->start_ms : store_now_ms()) + c->offset_ms;
}

/* "2026-12-01T10:00" in Brussels time, as ms since 1970; -1 if bad. */
static long long
parse_at(const char *s)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%d-%d-%dT%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min) != 5)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	t -= config_brussels_utc_offset(t);
	return (long long)t * 1000;
}

static int
parse_opts(int argc, char **argv, struct chat_opts *o)
{
	const struct cli_option opts[] = {
		{ "--agency", &o->agency, NULL },
		{ "--channel", &o->channel, NULL },
		{ "--config", &o->config, NULL },
		{ "--db", &o->db, NULL },
		{ "--intents", &o->intents, NULL },
		{ "--locales", &o->locales, NULL },
		{ "--at", &o->at, NULL },
		{ NULL, NULL, NULL }
	};

	memset(o, 0, sizeof(*o));
	return cli_parse(argc, argv, 1, opts, usage);
}

/* ---- the database side -------------------------------------------------- */

static const char *
account_of(const struct chat *c)
{
	const struct strlist *l = strcmp(c->channel, "whatsapp") == 0 ?
	    &c->agency->wa_phone_ids : &c->agency->page_ids;

	return l->n > 0 ? l->v[0] : "chat-account";
}

static int
insert_inbound(struct chat *c, const char *type, const char *text,
    const char *payload)
{
	static const char sql[] = "INSERT INTO inbound (channel, agency, "
	    "account_id, user_id, user_phone, user_name, msg_id, kind, type, "
	    "text, payload, meta_ts, received_at, raw) VALUES (?1, ?2, ?3, "
	    "?4, ?5, 'Chat', ?6, 'message', ?7, ?8, ?9, ?10, ?10, '{}')";
	struct store *db = c->store;
	struct store_stmt *st;
	char msg_id[64];
	int rc;

	snprintf(msg_id, sizeof(msg_id), "chat-%lld-%d", store_now_ms(),
	    ++c->seq);
	if ((st = store_prepare(db, sql)) == NULL)
		return -1;
	store_bind_text(st, 1, c->channel, -1);
	store_bind_text(st, 2, c->agency->id, -1);
	store_bind_text(st, 3, account_of(c), -1);
	store_bind_text(st, 4, CHAT_USER, -1);
	if (strcmp(c->channel, "whatsapp") == 0)
		store_bind_text(st, 5, CHAT_PHONE, -1);
	store_bind_text(st, 6, msg_id, -1);
	store_bind_text(st, 7, type, -1);
	if (text != NULL)
		store_bind_text(st, 8, text, -1);
	if (payload != NULL)
		store_bind_text(st, 9, payload, -1);
	store_bind_int64(st, 10, now_ms(c));
	rc = store_step(st);
	store_finalize(st);
	return rc == STORE_DONE ? 0 : -1;
}

static void
print_lines(const char *prefix, const char *text)
{
	const char *p = text, *nl;

	do {
		nl = strchr(p, '\n');
		printf("%s%.*s\n", prefix, nl ? (int)(nl - p) : (int)strlen(p),
		    p);
		p = nl + 1;
	} while (nl != NULL);
}

/* Prints one outbox body; remembers its buttons for "1", "2", "3". */
static void
print_body(struct chat *c, const char *kind, const char *body)
{
	json_t *o = json_loads(body, 0, NULL), *ch, *it;
	size_t i;

	if (strcmp(kind, "handover") == 0) {
		printf("< [thread passed to the Page Inbox]\n");
	} else if (o != NULL && json_is_string(json_object_get(o, "text"))) {
		print_lines("< ", json_string_value(json_object_get(o,
		    "text")));
	}
	ch = o != NULL ? json_object_get(o, "choices") : NULL;
	if (json_is_array(ch))
		c->n_last = 0;
	json_array_foreach(ch, i, it) {
		const char *id = json_string_value(json_object_get(it, "id"));
		const char *t = json_string_value(json_object_get(it, "title"));

		printf("<   %zu. %s\n", i + 1, t != NULL ? t : "?");
		if (i < 3 && id != NULL && t != NULL) {
			snprintf(c->last_ids[i], sizeof(c->last_ids[i]), "%s",
			    id);
			snprintf(c->last_titles[i], sizeof(c->last_titles[i]),
			    "%s", t);
			c->n_last = (int)i + 1;
		}
	}
	json_decref(o);
}

/* Prints what the engine queued and marks it sent. */
static int
flush_outbox(struct chat *c)
{
	struct store *db = c->store;
	struct store_stmt *st;

	if ((st = store_prepare(db, "SELECT kind, body FROM outbox WHERE "
	    "status = 'pending' AND user_id = ?1 ORDER BY id")) == NULL)
		return -1;
	store_bind_text(st, 1, CHAT_USER, -1);
	while (store_step(st) == STORE_ROW)
		print_body(c, store_col_text(st, 0),
		    store_col_text(st, 1));
	store_finalize(st);
	if ((st = store_prepare(db, "UPDATE outbox SET status = 'sent' WHERE "
	    "status = 'pending' AND user_id = ?1")) == NULL)
		return -1;
	store_bind_text(st, 1, CHAT_USER, -1);
	store_step(st);
	store_finalize(st);
	fflush(stdout);
	return 0;
}

/* The last conversation's outcome ("open" if none yet) and case. */
static void
print_result(struct chat *c)
{
	struct store *db = c->store;
	struct store_stmt *st;
	const char *o;

	if ((st = store_prepare(db, "SELECT outcome, (SELECT reference FROM "
	    "cases WHERE agency = ?1 AND conversation_id IN (SELECT id FROM "
	    "conversations WHERE agency = ?1 AND channel = ?2 AND user_id = "
	    "?3) ORDER BY id DESC LIMIT 1) FROM conversations WHERE agency = "
	    "?1 AND channel = ?2 AND user_id = ?3 ORDER BY id DESC LIMIT 1")) == NULL)
		return;
	store_bind_text(st, 1, c->agency->id, -1);
	store_bind_text(st, 2, c->channel, -1);
	store_bind_text(st, 3, CHAT_USER, -1);
	if (store_step(st) == STORE_ROW) {
		o = store_col_text(st, 0);
		printf("outcome: %s\n", o != NULL && *o ? o : "open");
		if (store_col_text(st, 1) != NULL)
			printf("case: %s\n", store_col_text(st, 1));
	} else {
		printf("outcome: open\n");
	}
	store_finalize(st);
}

/* ---- open, close, the loop ------------------------------------------- */

static int
chat_open(struct chat *c)
{
	char err[512];

	if ((c->store = store_open(c->db_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket chat: %s: %s\n", c->db_path, err);
		return -1;
	}
	if ((c->engine = conv_new(c->cfg, c->store, c->model, c->loc)) ==
	    NULL) {
		fprintf(stderr, "loket chat: out of memory\n");
		return -1;
	}
	return 0;
}

static void
chat_close(struct chat *c)
{
	conv_free(c->engine);
	c->engine = NULL;
	store_close(c->store);
	c->store = NULL;
}

/* "25h", "90m", "2d" */
static int
do_wait(struct chat *c, const char *arg)
{
	long secs = config_parse_duration(arg);

	if (secs < 0) {
		fprintf(stderr, "loket chat: bad duration '%s'\n", arg);
		return 0;
	}
	c->offset_ms += (long long)secs * 1000;
	return conv_tick(c->engine, now_ms(c)) < 0 ? -1 : 0;
}

/* "2" after buttons presses the second button, as a phone would. */
static int
send_line(struct chat *c, const char *line)
{
	int k = (line[0] >= '1' && line[0] <= '3' && line[1] == '\0') ?
	    line[0] - '1' : -1;
	const char *type = strcmp(c->channel, "whatsapp") == 0 ?
	    "interactive" : "quick_reply";

	if (k >= 0 && k < c->n_last)
		return insert_inbound(c, type, c->last_titles[k],
		    c->last_ids[k]);
	return insert_inbound(c, "text", line, NULL);
}

static int
handle_line(struct chat *c, const char *line)
{
	int rc = 0;

	if (strncmp(line, "/wait", 5) == 0)
		return do_wait(c, line + 5 + strspn(line + 5, " "));
	if (strncmp(line, "/after", 6) == 0) {
		long secs = config_parse_duration(line + 6 +
		    strspn(line + 6, " "));

		if (secs < 0) {
			fprintf(stderr, "loket chat: bad duration '%s'\n",
			    line + 6);
			return 0;
		}
		c->gap_ms = (long long)secs * 1000;
		return 0;
	}
	c->offset_ms += c->gap_ms;
	c->gap_ms = CHAT_GAP_MS;
	if (strcmp(line, "/restart") == 0) {
		chat_close(c);
		return chat_open(c);
	}
	if (strcmp(line, "/image") == 0)
		rc = insert_inbound(c, "image", NULL, "chat-media-1");
	else
		rc = send_line(c, line);
	c->n_last = 0;
	if (rc == -1 || conv_process_pending(c->engine, now_ms(c)) < 0)
		return -1;
	return 0;
}

static int
chat_loop(struct chat *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int echo = !isatty(STDIN_FILENO), rc = 0;

	if (!echo)
		printf("Loket chat with %s (%s). Type as a citizen; /wait 25h, "
		    "/image, /restart; Ctrl-D ends.\n", c->agency->name,
		    c->channel);
	while (rc == 0 && (n = getline(&line, &cap, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (echo)
			printf("> %s\n", line);
		if ((rc = handle_line(c, line)) == 0)
			rc = flush_outbox(c);
	}
	free(line);
	if (rc == 0)
		print_result(c);
	else
		fprintf(stderr, "loket chat: database error\n");
	return rc;
}

/* Loads config, model and texts; picks the agency and channel. */
static int
chat_setup(struct chat *c, const struct chat_opts *o)
{
	char err[512];
	const char *id;

	if ((c->cfg = cli_load_config(o->config, NULL)) == NULL)
		return -1;
	id = o->agency ? o->agency : c->cfg->default_agency;
	c->agency = id ? config_agency(c->cfg, id) : (c->cfg->n_agencies ?
	    &c->cfg->agencies[0] : NULL);
	if (c->agency == NULL) {
		fprintf(stderr, "loket chat: no agency '%s'\n", id ? id : "");
		return -1;
	}
	c->channel = o->channel ? o->channel : "whatsapp";
	if (strcmp(c->channel, "whatsapp") && strcmp(c->channel, "messenger")) {
		fprintf(stderr, "loket chat: channel is whatsapp or "
		    "messenger\n");
		return -1;
	}
	if ((c->model = intent_load(o->intents ? o->intents :
	    c->cfg->intents_dir, err, sizeof(err))) == NULL ||
	    (c->loc = locales_load(o->locales ? o->locales :
	    c->cfg->locales_dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "loket chat: %s\n", err);
		return -1;
	}
	if (o->at != NULL && (c->start_ms = parse_at(o->at)) < 0) {
		fprintf(stderr, "loket chat: bad --at '%s'\n", o->at);
		return -1;
	}
	return 0;
}

static void
remove_db(const char *path)
{
	char p[512];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int
cmd_chat(int argc, char **argv)
{
	struct chat c;
	struct chat_opts o;
	char tmp[] = "/tmp/loket-chat.XXXXXX";
	int fd = -1, rc = 1;

	memset(&c, 0, sizeof(c));
	log_set_level(LOG_LVL_WARN);	/* the conversation is the output */
	log_level_from_env();
	if (parse_opts(argc, argv, &o) == -1)
		return 2;
	if (o.db == NULL && (fd = mkstemp(tmp)) == -1) {
		perror("loket chat: mkstemp");
		return 1;
	}
	c.db_path = o.db != NULL ? o.db : tmp;
	if (chat_setup(&c, &o) == 0 && chat_open(&c) == 0)
		rc = chat_loop(&c) == 0 ? 0 : 1;
	chat_close(&c);
	locales_free(c.loc);
	intent_free(c.model);
	config_free(c.cfg);
	if (fd != -1) {
		close(fd);
		remove_db(tmp);
	}
	return rc;
}
