/*
 * console_ws.h — the console's websocket protocol, which the composer
 * (serve.c) hands to the transport (http_start).
 */
#ifndef LOKET_CONSOLE_WS_H
#define LOKET_CONSOLE_WS_H

struct lws_protocols;

#define CONSOLE_WS_PATH		"/api/live"

/* lws protocol "console": chosen by the browser's subprotocol,
 * new WebSocket(url, "console"). */
extern const struct lws_protocols console_ws_protocol;

#endif
