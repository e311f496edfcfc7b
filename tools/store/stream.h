/*
 * stream.h - store's verbs on the shard streams (stream.c): xadd, xread,
 * xstats.
 */
#ifndef STORE_STREAM_H
#define STORE_STREAM_H

/* 1 if s names one of them. */
int	 stream_verb(const char *s);
/* Runs store argv[1] ...; returns the exit status. */
int	 stream_main(int argc, char **argv);

#endif
