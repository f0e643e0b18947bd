/*
 * fuzz.h — what every fuzz target declares: libFuzzer's two entry points.
 * A target is built twice: with clang's libFuzzer (`make fuzz`, which
 * searches) and with replay.c and any compiler (`make test`, which runs
 * the kept corpus and every crash found so far).  A broken promise of a
 * module (a field webhook.h guarantees non-NULL that is NULL) is a crash:
 * FUZZ_NEED aborts.
 */
#ifndef LOKET_FUZZ_H
#define LOKET_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The initializer of a target that needs nothing before its first input. */
#define FUZZ_NO_INIT							\
int									\
LLVMFuzzerInitialize(int *argc, char ***argv)				\
{									\
	(void)argc;							\
	(void)argv;							\
	return 0;							\
}

#define FUZZ_NEED(x) do { if (!(x)) { fprintf(stderr,			\
	"fuzz: broken promise: %s at %s:%d\n", #x, __FILE__, __LINE__);	\
	abort(); } } while (0)

/* data as a NUL-terminated string (a NUL inside ends it early), or
 * NULL when memory runs out.  The caller frees it. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		for (size_t i = 0; i < size; i++)
			s[i] = (char)data[i];
		s[size] = '\0';
	}
	return s;
}

#endif
