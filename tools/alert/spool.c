/*
 * spool.c - see spool.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "spool.h"
#include "state.h"

struct spool {
	struct sb_state		*st;		/* NULL: memory only */
	struct spool_item	*head, *tail;
	uint64_t		 next_seq;
	int			 batch;		/* spool_begin() depth */
	int			 dirty;		/* changed inside a batch */
	int			 unsaved;	/* the last save failed */
	char			 err[600];
};

static void
append(struct spool *sp, const char *sink, const char *id, uint64_t seq,
    const char *body, size_t len)
{
	struct spool_item *it = sb_xcalloc(1, sizeof *it);

	it->sink = sb_xstrdup(sink);
	it->id = sb_xstrdup(id);
	it->seq = seq;
	it->body = sb_xmalloc(len + 1);
	memcpy(it->body, body, len);
	it->body[len] = '\0';
	it->len = len;
	if (sp->tail != NULL)
		sp->tail->next = it;
	else
		sp->head = it;
	sp->tail = it;
	if (seq >= sp->next_seq)
		sp->next_seq = seq + 1;
}

static void
item_free(struct spool_item *it)
{
	free(it->sink);
	free(it->id);
	free(it->body);
	free(it);
}

/* Reads the saved lines; a line that does not parse is reported in err. */
static int
load(struct spool *sp, struct sb_buf *b, char *err, size_t errsz)
{
	struct sb_json js;
	struct sb_buf sink = SB_BUF_INIT, body = SB_BUF_INIT, id = SB_BUF_INIT;
	char *p = b->s, *nl;
	int lineno = 0, rc = 0;
	long ts, tb, tq, ti;
	int64_t seq;

	sb_json_init(&js);
	for (; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		lineno++;
		if (nl == p)
			continue;
		sb_buf_reset(&sink);
		sb_buf_reset(&body);
		sb_buf_reset(&id);
		if (sb_json_parse(&js, p, nl != NULL ? (size_t)(nl - p) :
		    strlen(p)) == -1 || js.tok[0].type != SB_JOBJECT ||
		    (ts = sb_json_member(&js, 0, "sink")) < 0 ||
		    (tb = sb_json_member(&js, 0, "body")) < 0 ||
		    (tq = sb_json_member(&js, 0, "seq")) < 0 ||
		    (ti = sb_json_member(&js, 0, "id")) < 0 ||
		    sb_json_str(&js, (size_t)ti, &id) == -1 ||
		    sb_json_str(&js, (size_t)ts, &sink) == -1 ||
		    sb_json_str(&js, (size_t)tb, &body) == -1 ||
		    sb_json_int(&js, (size_t)tq, &seq) == -1 || seq < 0) {
			snprintf(err, errsz, "%s:%d: not a spooled message",
			    sb_state_name(sp->st), lineno);
			rc = -1;
			break;
		}
		sb_buf_putc(&sink, '\0');
		sb_buf_putc(&body, '\0');
		sb_buf_putc(&id, '\0');
		append(sp, sink.s, id.s, (uint64_t)seq, body.s, body.len - 1);
	}
	sb_json_free(&js);
	sb_buf_free(&sink);
	sb_buf_free(&body);
	sb_buf_free(&id);
	return rc;
}

struct spool *
spool_open(const char *location, char *err, size_t errsz)
{
	struct spool *sp = sb_xcalloc(1, sizeof *sp);
	struct sb_buf b = SB_BUF_INIT;
	int rc;

	sp->next_seq = 1;
	if (location == NULL)
		return sp;
	if ((sp->st = sb_state_open(location, err, errsz)) == NULL) {
		free(sp);
		return NULL;
	}
	rc = sb_state_load(sp->st, &b);
	if (rc == -1)
		snprintf(err, errsz, "%s", sb_state_error(sp->st));
	else if (rc == 1 && b.len > 0) {
		sb_buf_putc(&b, '\0');
		rc = load(sp, &b, err, errsz);
	}
	sb_buf_free(&b);
	if (rc == -1) {
		spool_close(sp);
		return NULL;
	}
	return sp;
}

