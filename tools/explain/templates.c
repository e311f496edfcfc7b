/*
 * templates.c - loading, checking and expanding explain's templates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "templates.h"

static const char *const names[] = {
	"summary.firing", "summary.updated", "summary.resolved",
	"head.latency", "head.errors", "head.traffic_down", "head.traffic_up",
	"head.slo", "head.other",
	"line.latency", "line.errors", "line.traffic_down", "line.traffic_up",
	"line.slo", "line.other",
	"peak.latency", "peak.errors", "peak.traffic_down", "peak.traffic_up",
	"peak.slo", "peak.other",
	"ctx.errors_normal", "ctx.errors_high", "ctx.errors_higher",
	"ctx.errors_lower", "ctx.errors_plain",
	"ctx.traffic_normal", "ctx.traffic_high", "ctx.traffic_low",
	"ctx.traffic_plain", "ctx.latency_normal", "ctx.latency_high",
	"ctx.latency_lower", "explain.resolved",
	"insight.service_wide", "insight.latency_errors",
	"insight.clients_giving_up", "insight.load", "insight.traffic_drop",
	"insight.errors_only", "insight.latency_only", "insight.tail_only",
	"insight.slo", "insight.slow_creep", "insight.codes_all",
	"insight.codes_one", "insight.codes_mixed", "code.other",
	"rec.service_wide", "rec.latency_errors", "rec.clients_giving_up",
	"rec.load", "rec.traffic_drop", "rec.errors_only", "rec.latency_only",
	"rec.tail_only", "rec.slo", "rec.slow_creep", "rec.default",
	"rec.resolved",
};

static const char *const placeholders[] = {
	"key", "service", "method", "endpoint", "metric", "metric_name",
	"detector", "direction_word", "direction_verb", "baseline", "value",
	"ratio", "since_hhmm", "at_hhmm", "duration", "score", "windows",
	"error_rate_pct", "burn_rate", "expected_pct", "p_value",
	"id", "severity", "severity_uc", "state", "subject", "headline",
	"keys_count", "keys", "started_hhmm", "resolved_hhmm", "last_hhmm",
	"incident_duration", "signals_count", "latency_since_hhmm",
	"traffic_since_hhmm", "errors_since_hhmm",
	"error_rate_now", "error_rate_usual", "traffic_now", "traffic_usual",
	"p50_now", "p50_usual", "p95_now", "p95_usual", "p99_now", "p99_usual",
	"error_codes", "top_code", "top_code_pct", "top_code_meaning",
	"last_value", "last_ratio", "last_pct", "last_at_hhmm",
	"creep_duration",
};

/* code.NNN, the meaning of one status code, for any NNN in 100..599. */
static int
code_name(const char *s, size_t len)
{
	return len == 8 && memcmp(s, "code.", 5) == 0 && s[5] >= '1' &&
	    s[5] <= '5' && s[6] >= '0' && s[6] <= '9' && s[7] >= '0' &&
	    s[7] <= '9';
}

static int
known(const char *const *tab, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(tab[i]) == len && memcmp(tab[i], s, len) == 0)
			return 1;
	return 0;
}

/* 0, or -1 with why set: every {name} known, braces balanced. */
static int
check_text(const char *t, char *why, size_t whysz)
{
	for (const char *p = t; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '}') {
			snprintf(why, whysz, "unmatched '}' (write '}}' for a brace)");
			return -1;
		}
		if (*p != '{')
			continue;
		const char *q = strchr(p, '}');
		if (q == NULL) {
			snprintf(why, whysz, "unterminated placeholder '%.20s'", p);
			return -1;
		}
		if (!known(placeholders, sizeof placeholders / sizeof *placeholders,
		    p + 1, (size_t)(q - p - 1))) {
			snprintf(why, whysz, "unknown placeholder '%.*s'",
			    (int)(q - p + 1 > 40 ? 40 : q - p + 1), p);
			return -1;
		}
		p = q;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
drop_name(struct tmpl_set *set, const char *name)
{
	size_t j = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (strcmp(set->v[i].name, name) == 0) {
			free(set->v[i].name);
			free(set->v[i].text);
		} else
			set->v[j++] = set->v[i];
	}
	set->n = j;
}

int
tmpl_load(struct tmpl_set *set, const char *text, const char *file,
    int replace, char *err, size_t errsz)
{
	char *copy = sb_xstrdup(text), *p = copy, *ln, why[120];
	char **seen = NULL;
	size_t nseen = 0, lineno = 0;
	int rc = 0;

	while ((ln = strsep(&p, "\n")) != NULL) {
		char *eq, *name, *body;
		lineno++;
		name = trim(ln);
		if (*name == '\0' || *name == '#')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			snprintf(why, sizeof why, "expected 'NAME = TEXT'");
			goto bad;
		}
		*eq = '\0';
		name = trim(name);
		body = trim(eq + 1);
		if (!known(names, sizeof names / sizeof *names, name,
		    strlen(name)) && !code_name(name, strlen(name))) {
			snprintf(why, sizeof why, "unknown template '%.40s'", name);
			goto bad;
		}
		if (check_text(body, why, sizeof why) == -1)
			goto bad;
		if (replace) {
			size_t i;
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], name) == 0)
					break;
			if (i == nseen) {
				drop_name(set, name);
				seen = sb_xrealloc(seen, (nseen + 1) * sizeof *seen);
				seen[nseen++] = name;
			}
		}
		set->v = sb_xrealloc(set->v, (set->n + 1) * sizeof *set->v);
		set->v[set->n].name = sb_xstrdup(name);
		set->v[set->n].text = sb_xstrdup(body);
		set->n++;
	}
	goto out;
bad:
	snprintf(err, errsz, "%s:%zu: %s", file, lineno, why);
	rc = -1;
out:
	free(seen);
	free(copy);
	return rc;
}

void
tmpl_free(struct tmpl_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].text);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

long
tmpl_find(const struct tmpl_set *set, const char *name, long after)
{
	for (size_t i = (size_t)(after + 1); i < set->n; i++)
		if (strcmp(set->v[i].name, name) == 0)
			return (long)i;
	return -1;
}

void
tmpl_expand(const char *t, tmpl_lookup lookup, void *ctx, struct sb_buf *out)
{
	char name[64];

	for (const char *p = t; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			sb_buf_putc(out, *p++);
			continue;
		}
		const char *q;
		if (*p != '{' || (q = strchr(p, '}')) == NULL ||
		    (size_t)(q - p) > sizeof name) {
			sb_buf_putc(out, *p);
			continue;
		}
		memcpy(name, p + 1, (size_t)(q - p - 1));
		name[q - p - 1] = '\0';
		if (lookup(ctx, name, out) == -1)
			sb_buf_putc(out, '?');
		p = q;
	}
}
