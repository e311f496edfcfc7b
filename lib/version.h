/*
 * version.h - the version of slowburn, defined here once: every tool
 * prints it for --version (sb_getopt, lib/arg.c).
 */
#ifndef SB_VERSION_H
#define SB_VERSION_H

#define SB_VERSION	"0.9.0"

#endif
