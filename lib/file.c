/*
 * file.c - whole-file reads and crash-safe replacement; see file.h.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The rename is durable only once the directory entry is on disk. */
static void
sync_dir(const char *path)
{
	char *copy = sb_xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static int
replace(const char *path, const void *data, size_t len, int durable)
{
	struct sb_buf tmp = SB_BUF_INIT;
	int fd, saved;

	sb_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		goto fail;
	if (write_all(fd, data, len) == -1 || (durable && fsync(fd) == -1)) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail_unlink;
	}
	if (close(fd) == -1 || rename(tmp.s, path) == -1)
		goto fail_unlink;
	if (durable)
		sync_dir(path);
	sb_buf_free(&tmp);
	return 0;
fail_unlink:
	saved = errno;
	unlink(tmp.s);
	errno = saved;
fail:
	saved = errno;
	sb_buf_free(&tmp);
	errno = saved;
	return -1;
}

void
sb_file_sweep(const char *path)
{
	char *dcopy = sb_xstrdup(path), *bcopy = sb_xstrdup(path);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t blen = strlen(base);
	struct sb_buf tmp = SB_BUF_INIT;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		const char *p = de->d_name;
		char *end;
		long pid;

		if (strncmp(p, base, blen) != 0 ||
		    strncmp(p + blen, ".tmp.", 5) != 0)
			continue;
		p += blen + 5;
		if (*p < '1' || *p > '9')
			continue;
		errno = 0;
		pid = strtol(p, &end, 10);
		/* A live writer's, or another process with its number: kept. */
		if (*end != '\0' || errno != 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		sb_buf_reset(&tmp);
		sb_buf_printf(&tmp, "%s/%s", dir, de->d_name);
		unlink(tmp.s);
	}
	closedir(d);
out:
	sb_buf_free(&tmp);
	free(dcopy);
	free(bcopy);
}

int
sb_file_replace(const char *path, const void *data, size_t len)
{
	return replace(path, data, len, 1);
}

int
sb_file_publish(const char *path, const void *data, size_t len)
{
	return replace(path, data, len, 0);
}

int
sb_file_read(const char *path, struct sb_buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

	if (fd == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		sb_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	sb_buf_grow(out, 0);
	out->s[out->len] = '\0';
	return 0;
}

int
sb_file_mkparents(const char *path)
{
	char *dir = sb_xstrdup(path);
	int rc = 0;

	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}
