/*
 * replay.c — runs a fuzz target over its kept inputs without libFuzzer,
 * so `make test` checks the corpus and every crash found so far with any
 * compiler (and under ASan + UBSan in build-san/).  Each input runs in a
 * child process: one that crashes is named and counted, and the rest
 * still run.  Ends with "N passed, N failed".
 *
 * usage: test_fuzz_NAME [DIR|FILE ...]
 * (default tests/fuzz/corpus/NAME and tests/fuzz/crashes/NAME, from the
 * repository root)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz.h"

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME=\"target\""
#endif

#define INPUT_MAX	(8u << 20)

static int passed, failed;

static void
run_one(const char *path)
{
	struct buf b;
	pid_t pid;
	int status;

	buf_init(&b, INPUT_MAX);
	if (buf_read_file(&b, path) == -1) {
		printf("FAIL %s: cannot read\n", path);
		failed++;
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""),
		    b.len);
		buf_free(&b);
		exit(0);
	}
	buf_free(&b);
	if (pid == -1 || waitpid(pid, &status, 0) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("FAIL %s: crashed (status %d)\n", path, status);
		failed++;
		return;
	}
	passed++;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (a missing dir is empty). */
static void
run_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0, i;
	struct dirent *d;
	struct stat sb;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		char **more;

		if (d->d_name[0] == '.' ||
		    (more = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			continue;
		names = more;
		if ((names[n] = strdup(d->d_name)) != NULL)
			n++;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			run_one(path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	struct stat sb;
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		run_dir("tests/fuzz/corpus/" FUZZ_NAME);
		run_dir("tests/fuzz/crashes/" FUZZ_NAME);
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			run_dir(argv[i]);
		else
			run_one(argv[i]);
	}
	if (argc < 2 && passed + failed == 0) {
		printf("FAIL no inputs in tests/fuzz/corpus/%s (run from the "
		    "repository root)\n", FUZZ_NAME);
		failed++;
	}
	printf("fuzz %s: %d inputs replayed\n", FUZZ_NAME, passed + failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
