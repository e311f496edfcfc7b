/*
 * sig.c - SIGTERM/SIGINT stop, SIGHUP reopen; see sig.h.
 */
#include <signal.h>
#include <string.h>

#include "sig.h"

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t hup_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
}

void
sb_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/*
	 * SA_RESTART: a write to a slow pipe must not fail with EINTR when
	 * SIGTERM comes; readers wait in poll(2), which a handler always
	 * interrupts, so they still notice the stop at once.
	 */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
}

void
sb_request_stop(void)
{
	stop_flag = 1;
}

int
sb_stop_requested(void)
{
	return stop_flag != 0;
}

int
sb_hup_pending(void)
{
	if (!hup_flag)
		return 0;
	hup_flag = 0;
	return 1;
}
