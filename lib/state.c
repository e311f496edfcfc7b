/*
 * state.c - state in a file or in the storage backend; see state.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "state.h"
#include "store.h"

#define STORE_PREFIX	"store:"

struct sb_state {
	char		*name;		/* the spec as given */
	int		 gen;		/* a generation: seq is its number */
	uint64_t	 seq;
	const char	*key;		/* within name, for the store */
	struct sb_store	*store;		/* NULL: a file */
	char		 err[512];
};

struct sb_state *
sb_state_open(const char *spec, char *err, size_t errsz)
{
	struct sb_state *st = sb_xcalloc(1, sizeof *st);
	struct sb_store_config cfg;

	st->name = sb_xstrdup(spec);
	if (strncmp(spec, STORE_PREFIX, strlen(STORE_PREFIX)) != 0) {
		sb_file_sweep(spec);
		return st;
	}
	st->key = st->name + strlen(STORE_PREFIX);
	if (*st->key == '\0') {
		snprintf(err, errsz, "'%s': no key after 'store:'", spec);
		sb_state_close(st);
		return NULL;
	}
	sb_store_config_env(&cfg);
	if ((st->store = sb_store_open(&cfg, err, errsz)) == NULL) {
		sb_state_close(st);
		return NULL;
	}
	return st;
}

struct sb_state *
sb_state_open_gen(const char *spec, uint64_t seq, char *err, size_t errsz)
{
	struct sb_buf name = SB_BUF_INIT;
	struct sb_state *st;

	sb_buf_printf(&name, "%s.ck%u", spec, (unsigned)(seq % 2));
	st = sb_state_open(name.s, err, errsz);
	sb_buf_free(&name);
	if (st != NULL) {
		st->gen = 1;
		st->seq = seq;
	}
	return st;
}

/* A generation's first line, naming it, into head; its length. */
static int
gen_head(const struct sb_state *st, char head[48])
{
	return snprintf(head, 48, "{\"checkpoint\":%llu}\n",
	    (unsigned long long)st->seq);
}

/* A generation's bytes after its first line, if that names st->seq. */
static int
gen_strip(struct sb_state *st, struct sb_buf *out, size_t from)
{
	char head[48];
	int hn = gen_head(st, head);
	size_t n = out->len - from;

	if (n < (size_t)hn || memcmp(out->s + from, head, (size_t)hn) != 0) {
		const char *nl = memchr(out->s + from, '\n', n);
		snprintf(st->err, sizeof st->err, "%s: holds another "
		    "checkpoint (%.*s), not %llu", st->name,
		    nl != NULL && nl - (out->s + from) < 40 ?
		    (int)(nl - (out->s + from)) : 40, out->s + from,
		    (unsigned long long)st->seq);
		return -1;
	}
	memmove(out->s + from, out->s + from + hn, n - (size_t)hn);
	out->len -= (size_t)hn;
	return 1;
}

void
sb_state_close(struct sb_state *st)
{
	if (st == NULL)
		return;
	if (st->store != NULL)
		sb_store_close(st->store);
	free(st->name);
	free(st);
}

static int
load_raw(struct sb_state *st, struct sb_buf *out)
{
	int rc;

	if (st->store != NULL) {
		rc = sb_store_state_get(st->store, st->key, out);
		if (rc == -1)
			snprintf(st->err, sizeof st->err, "%s: %s", st->name,
			    sb_store_error(st->store));
		return rc;
	}
	if (sb_file_read(st->name, out) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;	/* the first run makes it */
	snprintf(st->err, sizeof st->err, "%s: %s", st->name, strerror(errno));
	return -1;
}

int
sb_state_load(struct sb_state *st, struct sb_buf *out)
{
	size_t from = out->len;
	int rc = load_raw(st, out);

	if (!st->gen || rc == -1)
		return rc;
	if (rc == 0) {
		snprintf(st->err, sizeof st->err, "%s: no checkpoint %llu "
		    "saved", st->name, (unsigned long long)st->seq);
		return -1;
	}
	return gen_strip(st, out, from);
}

static int
save_raw(struct sb_state *st, const void *data, size_t len)
{
	if (st->store != NULL) {
		if (sb_store_state_put(st->store, st->key, data, len) == 0)
			return 0;
		snprintf(st->err, sizeof st->err, "%s: %s", st->name,
		    sb_store_error(st->store));
		return -1;
	}
	if (sb_file_replace(st->name, data, len) == 0)
		return 0;
	snprintf(st->err, sizeof st->err, "%s: %s", st->name, strerror(errno));
	return -1;
}

int
sb_state_save(struct sb_state *st, const void *data, size_t len)
{
	struct sb_buf b = SB_BUF_INIT;
	char head[48];
	int rc;

	if (!st->gen)
		return save_raw(st, data, len);
	sb_buf_add(&b, head, (size_t)gen_head(st, head));
	sb_buf_add(&b, data, len);
	rc = save_raw(st, b.s, b.len);
	sb_buf_free(&b);
	return rc;
}

const char *
sb_state_error(const struct sb_state *st)
{
	return st->err;
}

const char *
sb_state_name(const struct sb_state *st)
{
	return st->name;
}
