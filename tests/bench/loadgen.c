/*
 * loadgen.c — webhook load generator for tests/bench/webhook.sh.
 * Keeps C connections busy for D seconds against 127.0.0.1:PORT, each
 * request a signed ~1 KB WhatsApp text message with its own message id
 * (Loket answers with Connection: close, so every request is a fresh
 * connection).  Prints requests/s, p50 and p99 latency and the status
 * counts.  Usage: loadgen PORT SECRET CONNECTIONS SECONDS
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int	fd;
	char	req[4096];
	size_t	len, sent;
	char	resp[512];
	size_t	got;
	double	t0;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int port, nconn;
static const char *secret;
static unsigned long seq;
static double *lat;
static size_t nlat, caplat;
static unsigned long ok200, other;

static void
build(struct conn *c)
{
	char body[2048], sig[65];
	unsigned char mac[32];
	unsigned int maclen, i;
	int n;
	char pad[700];

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	n = snprintf(body, sizeof(body),
	    "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":"
	    "\"102290129340398\",\"changes\":[{\"field\":\"messages\","
	    "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
	    "\"display_phone_number\":\"3225531111\",\"phone_number_id\":"
	    "\"106540352242922\"},\"contacts\":[{\"profile\":{\"name\":"
	    "\"Bench\"},\"wa_id\":\"3247%07lu\"}],\"messages\":[{\"from\":"
	    "\"3247%07lu\",\"id\":\"wamid.bench.%d.%lu\",\"timestamp\":"
	    "\"1764500000\",\"type\":\"text\",\"text\":{\"body\":\"Goeiedag, "
	    "ik heb een vraag over mijn dossier %s\"}}]}}]}]}",
	    seq % 5000, seq % 5000, getpid(), seq, pad);
	seq++;
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)body,
	    (size_t)n, mac, &maclen);
	for (i = 0; i < 32; i++)
		sprintf(sig + 2 * i, "%02x", mac[i]);
	c->len = (size_t)snprintf(c->req, sizeof(c->req),
	    "POST /webhook/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/json\r\nX-Hub-Signature-256: sha256=%s"
	    "\r\nContent-Length: %d\r\n\r\n%s", sig, n, body);
	c->sent = 0;
	c->got = 0;
}

static void
start(int ep, struct conn *c)
{
	struct sockaddr_in sa;
	struct epoll_event ev;

	build(c);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->t0 = now();
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		perror("connect");
		exit(1);
	}
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void
finish(int ep, struct conn *c, int record)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (record) {
		if (nlat == caplat) {
			caplat = caplat ? caplat * 2 : 65536;
			lat = realloc(lat, caplat * sizeof(*lat));
		}
		lat[nlat++] = now() - c->t0;
		if (c->got >= 12 && memcmp(c->resp + 9, "200", 3) == 0)
			ok200++;
		else
			other++;
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[256];
	struct conn *conns;
	double secs, t_end, t_start;
	int ep, i, n;

	if (argc != 5) {
		fprintf(stderr, "usage: loadgen PORT SECRET CONNS SECONDS\n");
		return 2;
	}
	port = atoi(argv[1]);
	secret = argv[2];
	nconn = atoi(argv[3]);
	secs = atof(argv[4]);
	conns = calloc((size_t)nconn, sizeof(*conns));
	ep = epoll_create1(0);
	t_start = now();
	t_end = t_start + secs;
	for (i = 0; i < nconn; i++)
		start(ep, &conns[i]);
	while (now() < t_end) {
		n = epoll_wait(ep, evs, 256, 100);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t k;

			if ((evs[i].events & EPOLLOUT) && c->sent < c->len) {
				k = write(c->fd, c->req + c->sent,
				    c->len - c->sent);
				if (k > 0)
					c->sent += (size_t)k;
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				k = read(c->fd, c->resp + c->got,
				    sizeof(c->resp) - c->got);
				if (k > 0) {
					c->got += (size_t)k;
					if (c->got < sizeof(c->resp))
						continue;
				} else if (k < 0 && errno == EAGAIN) {
					continue;
				}
				finish(ep, c, 1);
				start(ep, c);
			} else if (c->sent == c->len) {
				struct epoll_event ev = { EPOLLIN, { c } };

				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
		}
	}
	secs = now() - t_start;
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("requests=%zu ok=%lu other=%lu rps=%.0f p50_ms=%.2f "
	    "p99_ms=%.2f\n", nlat, ok200, other, nlat / secs,
	    nlat ? lat[nlat / 2] * 1e3 : 0, nlat ? lat[nlat * 99 / 100] * 1e3
	    : 0);
	return 0;
}
