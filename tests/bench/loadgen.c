/*
 * loadgen.c — webhook load generator and Graph API stand-in for
 * tests/bench/webhook.sh, in one epoll loop (so the measuring side is
 * never the bottleneck on a small machine).
 *
 * Sends what Meta sends: signed WhatsApp webhooks with the current
 * timestamp, each from one of CITIZENS distinct numbers, each a real Dutch
 * message that starts or continues a conversation.  With -k connections
 * are kept alive (a reply with Connection: close makes a new one); with
 * -r RATE requests go out at that rate in total, else as fast as the
 * server answers.  -f N adds N connections flooding delivery-status
 * webhooks (intake load that asks for no reply).
 *
 * With -g PORT it also answers the server's Graph API requests on that
 * port and measures, per citizen message, the time from the webhook's
 * 200 to the reply to that citizen reaching the stand-in.
 *
 * With -P PID it also reads the CPU time each thread of process PID (the
 * server) and this process spent during the measured seconds, and prints
 * it per request answered: where the machine's time goes, so a figure can
 * be set against what two cores can give (cpu_us_<thread>=..., and
 * cpu_us_total=...).
 *
 * Usage: loadgen -p PORT -s SECRET [-c CONNS] [-d SECONDS] [-k] [-r RATE]
 *                [-u CITIZENS] [-f FLOOD] [-g GRAPH_PORT] [-w DRAIN_S]
 *                [-P SERVER_PID]
 * Prints one line of key=value figures.
 */
#define _GNU_SOURCE	/* strcasestr, accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind { K_HOOK, K_FLOOD, K_LISTEN, K_GRAPH };

struct conn {
	enum kind kind;
	int	fd;
	char	req[4096];
	size_t	len, sent;
	char	in[16384];
	size_t	got;
	double	t0;
	long	citizen;	/* of the request in flight, or -1 */
	int	busy;		/* a request is in flight */
};

#define QMAX	16		/* replies awaited per citizen */

struct citizen {
	double	t200[QMAX];	/* webhook answered, awaiting a reply */
	int	head, n;
	int	early;		/* replies that came before their 200 */
};

static const char *texts[] = {
	"Goeiedag, ik heb een vraag over mijn dossier bij jullie",
	"Ik wil een klacht indienen, mijn huurwaarborg is nog altijd niet "
	    "terugbetaald",
	"Hallo, wanneer zijn jullie kantoren open deze week?",
	"De bus is vanochtend weer niet gestopt aan mijn halte, dit is al "
	    "de derde keer",
	"Hoe kan ik een premie aanvragen voor mijn dakisolatie?",
	"Ik heb een suggestie: zet de formulieren ook online aub",
	"Waarom heb ik nog altijd geen antwoord op mijn mail van vorige "
	    "maand?",
	"Dag, kan ik iemand spreken over mijn aanvraag?",
	"Mijn uitkering is deze maand niet gestort, wat moet ik doen?",
	"Goedemiddag, welke documenten heb ik nodig voor een "
	    "woningaanvraag?",
};

static int port, graph_port, keep, nconn, nflood;
static long citizens = 5000;
static double rate, next_send;
static const char *secret;
/* Separate counters: the flood must not move the messages on to other
 * citizens, or one citizen gets several messages (and Meta's pair pacing)
 * only because statuses came in between. */
static unsigned long seq, flood_seq, flood_done;
static double *lat, *rlat;
static size_t nlat, caplat, nrlat, caprlat;
static unsigned long ok200, other, graph_reqs, unmatched;
static struct citizen *cit;
static int measuring = 1;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
push(double **a, size_t *n, size_t *cap, double v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 65536;
		if ((*a = realloc(*a, *cap * sizeof(**a))) == NULL)
			abort();
	}
	(*a)[(*n)++] = v;
}

