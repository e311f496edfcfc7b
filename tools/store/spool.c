/*
 * spool.c - the journal of `store put --spool`; see spool.h.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "reader.h"
#include "spool.h"

#define NAME_DIGITS	20

static int
is_spool_file(const struct dirent *d)
{
	return strlen(d->d_name) == NAME_DIGITS + 6 &&
	    strspn(d->d_name, "0123456789") == NAME_DIGITS &&
	    strcmp(d->d_name + NAME_DIGITS, ".jsonl") == 0;
}

/* The waiting files, oldest first; the caller frees them. */
static int
list(struct spool *sp, struct dirent ***names)
{
	int n = scandir(sp->dir, names, is_spool_file, alphasort);

	if (n >= 0)
		sp->files = (uint64_t)n;
	return n;
}

static void
free_list(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
spool_open(struct spool *sp, const char *dir, char *err, size_t errsz)
{
	struct dirent **names;
	char path[4096];
	int n;

	memset(sp, 0, sizeof *sp);
	sp->lockfd = -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "--spool: %s: %s", dir, strerror(errno));
		return -1;
	}
	sp->dir = sb_xstrdup(dir);
	snprintf(path, sizeof path, "%s/.lock", dir);
	if ((sp->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(sp->lockfd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errsz, "--spool: %s: %s", path, errno ==
		    EWOULDBLOCK ? "in use by another 'store put'" :
		    strerror(errno));
		spool_close(sp);
		return -1;
	}
	if ((n = list(sp, &names)) < 0) {
		snprintf(err, errsz, "--spool: %s: %s", dir, strerror(errno));
		spool_close(sp);
		return -1;
	}
	sp->next = n > 0 ? strtoull(names[n - 1]->d_name, NULL, 10) + 1 : 1;
	free_list(names, n);
	return 0;
}

void
spool_close(struct spool *sp)
{
	if (sp->lockfd != -1)
		close(sp->lockfd);
	free(sp->dir);
	memset(sp, 0, sizeof *sp);
	sp->lockfd = -1;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
spool_write(struct spool *sp, const struct sb_store_batch *b)
{
	struct sb_buf out = SB_BUF_INIT;
	char tmp[4096], path[4096];
	int fd, dfd, rc = -1;

	for (size_t i = 0; i < b->n; i++) {
		sb_buf_add(&out, sb_store_str(b, b->item[i].line),
		    b->item[i].line_len);
		sb_buf_putc(&out, '\n');
	}
	snprintf(tmp, sizeof tmp, "%s/.tmp.%ld", sp->dir, (long)getpid());
	snprintf(path, sizeof path, "%s/%0*llu.jsonl", sp->dir, NAME_DIGITS,
	    (unsigned long long)sp->next);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		goto out;
	if (write_all(fd, out.s, out.len) == -1 || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		goto out;
	}
	/* The rename itself must survive a power loss. */
	if ((dfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	sp->next++;
	sp->files++;
	sp->records += b->n;
	rc = 0;
out:
	sb_buf_free(&out);
	return rc;
}

/* Reads one spooled file into b; bad lines are reported and skipped. */
static int
load(const char *path, struct sb_store_batch *b)
{
	struct sb_reader in;
	struct sb_json js;
	char *s, why[160];
	size_t n;
	int rc;

	if (sb_reader_open(&in, path) == -1) {
		warn("%s", path);
		return -1;
	}
	sb_json_init(&js);
	while ((rc = sb_reader_next(&in, &s, &n, -1)) == SB_READ_LINE) {
		if (sb_json_parse(&js, s, n) == -1)
			sb_reader_bad(&in, "invalid JSON: %s at byte %zu",
			    js.err, js.errpos + 1);
		else if (sb_store_batch_add_json(b, &js, s, n, why,
		    sizeof why) == -1)
			sb_reader_bad(&in, "%s", why);
	}
	sb_json_free(&js);
	sb_reader_close(&in);
	return rc == SB_READ_ERROR ? -1 : 0;
}

int
spool_replay(struct spool *sp, struct sb_store *st, uint64_t *replayed)
{
	struct sb_store_batch b;
	struct dirent **names;
	char path[4096];
	int n, rc = 0;

	if ((n = list(sp, &names)) < 0) {
		warn("%s", sp->dir);
		return -1;
	}
	sb_store_batch_init(&b);
	for (int i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof path, "%s/%s", sp->dir, names[i]->d_name);
		sb_store_batch_reset(&b);
		if ((rc = load(path, &b)) == -1)
			break;
		if ((rc = sb_store_put(st, &b)) == -1)
			break;
		if (unlink(path) == -1) {
			warn("%s", path);
			rc = -1;
			break;
		}
		*replayed += b.n;
		sp->files--;
	}
	sb_store_batch_free(&b);
	free_list(names, n);
	return rc;
}
