/*
 * sig.h - the signal policy of slowburn(7), CONVENTIONS.
 *
 * sb_signals_init() makes SIGTERM and SIGINT set a stop flag and SIGHUP a
 * reopen flag.  Handlers use SA_RESTART, so an interrupted write(2) goes
 * on; code that waits for input must wait in poll(2) or similar, which a
 * handler always interrupts (lib/reader.c does).  A tool finishes the record in hand, flushes
 * and exits 0 once sb_stop_requested() is true.
 */
#ifndef SB_SIG_H
#define SB_SIG_H

void	 sb_signals_init(void);
int	 sb_stop_requested(void);
/* Sets the stop flag as SIGTERM does (lib/reader.c, when stdout breaks). */
void	 sb_request_stop(void);
/* Returns 1 once per SIGHUP received since the last call. */
int	 sb_hup_pending(void);

#endif
