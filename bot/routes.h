/*
 * routes.h — the route tables the handler modules give the transport
 * (http.h), and the webhook counter the transport's refusals also feed.
 * For the composer (serve.c).
 */
#ifndef LOKET_ROUTES_H
#define LOKET_ROUTES_H

struct http_route;
struct server;

extern const struct http_route webhook_routes[];	/* webhook_http.c */
extern const struct http_route console_routes[];	/* console_api.c */
extern const struct http_route metrics_routes[];	/* metrics.c */

/* Counts a reply to a /webhook/ path in s->stats.webhooks (other paths
 * are ignored). */
void	webhook_count(struct server *s, const char *path, int status);

#endif
