/*
 * noise.c - silences and inhibition; see noise.h.
 */
#include <err.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "hash.h"
#include "json.h"
#include "noise.h"
#include "state.h"
#include "store.h"
#include "strtab.h"

#define RELOAD_MS	2000	/* silences are read again this often */
#define MAX_MATCHERS	NOISE_MATCHERS_MAX

enum op { OP_EQ, OP_NE, OP_RE, OP_NRE };

struct matcher {
	char	*name;
	enum op	 op;
	char	*value;
	regex_t	 re;
	int	 has_re;
};

struct silence {
	char		 id[9];
	struct matcher	 m[MAX_MATCHERS];
	int		 nm;
	char		*text[MAX_MATCHERS];	/* as given: "key~/api/export" */
	int64_t		 starts, ends, created;
	char		*comment, *author;
};

struct tracked {
	char	*id;
	char	*service;
	enum sb_level level;	/* of its latest record */
	int	 delivered;	/* admitted: it went on to its group */
};

struct noise {
	struct noise_config	 cfg;
	struct sb_state		*st;
	int			 absent;	/* default SQLite file not there yet */
	struct silence		*sil;
	size_t			 nsil;
	int64_t			 loaded_ms;
	struct tracked		*tr;
	size_t			 ntr, cap;
	struct sb_strtab	*tidx;	/* id: its index in tr, plus one */
	uint64_t		 over;	/* NOISE_OVER verdicts */
	int			 warned_sil;	/* more than NOISE_SILENCES_MAX said */
};

void
noise_config_init(struct noise_config *c)
{
	memset(c, 0, sizeof *c);
	c->inhibit = 1;
	c->max_alerts = 10000;
}

/* "key~/api/export": 0, or -1 with why. */
static int
matcher_parse(struct matcher *m, const char *s, char *why, size_t whysz)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	const char *p = s + n;

	memset(m, 0, sizeof *m);
	if (n == 0) {
		snprintf(why, whysz, "'%s': no label name", s);
		return -1;
	}
	if (strncmp(p, "!=", 2) == 0)
		m->op = OP_NE, p += 2;
	else if (strncmp(p, "!~", 2) == 0)
		m->op = OP_NRE, p += 2;
	else if (strncmp(p, "=~", 2) == 0)
		m->op = OP_RE, p += 2;
	else if (*p == '=')
		m->op = OP_EQ, p++;
	else if (*p == '~')
		m->op = OP_RE, p++;
	else {
		snprintf(why, whysz, "'%s': not NAME=VALUE, NAME!=VALUE, "
		    "NAME~REGEX or NAME!~REGEX", s);
		return -1;
	}
	if (strncmp(s, "key", n) != 0 && strncmp(s, "service", n) != 0 &&
	    strncmp(s, "severity", n) != 0 && strncmp(s, "id", n) != 0) {
		snprintf(why, whysz, "'%s': the label is not key, service, "
		    "severity or id", s);
		return -1;
	}
	m->name = sb_xmalloc(n + 1);
	memcpy(m->name, s, n);
	m->name[n] = '\0';
	m->value = sb_xstrdup(p);
	if (m->op == OP_RE || m->op == OP_NRE) {
		if (regcomp(&m->re, m->value, REG_EXTENDED | REG_NOSUB) != 0) {
			snprintf(why, whysz, "'%s': a bad regular expression", s);
			free(m->name);
			free(m->value);
			return -1;
		}
		m->has_re = 1;
	}
	return 0;
}

static void
matcher_free(struct matcher *m)
{
	free(m->name);
	free(m->value);
	if (m->has_re)
		regfree(&m->re);
}

static void
silence_free(struct silence *s)
{
	for (int i = 0; i < s->nm; i++) {
		matcher_free(&s->m[i]);
		free(s->text[i]);
	}
	free(s->comment);
	free(s->author);
	memset(s, 0, sizeof *s);
}

