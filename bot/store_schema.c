/*
 * store_schema.c — the schema, as numbered migrations.  Migration N brings
 * the database from user_version N-1 to N inside one transaction.  Never
 * edit a migration that has shipped: append a new one.
 *
 * Times are milliseconds since 1970 (UTC) in INTEGER columns.
 */
#include "store_schema.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 1: intake — every signed webhook event, deduplicated. */
	"CREATE TABLE inbound ("
	"  id INTEGER PRIMARY KEY,"
	"  channel TEXT NOT NULL,"		/* whatsapp | messenger */
	"  agency TEXT,"			/* NULL: unrouted, not answered */
	"  account_id TEXT,"			/* phone_number_id / page id */
	"  user_id TEXT NOT NULL,"		/* BSUID, phone or PSID */
	"  user_phone TEXT,"
	"  user_name TEXT,"
	"  msg_id TEXT NOT NULL,"		/* wamid / mid */
	"  kind TEXT NOT NULL,"			/* message | reaction | echo |"
						   handover */
	"  type TEXT,"
	"  text TEXT,"
	"  payload TEXT,"
	"  standby INTEGER NOT NULL DEFAULT 0,"
	"  meta_ts INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  raw TEXT NOT NULL,"
	"  processed INTEGER NOT NULL DEFAULT 0," /* 0: waits for the
						     conversation engine */
	"  conversation_id INTEGER,"
	"  UNIQUE (channel, msg_id));"
	"CREATE INDEX inbound_pending ON inbound (id) WHERE processed = 0;"
	"CREATE INDEX inbound_conv ON inbound (conversation_id);"
	"CREATE TABLE statuses ("
	"  id INTEGER PRIMARY KEY,"
	"  channel TEXT NOT NULL,"
	"  msg_id TEXT NOT NULL,"		/* our message's id, or a
						   watermark key */
	"  status TEXT NOT NULL,"
	"  user_id TEXT,"
	"  error_code INTEGER,"
	"  error_text TEXT,"
	"  meta_ts INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  raw TEXT NOT NULL,"
	"  applied INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (channel, msg_id, status));"
	"CREATE INDEX statuses_pending ON statuses (id) WHERE applied = 0;"
	"CREATE TABLE unexpected ("		/* signed but not understood */
	"  id INTEGER PRIMARY KEY,"
	"  channel TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  digest TEXT NOT NULL UNIQUE,"	/* sha256 of channel + raw:
						   Meta's retries kept once */
	"  raw TEXT NOT NULL);",

	/* 2: conversations, their outcomes, cases and the outbox. */
	"CREATE TABLE conversations ("
	"  id INTEGER PRIMARY KEY,"
	"  agency TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  user_phone TEXT,"
	"  user_name TEXT,"
	"  lang TEXT NOT NULL DEFAULT 'nl',"
	"  state TEXT NOT NULL DEFAULT 'start',"
	"  data TEXT NOT NULL DEFAULT '{}',"	/* dialog slots, JSON */
	"  mode TEXT NOT NULL DEFAULT 'bot',"	/* bot | staff | page_inbox */
	"  staff TEXT,"				/* who took it over */
	"  first_intent TEXT,"
	"  outcome TEXT,"			/* reached so far, or final */
	"  case_ref TEXT,"
	"  started_at INTEGER NOT NULL,"
	"  first_reply_at INTEGER,"
	"  last_in_at INTEGER,"
	"  last_out_at INTEGER,"
	"  waiting_since INTEGER,"		/* waits for staff since */
	"  ended_at INTEGER,"
	"  turns INTEGER NOT NULL DEFAULT 0,"
	"  staff_involved INTEGER NOT NULL DEFAULT 0,"
	"  abuse INTEGER NOT NULL DEFAULT 0,"
	"  open INTEGER NOT NULL DEFAULT 1);"
	"CREATE UNIQUE INDEX conversations_open"
	"  ON conversations (agency, channel, user_id) WHERE open = 1;"
	"CREATE INDEX conversations_ended ON conversations (ended_at);"
	/* Anonymous: survives purges so the figures stay. */
	"CREATE TABLE outcomes ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER UNIQUE,"
	"  agency TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  first_intent TEXT,"
	"  topic TEXT,"
	"  outcome TEXT NOT NULL,"
	"  case_ref TEXT,"
	"  first_msg_at INTEGER,"
	"  first_reply_at INTEGER,"
	"  ended_at INTEGER NOT NULL,"
	"  turns INTEGER NOT NULL DEFAULT 0,"
	"  staff_involved INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outcomes_ended ON outcomes (ended_at);"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  reference TEXT NOT NULL UNIQUE,"	/* VMSW-2026-00042 */
	"  agency TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  conversation_id INTEGER,"
	"  name TEXT,"
	"  email TEXT,"
	"  phone TEXT,"
	"  description TEXT,"
	"  subject TEXT,"
	"  dossier TEXT,"
	"  status TEXT NOT NULL DEFAULT 'nieuw',"
	"  admissible INTEGER,"			/* NULL: not yet decided */
	"  inadmissible_reason TEXT,"
	"  verdict TEXT,"			/* gegrond | deels_gegrond |"
						   ongegrond */
	"  note TEXT,"
	"  received_at INTEGER NOT NULL,"
	"  deadline_at INTEGER NOT NULL,"
	"  handled_at INTEGER,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (agency, year, seq));"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER,"
	"  agency TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  account_id TEXT,"			/* send from this number/page */
	"  user_id TEXT NOT NULL,"
	"  to_phone TEXT,"			/* WhatsApp: E.164 without + */
	"  kind TEXT NOT NULL,"			/* text | buttons | list |"
						   template | read | typing |"
						   handover */
	"  body TEXT NOT NULL,"			/* JSON spec of the message */
	"  author TEXT NOT NULL DEFAULT 'bot'," /* bot | staff name */
	"  status TEXT NOT NULL DEFAULT 'pending',"
						/* pending | sent | delivered |"
						   read | failed */
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	"  meta_msg_id TEXT,"			/* set once Meta accepted it */
	"  error_code INTEGER,"
	"  error_text TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_due ON outbox (next_attempt_at, id)"
	"  WHERE status = 'pending';"
	"CREATE INDEX outbox_conv ON outbox (conversation_id, id);"
	"CREATE INDEX outbox_meta ON outbox (meta_msg_id);",

	/* 3: outbox sending — which rows are in flight (reset on start, so a
	 * crash mid-send sends again), the head row per citizen (order), and
	 * the citizen's last message per agency (24-hour window). */
	"ALTER TABLE outbox ADD COLUMN submitted_at INTEGER;"
	"CREATE INDEX outbox_key ON outbox (agency, channel, user_id, id)"
	"  WHERE status = 'pending';"
	"CREATE INDEX inbound_user ON inbound (channel, agency, user_id,"
	"  meta_ts);",

	/* 4: reports, /metrics and purges read by time, outcome and status
	 * (report.c, metrics.c, report_purge.c).  The report's time indexes
	 * cover every column its slices read, so a year's report for many
	 * agencies reads index pages only (20 s -> 2 s for 500k messages). */
	"CREATE INDEX inbound_received ON inbound (received_at, agency,"
	"  channel, kind);"
	"CREATE INDEX outcomes_report ON outcomes (ended_at, agency, channel,"
	"  outcome, staff_involved, first_intent, topic, first_msg_at,"
	"  first_reply_at);"
	"CREATE INDEX outcomes_outcome ON outcomes (outcome);"
	"CREATE INDEX conversations_intent ON conversations (first_intent);"
	"CREATE INDEX conversations_started ON conversations (started_at,"
	"  agency, channel, abuse);"
	"CREATE INDEX cases_received ON cases (received_at);"
	"CREATE INDEX cases_handled ON cases (handled_at);"
	"CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed';",

	/* 5: staff console accounts and sessions.  Only hashes are stored:
	 * PBKDF2 of the password, SHA-256 of the session token. */
	"CREATE TABLE staff ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL DEFAULT 'staff',"	/* staff | coordinator |"
						   admin */
	"  pw_hash TEXT NOT NULL,"		/* pbkdf2-sha256$iter$salt$hash"
						   (hex) */
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE staff_sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  token_hash TEXT NOT NULL UNIQUE,"	/* sha256 of the cookie, hex */
	"  staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"			/* per-session CSRF token */
	"  created_at INTEGER NOT NULL,"
	"  last_seen_at INTEGER NOT NULL);"
	"CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);",

	/* 6: the review of misunderstood messages (review.c).  One row per
	 * inbound message the bot did not understand, that staff rescued or
	 * marked: its raw text (blanked by purge and erase like the message
	 * it comes from), the classifier's guess and signals.  Counted in
	 * the reports by received_at (the message's), so a purge never
	 * changes a figure. */
	"CREATE TABLE review_items ("
	"  id INTEGER PRIMARY KEY,"
	"  inbound_id INTEGER NOT NULL UNIQUE,"	/* inbound.id */
	"  conversation_id INTEGER,"
	"  agency TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"	/* the message's */
	"  reasons INTEGER NOT NULL,"		/* REVIEW_* bits (review.h) */
	"  text TEXT,"				/* raw; NULL once purged */
	"  guess TEXT NOT NULL,"		/* the classifier's intent */
	"  topic TEXT,"
	"  confidence REAL NOT NULL DEFAULT 0,"
	"  second TEXT,"
	"  signals TEXT,"			/* the signals set, space-separated */
	"  answer TEXT,"			/* the right intent or topic,
						   as staff said */
	"  marked_by TEXT,"
	"  status TEXT NOT NULL DEFAULT 'open'," /* open | assigned |"
						   ignored */
	"  assigned TEXT,"			/* intent or topic given */
	"  resolved_by TEXT,"
	"  resolved_at INTEGER,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX review_items_open ON review_items (id)"
	"  WHERE status = 'open';"
	"CREATE INDEX review_items_report ON review_items (received_at,"
	"  agency, channel);"
	"CREATE INDEX review_items_conv ON review_items (conversation_id);",

	/* 7: several instances on one PostgreSQL.  A row in flight names
	 * its claimer (the sending instance's key, held as a session lock
	 * while it lives): only a dead claimer's rows go out again. */
	"ALTER TABLE outbox ADD COLUMN claimed_by INTEGER;"
	"CREATE INDEX outbox_inflight ON outbox (claimed_by)"
	"  WHERE submitted_at IS NOT NULL;",

	/* 8: the console's inbox.  Internal notes on a conversation (never
	 * sent to the citizen); case notes as a history instead of one
	 * overwritten column (the old notes are carried over). */
	"CREATE TABLE conv_notes ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER NOT NULL,"
	"  author TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX conv_notes_conv ON conv_notes (conversation_id, id);"
	"CREATE TABLE case_notes ("
	"  id INTEGER PRIMARY KEY,"
	"  case_ref TEXT NOT NULL,"
	"  author TEXT NOT NULL,"		/* staff name, or '' when carried
						   over from cases.note */
	"  text TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX case_notes_ref ON case_notes (case_ref, id);"
	"INSERT INTO case_notes (case_ref, author, text, created_at)"
	"  SELECT reference, '', note, updated_at FROM cases"
	"  WHERE note IS NOT NULL AND note <> '';",

	/* 9: media the citizens sent (media.c): one row per photo, file or
	 * voice message, its bytes kept here (not in files) so a backup,
	 * every PostgreSQL instance, purge and erase see them like the
	 * message.  The back end downloads pending rows; staff read them
	 * through /api/media/ID.  case_ref: evidence of that case. */
	"CREATE TABLE media ("
	"  id INTEGER PRIMARY KEY,"
	"  inbound_id INTEGER NOT NULL UNIQUE,"	/* inbound.id */
	"  conversation_id INTEGER,"
	"  case_ref TEXT,"
	"  agency TEXT,"
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"		/* for erase */
	"  kind TEXT NOT NULL,"			/* image | audio | video |"
						   document | sticker | file */
	"  source TEXT NOT NULL,"		/* WA media id / Messenger URL */
	"  filename TEXT,"			/* as the citizen named it */
	"  content_type TEXT,"			/* checked, without parameters */
	"  size INTEGER,"			/* bytes */
	"  data BLOB,"
	"  status TEXT NOT NULL DEFAULT 'pending'," /* pending | stored |"
						   failed */
	"  error TEXT,"				/* failed: too_big | type |"
						   refused | download */
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	"  claimed_by INTEGER,"			/* in flight: the instance */
	"  claimed_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX media_pending ON media (next_attempt_at)"
	"  WHERE status = 'pending';"
	"CREATE INDEX media_conv ON media (conversation_id);"
	"CREATE INDEX media_case ON media (case_ref);"
	"CREATE INDEX media_user ON media (user_id);",

	/* 10: state that several instances on one PostgreSQL share, used
	 * there only (one SQLite process keeps it in memory, same limits):
	 * each sending number's rate budget (the GCRA's theoretical arrival
	 * time, in microseconds, updated in the transaction that claims the
	 * rows it sends) and the failed-login counts (throttle.h). */
	"CREATE TABLE send_pace ("
	"  number TEXT PRIMARY KEY,"		/* s|channel|account */
	"  tat_us INTEGER NOT NULL);"
	"CREATE TABLE login_throttle ("
	"  name TEXT PRIMARY KEY,"		/* u:account or a:address */
	"  failures INTEGER NOT NULL,"
	"  last_ms INTEGER NOT NULL,"		/* last failure */
	"  until_ms INTEGER NOT NULL);"		/* no attempt before */
	"CREATE INDEX login_throttle_last ON login_throttle (last_ms);",

	/* 11: the outbox row a status or echo names by its tag (graph.h):
	 * after a crash a row left in flight is sent again only when no
	 * status or echo for it came (outbox.h). */
	"ALTER TABLE statuses ADD COLUMN outbox_id INTEGER;"
	"CREATE INDEX statuses_outbox ON statuses (outbox_id)"
	"  WHERE outbox_id IS NOT NULL;",

	/* 12: each WhatsApp citizen's pair pacing (Meta: short bursts, then
	 * about one message per 6 s to one user), shared by the instances
	 * on one PostgreSQL like the numbers' budgets of migration 10 (one
	 * SQLite process keeps it in memory).  A row whose time has passed
	 * means what no row means; such rows are deleted now and then. */
	"CREATE TABLE pair_pace ("
	"  citizen TEXT PRIMARY KEY,"		/* p|channel|account|user */
	"  tat_us INTEGER NOT NULL);"
	"CREATE INDEX pair_pace_tat ON pair_pace (tat_us);",
};

size_t
store_schema_migration_count(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *
store_schema_migration(size_t i)
{
	return i < store_schema_migration_count() ? migrations[i] : NULL;
}
