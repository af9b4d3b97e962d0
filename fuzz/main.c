/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Corpus replay without libFuzzer (Knot DNS's tests-fuzz/main.c). Linked with
 * one target's LLVMFuzzerTestOneInput() in place of libFuzzer, it feeds every
 * file named on the command line through the target: a file is one input, a
 * directory contributes its files and those of its subdirectories (one level
 * down; names starting with '.' are skipped). Under gcc this turns each fuzz
 * target into a regression test over its checked-in corpus.
 *
 * It does not mutate inputs or measure coverage. Each input is copied into a
 * heap block of exactly its size, so AddressSanitizer catches a read one past
 * the end; after each input the bytes in use through hf_malloc() must be back
 * where they were, which catches a leak even without LeakSanitizer. A crash,
 * a sanitizer report or a leak fails the run; otherwise it prints how many
 * inputs ran and exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target; resolves to NULL when the target does not define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs one file; returns 0, or -1 (after saying why) if it cannot be read. */
static int run_file(const char *path, unsigned long *count)
{
	int ret = -1;
	uint8_t *data = NULL;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	size_t size = (size_t)st.st_size;
	data = hf_malloc(size != 0 ? size : 1);
	if (data == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	if (size != 0 && fread(data, 1, size, f) != size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}

	size_t before = hf_alloc_in_use();
	LLVMFuzzerTestOneInput(data, size);
	size_t after = hf_alloc_in_use();
	if (after != before) {
		fprintf(stderr, "replay: %s: %zd bytes leaked through hf_malloc()\n", path,
		        (ssize_t)(after - before));
		abort();
	}
	(*count)++;
	ret = 0;
out:
	hf_free(data);
	fclose(f);
	return ret;
}

static int skip_entry(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Runs a file, or the files of a directory down to depth levels below it. */
static int run_path(const char *path, int depth, unsigned long *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? run_file(path, count) : 0;
	if (depth < 0)
		return 0;

	struct dirent **list;
	int n = scandir(path, &list, skip_entry, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int ret = 0;
	for (int i = 0; i < n; i++) {
		char sub[4096];
		int len = snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
		if (len < 0 || (size_t)len >= sizeof(sub)) {
			fprintf(stderr, "replay: %s/%s: path too long\n", path, list[i]->d_name);
			ret = -1;
		} else if (run_path(sub, depth - 1, count) != 0) {
			ret = -1;
		}
		free(list[i]); /* scandir() allocates with malloc() */
	}
	free(list);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);

	unsigned long count = 0;
	int ret = 0;
	for (int i = 1; i < argc; i++) {
		if (run_path(argv[i], 1, &count) != 0)
			ret = 1;
	}
	printf("replay: %lu inputs ran\n", count);
	return ret;
}
