/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Names and descriptions for every holdfast error code. */
#include "util/err.h"

#include <string.h>

struct err_entry {
	int code;
	const char *name;
	const char *text;
};

static const struct err_entry errors[] = {
    {HF_OK, "HF_OK", "success"},
    {HF_ENOMEM, "HF_ENOMEM", "out of memory"},
    {HF_EINVAL, "HF_EINVAL", "invalid argument"},
    {HF_EMALF, "HF_EMALF", "malformed data"},
    {HF_ETRUNC, "HF_ETRUNC", "data ends before the structure does"},
    {HF_ESPACE, "HF_ESPACE", "no room in the output buffer"},
    {HF_ETOOBIG, "HF_ETOOBIG", "message longer than 65535 octets"},
    {HF_EHDR, "HF_EHDR", "message shorter than the 12-octet header"},
    {HF_ECOUNT, "HF_ECOUNT", "section counts exceed the records in the message"},
    {HF_ERDLEN, "HF_ERDLEN", "RDLENGTH runs past the end of the message"},
    {HF_ERDATA, "HF_ERDATA", "RDATA does not match the layout of its type"},
    {HF_ETRAILING, "HF_ETRAILING", "trailing bytes after the last record"},
    {HF_ELABEL, "HF_ELABEL", "label longer than 63 octets"},
    {HF_ENAMELEN, "HF_ENAMELEN", "name longer than 255 octets"},
    {HF_ELABELTYPE, "HF_ELABELTYPE", "reserved label type"},
    {HF_EPTRLOOP, "HF_EPTRLOOP", "compression pointer loop"},
    {HF_EPTRFWD, "HF_EPTRFWD", "compression pointer points forward"},
    {HF_EPTRHERE, "HF_EPTRHERE", "compression pointer where none is allowed"},
    {HF_EOPTDUP, "HF_EOPTDUP", "more than one OPT record"},
    {HF_EOPTSECT, "HF_EOPTSECT", "OPT record outside the additional section"},
    {HF_EOPTNAME, "HF_EOPTNAME", "OPT owner name is not the root"},
    {HF_EOPTDATA, "HF_EOPTDATA", "malformed EDNS option"},
    {HF_EBADVERS, "HF_EBADVERS", "unsupported EDNS version"},
    {HF_ESYNTAX, "HF_ESYNTAX", "presentation-format syntax error"},
    {HF_ETYPE, "HF_ETYPE", "unknown RR type"},
    {HF_ECLASS, "HF_ECLASS", "unknown RR class"},
    {HF_ERANGE, "HF_ERANGE", "number out of range"},
    {HF_EUNSUPPORTED, "HF_EUNSUPPORTED", "DNSSEC algorithm or digest not supported"},
    {HF_EBOGUS, "HF_EBOGUS", "DNSSEC signature or digest does not match"},
    {HF_ELIMIT, "HF_ELIMIT", "validation work cap reached"},
};

static const struct err_entry *find(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		if (errors[i].code == err)
			return &errors[i];
	}
	return NULL;
}

const char *hf_strerror(int err)
{
	const struct err_entry *e = find(err);
	if (e != NULL)
		return e->text;
	if (err < 0 && err > -1000)
		return strerror(-err);
	return "unknown error";
}

const char *hf_errname(int err)
{
	const struct err_entry *e = find(err);
	return e != NULL ? e->name : "HF_E?";
}
