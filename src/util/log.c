/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <syslog.h>

static atomic_int log_level = HF_LOG_LVL_INFO;
static atomic_bool log_syslog;

void hf_log_set_level(enum hf_log_lvl level)
{
	atomic_store(&log_level, (int)level);
}

void hf_log_use_syslog(bool on)
{
	if (on)
		openlog("holdfast", LOG_PID, LOG_DAEMON);
	atomic_store(&log_syslog, on);
}

bool hf_log_enabled(enum hf_log_lvl level)
{
	return (int)level <= atomic_load(&log_level);
}

void hf_log(enum hf_log_lvl level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	if (!hf_log_enabled(level))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (atomic_load(&log_syslog))
		syslog(prio[level], "%s", line);
	else
		fprintf(stderr, "holdfast[%s]: %s\n", names[level], line);
}
