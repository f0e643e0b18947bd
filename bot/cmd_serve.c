/*
 * cmd_serve.c — `loket serve`: load the config, open the store, block the
 * signals and leave them to a signal thread, run the server (serve.c),
 * shut down in order.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "serve.h"
#include "server.h"
#include "store.h"

static void
serve_usage(FILE *f)
{
	fprintf(f, "usage: loket serve [--config FILE] [--db FILE] [--check] "
	    "[--ack-only]\n\n"
	    "Runs the webhook server (/webhook/whatsapp, /webhook/messenger,\n"
	    "/healthz) on LOKET_PORT (default 8080).\n\n"
	    "  --config FILE  configuration (default: one built-in demo "
	    "agency)\n"
	    "  --db FILE      SQLite database (default: LOKET_DB, the config's "
	    "db, loket.db)\n"
	    "  --check        check the configuration and exit\n"
	    "  --ack-only     answer every webhook 200 without checking or "
	    "storing it:\n"
	    "                 the ceiling of the HTTP stack, for benchmarks "
	    "only\n\n"
	    "Environment: LOKET_PORT, LOKET_DB, LOKET_APP_SECRET, "
	    "LOKET_VERIFY_TOKEN,\nLOKET_ACCESS_TOKEN, LOKET_GRAPH_URL, "
	    "LOKET_LOG_LEVEL.\n"
	    "Signals: SIGTERM/SIGINT stop after what is in flight; SIGHUP "
	    "reloads.\n");
}

struct signal_ctx {
	struct server	*srv;
	sigset_t	 set;
};

static void *
signal_thread(void *arg)
{
	struct signal_ctx *c = arg;
	int sig;

	prctl(PR_SET_NAME, "loket-signals");
	for (;;) {
		if (sigwait(&c->set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			atomic_store(&c->srv->reload, 1);
		} else {
			atomic_store(&c->srv->stop, 1);
		}
		http_wake(c->srv->http);
		if (sig != SIGHUP)
			return NULL;
	}
}

static int
parse_args(int argc, char **argv, const char **config, const char **db,
    int *check, int *ack_only)
{
	const struct cli_option opts[] = {
		{ "--config", config, NULL },
		{ "--db", db, NULL },
		{ "--check", NULL, check },
		{ "--ack-only", NULL, ack_only },
		{ NULL, NULL, NULL }
	};

	return cli_parse(argc, argv, 1, opts, serve_usage);
}

int
cmd_serve(int argc, char **argv)
{
	const char *config_path = NULL, *db_path = NULL;
	struct server srv;
	struct signal_ctx sc;
	pthread_t sig_tid;
	char err[512];
	int check = 0, ack_only = 0, rc = 1;

	if (parse_args(argc, argv, &config_path, &db_path, &check,
	    &ack_only) == -1)
		return 2;
	log_level_from_env();
	memset(&srv, 0, sizeof(srv));
	if ((srv.cfg = cli_load_config(config_path, db_path)) == NULL)
		return 1;
	if (check) {
		/* Gaps are warnings, not errors: the bot still answers, with
		 * the official name or the website instead. */
		int gaps = config_print_gaps(srv.cfg, stdout);

		printf("%s: configuration OK (%zu agencies, %d warnings)\n",
		    config_path ? config_path : "(built-in defaults)",
		    srv.cfg->n_agencies, gaps);
		config_free(srv.cfg);
		return 0;
	}
	if (srv.cfg->app_secret == NULL && !ack_only)
		log_warnx("event=no_app_secret msg=\"LOKET_APP_SECRET is not "
		    "set: every signed webhook will be refused\"");
	srv.ack_only = ack_only;
	srv.started_ms = store_now_ms();
	/* Before any thread exists, so every thread inherits the mask. */
	sigemptyset(&sc.set);
	sigaddset(&sc.set, SIGINT);
	sigaddset(&sc.set, SIGTERM);
	sigaddset(&sc.set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sc.set, NULL);
	signal(SIGPIPE, SIG_IGN);
	json_object_seed(0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((srv.store = store_open(srv.cfg->db_path, err, sizeof(err))) ==
	    NULL) {
		log_error("event=store_open_failed path=%s msg=\"%s\"",
		    srv.cfg->db_path, err);
		goto out;
	}
	if (serve_start(&srv) == -1)
		goto out;
	sc.srv = &srv;
	if (pthread_create(&sig_tid, NULL, signal_thread, &sc) != 0)
		goto out;
	pthread_detach(sig_tid);
	log_info("event=started version=%s db=%s agencies=%zu",
	    LOKET_VERSION, srv.cfg->db_path, srv.cfg->n_agencies);
	serve_run(&srv);
	log_info("event=stopping");
	rc = 0;
out:
	serve_stop(&srv);
	store_close(srv.store);
	config_free(srv.cfg);
	curl_global_cleanup();
	if (rc == 0)
		log_info("event=stopped");
	return rc;
}
