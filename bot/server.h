/*
 * server.h — the one runtime state of `loket serve` (no other mutable
 * globals): data only, shared by the route handlers; serve.c drives it.
 * Created in cmd_serve.c, reachable from requests as r->srv.  Used on the
 * service thread only, except the atomic flags set by other threads.
 */
#ifndef LOKET_SERVER_H
#define LOKET_SERVER_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "store.h"

struct config;
struct store;
struct http;
struct console;
struct backend;
struct intake_writer;

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
	struct store		*store;		/* the service thread's */
	struct http		*http;		/* transport (http.h) */
	long long		 started_ms;
	int			 ack_only;	/* benchmark ceiling: answer 200
						   without checking or storing */
	atomic_int		 stop;		/* SIGTERM / SIGINT */
	atomic_int		 reload;	/* SIGHUP */
	atomic_int		 changed;	/* the back end changed what
						   the console shows */
	struct server_stats	 stats;
	struct backend		*backend;	/* engine + sender thread, or
						   NULL (--ack-only) */
	struct console		*console;	/* staff console (console.h) */
	struct intake_writer	*writer;	/* group-commit thread */
	struct store_wlock	 write_lock;	/* the connections take turns
						   writing (store.h) */
	unsigned long long	 next_ticket;	/* intake job ids */
};

#endif
