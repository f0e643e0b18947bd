/*
 * console_login.c — password checks off the service thread.  PBKDF2 takes
 * about 120 ms by design; on the service thread ten failed logins a
 * second stalled every webhook behind them.  A worker thread does the
 * check; the login request waits (http_defer) under a ticket and is
 * answered when the result is collected (console_flush, after every loop
 * wake-up).  The worker only sees copies of the password and the stored
 * hash: no store, no lws, no json_t cross.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "console_int.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "staff.h"

/* Checks queued at most: beyond that a login gets 503 at once, so a
 * flood of attempts on rotating names and addresses cannot build a queue
 * that keeps staff out for minutes. */
#define LOGIN_QUEUE_MAX	32

struct login_job {
	unsigned long long	 ticket;
	char			*pw;
	char			*hash;		/* NULL: unknown name */
	int			 ok;		/* result: 1 match */
	struct login_job	*next;
};

struct console_login {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* work queued, stop, or done */
	pthread_t		 thread;
	int			 stop;
	int			 queued;	/* todo + being checked */
	unsigned long long	 seq;
	struct login_job	*todo, **todo_tail;
	struct login_job	*done;
	struct server		*srv;		/* for the wake-up only */
};

static void
job_free(struct login_job *j)
{
	if (j == NULL)
		return;
	if (j->pw != NULL)
		explicit_bzero(j->pw, strlen(j->pw));
	free(j->pw);
	free(j->hash);
	free(j);
}

static void *
worker(void *arg)
{
	struct console_login *l = arg;
	struct login_job *j;

	prctl(PR_SET_NAME, "loket-login");
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->stop && l->todo == NULL)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->stop)
			break;
		j = l->todo;
		if ((l->todo = j->next) == NULL)
			l->todo_tail = &l->todo;
		pthread_mutex_unlock(&l->mu);
		/* Same time for an unknown name as for a wrong password. */
		if (j->hash != NULL)
			j->ok = staff_check_password(j->pw, j->hash) == 1;
		else
			staff_dummy_check(j->pw);
		pthread_mutex_lock(&l->mu);
		j->next = l->done;
		l->done = j;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		http_wake(l->srv->http);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static struct console_login *
login_start(struct server *s)
{
	struct console_login *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->todo_tail = &l->todo;
	l->srv = s;
	if (pthread_create(&l->thread, NULL, worker, l) != 0) {
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return NULL;
	}
	return l;
}

unsigned long long
console_login_submit(struct server *s, const char *pw, const char *hash)
{
	struct console *c = s->console;
	struct console_login *l;
	struct login_job *j;
	unsigned long long t = 0;

	if (c->login == NULL && (c->login = login_start(s)) == NULL)
		return 0;
	l = c->login;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->pw = strdup(pw)) == NULL ||
	    (hash != NULL && (j->hash = strdup(hash)) == NULL)) {
		job_free(j);
		return 0;
	}
	pthread_mutex_lock(&l->mu);
	if (l->queued < LOGIN_QUEUE_MAX) {
		t = j->ticket = CONSOLE_LOGIN_TICKET | ++l->seq;
		l->queued++;
		*l->todo_tail = j;
		l->todo_tail = &j->next;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	if (t == 0) {
		log_warnx("event=login_queue_full");
		job_free(j);
	}
	return t;
}

/* Answers the login requests whose check is done. */
void
console_login_collect(struct server *s)
{
	struct console_login *l = s->console ? s->console->login : NULL;
	struct login_job *j, *next;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	j = l->done;
	l->done = NULL;
	pthread_mutex_unlock(&l->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		pthread_mutex_lock(&l->mu);
		l->queued--;
		pthread_mutex_unlock(&l->mu);
		/* 1: password matches, 2: it does not (see login_done). */
		http_resolve_deferred(s->http, j->ticket, j->ok ? 1 : 2);
		job_free(j);
	}
}

/* 1 if ticket is done (its result not yet collected). */
static int
is_done(struct console_login *l, unsigned long long ticket)
{
	struct login_job *j;

	for (j = l->done; j != NULL; j = j->next)
		if (j->ticket == ticket)
			return 1;
	return 0;
}

void
console_login_wait(struct server *s, unsigned long long ticket)
{
	struct console_login *l = s->console ? s->console->login : NULL;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	while (!is_done(l, ticket) && !l->stop)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
	console_login_collect(s);
}

void
console_login_free(struct console_login *l)
{
	struct login_job *j, *next;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	for (j = l->todo; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	for (j = l->done; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}
