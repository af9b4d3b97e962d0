/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Logging: one line per event, to stderr in the foreground (the default
 * today) or syslog. Messages say what happened and what holdfast did about
 * it, naming files, lines, keys and addresses.
 */
#pragma once

#include <stdbool.h>

enum hf_log_lvl { HF_LOG_LVL_ERROR = 0, HF_LOG_LVL_WARNING, HF_LOG_LVL_INFO, HF_LOG_LVL_DEBUG };

void hf_log_set_level(enum hf_log_lvl level);
void hf_log_use_syslog(bool on);
bool hf_log_enabled(enum hf_log_lvl level);

__attribute__((format(printf, 2, 3))) void hf_log(enum hf_log_lvl level, const char *fmt, ...);

#define hf_log_error(...) hf_log(HF_LOG_LVL_ERROR, __VA_ARGS__)
#define hf_log_warn(...)  hf_log(HF_LOG_LVL_WARNING, __VA_ARGS__)
#define hf_log_info(...)  hf_log(HF_LOG_LVL_INFO, __VA_ARGS__)
#define hf_log_debug(...)                                                                          \
	do {                                                                                       \
		if (hf_log_enabled(HF_LOG_LVL_DEBUG))                                              \
			hf_log(HF_LOG_LVL_DEBUG, __VA_ARGS__);                                     \
	} while (0)
