/*
 * config.h — the immutable configuration: server settings and the
 * agencies with their complaint policy.  Parsed from a `key = value` file
 * with `[agency ID]` sections (see deploy/loket.conf), then overridden by
 * LOKET_* environment variables.  A struct config is never changed after
 * config_load(); SIGHUP builds a new one and swaps it in.
 */
#ifndef LOKET_CONFIG_H
#define LOKET_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

enum policy {
	POLICY_REDIRECT,	/* point to the official complaint procedure */
	POLICY_CASE		/* collect contact details, register a case */
};

#define CONFIG_MAX_RANGES	4	/* opening ranges per weekday */

struct day_hours {
	int	n;				/* ranges used, 0 = closed */
	int	open[CONFIG_MAX_RANGES];	/* minutes after midnight */
	int	close[CONFIG_MAX_RANGES];	/* minutes after midnight */
};

/* Language flags for agency.languages; nl is always offered. */
#define LANG_NL	0x1
#define LANG_FR	0x2
#define LANG_EN	0x4

struct strlist {
	char	**v;
	size_t	  n;
	void	 *compiled;	/* dossier patterns: regex_t[n], compiled
				   once at load, or NULL */
};

struct agency {
	char		*id;		/* short lower-case id, "vmsw" */
	char		*name;		/* official Dutch name, no article */
	char		*name_nl;	/* in a sentence, after "bij" and
					   "van": "de Vlaamse Maatschappij
					   voor Sociaal Wonen"; or NULL */
	char		*name_fr;	/* "la Société flamande du logement
					   social"; or NULL */
	char		*name_en;	/* "the Flemish Social Housing
					   Company"; or NULL */
	char		*privacy_url;	/* the agency's privacy statement */
	int		 phone_intl;	/* write numbers with +32 */
	char		*case_prefix;	/* reference prefix, "VMSW" */
	enum policy	 policy;
	struct strlist	 wa_phone_ids;	/* WhatsApp phone_number_id(s) */
	struct strlist	 page_ids;	/* Messenger page id(s) */
	char		*complaint_url;
	char		*coordinator_email;
	char		*coordinator_phone;
	char		*dossier_email;	/* service handling dossier complaints */
	struct strlist	 dossier_patterns; /* POSIX EREs; group 1 = number */
	char		*phone;		/* general contact, for topic answers */
	char		*email;
	char		*website;
	struct day_hours hours[7];	/* 0 = Monday ... 6 = Sunday */
	struct strlist	 holidays;	/* "YYYY-MM-DD", Europe/Brussels */
	int		 languages;	/* LANG_* flags */
	long		 timeout_secs;	/* silence that ends a conversation */
	int		 handling_term_days; /* legal term for a case */
	char		*access_token;	/* WhatsApp token (Bearer) */
	char		*page_token;	/* Messenger page access token */
	int		 page_inbox_handover; /* pass Messenger threads to
					   Meta's Page Inbox on handover */
	char		*messenger_app_id; /* our app id: echoes from other
					   apps mean a person answers */
	char		*wa_template;	/* approved template for sends
					   outside the 24-hour window */
	char		*wa_template_lang;
	int		 rate_per_sec;	/* WhatsApp sends/s per number */
};

struct config {
	char		*path;		/* file it came from, or NULL */
	int		 port;		/* TCP port on listen_addr */
	char		*listen_addr;	/* interface address, or unix path */
	char		*db_path;
	char		*app_secret;
	char		*verify_token;
	char		*access_token;	/* default for agencies without one */
	char		*graph_url;	/* base incl. version, or "log:" */
	char		*intents_dir;
	char		*locales_dir;
	char		*console_dir;
	char		*default_agency; /* id, or NULL: unrouted = unanswered */
	char		*metrics_token;	/* bearer for /metrics off loopback */
	int		 retention_days; /* 0 = never purge automatically */
	int		 secure_cookies; /* console behind TLS */
	int		 media_max_mb;	/* largest photo or file kept (MB) */
	struct agency	*agencies;
	size_t		 n_agencies;
};

/*
 * Loads path (or the built-in demo defaults when path is NULL), then
 * applies the environment overrides.  Returns NULL on error after writing
 * "FILE:LINE: problem" into err.  A file without any [agency] section is
 * an error: an empty or truncated file must not replace a working
 * configuration (on SIGHUP the old one stays).
 */
struct config	*config_load(const char *path, char *err, size_t errlen);
/* The same for text already read from path (path names it in errors). */
struct config	*config_load_text(const char *path, const char *text,
		    size_t len, char *err, size_t errlen);
void		 config_free(struct config *cfg);

/* Agency by id, WhatsApp phone_number_id or Messenger page id; NULL if
 * none.  The _route variants fall back to the default agency. */
const struct agency *config_agency(const struct config *cfg, const char *id);
const struct agency *config_route_whatsapp(const struct config *cfg,
		    const char *phone_number_id);
const struct agency *config_route_messenger(const struct config *cfg,
		    const char *page_id);

/*
 * The agency's name as used in a sentence in lang ("nl", "fr", "en"):
 * name.<lang> when configured, else the official name (a visible gap:
 * config_print_gaps() names it).
 */
const char	*config_agency_name(const struct agency *a, const char *lang);
/*
 * Prints one line per form an agency lacks (name.nl, name.fr, name.en,
 * privacy_url) with what citizens get instead, for `serve --check`.
 * Returns the number of lines.
 */
int		 config_print_gaps(const struct config *cfg, FILE *f);

/* LANG_NL, LANG_FR or LANG_EN for "nl", "fr", "en"; 0 otherwise. */
int		 config_lang_flag(const char *lang);

/* Parses "90s", "30m", "24h", "45d" (or plain seconds); -1 if invalid. */
long		 config_parse_duration(const char *s);

/* Offset of Europe/Brussels from UTC at t, in seconds (3600 or 7200). */
int		 config_brussels_utc_offset(time_t t);
/*
 * Whether the agency's staff are in office at t; if not and next_open is
 * not NULL, stores the next opening time (or 0 if none in 14 days).
 */
int		 config_agency_in_office(const struct agency *a, time_t t,
		    time_t *next_open);

#endif
