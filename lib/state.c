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
	if (strncmp(spec, STORE_PREFIX, strlen(STORE_PREFIX)) != 0)
		return st;
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

int
sb_state_load(struct sb_state *st, struct sb_buf *out)
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
sb_state_save(struct sb_state *st, const void *data, size_t len)
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
