/*
 * file.h - whole-file reads and crash-safe replacement, for state files
 * and templates.
 *
 * sb_file_replace() writes the new contents to PATH.tmp.PID, fsyncs it,
 * renames it over PATH and fsyncs the directory, so that after a crash
 * PATH holds either the old contents or the new, never a mix.
 */
#ifndef SB_FILE_H
#define SB_FILE_H

#include <stddef.h>

#include "buf.h"

/* 0, or -1 with errno set and nothing at PATH changed. */
int	 sb_file_replace(const char *path, const void *data, size_t len);
/*
 * The same without the fsyncs: a reader of PATH sees the old contents or
 * the new, never a part, but a crash may lose the new.  For files that
 * are rewritten often and read by others (lib/metrics.h), where waiting
 * for the disk would hold up the writer for nothing.
 */
int	 sb_file_publish(const char *path, const void *data, size_t len);
/*
 * Removes the PATH.tmp.PID files of writers that died between their
 * write and their rename (kill -9); those of live processes are kept.
 * Called when a state location is opened.
 */
void	 sb_file_sweep(const char *path);
/*
 * Creates the missing parent directories of path (mkdir -p of its
 * dirname; modes 0777 less the umask).  0, or -1 with errno set.
 */
int	 sb_file_mkparents(const char *path);
/* Appends the whole file to out (NUL-terminated); 0, or -1 with errno. */
int	 sb_file_read(const char *path, struct sb_buf *out);

#endif
