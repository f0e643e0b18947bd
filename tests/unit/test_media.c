/*
 * test_media.c — the pure checks of media.c: which message types carry
 * media, the type allow-list with its look at the first bytes, which
 * types are shown in the page, and which URLs and media ids the
 * downloader may use.
 */
#include <string.h>

#include "media.h"
#include "testhelp.h"

static const char png[] = "\x89PNG\r\n\x1a\n....";
static const char jpg[] = "\xff\xd8\xff\xe0....";

static int
type_is(const char *declared, const char *meta, const char *data,
    size_t n, const char *want)
{
	char out[128] = "";

	if (media_type_check(declared, meta, data, n, out, sizeof(out)) == -1)
		return want == NULL;
	return want != NULL && strcmp(out, want) == 0;
}

static void
test_kinds(void)
{
	TEST("image is media", media_is_kind("image"));
	TEST("Messenger file is media", media_is_kind("file"));
	TEST("voice is media", media_is_kind("audio"));
	TEST("text is not", !media_is_kind("text"));
	TEST("location is not", !media_is_kind("location"));
	TEST("NULL is not", !media_is_kind(NULL));
}

static void
test_types(void)
{
	TEST("png as png", type_is("image/png", NULL, png, 12, "image/png"));
	TEST("parameters and case dropped", type_is("Image/PNG; x=y", NULL,
	    png, 12, "image/png"));
	TEST("png bytes as jpeg refused", type_is("image/jpeg", NULL, png, 12,
	    NULL));
	TEST("html named png refused", type_is("image/png", NULL,
	    "<html>", 6, NULL));
	TEST("html refused", type_is("text/html", NULL, "<html>", 6, NULL));
	TEST("svg refused", type_is("image/svg+xml", NULL, "<svg/>", 6,
	    NULL));
	TEST("octet-stream named by Meta", type_is("application/octet-stream",
	    "application/pdf", "%PDF-1.4", 8, "application/pdf"));
	TEST("octet-stream named by bytes", type_is(
	    "application/octet-stream", NULL, jpg, 8, "image/jpeg"));
	TEST("unknown bytes refused", type_is("application/octet-stream",
	    NULL, "MZ\x90", 3, NULL));
	TEST("no type, no bytes refused", type_is(NULL, NULL, "", 0, NULL));
	TEST("pdf without %PDF refused", type_is("application/pdf", NULL,
	    "<html>", 6, NULL));
	TEST("voice", type_is("audio/ogg; codecs=opus", NULL, "OggS", 4,
	    "audio/ogg"));
	TEST("docx", type_is("application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document", NULL, "PK", 2,
	    "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document"));
	TEST("zip refused", type_is("application/zip", NULL, "PK", 2, NULL));
	TEST("short png refused", type_is("image/png", NULL, png, 4, NULL));
	TEST("photos inline", media_inline("image/jpeg"));
	TEST("sound inline", media_inline("audio/mpeg"));
	TEST("pdf a download", !media_inline("application/pdf"));
	TEST("html never inline", !media_inline("text/html"));
	TEST("svg never inline", !media_inline("image/svg+xml"));
	TEST("NULL not inline", !media_inline(NULL));
}

static void
test_urls(void)
{
	const char *g = "http://127.0.0.1:8123/v24.0";

	TEST("fbcdn", media_url_ok("https://scontent.xx.fbcdn.net/v/a.jpg?x=1",
	    g));
	TEST("lookaside", media_url_ok("https://lookaside.fbsbx.com/"
	    "whatsapp_business/attachments/?mid=1", g));
	TEST("bare host", media_url_ok("https://fbsbx.com/a", g));
	TEST("the mock", media_url_ok("http://127.0.0.1:8123/_cdn/1", g));
	TEST("the mock's host, other port",
	    !media_url_ok("http://127.0.0.1:8124/_cdn/1", g));
	TEST("http to Meta refused",
	    !media_url_ok("http://scontent.xx.fbcdn.net/a", g));
	TEST("lookalike host refused",
	    !media_url_ok("https://scontent.fbcdn.net.evil.example/a", g));
	TEST("suffix without dot refused",
	    !media_url_ok("https://evilfbcdn.net/a", g));
	TEST("userinfo refused",
	    !media_url_ok("https://u:p@scontent.xx.fbcdn.net/a", g));
	TEST("port refused", !media_url_ok("https://x.fbcdn.net:8443/a", g));
	TEST("space refused", !media_url_ok("https://x.fbcdn.net/a b", g));
	TEST("backslash refused",
	    !media_url_ok("https://x.fbcdn.net\\@evil.example/", g));
	TEST("file refused", !media_url_ok("file:///etc/passwd", g));
	TEST("no scheme refused", !media_url_ok("x.fbcdn.net/a", g));
	TEST("empty refused", !media_url_ok("", g));
	TEST("NULL refused", !media_url_ok(NULL, g));
	TEST("log: graph_url allows nothing else",
	    !media_url_ok("log:/x", "log:"));
	TEST("media id digits", media_id_ok("1234567890"));
	TEST("media id path refused", !media_id_ok("../me/messages"));
	TEST("media id query refused", !media_id_ok("1?fields=x"));
	TEST("media id empty refused", !media_id_ok(""));
}

int
main(void)
{
	char long_url[MEDIA_URL_MAX + 64];

	test_kinds();
	test_types();
	test_urls();
	memset(long_url, 'a', sizeof(long_url) - 1);
	memcpy(long_url, "https://x.fbcdn.net/", 20);
	long_url[sizeof(long_url) - 1] = '\0';
	TEST("URL over the limit refused", !media_url_ok(long_url, NULL));
	return TEST_REPORT();
}
