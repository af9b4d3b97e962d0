/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * holdfast entry point. The resolver itself (listeners, cache, forwarding)
 * arrives with the forwarder work; today the binary reports its version and
 * what it can do, so `make run` shows the build works end to end.
 */
#include <stdio.h>
#include <string.h>

#define HOLDFAST_VERSION "0.1.0-dev"

static void usage(FILE *out)
{
	fprintf(out, "usage: holdfast [--version] [--help] [--foreground]\n");
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("holdfast %s\n", HOLDFAST_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--foreground") != 0) {
			fprintf(stderr, "holdfast: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	printf("holdfast %s: the DNS message library is built and tested; the resolver "
	       "(listen, forward, cache) is not implemented yet, so there is nothing to serve.\n",
	       HOLDFAST_VERSION);
	return 0;
}