static const char *
label(const struct alert_view *a, const char *name)
{
	if (strcmp(name, "key") == 0)
		return a->key;
	if (strcmp(name, "service") == 0)
		return a->service;
	if (strcmp(name, "severity") == 0)
		return a->severity;
	return a->id;
}

static int
silence_matches(const struct silence *s, const struct alert_view *a)
{
	if (a->at < s->starts || a->at >= s->ends)
		return 0;	/* event time: active at the alert's time */
	for (int i = 0; i < s->nm; i++) {
		const struct matcher *m = &s->m[i];
		const char *v = label(a, m->name);
		int hit;

		if (m->has_re)
			hit = regexec(&m->re, v, 0, NULL, 0) == 0;
		else
			hit = strcmp(v, m->value) == 0;
		if (hit != (m->op == OP_EQ || m->op == OP_RE))
			return 0;
	}
	return 1;
}

static char *
dup_member(const struct sb_json *js, size_t obj, const char *name)
{
	char *s = NULL;

	if (sb_json_get_str(js, obj, name, &s) != 1) {
		free(s);
		return NULL;
	}
	return s;
}

/* One saved line into s: 0, or -1. */
static int
silence_read(struct silence *s, const char *line, size_t len)
{
	struct sb_json js;
	struct sb_buf b = SB_BUF_INIT;
	char why[200], *id = NULL;
	long t;
	int rc = -1;

	memset(s, 0, sizeof *s);
	sb_json_init(&js);
	if (sb_json_parse(&js, line, len) == -1 || js.tok[0].type != SB_JOBJECT)
		goto out;
	if ((id = dup_member(&js, 0, "id")) == NULL || strlen(id) != 8)
		goto out;
	memcpy(s->id, id, 9);
	if (sb_json_get_time(&js, 0, "starts", &s->starts) != 1 ||
	    sb_json_get_time(&js, 0, "ends", &s->ends) != 1)
		goto out;
	sb_json_get_time(&js, 0, "created", &s->created);
	s->comment = dup_member(&js, 0, "comment");
	s->author = dup_member(&js, 0, "created_by");
	t = sb_json_member(&js, 0, "matchers");
	if (t < 0 || js.tok[t].type != SB_JARRAY)
		goto out;
	for (size_t i = (size_t)t + 1; i < js.tok[t].skip; i = js.tok[i].skip) {
		sb_buf_reset(&b);
		if (s->nm == MAX_MATCHERS || sb_json_str(&js, i, &b) == -1)
			goto out;
		sb_buf_putc(&b, '\0');
		if (matcher_parse(&s->m[s->nm], b.s, why, sizeof why) == -1)
			goto out;
		s->text[s->nm++] = sb_xstrdup(b.s);
	}
	rc = 0;
out:
	if (rc == -1)
		silence_free(s);
	free(id);
	sb_buf_free(&b);
	sb_json_free(&js);
	return rc;
}

static void
silences_clear(struct noise *n)
{
	for (size_t i = 0; i < n->nsil; i++)
		silence_free(&n->sil[i]);
	free(n->sil);
	n->sil = NULL;
	n->nsil = 0;
}

/* 0, or -1 with err (a bad line is named, not fatal: it is skipped). */
static int
silences_load(struct noise *n, char *err, size_t errsz)
{
	struct sb_buf b = SB_BUF_INIT;
	char *p, *nl;
	int rc, lineno = 0;

	silences_clear(n);
	n->loaded_ms = sb_monotonic_ms();
	if ((rc = sb_state_load(n->st, &b)) == -1) {
		snprintf(err, errsz, "silences: %s", sb_state_error(n->st));
		return -1;
	}
	sb_buf_putc(&b, '\0');
	for (p = b.s; rc == 1 && *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		size_t len;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len == 0)
			continue;
		if (n->nsil == NOISE_SILENCES_MAX) {
			/* Once, not at every reload. */
			if (!n->warned_sil++)
				warnx("%s: more than %d silences: the rest "
				    "are ignored", sb_state_name(n->st),
				    NOISE_SILENCES_MAX);
			break;
		}
		n->sil = sb_xrealloc(n->sil, (n->nsil + 1) * sizeof *n->sil);
		if (silence_read(&n->sil[n->nsil], p, len) == 0)
			n->nsil++;
		else
			warnx("%s:%d: not a silence, skipped",
			    sb_state_name(n->st), lineno);
	}
	sb_buf_free(&b);
	return 0;
}

