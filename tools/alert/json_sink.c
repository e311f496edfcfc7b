/*
 * json_sink.c - records passed through, one per line, for scripts.
 */
#include <stdio.h>

#include "sink.h"

static int
json_open(struct sink *s, const struct sink_config *cfg)
{
	s->priv = cfg->out;
	return 0;
}

static int
json_deliver(struct sink *s, const struct delivery *d)
{
	FILE *fp = s->priv;

	if (fwrite(d->raw, 1, d->rawlen, fp) != d->rawlen || putc('\n', fp) == EOF)
		return -1;
	return 0;
}

static int
json_flush(struct sink *s)
{
	return fflush((FILE *)s->priv) == EOF ? -1 : 0;
}

static int
json_close(struct sink *s)
{
	s->priv = NULL;
	return 0;
}

const struct sink_ops json_sink = {
	"json", json_open, json_deliver, NULL, json_flush, json_close
};
