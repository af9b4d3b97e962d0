/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web page control.http serves at "/": one self-contained HTML file
 * (src/control/web/index.html: its CSS and script inline, nothing fetched
 * from elsewhere, so it works offline), built into the binary.
 */
#pragma once

#include <stddef.h>

/* The page's octets (not NUL-terminated) and their length. */
const char *hf_webpage(size_t *len);