/* The default location is a SQLite file that does not exist (yet). */
static int
default_db_absent(void)
{
	struct sb_store_config c;

	sb_store_config_env(&c);
	return strcmp(c.backend, "sqlite") == 0 &&
	    access(c.sqlite_path, F_OK) == -1;
}

struct noise *
noise_open(const struct noise_config *cfg, char *err, size_t errsz)
{
	struct noise *n = sb_xcalloc(1, sizeof *n);

	n->cfg = *cfg;
	n->tidx = sb_strtab_new();
	if (cfg->silences == NULL && default_db_absent()) {
		n->absent = 1;
		n->loaded_ms = sb_monotonic_ms();
		return n;
	}
	if ((n->st = sb_state_open(cfg->silences != NULL ? cfg->silences :
	    NOISE_SILENCES, err, errsz)) == NULL ||
	    silences_load(n, err, errsz) == -1) {
		noise_close(n);
		return NULL;
	}
	return n;
}

/* Every RELOAD_MS: silences added since, and the default store once it exists. */
static void
silences_reload(struct noise *n)
{
	char err[300];

	if (sb_monotonic_ms() - n->loaded_ms < RELOAD_MS)
		return;
	if (n->absent) {
		n->loaded_ms = sb_monotonic_ms();
		if (default_db_absent())
			return;
		if ((n->st = sb_state_open(NOISE_SILENCES, err,
		    sizeof err)) == NULL) {
			warnx("silences: %s; no silences until it can be read",
			    err);
			return;
		}
		n->absent = 0;
	}
	if (n->st != NULL && silences_load(n, err, sizeof err) == -1)
		warnx("%s; no silences until it can be read", err);
}

void
noise_close(struct noise *n)
{
	if (n == NULL)
		return;
	silences_clear(n);
	for (size_t i = 0; i < n->ntr; i++) {
		free(n->tr[i].id);
		free(n->tr[i].service);
	}
	free(n->tr);
	sb_strtab_free(n->tidx);
	sb_state_close(n->st);
	free(n);
}

/* A hash table finds them: a flood of new ids costs one lookup each. */
static struct tracked *
track_find(struct noise *n, const char *id)
{
	void **v = sb_strtab_get(n->tidx, id);

	return v != NULL ? &n->tr[(uintptr_t)*v - 1] : NULL;
}

static struct tracked *
track(struct noise *n, const struct alert_view *a)
{
	struct tracked *t = track_find(n, a->id);

	if (t != NULL)
		return t;
	if (n->ntr == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 16;
		n->tr = sb_xrealloc(n->tr, n->cap * sizeof *n->tr);
	}
	t = &n->tr[n->ntr++];
	memset(t, 0, sizeof *t);
	t->id = sb_xstrdup(a->id);
	t->service = sb_xstrdup(a->service);
	*sb_strtab_put(n->tidx, t->id) = (void *)(uintptr_t)n->ntr;
	t->level = a->level;
	return t;
}

static void
untrack(struct noise *n, struct tracked *t)
{
	sb_strtab_del(n->tidx, t->id);
	free(t->id);
	free(t->service);
	*t = n->tr[--n->ntr];
	if (t != &n->tr[n->ntr])
		*sb_strtab_get(n->tidx, t->id) =
		    (void *)(uintptr_t)(t - n->tr + 1);
}

uint64_t
noise_over(const struct noise *n)
{
	return n->over;
}