static void
sign(const char *body, int n, char *sig)
{
	unsigned char mac[32];
	unsigned int maclen, i;

	HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)body, (size_t)n, mac, &maclen);
	for (i = 0; i < 32; i++)
		sprintf(sig + 2 * i, "%02x", mac[i]);
}

static void
request(struct conn *c, const char *body, int n)
{
	char sig[65];

	sign(body, n, sig);
	c->len = (size_t)snprintf(c->req, sizeof(c->req),
	    "POST /webhook/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/json\r\nX-Hub-Signature-256: sha256=%s"
	    "\r\nContent-Length: %d\r\n\r\n%s", sig, n, body);
	c->sent = 0;
	c->got = 0;
	c->busy = 1;
	c->t0 = now();
}

static void
build_message(struct conn *c)
{
	char body[2048];
	long who = (long)(seq % (unsigned long)citizens);
	int n;

	n = snprintf(body, sizeof(body),
	    "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":"
	    "\"102290129340398\",\"changes\":[{\"field\":\"messages\","
	    "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
	    "\"display_phone_number\":\"3225531111\",\"phone_number_id\":"
	    "\"106540352242922\"},\"contacts\":[{\"profile\":{\"name\":"
	    "\"Burger %ld\"},\"wa_id\":\"324%08ld\"}],\"messages\":[{\"from\":"
	    "\"324%08ld\",\"id\":\"wamid.bench.%d.%lu\",\"timestamp\":"
	    "\"%ld\",\"type\":\"text\",\"text\":{\"body\":\"%s\"}}]}}]}]}",
	    who, who, who, getpid(), seq, (long)time(NULL),
	    texts[seq % (sizeof(texts) / sizeof(texts[0]))]);
	seq++;
	c->citizen = who;
	request(c, body, n);
}

/* A delivery status for a message the server never sent: stored, and
 * asks for no reply. */
static void
build_status(struct conn *c)
{
	char body[2048];
	int n;

	n = snprintf(body, sizeof(body),
	    "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":"
	    "\"102290129340398\",\"changes\":[{\"field\":\"messages\","
	    "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
	    "\"display_phone_number\":\"3225531111\",\"phone_number_id\":"
	    "\"106540352242922\"},\"statuses\":[{\"id\":\"wamid.flood.%d.%lu\","
	    "\"status\":\"delivered\",\"timestamp\":\"%ld\",\"recipient_id\":"
	    "\"32470000000\"}]}}]}]}", getpid(), flood_seq++,
	    (long)time(NULL));
	c->citizen = -1;
	request(c, body, n);
}

static void
watch(int ep, struct conn *c, unsigned ev, int op)
{
	struct epoll_event e;

	e.events = ev;
	e.data.ptr = c;
	epoll_ctl(ep, op, c->fd, &e);
}

static void
connect_to(int ep, struct conn *c)
{
	struct sockaddr_in sa;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		perror("connect");
		exit(1);
	}
	c->busy = 0;
	c->got = c->sent = c->len = 0;
	watch(ep, c, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
}

static void
reconnect(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	connect_to(ep, c);
}

