/*
 * replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput once on each
 * file named on the command line (folders: on each file in them, sorted),
 * without libFuzzer. It turns the seed corpus and the crash corpus into
 * ordinary ctest tests, so every build (and scripts/sanitize, under ASan and
 * UBSan) replays them; the fuzz targets themselves abort on a broken
 * promise, which fails the test.
 *
 * Exit status: 0 when every input ran, 2 when an input cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	struct errbuf err;
	char *data;
	size_t len;
	if (fileio_read(path, &data, &len, &err)) {
		fprintf(stderr, "replay: %s\n", err.msg);
		return 2;
	}
	fprintf(stderr, "replay: %s\n", path);
	/* a copy of exactly len bytes, so ASan sees reads past the end */
	uint8_t *copy = xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	free(data);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

static int run_dir(const char *dir, unsigned *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	int rc = 0;
	if (n < 0) {
		fprintf(stderr, "replay: cannot read folder '%s'\n", dir);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		const char *base = names[i]->d_name;
		if (base[0] != '.' && strncmp(base, "README", 6) != 0) {
			struct strbuf path = STRBUF_INIT;
			struct stat st;
			sb_addf(&path, "%s/%s", dir, base);
			if (stat(path.buf, &st) == 0 && S_ISREG(st.st_mode)) {
				rc |= run_file(path.buf);
				(*count)++;
			}
			sb_release(&path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			/* a corpus folder that does not exist yet is empty */
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rc |= run_dir(argv[i], &count);
		} else {
			rc |= run_file(argv[i]);
			count++;
		}
	}
	fprintf(stderr, "replay: %u inputs\n", count);
	return rc ? 2 : 0;
}
