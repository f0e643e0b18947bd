/*
 * serve.h — what `loket serve` does between requests, as hooks for the
 * transport (http.h): collect committed webhooks and answer them, pass
 * the back end's changes to the console, reload on SIGHUP.  Composes the
 * layers below; called by cmd_serve.c only.  Service thread.
 */
#ifndef LOKET_SERVE_H
#define LOKET_SERVE_H

struct server;

/* Starts the transport, the intake writer and (unless ack_only) the back
 * end thread, in that order.  0, or -1 (logged). */
int	serve_start(struct server *s);
/* Runs the loop until s->stop. */
void	serve_run(struct server *s);
/* Stops the threads, then the transport.  Safe after a failed start. */
void	serve_stop(struct server *s);

#endif