/* Starts the next request on an idle connection, if it is time. */
static void
maybe_send(int ep, struct conn *c)
{
	if (c->busy || !measuring)
		return;
	if (c->kind == K_FLOOD) {
		build_status(c);
	} else {
		if (rate > 0) {
			if (now() < next_send)
				return;
			next_send += 1.0 / rate;
		}
		build_message(c);
	}
	watch(ep, c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
}

/* Length of a whole response in c->in, or 0 if incomplete. */
static size_t
response_len(struct conn *c, int *status, int *closes)
{
	char *end, *cl;
	size_t head;

	c->in[c->got < sizeof(c->in) ? c->got : sizeof(c->in) - 1] = '\0';
	if ((end = strstr(c->in, "\r\n\r\n")) == NULL)
		return 0;
	head = (size_t)(end - c->in) + 4;
	cl = strcasestr(c->in, "content-length:");
	if (cl == NULL || cl > end)
		return 0;
	if (head + (size_t)atol(cl + 15) > c->got)
		return 0;
	*status = atoi(c->in + 9);
	*closes = strcasestr(c->in, "connection: close") != NULL;
	return head + (size_t)atol(cl + 15);
}

static void
answered(struct conn *c, int status)
{
	double t = now();
	struct citizen *z;

	if (c->kind == K_FLOOD) {
		flood_done++;
		return;
	}
	push(&lat, &nlat, &caplat, t - c->t0);
	if (status == 200)
		ok200++;
	else
		other++;
	if (status != 200 || c->citizen < 0 || !graph_port)
		return;
	z = &cit[c->citizen];
	if (z->early > 0) {	/* the reply overtook the 200: no wait */
		z->early--;
		push(&rlat, &nrlat, &caprlat, 0);
	} else if (z->n < QMAX) {
		z->t200[(z->head + z->n++) % QMAX] = t;
	}
}

static void
on_hook(int ep, struct conn *c, unsigned ev)
{
	ssize_t k;
	size_t len;
	int status, closes;

	if ((ev & EPOLLOUT) && c->busy && c->sent < c->len) {
		k = write(c->fd, c->req + c->sent, c->len - c->sent);
		if (k > 0)
			c->sent += (size_t)k;
		if (c->sent == c->len)
			watch(ep, c, EPOLLIN, EPOLL_CTL_MOD);
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	k = read(c->fd, c->in + c->got, sizeof(c->in) - 1 - c->got);
	if (k < 0 && errno == EAGAIN)
		return;
	if (k > 0)
		c->got += (size_t)k;
	if (c->busy && (len = response_len(c, &status, &closes)) > 0) {
		answered(c, status);
		c->busy = 0;
		c->got = 0;
		if (!keep || closes)
			reconnect(ep, c);
		maybe_send(ep, c);
		return;
	}
	if (k <= 0) {		/* closed without a whole answer */
		if (c->busy && c->kind == K_HOOK)
			other++;
		reconnect(ep, c);
		maybe_send(ep, c);
	}
}

/* The recipient of a Graph request body, as a citizen index, or -1. */
static long
recipient(const char *body)
{
	const char *p = strstr(body, "\"to\":\"");

	if (p == NULL)
		return -1;
	p += 6;
	if (*p == '+')
		p++;
	if (strncmp(p, "324", 3) != 0)
		return -1;
	return atol(p + 3);
}

static void
graph_request(struct conn *c, const char *body)
{
	char out[512];
	int n, m;
	long who = recipient(body);
	struct citizen *z;
	ssize_t k;

	graph_reqs++;
	/* Only real replies count, not read receipts or typing. */
	if (who >= 0 && who < citizens && strstr(body, "\"status\"") == NULL) {
		z = &cit[who];
		if (z->n > 0) {
			push(&rlat, &nrlat, &caprlat, now() - z->t200[z->head]);
			z->head = (z->head + 1) % QMAX;
			z->n--;
		} else if (z->early < QMAX) {
			z->early++;	/* its 200 is still on the way */
		} else {
			unmatched++;
		}
	}
	m = snprintf(out + 256, 256, "{\"messaging_product\":\"whatsapp\","
	    "\"contacts\":[{\"wa_id\":\"x\"}],\"messages\":[{\"id\":"
	    "\"wamid.mock.%lu\"}]}", graph_reqs);
	n = snprintf(out, 256, "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %d\r\n\r\n", m);
	memmove(out + n, out + 256, (size_t)m);
	k = write(c->fd, out, (size_t)(n + m));
	(void)k;	/* tiny: the socket buffer takes it */
}

static void
on_graph(int ep, struct conn *c)
{
	ssize_t k;
	char *end, *cl;
	size_t head, len;

	k = read(c->fd, c->in + c->got, sizeof(c->in) - 1 - c->got);
	if (k < 0 && errno == EAGAIN)
		return;
	if (k <= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		free(c);
		return;
	}
	c->got += (size_t)k;
	for (;;) {
		c->in[c->got] = '\0';
		if ((end = strstr(c->in, "\r\n\r\n")) == NULL)
			return;
		head = (size_t)(end - c->in) + 4;
		cl = strcasestr(c->in, "content-length:");
		len = head + (cl && cl < end ? (size_t)atol(cl + 15) : 0);
		if (len > c->got)
			return;
		{
			char save = c->in[len];

			c->in[len] = '\0';
			graph_request(c, c->in + head);
			c->in[len] = save;
		}
		memmove(c->in, c->in + len, c->got - len);
		c->got -= len;
	}
}

static int
listen_graph(int ep)
{
	struct sockaddr_in sa;
	struct conn *l = calloc(1, sizeof(*l));
	int one = 1;

	l->kind = K_LISTEN;
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)graph_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(l->fd, 128) == -1) {
		perror("graph listen");
		return -1;
	}
	watch(ep, l, EPOLLIN, EPOLL_CTL_ADD);
	return 0;
}

