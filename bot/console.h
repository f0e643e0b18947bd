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

/* Deferred login requests wait under tickets with this bit (intake
 * tickets never have it): the password check runs on a worker thread. */
#define CONSOLE_LOGIN_TICKET	(1ULL << 62)
/* Blocks until the check under ticket is done and resolves it (the
 * transport's wait hook: a pipelined or half-closed request). */
void		 console_login_wait(struct server *s,
		    unsigned long long ticket);
/* Before http_stop(): stops the password worker, which wakes the loop. */
void		 console_stop(struct server *s);

#endif
