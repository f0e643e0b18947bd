/*
 * console_ws.h — the console's websocket protocol, for http.c's protocol
 * table only (this is the one console header that pulls in lws).
 */
#ifndef LOKET_CONSOLE_WS_H
#define LOKET_CONSOLE_WS_H

#include <libwebsockets.h>

struct console_conn;

#define CONSOLE_WS_PROTOCOL	"console"
#define CONSOLE_WS_PATH		"/api/live"
/* lws keeps a pointer per connection; the state is our own allocation. */
#define CONSOLE_WS_PSS_SIZE	sizeof(struct console_conn *)
#define CONSOLE_WS_RX_SIZE	1024	/* client sends {"watch": ID} */

int	console_ws_callback(struct lws *wsi, enum lws_callback_reasons reason,
	    void *user, void *in, size_t len);

#endif
