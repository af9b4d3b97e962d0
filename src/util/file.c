/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/file.h"

#include <errno.h>
#include <stdio.h>

#include "util/alloc.h"
#include "util/err.h"

char *hf_read_file(const char *path, size_t max, size_t *len, int *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		*err = -errno;
		return NULL;
	}
	char *buf = hf_malloc(max + 1);
	errno = 0;
	size_t n = buf != NULL ? fread(buf, 1, max + 1, f) : 0;
	int read_error = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (buf == NULL || read_error || n > max) {
		*err = buf == NULL ? HF_ENOMEM : read_error ? -read_error : HF_ETOOBIG;
		hf_free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
