/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A whole DNS message as text, both directions: for logs, the control tool,
 * replay scenarios and tests. The layout follows dig and kdig, so people
 * read it at sight, and every line parses back:
 *
 *   ;; id 4660 opcode QUERY rcode NOERROR flags qr rd ra ad
 *   ;; edns version 0 udp 1232 flags do
 *   ;; option COOKIE 0102030405060708
 *   ;; option EDE 18 "some text"
 *   ;; option ECS 192.0.2.0/24/0
 *   ;; option PADDING 12
 *   ;; option 65001 00ff
 *   ;; QUESTION
 *   example.com. IN A
 *   ;; ANSWER
 *   example.com. 300 IN A 192.0.2.1
 *   ;; AUTHORITY
 *   ;; ADDITIONAL
 *
 * - rcode is the full 12-bit RCODE (BADVERS needs EDNS); unknown opcodes and
 *   rcodes are printed as numbers. flags lists qr aa tc rd ra z ad cd in that
 *   order, lowercase; "flags" with nothing after it means none.
 * - The edns line appears when the message has an OPT record; its "flags"
 *   lists do and any other set bit as a hex number ("flags do 0x0001").
 * - Options are printed in wire order, one per line: COOKIE as hex (client
 *   then server cookie), EDE as INFO-CODE and a quoted string (escaped like
 *   TXT), ECS as ADDRESS/SOURCE/SCOPE, PADDING as its length (content
 *   zeros), anything else as its decimal code and hex data ("-" if empty).
 * - Questions are "NAME CLASS TYPE"; records are hf_rr_to_text() lines.
 * - Parsing accepts exactly this layout (blank lines and ";" comments other
 *   than the ";;" lines above are ignored) and builds the message without a
 *   size limit besides 65535, compressing names.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"
#include "wire/pkt.h"

/*
 * Writes the text of a parsed message into out (NUL-terminated). Returns the
 * text length, HF_ESPACE, or an error from unpacking a record.
 */
HF_MUSTCHECK int hf_msg_to_text(const struct hf_pkt *pkt, char *out, size_t cap);

/*
 * Builds wire format from text[0..len) into out. Returns the message length,
 * or HF_ESYNTAX (with *line set to the 1-based line at fault, if line is not
 * NULL), HF_ESPACE, or a record error.
 */
HF_MUSTCHECK int hf_msg_from_text(const char *text, size_t len, uint8_t *out, size_t cap,
                                  int *line);