static void
on_accept(int ep, struct conn *l)
{
	struct conn *c;
	int fd;

	while ((fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			abort();
		c->kind = K_GRAPH;
		c->fd = fd;
		watch(ep, c, EPOLLIN, EPOLL_CTL_ADD);
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *a, size_t n, int p)
{
	return n ? a[n * (size_t)p / 100] * 1e3 : 0;
}

static void
loop(int ep, struct conn *conns, int total, double until)
{
	struct epoll_event evs[256];
	int i, n;

	while (now() < until) {
		n = epoll_wait(ep, evs, 256, rate > 0 ? 1 : 100);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->kind == K_LISTEN)
				on_accept(ep, c);
			else if (c->kind == K_GRAPH)
				on_graph(ep, c);
			else
				on_hook(ep, c, evs[i].events);
		}
		for (i = 0; i < total && rate > 0 && measuring; i++)
			maybe_send(ep, &conns[i]);
	}
}

static int
awaited(void)
{
	long i;
	int n = 0;

	for (i = 0; i < citizens; i++)
		n += cit[i].n;
	return n;
}

/* CPU time per thread name (threads of one name summed), in clock ticks. */
#define CPU_NAMES	16
struct cpu_snap {
	char	name[CPU_NAMES][32];
	long	ticks[CPU_NAMES];
	int	n;
};

static void
cpu_snap(long pid, struct cpu_snap *cs)
{
	char path[320], comm[64], line[1024];
	struct dirent *d;
	DIR *dir;
	FILE *f;
	int i;

	memset(cs, 0, sizeof(*cs));
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		unsigned long ut, st;
		char *p;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/stat", pid,
		    d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		p = fgets(line, sizeof(line), f);
		fclose(f);
		/* "tid (comm) state ppid ...": utime and stime are the
		 * 14th and 15th fields, the 12th and 13th after ")". */
		if (p == NULL || (p = strrchr(line, ')')) == NULL ||
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
		    "%*u %lu %lu", &ut, &st) != 2)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/comm", pid,
		    d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		for (i = 0; i < cs->n && strcmp(cs->name[i], comm) != 0; i++)
			;
		if (i == cs->n) {
			if (cs->n == CPU_NAMES)
				continue;
			snprintf(cs->name[cs->n++], sizeof(cs->name[0]), "%s",
			    comm);
		}
		cs->ticks[i] += (long)(ut + st);
	}
	closedir(dir);
}

static double
self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Prints the CPU microseconds per answered request (webhooks and status
 * floods) of each server thread name and of this process, and their sum. */
