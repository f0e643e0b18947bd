/*
 * graph.c — the curl worker thread.  The only file that includes
 * curl/curl.h.  The service thread queues jobs (graph_submit) and takes
 * results (graph_drain); the worker loops on curl_multi_poll, is woken by
 * curl_multi_wakeup when jobs arrive, and calls the owner's wake function
 * when results are ready.  Both queues are guarded by one mutex, held only
 * to link or unlink lists, never across curl or the wake call.
 */
#include "graph.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "buf.h"
#include "log.h"
#include "mono.h"

#define RESPONSE_MAX	(256 * 1024)	/* Meta's answers are < 1 KiB */

/* One transfer in progress, worker thread only. */
struct xfer {
	CURL			*easy;
	struct graph_job	*job;
	struct curl_slist	*headers;
	struct buf		 resp;
	int			 too_big;	/* an append hit the cap */
	char			 errbuf[CURL_ERROR_SIZE];
	struct xfer		*next;
};

struct graph {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	CURLM			*multi;
	char			*base_url;
	int			 log_mode;
	struct graph_opts	 opts;		/* base_url points at ours */
	/* Guarded by mu. */
	struct graph_job	*in_head, *in_tail;
	struct graph_result	*out_head, *out_tail;
	int			 stop;
	long long		 stop_deadline;	/* monotonic ms */
	int			 joined;	/* service thread only */
	/* Worker only. */
	struct xfer		*xfers;
	unsigned long		 log_seq;
};

void
graph_job_free(struct graph_job *j)
{
	if (j == NULL)
		return;
	free(j->method);
	free(j->url);
	free(j->auth);
	free(j->body);
	free(j);
}

void
graph_result_free(struct graph_result *r)
{
	struct graph_result *next;

	for (; r != NULL; r = next) {
		next = r->next;
		free(r->curl_error);
		free(r->body);
		free(r->content_type);
		free(r);
	}
}

int
graph_curl_permanent(int cc)
{
	return cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT ||
	    cc == CURLE_NOT_BUILT_IN || cc == CURLE_BAD_FUNCTION_ARGUMENT;
}

int
graph_is_log(const struct graph *g)
{
	return g->log_mode;
}

/* Worker: hands a result to the service thread (wake comes later). */
static void
push_result(struct graph *g, struct graph_result *r)
{
	pthread_mutex_lock(&g->mu);
	if (g->out_tail != NULL)
		g->out_tail->next = r;
	else
		g->out_head = r;
	g->out_tail = r;
	pthread_mutex_unlock(&g->mu);
}

/*
 * "log:" mode: no Meta account needed.  The request goes to the log and
 * counts as accepted with a synthetic id.  Logging the body at info level
 * breaks the house rule on message texts on purpose: this mode only runs
 * on a developer's machine with test messages.
 */
static void
log_responder(void *arg, const struct graph_job *job, struct graph_result *r)
{
	struct graph *g = arg;
	char body[128];

	log_info("event=graph_log method=%s url=%s body=%s", job->method,
	    job->url, job->body);
	snprintf(body, sizeof(body), "{\"success\":true,"
	    "\"message_id\":\"log.%lld.%lu\"}", job->id, ++g->log_seq);
	r->http_status = 200;
	r->body = strdup(body);
}

static struct graph_result *
new_result(const struct graph_job *job)
{
	struct graph_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		log_fatalx("event=graph_oom");
	r->id = job->id;
	r->retry_after_s = -1;
	return r;
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	/* Returning less than given makes curl fail with a write error. */
	if (buf_append(&x->resp, p, size * n) == 0)
		return size * n;
	x->too_big = 1;
	return 0;
}

static void
xfer_free(struct xfer *x)
{
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	buf_free(&x->resp);
	graph_job_free(x->job);
	free(x);
}

/* A download (GET): no body, the token only when given, redirects
 * followed a few times within the same protocols, and curl stops early
 * when the announced size is over the cap. */
static struct curl_slist *
setup_get(struct xfer *x)
{
	CURL *e = x->easy;
	struct curl_slist *h = NULL;

	if (x->job->auth != NULL)
		h = curl_slist_append(h, x->job->auth);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->job->max_bytes);
	return h;
}

static int
xfer_setup(struct graph *g, struct xfer *x)
{
	CURL *e = x->easy;
	struct curl_slist *h = NULL;

	if (strcmp(x->job->method, "GET") == 0) {
		if ((h = setup_get(x)) == NULL && x->job->auth != NULL)
			return -1;
	} else {
		h = curl_slist_append(h, x->job->auth);
		h = curl_slist_append(h, "Content-Type: application/json");
		h = curl_slist_append(h, "Expect:");	/* no 100-continue */
		if (h == NULL)
			return -1;
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->job->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(x->job->body));
	}
	x->headers = h;
	curl_easy_setopt(e, CURLOPT_URL, x->job->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    g->opts.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, g->opts.timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "loket/" LOKET_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	return 0;
}

/* Worker: starts one job, or answers it at once (responder, or it cannot
 * start); returns 1 when a result was pushed. */
