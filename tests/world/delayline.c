/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * delayline TUN CTLFILE: the test world's stand-in for netem (this kernel has none).
 *
 * Attaches to the existing TUN device TUN, reads every packet the kernel routes into it,
 * holds it for D ms (or drops it with probability P) and writes it back, so the kernel
 * routes it on. CTLFILE holds "D P" (e.g. "20 0.0"); it is read at start and on SIGHUP.
 * Packets keep their order (one FIFO): after D shrinks, new packets wait behind old ones.
 * SIGTERM/SIGINT: print counts to stderr and exit 0. Built by tests/world/world.py.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096
#define SLOT  2048 /* the TUN's MTU is 1500 */

static unsigned char pkt[SLOTS][SLOT];
static int len[SLOTS];
static long long due[SLOTS];
static volatile sig_atomic_t reload = 1, stop;
static long delay_ms = 20;
static double loss;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void on_hup(int s)
{
	(void)s;
	reload = 1;
}
static void on_term(int s)
{
	(void)s;
	stop = 1;
}

static void read_ctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long d;
	double p;
	if (!f) {
		fprintf(stderr, "delayline: cannot open %s: %s\n", path, strerror(errno));
		return;
	}
	if (fscanf(f, "%ld %lf", &d, &p) == 2 && d >= 0 && d <= 60000 && p >= 0 && p <= 1) {
		delay_ms = d;
		loss = p;
		fprintf(stderr, "delayline: delay %ld ms, loss %.3f\n", delay_ms, loss);
	} else {
		fprintf(stderr, "delayline: %s: want \"DELAY_MS LOSS\", kept the old values\n",
		        path);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	struct ifreq ifr;
	struct sigaction sa;
	unsigned long passed = 0, dropped = 0, overflow = 0;
	int fd, head = 0, tail = 0, n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: delayline TUN CTLFILE\n");
		return 2;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "delayline: cannot attach to %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof sa); /* no SA_RESTART: signals wake ppoll */
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	srand48((long)getpid() ^ (long)now_us());
	fprintf(stderr, "delayline: attached to %s\n", argv[1]);

	while (!stop) {
		long long t = now_us();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct timespec ts, *tsp = NULL;

		if (reload) {
			reload = 0;
			read_ctl(argv[2]);
		}
		while (n > 0 && due[head] <= t) {
			if (write(fd, pkt[head], len[head]) < 0)
				dropped++;
			else
				passed++;
			head = (head + 1) % SLOTS;
			n--;
		}
		if (n > 0) {
			long long w = due[head] - t;
			ts.tv_sec = w / 1000000;
			ts.tv_nsec = (w % 1000000) * 1000;
			tsp = &ts;
		}
		if (ppoll(&p, 1, tsp, NULL) < 0 && errno != EINTR)
			return 1;
		while (!stop && (p.revents & POLLIN)) {
			static unsigned char scratch[SLOT];
			int r = read(fd, n == SLOTS ? scratch : pkt[tail], SLOT);
			if (r <= 0)
				break;
			if (n == SLOTS) {
				overflow++;
			} else if (loss > 0 && drand48() < loss) {
				dropped++;
			} else {
				len[tail] = r;
				due[tail] = now_us() + delay_ms * 1000LL;
				tail = (tail + 1) % SLOTS;
				n++;
			}
		}
	}
	fprintf(stderr, "delayline: passed %lu, dropped %lu, overflowed %lu\n", passed, dropped,
	        overflow);
	return 0;
}