static void
print_cpu(const struct cpu_snap *a, const struct cpu_snap *b,
    double self_s, size_t requests)
{
	double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK), total, us;
	int i, j;

	if (requests == 0)
		return;
	total = self_s * 1e6 / (double)requests;
	for (i = 0; i < b->n; i++) {
		long t = b->ticks[i];

		for (j = 0; j < a->n; j++)
			if (strcmp(a->name[j], b->name[i]) == 0)
				t -= a->ticks[j];
		us = (double)t * tick_us / (double)requests;
		total += us;
		printf(" cpu_us_%s=%.1f", b->name[i], us);
	}
	printf(" cpu_us_loadgen=%.1f cpu_us_total=%.1f",
	    self_s * 1e6 / (double)requests, total);
}

int
main(int argc, char **argv)
{
	struct conn *conns;
	double secs = 10, drain = 5, t_start, t_end, self0 = 0, self_s = 0;
	struct cpu_snap cpu0, cpu1;
	long server_pid = 0;
	int ep, i, opt, total;

	while ((opt = getopt(argc, argv, "p:s:c:d:kr:u:f:g:w:P:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 's': secret = optarg; break;
		case 'c': nconn = atoi(optarg); break;
		case 'd': secs = atof(optarg); break;
		case 'k': keep = 1; break;
		case 'r': rate = atof(optarg); break;
		case 'u': citizens = atol(optarg); break;
		case 'f': nflood = atoi(optarg); break;
		case 'g': graph_port = atoi(optarg); break;
		case 'w': drain = atof(optarg); break;
		case 'P': server_pid = atol(optarg); break;
		default: goto usage;
		}
	}
	if (port == 0 || secret == NULL || citizens <= 0)
		goto usage;
	if (nconn <= 0)
		nconn = 64;
	total = nconn + nflood;
	cit = calloc((size_t)citizens, sizeof(*cit));
	conns = calloc((size_t)total, sizeof(*conns));
	ep = epoll_create1(0);
	if (graph_port && listen_graph(ep) == -1)
		return 1;
	if (server_pid > 0) {
		cpu_snap(server_pid, &cpu0);
		self0 = self_cpu_s();
	}
	t_start = now();
	next_send = t_start;
	for (i = 0; i < total; i++) {
		conns[i].kind = i < nconn ? K_HOOK : K_FLOOD;
		connect_to(ep, &conns[i]);
		maybe_send(ep, &conns[i]);
	}
	loop(ep, conns, total, t_start + secs);
	t_end = now();
	if (server_pid > 0) {
		cpu_snap(server_pid, &cpu1);
		self_s = self_cpu_s() - self0;
	}
	measuring = 0;
	if (graph_port)		/* replies still on their way */
		for (i = 0; i < drain * 10 && awaited() > 0; i++)
			loop(ep, conns, total, now() + 0.1);
	qsort(lat, nlat, sizeof(*lat), cmp);
	qsort(rlat, nrlat, sizeof(*rlat), cmp);
	printf("requests=%zu ok=%lu other=%lu rps=%.0f p50_ms=%.2f "
	    "p99_ms=%.2f", nlat, ok200, other, nlat / (t_end - t_start),
	    pct(lat, nlat, 50), pct(lat, nlat, 99));
	if (nflood)
		printf(" flood_rps=%.0f", flood_done / (t_end - t_start));
	if (graph_port)
		printf(" replies=%zu reply_p50_ms=%.2f reply_p99_ms=%.2f "
		    "unanswered=%d graph_requests=%lu", nrlat,
		    pct(rlat, nrlat, 50), pct(rlat, nrlat, 99), awaited(),
		    graph_reqs);
	if (server_pid > 0)	/* status floods are requests too */
		print_cpu(&cpu0, &cpu1, self_s, nlat + (size_t)flood_done);
	printf("\n");
	return 0;
usage:
	fprintf(stderr, "usage: loadgen -p PORT -s SECRET [-c CONNS] "
	    "[-d SECONDS] [-k] [-r RATE] [-u CITIZENS] [-f FLOOD] "
	    "[-g GRAPH_PORT] [-w DRAIN_S] [-P SERVER_PID]\n");
	return 2;
}