/* A firing critical alert of the same service, other than a itself. */
static const struct tracked *
inhibitor(struct noise *n, const struct alert_view *a)
{
	if (!n->cfg.inhibit || *a->service == '\0' ||
	    a->level == SB_LV_CRITICAL)
		return NULL;
	for (size_t i = 0; i < n->ntr; i++)
		if (n->tr[i].level == SB_LV_CRITICAL &&
		    strcmp(n->tr[i].service, a->service) == 0 &&
		    strcmp(n->tr[i].id, a->id) != 0)
			return &n->tr[i];
	return NULL;
}

enum noise_verdict
noise_admit(struct noise *n, const struct alert_view *a, char *why,
    size_t whysz)
{
	struct tracked *t;
	const struct tracked *by;

	*why = '\0';
	silences_reload(n);
	for (size_t i = 0; i < n->nsil; i++)
		if (silence_matches(&n->sil[i], a)) {
			snprintf(why, whysz, "silenced by %s: %s %s %s (id %s)",
			    n->sil[i].id, a->severity, a->state, a->key, a->id);
			if (av_resolved(a) && (t = track_find(n, a->id)) != NULL)
				untrack(n, t);
			return NOISE_DROP;
		}
	t = track_find(n, a->id);
	/*
	 * Memory grows with the open alerts, never past --max-alerts: a new
	 * one beyond it goes to no sink, and while they are all held the
	 * resolve of an unknown alert may be one of those: it goes nowhere
	 * either.
	 */
	if (t == NULL && n->ntr >= n->cfg.max_alerts) {
		n->over++;
		return NOISE_OVER;
	}
	if (av_resolved(a)) {
		int delivered = 1;
		if (t != NULL) {
			delivered = t->delivered;
			untrack(n, t);
		}
		if (!delivered) {
			snprintf(why, whysz, "not sending the resolve of %s %s: "
			    "its firing was not delivered", a->id, a->key);
			return NOISE_DROP;
		}
		return NOISE_SEND;
	}
	t = track(n, a);
	t->level = a->level;
	if ((by = inhibitor(n, a)) != NULL) {
		snprintf(why, whysz, "inhibited by critical %s: %s %s %s (id %s)",
		    by->id, a->severity, a->state, a->key, a->id);
		return NOISE_DROP;
	}
	t->delivered = 1;
	return NOISE_SEND;
}

/* Silences as "alert silence" edits them. */

static void
silence_write(struct sb_buf *b, const struct silence *s)
{
	sb_buf_printf(b, "{\"id\":\"%s\",\"matchers\":[", s->id);
	for (int i = 0; i < s->nm; i++) {
		if (i > 0)
			sb_buf_putc(b, ',');
		sb_buf_json_str(b, s->text[i], strlen(s->text[i]));
	}
	sb_buf_puts(b, "],\"starts\":");
	sb_buf_json_time(b, s->starts);
	sb_buf_puts(b, ",\"ends\":");
	sb_buf_json_time(b, s->ends);
	sb_buf_puts(b, ",\"created\":");
	sb_buf_json_time(b, s->created);
	sb_buf_puts(b, ",\"created_by\":");
	sb_buf_json_str(b, s->author ? s->author : "", s->author ?
	    strlen(s->author) : 0);
	sb_buf_puts(b, ",\"comment\":");
	sb_buf_json_str(b, s->comment ? s->comment : "", s->comment ?
	    strlen(s->comment) : 0);
	sb_buf_puts(b, "}\n");
}

static int
silences_save(struct noise *n)
{
	struct sb_buf b = SB_BUF_INIT;
	int rc;

	for (size_t i = 0; i < n->nsil; i++)
		silence_write(&b, &n->sil[i]);
	rc = sb_state_save(n->st, b.s != NULL ? b.s : "", b.len);
	if (rc == -1)
		warnx("silences: %s", sb_state_error(n->st));
	sb_buf_free(&b);
	return rc;
}

