/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The web page, built in with the assembler's .incbin (no generator needed at build time). */
#include "control/webpage.h"

extern const char hf_webpage_start[];
extern const char hf_webpage_end[];

__asm__(".section .rodata\n"
        ".global hf_webpage_start\n"
        ".global hf_webpage_end\n"
        "hf_webpage_start:\n"
        ".incbin \"src/control/web/index.html\"\n"
        "hf_webpage_end:\n"
        ".previous\n");

const char *hf_webpage(size_t *len)
{
	*len = (size_t)(hf_webpage_end - hf_webpage_start);
	return hf_webpage_start;
}
