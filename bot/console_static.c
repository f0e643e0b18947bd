/*
 * console_static.c — serves the console page: index.html, app.js,
 * media.js, review.js (the review tab and the marks) and app.css from
 * the config's console directory (default console, relative to the
 * working directory).  A fixed list, so no path from the
 * URL ever reaches the file system.  "no-cache": the browser revalidates
 * (refetches; the files are a few kilobytes) so a deploy takes effect at
 * the next load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "console_int.h"
#include "http.h"
#include "log.h"
#include "server.h"

#define STATIC_MAX	(512 * 1024)

static const struct {
	const char	*url;
	const char	*file;
	const char	*ctype;
} files[] = {
	{ "/console/", "index.html", "text/html; charset=utf-8" },
	{ "/console/index.html", "index.html", "text/html; charset=utf-8" },
	{ "/console/app.js", "app.js", "text/javascript; charset=utf-8" },
	{ "/console/review.js", "review.js",
	    "text/javascript; charset=utf-8" },
	{ "/console/media.js", "media.js", "text/javascript; charset=utf-8" },
	{ "/console/app.css", "app.css", "text/css; charset=utf-8" },
	{ "/console/favicon.svg", "favicon.svg", "image/svg+xml" },
	/* Browsers and bookmark tools ask for it whatever the page says. */
	{ "/favicon.ico", "favicon.svg", "image/svg+xml" },
};

int
console_static_get(struct http_req *r)
{
	char path[1024];
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(r->path, files[i].url) == 0)
			break;
	if (i == sizeof(files) / sizeof(files[0]))
		return http_reply(r, 404, "text/plain", STRLIT("not found\n"));
	snprintf(path, sizeof(path), "%s/%s", r->srv->cfg->console_dir,
	    files[i].file);
	buf_init(&b, STATIC_MAX);
	if (buf_read_file(&b, path) == -1) {
		log_warn("event=console_file_unreadable path=%s", path);
		buf_free(&b);
		return http_reply(r, 404, "text/plain", STRLIT("not found\n"));
	}
	r->cache_control = "no-cache";
	http_reply(r, 200, files[i].ctype, b.data ? b.data : "", b.len);
	buf_free(&b);
	return HTTP_DONE;
}

int
console_redirect(struct http_req *r)
{
	return http_reply_hdr(r, 302, "text/plain", STRLIT("/console/\n"),
	    "Location: /console/");
}
