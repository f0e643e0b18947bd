/*
 * console.h — the staff console as the rest of the server sees it: its
 * state lives in server->console, and whoever changes conversations,
 * messages or cases calls console_notify() so every open console gets
 * the new list (and the transcript it is looking at) over its websocket.
 * Service thread only.
 */
#ifndef LOKET_CONSOLE_H
#define LOKET_CONSOLE_H

struct server;
struct console;

struct console	*console_new(void);
/* After http_stop(): the websocket connections are gone by then. */
void		 console_free(struct console *c);
/*
 * Something changed in conversation conv_id (0: unknown which, e.g. a
 * batch of delivery statuses).  Cheap: only marks; console_flush() does
 * the work once per loop round.
 */
void		 console_notify(struct server *s, long long conv_id);
/* Builds and queues the pushes for what was marked (serve.c, after every loop wake-up). */
void		 console_flush(struct server *s);
/* At start and on SIGHUP (serve.c): reads the canned replies beside the
 * reply texts of s->cfg. */
void		 console_reload(struct server *s);
/* Once a second (serve.c): hourly removal of expired sessions. */
void		 console_tick(struct server *s);

#endif
