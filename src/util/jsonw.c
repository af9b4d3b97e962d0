/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/jsonw.h"

#include <stdarg.h>
#include <stdio.h>

void hf_jsonw_put(struct hf_jsonw *o, const char *fmt, ...)
{
	if (o->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

void hf_jsonw_str(struct hf_jsonw *o, const char *s)
{
	hf_jsonw_put(o, "\"");
	for (; *s != '\0' && !o->full; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			hf_jsonw_put(o, "\\%c", c);
		else if (c == '\n')
			hf_jsonw_put(o, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			hf_jsonw_put(o, "\\u%04x", c);
		else
			hf_jsonw_put(o, "%c", c);
	}
	hf_jsonw_put(o, "\"");
}
