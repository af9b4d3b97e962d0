/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The release holdfast reports: `holdfast --version`, the start-up log line,
 * and the version field of every dnstap frame. One place, so they agree.
 */
#pragma once

#define HOLDFAST_VERSION "0.1.0-dev"
