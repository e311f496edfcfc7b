/*
 * silence.h - "alert silence add|list|expire", the command line over
 * the silences of noise.h.
 */
#ifndef SILENCE_H
#define SILENCE_H

/* alert silence add|list|expire: argv[0] is "silence"; an exit status. */
int	 silence_main(int argc, char **argv);

#endif
