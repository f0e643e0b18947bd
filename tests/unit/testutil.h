/*
 * testutil.h — helpers shared by the unit tests: a temporary directory
 * removed afterwards, and the ids used in the webhook fixtures
 * (tests/fixtures/).
 */
#ifndef LOKET_TESTUTIL_H
#define LOKET_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Removes the files in dir, then dir (one level: tests make no more). */
static inline void
test_rmdir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Ids in the fixtures. */
#define PNID	"106540352242922"
#define PAGE	"109876543210987"
#define LOTTE	"32470123456"
#define JAN	"32486987654"
#define PSID	"7234567890123456"
#define PSID2	"6543210987654321"
#define WAMID(t) "wamid.HBgLMzI0NzAxMjM0NTYVAgASGBQzQT" t \
		"RjU0QzBCQzZFNzE3MkJGNwA="
#define OURS	"wamid.HBgLMzI0NzAxMjM0NTYVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
#define OURS2	"wamid.HBgLMzI0NzAxMjM0NTYVAgARGBJCQVRDSDJEMEU3RjFBQkMA"
#define MID(t)	"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMv" \
		t "8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
#define OURMID	MID("OURMSG1")

#endif
