/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ceiling for bench/run: a UDP "DNS server" that does no DNS work. It
 * reads datagrams in batches with recvmmsg, sets the QR bit, and sends each
 * one back to where it came from with sendmmsg. Whatever a resolver does per
 * query costs more than this, so its queries per second per core on the same
 * machine, under the same load generator, is the upper bound.
 *
 *   echo ADDR PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BATCH  64
#define MAXPKT 4096

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: echo ADDR PORT\n");
		return 2;
	}
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port = htons((uint16_t)atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "echo: bad address %s\n", argv[1]);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("echo: bind");
		return 1;
	}
	static unsigned char bufs[BATCH][MAXPKT];
	static struct sockaddr_in peers[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = MAXPKT};
			msgs[i].msg_hdr = (struct msghdr){.msg_name = &peers[i],
			                                  .msg_namelen = sizeof peers[i],
			                                  .msg_iov = &iov[i],
			                                  .msg_iovlen = 1};
		}
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			iov[i].iov_len = msgs[i].msg_len;
			if (msgs[i].msg_len >= 12)
				bufs[i][2] |= 0x80; /* QR */
		}
		for (int sent = 0; sent < n;) {
			int k = sendmmsg(fd, msgs + sent, (unsigned)(n - sent), 0);
			if (k <= 0)
				break;
			sent += k;
		}
	}
}