/*
 * FNV-1a of what defines the silence: the same add gives the same id.  The
 * basis is one digit short of FNV's (...603, not ...6037): kept, as it
 * makes the ids of the silences already saved.
 */
static void
silence_id(struct silence *s)
{
	uint64_t h;
	struct sb_buf b = SB_BUF_INIT;

	for (int i = 0; i < s->nm; i++)
		sb_buf_printf(&b, "%s\n", s->text[i]);
	sb_buf_printf(&b, "%lld %lld %s", (long long)s->starts,
	    (long long)s->ends, s->comment ? s->comment : "");
	h = sb_fnv1a64(1469598103934665603ULL, b.s, b.len);
	snprintf(s->id, sizeof s->id, "%08x", (unsigned)(h ^ (h >> 32)));
	sb_buf_free(&b);
}

/* Drops the silences that have ended; how many are left. */
static size_t
silences_forget_expired(struct noise *n, int64_t now)
{
	size_t j = 0;

	for (size_t i = 0; i < n->nsil; i++) {
		if (n->sil[i].ends <= now)
			silence_free(&n->sil[i]);
		else
			n->sil[j++] = n->sil[i];
	}
	n->nsil = j;
	return j;
}

int
noise_matcher_check(const char *text, char *why, size_t whysz)
{
	struct matcher m;

	if (matcher_parse(&m, text, why, whysz) == -1)
		return -1;
	matcher_free(&m);
	return 0;
}

int
noise_silence_add(struct noise *n, const struct noise_silence *spec,
    int64_t now, char id[9])
{
	struct silence ns;
	char why[300];

	memset(&ns, 0, sizeof ns);
	for (int i = 0; i < spec->nmatch && i < MAX_MATCHERS; i++) {
		if (matcher_parse(&ns.m[ns.nm], spec->match[i], why,
		    sizeof why) == -1) {
			warnx("--match: %s", why);
			silence_free(&ns);
			return -1;
		}
		ns.text[ns.nm++] = sb_xstrdup(spec->match[i]);
	}
	ns.starts = spec->starts;
	ns.ends = spec->ends;
	ns.created = spec->created;
	ns.comment = spec->comment != NULL ? sb_xstrdup(spec->comment) : NULL;
	ns.author = spec->author != NULL ? sb_xstrdup(spec->author) : NULL;
	silence_id(&ns);
	if (n->nsil >= NOISE_SILENCES_MAX && silences_forget_expired(n,
	    now) >= NOISE_SILENCES_MAX) {
		silence_free(&ns);
		return -2;
	}
	n->sil = sb_xrealloc(n->sil, (n->nsil + 1) * sizeof *n->sil);
	n->sil[n->nsil++] = ns;
	memcpy(id, ns.id, 9);
	return silences_save(n);
}

size_t
noise_silence_count(const struct noise *n)
{
	return n->nsil;
}

void
noise_silence_get(const struct noise *n, size_t i, struct noise_silence *out,
    char id[9])
{
	const struct silence *s = &n->sil[i];

	memset(out, 0, sizeof *out);
	for (int j = 0; j < s->nm; j++)
		out->match[j] = s->text[j];
	out->nmatch = s->nm;
	out->starts = s->starts;
	out->ends = s->ends;
	out->created = s->created;
	out->comment = s->comment;
	out->author = s->author;
	memcpy(id, s->id, 9);
}

int
noise_silence_expire(struct noise *n, const char *id, int64_t now)
{
	size_t i;

	for (i = 0; i < n->nsil; i++)
		if (strcmp(n->sil[i].id, id) == 0)
			break;
	if (i == n->nsil)
		return 0;
	if (n->sil[i].ends > now)
		n->sil[i].ends = now;
	if (n->sil[i].starts > n->sil[i].ends)
		n->sil[i].starts = n->sil[i].ends;
	return silences_save(n) == -1 ? -1 : 1;
}
