/*
 * server.h — the one runtime state of `loket serve` (no other mutable
 * globals).  Created in cmd_serve.c, reachable from lws callbacks through
 * lws_context_user().  Everything here is used on the service thread only,
 * except the atomic flags set by the signal thread.
 */
#ifndef LOKET_SERVER_H
#define LOKET_SERVER_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

struct config;
struct store;
struct lws_context;
struct http_req;
struct console;
struct engine;
struct outbox;
struct intent_model;
struct locales;
struct intake_writer;
struct report_purge_state;

/* Upper bounds of the webhook latency histogram buckets, ms (the last
 * bucket, past them, is +Inf).  Shared by webhook_http.c and metrics.c. */
#define SERVER_LATENCY_BOUNDS_MS { 1, 2, 5, 10, 25, 50, 100, 250, 500, \
	1000, 2500 }
#define SERVER_LATENCY_NBOUNDS	11

/* Slots of server_stats.webhooks[channel][]. */
enum { WH_200, WH_400, WH_401, WH_411, WH_413, WH_503, WH_OTHER, WH_NSLOTS };

struct server_stats {
	unsigned long	webhooks[2][WH_NSLOTS];	/* channel x status */
	unsigned long	signature_failures;
	unsigned long	duplicates;
	unsigned long	events_stored;
	unsigned long	latency_buckets[SERVER_LATENCY_NBOUNDS + 1];
						/* webhook handling, from the
						   headers to the reply */
	double		latency_sum_ms;
	unsigned long	latency_count;
};

struct server {
	struct config		*cfg;
	struct store		*store;
	struct lws_context	*lws;
	long long		 started_ms;
	int			 ack_only;	/* benchmark ceiling: answer 200
						   without checking or storing */
	atomic_int		 stop;		/* SIGTERM / SIGINT */
	atomic_int		 reload;	/* SIGHUP */
	struct server_stats	 stats;
	struct engine		*engine;	/* conversations, or NULL */
	struct outbox		*outbox;	/* outbound sender, or NULL */
	struct intent_model	*model;		/* phrase files, reloadable */
	struct locales		*locales;	/* reply texts, reloadable */
	unsigned long		 ticks;		/* server_tick() calls */
	long long		 engine_window_us; /* start of the current
						   second of engine time */
	long long		 engine_used_us;   /* engine time in it */
	int			 intake_busy;	/* webhooks in this second */
	void			*http_priv;	/* http.c's timer */
	struct console		*console;	/* staff console (console.h) */
	int			 inbound_pending; /* new rows to handle */
	struct intake_writer	*writer;	/* group-commit thread */
	pthread_mutex_t		 write_lock;	/* its connection and ours take
						   turns writing */
	unsigned long long	 next_ticket;	/* intake job ids */
	struct http_req		*deferred;	/* requests waiting for it */
	struct report_purge_state *purge;	/* daily retention run */
};

/* Creates the lws context listening per s->cfg; 0 or -1 (logged). */
int	http_start(struct server *s);
/* Runs the loop until s->stop is set. */
void	http_run(struct server *s);
void	http_stop(struct server *s);
/* Wakes the service loop from any thread (lws_cancel_service). */
void	http_wake(void *server);
/* Runs server_after_wake() in us microseconds (service thread only). */
void	http_wake_after(struct server *s, long long us);

/* Called by http_run() on the service thread after every loop wake-up
 * (requests, timers, http_wake) and once a second: server.c. */
void	server_after_wake(struct server *s);
int	server_start(struct server *s);
/* Counts a reply to a /webhook/ path in stats.webhooks (other paths are
 * ignored). */
void	server_count_webhook(struct server *s, const char *path, int status);
/* Collects finished intake jobs and schedules their replies. */
void	server_collect_intake(struct server *s);
/* Waits until the intake job `ticket` is finished, then collects. */
void	server_intake_wait(struct server *s, unsigned long long ticket);
void	server_stop(struct server *s);
void	server_tick(struct server *s);

#endif
