/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Error codes. A function that can fail returns int: HF_OK (0), a
 * non-negative result, or a negative code. Operating-system errors are
 * -errno one to one; holdfast's own codes sit below -1000 so the two never
 * collide. hf_strerror() names every one of them.
 *
 * RCODEs are data, not errors: the wire parser returns HF_EMALF-family codes
 * and the server decides to answer FORMERR.
 */
#pragma once

#include <errno.h>

enum hf_err {
	HF_OK = 0,
	HF_ENOMEM = -ENOMEM,
	HF_EINVAL = -EINVAL,

	/* Generic wire-format problems. */
	HF_EMALF = -1001,   /* malformed data (no more specific code applies) */
	HF_ETRUNC = -1002,  /* data ends before the structure does */
	HF_ESPACE = -1003,  /* output buffer or size limit too small */
	HF_ETOOBIG = -1004, /* message longer than 65535 octets */

	/* Message structure. */
	HF_EHDR = -1010,      /* shorter than the 12-octet header */
	HF_ECOUNT = -1011,    /* section counts promise more records than the message holds */
	HF_ERDLEN = -1012,    /* RDLENGTH runs past the end of the message */
	HF_ERDATA = -1013,    /* RDATA does not match the layout of its type */
	HF_ETRAILING = -1014, /* bytes left after the last record */

	/* Names. */
	HF_ELABEL = -1020,     /* label longer than 63 octets (0x40 prefix too) */
	HF_ENAMELEN = -1021,   /* name longer than 255 octets */
	HF_ELABELTYPE = -1022, /* reserved label type (0x80 prefix) */
	HF_EPTRLOOP = -1023,   /* compression pointer to itself or into the name being read */
	HF_EPTRFWD = -1024,    /* compression pointer to a later offset */
	HF_EPTRHERE = -1025,   /* compression pointer where none is allowed (e.g. a bare name) */

	/* EDNS(0), RFC 6891. */
	HF_EOPTDUP = -1030,  /* more than one OPT record */
	HF_EOPTSECT = -1031, /* OPT record outside the additional section */
	HF_EOPTNAME = -1032, /* OPT owner name is not the root */
	HF_EOPTDATA = -1033, /* malformed EDNS option */
	HF_EBADVERS = -1034, /* EDNS version other than 0 (message fully parsed) */

	/* Presentation (zone-file) text. */
	HF_ESYNTAX = -1040, /* presentation-format syntax error */
	HF_ETYPE = -1041,   /* unknown type mnemonic */
	HF_ECLASS = -1042,  /* unknown class mnemonic */
	HF_ERANGE = -1043,  /* number out of range for its field */

	/* DNSSEC. */
	HF_EUNSUPPORTED = -1050, /* algorithm or digest not checkable: insecure, not bogus */
	HF_EBOGUS = -1051,       /* a signature or digest that does not match */
	HF_ELIMIT = -1052,       /* a per-resolution work cap was reached (KeyTrap, NSEC3) */
};

/* A static string naming the error; never NULL. */
const char *hf_strerror(int err);

/* A short stable identifier such as "HF_EPTRLOOP", for logs and tests. */
const char *hf_errname(int err);
