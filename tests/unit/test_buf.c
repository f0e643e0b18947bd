/*
 * test_buf.c — the bounded buffer: appends up to the maximum, failure
 * past it (and the buffer emptied), formatted appends, take, reset.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "testhelp.h"

static void
test_append(void)
{
	struct buf b;

	buf_init(&b, 10);
	TEST("fresh buffer has no data", b.data == NULL && b.len == 0);
	TEST("append within max", buf_append(&b, "hello", 5) == 0);
	TEST_STR("content", b.data, "hello");
	TEST("len 5", b.len == 5);
	TEST("append up to max", buf_append(&b, "world", 5) == 0);
	TEST_STR("content at max", b.data, "helloworld");
	TEST("capacity never above max + 1", b.cap <= 11 && b.cap >= 11);
	TEST("empty append at max", buf_append(&b, "", 0) == 0 &&
	    b.len == 10);
	TEST("append past max fails", buf_append(&b, "!", 1) == -1);
	TEST("failed append empties", b.data == NULL && b.len == 0 &&
	    b.cap == 0);
	TEST("max kept after failure", b.max == 10);
	TEST("usable again after failure", buf_append(&b, "ok", 2) == 0);
	TEST_STR("content after reuse", b.data, "ok");
	buf_free(&b);
	TEST("free empties", b.data == NULL && b.len == 0);
	buf_free(&b);		/* twice is harmless */

	buf_init(&b, 4);
	TEST("single append larger than max fails",
	    buf_append(&b, "12345", 5) == -1 && b.data == NULL);
	TEST("huge length refused without overflow",
	    buf_append(&b, "x", (size_t)-1) == -1);
	buf_free(&b);

	buf_init(&b, 100);
	TEST("binary bytes", buf_append(&b, "a\0b", 3) == 0 && b.len == 3 &&
	    memcmp(b.data, "a\0b", 4) == 0);
	buf_free(&b);
}

static void
test_appendf_putc(void)
{
	struct buf b;

	buf_init(&b, 16);
	TEST("appendf", buf_appendf(&b, "%s=%d", "n", 42) == 0);
	TEST_STR("appendf content", b.data, "n=42");
	TEST("appendf appends", buf_appendf(&b, ";%05.1f", 2.5) == 0);
	TEST_STR("appendf content 2", b.data, "n=42;002.5");
	TEST("putc", buf_putc(&b, '!') == 0 && b.len == 11);
	TEST_STR("putc content", b.data, "n=42;002.5!");
	TEST("appendf to exactly max", buf_appendf(&b, "%5s", "x") == 0 &&
	    b.len == 16);
	TEST("putc past max fails", buf_putc(&b, 'y') == -1 &&
	    b.data == NULL && b.len == 0);
	TEST("appendf of empty string", buf_appendf(&b, "%s", "") == 0 &&
	    b.len == 0);
	TEST_STR("empty appendf gives empty string", b.data, "");
	TEST("appendf past max fails",
	    buf_appendf(&b, "%s", "0123456789abcdefg") == -1);
	TEST("failed appendf empties", b.data == NULL && b.len == 0);
	buf_free(&b);
}

static void
test_take_reset(void)
{
	struct buf b;
	char *s, *p;
	size_t cap;

	buf_init(&b, 64);
	s = buf_take(&b);
	TEST_STR("take of empty buffer is \"\"", s, "");
	free(s);
	TEST("buffer empty after take", b.data == NULL && b.len == 0);

	buf_append(&b, "abc", 3);
	s = buf_take(&b);
	TEST_STR("take returns the string", s, "abc");
	TEST("buffer emptied by take", b.data == NULL && b.len == 0 &&
	    b.cap == 0);
	free(s);
	TEST("append after take", buf_append(&b, "def", 3) == 0);
	TEST_STR("content after take", b.data, "def");

	p = b.data;
	cap = b.cap;
	buf_reset(&b);
	TEST("reset empties", b.len == 0 && b.data != NULL &&
	    b.data[0] == '\0');
	TEST("reset keeps memory", b.data == p && b.cap == cap);
	TEST("append after reset", buf_append(&b, "gh", 2) == 0 &&
	    b.data == p);
	TEST_STR("content after reset", b.data, "gh");
	buf_reset(&b);
	s = buf_take(&b);
	TEST_STR("take after reset is \"\"", s, "");
	free(s);
	buf_reset(&b);		/* reset of a never-used buffer */
	TEST("reset of empty buffer", b.data == NULL && b.len == 0);
	buf_free(&b);
}

static void
test_max_zero(void)
{
	struct buf b;

	buf_init(&b, 0);
	TEST("max 0 refuses append", buf_append(&b, "a", 1) == -1);
	TEST("max 0 refuses putc", buf_putc(&b, 'a') == -1);
	TEST("max 0 refuses appendf", buf_appendf(&b, "%d", 1) == -1);
	TEST("max 0 left empty", b.data == NULL && b.len == 0);
	buf_free(&b);
}

static void
test_many(void)
{
	struct buf b;
	size_t i, bad = 0;
	int ok = 1;

	buf_init(&b, 100000);
	for (i = 0; i < 100000 && ok; i++)
		ok = buf_putc(&b, (char)('a' + i % 26)) == 0;
	TEST("100000 putc calls", ok && b.len == 100000);
	for (i = 0; i < b.len; i++)
		bad += b.data[i] != (char)('a' + i % 26);
	TEST("content of many appends", bad == 0 && b.data[b.len] == '\0');
	TEST("capacity capped at max + 1", b.cap == 100001);
	TEST("one more fails", buf_putc(&b, 'x') == -1 && b.data == NULL);
	buf_free(&b);

	buf_init(&b, 1 << 20);
	for (i = 0, ok = 1; i < 5000 && ok; i++)
		ok = buf_appendf(&b, "%04zu,", i) == 0;
	TEST("5000 appendf calls", ok && b.len == 5000 * 5);
	TEST("appendf content start", strncmp(b.data, "0000,0001,", 10) == 0);
	TEST("appendf content end",
	    strcmp(b.data + b.len - 10, "4998,4999,") == 0);
	buf_free(&b);
}

int
main(void)
{
	test_append();
	test_appendf_putc();
	test_take_reset();
	test_max_zero();
	test_many();
	return TEST_REPORT();
}
