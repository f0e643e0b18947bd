/*
 * testhelp.h — the whole unit-test harness (after Redis testhelp.h).
 * TEST(cond) records one check; TEST_REPORT() prints "N passed, N failed"
 * and yields the exit status.  Each test program is one main().
 */
#ifndef LOKET_TESTHELP_H
#define LOKET_TESTHELP_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define TEST(descr, cond) do {						\
	if (cond) {							\
		test_passed++;						\
	} else {							\
		test_failed++;						\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, descr);	\
	}								\
} while (0)

#define TEST_STR(descr, got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int ok_ = (g_ == NULL && w_ == NULL) ||				\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);		\
	TEST(descr, ok_);						\
	if (!ok_)							\
		printf("     got:  %s\n     want: %s\n",			\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

#define TEST_REPORT() (printf("%d passed, %d failed\n", test_passed,	\
	test_failed), test_failed ? 1 : 0)

#endif
