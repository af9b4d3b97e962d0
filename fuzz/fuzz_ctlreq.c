/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz target: the control API's request parser. The input is split at
 * newlines into a method, a path and "key=value" query arguments (a line
 * without "=" is a key without a value), the way libmicrohttpd hands them
 * over after decoding, and parsed as from both listeners. Every answer must
 * be a status the API uses, with an error line exactly when it is not 200;
 * a request control.http accepts must be accepted by control.socket too,
 * the same way. The first line also goes through the Host check.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES_MAX (2 + HF_CTL_ARGS_MAX + 2)

static void check(int st, const char *err)
{
	if (st != 200 && st != 400 && st != 403 && st != 404 && st != 405)
		abort();
	if ((st == 200) != (err[0] == '\0'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = hf_malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *line[LINES_MAX];
	size_t n = 0;
	for (char *p = text; p != NULL && n < LINES_MAX;) {
		line[n++] = p;
		p = strchr(p, '\n');
		if (p != NULL)
			*p++ = '\0';
	}
	struct hf_ctl_arg args[LINES_MAX];
	size_t nargs = 0;
	for (size_t i = 2; i < n; i++) {
		char *eq = strchr(line[i], '=');
		if (eq != NULL)
			*eq = '\0';
		args[nargs++] = (struct hf_ctl_arg){.key = line[i], .value = eq ? eq + 1 : NULL};
	}
	const char *method = n > 0 ? line[0] : NULL;
	const char *path = n > 1 ? line[1] : NULL;
	struct hf_ctl_req pub, priv;
	char err_pub[128], err_priv[128];
	int st_pub = hf_ctl_parse(method, path, args, nargs, false, &pub, err_pub, sizeof(err_pub));
	int st_priv =
	    hf_ctl_parse(method, path, args, nargs, true, &priv, err_priv, sizeof(err_priv));
	check(st_pub, err_pub);
	check(st_priv, err_priv);
	if (st_pub == 200 && (st_priv != 200 || memcmp(&pub, &priv, sizeof(pub)) != 0))
		abort();
	(void)hf_ctl_host_is_local(text); /* the first line as a Host header */
	hf_free(text);
	return 0;
}