static int
start_job(struct graph *g, struct graph_job *job)
{
	struct graph_result *r;
	struct xfer *x;

	job->next = NULL;
	if (g->opts.responder != NULL) {
		r = new_result(job);
		g->opts.responder(g->opts.responder_arg, job, r);
		graph_job_free(job);
		push_result(g, r);
		return 1;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		log_fatalx("event=graph_oom");
	x->job = job;
	if (job->max_bytes == 0)
		job->max_bytes = RESPONSE_MAX;
	buf_init(&x->resp, job->max_bytes);
	if ((x->easy = curl_easy_init()) == NULL || xfer_setup(g, x) == -1 ||
	    curl_multi_add_handle(g->multi, x->easy) != CURLM_OK) {
		r = new_result(job);
		r->curl_code = CURLE_FAILED_INIT;
		r->curl_error = strdup("cannot start transfer");
		xfer_free(x);
		push_result(g, r);
		return 1;
	}
	x->next = g->xfers;
	g->xfers = x;
	return 0;
}

static void
unlink_xfer(struct graph *g, struct xfer *x)
{
	struct xfer **pp;

	for (pp = &g->xfers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			return;
		}
}

/* Worker: turns one finished transfer into a result. */
static void
finish(struct graph *g, CURL *e, CURLcode cc)
{
	struct graph_result *r;
	struct xfer *x = NULL;
	curl_off_t ra = 0;
	char *ct = NULL;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
	r = new_result(x->job);
	r->curl_code = cc;
	r->too_big = x->too_big || cc == CURLE_FILESIZE_EXCEEDED;
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		r->content_type = strdup(ct);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->http_status);
	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after_s = (long)ra;
	if (cc != CURLE_OK)
		r->curl_error = strdup(x->errbuf[0] ? x->errbuf :
		    curl_easy_strerror(cc));
	r->body_len = x->resp.len;
	r->body = buf_take(&x->resp);
	curl_multi_remove_handle(g->multi, e);
	unlink_xfer(g, x);
	xfer_free(x);
	push_result(g, r);
}

static int
harvest(struct graph *g)
{
	CURLMsg *m;
	int left, n = 0;

	while ((m = curl_multi_info_read(g->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE) {
			finish(g, m->easy_handle, m->data.result);
			n++;
		}
	return n;
}

/* Worker: after graph_stop, queued jobs are dropped (their rows are still
 * pending) and transfers in flight get until the deadline to finish. */
static int
stopping(struct graph *g, struct graph_job *jobs)
{
	struct graph_job *next;

	for (; jobs != NULL; jobs = next) {
		next = jobs->next;
		graph_job_free(jobs);
	}
	return g->xfers == NULL || mono_ms() >= g->stop_deadline;
}

static void *
worker(void *arg)
{
	struct graph *g = arg;
	struct graph_job *jobs, *next;
	int stop, running, done = 0;

	prctl(PR_SET_NAME, "loket-graph");
	for (;;) {
		pthread_mutex_lock(&g->mu);
		stop = g->stop;
		jobs = g->in_head;
		g->in_head = g->in_tail = NULL;
		pthread_mutex_unlock(&g->mu);
		if (stop) {
			if (stopping(g, jobs))
				break;
			jobs = NULL;
		}
		for (; jobs != NULL; jobs = next) {
			next = jobs->next;
			done += start_job(g, jobs);
		}
		curl_multi_perform(g->multi, &running);
		done += harvest(g);
		if (done > 0 && g->opts.wake != NULL)
			g->opts.wake(g->opts.wake_arg);
		done = 0;
		curl_multi_poll(g->multi, NULL, 0, stop ? 50 : 1000, NULL);
	}
	return NULL;
}

void
graph_stop(struct graph *g, long grace_ms)
{
	if (g == NULL || g->joined)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	g->stop_deadline = mono_ms() + grace_ms;
	pthread_mutex_unlock(&g->mu);
	curl_multi_wakeup(g->multi);
	pthread_join(g->thread, NULL);
	g->joined = 1;
}

struct graph *
graph_new(const struct graph_opts *opts)
{
	struct graph *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->opts = *opts;
	if (opts->base_url == NULL ||
	    (g->base_url = strdup(opts->base_url)) == NULL)
		goto fail;
	g->opts.base_url = g->base_url;
	if (g->opts.connect_timeout_ms <= 0)
		g->opts.connect_timeout_ms = 5000;
	if (g->opts.timeout_ms <= 0)
		g->opts.timeout_ms = 30000;
	if (g->opts.max_connections <= 0)
		g->opts.max_connections = 16;
	if (strcmp(g->base_url, "log:") == 0 && g->opts.responder == NULL) {
		g->log_mode = 1;
		g->opts.responder = log_responder;
		g->opts.responder_arg = g;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		goto fail;
	if ((g->multi = curl_multi_init()) == NULL) {
		curl_global_cleanup();
		goto fail;
	}
	curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)g->opts.max_connections);
	pthread_mutex_init(&g->mu, NULL);
	if (pthread_create(&g->thread, NULL, worker, g) != 0) {
		pthread_mutex_destroy(&g->mu);
		curl_multi_cleanup(g->multi);
		curl_global_cleanup();
		goto fail;
	}
	return g;
fail:
	log_warnx("event=graph_start_failed");
	free(g->base_url);
	free(g);
	return NULL;
}

void
graph_free(struct graph *g)
{
	struct xfer *x, *next;

	if (g == NULL)
		return;
	graph_stop(g, 0);
	for (x = g->xfers; x != NULL; x = next) {
		next = x->next;
		curl_multi_remove_handle(g->multi, x->easy);
		xfer_free(x);
	}
	curl_multi_cleanup(g->multi);
	curl_global_cleanup();
	graph_result_free(g->out_head);
	pthread_mutex_destroy(&g->mu);
	free(g->base_url);
	free(g);
}

void
graph_submit(struct graph *g, struct graph_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&g->mu);
	if (g->in_tail != NULL)
		g->in_tail->next = job;
	else
		g->in_head = job;
	g->in_tail = job;
	pthread_mutex_unlock(&g->mu);
	curl_multi_wakeup(g->multi);
}

struct graph_result *
graph_drain(struct graph *g)
{
	struct graph_result *r;

	pthread_mutex_lock(&g->mu);
	r = g->out_head;
	g->out_head = g->out_tail = NULL;
	pthread_mutex_unlock(&g->mu);
	return r;
}