void
spool_close(struct spool *sp)
{
	struct spool_item *it, *next;

	if (sp == NULL)
		return;
	for (it = sp->head; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	sb_state_close(sp->st);
	free(sp);
}

static int
save(struct spool *sp)
{
	struct sb_buf b = SB_BUF_INIT;
	int rc;

	if (sp->batch > 0) {
		sp->dirty = 1;
		return 0;
	}
	if (sp->st == NULL)
		return 0;
	for (struct spool_item *it = sp->head; it != NULL; it = it->next) {
		sb_buf_puts(&b, "{\"sink\":");
		sb_buf_json_str(&b, it->sink, strlen(it->sink));
		sb_buf_printf(&b, ",\"seq\":%llu,\"id\":",
		    (unsigned long long)it->seq);
		sb_buf_json_str(&b, it->id, strlen(it->id));
		sb_buf_puts(&b, ",\"body\":");
		sb_buf_json_str(&b, it->body, it->len);
		sb_buf_puts(&b, "}\n");
	}
	rc = sb_state_save(sp->st, b.s != NULL ? b.s : "", b.len);
	sp->unsaved = rc == -1;
	if (rc == -1)
		snprintf(sp->err, sizeof sp->err, "%s", sb_state_error(sp->st));
	sb_buf_free(&b);
	return rc;
}

int
spool_add(struct spool *sp, const char *sink, const char *id,
    const char *body, size_t len)
{
	return spool_put(sp, sink, id, body, len) != NULL ? 0 : -1;
}

struct spool_item *
spool_put(struct spool *sp, const char *sink, const char *id,
    const char *body, size_t len)
{
	append(sp, sink, id, sp->next_seq, body, len);
	if (save(sp) == 0)
		return sp->tail;
	/* Not durable: take it back so that memory and disk agree. */
	struct spool_item *it = sp->tail, **pp = &sp->head, *prev = NULL;
	while (*pp != it) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = NULL;
	sp->tail = prev;
	item_free(it);
	return NULL;
}

int
spool_remove(struct spool *sp, struct spool_item *it)
{
	struct spool_item **pp = &sp->head, *prev = NULL;

	while (*pp != NULL && *pp != it) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp == NULL)
		return 0;
	*pp = it->next;
	if (sp->tail == it)
		sp->tail = prev;
	item_free(it);
	return save(sp);
}

struct spool_item *
spool_first(struct spool *sp, const char *sink)
{
	for (struct spool_item *it = sp->head; it != NULL; it = it->next)
		if (strcmp(it->sink, sink) == 0)
			return it;
	return NULL;
}

struct spool_item *
spool_next(struct spool_item *it, const char *sink)
{
	for (it = it->next; it != NULL; it = it->next)
		if (strcmp(it->sink, sink) == 0)
			return it;
	return NULL;
}

size_t
spool_count(const struct spool *sp, const char *sink)
{
	size_t n = 0;

	for (struct spool_item *it = sp->head; it != NULL; it = it->next)
		n += sink == NULL || strcmp(it->sink, sink) == 0;
	return n;
}

size_t
spool_orphans(const struct spool *sp, const char *const *sinks)
{
	size_t n = 0;

	for (struct spool_item *it = sp->head; it != NULL; it = it->next) {
		size_t i;
		for (i = 0; sinks[i] != NULL; i++)
			if (strcmp(it->sink, sinks[i]) == 0)
				break;
		n += sinks[i] == NULL;
	}
	return n;
}

void
spool_begin(struct spool *sp)
{
	sp->batch++;
}

int
spool_commit(struct spool *sp)
{
	if (sp->batch == 0 || --sp->batch > 0 || !sp->dirty)
		return 0;
	sp->dirty = 0;
	return save(sp);
}

size_t
spool_alerts(const struct spool *sp, const char *sink)
{
	size_t n = 0;

	for (struct spool_item *it = sp->head; it != NULL; it = it->next)
		if (strcmp(it->sink, sink) == 0)
			for (const char *p = it->id; p != NULL; p = strchr(p + 1, ','))
				n++;
	return n;
}

const char *
spool_error(const struct spool *sp)
{
	return sp->err;
}

int
spool_saved(const struct spool *sp)
{
	return !sp->unsaved;
}

const char *
spool_name(const struct spool *sp)
{
	return sp->st != NULL ? sb_state_name(sp->st) : NULL;
}
